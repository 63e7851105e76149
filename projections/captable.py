"""The cap table: per class, outstanding and fully diluted."""

from __future__ import annotations

import datetime as dt
from typing import Any

from projections.dilution import claims_on
from projections.state import State


def captable_rows(state: State, day: dt.date) -> list[dict[str, Any]]:
    rows = []
    for security in state.securities:
        claims = claims_on(state, security, day)
        outstanding = state.outstanding(security)
        row: dict[str, Any] = {
            "security": security,
            "outstanding": outstanding,
            "fully_diluted": outstanding + sum(c.shares for c in claims),
            # Counted in fully_diluted but not exercisable or convertible on the date.
            "not_yet_convertible": sum(c.shares - c.available for c in claims),
        }
        if any(c.at_most for c in claims):
            row["fully_diluted_is_upper_bound"] = True
        report = state.reported_outstanding(security, day)
        if report is not None:
            row["reported_outstanding"] = report.quantity
            row["reported_on"] = report.effective_date.isoformat()
        rows.append(row)
    return rows
