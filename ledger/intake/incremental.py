"""Checking a batch without refolding the whole history.

A batch of plain events (no corrections) can only change the history from its
earliest effective date on. So the check starts from the read model's
checkpoint before that date and folds the recorded events after it together
with the batch: the same answer as a full fold (the fold is a left fold), in
time proportional to what follows the batch's earliest date. Batches with
corrections take the full path in ledger.intake.importer.
"""

from __future__ import annotations

import datetime as dt
import heapq
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from events import Event, EventCorrected, EventRetracted
from events.canonical import canonical_json
from ledger.common.progress import progress
from ledger.history import interval_table
from ledger.history.intervals import Derived, Sweep
from ledger.history.checkpoints import freeze
from ledger.history.readmodel import CHECKPOINT_EVERY, ReadModel
from ledger.history.state_data import Parts
from ledger.intake.loaded import Loaded
from projections.fold import apply
from projections.timeline import Recorded, acted_on, overrides

# Freezing a state costs far more than folding an event: an import keeps sparse checkpoints,
# and queries add one where they are asked for (ledger.history.readmodel.ReadModel.state_at).
IMPORT_CHECKPOINT_EVERY = 10 * CHECKPOINT_EVERY


@dataclass
class Checked:
    """What a successful check leaves behind: checkpoints to keep once the batch is written, and
    the holdings intervals derived along the way (None where the table was not up to date)."""

    checkpoints: list[tuple[str, Parts]] = field(default_factory=list)
    intervals: Derived | None = None


def recorded_contents(model: ReadModel, issuer: str, ids: Sequence[str]) -> dict[str, bytes]:
    """Canonical content of already-recorded events among `ids` (recorded_at left out)."""
    out: dict[str, bytes] = {}
    for start in range(0, len(ids), 500):
        chunk = list(ids[start:start + 500])
        marks = ",".join("?" * len(chunk))
        for table, column in (("rm_timeline", "coalesce(recorded, body)"), ("rm_corrections", "body")):
            query = f"select event_id, {column} from {table} where issuer=? and event_id in ({marks})"  # noqa: S608
            for event_id, body in model.db.execute(query, [issuer, *chunk]):
                data = json.loads(body)
                data.pop("recorded_at", None)
                out[event_id] = canonical_json(data)
    return out


def taken_refs(model: ReadModel, issuer: str, refs: Sequence[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for start in range(0, len(refs), 500):
        chunk = list(refs[start:start + 500])
        marks = ",".join("?" * len(chunk))
        query = f"select ref, event_id from rm_timeline where issuer=? and ref in ({marks})"  # noqa: S608
        out.update(dict(model.db.execute(query, [issuer, *chunk])))
        for event_id, body in model.db.execute(f"select event_id, body from rm_corrections where issuer=? and "
                                               f"json_extract(body, '$.ref') in ({marks})", [issuer, *chunk]):
            out[json.loads(body)["ref"]] = event_id
    return out


class NeedsFullCheck(Exception):
    """A correction acts on a recorded correction, or on an event corrected before: check the whole log."""


def _corrections_overrides(model: ReadModel, issuer: str, fresh: Sequence[Loaded], first_sequence: int,
                           now: dt.datetime) -> tuple[dict[str, tuple[str, int, Event | None]], list[dt.date]]:
    """What the batch's corrections make of the events they act on, by event id:
    (the event's date before, its sequence, the replacement or None); and the dates they touch."""
    if plain([item.event for item in fresh]):
        return {}, []
    batch: list[Recorded] = []
    keys: dict[str, Recorded] = {}
    for i, item in enumerate(fresh):
        r = Recorded(first_sequence + i, now, item.event, item.event.event_id)
        batch.append(r)
        keys.setdefault(r.event_id, r)
        if item.event.ref:
            keys.setdefault(item.event.ref, r)
    targets: dict[str, Recorded] = {}
    for r in batch:
        e = r.event
        if not isinstance(e, EventRetracted | EventCorrected):
            continue
        key = acted_on(e)
        if key in keys or key in targets:
            continue
        row = model.find(issuer, key)
        if row is None or row[3] != row[4] or not row[5]:
            raise NeedsFullCheck(key)  # unknown here, corrected before, or a correction: the full path decides
        target = _recorded(row[0], row[1], row[3])
        targets[key] = target
    records = sorted({r.event_id: r for r in [*targets.values(), *batch]}.values(), key=lambda r: r.sequence)
    by_id = {r.event_id: r for r in records}
    out: dict[str, tuple[str, int, Event | None]] = {}
    touched: list[dt.date] = []
    for event_id, replacement in overrides(records).items():
        original = by_id[event_id]
        out[event_id] = (original.event.effective_date.isoformat(), original.sequence, replacement)
        touched.append(original.event.effective_date)
        if replacement is not None:
            touched.append(replacement.effective_date)
    return out, touched


def _recorded(sequence: int, event_id: str, body: str) -> Recorded:
    from ledger.history.readmodel import parse  # noqa: PLC0415

    event = parse(body)
    return Recorded(sequence, event.recorded_at, event, event_id)


def check_appended(model: ReadModel, issuer: str, fresh: Sequence[Loaded]) -> Checked:
    """Fold the batch into the history from the checkpoint before the earliest date it touches.

    Raises RuleViolation from the fold (on a recorded event or a batch event alike),
    UnknownTarget for a correction naming nothing, NeedsFullCheck where this path cannot decide.
    """
    now = dt.datetime.now(dt.timezone.utc)
    first = model.tracked(issuer)[0] + 1
    changed, touched = _corrections_overrides(model, issuer, fresh, first, now)
    earliest = min([item.event.effective_date for item in fresh
                    if not isinstance(item.event, EventRetracted | EventCorrected)] + touched, default=None)
    if earliest is None:
        return Checked()  # corrections that cancel out: the history is as it was
    # Only reading: a batch that is refused must leave every table as it was.
    since, state = model.nearest(issuer, (earliest - dt.timedelta(days=1)).isoformat())
    rows = model.rows_after(issuer, since)
    try:
        return _check_from(model, issuer, fresh, first, since, state, changed, rows)
    finally:
        # A refused batch leaves the fold mid-way: its cursor on the read models is closed here,
        # not when a cycle through the traceback is collected, so that it holds no lock on them
        # after the import (another one in the same process must be able to write).
        rows.close()


def _check_from(model: ReadModel, issuer: str, fresh: Sequence[Loaded], first: int, since: str, state: Any,
                changed: dict, rows: Iterator[tuple[str, int, str, Event]]) -> Checked:
    moved = sorted((replacement.effective_date.isoformat(), sequence, replacement)
                   for _, sequence, replacement in changed.values() if replacement is not None)
    # Corrected events leave their old place; replacements join the fold at their own date.
    recorded = ((day, sequence, event) for day, sequence, event_id, event in rows if event_id not in changed)
    batch = sorted((item.event.effective_date.isoformat(), first + i, item.event) for i, item in enumerate(fresh)
                   if not isinstance(item.event, EventRetracted | EventCorrected)
                   and item.event.event_id not in changed)
    merged = heapq.merge(recorded, batch, moved, key=lambda t: (t[0], t[1]))
    checked = Checked()
    # The same fold derives the holdings intervals from the day after the checkpoint, when the
    # table is up to date with the log as checked (ledger.history.intervals): the writer then
    # need not fold the batch again.
    sweep = None
    if interval_table.followed(model.db.conn, issuer, first - 1):
        start = "" if since == "" else (dt.date.fromisoformat(since) + dt.timedelta(days=1)).isoformat()
        open_rows, in_table = model.interval_base(issuer, start)
        sweep = Sweep(state, open_rows, dt.date.fromisoformat(since) if since else None)
    pending, current, today = 0, None, []
    for day, _, event in progress(merged, len(fresh), "checking against the history"):
        if current is not None and day != current:
            if sweep is not None:
                sweep.day(dt.date.fromisoformat(current), today)
                today = []
            if pending >= IMPORT_CHECKPOINT_EVERY:
                parts = (sweep.frozen(lambda s: freeze(s, current)) if sweep is not None
                         else freeze(state, current))
                checked.checkpoints.append((current, parts))
                pending = 0
        if sweep is not None:
            today.append(event)
        else:
            apply(state, event)
        pending += 1
        current = day
    if sweep is not None:
        if today:
            sweep.day(dt.date.fromisoformat(current), today)
        rest = sweep.finish()
        checked.intervals = Derived(start, first - 1, first - 1 + len(fresh), in_table, sweep.closed, rest)
    return checked


def plain(events: Sequence[Event]) -> bool:
    return not any(e.type in ("EventCorrected", "EventRetracted") for e in events)
