"""The answers the validity intervals give on a date: holdings, the cap table, voting, Rule
13d-3 ownership, and the classes.

Each reads `rm_holdings_iv` on an open connection (in the caller's read transaction, once
the caller has checked the intervals have followed the whole log) and computes its rows
with the projection's own function over what it read (projections.captable.captable_from,
projections.voting.voting_from, projections.ownership.ownership_from), so that a folded
state and the intervals give one answer by one computation. sqlite3, orjson and the
projections' plain-data halves only: a query answered here loads neither the store library
nor the event models.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ledger.history import interval_table

if TYPE_CHECKING:
    from projections.class_terms import ClassTerms

Rows = Sequence[dict[str, Any]]  # a list, or the holdings' StoredRows


def holdings(conn: Any, issuer: str, day: dt.date, party: str | None = None) -> Rows:
    return interval_table.rows_at(conn, issuer, day, party)


def _terms(conn: Any, issuer: str, day: dt.date) -> dict[str, ClassTerms]:
    """The classes' terms on the date, in the order the classes were created."""
    from projections.class_terms import ClassTerms  # noqa: PLC0415

    terms = sorted((ClassTerms.read(t) for t in interval_table.rows_of_kind(conn, issuer, day, interval_table.CLASS)),
                   key=lambda t: t.order)
    return {t.security: t for t in terms}


def captable(conn: Any, issuer: str, day: dt.date) -> Rows:
    from projections.captable import captable_from  # noqa: PLC0415

    return captable_from(_terms(conn, issuer, day), interval_table.share_counts_at(conn, issuer, day),
                         interval_table.instruments_at(conn, issuer, day))


def captable_by_holder(conn: Any, issuer: str, day: dt.date) -> Rows:
    from projections.captable_by_holder import by_holder_from  # noqa: PLC0415

    return by_holder_from(_terms(conn, issuer, day), interval_table.share_positions_at(conn, issuer, day),
                          interval_table.instruments_at(conn, issuer, day),
                          sorted(interval_table.rows_of_kind(conn, issuer, day, interval_table.POOL),
                                 key=lambda r: r["party"]))


def voting(conn: Any, issuer: str, day: dt.date, mode: str = "best") -> Rows:
    from projections.voting import voting_from  # noqa: PLC0415

    return voting_from(_terms(conn, issuer, day), interval_table.share_positions_at(conn, issuer, day), day, mode)


def classes(conn: Any, issuer: str, day: dt.date) -> Rows:
    return [{"security": s, "kind": t.kind} for s, t in _terms(conn, issuer, day).items()]


def ownership(conn: Any, issuer: str, day: dt.date, security: str, mode: str = "best") -> Rows:
    from projections.control import Control  # noqa: PLC0415
    from projections.dilution import Exercisable  # noqa: PLC0415
    from projections.ownership import ownership_from  # noqa: PLC0415

    terms = _terms(conn, issuer, day)
    [control] = interval_table.rows_of_kind(conn, issuer, day, interval_table.CONTROL) or [None]
    return ownership_from(security, day, terms, interval_table.share_positions_at(conn, issuer, day),
                          [Exercisable.read(w) for w in interval_table.rows_of_kind(conn, issuer, day,
                                                                                   interval_table.SCHEDULE)],
                          interval_table.instruments_at(conn, issuer, day, (interval_table.NOTE,)),
                          Control.read(control) if control else Control({}, {}), mode)
