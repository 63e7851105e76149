"""The whole a percent is taken over: a class's shares outstanding, as best the ledger knows it.

The rule (docs/design.md, "Denominators"):
- the count the ledger derives (every issuance, transfer, conversion and split it records)
  where that count is complete: no holding of the class is open (`UndisclosedHolding`), and
  no count reported on or before the date (`SharesOutstandingReported`) exceeds it;
- otherwise the latest count reported on or before the date;
- otherwise none: the percent is null, with the reason.
`derived` or `reported` forces one; a forced reported count that does not exist is none.
Never a percent over a total the ledger knows to be incomplete.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from projections.class_terms import ClassTerms, class_terms, unknown_class

if TYPE_CHECKING:
    from projections.state import State

Mode = Literal["best", "derived", "reported"]


@dataclass(frozen=True)
class Denominator:
    derived: int  # the count the ledger derives, whichever whole is taken
    shares: int | None  # None: no whole to take a percent over
    source: str  # "derived" or "reported"; "none" when shares is None
    document: str | None = None  # the report's document
    reported_on: dt.date | None = None  # the report's date
    reason: str | None = None  # why not derived (or, with shares None, why none)

    def fields(self) -> dict[str, Any]:
        """What each row with a percent over it says of it."""
        out: dict[str, Any] = {"denominator": self.shares, "denominator_source": self.source}
        if self.source == "reported":
            out["denominator_document"] = self.document
            out["denominator_date"] = self.reported_on.isoformat() if self.reported_on else None
        if self.reason:
            out["denominator_note"] = self.reason
        return out


def incomplete_because(terms: ClassTerms, day: dt.date, derived: int) -> str | None:
    """Why the derived count of a class is known to fall short, or None."""
    open_holders = sorted(terms.undisclosed)
    security = terms.security
    if open_holders:
        return f"{', '.join(open_holders)} hold{'s' if len(open_holders) == 1 else ''} {security} in a number no source gives"
    larger = [r for r in terms.reports if r.effective_date <= day and r.quantity > derived]
    if larger:
        r = max(larger, key=lambda r: r.effective_date)
        return (f"{r.quantity:,} {security} reported outstanding as of {r.effective_date} "
                f"({r.document}) exceed the {derived:,} whose holders the ledger records")
    return None


def denominator_of(terms: ClassTerms, derived: int, day: dt.date, mode: Mode = "best") -> Denominator:
    """The whole of a class with these terms whose holdings the ledger counts `derived` shares of."""
    if mode == "derived":
        return Denominator(derived, derived, "derived")
    shortfall = incomplete_because(terms, day, derived) if mode == "best" else None
    if mode == "best" and shortfall is None:
        return Denominator(derived, derived, "derived")
    report = terms.latest_report()
    if report is not None:
        return Denominator(derived, report.quantity, "reported", report.document, report.effective_date, shortfall)
    why = f"no SharesOutstandingReported for {terms.security} on or before {day}"
    return Denominator(derived, None, "none", reason=f"{shortfall}; {why}" if shortfall else why)


def denominator(state: State, security: str, day: dt.date, mode: Mode = "best") -> Denominator:
    terms = class_terms(state, day).get(security) or unknown_class(security)
    return denominator_of(terms, state.outstanding(security), day, mode)
