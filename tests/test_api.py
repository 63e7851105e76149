"""The library: `ledger.api.Ledger`, the same answers as the command line, from the same
functions; the guide's example, run against a real SQLite ledger."""

from __future__ import annotations

import datetime as dt
import doctest
import json
import os

import pytest

from ledger.api import Ledger
from ledger.errors import UsageError
from tests.conftest import ROOT, Ledger as Cli




def test_the_library_answers_what_the_command_prints(savvis_file):
    book, cli = Ledger(savvis_file), Cli(savvis_file)
    known = "2100-01-01T00:00:00+00:00"  # one instant for both, after every record
    at = dt.datetime.fromisoformat(known)
    for question, extra in (("holdings", {}), ("captable", {}), ("voting", {}), ("ownership", {}),
                            ("rights", {}), ("holdings", {"party": "constellation-entities"})):
        answer = getattr(book, question)(as_of=dt.date(2004, 7, 2), known_at=at, **extra)
        flags = [a for k, v in extra.items() for a in (f"--{k}", v)]
        printed = cli(question, "--as-of", "2004-07-02", "--known-at", known, "--format", "json", *flags).json()
        assert json.loads(json.dumps({**answer.header(), "rows": answer.rows}, default=str)) == printed
    for question in ("reconcile", "history"):
        answer = getattr(book, question)(known_at=at)
        printed = cli(question, "--known-at", known, "--format", "json").json()
        assert json.loads(json.dumps({**answer.header(), "rows": answer.rows}, default=str)) == printed


def test_one_partys_holdings(savvis_file):
    # 13D/A Item 3: the 2,575,298 common issued to the group, its remaining warrants (at least
    # the 3,333,333 that vested on 2004-03-31), and the $10,000,000 Series A notes.
    rows = Ledger(savvis_file).holdings(as_of=dt.date(2004, 3, 31), party="constellation-entities").rows
    assert [r["security"] for r in rows] == ["common", "constellation-warrants", "series-a-notes"]
    assert rows[0]["quantity"] == 2_575_298 and rows[1]["quantity_at_least"] == 3_333_333


def test_a_mistake_is_the_one_error_a_caller_catches(savvis_file, tmp_path):
    with pytest.raises(UsageError, match="no issuer 'nobody'"):
        Ledger(savvis_file).holdings(issuer="nobody")
    with pytest.raises(UsageError, match="no ledger here"):
        Ledger(tmp_path / "none.db").captable()
    assert not (tmp_path / "none.db").exists()


@pytest.mark.parametrize("engine", ["sqlite", "postgres"])
def test_a_ledger_keeps_a_servers_connection_and_reads_a_file_afresh(engine, savvis_file, tmp_path, request):
    """A server's connection kept between questions, opened again after a mistake; a file's kept
    too, and opened again when one is made meanwhile, or moved into its place."""
    if engine == "postgres":
        url = request.getfixturevalue("postgres_url")
        assert Cli(url)("replay", ROOT / "replay_data" / "savvis").code == 0
        target = url
    else:
        target = savvis_file
    day = dt.date(2004, 7, 2)
    with Ledger(target) as book:
        first = book.captable(as_of=day).rows
        store = book._store
        if engine == "sqlite":
            assert store is None  # a file is read with sqlite3 alone, on the reader's connection
            kept = book._reader.connection()
            assert book.voting(as_of=day).rows and book._reader.connection() is kept
        else:
            assert store is not None and book.voting(as_of=day).rows and book._store is store
            assert book.captable(as_of=day).rows == first
            with pytest.raises(UsageError, match="no issuer 'nobody'"):
                book.captable(issuer="nobody")
            assert book._store is None
            assert book.captable(as_of=day).rows == first and book._store is not None
    assert book._store is None
    later = Ledger(tmp_path / "later.db")
    with pytest.raises(UsageError, match="no ledger here"):
        later.captable()
    Cli(tmp_path / "later.db")("replay", ROOT / "replay_data" / "savvis")
    assert later.captable(as_of=day).rows == first  # made meanwhile: found
    # Another ledger moved into its place is the one answered from.
    other = tmp_path / "other.db"
    assert Cli(other)("import", ROOT / "tests" / "data" / "acme").code == 0
    other.replace(tmp_path / "later.db")
    for suffix in ("-wal", "-shm"):
        (tmp_path / f"later.db{suffix}").unlink(missing_ok=True)
    assert later.captable().issuer == "acme"
    later.close()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
def test_no_connection_to_the_file_crosses_a_fork(savvis_file):
    """A pool of workers forked after a question: the parent's idle connection is closed before the
    fork (SQLite's rule: none crosses one), each child opens its own, and the parent opens the file
    again at its next question and answers as before."""
    import multiprocessing  # noqa: PLC0415
    import sqlite3  # noqa: PLC0415

    day = dt.date(2004, 7, 2)
    with Ledger(savvis_file) as book:
        first = book.captable(as_of=day).rows
        before = book._reader.connection()

        def child(out) -> None:
            rows = book.captable(as_of=day).rows
            out.put((rows, book._reader.connection() is not before))
            book.close()

        context = multiprocessing.get_context("fork")
        out = context.Queue()
        worker = context.Process(target=child, args=(out,))
        worker.start()
        rows, own = out.get(timeout=60)
        worker.join(60)
        assert (rows, own, worker.exitcode) == (first, True, 0)
        with pytest.raises(sqlite3.ProgrammingError):  # closed in the parent before the fork
            before.execute("select 1")
        assert book.captable(as_of=day).rows == first and book._reader.connection() is not before


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
def test_a_connection_a_question_is_using_at_a_fork_is_left_to_the_parent(savvis_file):
    """Forked while a question (another thread's, say) holds a read transaction open: that
    connection is not closed under it; the child never uses it, and opens its own."""
    import multiprocessing  # noqa: PLC0415

    from ledger.history import direct  # noqa: PLC0415

    day = dt.date(2004, 7, 2)
    with Ledger(savvis_file) as book:
        first = book.captable(as_of=day).rows
        busy = book._reader.connection()
        busy.execute("BEGIN")
        busy.execute("select count(*) from ledger_events").fetchone()

        def child(out) -> None:
            rows = book.captable(as_of=day).rows
            out.put((rows, book._reader.connection() is not busy, any(c is busy for c in direct._INHERITED)))
            book.close()

        context = multiprocessing.get_context("fork")
        out = context.Queue()
        worker = context.Process(target=child, args=(out,))
        worker.start()
        found = out.get(timeout=60)
        worker.join(60)
        assert (*found, worker.exitcode) == (first, True, True, 0)
        assert busy.in_transaction and busy.execute("select 1").fetchone() == (1,)  # the parent's question goes on
        busy.rollback()
        assert book.captable(as_of=day).rows == first


def test_the_guides_example(savvis_file, monkeypatch):
    text = (ROOT / "docs" / "guide.md").read_text(encoding="utf-8")
    section = text[text.index("## The library"):]
    example = section[section.index("```python") + len("```python"):]
    example = example[:example.index("```")]
    monkeypatch.chdir(savvis_file.parent)
    test = doctest.DocTestParser().get_doctest(example, {}, "guide", "docs/guide.md", 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    assert (runner.failures, runner.tries) == (0, 8)


def test_the_datasette_canned_queries_answer_from_the_read_models(savvis_file, tmp_path):
    """`readmodels --metadata` writes Datasette's metadata; its SQL, run as Datasette would run it
    (named parameters), answers from the read models and the intervals: figures derived by hand
    from the 13D/A and the agreements."""
    import sqlite3  # noqa: PLC0415

    copy = tmp_path / "savvis.db"
    copy.write_bytes(savvis_file.read_bytes())
    cli = Cli(copy)
    r = cli("readmodels", "--metadata", tmp_path / "md.json")
    assert r.code == 0 and "4 canned queries" in r.out
    assert cli("readmodels", "--metadata", tmp_path / "md.json").code == 2  # never over a file without --force
    queries = json.loads((tmp_path / "md.json").read_text())["databases"]["savvis"]["queries"]
    with sqlite3.connect(copy) as c:
        c.row_factory = sqlite3.Row
        cap = {r["security"]: dict(r) for r in c.execute(queries["captable_as_of"]["sql"],
                                                         {"issuer": "savvis", "date": "2004-12-31"})}
        # As of 2004-07-02, the last event date: Item 3's 2,575,298 common at least, open; Item 6's
        # 327,642 Series B, known to the share.
        assert (cap["common"]["as_of"], cap["common"]["outstanding"], cap["common"]["outstanding_at_least"]) == \
            ("2004-07-02", None, 2_575_298)
        assert cap["series-b-preferred"]["outstanding"] == 327_642
        # On any date, from the intervals: on 2004-03-31 (no event that day), Item 3's 2,575,298 common;
        # Series B 255,161 + 68,638 + 3,843 = 327,642 (Items 6 and 3 of the 13D/A).
        outstanding = {r["security"]: r["outstanding"] for r in c.execute(
            queries["outstanding_as_of"]["sql"], {"issuer": "savvis", "date": "2004-03-31"})}
        assert (outstanding["common"], outstanding["series-b-preferred"]) == (2_575_298, 327_642)
    # One party's holdings, from the intervals: answered by a ledger no `readmodels` has run on.
    with sqlite3.connect(f"file:{savvis_file}?mode=ro", uri=True) as c:
        c.row_factory = sqlite3.Row
        assert not c.execute("select 1 from sqlite_master where name = 'rm_holdings'").fetchall()
        held = [dict(r) for r in c.execute(queries["holdings_of_party"]["sql"],
                                           {"issuer": "savvis", "party": "cvc-offshore-ii", "date": "2004-03-31"})]
        # Warrants Nos. 26 and 27 exercised net: 173,253 + 81,908 = 255,161 Series B (FINDINGS.md F3).
        assert [(r["security"], r["kind"], r["quantity"]) for r in held] == [("series-b-preferred", "shares", 255_161)]
        # On 2003-06-30 the Constellation Warrants: 10,000,000 common (Amendment No. 1, s. 1.03(a)); the
        # 3,333,333 on grant conditions not yet met (they were by 2004-03-31), the other 6,666,667 on
        # terms no source states: exercisable at least 0, at most 6,666,667, the figure itself open.
        held = [dict(r) for r in c.execute(queries["holdings_of_party"]["sql"],
                                           {"issuer": "savvis", "party": "constellation-entities", "date": "2003-06-30"})]
        assert [(r["security"], r["kind"], r["underlying"], r["quantity"], r["exercisable"],
                 r["exercisable_at_least"], r["exercisable_at_most"]) for r in held] == \
            [("constellation-warrants", "warrant", "common", 10_000_000, None, 0, 6_666_667)]
    with sqlite3.connect(copy) as c:
        c.row_factory = sqlite3.Row
        story = [dict(r) for r in c.execute(queries["party_history"]["sql"], {"issuer": "savvis", "party": "cvc-offshore-ii"})]
        exercised = sorted(json.loads(r["body"])["warrant"] for r in story if r["type"] == "CashlessExercise")
        assert exercised == ["w-26", "w-27"] and all(r["document"] and r["locator"] for r in story)


def test_the_views_people_query(savvis_file):
    """The views a writer keeps: the log as JSON text, the events in force, the parties; figures
    counted by hand in the five event files (36 PartyRegistered, 98 events stated and each file's
    filing date, 103 in all, none corrected)."""
    import sqlite3  # noqa: PLC0415

    with sqlite3.connect(f"file:{savvis_file}?mode=ro", uri=True) as c:
        assert c.execute("select count(*), count(distinct party) from parties").fetchone() == (36, 36)
        # The Joinder's four new parties, as its preamble names them.
        assert c.execute("select party, name, kind from parties where document = 'savvis-joinder-2002' "
                         "order by party").fetchall() == [
            ("bear-stearns-companies", "The Bear Stearns Companies, Inc.", "corporation"),
            ("bscgp", "The BSCGP, Inc.", "corporation"),
            ("clifford-h-friedman", "Clifford H. Friedman", "individual"),
            ("constellation-ventures-management", "Constellation Ventures Management, L.L.C.", "llc")]
        assert c.execute("select count(*), sum(corrected) from events").fetchone() == (103, 0)
        # Item 6 of the 13D/A: Warrants Nos. 26 to 29 exercised net on 2004-02-09; Item 3: Constellation's.
        assert c.execute("select json_extract(body, '$.warrant'), locator from events "
                         "where type = 'CashlessExercise' order by sequence").fetchall() == [
            ("constellation-warrants", "Page 8, Item 3"), ("w-26", "Page 8, Item 6"), ("w-27", "Page 8, Item 6"),
            ("w-28", "Page 8, Item 6"), ("w-29", "Page 8, Item 6")]
        # The log as stored, each record's own hash and event id, in sequence.
        rows = c.execute("select sequence, type, event_id, hash, record from log_records where issuer = 'savvis' "
                         "order by sequence").fetchall()
        assert [r[0] for r in rows] == list(range(1, 104))
        first = json.loads(rows[0][4])
        assert (rows[0][1], rows[0][2], rows[0][3]) == (first["event"]["type"], first["event_id"], first["hash"])


def test_a_view_altered_to_show_something_else_is_reported(savvis_file, tmp_path):
    import sqlite3  # noqa: PLC0415

    copy = tmp_path / "savvis.db"
    copy.write_bytes(savvis_file.read_bytes())
    with sqlite3.connect(copy) as c:
        c.execute("drop view parties")
        c.execute("create view parties as select 'nobody' as party")
    r = Cli(copy)("verify")
    assert r.code == 1 and "view parties: not created by the ledger" in r.err


def test_a_file_kept_open_answers_what_was_written_between_two_questions(tmp_path):
    """The reader keeps the file open between questions; each question is its own read
    transaction, so an import made in between is in the next answer."""
    target = tmp_path / "acme.db"
    assert Cli(target)("import", ROOT / "tests" / "data" / "acme" / "01-formation.yaml").code == 0
    with Ledger(target) as book:
        before = book.holdings().rows
        kept = book._reader.connection()
        assert Cli(target)("import", ROOT / "tests" / "data" / "acme" / "02-2020.yaml").code == 0
        after = book.holdings().rows
        assert book._reader.connection() is kept
        assert after != before
        assert after == Ledger(target).holdings().rows  # what a ledger opened now answers
