"""Derived tables beside the log, for fast as-of queries: the resolved timeline and how far back writes reach.

The log stays the only truth. These tables follow it by polling the issuer's
stream from the last tracked sequence (eventsourcing's SQLite recorder cannot
push), and can be dropped and rebuilt at any time:

- `rm_timeline`: every event as the ledger now knows it (corrections applied,
  retracted ones inactive), indexed by effective date;
- `rm_reach`: for each page of the log followed, the earliest effective date it
  changed, which says which checkpoints still hold (ledger.history.checkpoints:
  they live in this machine's cache, as plain data, never in the ledger);
- `rm_tracking`: how far each issuer's log has been read;
- the holdings intervals (ledger.history.interval_table).

An as-of query folds only the events after the nearest checkpoint that holds: a new
event dated in the past (or a correction of one) passes over only the checkpoints
on or after its effective date. Queries about an earlier transaction time
(--known-at) do not use these tables: they replay the log.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sqlite3
from collections.abc import Callable, Iterator
from typing import Any

import orjson
import sqlite_utils
from pydantic import TypeAdapter, ValidationError

from events import Event
from events.registry import AnyEvent, upcast
from ledger.history import interval_table, intervals
from ledger.history.checkpoints import CheckpointCache, cache_file, freeze
from ledger.history.sqlviews import TABLES as SQL_TABLES
from ledger.log.store import Store
from ledger.log.target import readonly_uri
from projections.fold import apply
from projections.state import State
from projections.timeline import Recorded, acted_on, resolve

CHECKPOINT_EVERY = 1000
CACHE_KIB = 128 * 1024
PAGE = 10_000
CORRECTIONS = ("EventCorrected", "EventRetracted")
_EVENT = TypeAdapter(AnyEvent)


SCHEMA = (
    "create table if not exists rm_timeline (issuer text, sequence integer, effective_date text, event_id text, "
    "ref text, type text, active integer, body text, recorded text, primary key (issuer, sequence))",
    # `body` is the event as now known; `recorded`, the event as first recorded, only once a
    # correction has changed `body` (NULL until then: the same text twice doubled the file).
    "create index if not exists rm_timeline_date on rm_timeline (issuer, effective_date, sequence)",
    "create index if not exists rm_timeline_id on rm_timeline (issuer, event_id)",
    "create index if not exists rm_timeline_ref on rm_timeline (issuer, ref)",
    "create table if not exists rm_corrections (issuer text, sequence integer, event_id text, body text, "
    "primary key (issuer, sequence))",
    "create table if not exists rm_reach (issuer text, sequence integer, earliest text, primary key (issuer, sequence))",
    "create table if not exists rm_tracking (issuer text primary key, sequence integer, head_hash text)",
)

# Views for people with SQL (docs/guide.md, "Tables people can query"): always in step with
# the timeline, so nothing to maintain. `tax_id` stays inside `body`: a browser over the
# ledger need not put it in a column.
VIEWS = (
    "create view if not exists parties as select issuer, json_extract(body, '$.party') as party, "
    "json_extract(body, '$.name') as name, json_extract(body, '$.kind') as kind, "
    "json_extract(body, '$.jurisdiction') as jurisdiction, json_extract(body, '$.aliases') as aliases, "
    "effective_date as registered_on, json_extract(body, '$.source.document') as document, event_id "
    "from rm_timeline where type = 'PartyRegistered' and active = 1",
    "create view if not exists events as select issuer, sequence, effective_date, type, event_id, "
    "json_extract(body, '$.recorded_at') as recorded_at, recorded is not null as corrected, "
    "json_extract(body, '$.source.document') as document, json_extract(body, '$.source.locator') as locator, "
    "json_extract(body, '$.source.quote') as quote, body from rm_timeline where active = 1",
)
# The log itself as JSON text, where it is in the same file (SQLite); each record as stored,
# with the fields one filters on taken out.
LOG_VIEW = (
    "create view if not exists log_records as select json_extract(cast(state as text), '$.event.issuer') as issuer, "
    "json_extract(cast(state as text), '$.sequence') as sequence, topic as type, "
    "json_extract(cast(state as text), '$.event_id') as event_id, "
    "json_extract(cast(state as text), '$.recorded_at') as recorded_at, "
    "json_extract(cast(state as text), '$.hash') as hash, cast(state as text) as record "
    "from ledger_events where topic <> 'IssuerRegistered'"
)


def view_sql() -> dict[str, str]:
    """Each view a writer makes, by name, with its SQL as SQLite keeps it (what `verify` expects)."""
    out = {}
    for statement in (*VIEWS, LOG_VIEW):
        name, _, rest = statement.removeprefix("create view if not exists ").partition(" ")
        out[name] = f"CREATE VIEW {name} {rest}"
    return out


def cache_path(target: str) -> str:
    """Where the read models live: in the SQLite ledger itself, or a file of this machine's
    cache for a server."""
    if "://" not in target:
        return target
    path = cache_file(target, "readmodels")
    path.parent.mkdir(parents=True, exist_ok=True)
    return str(path)


def _body(record: dict[str, Any]) -> dict[str, Any]:
    return {**record["event"], "recorded_at": record["recorded_at"]}


def _timeline_row(issuer: str, record: dict[str, Any]) -> dict[str, Any]:
    # Read back only through json.loads, so any JSON text of the same values will do: orjson's
    # (compact, its own float digits) is several times faster. It would write NaN and infinity
    # as null and refuses what it cannot write (integers past 64 bits, lone surrogates): json
    # writes those, as before.
    data = _body(record)
    try:
        body = orjson.dumps(data).decode()
    except orjson.JSONEncodeError:
        body = None
    if body is None or "null" in body:
        body = json.dumps(data, ensure_ascii=False)
    event = record["event"]
    return {"issuer": issuer, "sequence": record["sequence"], "effective_date": event["effective_date"],
            "event_id": record["event_id"], "ref": event.get("ref"), "type": event["type"], "active": 1,
            "body": body, "recorded": None}


def parse(body: str | bytes) -> Event:
    # Straight from the JSON text (twice as fast as loads + validate); the slower
    # path only for a body written under an older schema version, to upcast it.
    try:
        event = _EVENT.validate_json(body)
    except ValidationError:
        event = None
    if event is None or event.schema_version < type(event).SCHEMA_VERSION:
        event = _EVENT.validate_python(upcast(json.loads(body)))
    return event


class Corrections:
    """An issuer's recorded corrections, indexed both ways: by their own id or ref, and by
    what they act on. Each new correction then costs a few lookups, not a pass over all
    of them (at 10^6 events, ~7,000 corrections were rescanned for every new one)."""

    def __init__(self) -> None:
        self.by_key: dict[str, Recorded] = {}
        self.acting_on: dict[str, list[Recorded]] = {}

    def add(self, c: Recorded) -> None:
        self.by_key[c.event_id] = c
        if c.event.ref:
            self.by_key[c.event.ref] = c
        self.acting_on.setdefault(acted_on(c.event), []).append(c)

    def original_of(self, target: str) -> str:
        """Walk back from a correction's target to the event it ultimately acts on."""
        while target in self.by_key:
            target = acted_on(self.by_key[target].event)
        return target

    def chain(self, keys: set[str]) -> list[Recorded]:
        """The corrections acting on `keys`, or on those corrections, in the order they were recorded."""
        found: dict[int, Recorded] = {}
        todo = list(keys)
        while todo:
            for c in self.acting_on.get(todo.pop(), ()):
                if c.sequence not in found:
                    found[c.sequence] = c
                    todo.extend({c.event_id, c.event.ref} - {None})
        return [found[s] for s in sorted(found)]


class ReadModel:
    """The read models of one ledger. Writers (import, replay, `ledger readmodels`) follow the
    log into them; a reader of a SQLite ledger opens them read-only and uses them only when
    they have followed the whole log (`current`). A server's read models are a cache on this
    machine, which its readers may fill."""

    def __init__(self, store: Store, *, readonly: bool = False, inside: sqlite3.Connection | None = None):
        """`inside`: a writer's connection with its transaction open (Store.append's), in which
        these read models follow what it appends, to commit or roll back with it."""
        self.store = store
        self.readonly = readonly
        self.inside = inside is not None
        # Parsed corrections per issuer, kept in step with rm_corrections (cleared on rollback).
        self._corrections: dict[str, Corrections] = {}
        path = cache_path(store.target)
        if inside is not None:
            self.db = sqlite_utils.Database(inside)
        elif readonly:
            self.db = sqlite_utils.Database(sqlite3.connect(readonly_uri(path), uri=True))
        else:
            self.db = sqlite_utils.Database(path)
        # The event-id index takes random inserts; at 10^6 events it is ~60 MB, far past
        # SQLite's default 2 MB page cache. Pages are allocated only as they are used.
        self.db.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
        self.checkpoints = CheckpointCache(store.target)
        if not readonly and not self.inside:  # the writer made them before it began
            self._ensure()

    def read_state(self, issuer: str, day: dt.date) -> State | None:
        """For a reader: the state at the end of `day` if these read models have followed the
        whole log, else None. One read transaction holds everything still, so the head a
        checkpoint is cached under is the head of the very log it was folded from."""
        conn = self.db.conn
        conn.execute("BEGIN")
        try:
            if not self.current(issuer):
                return None
            return self.state_at(issuer, day, follow=False)
        finally:
            conn.execute("ROLLBACK")

    def current(self, issuer: str) -> bool:
        """Whether these read models have followed the issuer's whole log, to its last record."""
        if not self.db["rm_tracking"].exists():
            return False  # an older ledger, or one never followed: nothing to answer from
        sequence, head = self.tracked(issuer)
        last = self.store.last(issuer)
        return last is not None and last.get("sequence") == sequence and last.get("hash") == head

    def close(self) -> None:
        if not self.inside:  # the writer's connection is the writer's to close
            self.db.close()
        self.checkpoints.close()

    def _ensure(self) -> None:
        # Several processes may open a new ledger at once: every statement tolerates the others.
        for statement in SCHEMA + interval_table.SCHEMA + VIEWS:
            self.db.execute(statement)
        # Older ledgers kept pickled checkpoints here: a ledger file holds no code to run.
        self.db.execute("drop table if exists rm_checkpoints")
        interval_table.adopt_rules(self.db.conn)
        if cache_path(self.store.target) == self.store.target:
            self.db.execute(LOG_VIEW)
        self.db.conn.commit()

    # --- following the log --------------------------------------------------

    def tracked(self, issuer: str) -> tuple[int, str | None]:
        if self.readonly and not self.db["rm_tracking"].exists():
            return 0, None  # never followed (a reader cannot make the table)
        row = self.db.execute("select sequence, head_hash from rm_tracking where issuer=?", [issuer]).fetchone()
        return (row[0], row[1]) if row else (0, None)

    def catch_up(self, issuer: str, derived: intervals.Derived | None = None) -> None:
        """Read the log from where we stopped, a page at a time, each page in one transaction."""
        self._follow_log(issuer)
        self.refresh_intervals(issuer, derived)

    def _follow_log(self, issuer: str) -> None:
        # The log as committed: inside a writer's transaction, the store's other connections
        # do not see what it has not committed yet.
        last, head = self.tracked(issuer)
        if last:
            # The log is append-only; if the record we stopped at changed, our copy is stale.
            mark = next(self.store.iter_raw_records(issuer, after=last - 1, page=1), None)
            if mark is None or mark.get("hash") != head:
                self.drop(issuer)
                last = 0
        page: list[dict[str, Any]] = []
        for record in self.store.iter_raw_records(issuer, after=last):
            page.append(record)
            if len(page) == PAGE:
                self._follow(issuer, page)
                page = []
        if page:
            self._follow(issuer, page)

    def follow_written(self, issuer: str, written: list[dict[str, Any]],
                       derived: intervals.Derived | None = None) -> None:
        """Records this process just appended: followed without reading them back, if they are next;
        `derived`, the holdings intervals its check derived from them."""
        if self.inside:
            # What was committed before this batch first (a writer that stopped before following it),
            # then the batch, which only this transaction sees.
            self._follow_log(issuer)
        if written and self.tracked(issuer)[0] == written[0]["sequence"] - 1:
            for start in range(0, len(written), PAGE):
                self._follow(issuer, written[start:start + PAGE])
        if self.inside:
            self.refresh_intervals(issuer, derived)
        else:
            self.catch_up(issuer, derived)  # anything else, or everything if another writer came first

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        """One write transaction, the write lock taken first; inside a writer's, that one, which
        the writer commits or rolls back."""
        if self.inside:
            yield
            return
        conn = self.db.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            self._corrections.clear()  # kept in step with rm_corrections, which went back
            raise

    def _follow(self, issuer: str, new: list[dict[str, Any]]) -> None:
        # Several processes may follow the same log: take the write lock first, then skip
        # what another follower already wrote while we were reading.
        with self._transaction():
            tracked = self.tracked(issuer)[0]
            new = [r for r in new if r["sequence"] > tracked]
            if new:
                self._apply_page(issuer, new)

    def _apply_page(self, issuer: str, new: list[dict[str, Any]]) -> None:
        if any("unreadable" in r for r in new):
            raise LookupError(f"{issuer}: the log has an unreadable record; run `ledger verify`")
        dirty: str | None = None
        plain = [r for r in new if r["event"]["type"] not in CORRECTIONS]
        self.db.conn.executemany(
            "insert into rm_timeline (issuer, sequence, effective_date, event_id, ref, type, active, body, recorded) "
            "values (:issuer, :sequence, :effective_date, :event_id, :ref, :type, :active, :body, :recorded)",
            [_timeline_row(issuer, r) for r in plain])
        if plain:
            dirty = min(r["event"]["effective_date"] for r in plain)
        for r in new:
            if r["event"]["type"] in CORRECTIONS:
                day = self._apply_correction(issuer, r)
                dirty = day if dirty is None else min(dirty, day)
        if dirty is not None:
            # The holdings intervals are re-derived from the earliest date a write reaches back to
            # (refresh_intervals, once the pages are followed); never built: from the beginning.
            self.db.execute("insert into rm_intervals (issuer, sequence, dirty) values (?, 0, '') "
                            "on conflict (issuer) do update set dirty = min(coalesce(dirty, ?), ?)",
                            [issuer, dirty, dirty])
            self.db.execute("insert or replace into rm_reach (issuer, sequence, earliest) values (?, ?, ?)",
                            [issuer, new[-1]["sequence"], dirty])
            # The tables `ledger readmodels` builds hold every event date; the issuer's rows are
            # stale now, so they go (a query never answers from them) until it is run again.
            for table in set(SQL_TABLES) & set(self.db.table_names()):
                self.db.execute(f"delete from {table} where issuer=?", [issuer])  # noqa: S608
        self.db.execute("insert or replace into rm_tracking (issuer, sequence, head_hash) values (?, ?, ?)",
                        [issuer, new[-1]["sequence"], new[-1]["hash"]])

    def _apply_correction(self, issuer: str, record: dict[str, Any]) -> str:
        """Re-resolve the one original a correction acts on; return the earliest date it touches."""
        corrections = self._corrections_of(issuer)  # loaded before the insert below
        body = json.dumps(_body(record), ensure_ascii=False)
        self.db.execute("insert into rm_corrections (issuer, sequence, event_id, body) values (?, ?, ?, ?)",
                        [issuer, record["sequence"], record["event_id"], body])
        corrections.add(self._recorded(record["sequence"], record["event_id"], body))
        found = self.find(issuer, corrections.original_of(record["event"].get("retracts")
                                                          or record["event"].get("corrects")))
        if found is None:
            raise LookupError(f"{issuer}: correction {record['event_id']} acts on an event not in the timeline")
        row = (found[0], found[1], found[3], found[2])  # sequence, event_id, recorded, effective_date
        original = self._recorded(row[0], row[1], row[2])
        resolved = resolve([original, *corrections.chain({original.event_id, original.event.ref} - {None})])
        before = row[3]
        if resolved:
            event = resolved[0]
            body = {**event.model_dump(mode="json", exclude_none=True),
                    "recorded_at": original.recorded_at.isoformat()}
            self.db.execute("update rm_timeline set active=1, effective_date=?, recorded=coalesce(recorded, body), "
                            "body=? where issuer=? and sequence=?",
                            [event.effective_date.isoformat(), json.dumps(body, ensure_ascii=False), issuer, row[0]])
            return min(before, event.effective_date.isoformat())
        self.db.execute("update rm_timeline set active=0 where issuer=? and sequence=?", [issuer, row[0]])
        return before

    def _corrections_of(self, issuer: str) -> Corrections:
        """The issuer's recorded corrections, parsed once per read model and kept in step."""
        if issuer not in self._corrections:
            index = Corrections()
            for row in self.db.query("select * from rm_corrections where issuer=? order by sequence", [issuer]):
                index.add(self._recorded(row["sequence"], row["event_id"], row["body"]))
            self._corrections[issuer] = index
        return self._corrections[issuer]

    @staticmethod
    def _recorded(sequence: int, event_id: str, body: str) -> Recorded:
        event = parse(body)
        return Recorded(sequence, event.recorded_at, event, event_id)

    def drop(self, issuer: str) -> None:
        self._corrections.pop(issuer, None)
        with self._transaction():
            for table in ("rm_timeline", "rm_corrections", "rm_reach", "rm_tracking", "rm_holdings_iv",
                          "rm_intervals"):
                self.db.conn.execute(f"delete from {table} where issuer=?", [issuer])  # noqa: S608 (fixed names)

    def refresh_intervals(self, issuer: str, derived: intervals.Derived | None = None) -> None:
        """Re-derive the holdings intervals from the earliest date the writes since the last
        refresh reach back to (ledger.history.intervals), in one transaction. `derived`: the
        derivation an import made while checking its batch, used if nothing changed since."""
        with self._transaction():
            self._refresh_intervals(issuer, derived)

    def _refresh_intervals(self, issuer: str, derived: intervals.Derived | None) -> None:
        tracked = self.tracked(issuer)[0]
        row = self.db.execute("select sequence, dirty from rm_intervals where issuer=?", [issuer]).fetchone()
        if row is not None and row[1] is None and row[0] == tracked:
            return
        dirty = "" if row is None else (row[1] or "")
        if (derived is not None and row is not None and row[0] == derived.sequence
                and tracked == derived.through_sequence and derived.start <= dirty):
            # The batch's own check folded exactly what follows `start`, from the table as it is.
            self._write_intervals(issuer, derived, tracked)
            return
        open_rows, in_table = self.interval_base(issuer, dirty)
        if dirty == "":
            state, after, before = State(), "", None
        else:
            before = dt.date.fromisoformat(dirty) - dt.timedelta(days=1)
            state = self.state_at(issuer, before, follow=False, save=False)
            after = before.isoformat()
        sweep = intervals.Sweep(state, open_rows, before)
        self._clear_intervals(issuer, dirty)
        for day, events in intervals.by_day((dt.date.fromisoformat(day), event)
                                            for day, _, _, event in self.rows_after(issuer, after)):
            sweep.day(day, events)
            # Written in this transaction as they close, rather than all held to the end.
            intervals.spill(sweep, lambda spans: self._insert_spans(issuer, spans))
        rest = sweep.finish()
        self._write_intervals(issuer, intervals.Derived(dirty, 0, 0, in_table, sweep.closed, rest), tracked,
                              cleared=True)

    def interval_base(self, issuer: str, start: str) -> tuple[dict[interval_table.Key, tuple[str, str]],
                                                                dict[interval_table.Key, tuple[int, str, str]]]:
        """Reading only: the rows in force the day before `start` ("": none), which a derivation from
        `start` begins with, and of those the open ones as they stand in the table."""
        if start == "":
            return {}, {}
        execute = self.db.conn.execute
        # Closed ones that end on or after `start` are reopened, to be closed again where the new fold says.
        open_rows = {(o, p, s): (begun, text) for o, p, s, begun, text in execute(
            "select distinct ord, party, security, valid_from, row from rm_holdings_iv where issuer=? "
            "and valid_from<? and valid_to>=? and valid_to<>?", [issuer, start, start, interval_table.OPEN])}
        in_table = {}
        for o, p, s, begun, text in execute(
                "select ord, party, security, valid_from, row from rm_holdings_iv where issuer=? and epoch=? "
                "and valid_from<?", [issuer, interval_table.OPEN_EPOCH, start]):
            open_rows[(o, p, s)] = in_table[(o, p, s)] = (begun, text)
        return open_rows, in_table

    def _clear_intervals(self, issuer: str, start: str) -> None:
        """What begins on or after a derivation's start, and the closed rows it reopens."""
        execute = self.db.conn.execute
        if start == "":
            execute("delete from rm_holdings_iv where issuer=?", [issuer])
        else:
            execute("delete from rm_holdings_iv where issuer=? and valid_from>=?", [issuer, start])
            execute("delete from rm_holdings_iv where issuer=? and valid_to>=? and valid_to<>?",
                    [issuer, start, interval_table.OPEN])

    def _insert_spans(self, issuer: str, spans: list[tuple[interval_table.Key, str, str, str]]) -> None:
        self.db.conn.executemany("insert into rm_holdings_iv values (?, ?, ?, ?, ?, ?, ?, ?)",
                                 interval_table.table_rows(issuer, spans))

    def _write_intervals(self, issuer: str, derived: intervals.Derived, tracked: int, cleared: bool = False) -> None:
        """What begins on or after the derivation's start goes (unless `cleared` already), with the
        closed rows it reopened and the open rows it changed; its intervals come in their place."""
        execute = self.db.conn.execute
        if not cleared:
            self._clear_intervals(issuer, derived.start)
        rest, in_table = derived.rest, derived.in_table
        # An open row is one per key (its primary key: the key, the open epoch, the day it began).
        self.db.conn.executemany(
            "delete from rm_holdings_iv where issuer=? and ord=? and epoch=? and party=? and security=? and valid_from=?",
            [(issuer, o, interval_table.OPEN_EPOCH, p, s, begun) for (o, p, s), (begun, text) in in_table.items()
             if rest.get((o, p, s)) != (begun, text)])
        self._insert_spans(issuer, derived.closed + [(key, begun, interval_table.OPEN, text)
                                                     for key, (begun, text) in rest.items()
                                                     if in_table.get(key) != (begun, text)])
        execute("insert or replace into rm_intervals (issuer, sequence, dirty) values (?, ?, null)", [issuer, tracked])

    def answer_at(self, read: Callable[..., list[dict[str, Any]]], issuer: str, day: dt.date,
                  *options: Any) -> list[dict[str, Any]] | None:
        """For a reader: `read(conn, issuer, day, *options)` (ledger.history.answers) from the
        intervals, if they have followed the whole log; else None. One read transaction."""
        conn = self.db.conn
        conn.execute("BEGIN")
        try:
            if not self.current(issuer) or "rm_intervals" not in self.db.table_names():
                return None
            if not interval_table.followed(conn, issuer, self.tracked(issuer)[0]):
                return None
            return read(conn, issuer, day, *options)
        finally:
            conn.execute("ROLLBACK")

    # --- answering ----------------------------------------------------------

    def events_between(self, issuer: str, after: str, through: str) -> Iterator[tuple[str, Event]]:
        cursor = self.db.execute(
            "select effective_date, body from rm_timeline where issuer=? and active=1 and effective_date>? "
            "and effective_date<=? order by effective_date, sequence", [issuer, after, through])
        for day, body in cursor:
            yield day, parse(body)

    def rows_after(self, issuer: str, after: str) -> Iterator[tuple[str, int, str, Event]]:
        """(date, sequence, event_id, event) of the active timeline after a date, in fold order."""
        cursor = self.db.execute(
            "select effective_date, sequence, event_id, body from rm_timeline where issuer=? and active=1 "
            "and effective_date>? order by effective_date, sequence", [issuer, after])
        try:
            for day, sequence, event_id, body in cursor:
                yield day, sequence, event_id, parse(body)
        finally:
            cursor.close()

    def find(self, issuer: str, key: str) -> tuple | None:
        """The timeline row an id or ref names: (sequence, event_id, effective_date, recorded, body, active)."""
        # Two lookups, each on its own index (an OR would scan the issuer's timeline).
        # "+sequence" keeps SQLite on the (issuer, ref) index instead of scanning in sequence order.
        columns = "select sequence, event_id, effective_date, coalesce(recorded, body), body, active from rm_timeline "
        return (self.db.execute(columns + "where issuer=? and event_id=? limit 1", [issuer, key]).fetchone()
                or self.db.execute(columns + "where issuer=? and ref=? order by +sequence limit 1",
                                   [issuer, key]).fetchone())

    # --- checkpoints, in this machine's cache (ledger.history.checkpoints) -------------------

    def holds(self, issuer: str) -> Callable[[str, int, str], bool]:
        """Whether a checkpoint of `date` made at record (sequence, head) still holds for the
        issuer's log as these read models have followed it."""
        tracked, tracked_head = self.tracked(issuer)
        # Every page followed writes its reach, the last one at the sequence followed to; if not,
        # a version that keeps none followed the last pages, and only the head itself tells.
        reach = "rm_reach" in self.db.table_names() and self.db.execute(
            "select max(sequence) from rm_reach where issuer=?", [issuer]).fetchone()[0] == tracked

        def holds(day: str, sequence: int, head: str) -> bool:
            if sequence >= tracked:
                return sequence == tracked and head == tracked_head
            if not reach:
                return False
            mark = next(self.store.iter_raw_records(issuer, after=sequence - 1, page=1), None)
            if mark is None or mark.get("sequence") != sequence or mark.get("hash") != head:
                return False
            (earliest,) = self.db.execute("select min(earliest) from rm_reach where issuer=? and sequence>?",
                                          [issuer, sequence]).fetchone()
            return earliest is None or earliest > day

        return holds

    def nearest(self, issuer: str, through: str) -> tuple[str, State]:
        """The latest checkpoint on or before `through` that still holds, or an empty state."""
        return self.checkpoints.nearest(issuer, through, self.holds(issuer))

    def state_at(self, issuer: str, day: dt.date, *, follow: bool = True, save: bool = True) -> State:
        """The state at the end of `day`: the nearest checkpoint, then the events after it.
        `save` keeps a checkpoint in this machine's cache when the query folded many events;
        nothing is ever written to the ledger (`follow` catches the read models up first)."""
        if follow:
            self.catch_up(issuer)
        through = day.isoformat()
        # Read before the fold: a page another process follows meanwhile then comes after the
        # stamp, and is judged against the checkpoint (ledger.history.checkpoints).
        sequence, head = self.tracked(issuer)
        since, state = self.nearest(issuer, through)
        pending = 0
        for _, event in self.events_between(issuer, since, through):
            apply(state, event)
            pending += 1
        if save and pending >= CHECKPOINT_EVERY:
            # One checkpoint per query, at the end of the day asked about (every event dated on or
            # before it is in), where the next query near it will look: freezing a large state
            # costs more than folding a thousand events, so not one every thousand on the way.
            if head is not None:
                self.checkpoints.keep(issuer, [(through, freeze(state, through))], sequence, head)
        state.day = day
        return state
