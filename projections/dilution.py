"""Claims on a class: shares that warrants, convertible preferred and notes could become.

Rule 13d-3 ownership counts the claims acquirable within 60 days, from the folded state;
the cap table takes its claims from the holdings rows (projections.captable).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from operator import attrgetter
from fractions import Fraction
from typing import TYPE_CHECKING, NamedTuple

from projections.rounding import round_quantity

if TYPE_CHECKING:
    from projections.state import State, WarrantState


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


def warrant_claims(state: State, target: str, day: dt.date, by: dt.date) -> list[Claim]:
    """Unexpired warrants on `target`, or on a class that converts into it."""
    out: list[Claim] = []
    for w in state.warrants.values():
        if w.expired_on(day):
            continue
        outstanding = w.outstanding(day)
        if w.security == target:
            if outstanding > 0 or not w.outstanding_known:
                out.append(Claim(w.holder, w.warrant, target, outstanding, _warrant_available(w, day, by),
                                 at_most=not w.exercisable_known(day), shares_at_least=w.outstanding_at_least(day),
                                 available_at_least=_warrant_available_at_least(w, day, by)))
            continue
        sec = state.securities.get(w.security)
        if sec is None or sec.created.converts_to != target or sec.conversion_ratio is None:
            continue
        ratio = sec.conversion_ratio
        available = _warrant_available(w, day, by) if sec.convertible_on(day) else 0
        at_least = _warrant_available_at_least(w, day, by) if sec.convertible_on(day) else 0
        out.append(Claim(w.holder, w.warrant, target, round_quantity(outstanding * ratio),
                         round_quantity(available * ratio), at_most=not w.exercisable_known(day),
                         shares_at_least=round_quantity(w.outstanding_at_least(day) * ratio),
                         available_at_least=round_quantity(at_least * ratio)))
    return out


class Terms(NamedTuple):
    """How a holding of one class converts into the target on a day (rounding down: q * n // d)."""

    numerator: int
    denominator: int
    convertible: bool


def conversion_terms(state: State, target: str, day: dt.date) -> dict[str, Terms | None]:
    """Per class, its terms of conversion into `target`, or None if it does not convert into it.

    Per class once, not per holding: thousands of holdings share a few classes, and a
    claim per holding is the slowest part of ownership at 10^6 events.
    """
    into: dict[str, Terms | None] = {}
    for security, sec in state.securities.items():
        ratio = sec.conversion_ratio
        into[security] = (None if sec.created.converts_to != target or ratio is None else
                          Terms(ratio.numerator, ratio.denominator, sec.convertible_on(day)))
    return into


def note_claims(state: State, target: str) -> list[Claim]:
    out = []
    for note in state.notes.values():
        if note.converts_to != target or note.conversion_price is None:
            continue
        shares = round_quantity(Fraction(note.principal) / Fraction(note.conversion_price))
        out.append(Claim(note.holder, note.note, target, shares, shares))
    return out
