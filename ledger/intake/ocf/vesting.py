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

import datetime as dt
from fractions import Fraction
from typing import Any

from projections.vesting import UNSTATED, Piece, add_months, tranches_from_pieces

__all__ = ["UNSTATED", "pieces_from_terms", "tranches_from_pieces", "tranches_from_vestings"]


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


def tranches_from_vestings(vestings: list[dict[str, Any]], total: int) -> list[dict[str, Any]]:
    pieces = [Piece(Fraction(str(v["amount"])), dt.date.fromisoformat(v["date"]), None) for v in vestings]
    return tranches_from_pieces(pieces, total, "CUMULATIVE_ROUND_DOWN")
