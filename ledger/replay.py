"""replay: a filing history into a fresh ledger, then what it adds up to and what does not."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from rich.console import Console
from rich.rule import Rule

from events import (
    CashExercise,
    CashlessExercise,
    PreferredConverted,
    SharesIssued,
    SharesTransferred,
    StockSplit,
    WarrantBecameExercisable,
    WarrantIssued,
)
from ledger.errors import UsageError
from ledger.importer import import_events
from ledger.loader import collect_files, load_files
from ledger.render import table
from ledger.store import Store
from ledger.target import redact
from projections.fold import fold
from projections.holdings import holdings_rows
from projections.ownership import ownership_rows
from projections.reconcile import FINDING, reconcile
from projections.rights import rights_rows
from projections.timeline import resolve
from projections.voting import voting_rows

CHANGES_HOLDINGS = (SharesIssued, SharesTransferred, StockSplit, PreferredConverted, WarrantIssued,
                    WarrantBecameExercisable, CashExercise, CashlessExercise)


def prepare_target(target: str, *, fresh: bool) -> None:
    if "://" in target:
        return  # a server database: the issuer's stream must simply be new (checked on import)
    path = Path(target)
    if path.exists():
        if not fresh:
            raise UsageError(f"{target}: already exists; replay builds a new ledger (use --fresh to replace it)")
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)


def replay_dates(history) -> list[dt.date]:
    days = sorted({e.effective_date for e in history if isinstance(e, CHANGES_HOLDINGS)})
    # ...and the date of the latest document, where the filings speak of "now".
    last = max((e.effective_date for e in history), default=None)
    return days + ([last] if last and (not days or last > days[-1]) else [])


def run_replay(target: str, folder: str, *, fresh: bool, console: Console, dates: list[dt.date] | None = None) -> int:
    prepare_target(target, fresh=fresh)
    loaded = load_files(collect_files([folder]))
    issuers = sorted({item.event.issuer for item in loaded})
    with Store(target) as store:
        if any(store.records(i) for i in issuers):
            raise UsageError(f"{target}: already holds {', '.join(issuers)}; replay needs a new ledger")
        result = import_events(store, loaded)
        console.print(f"Imported {result.total_added} events from {len({i.file for i in loaded})} files "
                      f"into {redact(target)}")
        findings = 0
        for issuer in issuers:
            history = resolve(store.records(issuer))
            findings += _report(console, issuer, history, dates or replay_dates(history))
    return findings


def _report(console: Console, issuer: str, history, dates: list[dt.date]) -> int:
    for day in dates:
        state = fold(history, day)
        console.print(Rule(f"{issuer} as of {day}"))
        console.print(table("Holdings", holdings_rows(state, day)))
        common = next((s for s, sec in state.securities.items() if sec.created.kind == "common"), None)
        if common:
            console.print(table(f"Beneficial ownership of {common} (Rule 13d-3, reported outstanding as denominator)",
                                ownership_rows(state, common, day, reported=True),
                                ["party", "beneficially_owned", "acquirable_within_60_days", "percent",
                                 "sole_voting", "shared_voting", "complete", "missing"]))
        console.print(table("Voting power (reported outstanding as denominator)",
                            voting_rows(state, day, reported=True)))
        console.print(table("Rights", rights_rows(state, day, reported=True),
                            ["agreement", "right", "party", "status", "explanation"]))
    rows = reconcile(history)
    findings = [r for r in rows if r["status"] in FINDING]
    console.print(Rule(f"{issuer}: reconciliation"))
    console.print(table(f"{len(findings)} findings in {len(rows)} checks", rows,
                        ["kind", "subject", "status", "reported", "derived", "explanation", "sources"]))
    return len(findings)
