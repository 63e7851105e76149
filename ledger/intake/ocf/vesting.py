"""OCF vesting (a `vestings` list or VESTING_TERMS) as the ledger's warrant tranches.

Dated conditions (start, absolute, relative in months or days) become
tranches exercisable from a date; VESTING_EVENT conditions, and anything
scheduled after one, become tranches awaiting a condition. Fractions are
allocated over the whole schedule in date order: CUMULATIVE_ROUNDING rounds
each cumulative amount half up, every other allocation type rounds it down
(CUMULATIVE_ROUND_DOWN); each tranche is the difference. A schedule that
does not add up to the security's quantity leaves the rest in a tranche
with the condition "unstated".
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

UNSTATED = "unstated"


@dataclass
class Piece:
    amount: Fraction
    date: dt.date | None
    condition: str | None


def add_months(day: dt.date, months: int, day_of_month: str | None, start_day: int) -> dt.date:
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    last = calendar.monthrange(year, month)[1]
    wanted = start_day
    if day_of_month and day_of_month[:2].isdigit():
        wanted = int(day_of_month[:2])
    return dt.date(year, month, min(wanted, last))


def _amount(cond: dict[str, Any], total: int) -> Fraction:
    if "quantity" in cond:
        return Fraction(str(cond["quantity"]))
    portion = cond.get("portion") or {}
    share = Fraction(str(portion.get("numerator", "0"))) / Fraction(str(portion.get("denominator", "1")))
    return share * total


def pieces_from_terms(terms: dict[str, Any], total: int, start: dt.date) -> tuple[list[Piece], list[str]]:
    """The schedule's pieces in date order, and notes on anything inferred."""
    conditions = {c.get("id"): c for c in terms.get("vesting_conditions", []) if isinstance(c, dict)}
    predecessor = {n: cid for cid, c in conditions.items() for n in c.get("next_condition_ids", [])}
    notes: list[str] = []
    when: dict[str, dt.date | None] = {}
    pieces: list[Piece] = []
    order = [cid for cid, c in conditions.items() if (c.get("trigger") or {}).get("type") == "VESTING_START_DATE"]
    order = order or list(conditions)[:1]
    seen: set[str] = set()
    while order:
        cid = order.pop(0)
        if cid in seen or cid not in conditions:
            continue
        seen.add(cid)
        c = conditions[cid]
        trigger = c.get("trigger") or {}
        kind = trigger.get("type")
        amount = _amount(c, total)
        if kind == "VESTING_START_DATE":
            when[cid] = start
            if amount:
                pieces.append(Piece(amount, start, None))
        elif kind == "VESTING_SCHEDULE_ABSOLUTE":
            when[cid] = dt.date.fromisoformat(trigger["date"])
            pieces.append(Piece(amount, when[cid], None))
        elif kind == "VESTING_SCHEDULE_RELATIVE":
            ref = trigger.get("relative_to_condition_id")
            if ref not in conditions and cid in predecessor:
                notes.append(f"vesting condition {cid} is relative to '{ref}', which the terms do not define; "
                             f"taken as relative to its predecessor {predecessor[cid]}")
                ref = predecessor[cid]
            base = when.get(ref)
            period = trigger.get("period") or {}
            occurrences = int(period.get("occurrences", 1))
            if base is None:
                when[cid] = None
                pieces.append(Piece(amount * occurrences, None, f"after {ref}"))
            else:
                length = int(period.get("length", 0))
                for k in range(1, occurrences + 1):
                    if period.get("type") == "DAYS":
                        day = base + dt.timedelta(days=length * k)
                    else:
                        day = add_months(base, length * k, period.get("day_of_month"), start.day)
                    pieces.append(Piece(amount, day, None))
                when[cid] = day
        else:  # VESTING_EVENT: met when a TX_VESTING_EVENT names it
            when[cid] = None
            pieces.append(Piece(amount, None, c.get("description") or cid))
        order.extend(c.get("next_condition_ids", []))
    return pieces, notes


def tranches_from_pieces(pieces: list[Piece], total: int, allocation: str) -> list[dict[str, Any]]:
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


def tranches_from_vestings(vestings: list[dict[str, Any]], total: int) -> list[dict[str, Any]]:
    pieces = [Piece(Fraction(str(v["amount"])), dt.date.fromisoformat(v["date"]), None) for v in vestings]
    return tranches_from_pieces(pieces, total, "CUMULATIVE_ROUND_DOWN")
