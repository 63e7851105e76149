"""The cap table: per class, outstanding and fully diluted."""

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
        if any(c.at_most for c in claims):
            row["fully_diluted_is_upper_bound"] = True
        report = state.reported_outstanding(security, day)
        if report is not None:
            row["reported_outstanding"] = report.quantity
            row["reported_on"] = report.effective_date.isoformat()
        rows.append(row)
    return rows
