"""Bad input is expected: one line naming file, event, field and rule; exit 2; nothing written."""

from __future__ import annotations

import subprocess
import sys

import pytest
import yaml
from freezegun import freeze_time

from tests.conftest import DATA, ROOT

SRC = {"locator": "test", "quote": "test"}


def write(tmp_path, name, events, doc_id="bad-doc"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump({"document": {"id": doc_id, "issuer": "acme"}, "events": events}, sort_keys=False))
    return path


@pytest.fixture
def base(ledger):
    with freeze_time("2022-01-10T09:00:00Z"):
        assert ledger("import", DATA / "acme" / "01-formation.yaml").code == 0
    return ledger


def refused(ledger, path, *needles):
    before = ledger.count()
    r = ledger("import", path)
    assert r.code == 2, (r.out, r.err)
    lines = r.err.strip().splitlines()
    assert len(lines) == 1, r.err
    assert "Traceback" not in r.err
    for needle in (str(path.name), *needles):
        assert needle in lines[0], lines[0]
    assert ledger.count() == before
    return lines[0]


def issue(q=10, **kw):
    return {"type": "SharesIssued", "effective_date": "2021-02-01", "security": "common", "holder": "alice",
            "quantity": q, "source": SRC, **kw}


def test_unknown_type(base, tmp_path):
    refused(base, write(tmp_path, "a.yaml", [issue(), {"type": "SharesGifted", "effective_date": "2021-02-01", "source": SRC}]),
            "event 2", "type", "unknown event type 'SharesGifted'")


def test_unknown_field(base, tmp_path):
    refused(base, write(tmp_path, "a.yaml", [issue(colour="red")]), "event 1 (SharesIssued)", "colour", "unknown field")


def test_wrong_type(base, tmp_path):
    refused(base, write(tmp_path, "a.yaml", [issue(q="ten")]), "event 1 (SharesIssued)", "quantity")


@pytest.mark.parametrize("q", [0, -5])
def test_zero_or_negative_quantity(base, tmp_path, q):
    refused(base, write(tmp_path, "a.yaml", [issue(q=q)]), "quantity", "positive")


def test_unknown_party(base, tmp_path):
    refused(base, write(tmp_path, "a.yaml", [issue(holder="mallory")]), "holder", "unknown party or group 'mallory'")


def test_unknown_security(base, tmp_path):
    refused(base, write(tmp_path, "a.yaml", [issue(security="class-z")]), "security", "unknown security 'class-z'")


def test_transfer_more_than_held(base, tmp_path):
    ev = {"type": "SharesTransferred", "effective_date": "2021-02-01", "security": "common", "from_holder": "bob",
          "to_holder": "alice", "quantity": 500_001, "source": SRC}
    refused(base, write(tmp_path, "a.yaml", [ev]), "event 1 (SharesTransferred)", "quantity", "holds 500000", "fewer than 500001")


def warrant(**kw):
    return {"type": "WarrantIssued", "effective_date": "2021-01-01", "warrant": "w-9", "holder": "bob",
            "security": "common", "quantity": 1000, "exercise_price": "1.00", "expires": "2022-01-01",
            "source": SRC, **kw}


def test_exercise_more_than_exercisable(base, tmp_path):
    ev = {"type": "CashExercise", "effective_date": "2021-06-01", "warrant": "w-9", "quantity": 501, "source": SRC}
    w = warrant(tranches=[{"quantity": 500, "exercisable_from": "2021-01-01"}, {"quantity": 500, "exercisable_from": "2021-07-01"}])
    refused(base, write(tmp_path, "a.yaml", [w, ev]), "event 2 (CashExercise)", "quantity", "500 shares exercisable on 2021-06-01")


def test_exercise_after_expiry(base, tmp_path):
    ev = {"type": "CashExercise", "effective_date": "2022-01-01", "warrant": "w-9", "quantity": 1, "source": SRC}
    refused(base, write(tmp_path, "a.yaml", [warrant(), ev]), "event 2 (CashExercise)", "warrant", "expired on 2022-01-01")


def test_a_condition_met_after_expiry_is_refused(base, tmp_path):
    w = warrant(tranches=[{"quantity": 1000, "condition": "ipo"}])
    ev = {"type": "WarrantBecameExercisable", "effective_date": "2022-03-01", "warrant": "w-9", "quantity": 10,
          "condition": "ipo", "source": SRC}
    refused(base, write(tmp_path, "a.yaml", [w, ev]), "event 2 (WarrantBecameExercisable)", "warrant",
            "warrant 'w-9' expired on 2022-01-01")


def test_a_warrant_exercised_in_full_takes_nothing_more(base, tmp_path):
    done = {"type": "CashExercise", "effective_date": "2021-03-01", "warrant": "w-9", "quantity": 1000, "source": SRC}
    more = {**done, "effective_date": "2021-04-01", "quantity": 1}
    refused(base, write(tmp_path, "a.yaml", [warrant(), done, more]), "event 3 (CashExercise)", "warrant",
            "warrant 'w-9' was exercised in full on 2021-03-01")
    # Its name stays taken.
    again = warrant(effective_date="2021-05-01")
    refused(base, write(tmp_path, "b.yaml", [warrant(), done, again]), "event 3 (WarrantIssued)", "warrant",
            "'w-9' is already defined")


def test_cashless_figures_must_agree(base, tmp_path):
    # floor(1000 x (4 - 1) / 4) = 750, not 751.
    ev = {"type": "CashlessExercise", "effective_date": "2021-06-01", "warrant": "w-9", "quantity": 1000,
          "fair_market_value": "4.00", "shares_issued": 751, "source": SRC}
    refused(base, write(tmp_path, "a.yaml", [warrant(), ev]), "shares_issued", "750", "not 751")


def test_convert_before_approval(base, tmp_path):
    ev = {"type": "PreferredConverted", "effective_date": "2021-02-01", "security": "pref-a", "holder": "fund-lp",
          "quantity": 10, "source": SRC}
    refused(base, write(tmp_path, "a.yaml", [ev]), "security", "upon stockholder_approval")


def test_control_cycle(base, tmp_path):
    ev = {"type": "ControlRecorded", "effective_date": "2021-02-01", "controller": "fund-lp", "controlled": "fund-gp",
          "relation": "member", "source": SRC}
    refused(base, write(tmp_path, "a.yaml", [ev]), "controller", "control cycle")


def test_same_event_id_different_content(base, tmp_path):
    first = write(tmp_path, "a.yaml", [issue(ref="gift-1")])
    assert base("import", first).code == 0
    refused(base, write(tmp_path, "b.yaml", [issue(ref="gift-2")]), "event_id", "different content")


def test_malformed_yaml(base, tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("document: {id: x, issuer: acme\nevents: [\n")
    refused(base, path, "malformed YAML")


def test_recorded_at_is_not_for_files(base, tmp_path):
    refused(base, write(tmp_path, "a.yaml", [issue(recorded_at="2021-01-01T00:00:00Z")]), "recorded_at")


def test_one_bad_event_writes_nothing(base, tmp_path):
    good = [issue(q=i + 1, ref=f"ok-{i}") for i in range(5)]
    before = base.count()
    refused(base, write(tmp_path, "a.yaml", [*good, issue(holder="nobody")]), "event 6")
    assert base.count() == before
    assert base.rows("holdings", "--as-of", "2021-12-31") == base.rows("holdings", "--as-of", "2021-12-31")
    alice = [r for r in base.rows("holdings", "--as-of", "2021-12-31") if r["party"] == "alice"]
    assert alice[0]["quantity"] == 1_000_000


def test_backdated_event_that_invalidates_a_later_one(base, tmp_path):
    later = {"type": "SharesTransferred", "effective_date": "2021-03-01", "security": "common", "from_holder": "bob",
             "to_holder": "alice", "quantity": 400_000, "source": SRC}
    assert base("import", write(tmp_path, "later.yaml", [later], doc_id="later")).code == 0
    earlier = {**later, "effective_date": "2021-02-01", "quantity": 200_000}
    line = refused(base, write(tmp_path, "earlier.yaml", [earlier], doc_id="earlier"),
                   "makes the recorded SharesTransferred of 2021-03-01", "holds 300000", "fewer than 400000")
    assert "later" in line


def test_import_twice_adds_nothing(ledger):
    assert ledger("import", DATA / "acme").code == 0
    n = ledger.count()
    r = ledger("import", DATA / "acme")
    assert r.code == 0 and "imported 0 events" in r.out and ledger.count() == n


def test_no_traceback_from_the_real_command(tmp_path):
    bad = write(tmp_path, "bad.yaml", [issue(holder="nobody")])
    r = subprocess.run([sys.executable, "-m", "ledger", "--db", str(tmp_path / "x.db"), "import", str(bad)],
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert r.stderr.startswith("error: ") and "bad.yaml: event 1 (SharesIssued): security: unknown security 'common'" in r.stderr


def test_missing_file_is_usage_error(ledger, tmp_path):
    r = ledger("import", tmp_path / "nope.yaml")
    assert r.code == 2 and "no such file" in r.err
