"""The ledger as a library: one object per ledger, one method per question.

Each question answers with an `Answer`: the JSON contract the command line prints
(`as_of`, `known_at`, `rows`), the same rows, from the same functions. The command
line is a thin skin over this module.

May import: ledger.errors, ledger.common, ledger.log, ledger.history, ledger.outputs,
ledger.intake, ledger.checks.

    >>> import datetime as dt
    >>> from ledger.api import Ledger
    >>> book = Ledger("savvis.db")
    >>> held = book.holdings(as_of=dt.date(2004, 3, 31), party="constellation-entities")
    >>> [(r["security"], r["quantity"], r.get("quantity_at_least")) for r in held.rows]
    [('common', 2575298, None), ('constellation-warrants', None, 3333333), ('series-a-notes', None, None)]
    >>> book.voting(as_of=dt.date(2004, 7, 2)).rows[0]["by_class"][0]["percent"]
    2.352111

Every question takes the two time axes: `as_of` (valid time, default today) and
`known_at` (what the ledger had recorded by then, default now). Reads never write:
the ledger is opened read-only for them. A user's mistake (no such issuer, no ledger
at the target) raises `ledger.errors.UsageError`, the one error a caller need catch.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from ledger.common.stored_rows import StoredRows
from ledger.errors import UsageError
from ledger.log.target import default_target, is_server, redact

if TYPE_CHECKING:
    from ledger.history.direct import Reader
    from ledger.history.queries import Query
    from ledger.log.store import Store
    from projections.state import State

Outstanding = Literal["best", "derived", "reported"]


def open_store(target: str, *, create: bool = False, write: bool = False) -> Store:
    """The ledger at `target`, read-only unless the caller writes (`create` or `write`)."""
    from ledger.log.store import Store  # noqa: PLC0415  (pydantic models and eventsourcing: only when needed)

    try:
        return Store(target, create=create, readonly=not (create or write))
    except UsageError:
        raise
    except Exception as exc:  # connection refused, bad file, locked database
        raise UsageError(f"{redact(target)}: cannot open the ledger ({redact(str(exc))})") from None


@dataclass(frozen=True)
class Answer:
    """What a question answers: its rows, the instants they hold for, and (for callers who need
    more than rows, such as the cover pages) the folded state they were computed from."""

    issuer: str
    as_of: dt.date | None
    known_at: dt.datetime
    found: Sequence[dict[str, Any]]  # a list, or holdings kept as their stored JSON (see `rows`)
    state: State | None = field(default=None, repr=False, compare=False)
    security: str | None = None  # the class an ownership answer is of
    disclosed_at: dt.date | None = None  # only documents public by then, when asked

    @property
    def rows(self) -> list[dict[str, Any]]:
        """The rows, one dict each."""
        if isinstance(self.found, StoredRows):
            return self.found.parsed()
        return self.found if isinstance(self.found, list) else list(self.found)

    def header(self) -> dict[str, Any]:
        """The JSON contract's header: `as_of` (null for questions about the whole history) and `known_at`;
        `disclosed_at` when the question asked what the public could know."""
        head = {"as_of": self.as_of.isoformat() if self.as_of else None, "known_at": self.known_at.isoformat()}
        if self.disclosed_at is not None:
            head["disclosed_at"] = self.disclosed_at.isoformat()
        return head


class Ledger:
    """A ledger at a target: a SQLite file or a postgresql:// URL (default: `LEDGER_DB`, else ./ledger.db).

    On a server, the first question that needs the log opens it, read-only, and the ledger
    keeps the connection for the next until `close()`, the end of a `with` block, or the
    object's end. A SQLite file the intervals answer from is kept open the same way, read-only
    (ledger.history.direct.Reader), and opened again when another file has been moved into its
    place: the answer is always the file's that is at the path now."""

    def __init__(self, target: str | os.PathLike[str] | None = None):
        self.target = str(target) if target is not None else default_target()
        self._store: Store | None = None
        self._reader: Reader | None = None

    def close(self) -> None:
        store = getattr(self, "_store", None)  # a ledger whose __init__ failed has none
        if store is not None:
            self._store = None
            store.close()
        reader = getattr(self, "_reader", None)
        if reader is not None:
            self._reader = None
            reader.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        self.close()

    @contextlib.contextmanager
    def _reading(self) -> Iterator[Store]:
        """The log, opened read-only: a server's on first use and kept, opened again after a
        failure and while there is no ledger there yet (one may be made meanwhile)."""
        if not is_server(self.target):
            with open_store(self.target) as store:
                yield store
            return
        if self._store is None or not self._store.ready:
            self.close()
            self._store = open_store(self.target)
        try:
            yield self._store
        except BaseException:
            self.close()
            raise

    # --- the state on a date ----------------------------------------------------------------

    def _folded(self, issuer: str | None, as_of: dt.date | None, known_at: dt.datetime | None,
                disclosed_at: dt.date | None = None) -> tuple[Query, State]:
        from ledger.history.queries import disclosed_state, make_query, state_at  # noqa: PLC0415

        with self._reading() as store:
            query = make_query(store, issuer, as_of, known_at)
            if disclosed_at is not None:
                return query, disclosed_state(store, query, disclosed_at)
            return query, state_at(store, query)

    def _answer(self, query: Query, rows: Sequence[dict[str, Any]], state: State | None = None) -> Answer:
        return Answer(query.issuer, query.as_of, query.known_at, rows, state)

    def _from_intervals(self, read: Callable[..., Sequence[dict[str, Any]]],
                        fold: Callable[[State, dt.date], list[dict[str, Any]]], issuer: str | None,
                        as_of: dt.date | None, known_at: dt.datetime | None, *options: Any,
                        disclosed_at: dt.date | None = None) -> Answer:
        """Rows the validity intervals give (`read`, one of ledger.history.answers), read with
        sqlite3 alone where they can; else `fold` of the state on the date. What the public could
        know (`disclosed_at`) is folded from the log's documents filed by then."""
        from ledger.history import direct  # noqa: PLC0415

        if disclosed_at is not None:
            query, state = self._folded(issuer, as_of, known_at, disclosed_at)
            return dataclasses.replace(self._answer(query, fold(state, query.as_of), state),
                                       disclosed_at=disclosed_at)

        if self._reader is None:
            self._reader = direct.Reader(self.target)
        found = direct.answer(read, self._reader, issuer, as_of, known_at, *options)
        if found is not None:
            return Answer(*found)
        from ledger.history.queries import answer, make_query  # noqa: PLC0415

        with self._reading() as store:
            query = make_query(store, issuer, as_of, known_at)
            rows, state = answer(store, query, read, lambda state: fold(state, query.as_of), *options)
        return self._answer(query, rows, state)

    def holdings(self, *, as_of: dt.date | None = None, known_at: dt.datetime | None = None,
                 disclosed_at: dt.date | None = None, issuer: str | None = None, party: str | None = None) -> Answer:
        """Shares, warrants and notes per party; with `party`, that party's only."""
        from ledger.history import answers  # noqa: PLC0415

        def fold(state: State, day: dt.date) -> list[dict[str, Any]]:
            from projections.holdings import holdings_rows  # noqa: PLC0415

            rows = holdings_rows(state, day)
            return rows if party is None else [r for r in rows if r["party"] == party]

        return self._from_intervals(answers.holdings, fold, issuer, as_of, known_at, party, disclosed_at=disclosed_at)

    def captable(self, *, as_of: dt.date | None = None, known_at: dt.datetime | None = None,
                 disclosed_at: dt.date | None = None, issuer: str | None = None, by: str = "class") -> Answer:
        """Outstanding and fully diluted shares per class; `by="holder"`, per party (and per plan's
        pool), as common, with each one's percent of the column's total."""
        from ledger.history import answers  # noqa: PLC0415

        if by not in ("class", "holder"):
            raise UsageError(f"by: {by!r} is not 'class' or 'holder'")

        def fold(state: State, day: dt.date) -> list[dict[str, Any]]:
            from projections.captable import by_holder_rows, captable_rows  # noqa: PLC0415

            return captable_rows(state, day) if by == "class" else by_holder_rows(state, day)

        read = answers.captable if by == "class" else answers.captable_by_holder
        return self._from_intervals(read, fold, issuer, as_of, known_at, disclosed_at=disclosed_at)

    def voting(self, *, as_of: dt.date | None = None, known_at: dt.datetime | None = None,
               disclosed_at: dt.date | None = None, issuer: str | None = None, outstanding: Outstanding = "best") -> Answer:
        """Votes per party, and its percent of each class's votes and of all votes."""
        from ledger.history import answers  # noqa: PLC0415

        def fold(state: State, day: dt.date) -> list[dict[str, Any]]:
            from projections.voting import voting_rows  # noqa: PLC0415

            return voting_rows(state, day, mode=outstanding)

        return self._from_intervals(answers.voting, fold, issuer, as_of, known_at, outstanding,
                                    disclosed_at=disclosed_at)

    def classes(self, *, as_of: dt.date | None = None, known_at: dt.datetime | None = None,
                disclosed_at: dt.date | None = None, issuer: str | None = None) -> Answer:
        """The issuer's classes on the date (`security`, `kind`), in the order they were created."""
        from ledger.history import answers  # noqa: PLC0415

        def fold(state: State, day: dt.date) -> list[dict[str, Any]]:
            return [{"security": s, "kind": sec.created.kind} for s, sec in state.securities.items()]

        return self._from_intervals(answers.classes, fold, issuer, as_of, known_at, disclosed_at=disclosed_at)

    def ownership(self, *, as_of: dt.date | None = None, known_at: dt.datetime | None = None,
                  disclosed_at: dt.date | None = None, issuer: str | None = None, security: str | None = None,
                  outstanding: Outstanding = "best") -> Answer:
        """Beneficial ownership of one class under Rule 13d-3 (default: the issuer's common class,
        named in the answer's `security`)."""
        from ledger.history import answers  # noqa: PLC0415

        if security is None:
            classes = self.classes(as_of=as_of, known_at=known_at, issuer=issuer, disclosed_at=disclosed_at)
            security = next((c["security"] for c in classes.rows if c["kind"] == "common"), None)
            if security is None:
                if classes.rows:
                    raise UsageError("the issuer has no common class; name one with --security")
                # Before the issuer's first class exists nobody owns anything of it: no rows, not an error.
                return classes

        def fold(state: State, day: dt.date) -> list[dict[str, Any]]:
            from projections.ownership import ownership_rows  # noqa: PLC0415

            return ownership_rows(state, security, day, mode=outstanding)

        answer = self._from_intervals(answers.ownership, fold, issuer, as_of, known_at, security, outstanding,
                                     disclosed_at=disclosed_at)
        return dataclasses.replace(answer, security=security)

    def names(self, *, issuer: str | None = None) -> dict[str, str]:
        """Each party's and group's name, as the ledger knows them now."""
        _, state = self._folded(issuer, None, None)
        return {**state.group_names, **{slug: p.name for slug, p in state.parties.items()}}

    def rights(self, *, as_of: dt.date | None = None, known_at: dt.datetime | None = None,
               disclosed_at: dt.date | None = None, issuer: str | None = None, outstanding: Outstanding = "best") -> Answer:
        """Each agreement's parties and rights, with the figures behind each status."""
        from projections.rights import rights_rows  # noqa: PLC0415

        query, state = self._folded(issuer, as_of, known_at, disclosed_at)
        answer = self._answer(query, rights_rows(state, query.as_of, mode=outstanding), state)
        return dataclasses.replace(answer, disclosed_at=disclosed_at)

    # --- the whole history ------------------------------------------------------------------

    def reconcile(self, *, known_at: dt.datetime | None = None, issuer: str | None = None,
                  draft: str | None = None, disclosed_at: dt.date | None = None) -> Answer:
        """Reported figures against derived ones, document against document (or, with `draft`,
        a draft from `ledger extract` against what the ledger records)."""
        from ledger.history.queries import (  # noqa: PLC0415
            disclosed_history,
            history_at,
            make_query,
            not_standing_alone,
        )

        with self._reading() as store:
            query = make_query(store, issuer, None, known_at)
            history = history_at(store, query) if disclosed_at is None else disclosed_history(
                store, query, disclosed_at)
        if draft is not None:
            from ledger.intake.loader import read_draft  # noqa: PLC0415
            from projections.draft_compare import compare_draft  # noqa: PLC0415

            rows = compare_draft(read_draft(draft), history)
        else:
            from projections.reconcile import reconcile  # noqa: PLC0415

            from projections.fold import RuleViolation  # noqa: PLC0415

            try:
                rows = reconcile(history)
            except RuleViolation as exc:  # only a disclosed history can fail: the log itself folds
                raise not_standing_alone(disclosed_at, exc) from None
        return Answer(query.issuer, None, query.known_at, rows, disclosed_at=disclosed_at)

    def history(self, *, known_at: dt.datetime | None = None, issuer: str | None = None,
                party: str | None = None, security: str | None = None,
                disclosed_at: dt.date | None = None) -> Answer:
        """Every recorded event with its source; with `party` or `security`, those that concern it."""
        from ledger.outputs.journal import journal_rows  # noqa: PLC0415
        from ledger.history.queries import make_query  # noqa: PLC0415

        with self._reading() as store:
            query = make_query(store, issuer, None, known_at)
            rows = journal_rows(store.raw_records(query.issuer), query.known_at, party=party, security=security,
                                disclosed_at=disclosed_at)
        return Answer(query.issuer, None, query.known_at, rows, disclosed_at=disclosed_at)
