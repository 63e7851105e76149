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


@dataclass(frozen=True)
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


def _last_day(w: WarrantState, by: dt.date) -> dt.date:
    return by if w.expires is None else min(by, w.expires - dt.timedelta(days=1))


def _warrant_available(w: WarrantState, day: dt.date, by: dt.date) -> int:
    if w.expired_on(day):
        return 0
    return w.exercisable(_last_day(w, by))


def _warrant_available_at_least(w: WarrantState, day: dt.date, by: dt.date) -> int:
    if w.expired_on(day):
        return 0
    return w.exercisable_at_least(_last_day(w, by))


def warrant_claims(warrants: Iterable[WarrantState], terms: dict[str, ClassTerms], target: str, day: dt.date,
                   by: dt.date) -> list[Claim]:
    """Unexpired warrants on `target`, or on a class that converts into it (by the classes' terms
    on `day`), with what of each can be had by `by`."""
    out: list[Claim] = []
    for w in warrants:
        if w.expired_on(day):
            continue
        outstanding = w.outstanding(day)
        if w.security == target:
            if outstanding > 0 or not w.outstanding_known:
                out.append(Claim(w.holder, w.warrant, target, outstanding, _warrant_available(w, day, by),
                                 at_most=not w.exercisable_known(day), shares_at_least=w.outstanding_at_least(day),
                                 available_at_least=_warrant_available_at_least(w, day, by)))
            continue
        t = terms.get(w.security)
        if t is None or t.converts_to != target or t.ratio is None:
            continue
        n, d = t.ratio.numerator, t.ratio.denominator
        available = _warrant_available(w, day, by) if t.convertible else 0
        at_least = _warrant_available_at_least(w, day, by) if t.convertible else 0
        out.append(Claim(w.holder, w.warrant, target, outstanding * n // d, available * n // d,
                         at_most=not w.exercisable_known(day), shares_at_least=w.outstanding_at_least(day) * n // d,
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
