"""Answers read straight from a SQLite ledger file with sqlite3 alone.

A query the intervals answer (holdings, the cap table, voting, ownership and the classes:
ledger.history.answers) needs neither the store library nor the event models (loading them
is most of a short query's time). `answer` reads the file on a Reader's read-only
connection: it checks in one read transaction that the read models have followed the
issuer's whole log (the last record's sequence and hash, as the store's own readers do) and
that the intervals are up to date, and reads the rows. Where it cannot answer so (a server, an earlier `known_at`
than the log's head, read models behind the log, an issuer to choose, anything unreadable)
it answers None, and the caller takes the whole path, which also says what is wrong.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import threading
import uuid
import weakref
from collections.abc import Callable, Sequence
from typing import Any

from ledger.history import interval_table
from ledger.log.target import is_server, readonly_uri

# events.identity.NAMESPACE, kept here so as not to load the event models: the ids of the
# log's streams are derived from it. tests/test_direct.py holds the two equal.
NAMESPACE = uuid.UUID("6f1c2a52-3b0e-5d7c-9a41-0c6e8f1d2b37")
REGISTRY = uuid.uuid5(NAMESPACE, "issuers")
TABLE = "ledger_events"


def stream_id(issuer: str) -> str:
    """The log's stream of an issuer, as the store's SQLite table keys it."""
    return uuid.uuid5(NAMESPACE, f"issuer:{issuer}").hex


Found = tuple[str, dt.date, dt.datetime, Sequence[dict[str, Any]]]  # issuer, as_of, known_at, rows

class Reader:
    """A SQLite ledger file kept open, read-only, between one question and the next: opening it
    again parses its schema and prepares every statement afresh, most of what a small answer
    costs. One connection per thread. Before each question the file at the path is looked at:
    another file moved into its place (another inode) is opened in turn, so the answer is
    always the file's that is there now; each question is one read transaction, so a write
    made in between is seen.

    No connection crosses a fork, as SQLite requires (its locks, and the WAL index it maps,
    belong to the process that opened the file, and a new connection in the child would
    share them): just before this process forks, every reader closes the connections no
    question is using, and each thread opens the file again at its next question. One a
    question was using in another thread at that moment is left alone by the child, never
    used or closed there, and the child opens its own."""

    def __init__(self, target: str) -> None:
        self.target = target
        self._started()
        _READERS.add(self)

    def _started(self) -> None:
        self._pid = os.getpid()
        self._local = threading.local()
        self._opened: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._generation = 0  # raised when idle connections are closed: each thread's is then opened again

    def close_idle(self) -> None:
        """The connections no question is using, closed (each thread opens its own again)."""
        with self._lock:
            idle = [c for c in self._opened if not c.in_transaction]
            self._opened = [c for c in self._opened if c.in_transaction]
            self._generation += 1
        for conn in idle:
            conn.close()

    def _after_fork(self) -> None:
        """In a process forked while a question was using a connection: the parent's, kept as
        they are, and this process's own from here on."""
        if self._pid != os.getpid():
            _INHERITED.extend(self._opened)
            self._started()

    def connection(self) -> sqlite3.Connection | None:
        self._after_fork()
        try:
            stat = os.stat(self.target)
        except OSError:
            return None
        identity = (stat.st_dev, stat.st_ino)
        held = getattr(self._local, "held", None)
        if held is not None:
            if held[0] == identity and held[2] == self._generation:
                return held[1]
            self.forget(held[1])
        # Used by this thread only; closed by whichever thread closes the reader.
        conn = sqlite3.connect(readonly_uri(self.target), uri=True, check_same_thread=False)
        self._local.held = (identity, conn, self._generation)
        with self._lock:
            self._opened.append(conn)
        return conn

    def forget(self, conn: sqlite3.Connection) -> None:
        """This thread's connection closed, to be opened again at the next question."""
        self._local.held = None
        with self._lock:
            if conn in self._opened:
                self._opened.remove(conn)
        conn.close()

    def close(self) -> None:
        self._after_fork()
        with self._lock:
            opened, self._opened = self._opened, []
        for conn in opened:
            conn.close()
        self._local = threading.local()


# Every reader of this process, to close their idle connections before it forks; and the
# connections a forked process found open (a question was using them), never touched there.
_READERS: weakref.WeakSet[Reader] = weakref.WeakSet()
_INHERITED: list[sqlite3.Connection] = []


def _before_fork() -> None:
    for reader in list(_READERS):
        reader.close_idle()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(before=_before_fork)


def answer(read: Callable[..., list[dict[str, Any]]], reader: Reader, issuer: str | None, as_of: dt.date | None,
           known_at: dt.datetime | None, *options: Any) -> Found | None:
    """(issuer, as_of, known_at, rows) from the intervals, `read(conn, issuer, day, *options)` being
    one of ledger.history.answers, on the reader's connection; or None where they cannot answer."""
    if is_server(reader.target) or not os.path.isfile(reader.target):
        return None
    now = dt.datetime.now(dt.timezone.utc)
    known = known_at or now
    day = as_of or now.date()
    try:
        conn = reader.connection()
    except sqlite3.Error:
        return None
    if conn is None:
        return None
    failed = False
    try:
        conn.execute("BEGIN")
        if issuer is None:
            # The one issuer, if there is only one; an issuer named is looked up by its own log
            # below, not in the list of every issuer (a ledger may hold thousands).
            issuers = conn.execute(f"select state from {TABLE} where originator_id=? "  # noqa: S608
                                   "order by originator_version limit 2", [REGISTRY.hex]).fetchall()
            if len(issuers) != 1:
                return None
            issuer = json.loads(issuers[0][0]).get("issuer")
        last = conn.execute(f"select state from {TABLE} where originator_id=? order by originator_version desc "  # noqa: S608
                            "limit 1", [stream_id(issuer)]).fetchone()
        if last is None:
            return None
        record = json.loads(last[0])
        if dt.datetime.fromisoformat(record["recorded_at"]) > known:
            return None
        tracked = conn.execute("select sequence, head_hash from rm_tracking where issuer=?", [issuer]).fetchone()
        if tracked is None or tuple(tracked) != (record["sequence"], record["hash"]):
            return None
        if not interval_table.followed(conn, issuer, record["sequence"]):
            return None
        return issuer, day, known, read(conn, issuer, day, *options)
    except (sqlite3.Error, ValueError, KeyError, TypeError, AttributeError):
        failed = True
        return None
    finally:
        if failed:
            reader.forget(conn)  # whatever went wrong, the next question opens the file afresh
        elif conn.in_transaction:
            conn.rollback()  # read only: ends the read transaction, so the next sees later writes
