"""The streaming replay (ledger.history.stream) gives exactly what the in-memory replay gave.

Random histories, with corrections of corrections, retractions of either, refs
and backdated events, are appended in batches at different instants to a real
SQLite ledger. For random known-at instants and as-of dates, the streamed state
(or the error) must equal `fold(resolve(known_at(store.records(...))))`; and
`verify` must report exactly what the in-memory verify reported, for intact
logs and for logs altered behind the ledger's back.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

import pytest
from freezegun import freeze_time
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from events import parse_event
from ledger.checks import integrity
from ledger.errors import UsageError
from ledger.history.readmodel import ReadModel
from ledger.history.stream import SpooledLog, replay
from ledger.log import spool
from ledger.log.chain import check_chain
from ledger.log.store import Store, to_recorded
from projections.fold import RuleViolation, apply, fold
from projections.holdings import holdings_rows
from projections.state import State
from projections.timeline import UnknownTarget, known_at, resolve
from tests.test_fold_properties import START, ev, histories

T0 = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
SLOW = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


@pytest.fixture(autouse=True)
def small_pages(monkeypatch):
    monkeypatch.setattr(spool, "PAGE", 7)  # several spool pages even for a short log


def with_ref(event, ref: str):
    return parse_event({**event.model_dump(mode="json", exclude_none=True), "ref": ref})


@st.composite
def logs(draw) -> list[Any]:
    """A log: a valid history, some events given refs, then corrections and retractions of
    earlier entries (plain or corrections themselves), by id or by ref, and backdated events."""
    events, _ = draw(histories())
    log = [with_ref(e, f"e{i}") if draw(st.integers(0, 4)) == 0 else e for i, e in enumerate(events)]
    origin: dict[int, int] = {i: i for i in range(len(log))}  # entry -> the plain entry it acts on at last
    for _ in range(draw(st.integers(0, 8))):
        n = len(log)
        op = draw(st.sampled_from(["correct", "correct", "correct", "retract", "retract", "late"]))
        day = draw(st.integers(0, 40))
        ref = f"c{n}" if draw(st.booleans()) else None
        extra = {"ref": ref} if ref else {}
        if op == "late":
            h = draw(st.sampled_from(["h0", "h1", "h2"]))
            quantity = draw(st.integers(1, 900))
            log.append(ev("SharesIssued", day, security="common", holder=h, quantity=quantity, **extra))
            origin[n] = n
            continue
        target_index = draw(st.integers(0, n - 1))
        target = log[target_index]
        key = target.ref if target.ref and draw(st.booleans()) else target.event_id
        if op == "retract":
            log.append(ev("EventRetracted", day, retracts=key, reason="withdrawn", **extra))
            origin[n] = origin[target_index]
            continue
        original = log[origin[target_index]]
        if original.type != "SharesIssued":
            continue
        replacement = {"security": original.security, "holder": original.holder,
                       "quantity": max(1, original.quantity + draw(st.integers(-300, 900)))}
        if draw(st.integers(0, 3)) == 0:
            replacement["effective_date"] = (START + dt.timedelta(days=draw(st.integers(0, 40)))).isoformat()
        log.append(ev("EventCorrected", day, corrects=key, replacement=replacement, reason="restated", **extra))
        origin[n] = origin[target_index]
    if draw(st.integers(0, 9)) == 5:  # now and then (hypothesis favours the bounds 0 and 9)
        log.append(ev("EventRetracted", 3, retracts="no-such-event", reason="names nothing"))
    return log


def write(path: Path, log: list[Any], cuts: list[int]) -> list[dt.datetime]:
    """Append the log in batches, each at its own instant (no rule is checked: errors are kept)."""
    instants = []
    with Store(str(path)) as store:
        previous = 0
        for k, cut in enumerate([*cuts, len(log)]):
            if cut <= previous:
                continue
            instant = T0 + dt.timedelta(hours=k)
            with freeze_time(instant):
                store.append({"prop": log[previous:cut]})
            instants.append(instant)
            previous = cut
    return instants


def outcome(run):
    try:
        state = run()
    except (RuleViolation, UnknownTarget, ValidationError) as exc:
        return type(exc).__name__, str(exc)
    return "state", state, holdings_rows(state, dt.date(2099, 1, 1))


@SLOW
@given(logs(), st.data())
def test_streamed_replay_equals_the_in_memory_replay(log, data):
    cuts = sorted(data.draw(st.lists(st.integers(1, len(log)), max_size=4)))
    with tempfile.TemporaryDirectory() as tmp:
        instants = write(Path(tmp) / "l.db", log, cuts)
        store = Store(str(Path(tmp) / "l.db"))
        asked = [None, *instants, instants[0] - dt.timedelta(seconds=1), instants[-1] + dt.timedelta(minutes=30)]
        for instant in data.draw(st.lists(st.sampled_from(asked), min_size=1, max_size=3)):
            as_of = data.draw(st.none() | st.integers(-1, 45).map(lambda d: START + dt.timedelta(days=d)))
            expected = outcome(lambda: fold(resolve(known_at(store.records("prop"), instant)), as_of))
            got = outcome(lambda: replay(store.iter_raw_rows("prop", page=5), instant, as_of))
            event(f"replay: {expected[0]}")
            assert got == expected
        store.close()


# --- verify: the in-memory implementation it replaced, as the oracle ---------------------------


def legacy_check_issuer(issuer: str, records: list[dict[str, Any]], report: integrity.Report) -> None:
    before = len(report.problems)
    for p in check_chain(records):
        report.problems.append(f"{issuer}: record {p.sequence}: {p.problem}")
    recorded = []
    for record in records:
        try:
            r = to_recorded(record)
        except (ValidationError, KeyError, TypeError, ValueError) as exc:
            report.problems.append(f"{issuer}: record {record.get('sequence')}: "
                                   f"event does not parse ({exc.__class__.__name__})")
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


def legacy_check_read_models(store: Store, issuer: str, report: integrity.Report) -> None:
    from ledger.history.sqlviews import differences  # noqa: PLC0415
    from projections.captable import captable_rows  # noqa: PLC0415
    from projections.voting import voting_rows  # noqa: PLC0415

    model = ReadModel(store)
    conn = model.db.conn
    try:
        model.catch_up(issuer)
        conn.execute("BEGIN")
        followed = model.tracked(issuer)[0]
        holds = model.holds(issuer)
        days = [dt.date.fromisoformat(d) for d, sequence, head in model.checkpoints.dates(issuer)
                if holds(d, sequence, head)]
        records = []
        for raw in store.iter_raw_records(issuer, lenient=True):
            if raw["sequence"] > followed:
                break
            if "unreadable" not in raw:
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
        pass
    except (RuleViolation, UnknownTarget, LookupError, ValueError, ValidationError) as exc:
        report.problems.append(f"{issuer}: read models cannot be rebuilt: {exc}")
    finally:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        model.close()


def legacy_verify(store: Store) -> integrity.Report:
    report = integrity.Report()
    for issuer in store.issuers():
        legacy_check_issuer(issuer, store.raw_records(issuer, lenient=True), report)
        legacy_check_read_models(store, issuer, report)
    return report


def alterations():
    """Ways a record can be changed behind the ledger's back: name -> change(record), in place."""
    def date_changed(r):
        r["event"]["effective_date"] = "2020-01-01"
    def no_event(r):
        del r["event"]
    def event_not_a_dict(r):
        r["event"] = "text"
    def event_a_number(r):
        r["event"] = 5
    def unknown_type(r):
        r["event"]["type"] = "NoSuchEvent"
    def odd_date(r):
        r["event"]["effective_date"] = "2020-01-05T00:00:00"  # pydantic reads it; not a plain date
    def bad_stamp(r):
        r["recorded_at"] = "yesterday"
    def marked(r):
        r["unreadable"] = "but it is"
    def id_changed(r):
        r["event_id"] = "someone-else"
    def id_not_a_string(r):
        r["event_id"] = ["x"]
    return {f.__name__: f for f in (date_changed, no_event, event_not_a_dict, event_a_number, unknown_type, odd_date,
                                    bad_stamp, marked, id_changed, id_not_a_string)}


def alter(path: Path, sequence: int, name: str) -> None:
    with sqlite3.connect(path) as c:
        rowid, state = c.execute("select rowid, state from ledger_events where originator_version=? "
                                 "and topic != 'IssuerRegistered' order by rowid limit 1", (sequence,)).fetchone()
        if name == "not_json":
            new = b"\xff not json"
        else:
            record = json.loads(state)
            alterations()[name](record)
            new = json.dumps(record).encode()
        c.execute("update ledger_events set state=? where rowid=?", (new, rowid))


def outcome_of_verify(run):
    try:
        report = run()
    except Exception as exc:  # noqa: BLE001 (the same crash is the same behaviour)
        return type(exc).__name__, str(exc)
    return report.lines, report.problems


@SLOW
@given(logs(), st.data())
def test_verify_reports_what_the_in_memory_verify_reported(log, data):
    cuts = sorted(data.draw(st.lists(st.integers(1, len(log)), max_size=3)))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "l.db"
        write(path, log, cuts)
        with Store(str(path)) as store:
            if data.draw(st.booleans()):  # read models with checkpoints, as queries leave them
                model = ReadModel(store)
                try:
                    for d in data.draw(st.lists(st.integers(0, 45), max_size=3)):
                        model.state_at("prop", START + dt.timedelta(days=d))
                except (RuleViolation, UnknownTarget, LookupError, ValidationError):
                    pass
                finally:
                    model.close()
        names = ["not_json", *alterations()]
        changes = st.tuples(st.integers(1, len(log)), st.sampled_from(names))
        for sequence, name in data.draw(st.lists(changes, max_size=2, unique_by=lambda c: c[0])):
            alter(path, sequence, name)
        with Store(str(path)) as store:
            expected = outcome_of_verify(lambda: legacy_verify(store))
            got = outcome_of_verify(lambda: integrity.verify_store(store))
        event("verify: " + (expected[0] if isinstance(expected[0], str) else
                            "ok" if not expected[1] else expected[1][-1].split(":")[1].strip()[:24]))
        assert got == expected


@SLOW
@given(logs(), st.data())
def test_verify_of_an_export_reports_what_it_reported(log, data):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "l.db"
        write(path, log, [])
        with Store(str(path)) as store:
            records = store.raw_records("prop")
        changes = st.tuples(st.integers(0, len(records) - 1), st.sampled_from(sorted(alterations())))
        for index, name in data.draw(st.lists(changes, max_size=2, unique_by=lambda c: c[0])):
            alterations()[name](records[index])
        if data.draw(st.booleans()):
            records = list(reversed(records))  # an export shuffled by hand: sequences out of order

        def check(function):
            report = integrity.Report()
            function("prop", records, report)
            return report

        expected = outcome_of_verify(lambda: check(legacy_check_issuer))
        got = outcome_of_verify(lambda: check(integrity.check_issuer))
        assert got == expected


def test_the_spool_is_removed_after_a_replay(tmp_path, monkeypatch):
    made = []
    real = spool.Spool.__init__

    def spy(self):
        real(self)
        made.append(Path(self._dir.name))

    monkeypatch.setattr(spool.Spool, "__init__", spy)
    log = [ev("PartyRegistered", 0, party="h0", name="H", kind="individual"),
           ev("SecurityClassCreated", 0, security="common", name="C", kind="common"),
           ev("SharesIssued", 1, security="common", holder="h0", quantity=5)]
    write(tmp_path / "l.db", log, [])
    with Store(str(tmp_path / "l.db")) as store:
        state = replay(store.iter_raw_records("prop"))
    assert state.held("h0", "common") == 5
    assert made and not any(p.exists() for p in made)


def test_read_models_that_followed_records_appended_after_the_scan(tmp_path, monkeypatch):
    """A writer appends between the log's own check and the read models catching up: they are
    compared with the log as far as they followed it, read again."""
    base = [ev("PartyRegistered", 0, party="h0", name="H", kind="individual"),
            ev("SecurityClassCreated", 0, security="common", name="C", kind="common")]
    base += [ev("SharesIssued", d, security="common", holder="h0", quantity=d) for d in range(1, 9)]
    write(tmp_path / "l.db", base, [])
    late = [ev("SharesIssued", 20, security="common", holder="h0", quantity=1000)]
    with Store(str(tmp_path / "l.db")) as store:
        model = ReadModel(store)
        model.state_at("prop", START + dt.timedelta(days=30))
        model.close()

        def appended_then_opened():
            store.append({"prop": late})
            return integrity.ReadModelCheck(store, "prop")

        logs_read = []
        monkeypatch.setattr(integrity, "SpooledLog", lambda *a, **k: logs_read.append(1) or SpooledLog(*a, **k))
        report = integrity.Report()
        integrity.check_issuer("prop", store.iter_raw_records("prop", lenient=True), report, appended_then_opened)
        assert len(logs_read) == 2  # the log's own, then the read models' (longer) one
        assert report.problems == []
        assert report.lines[0].startswith(f"prop: {len(base)} records, chain intact")
        assert report.lines[1].startswith("prop: read models match a fresh rebuild")
        assert integrity.verify_store(store).ok
