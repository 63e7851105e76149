"""Charts as inline SVG, drawn in Python: no scripts, no fonts, no network."""

from __future__ import annotations

import datetime as dt
from html import escape

PALETTE = ("#1f5f99", "#d9822b", "#2e8b57", "#b83b5e", "#6a4c93", "#198c8c", "#8c6d1f", "#5b6770")
FONT = "font-family='system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif'"


def _ticks(top: float, count: int = 5) -> list[float]:
    if top <= 0:
        return [0.0]
    raw = top / count
    magnitude = 10 ** len(str(int(raw))) / 10 if raw >= 1 else 1
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    out, v = [], 0.0
    while v <= top + 1e-9:
        out.append(v)
        v += step
    return out


def step_chart(series: dict[str, list[tuple[dt.date, float]]], *, title: str, unit: str = "%",
               width: int = 880, height: int = 320) -> str:
    """One stepped line per series over time; each series holds (date, value) points in date order."""
    points = [p for pts in series.values() for p in pts]
    if not points:
        return f"<p class='muted'>{escape(title)}: no data</p>"
    left, right, top_pad, bottom = 56, 170, 16, 36
    x0, x1 = min(p[0] for p in points), max(p[0] for p in points)
    span = max((x1 - x0).days, 1)
    ymax = max(max(p[1] for p in points), 1.0)
    ticks = _ticks(ymax)
    ymax = max(ymax, ticks[-1])
    plot_w, plot_h = width - left - right, height - top_pad - bottom

    def x(d: dt.date) -> float:
        return left + plot_w * (d - x0).days / span

    def y(v: float) -> float:
        return top_pad + plot_h * (1 - v / ymax)

    out = [f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {width} {height}' width='100%' "
           f"role='img' aria-label='{escape(title)}' {FONT} font-size='12'>", f"<title>{escape(title)}</title>"]
    for t in ticks:
        out.append(f"<line x1='{left}' x2='{left + plot_w}' y1='{y(t):.1f}' y2='{y(t):.1f}' stroke='#e3e7ec'/>")
        out.append(f"<text x='{left - 8}' y='{y(t) + 4:.1f}' text-anchor='end' fill='#5b6770'>{t:g}{escape(unit)}</text>")
    years = sorted({d.year for d in (x0, x1)} | {y_ for y_ in range(x0.year + 1, x1.year + 1)})
    stride = max(1, len(years) // 8)
    for year in years[::stride]:
        d = max(dt.date(year, 1, 1), x0)
        out.append(f"<line x1='{x(d):.1f}' x2='{x(d):.1f}' y1='{top_pad}' y2='{top_pad + plot_h}' stroke='#f0f2f5'/>")
        out.append(f"<text x='{x(d):.1f}' y='{height - 14}' text-anchor='middle' fill='#5b6770'>{year}</text>")
    out.append(f"<line x1='{left}' x2='{left + plot_w}' y1='{top_pad + plot_h}' y2='{top_pad + plot_h}' stroke='#9aa5b1'/>")
    for i, (name, pts) in enumerate(series.items()):
        color = PALETTE[i % len(PALETTE)]
        path, last = [], None
        for d, v in pts:
            if last is None:
                path.append(f"M{x(d):.1f},{y(v):.1f}")
            else:
                path.append(f"H{x(d):.1f}V{y(v):.1f}")
            last = v
        path.append(f"H{left + plot_w:.1f}")
        out.append(f"<path d='{' '.join(path)}' fill='none' stroke='{color}' stroke-width='2.2'>"
                   f"<title>{escape(name)}</title></path>")
        for d, v in pts:
            out.append(f"<circle cx='{x(d):.1f}' cy='{y(v):.1f}' r='2.6' fill='{color}'>"
                       f"<title>{escape(name)}: {v:.2f}{escape(unit)} on {d}</title></circle>")
        ly = top_pad + 8 + i * 20
        out.append(f"<rect x='{left + plot_w + 16}' y='{ly - 8}' width='12' height='12' rx='2' fill='{color}'/>")
        out.append(f"<text x='{left + plot_w + 34}' y='{ly + 2}' fill='#1d2733'>{escape(name[:22])}</text>")
    out.append("</svg>")
    return "".join(out)


def bar_chart(items: list[tuple[str, float]], *, title: str, unit: str = "%", width: int = 880) -> str:
    """Horizontal bars, one per item, labelled with its value."""
    if not items:
        return f"<p class='muted'>{escape(title)}: no data</p>"
    row, left, right = 26, 190, 90
    height = row * len(items) + 12
    top = max(max(v for _, v in items), 1e-9)
    plot_w = width - left - right
    out = [f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {width} {height}' width='100%' "
           f"role='img' aria-label='{escape(title)}' {FONT} font-size='12'>", f"<title>{escape(title)}</title>"]
    for i, (label, value) in enumerate(items):
        yy = 6 + i * row
        w = plot_w * value / top
        color = PALETTE[i % len(PALETTE)]
        out.append(f"<text x='{left - 10}' y='{yy + 15}' text-anchor='end' fill='#1d2733'>{escape(label[:28])}</text>")
        out.append(f"<rect x='{left}' y='{yy + 3}' width='{max(w, 1):.1f}' height='16' rx='3' fill='{color}'>"
                   f"<title>{escape(label)}: {value:.4f}{escape(unit)}</title></rect>")
        out.append(f"<text x='{left + w + 8:.1f}' y='{yy + 15}' fill='#1d2733'>{value:.2f}{escape(unit)}</text>")
    out.append("</svg>")
    return "".join(out)
