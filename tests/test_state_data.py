"""A folded state written out as plain data reads back interchangeable with the state itself.

The generated histories (tests/test_sameness.py) cover shares, warrants and notes; the
bundled histories add what they do not: agreements with their terms, joinders,
control relations, voting commitments, reported figures and retired warrants.
"""

from __future__ import annotations

import datetime as dt
import zlib
from dataclasses import fields
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import orjson
import pytest

from ledger.history import state_data
from ledger.history.checkpoints import settle
from ledger.history.sameness import interchangeable
from ledger.intake.importer import import_events
from ledger.intake.loader import collect_files, load_files
from ledger.log.store import Store
from projections.fold import fold
from projections.state import State
from projections.timeline import resolve

ROOT = Path(__file__).parent.parent


def round_trip(state: State) -> State:
    return state_data.load(state_data.dump(state))


def history(folder: str, tmp_path: Path) -> list:
    """The folder's events as the log holds them once imported, in fold order."""
    with Store(str(tmp_path / "l.db")) as store:
        import_events(store, load_files(collect_files([str(ROOT / folder)])))
        (issuer,) = store.issuers()
        return resolve(store.records(issuer))


@pytest.mark.parametrize("folder", ["tests/data/acme", "replay_data/savvis"])
def test_a_bundled_history_reads_back_interchangeable_on_every_event_date(folder, tmp_path):
    events = history(folder, tmp_path)
    days = sorted({e.effective_date for e in events})
    assert len(days) > 5
    for day in days:
        state = fold(events, day)
        settle(state, day)
        back = round_trip(state)
        assert interchangeable(back, state), day
        # Written out again, the same bytes: nothing is lost or reordered on the way back.
        assert state_data.dump(back) == state_data.dump(state)


def test_savvis_carries_what_the_generated_histories_do_not(tmp_path):
    events = history("replay_data/savvis", tmp_path)
    state = fold(events, dt.date(2004, 12, 31))
    assert state.agreements and state.controllers and state.statements and state.ownership_reports
    assert any(a.joinders for a in state.agreements.values())
    back = round_trip(state)
    assert back.agreements == state.agreements and back.controllers == state.controllers


def test_every_field_of_the_state_is_written_out_by_name():
    written = set(orjson.loads(zlib.decompress(state_data.dump(State()).state)))
    # The retired warrants are a part of their own.
    assert {f.name for f in fields(State)} - {"retired"} <= written


def test_free_form_terms_keep_their_types(tmp_path):
    events = history("replay_data/savvis", tmp_path)
    state = fold(events, dt.date(2004, 12, 31))
    name = next(iter(state.agreements))
    terms = {"rate": Decimal("0.0750"), "on": dt.date(2004, 6, 30), "at": dt.datetime(2004, 6, 30, 9, 30),
             "ratio": Fraction(3, 7), "pair": (1, "a"), "nested": {"list": [1.5, None, True], 2: "int key"}}
    state.agreements[name].terms = terms
    back = round_trip(state).agreements[name].terms
    assert back == terms and list(back) == list(terms)
    assert [type(v) for v in back.values()] == [type(v) for v in terms.values()]
    assert str(back["rate"]) == "0.0750"


def test_what_has_no_plain_form_is_refused_not_guessed():
    state = State()
    state.group_names["g"] = object()  # type: ignore[assignment]
    with pytest.raises(TypeError):
        state_data.dump(state)


@pytest.mark.parametrize("part", ["state", "events"])
def test_bytes_that_are_not_a_state_are_unreadable(part):
    parts = state_data.dump(State())
    for junk in (b"", zlib.compress(b"[1, 2]"), zlib.compress(b'{"layout": 0}'), b"not zlib"):
        with pytest.raises(state_data.Unreadable):
            state_data.load(parts._replace(**{part: junk}))


def test_a_registry_read_back_is_written_out_again_without_building_its_parties(tmp_path):
    events = history("replay_data/savvis", tmp_path)
    day = dt.date(2004, 12, 31)
    state = fold(events, day)
    settle(state, day)
    parts = state_data.dump(state)
    back = state_data.load(parts)
    some = next(iter(state.parties.values()))
    for s in (state, back):
        s.parties["later-party"] = some.model_copy(update={"party": "later-party", "name": "Later"})
    again = state_data.dump(back)
    # The chunk it was read from, as it was, then one more: no PartyRegistered was built.
    assert back.parties.source is not None and again.parties.startswith(parts.parties)
    assert len(again.parties) > len(parts.parties)
    assert interchangeable(state_data.load(again), state)
    # Read back and written out again many times, it is gathered into one chunk again.
    for n in range(state_data.MAX_CHUNKS + 2):
        back = state_data.load(state_data.dump(back))
        back.parties[f"p{n}"] = some.model_copy(update={"party": f"p{n}"})
        state.parties[f"p{n}"] = some.model_copy(update={"party": f"p{n}"})
    assert state_data._chunk_count(state_data.dump(back).parties) <= state_data.MAX_CHUNKS
    assert interchangeable(state_data.load(state_data.dump(back)), state)
