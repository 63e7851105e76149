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


@given(st.dates(dt.date(1900, 1, 1), dt.date(2200, 1, 1)), st.integers(1, 4000))
def test_the_years_of_an_interval_are_those_of_its_days(first: dt.date, days: int):
    last = first + dt.timedelta(days=days - 1)
    years = {(first + dt.timedelta(days=n)).year for n in range(days)}
    assert list(interval_table.epochs(first.isoformat(), (last + dt.timedelta(days=1)).isoformat())) == sorted(years)


def test_an_interval_is_listed_under_each_year_it_overlaps():
    # 2003-12-31 .. 2005-01-01 (exclusive) overlaps 2003, 2004 and 2005's first day is its end.
    assert list(interval_table.epochs("2003-12-31", "2005-01-01")) == [2003, 2004]
    assert list(interval_table.epochs("2004-03-01", "2004-03-02")) == [2004]
    assert list(interval_table.epochs("2004-01-01", "2004-01-02")) == [2004]
    assert list(interval_table.epochs("2003-06-30", "2004-01-01")) == [2003]
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


def _window_history(warrants: list[dict]) -> list:
    out = [ev("PartyRegistered", 0, party=h, name=h.upper(), kind="individual") for h in ("h0", "h1")]
    out.append(ev("SecurityClassCreated", 0, security="common", name="Common", kind="common"))
    out.append(ev("SecurityClassCreated", 0, security="pref", name="Pref", kind="preferred", converts_to="common",
                  conversion_ratio="3"))
    out.append(ev("SharesIssued", 0, security="common", holder="h1", quantity=9000))
    out += [ev("WarrantIssued", 0, **w) for w in warrants]
    return out


def _ownership_by_day(events: list, days: range) -> tuple[dict, dict]:
    """Ownership of common on each day, from the intervals and from the fold."""
    stored, folded = {}, {}
    with tempfile.TemporaryDirectory() as tmp, Store(str(Path(tmp) / "l.db")) as store:
        model = ReadModel(store)
        import_events(store, [Loaded("gen", i, e) for i, e in enumerate(events)])
        for n in days:
            day = START + dt.timedelta(days=n)
            stored[n] = model.answer_at(answers.ownership, "prop", day, "common", "best")
            folded[n] = ownership_rows(model.state_at("prop", day, save=False), "common", day)
        model.close()
    return stored, folded


def test_a_tranche_counts_from_sixty_days_before_it_opens_and_the_warrant_until_it_expires():
    # 1,000 common in two tranches, 400 open at issue, 600 from 2020-06-30; expiring 2021-01-01.
    # On 2020-04-30 the window reaches 2020-06-29: 400 acquirable, 400 / (9,000 + 400) = 4.255319%.
    # On 2020-05-01 it reaches 2020-06-30: 1,000, 1,000 / 10,000 = 10%. On 2020-12-31 still 1,000;
    # from 2021-01-01 the warrant is expired and h0 owns nothing (no row).
    w = {"warrant": "w", "holder": "h0", "security": "common", "quantity": 1000, "exercise_price": "1.00",
         "expires": "2021-01-01", "tranches": [{"quantity": 400, "exercisable_from": "2020-01-01"},
                                               {"quantity": 600, "exercisable_from": "2020-06-30"}]}
    days = {(dt.date(2020, 4, 30) - START).days: (400, 4.255319), (dt.date(2020, 5, 1) - START).days: (1000, 10.0),
            (dt.date(2020, 12, 31) - START).days: (1000, 10.0), (dt.date(2021, 1, 1) - START).days: None}
    stored, folded = _ownership_by_day(_window_history([w]), range(min(days), max(days) + 1))
    for n, want in days.items():
        row = next((r for r in stored[n] if r["party"] == "h0"), None)
        got = None if row is None else (row["acquirable_within_60_days"], row["percent"])
        assert got == want, START + dt.timedelta(days=n)
    assert stored == folded


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(["common", "pref"]), st.lists(st.integers(0, 200), min_size=1, max_size=3),
                          st.one_of(st.none(), st.integers(20, 260))), min_size=1, max_size=3))
def test_ownership_from_the_intervals_follows_the_sixty_day_window_as_the_fold_does(warrants):
    """Tranches opening up to 200 days out, on common or on a class converting into it, with or
    without an expiry: every day's ownership from the intervals is the fold's, across each day a
    tranche comes within the window and each expiry."""
    specs = [{"warrant": f"w{i}", "holder": "h0", "security": security, "quantity": 100 * len(opens),
              "exercise_price": "1.00",
              "tranches": [{"quantity": 100, "exercisable_from": (START + dt.timedelta(days=o)).isoformat()}
                           for o in opens],
              **({} if expires is None else {"expires": (START + dt.timedelta(days=expires)).isoformat()})}
             for i, (security, opens, expires) in enumerate(warrants)]
    stored, folded = _ownership_by_day(_window_history(specs), range(-1, 275))
    assert stored == folded


def test_a_derivation_from_the_beginning_writes_its_intervals_as_they_close(monkeypatch, tmp_path):
    """Derived again from nothing, writing every interval as soon as it closes (as a derivation
    of millions does, in batches), the table is row for row what the import's derivation wrote;
    verify, comparing a fingerprint it adds to as intervals close, finds it equal, and finds a
    row changed."""
    import sqlite3

    from ledger.history import intervals

    w = {"warrant": "w", "holder": "h0", "security": "common", "quantity": 1000, "exercise_price": "1.00",
         "expires": "2021-01-01", "tranches": [{"quantity": 400, "exercisable_from": "2020-01-01"},
                                               {"quantity": 600, "exercisable_from": "2020-06-30"}]}
    events = _window_history([w]) + [ev("SharesIssued", n, security="common", holder=f"h{n % 2}", quantity=n)
                                     for n in range(1, 60, 3)]
    path = str(tmp_path / "l.db")
    table = "select * from rm_holdings_iv order by ord, epoch, valid_from, party, security"
    with Store(path) as store:
        model = ReadModel(store)
        import_events(store, [Loaded("gen", i, e) for i, e in enumerate(events)])
        with sqlite3.connect(path) as c:
            before = c.execute(table).fetchall()
            c.execute("update rm_intervals set dirty=''")
        monkeypatch.setattr(intervals, "SPANS_HELD", 1)
        model.refresh_intervals("prop")
        with sqlite3.connect(path) as c:
            assert c.execute("select dirty from rm_intervals").fetchall() == [(None,)]
            assert c.execute(table).fetchall() == before
        assert len(before) > 20
        # verify folds the intervals into its fingerprint as they close, here one at a time.
        report = verify_store(store)
        assert report.ok, report.problems
        with sqlite3.connect(path) as c:
            c.execute("update rm_holdings_iv set row = replace(row, 'shares', 'shares ') where ord=0 and party='h1' "
                      "and valid_from=(select min(valid_from) from rm_holdings_iv where ord=0 and party='h1')")
            assert c.total_changes >= 1
        report = verify_store(store)
        assert not report.ok and any("rm_holdings_iv differs" in p for p in report.problems), report.problems
        model.close()
