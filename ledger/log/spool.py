"""A scratch SQLite file that hands a log back in fold order without holding it in memory.

A full replay folds events by (effective date, sequence) but reads the log by
sequence. Holding every parsed event to sort them takes several GiB at 10^6
events; the spool keeps each record's JSON on disk beside its sort key instead,
and SQLite's index does the sorting. The file is private to one replay, written
without journal or fsync (it is rebuilt from the log whenever it is needed) and
deleted on close.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator
from typing import Any

# Rows are buffered and written this many at a time: one executemany per page.
PAGE = 10_000
# SQLite's own page cache for the scratch file, in KiB (the OS caches the rest).
CACHE_KIB = 16_384

SCHEMA = (
    # pos: the record's place in the log as read; seq: its sequence; day: its effective date (ISO,
    # so text order is date order); moved: a corrected event's replacement, placed at its own date;
    # body: the record's JSON, as text or as the bytes it was stored as.
    "create table records (pos integer not null, seq, day text, event_id, ref, visible integer, "
    "moved integer not null default 0, body)",
)
INDEXES = (
    "create index records_order on records (day, seq, pos, moved)",
    "create index records_id on records (event_id)",
    "create index records_ref on records (ref)",
)


class Spool:
    def __init__(self) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="ledger-spool-")
        self.conn = sqlite3.connect(os.path.join(self._dir.name, "spool.db"), isolation_level=None)
        for pragma in ("journal_mode=OFF", "synchronous=OFF", f"cache_size=-{CACHE_KIB}", "temp_store=FILE"):
            self.conn.execute(f"pragma {pragma}")
        for statement in SCHEMA:
            self.conn.execute(statement)
        self._pending: list[tuple[Any, ...]] = []
        self._sealed = False

    def close(self) -> None:
        self.conn.close()
        self._dir.cleanup()

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def add(self, pos: int, seq: Any, day: str, event_id: Any, ref: Any, visible: bool, body: str | bytes) -> None:
        """One record of the log, in log order."""
        self._pending.append((pos, seq, day, event_id, ref, int(visible), body))
        if len(self._pending) >= PAGE:
            self._flush()

    def _flush(self) -> None:
        if self._pending:
            self.conn.execute("begin")
            self.conn.executemany("insert into records (pos, seq, day, event_id, ref, visible, body) "
                                  "values (?, ?, ?, ?, ?, ?, ?)", self._pending)
            self.conn.execute("commit")
            self._pending = []

    def seal(self) -> None:
        """The log is all in: index it once (cheaper than keeping indexes up to date row by row)."""
        self._flush()
        if not self._sealed:
            for statement in INDEXES:
                self.conn.execute(statement)
            self._sealed = True

    def named(self, keys: Iterable[str]) -> list[tuple[int, int, str | bytes]]:
        """(pos, visible, body) of the records whose event_id or ref is one of `keys`, in log order."""
        keys = sorted(set(keys))
        found: dict[int, tuple[int, int, str | bytes]] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            marks = ",".join("?" * len(chunk))
            for column in ("event_id", "ref"):
                query = f"select pos, visible, body from records where moved=0 and {column} in ({marks})"  # noqa: S608
                for row in self.conn.execute(query, chunk):
                    found[row[0]] = row
        return [found[pos] for pos in sorted(found)]

    def move(self, rows: Iterable[tuple[str, Any, int]]) -> None:
        """Replace the moved rows by these (day, seq, pos): where corrected events now fall."""
        self.conn.execute("begin")
        self.conn.execute("delete from records where moved=1")
        self.conn.executemany("insert into records (pos, seq, day, moved) values (?, ?, ?, 1)",
                              [(pos, seq, day) for day, seq, pos in rows])
        self.conn.execute("commit")

    def in_fold_order(self) -> Iterator[tuple[int, int, int | None, str, Any, str | bytes | None]]:
        """(pos, moved, visible, day, ref, body) of every record and replacement, by (day, seq, pos)."""
        yield from self.conn.execute("select pos, moved, visible, day, ref, body from records indexed by records_order "
                                     "where day is not null order by day, seq, pos, moved")

    def in_log_order(self) -> Iterator[tuple[int, str | bytes]]:
        """(pos, body) of every record, in log order (rows were added in that order)."""
        yield from self.conn.execute("select pos, body from records where moved=0 order by rowid")
