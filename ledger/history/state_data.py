"""A folded state as plain data, and back: what a checkpoint keeps.

Plain data because reading it back must never run anything the bytes say (a pickle
would), so that a checkpoint needs no signature and the state classes in `projections/`
carry no persistence code. Every field is written out by name here; a state that holds
something this module does not know how to write is refused, not guessed at.

Four parts, each compressed JSON text: the state itself; the events it keeps (the
SecurityClassCreated, NoteIssued, agreement and report events), once each, which the
state's fields refer to by position; the party registry's PartyRegistered events; and
the retired warrants. The last two are read only when a query asks for one of them
(projections.state.Registry and Retired take a `load`): most queries never do.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from sys import intern
from typing import Any, NamedTuple

import orjson
from pydantic import TypeAdapter

from events import Event
from events.registry import AnyEvent
from projections.state import (
    AgreementState,
    Registry,
    Retired,
    SecurityState,
    State,
)
from projections.plans import PlanState
from projections.warrants import read_warrant, warrant_data

# Bumped whenever the layout below changes: a checkpoint in another layout is not read.
LAYOUT = 4
_EVENTS = TypeAdapter(list[AnyEvent])


class Parts(NamedTuple):
    state: bytes
    events: bytes
    parties: bytes
    retired: bytes


class Unreadable(ValueError):
    """Bytes that are not a state in this layout: the checkpoint is passed over."""


def dump(state: State) -> Parts:
    events = _Events()
    data = {
        "layout": LAYOUT,
        "issuer": state.issuer,
        "day": _day(state.day),
        "applied": state.applied,
        "parties": list(state.parties),
        "groups": [[k, list(v)] for k, v in state.groups.items()],
        "group_names": [[k, v] for k, v in state.group_names.items()],
        "controllers": [[k, [[c, r, events.ref(e)] for c, r, e in v]] for k, v in state.controllers.items()],
        "securities": [[k, events.ref(s.created), _fraction(s.conversion_ratio), _day(s.approved_on)]
                       for k, s in state.securities.items()],
        "shares": [[h, s, q] for (h, s), q in state.shares.items()],
        "warrants": [warrant_data(w) for w in state.warrants.values()],
        "expiries": [[d.isoformat(), name] for d, name in state.expiries],
        "notes": [[k, events.ref(e)] for k, e in state.notes.items()],
        "note_prices": [[k, _fraction(v)] for k, v in state.note_prices.items()],
        "documents_filed": [[k, v.isoformat()] for k, v in state.documents_filed.items()],
        "plans": [p.data() for p in state.plans.values()],
        "authorized": [[k, v] for k, v in state.authorized.items()],
        "identifiers": [[*k, v] for k, v in state.identifiers.items()],
        "totals": None if state.totals is None else [[k, v] for k, v in state.totals.items()],
        "agreements": [[k, events.ref(a.executed), a.parties, list(a.roles.items()), _value(a.terms),
                        events.refs(a.amendments), events.refs(a.joinders)] for k, a in state.agreements.items()],
        "commitments": events.refs(state.commitments),
        "demands": events.refs(state.demands),
        "board_size": state.board_size,
        "board_commitment": None if state.board_commitment is None else events.ref(state.board_commitment),
        "nominations": events.refs(state.nominations),
        "directors": events.refs(state.directors),
        "outstanding_reports": events.refs(state.outstanding_reports),
        "ownership_reports": events.refs(state.ownership_reports),
        "undisclosed": [[h, s, text] for (h, s), text in state.undisclosed.items()],
        "statements": events.refs(state.statements),
        "control_records": events.refs(state.control_records),
    }
    retired = [[name, holder, reason] for name, (holder, reason) in state.retired.entries().items()]
    return Parts(_pack(orjson.dumps(data)), _pack(events.text()), _registry(state.parties),
                 _pack(orjson.dumps(retired)))


def load(parts: Parts) -> State:
    """The state `dump` wrote; Unreadable for anything else. The registry and the retired
    warrants are decoded when first asked for."""
    try:
        data = orjson.loads(_unpack(parts.state))
        if not isinstance(data, dict) or data.get("layout") != LAYOUT:
            raise Unreadable("not a state in this layout")
        kept = _EVENTS.validate_json(_unpack(parts.events))
        return _state(data, kept, parts)
    except Unreadable:
        raise
    except (orjson.JSONDecodeError, zlib.error, ValueError, TypeError, KeyError, IndexError) as exc:
        # pydantic's ValidationError is a ValueError
        raise Unreadable(f"not a state in this layout: {exc}") from None


def _state(data: dict[str, Any], kept: list[Event], parts: Parts) -> State:
    event: Callable[[int], Any] = kept.__getitem__
    keys = tuple(data["parties"])
    agreements = {}
    for k, executed, parties, roles, terms, amendments, joinders in data["agreements"]:
        agreements[k] = AgreementState(event(executed), list(parties), dict(roles), _unvalue(terms),
                                       [event(i) for i in amendments], [event(i) for i in joinders])
    return State(
        issuer=data["issuer"],
        day=_date(data["day"]),
        parties=Registry(keys, lambda: _parties(parts.parties), source=parts.parties),
        groups={k: tuple(v) for k, v in data["groups"]},
        group_names=dict(data["group_names"]),
        controllers={k: [(c, r, event(i)) for c, r, i in v] for k, v in data["controllers"]},
        securities={k: SecurityState(event(i), _unfraction(ratio), _date(approved))
                    for k, i, ratio, approved in data["securities"]},
        shares={(intern(h), intern(s)): q for h, s, q in data["shares"]},
        warrants={w[0]: read_warrant(w) for w in data["warrants"]},
        retired=Retired(load=lambda: _retired(parts.retired)),
        expiries=[(dt.date.fromisoformat(d), name) for d, name in data["expiries"]],
        notes={k: event(i) for k, i in data["notes"]},
        note_prices={k: _unfraction(v) for k, v in data["note_prices"]},
        documents_filed={k: dt.date.fromisoformat(v) for k, v in data["documents_filed"]},
        plans={p[0]: PlanState.read(p) for p in data["plans"]},
        authorized=dict(data["authorized"]),
        identifiers={(scheme, kind, ledger): external for scheme, kind, ledger, external in data["identifiers"]},
        totals=None if data["totals"] is None else dict(data["totals"]),
        agreements=agreements,
        commitments=[event(i) for i in data["commitments"]],
        demands=[event(i) for i in data["demands"]],
        board_size=data["board_size"],
        board_commitment=None if data["board_commitment"] is None else event(data["board_commitment"]),
        nominations=[event(i) for i in data["nominations"]],
        directors=[event(i) for i in data["directors"]],
        outstanding_reports=[event(i) for i in data["outstanding_reports"]],
        ownership_reports=[event(i) for i in data["ownership_reports"]],
        undisclosed={(h, s): text for h, s, text in data["undisclosed"]},
        statements=[event(i) for i in data["statements"]],
        control_records=[event(i) for i in data["control_records"]],
        applied=data["applied"],
    )


# The party registry's part is a run of chunks, each its keys and their events as two JSON
# arrays, compressed, with a length before each: a state read back and written out again
# carries the chunks it was read from as they are, and what was registered since as one
# more, rather than building and writing out every PartyRegistered again.
MAX_CHUNKS = 16


def _registry(parties: Any) -> bytes:
    if isinstance(parties, Registry) and isinstance(parties.source, bytes) \
            and _chunk_count(parties.source) < MAX_CHUNKS:
        added = parties.added()
        return parties.source + (_chunk(list(added), list(added.values())) if added else b"")
    return _chunk(list(parties), [parties[k] for k in parties])


def _chunk(keys: list[str], events: list[Event]) -> bytes:
    out = b""
    for part in (_pack(orjson.dumps(keys)), _pack(_event_list(events))):
        out += len(part).to_bytes(4, "big") + part
    return out


def _chunks(packed: bytes) -> list[bytes]:
    out, at = [], 0
    while at < len(packed):
        size = int.from_bytes(packed[at:at + 4], "big")
        if at + 4 + size > len(packed):
            raise Unreadable("the party registry is cut short")
        out.append(packed[at + 4:at + 4 + size])
        at += 4 + size
    return out


def _chunk_count(packed: bytes) -> int:
    return len(_chunks(packed)) // 2


def _parties(packed: bytes) -> dict[str, Any]:
    values: dict[str, Any] = {}
    parts = _chunks(packed)
    if len(parts) % 2:
        raise Unreadable("the party registry is cut short")
    for keys, events in zip(parts[::2], parts[1::2], strict=True):
        names = orjson.loads(_unpack(keys))
        found = _EVENTS.validate_json(_unpack(events))
        if len(names) != len(found):
            raise Unreadable("the party registry does not match its keys")
        values.update(zip(names, found, strict=True))
    return values


def _retired(packed: bytes) -> dict[str, tuple[str, str]]:
    return {name: (holder, reason) for name, holder, reason in orjson.loads(_unpack(packed))}


class _Events:
    """The events a state keeps, each written once however many fields name it."""

    def __init__(self) -> None:
        self.index: dict[int, int] = {}
        self.kept: list[Event] = []

    def ref(self, event: Event) -> int:
        if not isinstance(event, Event):
            raise TypeError(f"not an event: {type(event).__name__}")
        at = self.index.get(id(event))
        if at is None:
            at = self.index[id(event)] = len(self.kept)
            self.kept.append(event)
        return at

    def refs(self, events: list[Any]) -> list[int]:
        return [self.ref(e) for e in events]

    def text(self) -> bytes:
        return _event_list(self.kept)


def _event_list(events: list[Event]) -> bytes:
    return b"[" + b",".join(e.__pydantic_serializer__.to_json(e) for e in events) + b"]"


# --- values ------------------------------------------------------------------------------------
# An agreement's terms are free-form: any of these, tagged where JSON has no type of its own.

def _value(v: Any) -> Any:
    if v is None or isinstance(v, bool | int | float | str):
        return v
    if isinstance(v, Decimal):
        return {"$": "decimal", "v": str(v)}
    if isinstance(v, dt.datetime):
        return {"$": "datetime", "v": v.isoformat()}
    if isinstance(v, dt.date):
        return {"$": "date", "v": v.isoformat()}
    if isinstance(v, Fraction):
        return {"$": "fraction", "v": [v.numerator, v.denominator]}
    if isinstance(v, tuple):
        return {"$": "tuple", "v": [_value(x) for x in v]}
    if isinstance(v, list):
        return [_value(x) for x in v]
    if isinstance(v, dict):
        return {"$": "dict", "v": [[_value(k), _value(x)] for k, x in v.items()]}
    raise TypeError(f"a state value of type {type(v).__name__} has no plain form")


def _unvalue(v: Any) -> Any:
    if isinstance(v, list):
        return [_unvalue(x) for x in v]
    if not isinstance(v, dict):
        return v
    tag, x = v["$"], v["v"]
    if tag == "decimal":
        return Decimal(x)
    if tag == "datetime":
        return dt.datetime.fromisoformat(x)
    if tag == "date":
        return dt.date.fromisoformat(x)
    if tag == "fraction":
        return Fraction(*x)
    if tag == "tuple":
        return tuple(_unvalue(i) for i in x)
    if tag == "dict":
        return {_unvalue(k): _unvalue(i) for k, i in x}
    raise Unreadable(f"unknown tag {tag!r}")


def _day(d: dt.date | None) -> str | None:
    return None if d is None else d.isoformat()


def _date(text: str | None) -> dt.date | None:
    return None if text is None else dt.date.fromisoformat(text)


def _fraction(f: Fraction | None) -> list[int] | None:
    return None if f is None else [f.numerator, f.denominator]


def _unfraction(pair: list[int] | None) -> Fraction | None:
    return None if pair is None else Fraction(*pair)


def _pack(text: bytes) -> bytes:
    return zlib.compress(text, 1)


def _unpack(packed: bytes) -> bytes:
    return zlib.decompress(packed)
