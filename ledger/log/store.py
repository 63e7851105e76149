"""The event store: one `eventsourcing` stream per issuer, hash-chained.

Records are written through the library's application recorder as
`StoredEvent` rows: the stream version is the record's sequence, so two
writers cannot both append the same position (the losing one gets
`Conflict`), and the record's hash travels inside the row, so events and
chain are written in one transaction.

Engines: a file path is SQLite, a ``postgresql://`` URL is PostgreSQL. The
table is created by the first write (on PostgreSQL under an advisory lock, so
that first imports racing each other do not trip over the library's
``CREATE TYPE``/``CREATE FUNCTION``), never by a read command: reading a
database without the table sees an empty ledger. Every database failure
becomes one line, `StoreError` (exit 2) or `Conflict` (exit 2: retry), and
no message ever shows the URL's password.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sqlite3
import uuid
from collections.abc import Callable, Iterator, Sequence
from typing import Any
from urllib.parse import parse_qsl, unquote, urlparse

from eventsourcing.persistence import IntegrityError, PersistenceError, StoredEvent

from events import Event, parse_event
from events.canonical import canonical_json, compact_json, floatless_canonical_json, floatless_compact_json
from events.identity import NAMESPACE, issuer_stream_id
from ledger.errors import Conflict, StoreError, UsageError
from ledger.log.chain import GENESIS, seal_encoded
from ledger.log.target import is_server, readonly_uri, redact, scrub
from projections.timeline import Recorded

REGISTRY_STREAM = uuid.uuid5(NAMESPACE, "issuers")
TABLE = "ledger_events"
SQLITE_LOCK_TIMEOUT = 30  # seconds a writer waits for another writer's transaction before "busy"
CONNECT_TIMEOUT = 5  # seconds to reach a PostgreSQL server
_CREATE_LOCK = 0x1ED6E5_7AB1E  # pg_advisory_lock key: one creator of the ledger's table at a time


def utcnow() -> dt.datetime:
    # The store's clock: tests move it with freezegun.
    return dt.datetime.now(dt.timezone.utc)


class Store:
    """The log of one ledger. `readonly` opens a SQLite ledger so that nothing can write to it
    (queries, verify, exports); a server's ledger is only ever read by readers anyway."""

    def __init__(self, target: str, *, create: bool = True, readonly: bool = False):
        self._url = target
        self.target = redact(target)  # safe to print
        self.engine = "postgresql" if is_server(target) else "sqlite"
        self.readonly = readonly
        self.recorder: Any = None
        try:
            if self.engine == "postgresql":
                self.recorder, self.ready = _postgres_recorder(target, create=create and not readonly)
            else:
                self.recorder, self.ready = _sqlite_recorder(target, create=create and not readonly,
                                                             readonly=readonly)
        except UsageError:
            self.close()
            raise
        except Exception as exc:
            self.close()
            if not _is_database_error(exc):
                raise
            raise StoreError(f"{self.target}: cannot open the ledger ({scrub(exc, target)})") from None

    def close(self) -> None:
        if self.recorder is not None:
            with contextlib.suppress(Exception):
                self.recorder.datastore.close()
            self.recorder = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _guard(self, *, writing: bool = False) -> Iterator[None]:
        """Database failures as one clean line: Conflict (retry) or StoreError."""
        try:
            yield
        except (UsageError, Conflict):
            raise
        except Exception as exc:
            if writing and isinstance(exc, IntegrityError):
                raise Conflict("another import appended to the same issuer first; "
                               "nothing of this batch was written, retry") from None
            failure = describe_failure(exc, self._url)
            if failure is None:
                raise
            kind, line = failure
            raise (Conflict(line) if kind == "conflict" else StoreError(line)) from None

    # --- reading ------------------------------------------------------

    def _select(self, stream: uuid.UUID, **kwargs: Any) -> list[Any]:
        if not self.ready:
            return []
        with self._guard():
            return list(self.recorder.select_events(stream, **kwargs))

    def _query(self, sqlite_sql: str, postgres_sql: str) -> list[tuple[Any, ...]]:
        if not self.ready:
            return []
        with self._guard():
            if self.engine == "postgresql":
                with self.recorder.datastore.get_connection() as conn, conn.cursor() as curs:
                    curs.execute(postgres_sql)
                    return [tuple(r.values()) if isinstance(r, dict) else tuple(r) for r in curs.fetchall()]
            with self.recorder.datastore.transaction(commit=False) as c:
                c.execute(sqlite_sql)
                return [tuple(r) for r in c.fetchall()]

    def stream_counts(self) -> dict[str, int]:
        """Every stream with stored records, by id, and how many: the registry's and each issuer's."""
        rows = self._query(f"SELECT originator_id, count(*) FROM {TABLE} GROUP BY originator_id",  # noqa: S608
                           f"SELECT originator_id::text, count(*) FROM {TABLE} GROUP BY originator_id")  # noqa: S608
        return {str(uuid.UUID(str(stream))): int(n) for stream, n in rows}

    def registry_versions(self) -> list[int]:
        return [r.originator_version for r in self._select(REGISTRY_STREAM)]

    def foreign_objects(self, views: dict[str, str] | None = None) -> list[str]:
        """What the ledger did not create in its database: every trigger on its tables (it
        creates none) and, in a SQLite ledger file, any other table, view or trigger. A view
        is the ledger's only under a name of `views` and with exactly that SQL (as SQLite
        keeps it), so that a view altered to show something else is reported."""
        if self.engine == "postgresql":
            rows = self._query("", "SELECT 'trigger' AS kind, t.tgname, c.relname, '' AS sql FROM pg_trigger t "
                                   "JOIN pg_class c ON c.oid = t.tgrelid "
                                   f"WHERE NOT t.tgisinternal AND c.relname = '{TABLE}'")
        else:
            rows = self._query("SELECT type, name, tbl_name, sql FROM sqlite_master", "")
        def mine(n: str) -> bool:
            return n == TABLE or n.startswith(("rm_", "sqlite_"))

        out = []
        for kind, name, table, sql in rows:
            if kind == "view":
                ours = (views or {}).get(name) == sql
            else:
                ours = kind != "trigger" and (mine(name) or (kind == "index" and mine(table)))
            if not ours:
                out.append(f"{kind} {name}" + (f" on {table}" if table and table != name else ""))
        return sorted(out)

    def has_log(self, issuer: str) -> bool:
        """Whether the issuer has a log here: one lookup, its records left unread."""
        return bool(self._select(issuer_stream_id(issuer), limit=1))

    def issuers(self) -> list[str]:
        return [d["issuer"] for d in map(_decode, self._select(REGISTRY_STREAM)) if "issuer" in d]

    def raw_records(self, issuer: str, *, after: int = 0, lenient: bool = False) -> list[dict[str, Any]]:
        """The issuer's records after a sequence. A row that is not a JSON record (altered outside
        the ledger) is a StoreError; with `lenient` (for verify) a stand-in {"sequence", "unreadable"}."""
        return [self._checked(issuer, _decode(r), lenient)
                for r in self._select(issuer_stream_id(issuer), gt=after or None)]

    def iter_raw_records(self, issuer: str, *, after: int = 0, page: int = 10_000,
                         lenient: bool = False) -> Iterator[dict[str, Any]]:
        """The issuer's records after a sequence, read a page at a time so memory stays flat."""
        for record, _ in self.iter_raw_rows(issuer, after=after, page=page, lenient=lenient):
            yield record

    def iter_raw_rows(self, issuer: str, *, after: int = 0, page: int = 10_000,
                      lenient: bool = False) -> Iterator[tuple[dict[str, Any], bytes]]:
        """As `iter_raw_records`, each record with the bytes it is stored as (a full replay
        spools them as they are rather than encode each record again)."""
        stream = issuer_stream_id(issuer)
        while True:
            rows = self._select(stream, gt=after or None, limit=page)
            for row in rows:
                record = self._checked(issuer, _decode(row), lenient)
                after = record["sequence"]
                yield record, row.state
            if len(rows) < page:
                return

    def _checked(self, issuer: str, record: dict[str, Any], lenient: bool) -> dict[str, Any]:
        if "unreadable" in record and not lenient:
            raise StoreError(f"{self.target}: record {record['sequence']} of issuer '{issuer}' is not a ledger "
                             f"record ({record['unreadable']}): the log was altered outside the ledger; "
                             "`ledger verify` reports it")
        return record

    def records(self, issuer: str) -> list[Recorded]:
        return [to_recorded(r) for r in self.raw_records(issuer)]

    def last(self, issuer: str) -> dict[str, Any] | None:
        rows = self._select(issuer_stream_id(issuer), desc=True, limit=1)
        return self._checked(issuer, _decode(rows[0]), False) if rows else None

    # --- writing ------------------------------------------------------

    def append(self, batches: dict[str, Sequence[Event]], *, expected: dict[str, int] | None = None,
               within: Callable[[sqlite3.Connection, dict[str, list[dict[str, Any]]]], None] | None = None,
               ) -> dict[str, list[dict[str, Any]]]:
        """Append each issuer's events after its last record, all in one transaction.

        `expected` gives the sequence each issuer's log ended at when the
        batch was validated; if another writer got there first, Conflict.
        `within(connection, written)`, on SQLite only, runs inside that same
        transaction once the records are inserted, on its connection: what it
        writes (the read models following the batch) commits or rolls back
        with the batch.
        """
        if not self.ready:
            raise UsageError(f"{self.target}: no ledger here to write to")
        now = utcnow().isoformat()
        known_issuers = set(self.issuers())
        stored: list[StoredEvent] = []
        written: dict[str, list[dict[str, Any]]] = {}
        new_issuers = [i for i in batches if i not in known_issuers and batches[i]]
        if new_issuers:
            start = len(known_issuers)
            for offset, issuer in enumerate(new_issuers, start=1):
                stored.append(StoredEvent(REGISTRY_STREAM, start + offset, "IssuerRegistered",
                                          json.dumps({"issuer": issuer}).encode()))
        for issuer, events in batches.items():
            if not events:
                continue
            last = self.last(issuer)
            sequence = last["sequence"] if last else 0
            if expected is not None and expected.get(issuer, 0) != sequence:
                raise Conflict(f"issuer '{issuer}' changed while the batch was being checked; "
                               "nothing of this batch was written, retry")
            prev = last["hash"] if last else GENESIS
            stream = issuer_stream_id(issuer)
            written[issuer] = []
            for event, (record, row) in zip(events, seal_encoded(sequence, now, prev, _encoded(events)), strict=True):
                written[issuer].append(record)
                stored.append(StoredEvent(stream, record["sequence"], event.type, row))
        if not stored:
            return written
        with self._guard(writing=True):
            self._insert(stored, within=None if within is None else lambda conn: within(conn, written))
        return written

    def _insert(self, stored: list[StoredEvent], *,
                within: Callable[[sqlite3.Connection], None] | None = None) -> None:
        """One transaction for the whole batch."""
        if self.engine == "postgresql":
            # The library's insert_events runs these statements in psycopg's pipeline mode, which
            # hangs on a batch of a few megabytes (20,000 events: the server waits in ClientRead,
            # the client in Pipeline.sync). Same statements (table lock, NOTIFY, one INSERT from
            # unnest), same single transaction, without the pipeline.
            recorder = self.recorder
            committing = False
            try:
                with recorder.datastore.get_connection() as conn:
                    with conn.transaction(), conn.cursor() as curs:
                        recorder._insert_stored_events(curs, stored)  # noqa: SLF001 (eventsourcing pinned to 9.5.6)
                        committing = True
            except Exception as exc:
                if committing and not isinstance(exc, IntegrityError):
                    # The server may have committed before the answer was lost: say so, never "failed".
                    raise StoreError(f"{self.target}: the connection failed as the batch was committed "
                                     f"({scrub(exc, self._url)}); it may have been written: run `ledger verify`, "
                                     "then import again (only what is missing is added)") from None
                raise
        else:
            # The library's insert_events, with `within` in the same transaction on the same connection.
            with self.recorder.datastore.get_connection(commit=True) as conn, \
                    conn.transaction(commit=True) as curs:
                self.recorder._insert_events(curs, stored)  # noqa: SLF001 (eventsourcing pinned to 9.5.6)
                if within is not None:
                    within(conn._sqlite_conn)  # noqa: SLF001


def _encoded(events: Sequence[Event]) -> Iterator[tuple[str, dict[str, Any], bytes, bytes]]:
    """Each event's body, dumped once and encoded twice: canonical to hash, compact to store."""
    for event in events:
        body = event.body()
        if event.floatless(body):
            yield event.event_id, body, floatless_canonical_json(body), floatless_compact_json(body)
        else:
            yield event.event_id, body, canonical_json(body), compact_json(body)


def _decode(row: Any) -> dict[str, Any]:
    try:
        record = json.loads(row.state)
        if not isinstance(record, dict):
            raise ValueError("not a JSON object")
        return record
    except (ValueError, UnicodeDecodeError) as exc:
        return {"sequence": row.originator_version, "unreadable": f"{type(exc).__name__}: not a JSON record"}


def to_recorded(record: dict[str, Any]) -> Recorded:
    data = dict(record["event"])
    data["recorded_at"] = record["recorded_at"]
    return Recorded(
        sequence=record["sequence"],
        recorded_at=dt.datetime.fromisoformat(record["recorded_at"]),
        event=parse_event(data),
        event_id=record["event_id"],
    )


def _is_database_error(exc: BaseException) -> bool:
    if isinstance(exc, (PersistenceError, sqlite3.Error)):
        return True
    module = type(exc).__module__ or ""
    return module.split(".")[0] in ("psycopg", "psycopg_pool")


def describe_failure(exc: BaseException, target: str) -> tuple[str, str] | None:
    """A database failure as ("conflict" | "error", one line without the password); None if not one."""
    if not _is_database_error(exc):
        return None
    if _is_busy(exc):
        return "conflict", (f"{redact(target)} is busy (another writer holds it: {scrub(exc, target)}); "
                            "nothing was written, retry")
    return "error", f"{redact(target)}: database error ({scrub(exc, target)})"


def _is_busy(exc: BaseException) -> bool:
    text = str(exc).lower()
    return _is_database_error(exc) and ("database is locked" in text or "database is busy" in text
                                        or "lock timeout" in text or "deadlock detected" in text)


def _sqlite_recorder(path: str, *, create: bool, readonly: bool = False) -> tuple[Any, bool]:
    from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteDatastore  # noqa: PLC0415

    if not create and not os.path.exists(path):
        raise UsageError(f"{path}: no ledger here (import something first, or give --db)")
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise UsageError(f"{path}: directory {directory} does not exist")
    if os.path.isdir(path):
        raise UsageError(f"{path}: is a folder, not a ledger file")
    datastore = SQLiteDatastore(db_name=readonly_uri(path) if readonly else path, lock_timeout=SQLITE_LOCK_TIMEOUT)
    if readonly:
        # The library turns a ledger not in WAL mode (a VACUUM INTO backup) to WAL on connecting,
        # which is a write: a reader takes the file in whatever mode it is.
        datastore.pool.is_journal_mode_wal = True
    try:
        recorder = SQLiteApplicationRecorder(datastore, events_table_name=TABLE)
        with datastore.transaction(commit=False) as c:
            c.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (TABLE,))
            ready = c.fetchone() is not None
        if not ready and create:
            recorder.create_table()  # a write transaction: only the first import pays for it
            ready = True
    except BaseException:
        datastore.close()
        raise
    return recorder, ready


def _pg_params(url: str) -> dict[str, Any]:
    try:
        parsed = urlparse(url)
        port = parsed.port
    except ValueError:
        raise UsageError(f"{redact(url)}: not a valid postgresql://user:password@host:port/dbname URL") from None
    dbname = unquote(parsed.path.lstrip("/"))
    if not dbname:
        raise UsageError(f"{redact(url)}: the URL names no database")
    query = dict(parse_qsl(parsed.query))
    return {
        "dbname": dbname,
        "host": unquote(parsed.hostname or "") or query.get("host") or "localhost",
        "port": str(port or query.get("port") or 5432),
        "user": unquote(parsed.username or "") or query.get("user") or "",
        "password": unquote(parsed.password or "") or query.get("password") or "",
    }


def _postgres_recorder(url: str, *, create: bool) -> tuple[Any, bool]:
    import psycopg  # noqa: PLC0415
    from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore  # noqa: PLC0415

    params = _pg_params(url)
    # Connect once ourselves first: a wrong password, port or database name fails
    # at once with the server's own words (the pool would retry for a while and
    # then say only "couldn't get a connection").
    try:
        probe = psycopg.connect(**params, connect_timeout=CONNECT_TIMEOUT, autocommit=True)
    except psycopg.Error as exc:
        raise StoreError(f"{redact(url)}: cannot connect ({scrub(exc, url)})") from None
    with probe:
        ready = _pg_table_exists(probe)
        if not ready and create:
            # Serialize creators; the others find the table made when they get the lock.
            probe.execute("SELECT pg_advisory_lock(%s)", (_CREATE_LOCK,))
            ready = _pg_table_exists(probe)
        datastore = PostgresDatastore(**params, connect_timeout=CONNECT_TIMEOUT, pool_size=1, max_overflow=1)
        try:
            recorder = PostgresApplicationRecorder(datastore, events_table_name=TABLE)
            if not ready and create:
                recorder.create_table()
                ready = True
        except BaseException:
            datastore.close()
            raise
    return recorder, ready


def _pg_table_exists(conn: Any) -> bool:
    row = conn.execute("SELECT to_regclass(%s)", (f"public.{TABLE}",)).fetchone()
    return row is not None and row[0] is not None
