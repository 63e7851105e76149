"""Claims on a class: shares that warrants, convertible preferred and notes could become.

Rule 13d-3 ownership counts what warrants can become within 60 days (their tranche
schedules) and what notes can become; the cap table takes its claims from the holdings
rows (projections.captable). Warrants through a class that converts are counted by the
classes' terms (projections.class_terms).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from operator import attrgetter
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from projections.class_terms import ClassTerms
    from projections.warrants import WarrantState


# A plain record (not frozen): thousands are made per ownership answer, and nothing changes one.
@dataclass(slots=True)
class Claim:
    holder: str
    instrument: str
    target: str
    shares: int
    # Shares that could be had by `by` (exercisable, or convertible with conditions met).
    available: int
    # True when `shares` is an upper bound (an exercise whose surrendered quantity no document states).
    at_most: bool = False
    # With at_most, what is certain of `shares` and of `available` (lower bounds).
    shares_at_least: int = 0
    available_at_least: int = 0


BY_HOLDER = attrgetter("holder", "instrument")


# Rule 13d-3: what can be acquired within 60 days counts as owned.
WINDOW = dt.timedelta(days=60)


# Not frozen, as Claim: one per live warrant per ownership answer, and nothing changes one.
@dataclass(slots=True)
class Exercisable:
    """What a live warrant can become of its own class, seen from a day: its shares left, and
    what of them can be had within the window (by the day before it expires, if sooner), each
    with what is certain of it where an exercise or a tranche leaves it open. The same on every
    day until an event acts on the warrant, it expires, or one of its tranches comes within the
    window (`window_dates`): the intervals keep it as a row valid between those days."""

    holder: str
    warrant: str
    security: str
    outstanding: int
    outstanding_known: bool
    outstanding_at_least: int
    available: int
    available_at_least: int
    exercisable_known: bool

    def data(self) -> list[Any]:
        return [self.holder, self.warrant, self.security, self.outstanding, self.outstanding_known,
                self.outstanding_at_least, self.available, self.available_at_least, self.exercisable_known]

    @classmethod
    def read(cls, data: list[Any]) -> Exercisable:
        return cls(*data)


def exercisable_within(w: WarrantState, day: dt.date) -> Exercisable:
    """A warrant unexpired on `day`, as Exercisable."""
    last = day + WINDOW if w.expires is None else min(day + WINDOW, w.expires - dt.timedelta(days=1))
    return Exercisable(w.holder, w.warrant, w.security, w.outstanding(day), w.outstanding_known,
                       w.outstanding_at_least(day), w.exercisable(last), w.exercisable_at_least(last),
                       w.exercisable_known(day))


def window_dates(w: WarrantState) -> set[dt.date]:
    """The days on which a tranche of the warrant comes within the window, as no event says."""
    return {t.exercisable_from - WINDOW for t in w.tranches if t.exercisable_from is not None}


def warrant_claims(warrants: Iterable[Exercisable], terms: dict[str, ClassTerms], target: str) -> list[Claim]:
    """Unexpired warrants on `target`, or on a class that converts into it (by the classes' terms
    on the day), with what of each can be had within the window."""
    out: list[Claim] = []
    for w in warrants:
        if w.security == target:
            if w.outstanding > 0 or not w.outstanding_known:
                out.append(Claim(w.holder, w.warrant, target, w.outstanding, w.available,
                                 at_most=not w.exercisable_known, shares_at_least=w.outstanding_at_least,
                                 available_at_least=w.available_at_least))
            continue
        t = terms.get(w.security)
        if t is None or t.converts_to != target or t.ratio is None:
            continue
        n, d = t.ratio.numerator, t.ratio.denominator
        available = w.available if t.convertible else 0
        at_least = w.available_at_least if t.convertible else 0
        out.append(Claim(w.holder, w.warrant, target, w.outstanding * n // d, available * n // d,
                         at_most=not w.exercisable_known, shares_at_least=w.outstanding_at_least * n // d,
                         available_at_least=at_least * n // d))
    return out


def note_claim(row: dict[str, Any]) -> Claim | None:
    """What a note's holdings row could become of the class it converts into; None if nothing
    says at what price."""
    target, price = row["underlying"], row.get("conversion_price")
    if target is None or price is None:
        return None
    shares = Fraction(row["principal"]) / Fraction(row.get("conversion_price_exact") or price)
    whole = shares.numerator // shares.denominator
    return Claim(row["party"], row["security"], target, whole, whole)
