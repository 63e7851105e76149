"""`ledger export html`: one self-contained page for an auditor.

No scripts, fonts, images or links that leave the file: inline CSS and SVG
charts drawn here. Every value from the ledger is escaped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from html import escape
from itertools import groupby
from typing import Any

from ledger.exports.snapshot import Snapshot
from ledger.exports.svg import bar_chart, step_chart
from ledger.paths import output_path, write_file
from ledger.render import cell
from projections.denominators import Mode, denominator
from projections.fold import apply
from projections.open_figures import open_figure
from projections.reconcile import FINDING
from projections.state import State

MAIN_HOLDERS = 6
WIDE = {"missing", "explanation", "what"}

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
td{max-width:460px}
td.wide{min-width:280px}
th{background:#f0f3f6;font-weight:600;color:#34414e;position:sticky;top:0}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
th.num{text-align:right}
tr:hover td{background:#fafbfc}
.muted{color:var(--muted)}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;background:#eef1f4}
.badge.ok{background:#e6f4ea;color:var(--ok)}
.badge.finding{background:#fdecea;color:var(--bad)}
.badge.other{background:#fff4e5;color:var(--warn)}
blockquote{margin:4px 0 0;padding:2px 10px;border-left:3px solid #c9d4df;color:#34414e;font-style:italic}
.journal td{font-size:12.5px}
.scroll{max-height:640px;overflow:auto}
footer{color:var(--muted);font-size:12px;text-align:center;padding:10px}
@media print{.scroll{max-height:none;overflow:visible}body{background:#fff}}
"""


def _fmt(value: Any) -> str:
    return cell(value, mapping_as_json=False)


def table(rows: Sequence[dict[str, Any]], columns: Sequence[str], *, cls: str = "",
          cells: dict[str, Any] | None = None) -> str:
    """An escaped HTML table; `cells` may give a function that renders a column's value as HTML."""
    if not rows:
        return "<p class='muted'>Nothing to show on this date.</p>"
    # A column empty in every row says nothing (the CSV and JSON exports keep it).
    columns = [c for c in columns if any(r.get(c) not in (None, "", [], {}) or open_figure(r, c) for r in rows)]
    cells = cells or {}
    numeric = {c for c in columns if any(isinstance(r.get(c), int | float) and not isinstance(r.get(c), bool)
                                         for r in rows)}
    head = "".join(f"<th class='{'num' if c in numeric else ''}'>{escape(c.replace('_', ' '))}</th>" for c in columns)
    body = []
    for r in rows:
        tds = []
        for c in columns:
            figure = open_figure(r, c)
            html = cells[c](r) if c in cells else escape(figure if figure is not None else _fmt(r.get(c)))
            kind = "num" if c in numeric else "wide" if c in WIDE else ""
            tds.append(f"<td class='{kind}'>{html}</td>")
        body.append("<tr>" + "".join(tds) + "</tr>")
    return f"<table class='{cls}'><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


DENOMINATOR_NOTE = {
    "best": "the ledger's own count where it is complete, else the latest reported count; "
            "dates with neither are left out",
    "derived": "as the ledger counts it",
    "reported": "as last reported; dates before any reported count are left out",
}


def ownership_over_time(snapshot: Snapshot, security: str, *,
                        mode: Mode = "best") -> dict[str, list[tuple[dt.date, float]]]:
    """Percent of the class's outstanding shares each main holder held after each event date,
    over the denominator rule's whole; dates with no whole to take a percent over are left out."""
    state = State()
    frames: list[tuple[dt.date, dict[str, float]]] = []
    from ledger.progress import progress  # noqa: PLC0415

    events_to_date = progress(snapshot.to_date, len(snapshot.to_date), "ownership over time")
    for day, events in groupby(events_to_date, key=lambda e: e.effective_date):
        for e in events:
            apply(state, e)
        if security not in state.securities:
            continue
        outstanding = denominator(state, security, day, mode).shares
        if outstanding is None:
            continue  # no whole yet: no percent to draw
        held = {h: q for (h, s), q in state.shares.items() if s == security}
        frames.append((day, {h: 100 * q / outstanding for h, q in held.items()} if outstanding else {}))
    peak: dict[str, float] = {}
    for _, pct in frames:
        for h, v in pct.items():
            peak[h] = max(peak.get(h, 0.0), v)
    main = sorted(peak, key=lambda h: (-peak[h], h))[:MAIN_HOLDERS]
    return {h: [(d, pct.get(h, 0.0)) for d, pct in frames] for h in main}


def _status(row: dict[str, Any]) -> str:
    status = str(row.get("status", ""))
    kind = "ok" if status in ("ok", "in force", "available") else \
        "finding" if status in FINDING or status == "used up" else "other"
    return f"<span class='badge {kind}'>{escape(status)}</span>"


def _journal_rows(snapshot: Snapshot) -> list[dict[str, Any]]:
    from ledger.journal import journal_rows, journal_table_rows  # noqa: PLC0415

    rows = journal_rows(snapshot.records, snapshot.query.known_at)
    rows = [r for r in rows if str(r.get("effective_date", "")) <= snapshot.query.as_of.isoformat()]
    return journal_table_rows(rows)


def _what(row: dict[str, Any]) -> str:
    html = escape(str(row.get("what", "")))
    if row.get("quote"):
        html += f"<blockquote>{escape(str(row['quote']))}</blockquote>"
    if row.get("inferred"):
        html += f"<div class='muted'>Inferred: {escape(str(row['inferred']))}</div>"
    return html


def render(snapshot: Snapshot, *, mode: Mode = "best") -> str:
    from projections.captable import captable_rows  # noqa: PLC0415
    from projections.holdings import holdings_rows  # noqa: PLC0415
    from projections.ownership import ownership_rows  # noqa: PLC0415
    from projections.reconcile import reconcile  # noqa: PLC0415
    from projections.rights import rights_rows  # noqa: PLC0415
    from projections.voting import voting_rows  # noqa: PLC0415

    q, state = snapshot.query, snapshot.state
    day = q.as_of
    party = state.parties.get(q.issuer)
    name = party.name if party else q.issuer
    commons = [s for s, sec in state.securities.items() if sec.created.kind == "common"]
    security = commons[0] if commons else next(iter(state.securities), None)
    cap = captable_rows(state, day)
    holdings = holdings_rows(state, day)
    owners = ownership_rows(state, security, day, mode=mode) if security else []
    votes = voting_rows(state, day, mode=mode)
    rights = rights_rows(state, day, mode=mode)
    checks = reconcile(snapshot.to_date)
    findings = [r for r in checks if r["status"] in FINDING]
    journal = _journal_rows(snapshot)
    over_time = ownership_over_time(snapshot, security, mode=mode) if security else {}

    cards = [(f"{len(snapshot.to_date):,}", "events to this date"), (f"{len(state.securities)}", "classes of stock"),
             (f"{len({r['party'] for r in holdings}):,}", "holders"), (f"{len(findings)}", "reconciliation findings")]
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; style-src 'unsafe-inline'; "
        "img-src data:\">",
        f"<title>{escape(name)}: ledger report as of {day}</title><style>{CSS}</style></head><body>",
        f"<header><h1>{escape(name)}</h1><p>Ledger report as of <b>{day}</b>, as recorded by "
        f"{escape(q.known_at.isoformat(timespec='seconds'))} &middot; issuer <code>{escape(q.issuer)}</code></p></header>",
        "<main><div class='cards'>" + "".join(f"<div class='card'><b>{escape(v)}</b><span>{escape(k)}</span></div>"
                                              for v, k in cards) + "</div>",
        "<section id='captable'><h2>Cap table</h2>"
        + table(cap, ["security", "outstanding", "fully_diluted", "not_yet_convertible", "reported_outstanding",
                      "reported_on"]) + "</section>",
        "<section id='holdings'><h2>Holdings</h2>"
        + table(holdings, ["party", "security", "kind", "underlying", "quantity", "exercisable", "exercise_price",
                           "expires", "principal", "quantity_at_most", "exercisable_at_most"]) + "</section>",
        f"<section id='ownership'><h2>Beneficial ownership of {escape(str(security))} (Rule 13d-3)</h2>"
        + bar_chart([(r["party"], r["percent"]) for r in owners if r.get("percent")],
                    title=f"Percent of {security} beneficially owned")
        + table(owners, ["party", "beneficially_owned", "acquirable_within_60_days", "percent", "sole_voting",
                         "shared_voting", "sole_dispositive", "shared_dispositive", "missing", "denominator",
                         "denominator_source", "denominator_document", "denominator_date"]) + "</section>",
        f"<section id='over-time'><h2>Ownership of {escape(str(security))} over time</h2>"
        "<p class='muted'>Shares held directly, as a percent of the class outstanding "
        f"({DENOMINATOR_NOTE[mode]}), "
        f"after each event date (the {MAIN_HOLDERS} largest holders).</p>"
        + step_chart(over_time, title=f"Percent of {security} outstanding held, by event date") + "</section>",
        "<section id='voting'><h2>Voting power</h2>"
        + bar_chart([(r["party"], r["percent"]) for r in votes if r.get("percent")],
                    title="Percent of all votes")
        + table(votes, ["party", "votes", "votes_at_least", "percent", "missing"]) + "</section>",
        "<section id='rights'><h2>Rights under agreements</h2>"
        + table(rights, ["agreement", "right", "kind", "party", "status", "explanation"],
                cells={"status": _status}) + "</section>",
        f"<section id='reconcile'><h2>Reconciliation: {len(findings)} findings in {len(checks)} checks</h2>"
        + table(checks, ["kind", "subject", "status", "reported", "derived", "explanation", "sources"],
                cells={"status": _status}) + "</section>",
        f"<section id='journal'><h2>Event journal ({len(journal)} events)</h2><div class='scroll'>"
        + table(journal, ["#", "effective", "type", "what", "source"], cls="journal", cells={"what": _what})
        + "</div></section>",
        "</main><footer>Generated by issuance-ledger from its hash-chained log; every figure traces to the "
        "events above and each event to its source.</footer></body></html>",
    ]
    return "\n".join(parts)


def export_html(snapshot: Snapshot, out: str, *, force: bool = False, mode: Mode = "best") -> int:
    text = render(snapshot, mode=mode).encode("utf-8")
    write_file(output_path(out, force=force), text, label=out)
    return len(text)
