"""The folded state of one issuer: what the events add up to on a date."""

from __future__ import annotations

import copy
import datetime as dt
import heapq
from collections.abc import Callable, Iterator, MutableMapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from events import (
    AgreementExecuted,
    BeneficialOwnershipReported,
    DemandRegistrationRequested,
    Event,
    NoteIssued,
    PartyRegistered,
    SecurityClassCreated,
    SharesOutstandingReported,
    VotingCommitment,
)
from projections.plans import PlanState
from projections.warrants import WarrantState


@dataclass
class SecurityState:
    created: SecurityClassCreated
    # Splits of the target class multiply the ratio; kept exact as a Fraction.
    conversion_ratio: Fraction | None
    approved_on: dt.date | None = None

    @property
    def security(self) -> str:
        return self.created.security

    @property
    def needs_approval(self) -> bool:
        return self.created.conversion_condition is not None

    def convertible_on(self, day: dt.date) -> bool:
        if self.created.converts_to is None or self.conversion_ratio is None:
            return False
        return not self.needs_approval or (self.approved_on is not None and self.approved_on <= day)


class Retired:
    """Warrants with nothing left (expired, or exercised in full): their names, holders and why.

    They leave State.warrants so that what a projection walks is what is still live. Their
    names stay taken, an event naming one is refused with the reason, and statements about
    their holder can still be checked. A state read back from a checkpoint passes `load`,
    which gives them only when one is asked about: most queries never ask.
    """

    __slots__ = ("_entries", "_load")

    def __init__(self, entries: dict[str, tuple[str, str]] | None = None,
                 load: Callable[[], dict[str, tuple[str, str]]] | None = None):
        self._entries = dict(entries or {})
        self._load = load

    def _all(self) -> dict[str, tuple[str, str]]:
        if self._load is not None:
            loaded = self._load()
            loaded.update(self._entries)  # retired since: retiring does not load the rest
            self._entries, self._load = loaded, None
        return self._entries

    def add(self, name: str, holder: str, reason: str) -> None:
        self._entries[name] = (holder, reason)

    def get(self, name: str) -> tuple[str, str] | None:
        """(holder, reason) of a retired warrant."""
        found = self._entries.get(name)
        if found is None and self._load is not None:
            found = self._all().get(name)
        return found

    def reason(self, name: str) -> str | None:
        entry = self.get(name)
        return entry[1] if entry else None

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.get(name) is not None

    def __len__(self) -> int:
        return len(self._all())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Retired) and self.entries() == other.entries()

    def __repr__(self) -> str:  # `==` compares the contents
        return f"Retired({len(self)} warrants)"

    def entries(self) -> dict[str, tuple[str, str]]:
        """name -> (holder, reason), every retired warrant."""
        return dict(self._all())


class Registry(MutableMapping[str, Any]):
    """A mapping whose keys are always at hand and whose values may come on first use.

    For the party registry: the fold and most projections only ask whether a party
    exists, so a state read back from a checkpoint passes the keys and `load`, and
    thousands of PartyRegistered models are built only when one is asked for. Until
    then `source` is whatever the caller passed along with `load` (what it was read
    from) and `added()` what was set since, so that writing it out again need not
    build them either.
    """

    __slots__ = ("_keys", "_values", "_load", "source")

    def __init__(self, keys: tuple[str, ...] = (), load: Callable[[], dict[str, Any]] | None = None,
                 source: Any = None):
        self._keys = dict.fromkeys(keys)
        self._values: dict[str, Any] = {}  # loaded, or added since
        self._load = load
        self.source = source if load is not None else None

    def _decoded(self) -> dict[str, Any]:
        if self._load is not None:
            values = self._load()
            values.update(self._values)
            self._values, self._load, self.source = values, None, None
        return self._values

    def added(self) -> dict[str, Any]:
        """While `source` is not yet loaded: the values set since; else every value."""
        return dict(self._values)

    def __contains__(self, key: object) -> bool:
        return key in self._keys

    def __getitem__(self, key: str) -> Any:
        if key not in self._keys:
            raise KeyError(key)
        if key in self._values:
            return self._values[key]
        return self._decoded()[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self._keys[key] = None
        self._values[key] = value

    def __delitem__(self, key: str) -> None:
        self._decoded()
        del self._keys[key], self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Registry | dict):
            return NotImplemented
        return dict(self.items()) == dict(other.items())

    def __repr__(self) -> str:
        return f"Registry({len(self)} entries)"


@dataclass
class AgreementState:
    executed: AgreementExecuted
    parties: list[str]
    roles: dict[str, str]
    terms: dict[str, Any]
    amendments: list[Event] = field(default_factory=list)
    joinders: list[Event] = field(default_factory=list)


@dataclass
class State:
    """Everything the fold knows on its date. Mutated only inside the fold."""

    issuer: str | None = None
    day: dt.date | None = None
    parties: MutableMapping[str, PartyRegistered] = field(default_factory=Registry)
    groups: dict[str, tuple[str, ...]] = field(default_factory=dict)
    group_names: dict[str, str] = field(default_factory=dict)
    # controlled -> list of (controller, relation, event)
    controllers: dict[str, list[tuple[str, str, Event]]] = field(default_factory=dict)
    securities: dict[str, SecurityState] = field(default_factory=dict)
    shares: dict[tuple[str, str], int] = field(default_factory=dict)
    # Live warrants only; dead ones move to `retired` (see retire_expired, retire).
    warrants: dict[str, WarrantState] = field(default_factory=dict)
    retired: Retired = field(default_factory=Retired)
    # (expiry date, warrant) of live warrants, soonest first.
    expiries: list[tuple[dt.date, str]] = field(default_factory=list)
    notes: dict[str, NoteIssued] = field(default_factory=dict)
    # A note's fixed conversion price after the splits of its class since it was issued, exact;
    # absent while it is the price the note states.
    note_prices: dict[str, Fraction] = field(default_factory=dict)
    # document -> the date it became public (DocumentFiled): one date per document.
    documents_filed: dict[str, dt.date] = field(default_factory=dict)
    plans: dict[str, PlanState] = field(default_factory=dict)
    # Shares authorized per class, and for the issuer across its classes (key ""); and, once any
    # is set, the shares outstanding per class, kept as the fold goes (None before).
    authorized: dict[str, int] = field(default_factory=dict)
    # (scheme, kind, ledger id) -> the id another system gives it (IdentifierRecorded)
    identifiers: dict[tuple[str, str, str], str] = field(default_factory=dict)
    totals: dict[str, int] | None = None
    agreements: dict[str, AgreementState] = field(default_factory=dict)
    commitments: list[VotingCommitment] = field(default_factory=list)
    demands: list[DemandRegistrationRequested] = field(default_factory=list)
    board_size: int | None = None
    board_commitment: Event | None = None  # the latest BoardSizeCommitted
    nominations: list[Event] = field(default_factory=list)
    directors: list[Event] = field(default_factory=list)
    outstanding_reports: list[SharesOutstandingReported] = field(default_factory=list)
    ownership_reports: list[BeneficialOwnershipReported] = field(default_factory=list)
    # (holder, security) -> what the document says, for positions it gives no number for
    undisclosed: dict[tuple[str, str], str] = field(default_factory=dict)
    statements: list[Event] = field(default_factory=list)
    # Every control relation ever recorded, conflicting ones included, for reconciliation.
    control_records: list[Event] = field(default_factory=list)
    applied: int = 0

    def copy(self) -> State:
        return copy.deepcopy(self)

    def retire(self, warrant: str, reason: str) -> None:
        self.retired.add(warrant, self.warrants.pop(warrant).holder, reason)

    def retire_expired(self, day: dt.date) -> None:
        """Move the warrants expired by `day` (expires <= day) out of the live ones."""
        while self.expiries and self.expiries[0][0] <= day:
            expires, name = heapq.heappop(self.expiries)
            if name in self.warrants:  # not retired already, exercised in full
                self.retire(name, f"expired on {expires}")

    def holders(self) -> set[str]:
        return set(self.parties) | set(self.groups)

    def known(self, slug: str) -> bool:
        return slug in self.parties or slug in self.groups

    def common_class(self) -> str | None:
        """The issuer's (first) common class: what ownership is taken of by default."""
        return next((s for s, sec in self.securities.items() if sec.created.kind == "common"), None)

    def outstanding(self, security: str) -> int:
        return sum(q for (_, s), q in self.shares.items() if s == security)

    def held(self, holder: str, security: str) -> int:
        return self.shares.get((holder, security), 0)

    def members(self, holder: str) -> tuple[str, ...]:
        return self.groups.get(holder, ())

