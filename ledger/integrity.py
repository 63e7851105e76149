"""verify: the chain recomputed, every identity rechecked, every projection rebuilt."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ledger.chain import check_chain
from ledger.errors import UsageError
from ledger.loader import json_lines
from ledger.store import Store, to_recorded
from projections.fold import RuleViolation, apply, fold
from projections.state import State
from projections.timeline import UnknownTarget, resolve


@dataclass
class Report:
    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_issuer(issuer: str, records: list[dict[str, Any]], report: Report) -> None:
    before = len(report.problems)
    for p in check_chain(records):
        report.problems.append(f"{issuer}: record {p.sequence}: {p.problem}")
    recorded = []
    for record in records:
        try:
            r = to_recorded(record)
        except (ValidationError, KeyError, TypeError, ValueError) as exc:
            report.problems.append(f"{issuer}: record {record.get('sequence')}: event does not parse ({exc.__class__.__name__})")
            continue
        if r.event.event_id != record.get("event_id"):
            report.problems.append(f"{issuer}: record {r.sequence}: event_id does not match the event's content")
        recorded.append(r)
    try:
        state = fold(resolve(recorded))
    except (RuleViolation, UnknownTarget) as exc:
        report.problems.append(f"{issuer}: the history no longer folds: {exc}")
        state = None
    if len(report.problems) == before:
        tip = records[-1]["hash"] if records else "-"
        report.lines.append(f"{issuer}: {len(records)} records, chain intact, head {tip}; "
                            f"projections rebuilt from {state.applied if state else 0} events")


def verify_store(store: Store) -> Report:
    report = Report()
    issuers = store.issuers()
    if not issuers:
        report.lines.append(f"{store.target}: empty ledger")
    for issuer in issuers:
        check_issuer(issuer, store.raw_records(issuer, lenient=True), report)
        check_read_models(store, issuer, report)
    return report


def check_read_models(store: Store, issuer: str, report: Report) -> None:
    """The read models' answers at every checkpoint date, against a fresh fold of the log.

    The read models are compared inside one read transaction (a snapshot), with the log
    up to the sequence they had followed, so writers running meanwhile cannot make a
    difference appear.
    """
    from ledger.readmodel import ReadModel  # noqa: PLC0415
    from ledger.sqlviews import differences  # noqa: PLC0415
    from projections.captable import captable_rows  # noqa: PLC0415
    from projections.holdings import holdings_rows  # noqa: PLC0415
    from projections.voting import voting_rows  # noqa: PLC0415

    model = ReadModel(store)
    conn = model.db.conn
    try:
        model.catch_up(issuer)
        conn.execute("BEGIN")
        followed = model.tracked(issuer)[0]
        days = [dt.date.fromisoformat(d) for (d,) in model.db.execute(
            "select effective_date from rm_checkpoints where issuer=? order by 1", [issuer])]
        records = []
        for raw in store.iter_raw_records(issuer, lenient=True):
            if raw["sequence"] > followed:
                break
            if "unreadable" not in raw:  # reported by check_issuer
                records.append(to_recorded(raw))
        history = resolve(records)
        if history:
            days.append(history[-1].effective_date)
        fresh, position = State(), 0
        for day in sorted(set(days)):
            while position < len(history) and history[position].effective_date <= day:
                apply(fresh, history[position])
                position += 1
            kept = model.state_at(issuer, day, follow=False, save=False)
            for name, rows in (("holdings", holdings_rows), ("captable", captable_rows), ("voting", voting_rows)):
                if rows(kept, day) != rows(fresh, day):
                    report.problems.append(f"{issuer}: read model {name} on {day} differs from a fresh rebuild")
        for table in differences(model.db, issuer, history):
            report.problems.append(f"{issuer}: read model {table} differs from a fresh rebuild")
        report.lines.append(f"{issuer}: read models match a fresh rebuild at {len(set(days))} dates")
    except UsageError:
        pass  # an unreadable log: check_issuer has reported the record
    except (RuleViolation, UnknownTarget, LookupError, ValueError, ValidationError) as exc:
        report.problems.append(f"{issuer}: read models cannot be rebuilt: {exc}")
    finally:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        model.close()


def verify_export(file: str) -> Report:
    path = Path(file)
    if not path.is_file():
        raise UsageError(f"{file}: no such file")
    by_issuer: dict[str, list[dict[str, Any]]] = defaultdict(list)
    report = Report()
    for number, line in enumerate(json_lines(path.read_text(encoding="utf-8")), start=1):
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
