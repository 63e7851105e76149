"""The thin read path: a holdings query the intervals answer reads the ledger file with sqlite3
alone, loads neither the event models nor the store library, and answers as the whole path."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import pytest

from events.identity import NAMESPACE, issuer_stream_id
from ledger.api import Ledger
from ledger.history import answers, direct
from tests.conftest import ROOT




def test_the_streams_are_named_as_the_store_names_them():
    assert direct.NAMESPACE == NAMESPACE
    assert direct.stream_id("savvis") == issuer_stream_id("savvis").hex


def test_the_intervals_answer_as_a_fold_of_the_log_does(savvis_file):
    """Holdings (each party's too), the cap table, voting and ownership of each class (under each
    denominator rule), read
    from the intervals with sqlite3 alone, against the same projections over a full replay."""
    from ledger.history.queries import Query, history_at, replay_state
    from ledger.log.store import Store
    from projections.captable import captable_rows
    from projections.holdings import holdings_rows
    from projections.ownership import ownership_rows
    from projections.voting import voting_rows

    known = dt.datetime(2100, 1, 1, tzinfo=dt.timezone.utc)
    with Store(str(savvis_file), readonly=True) as store:
        days = sorted({e.effective_date for e in history_at(store, Query("savvis", dt.date.max, known))})
        for day in [days[0] - dt.timedelta(days=1), *days, dt.date(2004, 3, 30), dt.date(2030, 1, 1)]:
            state = replay_state(store, Query("savvis", day, known))
            want = holdings_rows(state, day)
            for party in (None, "constellation-entities", "cvc-offshore-ii"):
                found = direct.answer(answers.holdings, direct.Reader(str(savvis_file)), None, day, known, party)
                assert found == ("savvis", day, known, [r for r in want if party in (None, r["party"])]), day
            assert direct.answer(answers.captable, direct.Reader(str(savvis_file)), None, day, known)[3] == \
                captable_rows(state, day), day
            for mode in ("best", "derived", "reported"):
                assert direct.answer(answers.voting, direct.Reader(str(savvis_file)), None, day, known, mode)[3] == \
                    voting_rows(state, day, mode=mode), (day, mode)
                for security in state.securities:
                    assert direct.answer(answers.ownership, direct.Reader(str(savvis_file)), None, day, known, security, mode)[3] \
                        == ownership_rows(state, security, day, mode=mode), (day, mode, security)


def test_it_leaves_to_the_whole_path_what_it_cannot_answer(savvis_file, tmp_path):
    day = dt.date(2004, 3, 31)
    early = dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)
    assert direct.answer(answers.holdings, direct.Reader(str(savvis_file)), None, day, early, None) is None  # before the log's head: fold
    assert direct.answer(answers.holdings, direct.Reader(str(savvis_file)), "nobody", day, None, None) is None  # the whole path says why
    assert direct.answer(answers.holdings, direct.Reader(str(tmp_path / "none.db")), None, day, None, None) is None
    assert direct.answer(answers.holdings, direct.Reader("postgresql://u@localhost/x"), None, day, None, None) is None


@pytest.mark.parametrize("question", [
    ["holdings", "--party", "constellation-entities"], ["captable"], ["voting", "--outstanding", "derived"],
    ["ownership"]])
def test_a_query_the_intervals_answer_loads_neither_the_event_models_nor_the_store(savvis_file, question):
    """A query the intervals answer, run as a command, with what it loaded listed at its end."""
    probe = ("import sys, runpy; sys.argv = ['ledger', '--db', sys.argv[1], *sys.argv[2:], '--as-of', '2004-03-31', "
             "'--format', 'json']\n"
             "try:\n    runpy.run_module('ledger', run_name='__main__')\nexcept SystemExit:\n    pass\n"
             "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pydantic', 'eventsourcing', 'sqlite_utils', "
             "'rich') or m.startswith('events.')), file=sys.stderr)")
    r = subprocess.run([sys.executable, "-c", probe, str(savvis_file), *question], capture_output=True, text=True,
                       cwd=ROOT)
    answer = json.loads(r.stdout)
    assert r.stderr.strip().splitlines()[-1] == "['events.bounds']"
    # Item 3 of the 13D/A: 2,575,298 common held by the Constellation entities.
    if question[0] == "holdings":
        assert [(row["security"], row["quantity"]) for row in answer["rows"]][:1] == [("common", 2_575_298)]
    else:
        assert answer["rows"]


def test_intervals_derived_under_other_rules_are_not_read_and_are_derived_again(savvis_file, tmp_path):
    import shutil
    import sqlite3

    from ledger.history import interval_table
    from ledger.history.readmodel import ReadModel
    from ledger.log.store import Store

    path = tmp_path / "l.db"
    shutil.copy(savvis_file, path)
    day, known = dt.date(2004, 3, 31), dt.datetime(2100, 1, 1, tzinfo=dt.timezone.utc)
    before = direct.answer(answers.holdings, direct.Reader(str(path)), None, day, known, None)
    assert before is not None
    with sqlite3.connect(path) as c:  # as a ledger whose rows an earlier version derived, by other rules
        c.execute("update rm_interval_rules set rules=?", [interval_table.RULES - 1])
        c.execute("delete from rm_holdings_iv where ord=?", [interval_table.SHARES])
    assert direct.answer(answers.holdings, direct.Reader(str(path)), None, day, known, None) is None  # not read
    # The whole path folds instead, and answers as before.
    assert Ledger(path).holdings(as_of=day, known_at=known).rows == before[3]
    with Store(str(path)) as store:  # a writer derives them again under these rules
        model = ReadModel(store)
        model.catch_up("savvis")
        model.close()
    with sqlite3.connect(path) as c:
        assert c.execute("select rules from rm_interval_rules").fetchall() == [(interval_table.RULES,)]
    assert direct.answer(answers.holdings, direct.Reader(str(path)), None, day, known, None) == before


def test_two_writers_migrating_an_older_ledger_at_once_migrate_it_once(tmp_path):
    """Writer B reads the older rules, then writer A migrates the table and follows the log before
    B goes on: B, taking the lock, reads the rules again and leaves A's rows as they are; a reader
    never sees an emptied table while the rules say its rows are followed."""
    import sqlite3

    from ledger.history import interval_table as table

    path = tmp_path / "l.db"
    with sqlite3.connect(path) as setup:
        for statement in table.SCHEMA:
            setup.execute(statement)
        setup.execute("insert into rm_interval_rules values (?)", [table.RULES - 1])  # an older ledger
    a, b, reader = (sqlite3.connect(path) for _ in range(3))
    row = '{"party":"alice","security":"common","kind":"shares","quantity":100}'

    def a_runs_in_full() -> None:
        table.adopt_rules(a)
        a.execute("insert into rm_holdings_iv values ('iss', -1, '2020-01-01', ?, 0, 'alice', 'common', ?)",
                  [table.OPEN, row])
        a.execute("insert or replace into rm_intervals values ('iss', 7, null)")
        a.commit()

    class AfterFirstRead:  # B's connection: A runs in full right after B first reads the rules
        def __init__(self) -> None:
            self.first = True

        @property
        def in_transaction(self) -> bool:
            return b.in_transaction

        def execute(self, sql: str, *args: object) -> object:
            out = b.execute(sql, *args)
            if sql.startswith("select rules") and self.first:
                self.first = False
                rows = out.fetchall()
                a_runs_in_full()
                return type("Rows", (), {"fetchall": lambda _: rows})()
            return out

    table.adopt_rules(AfterFirstRead())
    assert not b.in_transaction
    # 100 shares, as A wrote them: B dropped nothing.
    assert table.followed(reader, "iss", 7)
    assert table.rows_at(reader, "iss", dt.date(2021, 1, 1)) == [json.loads(row)]
