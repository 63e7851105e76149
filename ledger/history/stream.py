"""Streaming full replay: what a whole log folds to, in bounded memory.

`fold(resolve(known_at(records, instant)), as_of)` parses every record before
it folds one, and keeps them all: several GiB at 10^6 events. The same history
comes out of two passes here:

1. the scan, in log order, a page at a time: every record is spooled to a
   scratch file (ledger.log.spool) with its sort key, and only corrections and
   retractions, which are few, are parsed and kept;
2. the history: what the corrections make of the events they act on is worked
   out by `projections.timeline.overrides`, as `resolve` does, from the
   corrections and the records they name; then the spool gives the records
   back in fold order, and each is parsed once, handed on, and let go.

The sort key is read from a record's JSON only where it is certain to be what
the parsed event will say (a plain ISO date, the current schema version, a
well-formed record). Any other record is parsed in the scan, by `to_recorded`
as before.

Records that do not parse are collected as failures (verify reports them and
folds the rest). `replay` instead raises what the in-memory replay raised: the
first record in log order that does not parse, then a known-at comparison that
fails, then what resolving or folding raises.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from events import Event, EventCorrected, EventRetracted
from events.registry import EVENT_TYPES
from ledger.log.spool import Spool
from ledger.log.store import to_recorded
from projections.fold import apply
from projections.state import State
from projections.timeline import Recorded, acted_on, overrides

CORRECTIONS = ("EventCorrected", "EventRetracted")
# A date pydantic reads exactly as written: four-digit year, so text order is date order.
PLAIN_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# What `to_recorded` raises for a record that is not a ledger event (as ledger.checks.integrity catches).
NOT_AN_EVENT = (ValidationError, KeyError, TypeError, ValueError)
_MISSING = object()
# A raw record, or a raw record and the JSON bytes it was read from.
Record = dict[str, Any] | tuple[dict[str, Any], bytes]


@dataclass(frozen=True)
class Plan:
    """A history to read back: the records it takes (before `end`, not in `skip`), the corrected
    ones it passes over, and their replacements with the (day, seq, pos) they are folded at."""

    end: int
    skip: frozenset[int]
    moved: dict[int, Event]
    replaced: frozenset[int]
    rows: list[tuple[str, Any, int]]


def _upcast_with_its_id(record: dict[str, Any], r: Recorded) -> bool:
    """A record written under an older schema version is read as its upcast, whose content (and
    so whose id) differs: its id is then checked against its content as stored."""
    stored = record.get("event")
    if not isinstance(stored, dict) or (stored.get("type") == r.event.type
                                        and stored.get("schema_version", 1) == r.event.schema_version):
        return False
    from events.identity import stored_event_id  # noqa: PLC0415

    return stored_event_id(stored, type(r.event).ENVELOPE) == record.get("event_id")


@dataclass(frozen=True)
class Failure:
    """A record that does not parse: its place in the log, its sequence as written, the error."""

    position: int
    sequence: Any
    error: Exception


def _plain_key(record: dict[str, Any]) -> tuple[str, dt.datetime] | None:
    """(effective date, recorded_at) of a plain record, read without parsing it; None for a
    correction or for any record whose parsed event could say otherwise."""
    event = record.get("event")
    if not isinstance(event, dict) or type(record.get("sequence")) is not int:
        return None
    kind = event.get("type")
    cls = EVENT_TYPES.get(kind) if type(kind) is str else None
    if cls is None or kind in CORRECTIONS or event.get("schema_version", 1) != cls.SCHEMA_VERSION:
        return None  # unknown (will not parse), a correction, or upcast on read
    day, ref, event_id = event.get("effective_date"), event.get("ref"), record.get("event_id")
    if type(day) is not str or not PLAIN_DAY.fullmatch(day) or type(event_id) is not str:
        return None
    if ref is not None and type(ref) is not str:
        return None
    stamp = record.get("recorded_at")
    if type(stamp) is not str:
        return None
    try:
        return day, dt.datetime.fromisoformat(stamp)
    except ValueError:
        return None


def _column(value: Any) -> Any:
    # Only a record altered outside the ledger has a sequence or id SQLite cannot hold; the chain
    # check reports it, and here it sorts as NULL.
    return value if isinstance(value, int | float | str) else None


class SpooledLog:
    """One issuer's log: scanned once into a spool, then read back as its history in fold order.

    `instant` filters by transaction time as `known_at`; `check_ids` compares each parsed
    event's id with the record's (verify); `strict` raises as the in-memory replay did.
    """

    def __init__(self, instant: dt.datetime | None = None, *, check_ids: bool = False, strict: bool = False):
        self.instant = instant
        self.check_ids = check_ids
        self.strict = strict
        self.spool = Spool()
        self.count = 0
        self.last: dict[str, Any] | None = None
        # Parsed in the scan, by position: corrections, and other events whose key needed parsing.
        self.corrections: list[tuple[int, Recorded]] = []
        self.irregular: dict[int, Recorded] = {}
        self._looked_up: dict[int, Recorded | None] = {}  # records parsed to resolve corrections
        self.hidden: set[int] = set()  # of those parsed in the scan, the ones recorded after `instant`
        # By position, so that a record parsed twice (a second history) is noted once.
        self.failures: dict[int, Failure] = {}
        self.mismatched: dict[int, Any] = {}  # position -> sequence: the event_id differs
        self.flagged: list[int] = []  # records carrying an "unreadable" mark
        # Each record's sequence as written, for `first_beyond`: whole numbers packed, others apart.
        self._sequences = array("q")
        self._odd_sequences: dict[int, Any] = {}
        self.late: Exception | None = None  # the first known-at comparison that failed
        self._scanned = False  # the whole log is in the spool
        self._complete = False  # every record parsed once: failures and mismatches are all known
        self._raising = False  # the first failure is on its way up

    def close(self) -> None:
        self.spool.close()

    def __enter__(self) -> SpooledLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- pass 1: the scan -------------------------------------------------------------

    def scan(self, records: Iterable[Record]) -> Iterator[dict[str, Any]]:
        """Spool each record and pass it on (to the chain check, say); the log is in when it ends.

        A record may come with the JSON bytes it was decoded from (Store.iter_raw_rows), which
        are spooled as they are; a record alone is encoded again."""
        for position, item in enumerate(records):
            record, body = item if isinstance(item, tuple) else (item, None)
            self._take(position, record, body)
            yield record
        self.spool.seal()
        self._scanned = True

    def scan_all(self, records: Iterable[Record]) -> SpooledLog:
        for _ in self.scan(records):
            pass
        return self

    def _take(self, position: int, record: dict[str, Any], body: bytes | None) -> None:
        self.count += 1
        self.last = record
        if "unreadable" in record:
            self.flagged.append(position)
        sequence = record.get("sequence", _MISSING)
        if type(sequence) is int and -2**63 <= sequence < 2**63:
            self._sequences.append(sequence)
        else:
            self._sequences.append(0)
            self._odd_sequences[position] = sequence
        key = _plain_key(record)
        if key is None:
            self._take_parsed(position, record, body)
            return
        day, recorded_at = key
        visible = self._visible(recorded_at)
        event = record["event"]
        self.spool.add(position, record["sequence"], day, record["event_id"], event.get("ref"), visible,
                       json.dumps(record) if body is None else body)

    def _take_parsed(self, position: int, record: dict[str, Any], body: bytes | None) -> None:
        r = self._parse(position, record)
        if r is None:
            return
        visible = self._visible(r.recorded_at)
        if not visible:
            self.hidden.add(position)
        if isinstance(r.event, EventRetracted | EventCorrected):
            if visible:
                self.corrections.append((position, r))
            return
        self.irregular[position] = r
        self.spool.add(position, _column(r.sequence), r.event.effective_date.isoformat(), _column(r.event_id),
                       r.event.ref, visible, json.dumps(record) if body is None else body)

    def _visible(self, recorded_at: dt.datetime) -> bool:
        if self.instant is None:
            return True
        try:
            return recorded_at <= self.instant
        except TypeError as exc:  # an instant without a zone: known_at raises once all has parsed
            self.late = self.late or exc
            return False

    def _parse(self, position: int, record: dict[str, Any]) -> Recorded | None:
        """`to_recorded`, with the outcome noted once: a failure, or a mismatched event_id."""
        try:
            r = to_recorded(record)
        except NOT_AN_EVENT as exc:
            self.failures[position] = Failure(position, record.get("sequence"), exc)
            # While scanning, an unreadable record further on must still win (as before).
            if self.strict and self._scanned:
                self.raise_first_failure()
            return None
        if self.check_ids and r.event.event_id != record.get("event_id") and not _upcast_with_its_id(record, r):
            self.mismatched[position] = r.sequence
        return r

    def _parse_body(self, position: int, body: str | bytes) -> Recorded | None:
        if position in self.irregular:
            return self.irregular[position]
        if position in self._looked_up:
            return self._looked_up[position]
        return self._parse(position, json.loads(body))

    # --- errors as the in-memory replay raised them --------------------------------------

    def raise_first_failure(self) -> None:
        """Raise what parsing the whole log in order would have raised first, if anything."""
        if self._raising:
            return  # already raising it
        first = self.failures[min(self.failures)] if self.failures else None
        if not self._complete:
            # Records not parsed yet may fail too, and earlier in the log: parse them in order.
            for position, body in self.spool.in_log_order():
                if first is not None and position >= first.position:
                    break
                if position not in self.irregular and position not in self._looked_up:
                    try:
                        to_recorded(json.loads(body))
                    except NOT_AN_EVENT:
                        self._raising = True
                        raise
        if first is not None:
            self._raising = True
            raise first.error

    # --- a reader that stops early ---------------------------------------------------------

    def first_beyond(self, limit: int) -> tuple[int | None, Exception | None]:
        """Where a reader that stops at the first sequence above `limit` stops: the position
        (None: it reads all), or what comparing a sequence with `limit` raised there."""
        if not self._odd_sequences and (not self._sequences or max(self._sequences) <= limit):
            return None, None
        for position, sequence in enumerate(self._sequences):
            if position in self._odd_sequences:
                sequence = self._odd_sequences[position]
                try:
                    if sequence is _MISSING:
                        raise KeyError("sequence")
                    if sequence > limit:
                        return position, None
                except Exception as exc:  # noqa: BLE001 (raised later, where that reader would have)
                    return position, exc
            elif sequence > limit:
                return position, None
        return None, None

    # --- pass 2: the history ----------------------------------------------------------------

    def plan(self, *, before: int | None = None, skip: frozenset[int] = frozenset()) -> Plan:
        """What the corrections make of the events they act on (raises what `resolve` raised).
        `before` and `skip` (positions) leave records out, as a reader that stopped early or
        passed some by would."""
        if self.strict and self.late is not None:
            self.raise_first_failure()
            raise self.late
        end = self.count if before is None else before
        current, named = self._overrides(end, skip)
        moved = {p: current[r.event_id] for p, r in named.items()
                 if r.event_id in current and current[r.event_id] is not None}
        replaced = frozenset(p for p, r in named.items() if r.event_id in current)
        return Plan(end, skip, moved, replaced, [(e.effective_date.isoformat(), _column(named[p].sequence), p)
                                                 for p, e in moved.items()])

    def history(self, plan: Plan | None = None) -> Iterator[Event]:
        """The events as `resolve` orders them, corrections applied; each record is parsed here,
        once, and checked the first time through."""
        plan = plan if plan is not None else self.plan()
        self.spool.move(plan.rows)
        for position, is_moved, visible, day, ref, body in self.spool.in_fold_order():
            if is_moved:
                yield plan.moved[position]
                continue
            r = self._parse_body(position, body)
            if r is None:
                continue
            if r.event.ref != ref or r.event.effective_date.isoformat() != day:
                # The order and the lookups relied on the JSON saying what the event says.
                raise RuntimeError(f"record {r.sequence}: its parsed date or ref differs from its JSON")
            if not visible or position >= plan.end or position in plan.skip or position in plan.replaced:
                continue
            yield r.event
        self._complete = True

    def check_all(self) -> None:
        """Parse and check every record not yet parsed (when no history could be told)."""
        if not self._complete:
            for position, body in self.spool.in_log_order():
                self._parse_body(position, body)
            self._complete = True

    def _overrides(self, end: int, skip: frozenset[int]) -> tuple[dict[str, Event | None], dict[int, Recorded]]:
        """`overrides` over the corrections and every record that they can name.

        `overrides` looks records up by the id or ref a correction names, then by the event_id
        of what it found; every record with such an id or ref is here, in log order, so each
        lookup finds what it finds in the whole log. So are the records parsed in the scan,
        whose ids may be anything (an id that cannot be a key fails in `overrides`, as before)."""
        def taken(position: int, visible: bool = True) -> bool:
            return visible and position < end and position not in skip and position not in self.hidden

        corrections = [(p, r) for p, r in self.corrections if taken(p)]
        named = {p: r for p, r in self.irregular.items() if taken(p)}
        if not corrections and not named:
            return {}, {}
        if corrections:
            keys = {acted_on(r.event) for _, r in corrections}
            named.update(self._named(keys, taken))
            ids = {r.event_id for r in named.values() if isinstance(r.event_id, str)} - keys
            named.update(self._named(ids, taken))
        records = sorted([*corrections, *named.items()], key=lambda pr: pr[0])
        return overrides([r for _, r in records]), named

    def _named(self, keys: set[str], taken: Callable[[int, bool], bool]) -> dict[int, Recorded]:
        out: dict[int, Recorded] = {}
        for position, visible, body in self.spool.named(keys):
            if not taken(position, bool(visible)):
                continue
            r = self._parse_body(position, body)
            self._looked_up[position] = r  # parsed (and checked) once
            if r is not None:
                out[position] = r
        return out


def replay(records: Iterable[Record], instant: dt.datetime | None = None,
           as_of: dt.date | None = None) -> State:
    """`fold(resolve(known_at(records, instant)), as_of)` from raw records, in bounded memory."""
    with SpooledLog(instant, strict=True) as log:
        log.scan_all(records)
        state = State()
        try:
            for event in log.history():
                # Events after `as_of` are not folded, but still parsed: a record that does not
                # parse is an error wherever it falls, as it was for the in-memory replay.
                if as_of is None or event.effective_date <= as_of:
                    apply(state, event)
        except Exception:
            log.raise_first_failure()
            raise
    if as_of is not None:
        state.day = as_of
    return state
