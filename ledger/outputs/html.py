"""`ledger export html`: one self-contained page for an auditor.

No scripts, fonts, images or links that leave the file: inline CSS and SVG
charts drawn here (links only within the page). Every value from the ledger is
escaped. Wide tables wrap, and stack into label-value rows when narrow or
printed, so nothing is clipped on a screen of 1280 px or on A4 or Letter paper.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from html import escape
from itertools import groupby
from typing import Any

from ledger.common.paths import output_path, write_file
from ledger.history.snapshot import Snapshot
from ledger.outputs.render import cell
from ledger.outputs.svg import Bar, Point, Segment, bar_chart, colours, step_chart
from projections.denominators import Mode, denominator
from projections.fold import apply
from projections.open_figures import open_figure
from projections.reconcile import FINDING
from projections.state import State
from projections.timeline import superseded

MAIN_HOLDERS = 6
WIDE = {"missing", "explanation", "what", "sources", "before", "after"}
# Tables with more columns than this stack into label-value rows: on a narrow screen, and on paper.
STACK_OVER, STACK_PRINTED_OVER = 7, 4

CSS = """
:root{--ink:#1d2733;--muted:#5b6770;--line:#e3e7ec;--bg:#f6f8fa;--accent:#1f5f99;--bad:#b3261e;--ok:#2e7d32;--warn:#a15c00}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:var(--ink);background:var(--bg)}
header{background:#13263a;color:#fff;padding:28px 40px 22px}
header h1{margin:0 0 4px;font-size:24px;font-weight:600}
header p{margin:0;color:#c9d4df}
main{max-width:1240px;margin:0 auto;padding:24px 28px 60px}
section{overflow-x:auto;background:#fff;border:1px solid var(--line);border-radius:8px;padding:18px 22px;margin:0 0 20px}
h2{font-size:17px;margin:0 0 12px;color:var(--accent)}
.cards{display:grid;grid-template-columns:repeat(4,1fr);gap:14px;margin:0 0 20px}
.card{background:#fff;border:1px solid var(--line);border-radius:8px;padding:14px 18px}
.card b{display:block;font-size:22px}
.card span{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{padding:6px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top;overflow-wrap:break-word}
td.wide{min-width:14em}
th{background:#f0f3f6;font-weight:600;color:#34414e;position:sticky;top:0}
td.num{text-align:right;font-variant-numeric:tabular-nums;overflow-wrap:normal}
td.date{white-space:nowrap}
figure{margin:0 0 12px}
figcaption{font-weight:600;font-size:13px;color:#34414e;margin:0 0 4px}
th.num{text-align:right}
tr:hover td{background:#fafbfc}
tr:target td{background:#fff8d6}
tr.superseded td{color:var(--muted);text-decoration:line-through;text-decoration-color:#c9a0a0}
tr.superseded td.note{text-decoration:none}
.muted{color:var(--muted)}
.note{color:var(--muted);font-size:12.5px;margin:4px 0 10px}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;background:#eef1f4}
.badge.ok{background:#e6f4ea;color:var(--ok)}
.badge.finding{background:#fdecea;color:var(--bad)}
.badge.other{background:#fff4e5;color:var(--warn)}
a{color:var(--accent)}
blockquote{margin:4px 0 0;padding:2px 10px;border-left:3px solid #c9d4df;color:#34414e;font-style:italic}
.journal td{font-size:12.5px}
.scroll{max-height:640px;overflow:auto}
footer{color:var(--muted);font-size:12px;text-align:center;padding:10px}
@media (max-width:900px){
 table.stack thead{display:none}
 table.stack tr{display:block;border-bottom:2px solid var(--line);padding:4px 0}
 table.stack td{display:grid;grid-template-columns:minmax(8em,32%) 1fr;gap:8px;border:none;padding:2px 4px;text-align:left;min-width:0}
 table.stack td::before{content:attr(data-label);font-weight:600;color:#34414e}
 .cards{grid-template-columns:repeat(2,1fr)}
}
@media print{
 @page{margin:12mm}
 body{background:#fff;font-size:11px}
 header{background:#fff;color:var(--ink);padding:0 0 8px;border-bottom:2px solid var(--ink)}
 header p{color:var(--muted)}
 main{max-width:none;padding:8px 0}
 section{overflow:visible;border:none;border-radius:0;padding:8px 0;break-inside:auto}
 h2{break-after:avoid}
 th{position:static}
 td.wide{min-width:0}
 tr{break-inside:avoid}
 .scroll{max-height:none;overflow:visible}
 svg{break-inside:avoid}
 th,td{overflow-wrap:anywhere}
 table.stack-print thead{display:none}
 table.stack-print tr{display:block;border-bottom:1.5px solid var(--line);padding:3px 0}
 table.stack-print td{display:grid;grid-template-columns:28% 1fr;gap:6px;border:none;padding:1px 2px;text-align:left;min-width:0}
 table.stack-print td::before{content:attr(data-label);font-weight:600;color:#34414e}
 *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
"""


def _is_date(value: Any) -> bool:
    return isinstance(value, str) and len(value) == 10 and value[4] == value[7] == "-" and value[:4].isdigit()


def figure(title: str, svg: str) -> str:
    """A chart with its title in words above it (an SVG title is only a tooltip)."""
    return f"<figure><figcaption>{escape(title)}</figcaption>{svg}</figure>"


def _fmt(value: Any) -> str:
    return cell(value, mapping_as_json=False)


def table(rows: Sequence[dict[str, Any]], columns: Sequence[str], *, cls: str = "",
          cells: dict[str, Callable[[dict[str, Any]], str]] | None = None,
          row_attrs: Callable[[dict[str, Any]], str] | None = None) -> str:
    """An escaped HTML table; `cells` may give a function that renders a column's value as HTML,
    `row_attrs` the attributes of a row (an id to link to, a class)."""
    if not rows:
        return "<p class='muted'>Nothing to show on this date.</p>"
    # A column empty in every row says nothing (the CSV and JSON exports keep it).
    cells = cells or {}
    columns = [c for c in columns if any(r.get(c) not in (None, "", [], {}) or open_figure(r, c)
                                         or (c in cells and cells[c](r)) for r in rows)]
    numeric = {c for c in columns if any(isinstance(r.get(c), int | float) and not isinstance(r.get(c), bool)
                                         for r in rows)}
    labels = {c: escape(c.replace("_", " ")) for c in columns}
    head = "".join(f"<th class='{'num' if c in numeric else ''}'>{labels[c]}</th>" for c in columns)
    body = []
    for r in rows:
        tds = []
        for c in columns:
            figure = open_figure(r, c)
            html = cells[c](r) if c in cells else escape(figure if figure is not None else _fmt(r.get(c)))
            kind = "num" if c in numeric else "wide" if c in WIDE else "date" if _is_date(r.get(c)) else ""
            tds.append(f"<td class='{kind}' data-label='{labels[c]}'>{html}</td>")
        attrs = f" {row_attrs(r)}" if row_attrs else ""
        body.append(f"<tr{attrs}>" + "".join(tds) + "</tr>")
    stack = (" stack" if len(columns) > STACK_OVER else "") + (" stack-print" if len(columns) > STACK_PRINTED_OVER else "")
    return (f"<table class='{cls}{stack}'><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table>")


DENOMINATOR_NOTE = {
    "best": "the ledger's own count where it is complete, else the latest reported count; "
            "dates with neither are left out",
    "derived": "as the ledger counts it",
    "reported": "as last reported; dates before any reported count are left out",
}


def ownership_over_time(snapshot: Snapshot, security: str, *, mode: Mode = "best") -> dict[str, list[Point]]:
    """What each main holder beneficially owns of the class directly after each event date:
    its own shares plus those it can acquire within 60 days, over the class outstanding (the
    denominator rule's) plus its own acquirable shares. A holding the sources leave open
    gives what is certain, marked inexact. Dates with no whole to take a percent over are left out."""
    from ledger.common.progress import progress  # noqa: PLC0415
    from projections.ownership import positions_of  # noqa: PLC0415

    state = State()
    frames: list[tuple[dt.date, dict[str, Point]]] = []
    events_to_date = progress(snapshot.to_date, len(snapshot.to_date), "ownership over time")
    for day, events in groupby(events_to_date, key=lambda e: e.effective_date):
        for e in events:
            apply(state, e)
        if security not in state.securities:
            continue
        outstanding = denominator(state, security, day, mode).shares
        if outstanding is None:
            continue  # no whole yet: no percent to draw
        frame = {}
        for holder, d in positions_of(state, security, day).items():
            exact = not (d.open or d.at_most)
            acquirable = d.acquirable if exact else d.acquirable - d.bounded
            whole = outstanding + acquirable
            if whole > 0:
                frame[holder] = Point(day, 100 * (d.total if exact else d.certain) / whole, exact)
        frames.append((day, frame))
    peak: dict[str, float] = {}
    for _, frame in frames:
        for h, p in frame.items():
            peak[h] = max(peak.get(h, 0.0), p.value)
    main = sorted(peak, key=lambda h: (-peak[h], h))[:MAIN_HOLDERS]
    return {h: [frame.get(h, Point(day, 0.0)) for day, frame in frames] for h in main}


def ownership_bars(rows: list[dict[str, Any]]) -> list[Bar]:
    """Rule 13d-3 percent per person, split into the shares held and those acquirable within
    60 days; an open percent drawn as what is certain, then an outline up to its most."""
    bars = []
    for r in rows:
        whole = r.get("denominator")
        if r.get("percent") is not None and whole is not None:
            acquirable = r["acquirable_within_60_days"]
            base = whole + acquirable
            held = 100 * (r["beneficially_owned"] - acquirable) / base if base else 0.0
            segments = [Segment(held), Segment(100 * acquirable / base if base else 0.0, "acquirable")]
            bars.append(Bar(r["party"], tuple(s for s in segments if s.value), f"{r['percent']:.4f}%"))
        elif r.get("percent_at_least") is not None:
            low, high = r["percent_at_least"], r.get("percent_at_most")
            segments = [Segment(low)] + ([Segment(high - low, "open")] if high is not None else [])
            bars.append(Bar(r["party"], tuple(s for s in segments if s.value),
                            open_figure(r, "percent") or "not derivable"))
    return bars


def voting_bars(rows: list[dict[str, Any]], common: str | None) -> tuple[list[Bar], str]:
    """Percent of all votes where any is derivable; otherwise of the common's votes, saying so."""
    if any(r.get("percent") is not None for r in rows):
        return ([Bar(r["party"], (Segment(r["percent"]),), f"{r['percent']:.4f}%")
                 for r in rows if r.get("percent") is not None], "Percent of all votes")
    bars = []
    for r in rows:
        c = next((c for c in r.get("by_class", []) if c.get("security") == common), None)
        if c is not None and c.get("percent") is not None:
            bars.append(Bar(r["party"], (Segment(c["percent"]),), f"{c['percent']:.4f}%"))
    return bars, f"Percent of the votes of {common} (of all votes: not derivable for any party)"


def _denominator(row: dict[str, Any]) -> str:
    """The whole a percent is taken over, and where it comes from, in one cell."""
    shares = row.get("denominator")
    words = f"{shares:,} " if shares is not None else "none "
    source = row.get("denominator_source", "")
    if source == "reported":
        words += f"(reported, {row.get('denominator_document')}, {row.get('denominator_date')})"
    elif source:
        words += f"({source})"
    note = row.get("denominator_note")
    return escape(words) + (f"<div class='muted'>{escape(note)}</div>" if note else "")


def _percent(row: dict[str, Any]) -> str:
    value = row.get("percent")
    return escape(f"{value:.4f}%") if value is not None else escape(open_figure(row, "percent") or "not derivable")


def _percent_of(key: str) -> Callable[[dict[str, Any]], str]:
    """A by-holder percent, or why there is none (the column's total is open)."""
    def cell(row: dict[str, Any]) -> str:
        value = row.get(key)
        return escape(f"{value:.4f}%") if value is not None else escape(row.get(f"{key}_note") or "not derivable")
    return cell


def _by_class(row: dict[str, Any]) -> str:
    """Each class's votes and the party's percent of them, over the denominator it says."""
    lines = []
    for c in row.get("by_class", []):
        votes = f"{c['votes']:,}" if c.get("votes") is not None else (open_figure(c, "votes") or "not derivable")
        if c.get("percent") is not None:
            share = f"{escape(c['security'])}: {escape(votes)} votes, {c['percent']:.4f}% of {_denominator(c)}"
        else:
            note = c.get("denominator_note")
            share = (f"{escape(c['security'])}: {escape(votes)} votes, percent not derivable"
                     + (f"<div class='muted'>{escape(note)}</div>" if note else ""))
        lines.append(f"<div>{share}</div>")
    return "".join(lines)


def _status(row: dict[str, Any]) -> str:
    status = str(row.get("status", ""))
    kind = "ok" if status in ("ok", "in force", "available") else \
        "finding" if status in FINDING or status == "used up" else "other"
    return f"<span class='badge {kind}'>{escape(status)}</span>"


def _journal_rows(snapshot: Snapshot) -> list[dict[str, Any]]:
    """The journal to the as-of date, each row marked with what supersedes it, if anything."""
    from ledger.outputs.journal import journal_rows, journal_table_rows  # noqa: PLC0415

    acts = superseded(snapshot.recorded)
    rows = journal_rows(snapshot.records, snapshot.query.known_at)
    rows = [r for r in rows if str(r.get("effective_date", "")) <= snapshot.query.as_of.isoformat()]
    shown = {r["sequence"] for r in rows}
    out = []
    for raw, row in zip(rows, journal_table_rows(rows), strict=True):
        act = acts.get(raw["event_id"])
        if act is not None:
            verb = "retracted" if act.event.type == "EventRetracted" else "corrected"
            # An act dated after the report's date is not on the page: named, not linked.
            row["superseded"] = (verb, act.sequence, act.sequence in shown)
        out.append(row)
    return out


def _what(row: dict[str, Any]) -> str:
    html = escape(str(row.get("what", "")))
    if row.get("quote"):
        html += f"<blockquote>{escape(str(row['quote']))}</blockquote>"
    if row.get("inferred"):
        html += f"<div class='muted'>Inferred: {escape(str(row['inferred']))}</div>"
    return html


def _superseded(row: dict[str, Any]) -> str:
    if not row.get("superseded"):
        return ""
    verb, sequence, on_page = row["superseded"]
    if not on_page:
        return f"{verb} by #{sequence} (dated after this report's date)"
    return f"{verb} by <a href='#event-{sequence}'>#{sequence}</a>"


def _journal_attrs(row: dict[str, Any]) -> str:
    cls = " class='superseded'" if row.get("superseded") else ""
    return f"id='event-{row['#']}'{cls}"


# --- what changed between two known-at instants ----------------------------------------------

KEYS = {"captable": ("security",), "by_holder": ("party",), "holdings": ("party", "security"), "ownership": ("party",),
        "voting": ("party",)}


def report_rows(snapshot: Snapshot, security: str | None, mode: Mode) -> dict[str, list[dict[str, Any]]]:
    from projections.captable import by_holder_rows, captable_rows  # noqa: PLC0415
    from projections.holdings import holdings_rows  # noqa: PLC0415
    from projections.ownership import ownership_rows  # noqa: PLC0415
    from projections.voting import voting_rows  # noqa: PLC0415

    state, day = snapshot.state, snapshot.query.as_of
    return {
        "captable": captable_rows(state, day),
        "by_holder": by_holder_rows(state, day),
        "holdings": holdings_rows(state, day),
        "ownership": ownership_rows(state, security, day, mode=mode) if security else [],
        "voting": voting_rows(state, day, mode=mode),
    }


def _shown(row: dict[str, Any] | None, key: str) -> str:
    if row is None:
        return "(no row)"
    figure = open_figure(row, key)
    return figure if figure is not None else _fmt(row.get(key)) or "(none)"


def changes(now: dict[str, list[dict[str, Any]]], then: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Every figure that differs between two sets of report rows: report, row, field, before, after."""
    out = []
    for report, key in KEYS.items():
        def by_key(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
            return {" / ".join(str(r.get(k)) for k in key): r for r in rows}  # noqa: B023

        before, after = by_key(then.get(report, [])), by_key(now.get(report, []))
        for name in sorted(before.keys() | after.keys()):
            a, b = before.get(name), after.get(name)
            if a is None or b is None:
                out.append({"report": report, "row": name, "field": "(row)",
                            "before": "absent" if a is None else "present",
                            "after": "absent" if b is None else "present"})
                continue
            for field in dict.fromkeys([*a, *b]):
                if field in key or field.endswith(("_at_least", "_at_most")):
                    continue  # bounds are shown with their figure
                if a.get(field) != b.get(field) or open_figure(a, field) != open_figure(b, field):
                    out.append({"report": report, "row": name, "field": field,
                                "before": _shown(a, field), "after": _shown(b, field)})
    return out


def _changes_section(snapshot: Snapshot, earlier: Snapshot, now: dict, then: dict) -> str:
    since = earlier.query.known_at
    recorded = [r for r in snapshot.records if dt.datetime.fromisoformat(r["recorded_at"]) > since]
    from ledger.outputs.journal import summary  # noqa: PLC0415

    events = [{"#": r["sequence"], "recorded_at": r["recorded_at"], "effective": r["event"].get("effective_date"),
               "type": r["event"].get("type"), "what": summary(r["event"])} for r in recorded]
    diff = changes(now, then)
    link = {"#": lambda r: f"<a href='#event-{r['#']}'>#{r['#']}</a>"
            if str(r["effective"]) <= snapshot.query.as_of.isoformat() else f"#{r['#']}"}
    return (f"<section id='changes'><h2>What changed since {escape(since.isoformat(timespec='seconds'))}</h2>"
            f"<p class='note'>The same as-of date, {snapshot.query.as_of}, as the ledger knew it then and as it "
            f"knows it at {escape(snapshot.query.known_at.isoformat(timespec='seconds'))}: "
            f"{len(events)} events recorded in between, {len(diff)} figures changed.</p>"
            "<h3>Recorded in between</h3>"
            + table(events, ["#", "recorded_at", "effective", "type", "what"], cells=link)
            + "<h3>Figures that changed</h3>"
            + table(diff, ["report", "row", "field", "before", "after"]) + "</section>")


def render(snapshot: Snapshot, *, mode: Mode = "best", earlier: Snapshot | None = None) -> str:
    from projections.reconcile import reconcile  # noqa: PLC0415
    from projections.rights import rights_rows  # noqa: PLC0415

    q, state = snapshot.query, snapshot.state
    day = q.as_of
    party = state.parties.get(q.issuer)
    name = party.name if party else q.issuer
    security = state.common_class() or next(iter(state.securities), None)
    now = report_rows(snapshot, security, mode)
    cap, holdings, owners, votes = now["captable"], now["holdings"], now["ownership"], now["voting"]
    rights = rights_rows(state, day, mode=mode)
    checks = reconcile(snapshot.to_date)
    findings = [r for r in checks if r["status"] in FINDING]
    journal = _journal_rows(snapshot)
    over_time = ownership_over_time(snapshot, security, mode=mode) if security else {}
    owned = ownership_bars(owners)
    voted, voting_title = voting_bars(votes, security)
    palette = colours([b.label for b in owned + voted] + list(over_time))

    cards = [(f"{len(snapshot.to_date):,}", "events to this date"), (f"{len(state.securities)}", "classes of stock"),
             (f"{len({r['party'] for r in holdings}):,}", "holders"), (f"{len(findings)}", "reconciliation findings")]
    compared = (f" &middot; compared with what it knew at {escape(earlier.query.known_at.isoformat(timespec='seconds'))}"
                if earlier is not None else "")
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; style-src 'unsafe-inline'; "
        "img-src data:\">",
        f"<title>{escape(name)}: ledger report as of {day}</title><style>{CSS}</style></head><body>",
        f"<header><h1>{escape(name)}</h1><p>Ledger report as of <b>{day}</b>, as recorded by "
        f"{escape(q.known_at.isoformat(timespec='seconds'))} &middot; issuer <code>{escape(q.issuer)}</code>"
        f"{compared}</p></header>",
        "<main><div class='cards'>" + "".join(f"<div class='card'><b>{escape(v)}</b><span>{escape(k)}</span></div>"
                                              for v, k in cards) + "</div>",
        _changes_section(snapshot, earlier, now, report_rows(earlier, security, mode)) if earlier is not None else "",
        "<section id='captable'><h2>Cap table</h2>"
        + table(cap, ["security", "outstanding", "fully_diluted", "not_yet_convertible", "reported_outstanding",
                      "reported_on", "missing"])
        + "<h3 id='by-holder'>By holder</h3><p class='note'>Each holder's shares as common (a converting class at its ratio on "
        "the date) and fully diluted (plus what its options, RSUs, SARs and warrants, vested or not, would "
        "deliver; notes and SAFEs count nothing until they convert); each plan's pool as the shares available "
        "for grant. Percents of each column's total, none where that total is open.</p>"
        + table(now["by_holder"], ["party", "outstanding", "percent_outstanding", "fully_diluted",
                                   "percent_fully_diluted", "missing"],
                cells={"percent_outstanding": _percent_of("percent_outstanding"),
                       "percent_fully_diluted": _percent_of("percent_fully_diluted")}) + "</section>",
        "<section id='holdings'><h2>Holdings</h2>"
        + table(holdings, ["party", "security", "kind", "underlying", "quantity", "exercisable", "exercise_price",
                           "expires", "principal", "vested"]) + "</section>",
        f"<section id='ownership'><h2>Beneficial ownership of {escape(str(security))} (Rule 13d-3)</h2>"
        f"<p class='note'>What Rule 13d-3 counts: the shares of {escape(str(security))} each person holds, plus "
        "those it can acquire within 60 days (warrants exercisable by then; convertible preferred as converted, "
        "once convertible), plus everything the entities it controls hold; a group counts as one person. Percent "
        "of the class outstanding plus the person's own acquirable shares, measured against 100%. A figure the "
        "sources leave open is drawn as what is certain, with a dashed outline up to the most they allow.</p>"
        + figure(f"Percent of {security} beneficially owned (held + acquirable), against 100%",
                 bar_chart(owned, palette, title=f"Percent of {security} beneficially owned (held + acquirable)"))
        + table(owners, ["party", "beneficially_owned", "acquirable_within_60_days", "percent", "sole_voting",
                         "shared_voting", "sole_dispositive", "shared_dispositive", "denominator", "missing"],
                cells={"denominator": _denominator}) + "</section>",
        f"<section id='over-time'><h2>Ownership of {escape(str(security))} over time</h2>"
        f"<p class='note'>Each holder's own shares plus those it can acquire within 60 days (preferred as "
        "converted), as a percent of the class outstanding plus its own acquirable shares, after each event date "
        f"(the {MAIN_HOLDERS} largest holders; shares held through controlled entities are in the table above). "
        f"Class outstanding: {DENOMINATOR_NOTE[mode]}. Hollow points are lower bounds.</p>"
        + figure(f"Percent of {security} owned directly, by event date, against 100%",
                 step_chart(over_time, palette, title=f"Percent of {security} owned directly, by event date"))
        + "</section>",
        "<section id='voting'><h2>Voting power</h2>"
        + figure(voting_title + ", against 100%", bar_chart(voted, palette, title=voting_title))
        + table(votes, ["party", "votes", "percent", "by_class", "missing"],
                cells={"percent": _percent, "by_class": _by_class}) + "</section>",
        "<section id='rights'><h2>Rights under agreements</h2>"
        + table(rights, ["agreement", "right", "kind", "party", "status", "explanation"],
                cells={"status": _status}) + "</section>",
        f"<section id='reconcile'><h2>Reconciliation: {len(findings)} findings in {len(checks)} checks</h2>"
        + table(checks, ["kind", "subject", "status", "reported", "derived", "explanation", "sources"],
                cells={"status": _status}) + "</section>",
        f"<section id='journal'><h2>Event journal ({len(journal)} events)</h2>"
        "<p class='note'>Struck through: superseded by a later correction or retraction (linked), "
        "already applied to every figure above.</p><div class='scroll'>"
        + table(journal, ["#", "effective", "type", "what", "source", "superseded"], cls="journal",
                cells={"what": _what, "superseded": _superseded}, row_attrs=_journal_attrs)
        + "</div></section>",
        "</main><footer>Generated by issuance-ledger from its hash-chained log; every figure traces to the "
        "events above and each event to its source.</footer></body></html>",
    ]
    return "\n".join(parts)


def export_html(snapshot: Snapshot, out: str, *, force: bool = False, mode: Mode = "best",
                earlier: Snapshot | None = None) -> int:
    text = render(snapshot, mode=mode, earlier=earlier).encode("utf-8")
    write_file(output_path(out, force=force), text, label=out)
    return len(text)
