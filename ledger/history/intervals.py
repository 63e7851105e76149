"""Holdings rows, class terms, warrant schedules and control as validity intervals, derived:
what `rm_holdings_iv` holds (its layout and how it is read are in
ledger.history.interval_table), re-derived from a fold of the timeline.

The intervals are re-derived, never patched: a write that reaches back to a date (a
backdated event, a correction, a retraction) deletes what begins on or after it, reopens
what was in force the day before, and folds the log again from there, emitting a new
interval only where a row changes. Rows change on the dates of events, and on the dates
that act on their own (a tranche opening, an expiry), which split intervals too.

Which rows an event can change is read from the fold itself: the state's positions are
watched as the fold writes them (`_Watched`), an event names the warrant, grant or
instrument it acts on, a split changes those on its class, and the end of a holder's service changes the
holder's grants (the two handlers that change what they do not name). A live warrant's
schedule changes with its row. Who controls whom and each plan's pool are taken again on
every date a row may change: they are small. The classes' terms are taken again only when
what they are made of differs from the last date's (`_class_texts`): the classes, their
ratios and approvals, whether each converts that day, the reports in force and the
holdings no source numbers; building them (a record per report in force) is most of
what a date costs otherwise. `verify`
and a property test compare every date's answer with a fresh fold.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import orjson

from events import Event, ServiceEnded, StockSplit
from ledger.history.interval_table import CLASS, CONTROL, NOTE, OPEN, POOL, SCHEDULE, SHARES, WARRANT, Key, table_rows
from projections.class_terms import class_terms
from projections.control import control_of
from projections.dilution import exercisable_within, window_dates
from projections.fold import apply
from projections.holdings import note_row, pool_rows, share_row, warrant_row
from projections.state import State
from projections.warrants import WarrantState

T = TypeVar("T")


@dataclass
class Derived:
    """Intervals derived from `start` ("": from nothing): those closed, the rows in force after the
    last date, and the open rows of the table it began with. An import's check derives
    them from the log at `sequence`, for the log at `through_sequence` once its batch is in."""

    start: str
    sequence: int
    through_sequence: int
    in_table: dict[Key, tuple[str, str]]
    closed: list[tuple[Key, str, str, str]]
    rest: dict[Key, tuple[str, str]]


class _Watched(dict):
    """A dict that remembers which keys the fold wrote or removed."""

    __slots__ = ("touched",)

    def __init__(self, items: dict) -> None:
        super().__init__(items)
        self.touched: set = set()

    def __setitem__(self, key: Any, value: Any) -> None:
        self.touched.add(key)
        dict.__setitem__(self, key, value)

    def __delitem__(self, key: Any) -> None:
        self.touched.add(key)
        dict.__delitem__(self, key)

    def pop(self, key: Any, *default: Any) -> Any:
        self.touched.add(key)
        return dict.pop(self, key, *default)


def _text(row: dict[str, Any]) -> str:
    # Read back only as JSON; compact, keys in the projection's order. A row holds strings,
    # integers and nulls, which orjson writes as json would.
    return orjson.dumps(row).decode()


_NAMES_WARRANT: dict[type, str | None] = {}


def _named_warrant(event: Event) -> str | None:
    """The warrant or grant an event acts on, if its type has that field (asking a pydantic
    model for a field it lacks costs an exception)."""
    kind = type(event)
    if kind not in _NAMES_WARRANT:
        fields = kind.model_fields
        _NAMES_WARRANT[kind] = next((f for f in ("warrant", "grant", "instrument") if f in fields), None)
    name = _NAMES_WARRANT[kind]
    return getattr(event, name) if name is not None else None


def _dates_of(w: WarrantState) -> set[dt.date]:
    """The dates on which a warrant's rows can change with no event: when it was issued, when a
    tranche opens or was met, when it expires; and (its schedule row: what it can become within
    60 days) when a tranche comes within the window."""
    out = {w.issued_on} | window_dates(w)
    if w.expires is not None:
        out.add(w.expires)
    for t in w.tranches:
        if t.exercisable_from is not None:
            out.add(t.exercisable_from)
        if t.met_on is not None:
            out.add(t.met_on)
    return out


class Sweep:
    """Folds days of events onto a state, and records every change of a holdings row.

    `state` is folded through `through` (None: nothing folded yet); `open_rows` are the rows in
    force on that day, by key, each with the date it began; `closed` collects (key, valid_from,
    valid_to, row) as rows end. Dates on or before `through` act no more."""

    def __init__(self, state: State, open_rows: dict[Key, tuple[str, str]], through: dt.date | None = None) -> None:
        self.state = state
        self.open = dict(open_rows)
        self.closed: list[tuple[Key, str, str, str]] = []
        # Warrants and notes by id: the key of the row in force (a transfer changes its holder).
        self.rows_of = {(k[0], k[2]): k for k in open_rows if k[0] in (WARRANT, NOTE, SCHEDULE)}
        state.shares = _Watched(state.shares)
        state.warrants = _Watched(state.warrants)
        state.notes = _Watched(state.notes)
        self.triggers: list[tuple[dt.date, str]] = []
        self.scheduled: set[tuple[dt.date, str]] = set()
        self.last = through
        self._class_inputs: tuple | None = None
        self._class_rows: list[tuple[str, str]] = []
        for w in state.warrants.values():
            self._schedule(w)

    def _schedule(self, w: WarrantState) -> None:
        for day in _dates_of(w):
            if (self.last is None or day > self.last) and (day, w.warrant) not in self.scheduled:
                self.scheduled.add((day, w.warrant))
                heapq.heappush(self.triggers, (day, w.warrant))

    def _pop(self) -> tuple[dt.date, str]:
        due = heapq.heappop(self.triggers)
        self.scheduled.discard(due)
        return due

    def day(self, day: dt.date, events: Iterable[Event]) -> None:
        """Fold one day's events, then record the rows that change on it."""
        self._until(day)
        state = self.state
        warrants: set[str] = set()
        for event in events:
            apply(state, event)
            named = _named_warrant(event)
            if named is not None:
                warrants.add(named)
            if isinstance(event, StockSplit):
                warrants.update(w.warrant for w in state.warrants.values() if w.security == event.security)
            elif isinstance(event, ServiceEnded):
                warrants.update(w.warrant for w in state.warrants.values() if w.holder == event.holder)
        self._change(day, warrants)

    def _until(self, before: dt.date) -> None:
        """The days before `before` on which only a date acts."""
        while self.triggers and self.triggers[0][0] < before:
            day = self.triggers[0][0]
            due = set()
            while self.triggers and self.triggers[0][0] == day:
                due.add(self._pop()[1])
            if self.last is None or day > self.last:
                self._change(day, due)

    def frozen(self, freeze: Callable[[State], T]) -> T:
        """`freeze(state)` on the state as a plain one (a checkpoint carries no watching), then
        watch on; warrants that freezing retired (settle) count as touched."""
        state = self.state
        watched = (state.shares, state.warrants, state.notes)
        state.shares, state.warrants, state.notes = (dict(d) for d in watched)
        try:
            return freeze(state)
        finally:
            gone = set(watched[1]) - set(state.warrants)
            for old, name in zip(watched, ("shares", "warrants", "notes"), strict=True):
                new = _Watched(getattr(state, name))
                new.touched = old.touched
                setattr(state, name, new)
            state.warrants.touched |= gone

    def finish(self) -> dict[Key, tuple[str, str]]:
        """Every date still to act, then the rows in force from then on; the state's own dicts back."""
        self._until(dt.date.max)
        state = self.state
        state.shares, state.warrants, state.notes = dict(state.shares), dict(state.warrants), dict(state.notes)
        return self.open

    def spans(self) -> list[tuple[Key, str, str, str]]:
        """Once every day is folded: every interval, the open ones ending on OPEN."""
        rest = self.finish()
        return self.closed + [(k, start, OPEN, row) for k, (start, row) in rest.items()]

    def _change(self, day: dt.date, warrants: set[str]) -> None:
        state = self.state
        self.last = day
        while self.triggers and self.triggers[0][0] <= day:
            warrants.add(self._pop()[1])
        warrants |= state.warrants.touched
        state.warrants.touched.clear()
        when = day.isoformat()
        shares = state.shares
        for key in shares.touched:
            self._set((SHARES, key[0], key[1]),
                      _text(share_row(key, shares[key], state.undisclosed.get(key))) if key in shares else None, when)
        shares.touched.clear()
        for name in warrants:
            w = state.warrants.get(name)
            row = warrant_row(w, day) if w is not None else None
            if w is not None:
                self._schedule(w)
            self._set_instrument(WARRANT, name, None if row is None else (w.holder, _text(row)), when)
            live = w is not None and not w.expired_on(day)
            self._set_instrument(SCHEDULE, name, (w.holder, _text(exercisable_within(w, day).data())) if live else None,
                                 when)
        for name in state.notes.touched:
            n = state.notes.get(name)
            row = None if n is None else (n.holder, _text(note_row(n, state.note_prices.get(name))))
            self._set_instrument(NOTE, name, row, when)
        state.notes.touched.clear()
        for security, text in self._class_texts(day):
            self._set((CLASS, "", security), text, when)
        self._set((CONTROL, "", "control"), _text(control_of(state).data()), when)
        for row in pool_rows(state, day):
            self._set((POOL, row["party"], row["security"]), _text(row), when)

    def _class_texts(self, day: dt.date) -> list[tuple[str, str]]:
        """Every class's terms on the day as stored text; those of the last date asked when
        nothing they are made of has changed. The reports are appended and kept; those in
        force grow with the day, so their number names which they are."""
        state = self.state
        reports = state.outstanding_reports
        inputs = (tuple((security, sec.created, sec.conversion_ratio, sec.approved_on, sec.convertible_on(day))
                        for security, sec in state.securities.items()),
                  reports, len(reports), sum(1 for r in reports if r.effective_date <= day),
                  tuple(state.undisclosed.items()))
        if inputs != self._class_inputs:
            self._class_inputs = inputs
            self._class_rows = [(security, _text(terms.data())) for security, terms in class_terms(state, day).items()]
        return self._class_rows

    def _set_instrument(self, kind: int, name: str, now: tuple[str, str] | None, when: str) -> None:
        before = self.rows_of.get((kind, name))
        key = None if now is None else (kind, now[0], name)
        if before is not None and before != key:
            self._set(before, None, when)
            del self.rows_of[(kind, name)]
        if key is not None:
            self.rows_of[(kind, name)] = key
            self._set(key, now[1], when)

    def _set(self, key: Key, row: str | None, when: str) -> None:
        current = self.open.get(key)
        if current is not None and current[1] == row:
            return
        if current is not None:
            if current[0] < when:
                self.closed.append((key, current[0], when, current[1]))
            del self.open[key]
        if row is not None:
            self.open[key] = (when, row)


def by_day(events: Iterable[tuple[dt.date, Event]]) -> Iterator[tuple[dt.date, list[Event]]]:
    """(date, event) in fold order, grouped by date."""
    day: dt.date | None = None
    batch: list[Event] = []
    for d, event in events:
        if d != day and batch:
            yield day, batch
            batch = []
        day = d
        batch.append(event)
    if batch:
        yield day, batch


# Intervals a whole derivation holds before folding them into its fingerprint or writing them.
SPANS_HELD = 100_000


class Fingerprint:
    """How many rows, and a sum of their hashes: equal for the same rows in any order, within one
    process (whose hash seed no one else knows), and added to chunk by chunk, so that a whole
    history's intervals are compared without holding them all, or sorting them."""

    __slots__ = ("count", "total")

    def __init__(self) -> None:
        self.count = 0
        self.total = 0

    def add(self, rows: Iterable[tuple]) -> Fingerprint:
        count, total = self.count, self.total
        for row in rows:
            count += 1
            total = (total + hash(tuple(row))) & 0xFFFF_FFFF_FFFF_FFFF
        self.count, self.total = count, total
        return self

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Fingerprint) and (self.count, self.total) == (other.count, other.total)

    __hash__ = None  # type: ignore[assignment]


def spill(sweep: Sweep, keep: Callable[[list[tuple[Key, str, str, str]]], object]) -> None:
    """The intervals a sweep has closed so far, once there are many, handed to `keep` (written,
    or folded into a fingerprint) and let go: a derivation from far back closes millions."""
    if len(sweep.closed) >= SPANS_HELD:
        keep(sweep.closed)
        sweep.closed.clear()


def finished(sweep: Sweep, issuer: str, into: Fingerprint) -> Fingerprint:
    """`into` with the rest of a sweep's intervals, once every day is folded."""
    return into.add(table_rows(issuer, sweep.spans()))


def intervals_fingerprint(issuer: str, history: Iterable[Event]) -> Fingerprint:
    """The fingerprint of every interval of a whole history folded from nothing (what verify
    compares with the table)."""
    sweep, out = Sweep(State(), {}), Fingerprint()
    for day, events in by_day((e.effective_date, e) for e in history):
        sweep.day(day, events)
        spill(sweep, lambda spans: out.add(table_rows(issuer, spans)))
    return finished(sweep, issuer, out)


def differs(db: Any, issuer: str, derived: Fingerprint) -> bool:
    """Whether the stored intervals of an issuer differ from those of a fresh fold of its history
    (`derived`: intervals_fingerprint, or a Sweep's that folded it whole)."""
    stored = db.execute("select issuer, epoch, valid_from, valid_to, ord, party, security, row "
                        "from rm_holdings_iv where issuer=?", [issuer])
    return Fingerprint().add(stored) != derived
