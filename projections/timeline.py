"""From the log to the history a query sees: known-at filtering and corrections.

A retraction or correction rewrites the past as the ledger knows it from the
moment it is recorded: every as-of date sees the corrected history, and only a
known-at instant before it sees the old one. A correction or retraction can
itself be retracted, which restores what it displaced unless another correction
or retraction still in force acts on the same event (`overrides` states the rule).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from events import Event, EventCorrected, EventRetracted, parse_event


@dataclass(frozen=True)
class Recorded:
    """An event as the store holds it: with its place in the log and when it was appended."""

    sequence: int
    recorded_at: dt.datetime
    event: Event
    event_id: str


class UnknownTarget(Exception):
    def __init__(self, record: Recorded, field: str, target: str):
        super().__init__(f"{field}: no earlier event with id or ref '{target}'")
        self.record = record
        self.field = field
        self.target = target


def known_at(records: Iterable[Recorded], instant: dt.datetime | None) -> list[Recorded]:
    if instant is None:
        return list(records)
    return [r for r in records if r.recorded_at <= instant]


@dataclass(frozen=True)
class Disclosure:
    """What the public could know on a day: the records of documents filed by then, and how
    many were left out because their document was filed later or has no known filing date."""

    records: list[Recorded]
    filed_later: int
    date_unknown: int
    undated_documents: tuple[str, ...]


def disclosed_by(records: Iterable[Recorded], day: dt.date) -> Disclosure:
    """Only the records of documents public by the end of `day` (their DocumentFiled says when).

    Applied before corrections resolve: a correction filed after `day` is as unknown to the
    public as any other later statement."""
    records = list(records)
    filed = {r.event.document: r.event.effective_date for r in records if r.event.type == "DocumentFiled"}
    kept, later, unknown, undated = [], 0, 0, {}
    for r in records:
        document = r.event.document if r.event.type == "DocumentFiled" else r.event.source.document
        when = filed.get(document)
        if when is None:
            unknown += 1
            undated[document] = None
        elif when > day:
            later += 1
        else:
            kept.append(r)
    return Disclosure(kept, later, unknown, tuple(sorted(undated)))


def acted_on(correction: EventRetracted | EventCorrected) -> str:
    """The event_id or ref a retraction or correction names."""
    return correction.retracts if isinstance(correction, EventRetracted) else correction.corrects


def replacement_event(original: Event, correction: EventCorrected) -> Event:
    data = dict(correction.replacement)
    data.setdefault("type", original.type)
    data.setdefault("effective_date", original.effective_date.isoformat())
    data["issuer"] = original.issuer
    data["source"] = correction.source.model_dump(mode="json")
    if original.ref is not None:
        data.setdefault("ref", original.ref)
    return parse_event(data)


_MISSING = object()


def resolve(records: Sequence[Recorded]) -> list[Event]:
    """The effective history: corrections applied, in valid-time order."""
    current = overrides(records)
    ordered: list[tuple[dt.date, int, Event]] = []
    for r in records:
        if isinstance(r.event, EventRetracted | EventCorrected):
            continue
        event = current[r.event_id] if r.event_id in current else r.event
        if event is not None:
            ordered.append((event.effective_date, r.sequence, event))
    ordered.sort(key=lambda t: (t[0], t[1]))
    return [e for _, _, e in ordered]


def overrides(records: Sequence[Recorded]) -> dict[str, Event | None]:
    """What the corrections among `records` make of the events they act on, by event id:
    the replacement, or None when retracted. Events no correction touches are absent."""
    standing, _, by_key, _ = _acts(records)
    return {target: None if isinstance(act.event, EventRetracted) else replacement_event(by_key[target].event, act.event)
            for target, act in standing.items()}


def superseded(records: Sequence[Recorded]) -> dict[str, Recorded]:
    """Event id -> the correction or retraction that supersedes it: for an event, the act in
    force that decides what it is now; for a correction or retraction, the retraction in force
    that names it, or else the later act in force that decides the same event in its place.
    Whatever is absent stands as recorded."""
    standing, retracted_by, _, subject = _acts(records)
    out = dict(retracted_by)
    for act, target in subject.items():
        decider = standing.get(target)
        if act not in out and decider is not None and decider.event_id != act:
            out[act] = decider
    out.update(standing)
    return out


def _acts(records: Sequence[Recorded]) -> tuple[dict[str, Recorded], dict[str, Recorded], dict[str, Recorded],
                                                dict[str, str]]:
    """(event id -> the act in force deciding it, act id -> the retraction in force naming it,
    id or ref -> record, act id -> the event id it acts on).

    The rule (docs/design.md, "Corrections and retractions"): a correction or retraction is
    *in force* unless a retraction in force names it. A correction acts on the event at the
    root of what it names (correcting a correction corrects the original); a retraction acts
    on exactly what it names. An event is then as the latest of the corrections and
    retractions in force acting on it makes it: replaced, retracted, or, with none in force,
    as recorded. So retracting one of two retractions leaves the event retracted, and
    retracting the later of two corrections brings back the earlier one, not the original.
    """
    by_key: dict[str, Recorded] = {}
    for r in records:
        by_key[r.event_id] = r
        if r.event.ref is not None:
            by_key.setdefault(r.event.ref, r)

    acts: list[Recorded] = []  # corrections and retractions, in log order
    subject: dict[str, str] = {}  # act id -> the event id it acts on
    root: dict[str, str] = {}  # act id -> the event at the root of what it names
    for r in records:
        e = r.event
        if not isinstance(e, EventRetracted | EventCorrected):
            continue
        field = "retracts" if isinstance(e, EventRetracted) else "corrects"
        target = by_key.get(getattr(e, field))
        if target is None or target.sequence >= r.sequence:
            raise UnknownTarget(r, field, getattr(e, field))
        root[r.event_id] = root.get(target.event_id, target.event_id)
        subject[r.event_id] = target.event_id if isinstance(e, EventRetracted) else root[r.event_id]
        acts.append(r)

    # A retraction always comes after what it names, so walking back through the log decides
    # every retraction before anything it could name.
    retracted: dict[str, Recorded] = {}
    in_force: list[Recorded] = []
    for r in reversed(acts):
        if r.event_id in retracted:
            continue
        in_force.append(r)
        if isinstance(r.event, EventRetracted):
            retracted.setdefault(subject[r.event_id], r)

    standing: dict[str, Recorded] = {}
    for r in reversed(in_force):  # log order: the latest act on an event is the one that stands
        target = subject[r.event_id]
        if target in root:
            continue  # a retraction of a correction or retraction: already taken into account
        standing[target] = r
    return standing, {a: r for a, r in retracted.items() if a in root}, by_key, subject
