"""The cap table: per class, outstanding and fully diluted.

A class some holding of which the sources give no number for has its counts open:
`outstanding` (and `fully_diluted`) null, with `_at_least` and what is `missing`.
A warrant known only by the most it covers leaves `fully_diluted` open the same way,
between what is certain (`_at_least`) and the sum with every such warrant whole (`_at_most`).

The table is computed from the holdings rows and the classes' terms on the date
(`captable_from`), whether those come from a folded state (`captable_rows`) or from the
validity intervals (ledger.history.answers): one computation for both. Nothing here
imports the event models at load.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from projections.class_terms import ClassTerms, class_terms
from projections.dilution import Claim, note_claim

if TYPE_CHECKING:
    from projections.state import State


def _warrant_claim(row: dict[str, Any], target: str, terms: ClassTerms | None) -> Claim:
    """A warrant's holdings row as a claim on its class (`terms` None), or, through the terms of a
    class that converts, on the class it converts into."""
    shares = row["quantity"] if row["quantity"] is not None else row["quantity_at_most"]
    at_least = row["quantity"] if row["quantity"] is not None else row["quantity_at_least"]
    # An RSU is never exercised: what has vested is what it can deliver.
    key = "vested" if row["kind"] == "rsu" else "exercisable"
    exercisable_known = row[key] is not None
    available = row[key] if exercisable_known else row[f"{key}_at_most"]
    available_at_least = available if exercisable_known else row[f"{key}_at_least"]
    if terms is None:
        return Claim(row["party"], row["security"], target, shares, available, not exercisable_known, at_least,
                     available_at_least)
    n, d = terms.ratio.numerator, terms.ratio.denominator
    if not terms.convertible:
        available = available_at_least = 0
    return Claim(row["party"], row["security"], target, shares * n // d, available * n // d, not exercisable_known,
                 at_least * n // d, available_at_least * n // d)


def _claims(terms: dict[str, ClassTerms], instruments: Iterable[dict[str, Any]]) -> dict[str, list[Claim]]:
    """Per class, the claims on it of the warrants and notes held on the date (their holdings rows)."""
    out: dict[str, list[Claim]] = {}
    for row in instruments:
        target = row["underlying"]
        if row["kind"] in ("note", "safe"):
            claim = note_claim(row)
            if claim is not None:
                out.setdefault(claim.target, []).append(claim)
            continue
        out.setdefault(target, []).append(_warrant_claim(row, target, None))
        via = terms.get(target)
        if via is not None and via.converts_to is not None and via.ratio is not None:
            out.setdefault(via.converts_to, []).append(_warrant_claim(row, via.converts_to, via))
    return out


def captable_from(terms: dict[str, ClassTerms], shares: Iterable[tuple[str, int, int]],
                  instruments: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The cap table from the classes' terms (in their order), the share holdings as
    (class, quantity, how many holdings of that quantity), and the holdings rows of the
    warrants and notes held, in the order of the holdings rows."""
    outstanding: dict[str, int] = {}
    converted: dict[str, list[int]] = {}  # target -> [shares converted into it, of which not yet convertible]
    for security, quantity, count in shares:
        outstanding[security] = outstanding.get(security, 0) + quantity * count
        t = terms.get(security)
        if t is None or t.converts_to is None or t.ratio is None or t.converts_to not in terms:
            continue
        # Rounded per holding: each holder converts its own.
        became = quantity * t.ratio.numerator // t.ratio.denominator * count
        sums = converted.setdefault(t.converts_to, [0, 0])
        sums[0] += became
        if not t.convertible:
            sums[1] += became
    claims_on = _claims(terms, instruments)
    rows = []
    for security, t in terms.items():
        claims = claims_on.get(security, [])
        from_holdings, waiting = converted.get(security, (0, 0))
        count = outstanding.get(security, 0)
        row: dict[str, Any] = {
            "security": security,
            "outstanding": count,
            "fully_diluted": count + from_holdings + sum(c.shares for c in claims),
            # Counted in fully_diluted but not exercisable or convertible on the date.
            "not_yet_convertible": waiting + sum(c.shares - c.available for c in claims),
        }
        uncertain = [c for c in claims if c.at_most]
        if uncertain:
            # Counted but not yet exercisable: shares less those available, each known only
            # between bounds; the least with the fewest shares and the most available.
            exact = waiting + sum(c.shares - c.available for c in claims if not c.at_most)
            low = exact + sum(max(0, c.shares_at_least - c.available) for c in uncertain)
            high = exact + sum(c.shares - c.available_at_least for c in uncertain)
            if low != high:
                row["not_yet_convertible"] = None
                row["not_yet_convertible_at_least"], row["not_yet_convertible_at_most"] = low, high
        bounded = [c for c in claims if c.at_most and c.shares > c.shares_at_least]
        if bounded:
            row["fully_diluted_at_most"] = row["fully_diluted"]
            row["fully_diluted_at_least"] = row["fully_diluted"] - sum(c.shares - c.shares_at_least for c in bounded)
            row["fully_diluted"] = None
            row["complete"] = False
            row["missing"] = [f"{c.instrument}: its shares are known only to lie between {c.shares_at_least:,} "
                              f"and {c.shares:,}" for c in bounded]
        # A holding the sources give no number for leaves the class's count open (and its
        # fully diluted figure, with any class converting into it): null, never the sum without it.
        open_held = [(h, said) for h, said in t.undisclosed.items()]
        open_into = sorted((h, s, said) for s, other in terms.items() if other.converts_to == security
                           for h, said in other.undisclosed.items())
        if open_held:
            row["outstanding_at_least"], row["outstanding"] = count, None
        if open_held or open_into:
            # At least: what is certain, a claim known only by its upper bound counting nothing.
            row["fully_diluted_at_least"] = count + from_holdings + sum(
                c.shares_at_least if c.at_most else c.shares for c in claims)
            row["fully_diluted"] = None
            row.pop("fully_diluted_at_most", None)  # an open holding has no upper bound
            if open_into and row["not_yet_convertible"] is None:
                row.pop("not_yet_convertible_at_most", None)
            row["complete"] = False
            row["missing"] = ([f"{h}'s {security} holding: {said}" for h, said in open_held]
                              + [f"{h}'s {s} holding: {said}" for h, s, said in open_into] + row.get("missing", []))
        report = t.latest_report()
        if report is not None:
            row["reported_outstanding"] = report.quantity
            row["reported_on"] = report.effective_date.isoformat()
        rows.append(row)
    return rows


def share_counts(state: State) -> list[tuple[str, int, int]]:
    """The state's share holdings as (class, quantity, how many holdings of that quantity)."""
    return [(security, quantity, count)
            for (security, quantity), count in Counter((s, q) for (_, s), q in state.shares.items()).items()]


def instrument_rows(state: State, day: dt.date) -> list[dict[str, Any]]:
    """The holdings rows of the warrants and notes, as the holdings show them."""
    from projections.holdings import holdings_rows  # noqa: PLC0415

    return holdings_rows(state, day, shares=False, pools=False)


def captable_rows(state: State, day: dt.date) -> list[dict[str, Any]]:
    return captable_from(class_terms(state, day), share_counts(state), instrument_rows(state, day))


def by_holder_rows(state: State, day: dt.date) -> list[dict[str, Any]]:
    """The cap table by holder (projections.captable_by_holder) of a folded state."""
    from projections.captable_by_holder import by_holder_from  # noqa: PLC0415
    from projections.holdings import pool_rows  # noqa: PLC0415

    return by_holder_from(class_terms(state, day), [(h, s, q) for (h, s), q in state.shares.items()],
                          instrument_rows(state, day), pool_rows(state, day))
