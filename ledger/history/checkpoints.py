"""Checkpoints: folded states kept as plain data in a cache of this machine, never in a ledger.

A checkpoint is the state at the end of one effective date, folded from the read models'
timeline when they had followed the issuer's log to record `sequence`, whose hash is
`head`. It still holds while the log holds that very record there (the hash chain then
vouches for every record before it) and no write followed since reaches back to its
date or earlier (the read models' `rm_reach` says how far back each followed page
reaches). Finding one is eventsourcing's snapshot rule: the latest at or before the
date that still holds, then the events after it.

The cache is only ever a help: a file that cannot be opened, read or written, or a
checkpoint that cannot be read back, makes a query slower, never wrong. Each row keeps
a digest of its parts, so bytes that changed on disk are passed over, not misread.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

from ledger.history import state_data
from projections.state import State

SCHEMA = ("create table if not exists checkpoints (issuer text, effective_date text, sequence integer, "
          "head text, layout integer, digest text, state blob, events blob, parties blob, retired blob, "
          "primary key (issuer, effective_date))")


def cache_folder() -> Path:
    """This machine's cache: $LEDGER_CACHE, else the XDG cache folder ($XDG_CACHE_HOME, or
    ~/.cache) under issuance-ledger."""
    if os.environ.get("LEDGER_CACHE"):
        return Path(os.environ["LEDGER_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "issuance-ledger"


def cache_file(target: str, prefix: str) -> Path:
    """One file of the cache per ledger: a SQLite file by its absolute path, a server by its URL."""
    name = target if "://" in target else os.path.abspath(target)
    return cache_folder() / f"{prefix}-{hashlib.sha256(name.encode()).hexdigest()[:16]}.db"


def _digest(parts: state_data.Parts) -> str:
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        h.update(len(part).to_bytes(8, "big"))
        h.update(part)
    return h.hexdigest()


def settle(state: State, day: dt.date) -> None:
    """What freezing does to the state at the end of `day` besides writing it out; no answer changes.

    Warrants expired by then leave the live ones: the fold would move them at its next
    event anyway (every later event is dated after `day`), and the checkpoint carries only
    what can still matter. The holdings go in key order: a state read back from there
    keeps it, and the few keys the tail of a query adds leave it nearly sorted, which
    sorted() takes in one merge. verify settles its fresh fold the same way before
    comparing, so that the two match in order too.
    """
    state.retire_expired(day)
    shares = state.shares
    state.shares = {key: shares[key] for key in sorted(shares)}


def freeze(state: State, day: str) -> state_data.Parts:
    """The state at the end of `day`, settled, as plain data."""
    settle(state, dt.date.fromisoformat(day))
    return state_data.dump(state)


class CheckpointCache:
    """The checkpoints of one ledger in this machine's cache, opened on first use."""

    def __init__(self, target: str):
        self.path = cache_file(target, "checkpoints")
        self._conn: sqlite3.Connection | None = None
        self._opened = False

    def _open(self, *, create: bool) -> sqlite3.Connection | None:
        if self._conn is None and (create or not self._opened):
            if not create and not self.path.exists():
                return None  # a query that keeps nothing makes no cache
            self._opened = True
            try:
                if create:
                    self.path.parent.mkdir(parents=True, exist_ok=True)
                conn = sqlite3.connect(self.path, timeout=5)
                conn.execute(SCHEMA)
                self._conn = conn
            except (OSError, sqlite3.Error):
                self._conn = None
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def candidates(self, issuer: str, through: str) -> Iterator[tuple[str, int, str, int]]:
        """(date, sequence, head, rowid) of the checkpoints on or before `through`, latest first."""
        conn = self._open(create=False)
        if conn is None:
            return
        try:
            rows = conn.execute("select effective_date, sequence, head, rowid from checkpoints where issuer=? "
                                "and effective_date<=? and layout=? order by effective_date desc",
                                [issuer, through, state_data.LAYOUT]).fetchall()
        except sqlite3.Error:
            return
        yield from rows

    def dates(self, issuer: str) -> list[tuple[str, int, str]]:
        """(date, sequence, head) of every checkpoint of the issuer, in date order."""
        return sorted((d, s, h) for d, s, h, _ in self.candidates(issuer, "9999-12-31"))

    def read(self, rowid: int) -> State | None:
        conn = self._open(create=False)
        if conn is None:
            return None
        try:
            row = conn.execute("select digest, state, events, parties, retired from checkpoints where rowid=?",
                               [rowid]).fetchone()
        except sqlite3.Error:
            return None
        if row is None or None in row:
            return None
        parts = state_data.Parts(*row[1:])
        if _digest(parts) != row[0]:
            return None  # changed on disk since it was written
        try:
            return state_data.load(parts)
        except state_data.Unreadable:
            return None

    def nearest(self, issuer: str, through: str,
                holds: Callable[[str, int, str], bool]) -> tuple[str, State]:
        """The latest checkpoint on or before `through` that `holds(date, sequence, head)` and
        reads back, or an empty state from the start."""
        for day, sequence, head, rowid in self.candidates(issuer, through):
            if holds(day, sequence, head):
                state = self.read(rowid)
                if state is not None:
                    return day, state
        return "", State()

    def keep(self, issuer: str, kept: list[tuple[str, state_data.Parts]], sequence: int, head: str) -> None:
        """Checkpoints folded from the log through record `sequence` (hash `head`)."""
        if not kept:
            return
        conn = self._open(create=True)
        if conn is None:
            return
        with contextlib.suppress(sqlite3.Error):  # a cache that cannot be written is only slower
            with conn:
                conn.executemany(
                    "insert or replace into checkpoints values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [(issuer, day, sequence, head, state_data.LAYOUT, _digest(parts), *parts) for day, parts in kept])
