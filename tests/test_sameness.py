"""verify skips a checkpoint's rows only when no projection could tell it from the fresh fold.

`interchangeable` must say no to every change that `==` does not see but a
projection may show (the order of a dict, 2.5 against 2.50, 1 against True);
and verify must still report a checkpoint that differs only in such a way.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.checks.integrity import verify_store
from ledger.history import state_data
from ledger.history.checkpoints import freeze, settle
from ledger.history.readmodel import ReadModel
from ledger.history.sameness import interchangeable
from ledger.intake.importer import import_events
from ledger.intake.loader import collect_files, load_files
from ledger.log.store import Store
from projections.captable import captable_rows
from projections.fold import fold
from projections.holdings import holdings_rows
from projections.timeline import resolve
from tests.test_fold_properties import START, ev, histories

FAR = dt.date(2029, 12, 31)


def with_note(events):
    return [*events, ev("NoteIssued", 30, note="n1", holder="h1", principal="100.00", converts_to="common",
                        conversion_price="2.50")]


def reordered(d: dict) -> dict:
    return dict(reversed(list(d.items())))


@settings(max_examples=60, deadline=None)
@given(histories())
def test_two_folds_of_one_history_are_interchangeable(history):
    events = with_note(history[0])
    assert interchangeable(fold(events), fold(events))


@settings(max_examples=60, deadline=None)
@given(histories())
def test_a_checkpoint_is_interchangeable_with_the_fold_settled_on_its_day(history):
    """verify skips a checkpoint's rows when this holds: freezing must not leave a difference
    (such as the order of the holdings) that only a settled fresh fold would share."""
    events = with_note(history[0])
    day = max(e.effective_date for e in events)
    kept = state_data.load(freeze(fold(events), day.isoformat()))
    fresh = fold(events)
    settle(fresh, day)
    assert interchangeable(kept, fresh)


@pytest.mark.parametrize("folder", ["tests/data/acme", "replay_data/savvis"])
def test_the_log_and_the_files_it_came_from_fold_to_interchangeable_states(tmp_path, folder):
    """An import checks (and checkpoints) its batch folded from the files' events, which have no
    recorded_at yet; verify folds the log's, which have. The state keeps no transaction time,
    so the two are interchangeable, and verify can skip those checkpoints' rows."""
    root = Path(__file__).parent.parent
    loaded = load_files(collect_files([str(root / folder)]))
    with Store(str(tmp_path / "l.db")) as store:
        import_events(store, loaded)
        (issuer,) = store.issuers()
        logged = resolve(store.records(issuer))  # the events, as now known, in fold order
    assert logged and all(e.recorded_at is not None for e in logged)
    unrecorded = [e.model_copy(update={"recorded_at": None}) for e in logged]
    assert interchangeable(fold(logged), fold(unrecorded))


@settings(max_examples=60, deadline=None)
@given(histories(), st.sampled_from(["securities", "shares", "warrants", "parties", "decimal", "bool", "float"]))
def test_what_equality_misses_is_not_interchangeable(history, change):
    events = with_note(history[0])
    a, b = fold(events), fold(events)
    if change in ("securities", "shares", "warrants", "parties"):
        if len(getattr(b, change)) < 2:
            return
        setattr(b, change, reordered(getattr(b, change)))
    elif change == "decimal":
        b.notes["n1"] = b.notes["n1"].model_copy(update={"principal": Decimal("100.0")})
    elif "w" not in b.warrants:
        return  # exercised in full: retired, no longer a WarrantState to alter
    elif change == "bool":
        if b.warrants["w"].exercised not in (0, 1):
            return
        b.warrants["w"].exercised = bool(b.warrants["w"].exercised)
    elif change == "float":
        b.warrants["w"].quantity = float(b.warrants["w"].quantity)
    assert a == b  # all of these are invisible to ==, and a projection may show any of them
    assert not interchangeable(a, b)


def test_a_projection_shows_what_equality_misses():
    events = with_note([ev("PartyRegistered", 0, party="h1", name="H1", kind="individual"),
                        ev("SecurityClassCreated", 0, security="common", name="Common", kind="common"),
                        ev("SecurityClassCreated", 0, security="pref", name="Pref", kind="preferred")])
    a, b = fold(events), fold(events)
    b.notes["n1"] = b.notes["n1"].model_copy(update={"principal": Decimal("100.0")})
    b.securities = reordered(b.securities)
    assert a == b
    assert holdings_rows(a, FAR) != holdings_rows(b, FAR) and captable_rows(a, FAR) != captable_rows(b, FAR)


def test_verify_reports_a_checkpoint_that_differs_only_in_a_decimal_s_digits(tmp_path):
    path = tmp_path / "l.db"
    events = with_note([ev("PartyRegistered", 0, party=h, name=h.upper(), kind="individual") for h in ("h0", "h1")]
                       + [ev("SecurityClassCreated", 0, security="common", name="Common", kind="common"),
                          ev("SharesIssued", 1, security="common", holder="h0", quantity=10)])
    day = START + dt.timedelta(days=30)
    with Store(str(path)) as store:
        store.append({"prop": events})
        model = ReadModel(store)
        state = model.state_at("prop", day)
        sequence, head = model.tracked("prop")
        model.checkpoints.keep("prop", [(day.isoformat(), freeze(state, day.isoformat()))], sequence, head)
        assert verify_store(store).ok
        # The checkpoint drifts: 100.0 where the log says 100.00.
        state.notes["n1"] = state.notes["n1"].model_copy(update={"principal": Decimal("100.0")})
        model.checkpoints.keep("prop", [(day.isoformat(), freeze(state, day.isoformat()))], sequence, head)
        model.close()
        report = verify_store(store)
    assert f"prop: read model holdings on {day} differs from a fresh rebuild" in report.problems
