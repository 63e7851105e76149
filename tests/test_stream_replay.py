"""The streaming replay (ledger.stream) gives exactly what the in-memory replay gave.

Random histories, with corrections of corrections, retractions of either, refs
and backdated events, are appended in batches at different instants to a real
SQLite ledger. For random known-at instants and as-of dates, the streamed state
(or the error) must equal `fold(resolve(known_at(store.records(...))))`.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

import pytest
from freezegun import freeze_time
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from events import parse_event
from ledger import spool
from ledger.store import Store
from ledger.stream import replay
from projections.fold import RuleViolation, fold
from projections.holdings import holdings_rows
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
            log.append(ev("SharesIssued", day, security="common", holder=h, quantity=draw(st.integers(1, 900)), **extra))
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
            got = outcome(lambda: replay(store.iter_raw_records("prop", page=5), instant, as_of))
            event(f"replay: {expected[0]}")
            assert got == expected
        store.close()


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
