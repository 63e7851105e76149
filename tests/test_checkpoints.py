"""Checkpointed answers equal a full replay: random dates, corrections and batch boundaries."""

from __future__ import annotations

import datetime as dt
import json
import os
import pickle
import sqlite3
import tempfile
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.intake import incremental

from ledger.checks.integrity import verify_store
from ledger.errors import InputError
from ledger.history import checkpoints, readmodel, state_data
from ledger.history.queries import Query, replay_state
from ledger.history.readmodel import ReadModel
from ledger.intake.importer import import_events
from ledger.intake.loaded import Loaded
from ledger.log.store import Store
from projections.captable import captable_rows
from projections.fold import fold
from ledger.history.answers import holdings as held_on
from projections.holdings import holdings_rows
from projections.ownership import ownership_rows
from tests.test_fold_properties import START, ev, histories

NOW = dt.datetime(2100, 1, 1, tzinfo=dt.timezone.utc)


@pytest.fixture(autouse=True)
def small_checkpoints(monkeypatch):
    monkeypatch.setattr(readmodel, "CHECKPOINT_EVERY", 3)
    monkeypatch.setattr(incremental, "IMPORT_CHECKPOINT_EVERY", 5)


def answers(state, day):
    return (holdings_rows(state, day), captable_rows(state, day), ownership_rows(state, "common", day))


def corrections_for(events, data):
    """Upward corrections of issuances (always valid), some of them retracted again."""
    issued = [e for e in events if e.type == "SharesIssued" and e.security == "common"]
    out = []
    for target in data.draw(st.lists(st.sampled_from(issued), max_size=3, unique_by=id)) if issued else []:
        fix = ev("EventCorrected", data.draw(st.integers(0, 40)), corrects=target.event_id, reason="restated",
                 replacement={"security": "common", "holder": target.holder,
                              "quantity": target.quantity + data.draw(st.integers(1, 500))})
        out.append(fix)
        if data.draw(st.booleans()):
            out.append(ev("EventRetracted", data.draw(st.integers(0, 40)), retracts=fix.event_id, reason="withdrawn"))
    return out


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(histories(), st.data())
def test_checkpointed_equals_full_replay(history, data):
    events, _ = history
    events = events + corrections_for(events, data)
    cuts = sorted(set(data.draw(st.lists(st.integers(1, len(events) - 1), max_size=4))))
    days = [START + dt.timedelta(days=d) for d in data.draw(st.lists(st.integers(0, 45), min_size=1, max_size=6))]
    with tempfile.TemporaryDirectory() as tmp:
        with Store(str(Path(tmp) / "l.db")) as store:
            model = ReadModel(store)
            previous = 0
            for cut in [*cuts, len(events)]:
                batch = [Loaded("gen", i, e) for i, e in enumerate(events[previous:cut])]
                import_events(store, batch)
                previous = cut
                for day in days:  # queries between batches create and invalidate checkpoints
                    fast = model.state_at("prop", day)
                    slow = replay_state(store, Query("prop", day, NOW))
                    assert answers(fast, day) == answers(slow, day)
                    # The holdings intervals, re-derived after each batch from the earliest date it
                    # reaches back to, answer as the fold does; after the warrant's expiry too.
                    assert model.answer_at(held_on, "prop", day) == holdings_rows(slow, day)
                    for party in ("h0", "h2"):
                        assert model.answer_at(held_on, "prop", day, party) == \
                            [r for r in holdings_rows(slow, day) if r["party"] == party]
                expired = dt.date(2030, 1, 1)
                assert model.answer_at(held_on, "prop", expired) == \
                    holdings_rows(replay_state(store, Query("prop", expired, NOW)), expired)
            model.close()


def holding(model, issuer="prop"):
    """The dates of this machine's checkpoints that still hold for the log as followed."""
    holds = model.holds(issuer)
    return [d for d, sequence, head in model.checkpoints.dates(issuer) if holds(d, sequence, head)]


def test_a_backdated_event_passes_over_only_later_checkpoints(tmp_path):
    with Store(str(tmp_path / "l.db")) as store:
        base = [ev("PartyRegistered", 0, party="h0", name="H", kind="individual"),
                ev("SecurityClassCreated", 0, security="common", name="C", kind="common")]
        base += [ev("SharesIssued", d, security="common", holder="h0", quantity=d) for d in range(1, 31)]
        import_events(store, [Loaded("gen", i, e) for i, e in enumerate(base)])
        model = ReadModel(store)
        model.state_at("prop", START + dt.timedelta(days=30))
        kept = holding(model)
        assert len(kept) >= 5
        late = [ev("SharesIssued", 20, security="common", holder="h0", quantity=1000)]
        import_events(store, [Loaded("gen", 0, late[0])])
        model.catch_up("prop")
        left = holding(model)
        cutoff = (START + dt.timedelta(days=20)).isoformat()
        assert [d for d in left if d < cutoff] == [d for d in kept if d < cutoff]
        # Checkpoints on or after the backdated date no longer hold; the import's check made new
        # ones that include it: on day d, h0 holds 1 + 2 + ... + d, plus 1,000 from day 20 on.
        assert [d for d in left if d >= cutoff]
        for day in (d for d in left if d >= cutoff):
            since, state = model.nearest("prop", day)
            assert since == day
            n = (dt.date.fromisoformat(day) - START).days
            assert state.held("h0", "common") == n * (n + 1) // 2 + 1000
        # 1 + 2 + ... + 30 = 465, plus the backdated 1,000.
        assert model.state_at("prop", START + dt.timedelta(days=30)).held("h0", "common") == 1465
        model.close()


def test_retired_warrants_behave_the_same_from_a_checkpoint(tmp_path):
    """Dead warrants leave the live state; from a checkpoint or from genesis, the same answers and refusals."""
    day = lambda n: (START + dt.timedelta(days=n)).isoformat()  # noqa: E731
    base = [ev("PartyRegistered", 0, party="h0", name="H", kind="individual"),
            ev("SecurityClassCreated", 0, security="common", name="C", kind="common"),
            ev("WarrantIssued", 0, warrant="w1", holder="h0", security="common", quantity=100,
               exercise_price="1.00", expires=day(10)),
            ev("WarrantIssued", 0, warrant="w2", holder="h0", security="common", quantity=100, exercise_price="1.00"),
            ev("WarrantIssued", 0, warrant="w3", holder="h0", security="common", quantity=100, exercise_price="1.00"),
            ev("CashExercise", 5, warrant="w2", quantity=100)]
    base += [ev("SharesIssued", d, security="common", holder="h0", quantity=1) for d in range(1, 21)]
    with Store(str(tmp_path / "l.db")) as store:
        import_events(store, [Loaded("gen", i, e) for i, e in enumerate(base)])
        model = ReadModel(store)
        model.state_at("prop", START + dt.timedelta(days=20))
        since, state = model.nearest("prop", day(20))
        assert since >= day(10)
        assert set(state.warrants) == {"w3"}
        assert state.retired.reason("w1") == f"expired on {day(10)}"
        assert state.retired.reason("w2") == f"was exercised in full on {day(5)}"
        for n in range(0, 22):
            d = START + dt.timedelta(days=n)
            assert answers(model.state_at("prop", d), d) == answers(replay_state(store, Query("prop", d, NOW)), d)
        # After the checkpoint, events naming the dead warrants are refused as from genesis.
        for late, needle in ((ev("CashExercise", 21, warrant="w1", quantity=1), f"warrant 'w1' expired on {day(10)}"),
                             (ev("CashExercise", 21, warrant="w2", quantity=1), "was exercised in full"),
                             (ev("WarrantIssued", 21, warrant="w2", holder="h0", security="common", quantity=5),
                              "'w2' is already defined")):
            with pytest.raises(InputError, match=needle):
                import_events(store, [Loaded("late", 0, late)])
        model.close()


def _ten_issues(tmp_path, name="l.db"):
    base = [ev("PartyRegistered", 0, party="h0", name="H", kind="individual"),
            ev("SecurityClassCreated", 0, security="common", name="C", kind="common")]
    base += [ev("SharesIssued", d, security="common", holder="h0", quantity=d) for d in range(1, 11)]
    store = Store(str(tmp_path / name))
    import_events(store, [Loaded("gen", i, e) for i, e in enumerate(base)])
    return store


@pytest.mark.parametrize("change", ["a byte of the state", "the layout", "the events", "an empty part"])
def test_a_checkpoint_that_cannot_be_read_back_is_passed_over(tmp_path, change):
    day = START + dt.timedelta(days=10)
    with _ten_issues(tmp_path) as store:
        model = ReadModel(store)
        assert model.state_at("prop", day).held("h0", "common") == 55  # 1 + 2 + ... + 10
        assert holding(model)  # the import's and the query's; each is changed below
        conn = model.checkpoints._open(create=False)
        with conn:
            if change == "a byte of the state":
                (state,) = conn.execute("select state from checkpoints").fetchone()
                conn.execute("update checkpoints set state=?", [state[:-1] + bytes([state[-1] ^ 1])])
            elif change == "the layout":
                conn.execute("update checkpoints set layout=0")
            elif change == "the events":  # rewritten with its digest: read back, it is not a state
                conn.execute("update checkpoints set events=?", [zlib.compress(b'[{"not": "an event"}]')])
                row = conn.execute("select state, events, parties, retired from checkpoints").fetchone()
                conn.execute("update checkpoints set digest=?", [checkpoints._digest(state_data.Parts(*row))])
            else:
                conn.execute("update checkpoints set parties=null")
        # The answer comes from the log, as from no checkpoint at all; verify still passes.
        assert model.nearest("prop", day.isoformat())[0] == ""
        assert model.state_at("prop", day, save=False).held("h0", "common") == 55
        model.close()
        assert verify_store(store).ok


class Touch:
    """Unpickling this creates a file: what a crafted pickle could do, harmlessly."""

    def __init__(self, path: Path):
        self.path = path

    def __reduce__(self):
        return Path.touch, (self.path,)


def test_a_ledger_file_holds_no_checkpoint_and_every_blob_is_json(tmp_path):
    """Nothing in a ledger file is code to run: every blob is JSON text (the log's records)."""
    day = START + dt.timedelta(days=10)
    with _ten_issues(tmp_path) as store:
        model = ReadModel(store)
        model.state_at("prop", day)
        model.close()
        assert verify_store(store).ok
    with sqlite3.connect(tmp_path / "l.db") as c:
        names = [n for (n,) in c.execute("select name from sqlite_master where type='table'")]
        assert "rm_checkpoints" not in names
        blobs = 0
        for table in names:
            for column in [r[1] for r in c.execute(f"pragma table_info({table})")]:
                for (value,) in c.execute(f"select {column} from {table} where typeof({column})='blob'"):
                    json.loads(value)
                    blobs += 1
        assert blobs == 13  # IssuerRegistered and the 12 events: the log's records, and nothing else
    assert [p.name.split("-")[0] for p in Path(os.environ["LEDGER_CACHE"]).glob("*.db")
            if sqlite3.connect(p).execute("select count(*) from sqlite_master where name='checkpoints'").fetchone()[0]]


def test_an_older_ledgers_pickled_checkpoints_are_never_read_and_go_with_the_next_write(tmp_path):
    marker = tmp_path / "code-ran"
    day = START + dt.timedelta(days=10)
    with _ten_issues(tmp_path) as store:
        with sqlite3.connect(tmp_path / "l.db") as c:  # as a ledger of an earlier version kept them
            c.execute("create table rm_checkpoints (issuer text, effective_date text, events integer, state blob)")
            c.execute("insert into rm_checkpoints values ('prop', ?, 12, ?)",
                      [day.isoformat(), b"state/5:" + bytes(32) + zlib.compress(pickle.dumps(Touch(marker)))])
        model = ReadModel(store, readonly=True)
        assert model.read_state("prop", day).held("h0", "common") == 55
        model.close()
        assert verify_store(store).ok
        import_events(store, [Loaded("late", 0, ev("SharesIssued", 11, security="common", holder="h0", quantity=1))])
    with sqlite3.connect(tmp_path / "l.db") as c:
        assert not c.execute("select count(*) from sqlite_master where name='rm_checkpoints'").fetchone()[0]
    assert not marker.exists()


@pytest.fixture
def day_ten(tmp_path, monkeypatch):
    """The ten issues, and the one checkpoint a query on day 10 keeps (the import keeps none)."""
    monkeypatch.setattr(incremental, "IMPORT_CHECKPOINT_EVERY", 10**9)
    day = START + dt.timedelta(days=10)
    store = _ten_issues(tmp_path)
    model = ReadModel(store)
    assert model.state_at("prop", day).held("h0", "common") == 55  # 1 + 2 + ... + 10
    assert holding(model) == [day.isoformat()]
    yield store, model, day
    model.close()
    store.close()


def test_a_ledger_replaced_at_the_same_path_is_not_answered_from_the_old_ones_checkpoints(tmp_path, day_ten):
    store, model, day = day_ten
    model.close()
    store.close()
    for suffix in ("", "-wal", "-shm"):
        (tmp_path / f"l.db{suffix}").unlink(missing_ok=True)
    with Store(str(tmp_path / "l.db")) as store:
        base = [ev("PartyRegistered", 0, party="h0", name="H", kind="individual"),
                ev("SecurityClassCreated", 0, security="common", name="C", kind="common")]
        base += [ev("SharesIssued", d, security="common", holder="h0", quantity=2 * d) for d in range(1, 11)]
        import_events(store, [Loaded("gen", i, e) for i, e in enumerate(base)])
        model = ReadModel(store)
        # The same number of records, another log: the old checkpoint's record hash is not this one's.
        assert model.checkpoints.dates("prop") and holding(model) == []
        assert model.state_at("prop", day).held("h0", "common") == 110
        model.close()


def test_an_expired_warrant_holds_nothing_whatever_was_exercised_of_it(tmp_path):
    """A warrant with an exercise of unstated size, expired on day 10 and no event after it: no
    row from its expiry on, whether the state comes from a fold (where it is still among the live
    warrants) or from a checkpoint (where it was retired at the checkpoint's date)."""
    from ledger.history.checkpoints import settle

    events = [ev("PartyRegistered", 0, party="h0", name="H", kind="individual"),
              ev("SecurityClassCreated", 0, security="common", name="C", kind="common"),
              ev("WarrantIssued", 0, warrant="w", holder="h0", security="common", quantity=1000,
                 exercise_price="1.50", expires=(START + dt.timedelta(days=10)).isoformat()),
              ev("CashlessExercise", 5, warrant="w", shares_issued=100)]
    before, after = START + dt.timedelta(days=9), START + dt.timedelta(days=15)
    state = fold(events, before)
    # 100 issued means at least 101 surrendered: at most 1,000 - 101 = 899 left, and all of the
    # one tranche may have been drawn, so at least none.
    [row] = [r for r in holdings_rows(state, before) if r["kind"] == "warrant"]
    assert (row["quantity"], row["quantity_at_least"], row["quantity_at_most"]) == (None, 0, 899)
    plain = fold(events, after)
    assert "w" in plain.warrants  # no event since the expiry has retired it
    settled = fold(events, after)
    settle(settled, after)
    assert "w" not in settled.warrants
    for s in (plain, settled):
        assert holdings_rows(s, after) == [{"party": "h0", "security": "common", "kind": "shares", "quantity": 100}]
    with Store(str(tmp_path / "l.db")) as store:
        import_events(store, [Loaded("gen", i, e) for i, e in enumerate(events)])
        model = ReadModel(store)
        assert model.answer_at(held_on, "prop", after) == holdings_rows(plain, after)
        assert model.answer_at(held_on, "prop", before) == holdings_rows(state, before)
        model.close()


def test_pages_followed_without_their_reach_leave_only_the_head_to_tell(tmp_path, day_ten):
    """A page followed by a version that keeps no reach may reach back past a checkpoint: then
    only a checkpoint of the head itself still holds."""
    store, model, day = day_ten
    import_events(store, [Loaded("late", 0, ev("SharesIssued", 11, security="common", holder="h0", quantity=1))])
    # The page reaches back to day 11 only: the checkpoint of day 10 still holds.
    assert holding(model) == [day.isoformat()]
    with sqlite3.connect(tmp_path / "l.db") as c:  # as an older version following that page leaves it
        c.execute("delete from rm_reach where issuer='prop' and sequence=(select max(sequence) from rm_reach)")
    assert holding(model) == []
    assert model.state_at("prop", day, save=False).held("h0", "common") == 55
