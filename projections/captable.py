"""The cap table: per class, outstanding and fully diluted.

A class some holding of which the sources give no number for has its counts open:
`outstanding` (and `fully_diluted`) null, with `_at_least` and what is `missing`.
A warrant known only by the most it covers leaves `fully_diluted` open the same way,
between what is certain (`_at_least`) and the sum with every such warrant whole (`_at_most`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from projections.dilution import converted_holdings, note_claims, warrant_claims
from projections.state import State


def captable_rows(state: State, day: dt.date) -> list[dict[str, Any]]:
    rows = []
    # Holdings that convert are summed for all classes in one pass: per class, it was a
    # pass and a claim object per holding (0.7 s at 10^6 events).
    converted = converted_holdings(state, day)
    for security in state.securities:
        claims = warrant_claims(state, security, day, day) + note_claims(state, security)
        from_holdings, waiting = converted.get(security, (0, 0))
        outstanding = state.outstanding(security)
        row: dict[str, Any] = {
            "security": security,
            "outstanding": outstanding,
            "fully_diluted": outstanding + from_holdings + sum(c.shares for c in claims),
            # Counted in fully_diluted but not exercisable or convertible on the date.
            "not_yet_convertible": waiting + sum(c.shares - c.available for c in claims),
        }
        uncertain = [c for c in claims if c.at_most]
        if uncertain:
            # Counted but not yet exercisable: shares less those available, each known only
            # between bounds; the least with the fewest shares and the most available.
            exact = waiting + sum(c.shares - c.available for c in claims if not c.at_most)
            low = exact + sum(max(0, c.shares_at_least - c.available) for c in uncertain)
            high = exact + sum(c.shares - c.available_at_least for c in uncertain)
            if low != high:
                row["not_yet_convertible"] = None
                row["not_yet_convertible_at_least"], row["not_yet_convertible_at_most"] = low, high
        bounded = [c for c in claims if c.at_most and c.shares > c.shares_at_least]
        if bounded:
            row["fully_diluted_at_most"] = row["fully_diluted"]
            row["fully_diluted_at_least"] = row["fully_diluted"] - sum(c.shares - c.shares_at_least for c in bounded)
            row["fully_diluted"] = None
            row["complete"] = False
            row["missing"] = [f"{c.instrument}: its shares are known only to lie between {c.shares_at_least:,} "
                              f"and {c.shares:,}" for c in bounded]
        # A holding the sources give no number for leaves the class's count open (and its
        # fully diluted figure, with any class converting into it): null, never the sum without it.
        converting = {s for s, sec in state.securities.items() if sec.created.converts_to == security}
        open_held = sorted((h, s) for (h, s) in state.undisclosed if s == security)
        open_into = sorted((h, s) for (h, s) in state.undisclosed if s in converting)
        if open_held:
            row["outstanding_at_least"], row["outstanding"] = outstanding, None
        if open_held or open_into:
            # At least: what is certain, a claim known only by its upper bound counting nothing.
            row["fully_diluted_at_least"] = outstanding + from_holdings + sum(
                c.shares_at_least if c.at_most else c.shares for c in claims)
            row["fully_diluted"] = None
            row.pop("fully_diluted_at_most", None)  # an open holding has no upper bound
            if open_into and row["not_yet_convertible"] is None:
                row.pop("not_yet_convertible_at_most", None)
            row["complete"] = False
            row["missing"] = [f"{h}'s {s} holding: {state.undisclosed[(h, s)]}"
                              for h, s in open_held + open_into] + row.get("missing", [])
        report = state.reported_outstanding(security, day)
        if report is not None:
            row["reported_outstanding"] = report.quantity
            row["reported_on"] = report.effective_date.isoformat()
        rows.append(row)
    return rows
