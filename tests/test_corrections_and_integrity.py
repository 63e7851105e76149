"""Corrections recorded later rewrite every as-of date; --known-at before them shows the old history.
verify catches a figure altered directly in the database (SQLite file or PostgreSQL table)."""

from __future__ import annotations

import json
import sqlite3

import yaml
from freezegun import freeze_time


SRC = {"locator": "erratum", "quote": "the transfer of 200,000 shares was never made"}


def corrections(tmp_path, events, doc_id="erratum"):
    path = tmp_path / f"{doc_id}.yaml"
    path.write_text(yaml.safe_dump({"document": {"id": doc_id, "issuer": "acme"}, "events": events}))
    return path


def qty(ledger, day, party, security, *extra):
    rows = ledger.rows("holdings", "--as-of", day, *extra)
    return next((r["quantity"] for r in rows if r["party"] == party and r["security"] == security), 0)


def test_retraction_recorded_later(acme, tmp_path):
    retraction = {"type": "EventRetracted", "effective_date": "2022-03-01", "retracts": "transfer-1",
                  "reason": "never happened", "source": SRC}
    with freeze_time("2022-03-01T12:00:00Z"):
        assert acme("import", corrections(tmp_path, [retraction])).code == 0
    # As the ledger knows it now: alice kept her 1,000,000 at every date after 2020-11-01.
    assert qty(acme, "2020-12-01", "alice", "common") == 1_000_000
    assert qty(acme, "2020-12-01", "bob", "common") == 500_000
    # After the 2:1 split: 2,000,000 and 1,000,000.
    assert qty(acme, "2021-01-01", "alice", "common") == 2_000_000
    # As the ledger knew it a second before the retraction: the transfer stands.
    before = ("--known-at", "2022-03-01T11:59:59Z")
    assert qty(acme, "2020-12-01", "alice", "common", *before) == 800_000
    assert qty(acme, "2020-12-01", "bob", "common", *before) == 700_000


def test_correction_and_its_retraction(acme, tmp_path):
    correction = {"type": "EventCorrected", "ref": "fix-cash-1", "effective_date": "2022-03-01", "corrects": "cash-1",
                  "replacement": {"warrant": "w-1", "quantity": 40000}, "reason": "misread",
                  "source": {"locator": "erratum 2", "quote": "40,000, not 50,000"}}
    with freeze_time("2022-03-01T12:00:00Z"):
        assert acme("import", corrections(tmp_path, [correction])).code == 0
    # 40,000 for cash + 60,000 net = 100,000 common; 300,000 - 40,000 - 100,000 = 160,000 left.
    assert qty(acme, "2020-07-01", "fund-lp", "common") == 100_000
    assert qty(acme, "2020-07-01", "fund-lp", "w-1") == 160_000
    undo = {"type": "EventRetracted", "effective_date": "2022-04-01", "retracts": "fix-cash-1", "reason": "the 50,000 was right",
            "source": {"locator": "erratum 3", "quote": "withdrawn"}}
    with freeze_time("2022-04-01T12:00:00Z"):
        assert acme("import", corrections(tmp_path, [undo], doc_id="erratum-3")).code == 0
    assert qty(acme, "2020-07-01", "fund-lp", "common") == 110_000
    assert qty(acme, "2020-07-01", "fund-lp", "w-1") == 150_000
    assert qty(acme, "2020-07-01", "fund-lp", "common", "--known-at", "2022-03-15T00:00:00Z") == 100_000


def test_correction_that_breaks_a_later_event_is_refused(acme, tmp_path):
    # A warrant without its milestone tranche leaves nothing for the 2020-08-01 milestone to unlock.
    replacement = {"warrant": "w-1", "holder": "fund-lp", "security": "common", "quantity": 200000,
                   "exercise_price": "2.00", "expires": "2025-01-01",
                   "tranches": [{"quantity": 100000, "exercisable_from": "2020-03-01"},
                                {"quantity": 100000, "exercisable_from": "2020-06-01"}]}
    correction = {"type": "EventCorrected", "effective_date": "2022-03-01", "corrects": "w1-issue",
                  "replacement": replacement, "reason": "x", "source": SRC}
    before = acme.count()
    r = acme("import", corrections(tmp_path, [correction]))
    assert r.code == 2, r.out
    assert "WarrantBecameExercisable of 2020-08-01" in r.err and "0 shares awaiting" in r.err
    assert acme.count() == before


def test_retraction_of_unknown_target(acme, tmp_path):
    r = acme("import", corrections(tmp_path, [{"type": "EventRetracted", "effective_date": "2022-03-01",
                                                "retracts": "no-such-ref", "reason": "x", "source": SRC}]))
    assert r.code == 2 and "retracts" in r.err and "no-such-ref" in r.err


def test_verify_intact_then_tampered(acme):
    r = acme("verify")
    assert r.code == 0 and "chain intact" in r.out

    def alter(record):  # one figure altered behind the ledger's back (SQL UPDATE on either engine)
        assert record["event"]["quantity"] == 50000
        record["event"]["quantity"] = 5000

    acme.tamper("CashExercise", alter)
    r = acme("verify")
    assert r.code == 1
    assert "hash does not match" in r.err


def test_verify_exported_file_offline(acme, tmp_path):
    out = tmp_path / "log.jsonl"
    assert acme("export", "jsonl", "--out", out).code == 0
    lines = out.read_text().splitlines()
    assert len(lines) == 30
    assert acme("verify", out).code == 0
    # One character changed in one line.
    i = next(i for i, line in enumerate(lines) if '"shares_issued": 60000' in line)
    lines[i] = lines[i].replace('"shares_issued": 60000', '"shares_issued": 60001')
    out.write_text("\n".join(lines) + "\n")
    r = acme("verify", out)
    assert r.code == 1 and "record" in r.err


def test_export_refuses_to_overwrite(acme, tmp_path):
    out = tmp_path / "log.jsonl"
    out.write_text("keep me")
    r = acme("export", "jsonl", "--out", out)
    assert r.code == 2 and "--force" in r.err and out.read_text() == "keep me"
    assert acme("export", "jsonl", "--out", out, "--force").code == 0


def test_verify_compares_read_models_with_a_fresh_rebuild(acme):
    assert acme.rows("holdings", "--as-of", "2021-01-01")  # builds the read model
    with sqlite3.connect(acme.readmodel_db()) as c:  # the ledger file, or a server's local cache
        body = json.loads(c.execute("select body from rm_timeline where type='CashExercise'").fetchone()[0])
        body["quantity"] = 40000  # the derived copy drifts; the log is untouched
        c.execute("update rm_timeline set body=? where type='CashExercise'", (json.dumps(body),))
    r = acme("verify")
    assert r.code == 1 and "read model holdings" in r.err and "differs from a fresh rebuild" in r.err


def test_sql_read_models_at_each_event_date(acme):
    r = acme("readmodels")
    assert r.code == 0 and "rm_holdings" in r.out
    with sqlite3.connect(acme.readmodel_db()) as c:  # the ledger file, or a server's local cache
        got = dict(c.execute("select as_of, quantity from rm_holdings where party='fund-lp' and security='common'"))
        # By hand (tests/test_acme_history.py): 50,000 after the cash exercise, 110,000 after the net
        # exercise, 190,000 after the conversion, 380,000 after the 2:1 split.
        assert (got["2020-04-01"], got["2020-07-01"], got["2020-10-01"], got["2021-01-01"]) == (50000, 110000, 190000, 380000)
        assert acme("verify").code == 0
        c.execute("update rm_holdings set quantity=quantity+1 where party='alice' and as_of='2020-11-01'")
    r = acme("verify")
    assert r.code == 1 and "rm_holdings differs from a fresh rebuild" in r.err


def test_an_export_with_line_separators_in_a_quote_reads_back(ledger, tmp_path):
    # U+2028, U+2029 and U+0085 are line breaks to str.splitlines, but JSON writes them raw inside strings.
    quote = "first\u2028second\u2029third\x85fourth"
    doc = {"document": {"id": "odd-doc", "issuer": "odd"}, "events": [
        {"type": "PartyRegistered", "effective_date": "2020-01-01", "party": "p", "name": "P", "kind": "individual",
         "source": {"locator": "p. 1", "quote": quote}}]}
    src = tmp_path / "odd.json"
    src.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    assert ledger("import", src).code == 0
    out = tmp_path / "log.jsonl"
    assert ledger("export", "jsonl", "--out", out).code == 0
    assert quote in out.read_text(encoding="utf-8")
    assert ledger("verify", out).code == 0
    r = ledger("import", out)  # the export re-imports as the same events
    assert r.code == 0 and "imported 0 events" in r.out and "1 already present" in r.out, (r.out, r.err)
