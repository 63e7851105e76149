"""Checking a batch without refolding the whole history.

A batch of plain events (no corrections) can only change the history from its
earliest effective date on. So the check starts from the read model's
checkpoint before that date and folds the recorded events after it together
with the batch: the same answer as a full fold (the fold is a left fold), in
time proportional to what follows the batch's earliest date. Batches with
corrections take the full path in ledger.importer.
"""

from __future__ import annotations

import datetime as dt
import heapq
import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from events import Event
from events.canonical import canonical_json
from ledger.loader import Loaded
from ledger.progress import progress
from ledger.readmodel import CHECKPOINT_EVERY, ReadModel
from projections.fold import apply
from projections.state import State


@dataclass
class Checked:
    """What a successful check leaves behind: checkpoints to keep once the batch is written."""

    checkpoints: list[tuple[str, bytes]] = field(default_factory=list)


def recorded_contents(model: ReadModel, issuer: str, ids: Sequence[str]) -> dict[str, bytes]:
    """Canonical content of already-recorded events among `ids` (recorded_at left out)."""
    out: dict[str, bytes] = {}
    for start in range(0, len(ids), 500):
        chunk = list(ids[start:start + 500])
        marks = ",".join("?" * len(chunk))
        for table, column in (("rm_timeline", "recorded"), ("rm_corrections", "body")):
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


def check_appended(model: ReadModel, issuer: str, fresh: Sequence[Loaded]) -> Checked:
    """Fold the batch into the history from the checkpoint before its earliest date.

    Raises RuleViolation from the fold, on a recorded event or a batch event alike.
    """
    earliest = min(item.event.effective_date for item in fresh)
    before = (earliest - dt.timedelta(days=1)).isoformat()
    since, state = model.checkpoint(issuer, before)
    recorded = ((day, 0, i, e) for i, (day, e) in enumerate(model.events_between(issuer, since, "9999-12-31")))
    batch = sorted(((item.event.effective_date.isoformat(), 1, i, item.event) for i, item in enumerate(fresh)),
                   key=lambda t: (t[0], t[2]))
    checked = Checked()
    pending, current = 0, None
    merged = heapq.merge(recorded, batch, key=lambda t: (t[0], t[1], t[2]))
    for day, _, _, event in progress(merged, len(fresh), "checking against the history"):
        if current is not None and day != current and pending >= CHECKPOINT_EVERY:
            checked.checkpoints.append((current, _freeze(state)))
            pending = 0
        apply(state, event)
        pending += 1
        current = day
    return checked


def _freeze(state: State) -> bytes:
    import pickle  # noqa: PLC0415
    import zlib  # noqa: PLC0415

    return zlib.compress(pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL), 1)


def plain(events: Sequence[Event]) -> bool:
    return not any(e.type in ("EventCorrected", "EventRetracted") for e in events)
