"""Charts as inline SVG, drawn in Python: no scripts, no fonts, no network.

Every chart of percents is measured against 100%, with each gridline labelled, so
that bars and lines in different charts (and reports) compare at a glance. Colours
come from one mapping per report (`colours`), so a party has one colour everywhere.
"""

from __future__ import annotations

import colorsys
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from html import escape

PALETTE = ("#1f5f99", "#d9822b", "#2e8b57", "#b83b5e", "#6a4c93", "#198c8c", "#8c6d1f", "#5b6770",
           "#c44e1c", "#3d7f2f")
FONT = "font-family='system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif'"
GRID = (0, 20, 40, 60, 80, 100)  # percent gridlines, each labelled
INK, MUTED, RULE = "#1d2733", "#5b6770", "#e3e7ec"


def colours(names: Iterable[str]) -> dict[str, str]:
    """One colour per name, fixed for the report: the palette in name order, then hues a
    golden angle apart (distinct however many parties a history has)."""
    out: dict[str, str] = {}
    for i, name in enumerate(sorted(set(names))):
        if i < len(PALETTE):
            out[name] = PALETTE[i]
        else:
            r, g, b = colorsys.hls_to_rgb(((i - len(PALETTE)) * 0.381966) % 1.0, 0.42, 0.55)
            out[name] = f"#{round(r * 255):02x}{round(g * 255):02x}{round(b * 255):02x}"
    return out


def _short(text: str, most: int) -> str:
    return text if len(text) <= most else text[: most - 1] + "\u2026"


def _open_svg(title: str, width: int, height: int) -> list[str]:
    return [f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {width} {height}' width='100%' "
            f"role='img' aria-label='{escape(title)}' {FONT} font-size='12'>", f"<title>{escape(title)}</title>"]


@dataclass(frozen=True)
class Segment:
    """Part of a bar: `kind` is "held" (solid), "acquirable" (light) or "open" (an outline from
    what is certain to the most the sources allow)."""

    value: float
    kind: str = "held"


@dataclass(frozen=True)
class Bar:
    label: str
    segments: tuple[Segment, ...]
    text: str  # the figure written beside the bar


LEGEND = {"held": "held", "acquirable": "acquirable within 60 days",
          "open": "open: between what is certain and the most the sources allow"}


def bar_chart(bars: list[Bar], palette: dict[str, str], *, title: str, width: int = 880) -> str:
    """Horizontal bars against 0-100%, stacked by segment, each labelled with its figure."""
    if not bars:
        return f"<p class='muted'>{escape(title)}: no data</p>"
    row, left, right, top, axis = 26, 230, 230, 8, 22
    kinds = [k for k in LEGEND if any(s.kind == k for b in bars for s in b.segments)]
    legend_h = 20 if len(kinds) > 1 else 0
    height = top + row * len(bars) + axis + legend_h + 6
    plot_w = width - left - right
    base = top + row * len(bars)

    def x(v: float) -> float:
        return left + plot_w * max(0.0, min(v, 100.0)) / 100

    out = _open_svg(title, width, height)
    for g in GRID:
        out.append(f"<line x1='{x(g):.1f}' x2='{x(g):.1f}' y1='{top}' y2='{base}' stroke='{RULE}'/>")
        out.append(f"<text x='{x(g):.1f}' y='{base + 15}' text-anchor='middle' fill='{MUTED}'>{g}%</text>")
    for i, bar in enumerate(bars):
        yy = top + i * row
        colour = palette.get(bar.label, PALETTE[-1])
        out.append(f"<text x='{left - 10}' y='{yy + 16}' text-anchor='end' fill='{INK}'>{escape(_short(bar.label, 32))}</text>")
        start = 0.0
        for s in bar.segments:
            x0, x1 = x(start), x(start + s.value)
            tip = f"<title>{escape(bar.label)}: {escape(LEGEND[s.kind])} {s.value:.4f}%</title>"
            if s.kind == "open":
                out.append(f"<rect x='{x0:.1f}' y='{yy + 4}' width='{max(x1 - x0, 1):.1f}' height='16' fill='none' "
                           f"stroke='{colour}' stroke-dasharray='4 3'>{tip}</rect>")
            else:
                opacity = "1" if s.kind == "held" else "0.4"
                out.append(f"<rect x='{x0:.1f}' y='{yy + 4}' width='{max(x1 - x0, 1):.1f}' height='16' "
                           f"fill='{colour}' fill-opacity='{opacity}'>{tip}</rect>")
            start += s.value
        out.append(f"<text x='{x(100) + 8:.1f}' y='{yy + 16}' fill='{INK}'>{escape(bar.text)}</text>")
    if legend_h:
        lx = left
        for k in kinds:
            style = ("fill='none' stroke='#5b6770' stroke-dasharray='4 3'" if k == "open" else
                     f"fill='#5b6770' fill-opacity='{'1' if k == 'held' else '0.4'}'")
            out.append(f"<rect x='{lx}' y='{height - legend_h - 2}' width='14' height='12' {style}/>")
            out.append(f"<text x='{lx + 20}' y='{height - legend_h + 8}' fill='{MUTED}'>{escape(LEGEND[k])}</text>")
            lx += 30 + 7 * len(LEGEND[k])
    out.append("</svg>")
    return "".join(out)


@dataclass(frozen=True)
class Point:
    day: dt.date
    value: float
    exact: bool = True  # False: what is certain only (the sources leave the figure open)


def step_chart(series: dict[str, list[Point]], palette: dict[str, str], *, title: str,
               width: int = 880, height: int = 340) -> str:
    """One stepped line per series over time, against 0-100%; hollow points are lower bounds."""
    points = [p for pts in series.values() for p in pts]
    if not points:
        return f"<p class='muted'>{escape(title)}: no data</p>"
    left, right, top_pad, bottom = 56, 200, 16, 40
    x0, x1 = min(p.day for p in points), max(p.day for p in points)
    span = max((x1 - x0).days, 1)
    plot_w, plot_h = width - left - right, height - top_pad - bottom

    def x(d: dt.date) -> float:
        return left + plot_w * (d - x0).days / span

    def y(v: float) -> float:
        return top_pad + plot_h * (1 - max(0.0, min(v, 100.0)) / 100)

    out = _open_svg(title, width, height)
    for g in GRID:
        out.append(f"<line x1='{left}' x2='{left + plot_w}' y1='{y(g):.1f}' y2='{y(g):.1f}' stroke='{RULE}'/>")
        out.append(f"<text x='{left - 8}' y='{y(g) + 4:.1f}' text-anchor='end' fill='{MUTED}'>{g}%</text>")
    years = list(range(x0.year, x1.year + 1))
    if len(years) > 2:  # a year on each tick
        ticks = [(max(dt.date(year, 1, 1), x0), str(year)) for year in years[::max(1, len(years) // 8)]]
    else:  # a short span: its first and last dates
        ticks = [(x0, x0.isoformat())] + ([(x1, x1.isoformat())] if x1 != x0 else [])
    for d, label in ticks:
        anchor = "start" if d == x0 and len(ticks) > 1 else "end" if d == x1 and d != x0 else "middle"
        out.append(f"<line x1='{x(d):.1f}' x2='{x(d):.1f}' y1='{top_pad}' y2='{top_pad + plot_h}' stroke='#f0f2f5'/>")
        out.append(f"<text x='{x(d):.1f}' y='{height - 18}' text-anchor='{anchor}' fill='{MUTED}'>{label}</text>")
    for i, (name, pts) in enumerate(series.items()):
        colour = palette.get(name, PALETTE[-1])
        path = [f"M{x(pts[0].day):.1f},{y(pts[0].value):.1f}"] + [f"H{x(p.day):.1f}V{y(p.value):.1f}" for p in pts[1:]]
        path.append(f"H{left + plot_w:.1f}")
        out.append(f"<path d='{' '.join(path)}' fill='none' stroke='{colour}' stroke-width='2.2'>"
                   f"<title>{escape(name)}</title></path>")
        for p in pts:
            fill = colour if p.exact else "#fff"
            words = "" if p.exact else "at least "
            out.append(f"<circle cx='{x(p.day):.1f}' cy='{y(p.value):.1f}' r='3' fill='{fill}' stroke='{colour}'>"
                       f"<title>{escape(name)}: {words}{p.value:.2f}% on {p.day}</title></circle>")
        ly = top_pad + 8 + i * 20
        out.append(f"<rect x='{left + plot_w + 16}' y='{ly - 8}' width='12' height='12' rx='2' fill='{colour}'/>")
        out.append(f"<text x='{left + plot_w + 34}' y='{ly + 2}' fill='{INK}'>{escape(_short(name, 28))}</text>")
    if any(not p.exact for p in points):
        out.append(f"<circle cx='{left + 6}' cy='{height - 5}' r='3' fill='#fff' stroke='{MUTED}'/>"
                   f"<text x='{left + 14}' y='{height - 1}' fill='{MUTED}'>hollow: at least (the sources leave the "
                   "figure open)</text>")
    out.append("</svg>")
    return "".join(out)
