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

import datetime as dt
import json
import os
import uuid
from collections.abc import Sequence
from typing import Any
from urllib.parse import unquote, urlparse

from eventsourcing.persistence import IntegrityError, StoredEvent

from events import Event, parse_event
from events.identity import NAMESPACE, issuer_stream_id
from ledger.chain import GENESIS, seal
from ledger.errors import UsageError
from projections.timeline import Recorded

REGISTRY_STREAM = uuid.uuid5(NAMESPACE, "issuers")
TABLE = "ledger_events"


class Conflict(Exception):
    """Another writer appended to the same issuer first; nothing of this batch was written."""


def utcnow() -> dt.datetime:
    # The store's clock: tests move it with freezegun.
    return dt.datetime.now(dt.timezone.utc)


def redact(target: str) -> str:
    """A database target safe to print: never the password."""
    if "://" not in target:
        return target
    parsed = urlparse(target)
    if parsed.password is None:
        return target
    netloc = parsed.netloc.replace(f":{parsed.password}@", ":***@")
    return parsed._replace(netloc=netloc).geturl()


def default_target() -> str:
    return os.environ.get("LEDGER_DB") or "ledger.db"


class Store:
    def __init__(self, target: str, *, create: bool = True):
        self.target = target
        if target.startswith(("postgresql://", "postgres://")):
            self.recorder = _postgres_recorder(target)
        else:
            self.recorder = _sqlite_recorder(target, create=create)

    def close(self) -> None:
        self.recorder.datastore.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- reading ------------------------------------------------------

    def issuers(self) -> list[str]:
        rows = self.recorder.select_events(REGISTRY_STREAM)
        return [json.loads(r.state)["issuer"] for r in rows]

    def raw_records(self, issuer: str, *, after: int = 0) -> list[dict[str, Any]]:
        rows = self.recorder.select_events(issuer_stream_id(issuer), gt=after or None)
        return [json.loads(r.state) for r in rows]

    def records(self, issuer: str) -> list[Recorded]:
        return [to_recorded(r) for r in self.raw_records(issuer)]

    def last(self, issuer: str) -> dict[str, Any] | None:
        rows = self.recorder.select_events(issuer_stream_id(issuer), desc=True, limit=1)
        return json.loads(rows[0].state) if rows else None

    # --- writing ------------------------------------------------------

    def append(self, batches: dict[str, Sequence[Event]], *, expected: dict[str, int] | None = None) -> dict[str, list[dict[str, Any]]]:
        """Append each issuer's events after its last record, all in one transaction.

        `expected` gives the sequence each issuer's log ended at when the
        batch was validated; if another writer got there first, Conflict.
        """
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
                raise Conflict(f"issuer '{issuer}' changed while the batch was being checked")
            prev = last["hash"] if last else GENESIS
            written[issuer] = []
            for event in events:
                sequence += 1
                body = event.model_dump(mode="json", exclude_none=True)
                body.pop("recorded_at", None)
                record = seal(sequence, now, event.event_id, body, prev)
                prev = record["hash"]
                written[issuer].append(record)
                stored.append(StoredEvent(issuer_stream_id(issuer), sequence, event.type,
                                          json.dumps(record, ensure_ascii=False).encode("utf-8")))
        if not stored:
            return written
        try:
            self.recorder.insert_events(stored)
        except IntegrityError as exc:
            raise Conflict("another import appended to the same issuer first; retry") from exc
        return written


def to_recorded(record: dict[str, Any]) -> Recorded:
    data = dict(record["event"])
    data["recorded_at"] = record["recorded_at"]
    return Recorded(
        sequence=record["sequence"],
        recorded_at=dt.datetime.fromisoformat(record["recorded_at"]),
        event=parse_event(data),
        event_id=record["event_id"],
    )


def _sqlite_recorder(path: str, *, create: bool) -> Any:
    from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteDatastore  # noqa: PLC0415

    if not create and not os.path.exists(path):
        raise UsageError(f"{path}: no ledger here (import something first, or give --db)")
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise UsageError(f"{path}: directory {directory} does not exist")
    datastore = SQLiteDatastore(db_name=path, lock_timeout=30)
    recorder = SQLiteApplicationRecorder(datastore, events_table_name=TABLE)
    recorder.create_table()
    return recorder


def _postgres_recorder(url: str) -> Any:
    from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore  # noqa: PLC0415

    parsed = urlparse(url)
    if not parsed.path.strip("/"):
        raise UsageError(f"{redact(url)}: the URL names no database")
    datastore = PostgresDatastore(
        dbname=unquote(parsed.path.lstrip("/")),
        host=parsed.hostname or "localhost",
        port=str(parsed.port or 5432),
        user=unquote(parsed.username or ""),
        password=unquote(parsed.password or ""),
        pool_size=2,
        max_overflow=2,
    )
    recorder = PostgresApplicationRecorder(datastore, events_table_name=TABLE)
    recorder.create_table()
    return recorder
