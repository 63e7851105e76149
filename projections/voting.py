"""Voting power: votes per holder and their share of all votes.

Common votes per share; preferred votes as converted when its class says so,
and only once any condition on conversion is met; warrants never vote.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from typing import Any

from projections.rounding import round_quantity
from projections.state import SecurityState, State


def votes_per_share(state: State, sec: SecurityState, day: dt.date) -> Fraction:
    if sec.created.as_converted_voting:
        if not sec.convertible_on(day) or sec.created.converts_to is None:
            return Fraction(0)  # its votes await the conversion condition
        target = state.securities[sec.created.converts_to]
        return sec.conversion_ratio * Fraction(target.created.votes)
    return Fraction(sec.created.votes)


def votes_by_holder(state: State, day: dt.date, *, classes: set[str] | None = None) -> dict[str, int]:
    # Votes per share once per class, as integers: rounding down, q * n // d is what
    # round_quantity gives, without a Fraction per holding (16% of verify at 10^5 events).
    per_share: dict[str, tuple[int, int]] = {}
    for security, sec in state.securities.items():
        if classes is None or security in classes:
            ratio = votes_per_share(state, sec, day)
            per_share[security] = (ratio.numerator, ratio.denominator)
    out: dict[str, int] = {}
    for (holder, security), quantity in state.shares.items():
        if classes is not None and security not in classes:
            continue
        numerator, denominator = per_share[security]
        votes = quantity * numerator // denominator
        if votes:
            out[holder] = out.get(holder, 0) + votes
    return out


def total_votes(state: State, day: dt.date, *, reported: bool = False,
                classes: set[str] | None = None) -> tuple[int, list[str]]:
    """All votes outstanding; with `reported`, each class counted as last reported where it was.

    Returns the total and the classes whose reported count was used.
    """
    total, used = 0, []
    for security, sec in state.securities.items():
        if classes is not None and security not in classes:
            continue
        count = state.outstanding(security)
        if reported:
            report = state.reported_outstanding(security, day)
            if report is not None:
                count = report.quantity
                used.append(security)
        total += round_quantity(count * votes_per_share(state, sec, day))
    return total, used


def percent(part: int, whole: int) -> float | None:
    if whole <= 0:
        return None
    return float(round(Decimal(part) * 100 / Decimal(whole), 6))


def voting_rows(state: State, day: dt.date, *, reported: bool = False) -> list[dict[str, Any]]:
    votes = votes_by_holder(state, day)
    total, used = total_votes(state, day, reported=reported)
    unreported = sorted(s for s, sec in state.securities.items()
                        if votes_per_share(state, sec, day) and s not in used) if reported else []
    rows = []
    for holder, v in sorted(votes.items(), key=lambda kv: (-kv[1], kv[0])):
        row: dict[str, Any] = {"party": holder, "votes": v, "percent": percent(v, total)}
        if unreported:
            # Asked to divide as filers do, but no count was reported yet: no percent.
            row["percent"] = None
            row["complete"] = False
            row["missing"] = [f"no SharesOutstandingReported for {s} on or before {day}" for s in unreported]
        rows.append(row)
    return rows
