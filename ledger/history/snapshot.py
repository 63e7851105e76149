"""What every as-of export starts from: one issuer's history and state, read once."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from events import Event
from ledger.history.queries import Query, make_query
from ledger.log.store import Store, to_recorded
from projections.fold import fold
from projections.state import State
from projections.timeline import Recorded, known_at as known_by, resolve


@dataclass(frozen=True)
class Snapshot:
    """The ledger as known at `query.known_at`: the whole resolved history, and the state on `query.as_of`."""

    query: Query
    history: list[Event]
    state: State
    records: list[dict] = field(default_factory=list)
    # The log known at the instant, parsed, corrections included (what supersedes what).
    recorded: list[Recorded] = field(default_factory=list)

    @property
    def to_date(self) -> list[Event]:
        """The events effective on or before the as-of date, in valid-time order."""
        return [e for e in self.history if e.effective_date <= self.query.as_of]

    def header(self) -> dict[str, str]:
        return {**self.query.header(), "issuer": self.query.issuer}


def take(store: Store, issuer: str | None, as_of: dt.date | None, known_at: dt.datetime | None) -> Snapshot:
    """Read the issuer's log once; `records` keeps the raw records known at the instant (for journals)."""
    query = make_query(store, issuer, as_of, known_at)
    raw = [r for r in store.raw_records(query.issuer)
           if dt.datetime.fromisoformat(r["recorded_at"]) <= query.known_at]
    recorded = known_by([to_recorded(r) for r in raw], query.known_at)
    history = resolve(recorded)
    return Snapshot(query, history, fold(history, query.as_of), raw, recorded)
