"""Claims on a class: shares that warrants, convertible preferred and notes could become.

Shared by the cap table (fully diluted) and Rule 13d-3 ownership (acquirable
within 60 days), which differ only in which claims they count.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from operator import attrgetter
from fractions import Fraction

from projections.rounding import round_quantity
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
    note: str = ""


BY_HOLDER = attrgetter("holder", "instrument")


def _warrant_available(w: WarrantState, day: dt.date, by: dt.date) -> int:
    if w.expired_on(day):
        return 0
    last = by if w.expires is None else min(by, w.expires - dt.timedelta(days=1))
    return w.exercisable(last)


def claims_on(state: State, target: str, day: dt.date, by: dt.date | None = None, *,
              ordered: bool = True) -> list[Claim]:
    """Every unexpired claim on `target` on `day`; `available` counts what can be had by `by`.

    By holder and instrument, unless `ordered` is False (for callers that only add them up).
    """
    by = by or day
    out: list[Claim] = []
    for w in state.warrants.values():
        if w.expired_on(day):
            continue
        outstanding = w.outstanding(day)
        if w.security == target:
            if outstanding > 0 or not w.outstanding_known:
                out.append(Claim(w.holder, w.warrant, target, outstanding, _warrant_available(w, day, by),
                                 at_most=not w.exercisable_known(day)))
            continue
        sec = state.securities.get(w.security)
        if sec is None or sec.created.converts_to != target or sec.conversion_ratio is None:
            continue
        ratio = sec.conversion_ratio
        available = _warrant_available(w, day, by) if sec.convertible_on(day) else 0
        out.append(Claim(w.holder, w.warrant, target, round_quantity(outstanding * ratio),
                         round_quantity(available * ratio), at_most=not w.exercisable_known(day),
                         note=_awaiting(sec, day)))
    # Per class once, not per holding: the ratio as integers (rounding down is q * n // d),
    # whether it converts by now, and the note; thousands of holdings share a few classes.
    into: dict[str, tuple[int, int, bool, str] | None] = {}
    for security, sec in state.securities.items():
        ratio = sec.conversion_ratio
        into[security] = (None if sec.created.converts_to != target or ratio is None else
                          (ratio.numerator, ratio.denominator, sec.convertible_on(day), _awaiting(sec, day)))
    for (holder, security), quantity in state.shares.items():
        terms = into[security]
        if terms is None:
            continue
        numerator, denominator, convertible, note = terms
        shares = quantity * numerator // denominator
        out.append(Claim(holder, security, target, shares, shares if convertible else 0, note=note))
    for note in state.notes.values():
        if note.converts_to != target or note.conversion_price is None:
            continue
        shares = round_quantity(Fraction(note.principal) / Fraction(note.conversion_price))
        out.append(Claim(note.holder, note.note, target, shares, shares))
    return sorted(out, key=BY_HOLDER) if ordered else out


def _awaiting(sec, day: dt.date) -> str:
    if sec.needs_approval and not sec.convertible_on(day):
        return f"converts upon {sec.created.conversion_condition}, not recorded by {day}"
    return ""
