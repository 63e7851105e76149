"""Vesting schedules as dated pieces, allocated over a grant's shares in whole-share tranches.

Pure: dates and fractions in, (quantity, date or condition) out. The fold expands a grant's
schedule with it; the OCF reader (ledger.intake.ocf.vesting) turns OCF's vesting conditions
into pieces first.

Allocation follows OCF's allocation types: CUMULATIVE_ROUNDING rounds each cumulative amount
half up, every other type rounds it down (CUMULATIVE_ROUND_DOWN), and each tranche is the
difference, so the tranches always add up to the grant and no share vests early.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from projections.warrants import UNSTATED


@dataclass
class Piece:
    amount: Fraction
    date: dt.date | None
    condition: str | None


def add_months(day: dt.date, months: int, day_of_month: str | None = None, start_day: int | None = None) -> dt.date:
    """`months` after `day`, on the day of month asked for (the start's by default), or the
    month's last day where the month is shorter: Jan 31 + 1 month is Feb 28 or 29."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    last = calendar.monthrange(year, month)[1]
    wanted = start_day if start_day is not None else day.day
    if day_of_month and day_of_month[:2].isdigit():
        wanted = int(day_of_month[:2])
    return dt.date(year, month, min(wanted, last))


def schedule_pieces(start: dt.date, months: int, every: int, cliff: int, total: int) -> list[Piece]:
    """A time-based schedule of `total` shares: 1/(months/every) of them every `every` months
    from `start`, what falls before the cliff vesting on it."""
    periods = months // every
    pieces: list[Piece] = []
    held = Fraction(0)
    for k in range(1, periods + 1):
        elapsed = k * every
        share = Fraction(total, periods)
        if elapsed < cliff:
            held += share
            continue
        if held and elapsed > cliff:
            # A cliff between two period ends vests on its own date what the periods before it earned.
            pieces.append(Piece(held, add_months(start, cliff), None))
            held = Fraction(0)
        pieces.append(Piece(share + held, add_months(start, elapsed), None))
        held = Fraction(0)
    return pieces


def tranches_from_pieces(pieces: list[Piece], total: int, allocation: str = "CUMULATIVE_ROUND_DOWN") -> list[dict[str, Any]]:
    """Whole-share tranches, dated ones in date order then those awaiting a condition; a
    schedule that allocates less than `total` leaves the rest in an "unstated" tranche."""
    dated = sorted((p for p in pieces if p.date is not None), key=lambda p: p.date)
    conditional = [p for p in pieces if p.date is None]
    out: list[dict[str, Any]] = []
    cum, given = Fraction(0), 0
    for p in dated + conditional:
        cum += p.amount
        target = int(cum + Fraction(1, 2)) if allocation == "CUMULATIVE_ROUNDING" else int(cum)
        target = min(target, total)
        q = target - given
        given = target
        if q <= 0:
            continue
        if p.date is not None and out and out[-1].get("exercisable_from") == p.date.isoformat():
            out[-1]["quantity"] += q
            continue
        t: dict[str, Any] = {"quantity": q}
        if p.date is not None:
            t["exercisable_from"] = p.date.isoformat()
        else:
            t["condition"] = p.condition
        out.append(t)
    if given < total:
        out.append({"quantity": total - given, "condition": UNSTATED})
    return out
