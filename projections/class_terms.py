"""What the cap table, voting and the denominators read of a class on a date, besides its holdings.

A class's terms on a date are plain data: how it converts and whether it can that day, its
votes per share, which holdings of it no source gives a number for, and the counts reported
of it so far. With the holdings rows they are all the cap table and voting need, so that
the same functions answer from a folded state and from the validity intervals, where the
terms are kept as intervals of their own (ledger.history.intervals). Nothing here imports
the event models: a reader of the intervals does not load them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from projections.state import SecurityState, State


@dataclass(frozen=True)
class Report:
    """A count of the class reported outstanding (SharesOutstandingReported)."""

    effective_date: dt.date
    quantity: int
    document: str


@dataclass(frozen=True)
class ClassTerms:
    security: str
    order: int  # its place among the issuer's classes: the order they were created in
    kind: str
    converts_to: str | None
    ratio: Fraction | None  # shares of `converts_to` per share, exact
    convertible: bool  # on the date: a ratio, and any condition on conversion met
    votes: Fraction  # per share on the date
    stated: bool  # whether the votes per share are known (see `stated`)
    undisclosed: dict[str, str]  # holder -> what the document says, for holdings no source gives a number for
    reports: tuple[Report, ...]  # reported on or before the date, in the order recorded

    def latest_report(self) -> Report | None:
        """The count reported last on or before the date (the first recorded of that date)."""
        return max(self.reports, key=lambda r: r.effective_date) if self.reports else None

    def data(self) -> dict[str, Any]:
        """As JSON-able data; `read` takes it back."""
        return {
            "security": self.security, "order": self.order, "kind": self.kind, "converts_to": self.converts_to,
            "ratio": None if self.ratio is None else [self.ratio.numerator, self.ratio.denominator],
            "convertible": self.convertible, "votes": [self.votes.numerator, self.votes.denominator],
            "stated": self.stated, "undisclosed": self.undisclosed,
            "reports": [[r.effective_date.isoformat(), r.quantity, r.document] for r in self.reports],
        }

    @classmethod
    def read(cls, data: dict[str, Any]) -> ClassTerms:
        ratio = data["ratio"]
        return cls(data["security"], data["order"], data["kind"], data["converts_to"],
                   None if ratio is None else Fraction(*ratio), data["convertible"], Fraction(*data["votes"]),
                   data["stated"], data["undisclosed"],
                   tuple(Report(dt.date.fromisoformat(d), q, doc) for d, q, doc in data["reports"]))


def votes_per_share(state: State, sec: SecurityState, day: dt.date) -> Fraction:
    if sec.created.as_converted_voting:
        if not sec.convertible_on(day) or sec.created.converts_to is None:
            return Fraction(0)  # its votes await the conversion condition
        target = state.securities[sec.created.converts_to]
        return sec.conversion_ratio * Fraction(target.created.votes)
    return Fraction(sec.created.votes)


def stated(sec: SecurityState) -> bool:
    """Whether a class's votes per share are known: stated, as converted, or a common class's
    one vote per share (the corporate-law default). A preferred class's are not assumed."""
    created = sec.created
    return created.votes_per_share is not None or bool(created.as_converted_voting) or created.kind == "common"


def class_terms(state: State, day: dt.date) -> dict[str, ClassTerms]:
    """Every class's terms on the date, in the order the classes were created."""
    undisclosed: dict[str, dict[str, str]] = {}
    for (holder, security), said in sorted(state.undisclosed.items()):
        undisclosed.setdefault(security, {})[holder] = said
    reports: dict[str, list[Report]] = {}
    for r in state.outstanding_reports:
        if r.effective_date <= day:
            reports.setdefault(r.security, []).append(Report(r.effective_date, r.quantity, r.source.document))
    out = {}
    for order, (security, sec) in enumerate(state.securities.items()):
        created = sec.created
        out[security] = ClassTerms(security, order, created.kind, created.converts_to, sec.conversion_ratio,
                                   sec.convertible_on(day), votes_per_share(state, sec, day), stated(sec),
                                   undisclosed.get(security, {}), tuple(reports.get(security, ())))
    return out



def unknown_class(security: str) -> ClassTerms:
    """The terms of a class the issuer has not created (nothing is reported of one either)."""
    return ClassTerms(security, -1, "", None, None, False, Fraction(0), False, {}, ())
