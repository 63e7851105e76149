"""`ledger verify --sources FOLDER`: every quote the ledger records stands word for word in the
document it cites (white space runs as one space). The five SAVVIS documents are bundled with
their history, so the check runs on the real filings."""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import ROOT, Ledger

SAVVIS = ROOT / "replay_data" / "savvis"
THIRTEEN_D = "002_5249cba9dd482567.txt"
# Exhibit 1, section 1, as the 13D/A prints it (lines 731-732 of the filing) and as warrant w-26 quotes it.
PRINTED = "up to an aggregate of 342,154 shares of"


@pytest.fixture
def savvis(tmp_path) -> Ledger:
    led = Ledger(tmp_path / "savvis.db")
    assert led("import", SAVVIS).code == 0
    return led


def editable_copy(tmp_path):
    copy = tmp_path / "history"
    shutil.copytree(SAVVIS, copy)
    for path in copy.rglob("*"):
        path.chmod(0o644 if path.is_file() else 0o755)
    return copy


def test_every_bundled_quote_is_in_its_document(savvis):
    r = savvis("verify", "--sources", SAVVIS)
    assert r.code == 0, r.err
    # The five event files hold 98 events, each quoting its document.
    assert f"sources: 98 of 98 quotes found word for word in 5 documents of {SAVVIS}" in r.out


def test_a_document_changed_by_one_digit_is_caught(savvis, tmp_path):
    copy = editable_copy(tmp_path)
    document = copy / "sources" / THIRTEEN_D
    text = document.read_text(encoding="utf-8")
    assert text.count(PRINTED) == 1
    document.write_text(text.replace(PRINTED, PRINTED.replace("342,154", "342,145")), encoding="utf-8")
    r = savvis("verify", "--sources", copy)
    assert r.code == 1
    problems = [line for line in r.err.splitlines() if "quote not in" in line]
    assert len(problems) == 1
    assert "(WarrantIssued, savvis-13da1-2004, Exhibit 1 (Warrant No. 26), section 1)" in problems[0]
    assert "97 of 98 quotes" in r.out


def test_a_quote_changed_in_an_event_file_is_caught(tmp_path):
    copy = editable_copy(tmp_path)
    events = copy / "2004-07-02-schedule-13d-a1.yaml"
    text = events.read_text(encoding="utf-8")
    events.write_text(text.replace(PRINTED, PRINTED.replace("aggregate", "agregate")), encoding="utf-8")
    led = Ledger(tmp_path / "changed.db")
    assert led("import", copy).code == 0
    r = led("verify", "--sources", copy)
    assert r.code == 1 and "quote not in" in r.err and "up to an agregate of 342,154" not in r.out


def test_sources_refusals_are_one_line(savvis, tmp_path):
    for args in (["verify", "--sources", tmp_path / "nowhere"], ["verify", "x.jsonl", "--sources", SAVVIS]):
        r = savvis(*args)
        assert r.code == 2 and len(r.err.strip().splitlines()) == 1 and r.err.startswith("error: ")
    copy = editable_copy(tmp_path)
    (copy / "sources" / THIRTEEN_D).unlink()
    r = savvis("verify", "--sources", copy)
    assert r.code == 2 and "document.file '002_5249cba9dd482567.txt' is in neither" in r.err
