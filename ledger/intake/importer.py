"""Import: validate a whole batch against the whole history, then append all or nothing."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from events import Event, EventCorrected
from events.canonical import canonical_json, floatless_canonical_json
from ledger.errors import Conflict, InputError, StoreError, UsageError
from ledger.history.intervals import Derived
from ledger.history.readmodel import ReadModel, cache_path
from ledger.history.state_data import Parts
from ledger.intake.incremental import NeedsFullCheck, check_appended, plain, recorded_contents, taken_refs
from ledger.intake.loaded import Loaded
from ledger.log.store import Store, describe_failure, utcnow
from projections.fold import RuleViolation, fold
from projections.timeline import Recorded, UnknownTarget, replacement_event, resolve


@dataclass
class ImportResult:
    added: dict[str, int] = field(default_factory=dict)
    already_present: int = 0

    @property
    def total_added(self) -> int:
        return sum(self.added.values())


def _content(event: Event) -> bytes:
    """The event's canonical JSON as stored (recorded_at left out), to tell a re-import of the
    same event from a different event with the same id."""
    body = event.body()
    return floatless_canonical_json(body) if event.floatless(body) else canonical_json(body)


def plan(store: Store, loaded: Sequence[Loaded], model: ReadModel | None = None) -> Plan:
    """Check the batch; return the new events per issuer, the log ends they were checked against,
    and how many were already present. Raises InputError naming the first broken rule.

    With a read model, a batch is checked from the checkpoint before the earliest
    date it touches (ledger.intake.incremental); without one, or where that path cannot
    decide, or to locate a broken rule among corrections, against the whole log.
    """
    by_issuer: dict[str, list[Loaded]] = defaultdict(list)
    for item in loaded:
        by_issuer[item.event.issuer].append(item)

    result = Plan()
    for issuer, items in by_issuer.items():
        fast = model is not None
        if fast:
            model.catch_up(issuer)
            result.ends[issuer] = model.tracked(issuer)[0]
            stored = recorded_contents(model, issuer, list({i.event.event_id for i in items}))
            refs = taken_refs(model, issuer, list({i.event.ref for i in items if i.event.ref}))
        else:
            existing = store.records(issuer)
            result.ends[issuer] = existing[-1].sequence if existing else 0
            stored = {r.event_id: _content(r.event) for r in existing}
            refs = {r.event.ref: r.event_id for r in existing if r.event.ref is not None}
        origin: dict[str, Loaded] = {}
        fresh: list[Loaded] = []
        for item in items:
            eid = item.event.event_id
            seen = stored.get(eid)
            if seen is None and eid in origin:
                seen = _content(origin[eid].event)
            if seen is not None:
                if seen != _content(item.event):
                    raise InputError(item.file, item.index, item.described, "event_id",
                                     f"{eid} is already recorded with different content (ref, inference or version)")
                result.present += 1
                continue
            origin[eid] = item
            fresh.append(item)
        _check_refs(refs, fresh)
        if not fresh:
            continue
        checked = False
        if fast:
            try:
                done = check_appended(model, issuer, fresh)
                result.checkpoints[issuer] = done.checkpoints
                result.intervals[issuer] = done.intervals
                checked = True
            except RuleViolation as v:
                if plain([item.event for item in fresh]):
                    raise _located(v, origin) from None
            except (NeedsFullCheck, UnknownTarget, ValidationError):
                pass
        if not checked:
            # The whole log: where the fast path cannot decide, and to say which correction broke what.
            existing = store.records(issuer)
            _check_history(existing, fresh, origin)
        result.new[issuer] = [item.event for item in fresh]
    return result


@dataclass
class Plan:
    new: dict[str, list[Event]] = field(default_factory=dict)
    ends: dict[str, int] = field(default_factory=dict)
    present: int = 0
    # Checkpoints computed while checking, kept in this machine's cache once the batch is written.
    checkpoints: dict[str, list[tuple[str, Parts]]] = field(default_factory=dict)
    # Holdings intervals derived while checking, written as the batch is followed.
    intervals: dict[str, Derived | None] = field(default_factory=dict)


def _check_refs(taken: dict[str, str], fresh: list[Loaded]) -> None:
    taken = dict(taken)
    for item in fresh:
        ref = item.event.ref
        if ref is None:
            continue
        if ref in taken and taken[ref] != item.event.event_id:
            raise InputError(item.file, item.index, item.described, "ref",
                             f"'{ref}' already names another event of issuer '{item.event.issuer}'")
        taken[ref] = item.event.event_id


def _check_history(existing: list[Recorded], fresh: list[Loaded], origin: dict[str, Loaded]) -> None:
    """Fold existing and new together; any broken rule, at any date, refuses the batch."""
    now = utcnow()
    start = existing[-1].sequence if existing else 0
    candidate = list(existing) + [
        Recorded(start + i, now, item.event, item.event.event_id) for i, item in enumerate(fresh, start=1)
    ]
    blame: dict[str, Loaded] = dict(origin)
    for item in fresh:
        if isinstance(item.event, EventCorrected):
            _blame_replacement(candidate, item, blame)
    try:
        history = resolve(candidate)
    except UnknownTarget as exc:
        item = blame.get(exc.record.event_id)
        if item is None:
            raise
        raise InputError(item.file, item.index, item.described, exc.field,
                         f"no earlier event of issuer '{item.event.issuer}' has id or ref '{exc.target}'") from None
    try:
        fold(history)
    except RuleViolation as v:
        raise _located(v, blame) from None


def _blame_replacement(candidate: list[Recorded], item: Loaded, blame: dict[str, Loaded]) -> None:
    event = item.event
    target = next((r for r in candidate if event.corrects in (r.event_id, r.event.ref)), None)
    if target is None:
        return  # reported by resolve as an unknown target
    try:
        blame[replacement_event(target.event, event).event_id] = item
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = [str(p) for p in err["loc"]]
        if loc and loc[0] == target.event.type:
            loc = loc[1:]
        raise InputError(item.file, item.index, item.described, "replacement." + ".".join(loc),
                         str(err.get("msg", "invalid")).removeprefix("Value error, ")) from None


def _located(v: RuleViolation, blame: dict[str, Loaded]) -> InputError:
    item = blame.get(v.event.event_id)
    if item is not None:
        return InputError(item.file, item.index, item.described, v.field, v.rule)
    # The broken rule is in an event already recorded: a backdated event made it invalid.
    # Name the batch's latest event dated on or before the one that broke.
    earlier = [i for i in blame.values() if i.event.effective_date <= v.event.effective_date]
    culprit = max(earlier or blame.values(), key=lambda i: i.event.effective_date)
    where = (f"makes the recorded {v.event.type} of {v.event.effective_date} "
             f"(from {v.event.source.document}, {v.event.source.locator}) invalid")
    return InputError(culprit.file, culprit.index, culprit.described, v.field, f"{where}: {v.rule}")


def import_events(store: Store, loaded: Sequence[Loaded]) -> ImportResult:
    # A trigger can undo or alter what an import writes after the import has checked it:
    # the ledger creates none, so one found on its tables is refused before anything is written.
    triggers = [t for t in store.foreign_objects() if t.startswith("trigger ")]
    if triggers:
        raise UsageError(f"{store.target}: carries {triggers[0]}, which the ledger did not create; "
                         "nothing was written (see `ledger verify`)")
    model = ReadModel(store)
    try:
        checked = plan(store, loaded, model)

        def follow(conn: sqlite3.Connection, written: dict[str, list[dict[str, Any]]]) -> None:
            inside = ReadModel(store, inside=conn)
            try:
                for issuer, records in written.items():
                    inside.follow_written(issuer, records, checked.intervals.get(issuer))
            finally:
                inside.close()  # not the writer's connection, which the append commits

        if cache_path(store.target) == store.target:
            # The read models live in the ledger file: they follow the batch in its own
            # transaction, so no reader ever finds the log ahead of them.
            written = store.append(checked.new, expected=checked.ends, within=follow)
        else:
            written = store.append(checked.new, expected=checked.ends)
            try:
                for issuer, records in written.items():
                    model.follow_written(issuer, records, checked.intervals.get(issuer))
            except Exception as exc:
                # The batch is written. A server's read models are this machine's cache: if they
                # cannot follow now (the server went away just after the commit), the next query
                # catches them up. Not a failed import.
                if not isinstance(exc, StoreError | Conflict) and describe_failure(exc, store.target) is None:
                    raise
        for issuer, records in written.items():
            # They fold the log through our last record, exactly: whatever another writer
            # appends after it, they hold for the dates it does not reach back to.
            if records:
                model.checkpoints.keep(issuer, checked.checkpoints.get(issuer, []),
                                       records[-1]["sequence"], records[-1]["hash"])
    finally:
        model.close()
    return ImportResult(added={i: len(r) for i, r in written.items()}, already_present=checked.present)
