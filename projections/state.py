"""The folded state of one issuer: what the events add up to on a date."""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from events import (
    AgreementExecuted,
    BeneficialOwnershipReported,
    DemandRegistrationRequested,
    Event,
    NoteIssued,
    PartyRegistered,
    SecurityClassCreated,
    SharesOutstandingReported,
    VotingCommitment,
)


@dataclass
class SecurityState:
    created: SecurityClassCreated
    # Splits of the target class multiply the ratio; kept exact as a Fraction.
    conversion_ratio: Fraction | None
    approved_on: dt.date | None = None

    @property
    def security(self) -> str:
        return self.created.security

    @property
    def needs_approval(self) -> bool:
        return self.created.conversion_condition is not None

    def convertible_on(self, day: dt.date) -> bool:
        if self.created.converts_to is None or self.conversion_ratio is None:
            return False
        return not self.needs_approval or (self.approved_on is not None and self.approved_on <= day)


# A tranche condition meaning: the sources do not say when these shares become exercisable.
UNSTATED = "unstated"


@dataclass
class TrancheState:
    quantity: int
    exercisable_from: dt.date | None
    condition: str | None
    met_quantity: int = 0
    met_on: dt.date | None = None

    def exercisable_quantity(self, day: dt.date, issued_on: dt.date) -> int:
        if self.condition == UNSTATED:
            return 0  # counted apart, as WarrantState.unstated
        if self.condition is not None:
            return self.met_quantity if self.met_on is not None and self.met_on <= day else 0
        start = self.exercisable_from or issued_on
        return self.quantity if start <= day else 0


@dataclass
class WarrantState:
    warrant: str
    holder: str
    security: str
    issued_on: dt.date
    quantity: int
    # Exact, so that a split and its reverse give back the same price.
    exercise_price: Fraction | None
    expires: dt.date | None
    tranches: list[TrancheState]
    rounding: str
    number: str | None = None
    exercised: int = 0
    # Cashless exercises whose surrendered quantity Y no document states:
    # each surrendered at least the X it produced, so they bound, not fix, what is left.
    unknown_exercises: int = 0
    unknown_surrendered_at_least: int = 0

    def expired_on(self, day: dt.date) -> bool:
        return self.expires is not None and day >= self.expires

    @property
    def outstanding_known(self) -> bool:
        return self.unknown_exercises == 0

    def outstanding(self, day: dt.date) -> int:
        """Warrant shares left; an upper bound when an exercise's Y is unknown."""
        if self.expired_on(day):
            return 0
        return self.quantity - self.exercised - self.unknown_surrendered_at_least

    @property
    def unstated(self) -> int:
        """Shares in tranches whose exercisability no source states."""
        return sum(t.quantity - t.met_quantity for t in self.tranches if t.condition == UNSTATED)

    def exercisable_known(self, day: dt.date) -> bool:
        return self.outstanding_known and self.unstated == 0

    def exercisable(self, day: dt.date) -> int:
        """Shares exercisable on the date; an upper bound unless exercisable_known."""
        if self.expired_on(day):
            return 0
        became = sum(t.exercisable_quantity(day, self.issued_on) for t in self.tranches)
        return max(0, became + self.unstated - self.exercised - self.unknown_surrendered_at_least)

    def display_price(self) -> Decimal | None:
        if self.exercise_price is None:
            return None
        return round_money(self.exercise_price)


def round_money(value: Fraction) -> Decimal:
    """Prices after a split are shown to the cent, half up; the exact value is kept."""
    cents = (2 * value.numerator * 100 + value.denominator) // (2 * value.denominator)
    return Decimal(cents).scaleb(-2)


@dataclass
class AgreementState:
    executed: AgreementExecuted
    parties: list[str]
    roles: dict[str, str]
    terms: dict[str, Any]
    amendments: list[Event] = field(default_factory=list)
    joinders: list[Event] = field(default_factory=list)


@dataclass
class State:
    """Everything the fold knows on its date. Mutated only inside the fold."""

    issuer: str | None = None
    day: dt.date | None = None
    parties: dict[str, PartyRegistered] = field(default_factory=dict)
    groups: dict[str, tuple[str, ...]] = field(default_factory=dict)
    group_names: dict[str, str] = field(default_factory=dict)
    # controlled -> list of (controller, relation, event)
    controllers: dict[str, list[tuple[str, str, Event]]] = field(default_factory=dict)
    securities: dict[str, SecurityState] = field(default_factory=dict)
    shares: dict[tuple[str, str], int] = field(default_factory=dict)
    warrants: dict[str, WarrantState] = field(default_factory=dict)
    notes: dict[str, NoteIssued] = field(default_factory=dict)
    agreements: dict[str, AgreementState] = field(default_factory=dict)
    commitments: list[VotingCommitment] = field(default_factory=list)
    demands: list[DemandRegistrationRequested] = field(default_factory=list)
    board_size: int | None = None
    board_deadline: dt.date | None = None
    nominations: list[Event] = field(default_factory=list)
    directors: list[Event] = field(default_factory=list)
    outstanding_reports: list[SharesOutstandingReported] = field(default_factory=list)
    ownership_reports: list[BeneficialOwnershipReported] = field(default_factory=list)
    # (holder, security) -> what the document says, for positions it gives no number for
    undisclosed: dict[tuple[str, str], str] = field(default_factory=dict)
    statements: list[Event] = field(default_factory=list)
    # Every control relation ever recorded, conflicting ones included, for reconciliation.
    control_records: list[Event] = field(default_factory=list)
    applied: int = 0

    def copy(self) -> State:
        return copy.deepcopy(self)

    def holders(self) -> set[str]:
        return set(self.parties) | set(self.groups)

    def known(self, slug: str) -> bool:
        return slug in self.parties or slug in self.groups

    def outstanding(self, security: str) -> int:
        return sum(q for (_, s), q in self.shares.items() if s == security)

    def held(self, holder: str, security: str) -> int:
        return self.shares.get((holder, security), 0)

    def members(self, holder: str) -> tuple[str, ...]:
        return self.groups.get(holder, ())

    def control_children(self) -> dict[str, list[str]]:
        """controller -> the parties it controls directly."""
        children: dict[str, list[str]] = {}
        for controlled, entries in self.controllers.items():
            for c, _, _ in entries:
                children.setdefault(c, []).append(controlled)
        return children

    def controlled_by(self, controller: str, children: dict[str, list[str]] | None = None) -> set[str]:
        """Every party the controller controls, at any depth (pass `children` when asking often)."""
        children = children if children is not None else self.control_children()
        out: set[str] = set()
        todo = list(children.get(controller, []))
        while todo:
            p = todo.pop()
            if p not in out:
                out.add(p)
                todo.extend(children.get(p, []))
        return out

    def reported_outstanding(self, security: str, day: dt.date) -> SharesOutstandingReported | None:
        reports = [r for r in self.outstanding_reports if r.security == security and r.effective_date <= day]
        return max(reports, key=lambda r: r.effective_date) if reports else None
