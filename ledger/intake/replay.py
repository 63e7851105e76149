"""replay: a filing history into a fresh ledger, then what it adds up to and what does not."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.rule import Rule

from events import (
    CashExercise,
    CashlessExercise,
    EquityCompensationCancelled,
    EquityCompensationExercised,
    EquityCompensationIssued,
    EquityCompensationReleased,
    PreferredConverted,
    ServiceEnded,
    SharesIssued,
    SharesRepurchased,
    SharesTransferred,
    StockPlanCreated,
    StockPlanPoolAdjusted,
    StockSplit,
    VestingAccelerated,
    VestingConditionMet,
    WarrantBecameExercisable,
    WarrantIssued,
)
from ledger.errors import UsageError
from ledger.intake.importer import import_events
from ledger.intake.loader import collect_files, load_files
from ledger.log.store import TABLE, Store
from ledger.log.target import is_server, redact
from ledger.outputs.render import table
from projections.captable import by_holder_rows
from projections.fold import fold
from projections.holdings import holdings_rows
from projections.ownership import ownership_rows
from projections.reconcile import FINDING, reconcile
from projections.rights import rights_rows
from projections.timeline import resolve
from projections.voting import voting_rows

CHANGES_HOLDINGS = (SharesIssued, SharesTransferred, StockSplit, PreferredConverted, WarrantIssued,
                    WarrantBecameExercisable, CashExercise, CashlessExercise, StockPlanCreated,
                    StockPlanPoolAdjusted, EquityCompensationIssued, VestingConditionMet, VestingAccelerated,
                    EquityCompensationExercised, EquityCompensationReleased, EquityCompensationCancelled,
                    ServiceEnded, SharesRepurchased)


SQLITE_MAGIC = b"SQLite format 3\x00"


def is_ledger_file(path: Path) -> bool:
    """A SQLite file holding the ledger's events table, read without writing to it."""
    try:
        with path.open("rb") as f:
            if f.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
                return False
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            return conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?",
                                (TABLE,)).fetchone() is not None
        finally:
            conn.close()
    except (OSError, sqlite3.Error):
        return False


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(path) + suffix).unlink(missing_ok=True)


@contextmanager
def built_beside(target: str, *, fresh: bool) -> Iterator[str]:
    """A new SQLite ledger is built in a file beside the target and takes its place only once
    complete: a replay that fails at any point leaves whatever was at the target untouched."""
    path = Path(target)
    if path.exists() or path.is_symlink():
        if not fresh:
            raise UsageError(f"{target}: already exists; replay builds a new ledger (use --fresh to replace it)")
        if not path.is_file() or not is_ledger_file(path):
            raise UsageError(f"{target}: not a ledger file; --fresh replaces only a ledger (nothing was changed)")
    if not path.parent.is_dir():
        raise UsageError(f"{target}: directory {path.parent} does not exist")
    scratch = path.with_name(f".{path.name}.replay-{os.getpid()}")
    _remove(scratch)
    try:
        yield str(scratch)
        if path.exists():
            # Fold the old ledger's write-ahead log into it, so that no -wal of the old file
            # is left to be applied to the new one.
            conn = sqlite3.connect(str(path))
            try:
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                conn.close()
        for suffix in ("-wal", "-shm", "-journal"):
            Path(str(scratch) + suffix).unlink(missing_ok=True)
        os.replace(scratch, path)
        for suffix in ("-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    finally:
        _remove(scratch)


def replay_dates(history) -> list[dt.date]:
    days = sorted({e.effective_date for e in history if isinstance(e, CHANGES_HOLDINGS)})
    # ...and the date of the latest document, where the filings speak of "now".
    last = max((e.effective_date for e in history), default=None)
    return days + ([last] if last and (not days or last > days[-1]) else [])


def run_replay(target: str, folder: str, *, fresh: bool, console: Console, dates: list[dt.date] | None = None,
               filings: bool = False, ids: dict[str, str] | None = None, filed: dt.date | None = None) -> int:
    """`folder` holds event files (the files their document.file names are sources, not read), or
    with `filings`, EDGAR filings, extracted and imported as one batch."""
    if filings:
        from ledger.intake.filings import read_filings  # noqa: PLC0415

        loaded = read_filings([folder], ids=ids, filed=filed)
    else:
        loaded = load_files(collect_files([folder]))  # every file read and checked before anything is touched
    issuers = sorted({item.event.issuer for item in loaded})
    if is_server(target):
        # A server database: the issuer's stream must simply be new; one transaction adds it whole.
        with Store(target) as store:
            result = _import_new(store, target, issuers, loaded)
    else:
        with built_beside(target, fresh=fresh) as scratch, Store(scratch) as store:
            result = _import_new(store, target, issuers, loaded)
    console.print(f"Imported {result.total_added} events from {len({i.file for i in loaded})} files "
                  f"into {redact(target)}")
    findings = 0
    with Store(target, create=False) as store:
        for issuer in issuers:
            history = resolve(store.records(issuer))
            findings += _report(console, issuer, history, dates or replay_dates(history))
    return findings


def _import_new(store: Store, target: str, issuers: list[str], loaded):
    if any(store.records(i) for i in issuers):
        raise UsageError(f"{redact(target)}: already holds {', '.join(issuers)}; replay needs a new ledger")
    return import_events(store, loaded)


def _report(console: Console, issuer: str, history, dates: list[dt.date]) -> int:
    for day in dates:
        state = fold(history, day)
        console.print(Rule(f"{issuer} as of {day}"))
        # The columns a reader of the summary needs; a pool's own figures are in `ledger holdings`.
        console.print(table("Holdings", holdings_rows(state, day),
                            ["party", "security", "kind", "underlying", "quantity", "vested", "exercisable",
                             "exercise_price", "expires", "principal", "conversion_price", "plan"]))
        if state.plans or any(w.is_grant for w in state.warrants.values()):
            console.print(table("Cap table by holder", by_holder_rows(state, day),
                                ["party", "outstanding", "percent_outstanding", "fully_diluted",
                                 "percent_fully_diluted", "missing"]))
        common = state.common_class()
        if common:
            console.print(table(f"Beneficial ownership of {common} (Rule 13d-3)",
                                ownership_rows(state, common, day),
                                ["party", "beneficially_owned", "acquirable_within_60_days", "percent",
                                 "sole_voting", "shared_voting", "complete", "missing", "denominator",
                                 "denominator_source"]))
        console.print(table("Voting power", voting_rows(state, day),
                            ["party", "votes", "votes_at_least", "percent", "missing"]))
        console.print(table("Rights", rights_rows(state, day),
                            ["agreement", "right", "party", "status", "explanation"]))
    rows = reconcile(history)
    findings = [r for r in rows if r["status"] in FINDING]
    console.print(Rule(f"{issuer}: reconciliation"))
    console.print(table(f"{len(findings)} findings in {len(rows)} checks", rows,
                        ["kind", "subject", "status", "reported", "derived", "explanation", "sources"]))
    return len(findings)
