"""Voting power: votes per holder, their share of each class's votes and of all votes.

Common votes per share; preferred votes as converted when its class says so,
and only once any condition on conversion is met; warrants never vote. A class
whose votes per share no source states (a preferred class without
`votes_per_share` or `as_converted_voting`) leaves its holders' votes, and the
total of all votes, open: null, never zero.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from projections.class_terms import ClassTerms, class_terms, votes_per_share
from projections.denominators import Denominator, Mode, denominator_of
from projections.rounding import round_quantity

if TYPE_CHECKING:
    from projections.state import State


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


@dataclass(frozen=True)
class ClassVotes:
    security: str
    per_share: Fraction
    denominator: Denominator
    total: int | None  # all votes of the class; None when its count or its votes are open
    open: str | None  # why the class's total is not known


def class_votes_from(terms: dict[str, ClassTerms], outstanding: dict[str, int], day: dt.date,
                     mode: Mode = "best") -> dict[str, ClassVotes]:
    """Every class that has or may have shares outstanding, with the whole of its votes, from the
    classes' terms and the shares the ledger counts of each."""
    out: dict[str, ClassVotes] = {}
    for security, t in terms.items():
        d = denominator_of(t, outstanding.get(security, 0), day, mode)
        if not (d.shares or t.undisclosed or d.derived):
            continue  # nothing outstanding: it casts no votes
        per_share = t.votes
        if not t.stated:
            why = f"votes per share of {security} are not stated"
            out[security] = ClassVotes(security, per_share, d, None, why)
        elif d.shares is None:
            out[security] = ClassVotes(security, per_share, d, None, d.reason)
        else:
            out[security] = ClassVotes(security, per_share, d, round_quantity(d.shares * per_share), None)
    return out


def class_votes(state: State, day: dt.date, mode: Mode = "best") -> dict[str, ClassVotes]:
    outstanding: dict[str, int] = {}
    for (_, security), quantity in state.shares.items():
        outstanding[security] = outstanding.get(security, 0) + quantity
    return class_votes_from(class_terms(state, day), outstanding, day, mode)


def total_votes(by_class: dict[str, ClassVotes]) -> tuple[int | None, list[str]]:
    """All votes outstanding, and what leaves it open (the total is None then)."""
    open_ = [c.open for c in by_class.values() if c.open]
    if open_:
        return None, open_
    return sum(c.total or 0 for c in by_class.values()), []


def percent(part: int, whole: int) -> float | None:
    if whole <= 0:
        return None
    return float(round(Decimal(part) * 100 / Decimal(whole), 6))


def voting_rows(state: State, day: dt.date, *, mode: Mode = "best") -> list[dict[str, Any]]:
    return voting_from(class_terms(state, day), ((h, s, q) for (h, s), q in state.shares.items()), day, mode)


def voting_from(terms: dict[str, ClassTerms], positions: Iterable[tuple[str, str, int]], day: dt.date,
                mode: Mode = "best") -> list[dict[str, Any]]:
    """Each party's votes, its percent of each class's votes and of all votes, each over the
    denominator rule's whole (projections/denominators.py), or null with what leaves it open;
    from the classes' terms on the date and the share holdings as (holder, class, quantity)."""
    positions = list(positions)
    outstanding: dict[str, int] = {}
    for _, security, quantity in positions:
        outstanding[security] = outstanding.get(security, 0) + quantity
    by_class = class_votes_from(terms, outstanding, day, mode)
    total, open_ = total_votes(by_class)
    holdings: dict[str, dict[str, int]] = {}
    for holder, security, quantity in positions:
        if security in by_class and quantity:
            holdings.setdefault(holder, {})[security] = quantity
    for security in by_class:
        for holder in terms[security].undisclosed:
            holdings.setdefault(holder, {}).setdefault(security, 0)
    # What every holding of a class shares: asked once per class, not per holding (tens of
    # thousands at 10^6 events).
    per_class = {security: (c, terms[security], c.per_share.numerator, c.per_share.denominator, c.denominator.fields())
                 for security, c in by_class.items()}
    rows = []
    for holder, held in holdings.items():
        known = 0
        missing: list[str] = []
        classes = []
        for security, quantity in sorted(held.items()):
            c, t, n, d, denominator = per_class[security]
            votes = quantity * n // d
            open_holding = holder in t.undisclosed
            entry: dict[str, Any] = {"security": security}
            if not t.stated or open_holding:
                entry["votes"] = None
                entry["votes_at_least"] = votes if t.stated else 0
                missing.append(f"{holder}'s {security} holding: {t.undisclosed[holder]}"
                               if open_holding else f"votes per share of {security} are not stated")
            else:
                entry["votes"] = votes
                known += votes
            entry["percent"] = percent(votes, c.total) if entry["votes"] is not None and c.total else None
            entry.update(denominator)
            if entry["percent"] is None and c.open:
                entry["missing"] = [c.open]
            classes.append(entry)
        row: dict[str, Any] = {"party": holder}
        if missing:
            row["votes"] = None
            row["votes_at_least"] = known
        else:
            row["votes"] = known
        row["percent"] = percent(row["votes"], total) if row["votes"] is not None and total else None
        if row["percent"] is None:
            row["complete"] = False
            row["missing"] = list(dict.fromkeys(missing + open_))
        row["by_class"] = classes
        rows.append(row)
    rows.sort(key=lambda r: (-(r["votes"] if r["votes"] is not None else r["votes_at_least"]), r["party"]))
    return [r for r in rows if r["votes"] or r.get("votes_at_least") or r.get("missing")]
