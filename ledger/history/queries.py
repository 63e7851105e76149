"""Queries: the state of an issuer on a date, as the ledger knew it at an instant."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ledger.errors import UsageError
from ledger.history.stream import replay
from ledger.log.store import Store, utcnow
from projections.state import State
from projections.timeline import known_at, resolve

if TYPE_CHECKING:
    from ledger.history.readmodel import ReadModel
    from projections.fold import RuleViolation


@dataclass(frozen=True)
class Query:
    issuer: str
    as_of: dt.date
    known_at: dt.datetime

    def header(self) -> dict[str, str]:
        return {"as_of": self.as_of.isoformat(), "known_at": self.known_at.isoformat()}


def pick_issuer(store: Store, issuer: str | None) -> str:
    if issuer is not None and store.has_log(issuer):
        return issuer  # one indexed lookup, not the list of every issuer (a ledger may hold thousands)
    issuers = store.issuers()
    if issuer is not None:
        if issuer not in issuers:
            raise UsageError(f"no issuer '{issuer}' in {store.target} (it has: {', '.join(issuers) or 'none'})")
        return issuer
    if not issuers:
        raise UsageError(f"{store.target}: the ledger is empty; import event files first")
    if len(issuers) > 1:
        raise UsageError(f"several issuers ({', '.join(issuers)}): choose one with --issuer")
    return issuers[0]


def make_query(store: Store, issuer: str | None, as_of: dt.date | None, known: dt.datetime | None) -> Query:
    now = utcnow()
    return Query(pick_issuer(store, issuer), as_of or now.date(), known or now)


def history_at(store: Store, query: Query) -> list:
    return resolve(known_at(store.records(query.issuer), query.known_at))


def state_at(store: Store, query: Query) -> State:
    """The folded state; from the read models when asking what the ledger knows now.

    A reader never writes: on a SQLite ledger it uses the read models only when they have
    followed the whole log, and otherwise folds the log itself, saying so on standard error
    (a writer, or `ledger readmodels`, brings them up to date). A server's read models are a
    cache on this machine, which a reader fills as it goes."""
    with present_model(store, query) as model:
        state = _model_state(store, model, query) if model is not None else None
    return state if state is not None else replay_state(store, query)


def answer(store: Store, query: Query, read: Callable[..., list], fold: Callable[[State], list],
           *options: Any) -> tuple[list, State | None]:
    """Rows from the validity intervals when they answer (`read`, one of ledger.history.answers,
    with `options`), else `fold` of the folded state, which is returned with them."""
    state = None
    with present_model(store, query) as model:
        if model is not None:
            try:
                if store.engine != "sqlite":
                    model.catch_up(query.issuer)  # a server's read models are this machine's cache
                rows = model.answer_at(read, query.issuer, query.as_of, *options)
            except (LookupError, ValueError, TypeError, sqlite3.Error):
                rows = None  # the derived copy cannot answer: fold
            if rows is not None:
                return rows, None
            state = _model_state(store, model, query)
    if state is None:
        state = replay_state(store, query)
    return fold(state), state


@contextmanager
def present_model(store: Store, query: Query) -> Iterator[ReadModel | None]:
    """The read models, when the query asks what the ledger knows now (no earlier instant than
    the log's last record); None otherwise, or where they cannot be opened. Read-only on SQLite."""
    last = store.last(query.issuer)
    if last is None or dt.datetime.fromisoformat(last["recorded_at"]) > query.known_at:
        yield None
        return
    from ledger.history.readmodel import ReadModel  # noqa: PLC0415

    try:
        model = ReadModel(store, readonly=store.engine == "sqlite")
    except sqlite3.Error:
        yield None
        return
    try:
        yield model
    finally:
        model.close()


def _model_state(store: Store, model: ReadModel, query: Query) -> State | None:
    """The state from the read models, or None where they cannot answer (the caller folds)."""
    try:
        if store.engine != "sqlite":
            return model.state_at(query.issuer, query.as_of)
        # Read-only: a checkpoint it makes goes to this machine's cache (ledger.history.checkpoints).
        state = model.read_state(query.issuer, query.as_of)
        if state is None:
            note(f"{store.target}: the read models have not followed the log of {query.issuer} to its end; "
                 "answered from the log itself (an import or `ledger readmodels` brings them up to date)")
        return state
    except (LookupError, ValueError, TypeError, sqlite3.Error):
        return None  # the derived copy cannot follow the log, or is damaged: answer from the log itself


def note(message: str) -> None:
    """A remark beside an answer, on standard error: the answer on standard output stays clean."""
    import sys  # noqa: PLC0415

    print(f"note: {message}", file=sys.stderr)


def disclosed_history(store: Store, query: Query, day: dt.date) -> list:
    """The history from only the documents public by the end of `day`, as the ledger knew them
    at the query's instant; what was left out for want of a filing date is said on standard error."""
    from projections.timeline import disclosed_by  # noqa: PLC0415

    seen = disclosed_by(known_at(store.records(query.issuer), query.known_at), day)
    if seen.date_unknown:
        shown = ", ".join(seen.undated_documents[:3]) + (" ..." if len(seen.undated_documents) > 3 else "")
        note(f"{seen.date_unknown} events of documents with no known filing date left out ({shown}): "
             "give their event files a document.filed date")
    return resolve(seen.records)


def disclosed_state(store: Store, query: Query, day: dt.date) -> State:
    """The state on the query's date from only the documents public by the end of `day`."""
    from projections.fold import RuleViolation, fold  # noqa: PLC0415

    try:
        return fold(disclosed_history(store, query, day), query.as_of)
    except RuleViolation as exc:
        raise not_standing_alone(day, exc) from None


def not_standing_alone(day: dt.date, exc: RuleViolation) -> UsageError:
    """What was public by `day` rests on a document made public later (a filing backdated behind
    another): said in one line, not answered from a history that is not one."""
    e = exc.event
    return UsageError(f"the documents public by {day} do not stand on their own: {e.type} of "
                      f"{e.source.document} on {e.effective_date}: {exc}")


def replay_state(store: Store, query: Query) -> State:
    """The folded state from a full replay of the log (any known-at instant), read a page at a
    time and folded from a scratch spool, so that memory stays flat however long the log."""
    return replay(store.iter_raw_rows(query.issuer), query.known_at, query.as_of)
