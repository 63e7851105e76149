"""The intervals' table: its layout, and what is in force on a date read back.

The standard library and orjson only, so that a query can read it without the event models
(see ledger.history.direct); how the intervals are derived is ledger.history.intervals.

A row of `rm_holdings_iv` is, as JSON text, one position's holdings row (shares, a warrant
or a grant, a note, or a stock plan's pool); one class's terms (projections.class_terms: what the cap table and voting read
of a class besides its holdings; party ''); what a live warrant can become of its class within
60 days (projections.dilution.Exercisable, for ownership; kind SCHEDULE); or who controls whom
(projections.control; party '', security 'control'). Each is valid from `valid_from` up to,
not including, `valid_to`; the rows in force today end on OPEN. A closed interval is listed
under each calendar year it overlaps (`epoch`), an open one once (OPEN_EPOCH), so the rows
of a kind valid on a date are those of its year and the open ones, tested on two dates:
one indexed scan.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any

import orjson

from ledger.common.stored_rows import SEPARATOR, StoredRows

# The rules the stored rows were derived under: raised whenever a derivation would write other
# rows for the same log (as when expired warrants stopped having one), or the table is laid out
# otherwise. Rows derived under other rules are not read, and the next writer makes the table
# again and derives them again.
RULES = 8
OPEN = "9999-12-31"
OPEN_EPOCH = -1
SHARES, WARRANT, NOTE = 0, 1, 2  # the order of holdings_rows: shares, then warrants, then notes
CLASS, SCHEDULE, CONTROL = 3, 4, 5  # a class's terms, a warrant's 60-day window, who controls whom
POOL = 6  # a stock plan's pool: a holdings row, listed after the notes

Key = tuple[int, str, str]  # (SHARES/WARRANT/NOTE/CLASS/SCHEDULE/CONTROL/POOL, party, security)

SCHEMA = (
    # Clustered by what a question reads: an issuer's rows of one kind, one epoch, from their
    # first day, so that a date's scan stops at the rows that begin after it (in the open
    # epoch, every position opened later). Rows are JSON text; in a table keyed by rowid the
    # rows of a date lie scattered among every other, and reading them cost more than the
    # rest of an answer. The answers' order (party, class) is then SQLite's sort of the rows
    # it returns, as it already was for the two epochs a date reads.
    # `quantity`, computed by SQLite as a row is written: what a share holding is known to hold
    # (its quantity; for a holding no source numbers, the least it holds), which the cap table,
    # voting and ownership sum over tens of thousands of rows, read without parsing each row.
    "create table if not exists rm_holdings_iv (issuer text, epoch integer, valid_from text, valid_to text, "
    "ord integer, party text, security text, row text, "
    "quantity integer generated always as "
    "(coalesce(json_extract(row, '$.quantity'), json_extract(row, '$.quantity_at_least'))) stored, "
    "primary key (issuer, ord, epoch, valid_from, party, security)) without rowid",
    "create index if not exists rm_holdings_iv_party on rm_holdings_iv (issuer, party, epoch, valid_from)",
    # How far the intervals have followed the timeline, and the earliest date a write since
    # then reaches back to (NULL when they are up to date with `sequence`).
    "create table if not exists rm_intervals (issuer text primary key, sequence integer, dirty text)",
    "create table if not exists rm_interval_rules (rules integer)",
)


def epochs(valid_from: str, valid_to: str) -> range:
    """The calendar years a closed interval overlaps (its last day is the day before valid_to,
    in the year before when valid_to is a first of January)."""
    return range(int(valid_from[:4]), int(valid_to[:4]) + (valid_to[5:] != "01-01"))


def table_rows(issuer: str, spans: Iterable[tuple[Key, str, str, str]]) -> Iterator[tuple]:
    """Rows of rm_holdings_iv: a closed interval once per year it overlaps, an open one once."""
    for (ord_, party, security), start, end, row in spans:
        for epoch in ((OPEN_EPOCH,) if end == OPEN else epochs(start, end)):
            yield issuer, epoch, start, end, ord_, party, security, row


def followed(conn: Any, issuer: str, sequence: int) -> bool:
    """Whether the intervals have followed the timeline to `sequence`, with nothing left to redo,
    under these rules."""
    try:
        rules = conn.execute("select rules from rm_interval_rules").fetchall()
    except sqlite3.OperationalError:
        return False  # derived by a version that kept no rules
    if rules != [(RULES,)]:
        return False
    row = conn.execute("select sequence, dirty from rm_intervals where issuer=?", [issuer]).fetchone()
    return row is not None and row[1] is None and row[0] == sequence


def adopt_rules(conn: Any) -> None:
    """For a writer opening the read models: intervals derived under other rules are dropped, the
    table made again in this layout, and derived again from the beginning, each issuer's at its
    next following. All in one write transaction, the rules read again under its lock: two
    writers opening an older ledger at once migrate it once, and no reader ever sees the table
    emptied while the rules say its rows are followed."""
    if conn.execute("select rules from rm_interval_rules").fetchall() == [(RULES,)]:
        return
    own = not conn.in_transaction  # inside a writer's transaction, that one holds the lock
    if own:
        conn.execute("BEGIN IMMEDIATE")
    try:
        if conn.execute("select rules from rm_interval_rules").fetchall() != [(RULES,)]:
            conn.execute("drop table if exists rm_holdings_iv")
            for statement in SCHEMA:
                conn.execute(statement)
            conn.execute("update rm_intervals set dirty=''")
            conn.execute("delete from rm_interval_rules")
            conn.execute("insert into rm_interval_rules values (?)", [RULES])
        if own:
            conn.execute("COMMIT")
    except BaseException:
        if own:
            conn.execute("ROLLBACK")
        raise


# The rows in force on a date: those of its year and the open ones (its parameters: `on(day)`).
IN_FORCE = "epoch in (?, ?) and valid_from<=? and valid_to>?"


def on(day: dt.date) -> list[Any]:
    d = day.isoformat()
    return [OPEN_EPOCH, day.year, d, d]


def rows_at(conn: Any, issuer: str, day: dt.date, party: str | None = None) -> StoredRows:
    """The holdings rows in force on a date, in the order of holdings_rows, as stored."""
    # One party's rows on its own index: the primary key's range on the day a row begins
    # would read every party's rows of the year.
    where = "issuer=? and party=?" if party is not None else "issuer=?"
    table = "rm_holdings_iv indexed by rm_holdings_iv_party" if party is not None else "rm_holdings_iv"
    args = [issuer, party] if party is not None else [issuer]
    # The kinds named one by one, so that the scan is of each kind's rows of the year. Joined
    # by SQLite in the order of its sorted subquery (an aggregate over an ordered subquery
    # reads it in order; test_intervals holds the text to the fold's rows): tens of
    # thousands of rows never become Python strings one by one.
    sql = (f"select count(*), group_concat(row, ?) from (select row from {table} "  # noqa: S608
           f"where {where} and {IN_FORCE} and ord in (?, ?, ?, ?) order by ord, party, security)")
    count, text = conn.execute(sql, [SEPARATOR, *args, *on(day), SHARES, WARRANT, NOTE, POOL]).fetchone()
    return StoredRows(text or "", count)


# A holding no source numbers (UndisclosedHolding) has a null quantity: what it is known to hold
# (the table's `quantity`) counts, as the fold's own share positions do; the totals say they are
# incomplete.
def share_counts_at(conn: Any, issuer: str, day: dt.date) -> list[tuple[str, int, int]]:
    """The share holdings on a date as (class, quantity, how many holdings of that quantity)."""
    # Counted here: SQLite's GROUP BY sorts them first, which costs more than the count.
    sql = ("select security, quantity from rm_holdings_iv "
           f"where issuer=? and {IN_FORCE} and ord=?")
    counts = Counter(conn.execute(sql, [issuer, *on(day), SHARES]).fetchall())
    return [(security, quantity, count) for (security, quantity), count in counts.items()]


def share_positions_at(conn: Any, issuer: str, day: dt.date) -> list[tuple[str, str, int]]:
    """The share holdings on a date as (holder, class, quantity)."""
    sql = ("select party, security, quantity from rm_holdings_iv "
           f"where issuer=? and {IN_FORCE} and ord=?")
    return conn.execute(sql, [issuer, *on(day), SHARES]).fetchall()


def rows_of_kind(conn: Any, issuer: str, day: dt.date, kind: int) -> list[Any]:
    """The JSON of the rows of one kind (CLASS, SCHEDULE, CONTROL ...) in force on a date."""
    sql = f"select row from rm_holdings_iv where issuer=? and {IN_FORCE} and ord=?"  # noqa: S608
    return [orjson.loads(r[0]) for r in conn.execute(sql, [issuer, *on(day), kind])]


def instruments_at(conn: Any, issuer: str, day: dt.date,
                   kinds: tuple[int, ...] = (WARRANT, NOTE)) -> list[dict[str, Any]]:
    """The warrants' and notes' holdings rows on a date (of `kinds`), in the order of holdings_rows."""
    marks = ", ".join("?" * len(kinds))
    sql = (f"select row from rm_holdings_iv where issuer=? and {IN_FORCE} and ord in ({marks}) "  # noqa: S608
           "order by ord, party, security")
    return [orjson.loads(r[0]) for r in conn.execute(sql, [issuer, *on(day), *kinds])]
