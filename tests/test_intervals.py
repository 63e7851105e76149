"""Holdings from validity intervals answer as a fold of the log does, on every date.

Histories with warrants whose tranches open on dates of their own or when a condition is
met, exercised in cash and net, expiring; issuances imported later than they are dated
(backdated), in several batches; corrections of them and retractions of those corrections.
After each batch the intervals are re-derived from the earliest date it reaches back to;
every day's answer, and each party's, must be the fold's, and `verify` must find the stored
intervals equal to those of a fresh fold."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.checks.integrity import verify_store
from ledger.history import answers, interval_table
from ledger.history.queries import Query, replay_state
from ledger.history.readmodel import ReadModel
from ledger.intake.importer import import_events
from ledger.intake.loaded import Loaded
from ledger.log.store import Store
from ledger.outputs.render import to_json
from projections.captable import captable_rows
from projections.holdings import holdings_rows
from projections.ownership import ownership_rows
from projections.voting import voting_rows
from tests.test_checkpoints import corrections_for
from tests.test_fold_properties import START, ev, warrant_truths

NOW = dt.datetime(2100, 1, 1, tzinfo=dt.timezone.utc)


@st.composite
def backdated(draw) -> tuple[list, list[list]]:
    """A warrant's history (first batch, in date order, with an expiry), then issuances to two
    holders in batches of their own, each dated anywhere in the warrant's history, then
    corrections of those issuances and retractions of some corrections."""
    warrant_events, _ = draw(warrant_truths())
    expires = START + dt.timedelta(days=draw(st.integers(20, 40)))
    first = []
    for e in warrant_events:
        if e.type == "WarrantIssued":
            e = e.model_copy(update={"expires": expires})
        if e.effective_date < expires:
            first.append(e)
    first.append(ev("PartyRegistered", 0, party="h1", name="H1", kind="individual"))
    # What the cap table and voting read of a class besides its holdings: a preferred class that
    # votes as converted once its conversion is approved, one whose votes no source states.
    first.append(ev("SecurityClassCreated", 0, security="pref", name="Pref", kind="preferred", converts_to="common",
                    conversion_ratio="3", conversion_condition="approval", as_converted_voting=True))
    first.append(ev("SecurityClassCreated", 0, security="b", name="B", kind="preferred"))
    holder, day = st.sampled_from(["h0", "h1"]), st.integers(0, 45)
    classes = st.sampled_from(["common", "common", "pref", "b"])
    issued = [ev("SharesIssued", draw(day), security=draw(classes), holder=draw(holder),
                 quantity=draw(st.integers(1, 900))) for _ in range(draw(st.integers(0, 8)))]
    # Facts about the classes, dated anywhere too: each may arrive late, in its own batch.
    facts = [ev("ConversionApproved", draw(day), security="pref", approved_by="holders"),
             ev("UndisclosedHolding", draw(day), holder=draw(holder), security=draw(classes), description="some"),
             ev("SharesOutstandingReported", draw(day), security="common", quantity=draw(st.integers(1, 3000))),
             ev("NoteIssued", draw(day), note="n", holder=draw(holder), principal="1000.00", converts_to="common",
                conversion_price="0.70"),
             # Who controls whom, and a group: what ownership reads besides the holdings.
             ev("ControlRecorded", draw(day), controller="h1", controlled="h0", relation="general_partner"),
             ev("GroupFormed", draw(day), group="g", name="G", members=["h0", "h1"])]
    issued += draw(st.lists(st.sampled_from(facts), unique_by=lambda e: e.type, max_size=4))
    cuts = sorted(set(draw(st.lists(st.integers(0, len(issued)), max_size=3))))
    batches, previous = [], 0
    for cut in [*cuts, len(issued)]:
        if issued[previous:cut]:
            batches.append(issued[previous:cut])
        previous = cut
    return first, batches


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(backdated(), st.data())
def test_intervals_answer_as_the_fold_does_on_every_date(case, data):
    first, batches = case
    fixes = corrections_for([e for b in batches for e in b], data)
    with tempfile.TemporaryDirectory() as tmp:
        with Store(str(Path(tmp) / "l.db")) as store:
            model = ReadModel(store)
            for batch in [first, *batches, *([fixes] if fixes else [])]:
                import_events(store, [Loaded("gen", i, e) for i, e in enumerate(batch)])
                for n in range(-1, 48):
                    day = START + dt.timedelta(days=n)
                    # The fold from the read models' timeline, which test_checkpoints holds equal to a
                    # full replay of the log; a full replay on a few days besides.
                    want = holdings_rows(model.state_at("prop", day, save=False), day)
                    if n % 16 == 0:
                        assert want == holdings_rows(replay_state(store, Query("prop", day, NOW)), day)
                    stored = model.answer_at(answers.holdings, "prop", day)
                    assert stored == want, day
                    # Printed as stored, the JSON is the text the fold's rows encode to.
                    assert to_json({}, stored) == to_json({}, want), day
                    assert model.answer_at(answers.holdings, "prop", day, "h1") == [r for r in want if r["party"] == "h1"]
                    if n % 4 == 0:  # the cap table and voting from the intervals and the classes' terms
                        state = model.state_at("prop", day, save=False)
                        assert model.answer_at(answers.captable, "prop", day) == captable_rows(state, day), day
                        for mode in ("best", "reported"):
                            assert model.answer_at(answers.voting, "prop", day, mode) == \
                                voting_rows(state, day, mode=mode), day
                            for security in ("common", "pref"):
                                assert model.answer_at(answers.ownership, "prop", day, security, mode) == \
                                    ownership_rows(state, security, day, mode=mode), day
            report = verify_store(store)
            assert report.ok, report.problems
            model.close()


def test_an_interval_is_listed_under_each_year_it_overlaps():
    # 2003-12-31 .. 2005-01-01 (exclusive) overlaps 2003, 2004 and 2005's first day is its end.
    assert list(interval_table.epochs("2003-12-31", "2005-01-01")) == [2003, 2004]
    assert list(interval_table.epochs("2004-03-01", "2004-03-02")) == [2004]
    rows = list(interval_table.table_rows("i", [((0, "a", "c"), "2003-12-31", "2005-01-02", "{}"),
                                          ((0, "b", "c"), "2004-01-01", interval_table.OPEN, "{}")]))
    assert [(r[1], r[5]) for r in rows] == [(2003, "a"), (2004, "a"), (2005, "a"), (interval_table.OPEN_EPOCH, "b")]


def test_a_tampered_interval_is_reported_by_verify(tmp_path):
    from tests.conftest import ROOT, Ledger as Cli  # noqa: PLC0415

    db = tmp_path / "s.db"
    cli = Cli(db)
    assert cli("import", ROOT / "replay_data" / "savvis").code == 0
    import sqlite3  # noqa: PLC0415

    with sqlite3.connect(db) as c:
        c.execute("update rm_holdings_iv set row = replace(row, '2575298', '2575299') where row like '%2575298%'")
    r = cli("verify")
    assert r.code == 1 and "read model rm_holdings_iv differs from a fresh rebuild" in r.err
