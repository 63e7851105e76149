"""verify: the chain recomputed, every identity rechecked, every projection rebuilt.

Each issuer's log is read once (ledger.history.stream): the scan checks the chain and
spools the records; the history read back from the spool is parsed once, its
ids checked, and folded, and the same fold is compared with the read models
at their checkpoint dates, so a 10^6-event log is never held in memory.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from events import Event
from ledger.common.gcpause import collector_paused
from ledger.errors import UsageError
from ledger.history.sameness import interchangeable
from ledger.history.stream import Plan, SpooledLog
from ledger.intake.loader import json_lines
from ledger.log.chain import check_chain
from ledger.log.store import Store
from projections.fold import RuleViolation, apply
from projections.state import State
from projections.timeline import UnknownTarget

# What a read model that cannot be rebuilt raises; anything else propagates, as it always did.
CANNOT_REBUILD = (RuleViolation, UnknownTarget, LookupError, ValueError, ValidationError)


@dataclass
class Report:
    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_issuer(issuer: str, records: Iterable[dict[str, Any]], report: Report,
                 read_models: Callable[[], ReadModelCheck] | None = None) -> None:
    """The chain, every record's parse and id, and the fold of the whole history; then, with
    `read_models`, the read models compared with the same fold (or with their own, if they
    follow a different stretch of the log)."""
    with SpooledLog(check_ids=True) as log:
        chain = check_chain(log.scan(records))
        try:
            plan, error = log.plan(), None
        except UnknownTarget as exc:
            plan, error = None, exc
        # Opened once the log has been read and resolved, as before: it follows the log first.
        rm = read_models() if read_models is not None else None
        try:
            shared = rm is not None and rm.shares(log)
            if plan is not None:
                state, error = fold_checked(log, plan, rm if shared else None)
            else:
                state = None
                log.check_all()
            problems = [f"{issuer}: record {p.sequence}: {p.problem}" for p in chain]
            for position in sorted({*log.failures, *log.mismatched}):
                if position in log.failures:
                    f = log.failures[position]
                    problems.append(f"{issuer}: record {f.sequence}: event does not parse "
                                    f"({f.error.__class__.__name__})")
                else:
                    problems.append(f"{issuer}: record {log.mismatched[position]}: "
                                    "event_id does not match the event's content")
            if error is not None:
                problems.append(f"{issuer}: the history no longer folds: {error}")
                state = None
            report.problems.extend(problems)
            if not problems:
                tip = log.last["hash"] if log.last is not None else "-"
                report.lines.append(f"{issuer}: {log.count} records, chain intact, head {tip}; "
                                    f"projections rebuilt from {state.applied if state else 0} events")
            if rm is not None:
                rm.conclude(log, shared, state, error, sound=not problems)
        finally:
            if rm is not None:
                rm.close()
    if rm is not None:
        report.problems.extend(rm.problems)
        if rm.line is not None:
            report.lines.append(rm.line)


def fold_checked(log: SpooledLog, plan: Plan, rm: ReadModelCheck | None) -> tuple[State, Exception | None]:
    """The fold of the log's history, with every record parsed and checked even past a rule
    the history breaks; `rm`, if given, compares along the way, and when it will compare the
    validity intervals, they are derived in this same fold (one parse of the log, not two)."""
    state = State()
    error: Exception | None = None
    if rm is not None and rm.compares_intervals():
        from ledger.history.interval_table import table_rows  # noqa: PLC0415
        from ledger.history.intervals import Fingerprint, Sweep, by_day, finished, spill  # noqa: PLC0415

        sweep, derived = Sweep(state, {}), Fingerprint()
        for day, events in by_day((e.effective_date, e) for e in log.history(plan)):
            if error is not None:
                continue  # the rest is still parsed and checked
            try:
                if rm.due(day):
                    sweep.frozen(partial(rm.reach, day))  # compared on the plain state
                sweep.day(day, events)
                spill(sweep, lambda spans: derived.add(table_rows(rm.issuer, spans)))
            except RuleViolation as exc:
                error = exc
        if error is None:
            rm.derived = finished(sweep, rm.issuer, derived)
        else:
            sweep.finish()
        return state, error
    for event in log.history(plan):
        if error is not None:
            continue  # the rest is still parsed and checked
        try:
            if rm is not None:
                rm.reach(event.effective_date, state)
            apply(state, event)
        except RuleViolation as exc:
            error = exc
    return state, error


class ReadModelCheck:
    """The read models' answers at every checkpoint date, against a fresh fold of the log.

    The read models are compared inside one read transaction (a snapshot), with the log up
    to the sequence they had followed, so writers running meanwhile cannot make a difference
    appear. Opened once the log's own check has scanned and resolved the log; when they
    followed just that log, the comparison rides along the log's own fold.
    """

    def __init__(self, store: Store, issuer: str):
        from ledger.history.readmodel import ReadModel  # noqa: PLC0415

        self.issuer = issuer
        # A server's read models are a cache of this machine, which verify may fill.
        self.model = ReadModel(store, readonly=store.readonly and store.engine == "sqlite")
        self.problems: list[str] = []
        self.line: str | None = None
        self.followed: int | None = None  # stays None when there is nothing to compare
        self.days: list[dt.date] = []
        self._pending: list[dt.date] = []
        self._failed = False
        try:
            if self.model.readonly and not self.model.current(issuer):
                # A reader does not catch them up: what they have not followed is left uncompared.
                if self._log_still_holds_what_was_followed(store):
                    self.line = (f"{issuer}: read models have not followed the log to its end; not compared "
                                 "(an import or `ledger readmodels` brings them up to date)")
                self._failed = True
            elif self._log_still_holds_what_was_followed(store):
                if not self.model.readonly:
                    self.model.catch_up(issuer)
                self.model.db.conn.execute("BEGIN")
                followed = self.model.tracked(issuer)[0]
                # This machine's checkpoints that hold for the log as followed: what queries start from.
                holds = self.model.holds(issuer)
                self.days = [dt.date.fromisoformat(d) for d, sequence, head in self.model.checkpoints.dates(issuer)
                             if holds(d, sequence, head)]
                self.followed = followed
            else:
                # Left as they are: catching up would drop them, and with them the evidence.
                self._failed = True
        except UsageError:
            pass  # an unreadable log: the log's own check reports the record
        except CANNOT_REBUILD as exc:
            self._fail(exc)
        except BaseException:
            self.close()
            raise
        self._pending = sorted(set(self.days))
        # The fingerprint of the validity intervals of the history the log's own check folds,
        # when it derived them.
        self.derived: intervals.Fingerprint | None = None
        self._beyond: int | None = None
        self._beyond_error: Exception | None = None
        self._covered = False

    def _log_still_holds_what_was_followed(self, store: Store) -> bool:
        """The read models remember the last record they followed, by sequence and hash. A log
        that no longer holds that record (rows deleted from its end) or holds another there has
        lost or changed what was once recorded, whatever its own chain now says. On SQLite the
        read models live in the ledger file itself, which makes them a witness of its log."""
        if store.engine != "sqlite":
            return True  # a server's read models are a local cache of this machine: no witness
        sequence, head = self.model.tracked(self.issuer)
        if not sequence:
            return True
        mark = next(store.iter_raw_records(self.issuer, after=sequence - 1, page=1), None)
        if mark is None or mark.get("sequence") != sequence:
            self.problems.append(f"{self.issuer}: the log ends before record {sequence}, which it held "
                                 f"(hash {head}): records were removed from the log")
            return False
        if mark.get("hash") != head:
            self.problems.append(f"{self.issuer}: record {sequence} of the log is not the one once recorded "
                                 f"there (hash {mark.get('hash')}, was {head})")
            return False
        return True

    def close(self) -> None:
        conn = self.model.db.conn
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        self.model.close()

    def _fail(self, exc: Exception) -> None:
        self.problems.append(f"{self.issuer}: read models cannot be rebuilt: {exc}")
        self._failed = True

    # --- comparing along a fold ---------------------------------------------------------------

    def compares_intervals(self) -> bool:
        """Whether the validity intervals will be compared, if the log proves sound."""
        return not self._failed and self.followed is not None and self._intervals_followed()

    def due(self, day: dt.date) -> bool:
        """Whether a checkpoint date before `day` is still to compare."""
        return not self._failed and bool(self._pending) and self._pending[0] < day

    def reach(self, day: dt.date, fresh: State) -> None:
        """Called before an event of `day` is folded: compare at each checkpoint date before it."""
        while not self._failed and self._pending and self._pending[0] < day:
            self._compare(self._pending.pop(0), fresh)

    def _compare(self, day: dt.date, fresh: State) -> None:
        from ledger.history.checkpoints import settle  # noqa: PLC0415
        from projections.captable import captable_rows  # noqa: PLC0415
        from projections.holdings import holdings_rows  # noqa: PLC0415
        from projections.voting import voting_rows  # noqa: PLC0415

        try:
            # A loaded checkpoint makes about a million objects at 10^6 events while the fresh fold
            # keeps as many alive: the collector's full passes walked both (1.4 of 1.8 s).
            with collector_paused():
                kept = self.model.state_at(self.issuer, day, follow=False, save=False)
                # As a checkpoint is settled (ledger.history.checkpoints.settle) and dated: neither changes an
                # answer, and the fold overwrites `day` and sweeps the same warrants at its next event.
                settle(fresh, day)
                fresh.day = day
                if interchangeable(kept, fresh):
                    return  # no projection can tell them apart, so their rows cannot differ
                for name, rows in (("holdings", holdings_rows), ("captable", captable_rows),
                                   ("voting", voting_rows)):
                    if rows(kept, day) != rows(fresh, day):
                        self.problems.append(f"{self.issuer}: read model {name} on {day} differs from a fresh rebuild")
        except CANNOT_REBUILD as exc:
            self._fail(exc)

    def finish(self, fresh: State, last: dt.date | None, history: Callable[[], Iterator[Event]],
               *, whole: bool = True) -> None:
        """The dates on or after the history's last one (which is one of them), then the SQL tables;
        the holdings intervals too when `history` is the whole history they followed (not a
        stretch of the log with unreadable records passed by, which the log's check reports)."""
        from ledger.history import intervals  # noqa: PLC0415
        from ledger.history.sqlviews import differences  # noqa: PLC0415

        dates = set(self.days)
        if last is not None:
            dates.add(last)
            self._pending = sorted({*self._pending, last})
        while not self._failed and self._pending:
            self._compare(self._pending.pop(0), fresh)
        if self._failed:
            return
        try:
            stale = differences(self.model.db, self.issuer, history())
        except CANNOT_REBUILD as exc:
            self._fail(exc)
            return
        try:
            if whole and self._intervals_followed():
                derived = (self.derived if self.derived is not None
                           else intervals.intervals_fingerprint(self.issuer, history()))
                if intervals.differs(self.model.db.conn, self.issuer, derived):
                    stale.append("rm_holdings_iv")
        except CANNOT_REBUILD as exc:
            self._fail(exc)
            return
        self.problems += [f"{self.issuer}: read model {table} differs from a fresh rebuild" for table in stale]
        if stale:
            return
        self.line = f"{self.issuer}: read models match a fresh rebuild at {len(dates)} dates"

    def _intervals_followed(self) -> bool:
        """Whether the holdings intervals claim to have followed the log as far as the timeline:
        only then are they compared (a crash between the two leaves them to the next writer)."""
        from ledger.history.interval_table import followed  # noqa: PLC0415

        return "rm_intervals" in self.model.db.table_names() and followed(self.model.db.conn, self.issuer,
                                                                            self.followed)

    # --- after the log's own check --------------------------------------------------------------

    def shares(self, log: SpooledLog) -> bool:
        """Whether the read models follow exactly the history the log's own check folds: the
        whole log as scanned (not a part of it, nor more), without unreadable records passed by."""
        if self.followed is None:
            return False
        self._beyond, self._beyond_error = log.first_beyond(self.followed)
        last = log.last.get("sequence") if log.last is not None else 0
        # Stopped within what was scanned, or at its end (the next record, if any, is beyond).
        self._covered = self._beyond is not None or (type(last) is int and last >= self.followed)
        return self._covered and self._beyond is None and set(log.flagged) <= set(log.failures)

    def conclude(self, log: SpooledLog, shared: bool, fresh: State | None, error: Exception | None,
                 *, sound: bool = True) -> None:
        """Finish the comparison once every record of the log has been parsed. `sound`: the log's
        own check found nothing wrong; only then are the holdings intervals compared, date by
        date (an altered log is reported as such, and its fold is not the history they followed)."""
        if self._failed or self.followed is None:
            return
        if not self._covered:
            # Records were appended after the scan and before the read models caught up:
            # read the log again, as far as they followed it.
            with SpooledLog() as own:
                own.scan_all(self.model.store.iter_raw_rows(self.issuer, lenient=True))
                self._beyond, self._beyond_error = own.first_beyond(self.followed)
                own.check_all()
                self._conclude_own(own)
            return
        if shared:
            first = self._first_error(log, log.count, frozenset(log.flagged))
            if first is not None:
                self._stop_at(first)
            elif error is not None:
                self._fail(error)
            else:
                self.finish(fresh, self._last_day(fresh), log.history, whole=sound and not log.flagged)
            return
        self._conclude_own(log)

    def _conclude_own(self, log: SpooledLog) -> None:
        """The read models' own stretch of the log: up to where they stop, unreadable ones passed by."""
        end = log.count if self._beyond is None else self._beyond
        skip = frozenset(log.flagged)
        first = self._first_error(log, end, skip)
        if first is not None:
            self._stop_at(first)
            return
        try:
            plan = log.plan(before=end, skip=skip)
        except CANNOT_REBUILD as exc:
            self._fail(exc)
            return
        self._fold(lambda: log.history(plan))

    def _first_error(self, log: SpooledLog, end: int, skip: frozenset[int]) -> Exception | None:
        """What reading the log up to `followed` raised first: a record that does not parse
        (unreadable ones are passed by), or a sequence that cannot be compared with it."""
        failed = [p for p in log.failures if p < end and p not in skip]
        if failed:
            return log.failures[min(failed)].error
        return self._beyond_error

    def _stop_at(self, first: Exception) -> None:
        # Reading the log that far stops before anything is compared: drop what the shared fold
        # compared meanwhile (had the opening failed, nothing would have been compared).
        self.problems.clear()
        if not isinstance(first, CANNOT_REBUILD):
            raise first
        self._fail(first)

    def _last_day(self, fresh: State) -> dt.date | None:
        return fresh.day if fresh.applied else None

    def _fold(self, history: Callable[[], Iterator[Event]]) -> None:
        fresh = State()
        try:
            for event in history():
                self.reach(event.effective_date, fresh)
                if self._failed:
                    return
                apply(fresh, event)
        except CANNOT_REBUILD as exc:
            self._fail(exc)
            return
        self.finish(fresh, self._last_day(fresh), history, whole=False)


def verify_store(store: Store) -> Report:
    from ledger.history.readmodel import view_sql  # noqa: PLC0415

    report = Report()
    issuers = store.issuers()
    report.problems += [f"{store.target}: {thing}: not created by the ledger" for thing in store.foreign_objects(view_sql())]
    report.problems += _registry_problems(store, issuers)
    if not issuers and not report.problems:
        report.lines.append(f"{store.target}: empty ledger")
    for issuer in issuers:
        check_issuer(issuer, store.iter_raw_rows(issuer, lenient=True), report,
                     partial(ReadModelCheck, store, issuer))
    return report


def _registry_problems(store: Store, issuers: list[str]) -> list[str]:
    """The registry names every issuer whose records are stored, once, numbered from 1: a
    record removed from it would hide an issuer's whole history from every other check."""
    from events.identity import issuer_stream_id  # noqa: PLC0415
    from ledger.log.store import REGISTRY_STREAM  # noqa: PLC0415

    problems = []
    versions = store.registry_versions()
    if versions != list(range(1, len(versions) + 1)):
        problems.append(f"{store.target}: the issuer registry's records are not numbered 1 to {len(versions)} "
                        f"(records removed?)")
    if len(set(issuers)) != len(issuers):
        problems.append(f"{store.target}: the issuer registry names an issuer twice")
    named = {str(REGISTRY_STREAM), *(str(issuer_stream_id(i)) for i in issuers)}
    for stream, count in sorted(store.stream_counts().items()):
        if stream not in named:
            problems.append(f"{store.target}: {count} stored records belong to no issuer the registry names "
                            f"(stream {stream}): was an issuer's registry record removed?")
    return problems


def verify_export(file: str) -> Report:
    from ledger.intake.inputs import read_user_text  # noqa: PLC0415

    path = Path(file)
    if not path.is_file():
        raise UsageError(f"{file}: no such file")
    by_issuer: dict[str, list[dict[str, Any]]] = defaultdict(list)
    report = Report()
    for number, line in enumerate(json_lines(read_user_text(path)), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            issuer = record["event"]["issuer"]
        except (json.JSONDecodeError, KeyError, TypeError):
            report.problems.append(f"{file}: line {number}: not a ledger record")
            continue
        by_issuer[issuer].append(record)
    for issuer, records in by_issuer.items():
        check_issuer(issuer, records, report)
    return report
