"""The library: `ledger.api.Ledger`, the same answers as the command line, from the same
functions; the guide's example, run against a real SQLite ledger."""

from __future__ import annotations

import datetime as dt
import doctest
import json

import pytest

from ledger.api import Ledger
from ledger.errors import UsageError
from tests.conftest import ROOT, Ledger as Cli

SAVVIS = ROOT / "replay_data" / "savvis"


@pytest.fixture(scope="module")
def savvis_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("api") / "savvis.db"
    assert Cli(db)("import", SAVVIS).code == 0
    return db


def test_the_library_answers_what_the_command_prints(savvis_db):
    book, cli = Ledger(savvis_db), Cli(savvis_db)
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


def test_one_partys_holdings(savvis_db):
    # 13D/A Item 3: the 2,575,298 common issued to the group, its remaining warrants (at least
    # the 3,333,333 that vested on 2004-03-31), and the $10,000,000 Series A notes.
    rows = Ledger(savvis_db).holdings(as_of=dt.date(2004, 3, 31), party="constellation-entities").rows
    assert [r["security"] for r in rows] == ["common", "constellation-warrants", "series-a-notes"]
    assert rows[0]["quantity"] == 2_575_298 and rows[1]["quantity_at_least"] == 3_333_333


def test_a_mistake_is_the_one_error_a_caller_catches(savvis_db, tmp_path):
    with pytest.raises(UsageError, match="no issuer 'nobody'"):
        Ledger(savvis_db).holdings(issuer="nobody")
    with pytest.raises(UsageError, match="no ledger here"):
        Ledger(tmp_path / "none.db").captable()
    assert not (tmp_path / "none.db").exists()


def test_the_guides_example(savvis_db, monkeypatch):
    text = (ROOT / "docs" / "guide.md").read_text(encoding="utf-8")
    section = text[text.index("## The library"):]
    example = section[section.index("```python") + len("```python"):]
    example = example[:example.index("```")]
    monkeypatch.chdir(savvis_db.parent)
    test = doctest.DocTestParser().get_doctest(example, {}, "guide", "docs/guide.md", 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    assert (runner.failures, runner.tries) == (0, 8)
