"""Checkpointed answers equal a full replay: random dates, corrections and batch boundaries."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.intake import incremental

from ledger.checks.integrity import verify_store
from ledger.errors import InputError
from ledger.history import readmodel
from ledger.history.queries import Query, replay_state
from ledger.history.readmodel import ReadModel
from ledger.intake.importer import import_events
from ledger.intake.loaded import Loaded
from ledger.log.store import Store
from projections.captable import captable_rows
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
                    assert model.holdings_at("prop", day) == holdings_rows(slow, day)
                    for party in ("h0", "h2"):
                        assert model.holdings_at("prop", day, party) == \
                            [r for r in holdings_rows(slow, day) if r["party"] == party]
                expired = dt.date(2030, 1, 1)
                assert model.holdings_at("prop", expired) == \
                    holdings_rows(replay_state(store, Query("prop", expired, NOW)), expired)
            model.close()


def test_a_backdated_event_invalidates_only_later_checkpoints(tmp_path):
    with Store(str(tmp_path / "l.db")) as store:
        base = [ev("PartyRegistered", 0, party="h0", name="H", kind="individual"),
                ev("SecurityClassCreated", 0, security="common", name="C", kind="common")]
        base += [ev("SharesIssued", d, security="common", holder="h0", quantity=d) for d in range(1, 31)]
        import_events(store, [Loaded("gen", i, e) for i, e in enumerate(base)])
        model = ReadModel(store)
        model.state_at("prop", START + dt.timedelta(days=30))
        kept = [r[0] for r in model.db.execute("select effective_date from rm_checkpoints order by 1")]
        assert len(kept) >= 5
        late = [ev("SharesIssued", 20, security="common", holder="h0", quantity=1000)]
        import_events(store, [Loaded("gen", 0, late[0])])
        model.catch_up("prop")
        left = [r[0] for r in model.db.execute("select effective_date from rm_checkpoints order by 1")]
        cutoff = (START + dt.timedelta(days=20)).isoformat()
        assert [d for d in left if d < cutoff] == [d for d in kept if d < cutoff]
        # Checkpoints on or after the backdated date were replaced by ones that include it:
        # on day d, h0 holds 1 + 2 + ... + d, plus 1,000 from day 20 on.
        for day in (d for d in left if d >= cutoff):
            _, state = model.checkpoint("prop", day)
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
        since, state = model.checkpoint("prop", day(20))
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


def test_a_checkpoint_in_an_older_layout_is_dropped_not_misread(tmp_path):
    import pickle
    import zlib

    base = [ev("PartyRegistered", 0, party="h0", name="H", kind="individual"),
            ev("SecurityClassCreated", 0, security="common", name="C", kind="common")]
    base += [ev("SharesIssued", d, security="common", holder="h0", quantity=d) for d in range(1, 11)]
    with Store(str(tmp_path / "l.db")) as store:
        import_events(store, [Loaded("gen", i, e) for i, e in enumerate(base)])
        model = ReadModel(store)
        model.state_at("prop", START + dt.timedelta(days=10))
        stale = zlib.compress(pickle.dumps({"not": "a state"}))
        with model.db.conn:
            model.db.conn.execute("update rm_checkpoints set state=?", [stale])
        day = START + dt.timedelta(days=10)
        # 1 + 2 + ... + 10 = 55, from the log; a read-only query leaves the stale rows be,
        assert model.state_at("prop", day, save=False).held("h0", "common") == 55
        assert {b for (b,) in model.db.execute("select state from rm_checkpoints")} == {stale}
        # and a query that may write replaces them with one it can read.
        assert model.state_at("prop", day).held("h0", "common") == 55
        (blob,) = model.db.execute("select state from rm_checkpoints").fetchall()[0]
        assert model.db.execute("select count(*) from rm_checkpoints").fetchone()[0] == 1
        assert blob.startswith(readmodel.FORMAT)
        assert readmodel.thaw(blob, "prop", day.isoformat()).held("h0", "common") == 55
        model.close()


class Touch:
    """Unpickling this creates a file: what a crafted checkpoint could do, harmlessly."""

    def __init__(self, path: Path):
        self.path = path

    def __reduce__(self):
        return Path.touch, (self.path,)


def _ten_issues(tmp_path, name="l.db"):
    base = [ev("PartyRegistered", 0, party="h0", name="H", kind="individual"),
            ev("SecurityClassCreated", 0, security="common", name="C", kind="common")]
    base += [ev("SharesIssued", d, security="common", holder="h0", quantity=d) for d in range(1, 11)]
    store = Store(str(tmp_path / name))
    import_events(store, [Loaded("gen", i, e) for i, e in enumerate(base)])
    return store


@pytest.mark.parametrize("signature", ["zeros", "valid for another day"])
def test_a_checkpoint_not_signed_here_is_never_unpickled(tmp_path, signature):
    import pickle
    import zlib

    from ledger.history import signing

    marker = tmp_path / "code-ran"
    payload = zlib.compress(pickle.dumps(Touch(marker)))
    day = START + dt.timedelta(days=10)
    if signature == "zeros":
        mac = bytes(signing.SIGNATURE_BYTES)
    else:  # signed with this key, but for another date than the row's: moved from elsewhere
        mac = signing.sign(readmodel.FORMAT, b"prop", (day - dt.timedelta(days=1)).isoformat().encode(), payload)
    with _ten_issues(tmp_path) as store:
        model = ReadModel(store)
        model.catch_up("prop")
        with model.db.conn:
            model.db.conn.execute("insert into rm_checkpoints (issuer, effective_date, events, state) "
                                  "values ('prop', ?, 12, ?)", [day.isoformat(), readmodel.FORMAT + mac + payload])
        assert model.state_at("prop", day).held("h0", "common") == 55  # 1 + ... + 10, from the log
        model.close()
        assert verify_store(store).ok
    assert not marker.exists()


def test_a_ledger_file_made_under_another_key_is_answered_from_its_log(tmp_path, monkeypatch):
    from ledger.history import signing

    day = START + dt.timedelta(days=10)
    monkeypatch.setenv("LEDGER_CHECKPOINT_KEY", str(tmp_path / "theirs.key"))
    signing.forget_key()
    with _ten_issues(tmp_path) as store:
        model = ReadModel(store)
        model.state_at("prop", day)
        theirs = model.db.execute("select effective_date, state from rm_checkpoints").fetchall()
        assert theirs  # the import's and the query's
        model.close()
    monkeypatch.setenv("LEDGER_CHECKPOINT_KEY", str(tmp_path / "ours.key"))
    signing.forget_key()
    try:
        with Store(str(tmp_path / "l.db")) as store:
            report = verify_store(store)
            assert report.ok, report.problems
            model = ReadModel(store)
            # verify only reads: their checkpoint is still there, unread
            assert model.db.execute("select effective_date, state from rm_checkpoints").fetchall() == theirs
            assert model.state_at("prop", day).held("h0", "common") == 55
            ours = model.db.execute("select effective_date, state from rm_checkpoints").fetchall()
            assert ours == [(day.isoformat(), ours[0][1])] and ours[0] not in theirs
            assert readmodel.thaw(ours[0][1], "prop", day.isoformat()).held("h0", "common") == 55
            model.close()
    finally:
        monkeypatch.undo()
        signing.forget_key()
