"""`ledger export csv`: one CSV per report, stamped rows, a manifest with sha256, never over a folder.

Figures are the Acme history's on 2021-01-01 (tests/test_acme_history.py derives the holdings):
common outstanding 1,600,000 + 1,400,000 + 380,000 = 3,380,000.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os

import pytest
from freezegun import freeze_time

from tests.conftest import DATA

KNOWN = "2022-01-10T09:00:00+00:00"
FILES = ["holdings.csv", "captable.csv", "voting.csv", "ownership.csv", "ownership_reported.csv",
         "rights.csv", "reconcile.csv"]


@pytest.fixture
def acme(ledger):
    with freeze_time("2022-01-10T09:00:00Z"):
        assert ledger("import", DATA / "acme").code == 0
    return ledger


def read(folder, name):
    return list(csv.DictReader(io.StringIO((folder / name).read_text(encoding="utf-8"))))


def export(ledger, out, *extra):
    return ledger("export", "csv", "--as-of", "2021-01-01", "--known-at", KNOWN, "--out", out, *extra)


def test_every_report_with_stamps_and_manifest(acme, tmp_path):
    out = tmp_path / "csv"
    r = export(acme, out)
    assert r.code == 0, r.err
    assert sorted(p.name for p in out.iterdir()) == sorted([*FILES, "manifest.json"])
    manifest = json.loads((out / "manifest.json").read_text())
    assert (manifest["as_of"], manifest["known_at"], manifest["issuer"]) == ("2021-01-01", KNOWN, "acme")
    for entry in manifest["files"]:
        data = (out / entry["name"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
        rows = read(out, entry["name"])
        assert len(rows) == entry["rows"]
        assert all(row["as_of"] == "2021-01-01" and row["known_at"] == KNOWN for row in rows)
    header = (out / "holdings.csv").read_text().splitlines()[0]
    assert header.startswith("as_of,known_at,party,security,kind,underlying,quantity,exercisable")


def test_figures(acme, tmp_path):
    out = tmp_path / "csv"
    assert export(acme, out).code == 0
    holdings = {(r["party"], r["security"]): r for r in read(out, "holdings.csv")}
    assert holdings[("alice", "common")]["quantity"] == "1600000"
    w = holdings[("fund-lp", "w-1")]
    assert (w["quantity"], w["exercisable"], w["exercise_price"], w["expires"]) == ("300000", "300000", "1.00", "2025-01-01")
    cap = {r["security"]: r for r in read(out, "captable.csv")}
    assert cap["common"]["outstanding"] == "3380000"
    # Derived denominator: 1,600,000 / 3,380,000 = 47.337278%; as filers do, the last reported
    # count (1,500,000 on 2020-01-01): 1,600,000 / 1,500,000 = 106.666667%.
    derived = {r["party"]: r for r in read(out, "ownership.csv")}
    reported = {r["party"]: r for r in read(out, "ownership_reported.csv")}
    assert derived["alice"]["percent"] == "47.337278" and reported["alice"]["percent"] == "106.666667"
    assert derived["alice"]["security"] == "common"
    # fund-gp: 380,000 common held by fund-lp plus 540,000 acquirable (300,000 warrant shares and
    # 60,000 preferred at 4:1 after the split); 920,000 / (3,380,000 + 540,000) = 23.469388%.
    assert (derived["fund-gp"]["beneficially_owned"], derived["fund-gp"]["percent"]) == ("920000", "23.469388")
    voting = {r["party"]: r for r in read(out, "voting.csv")}
    assert voting["fund-lp"]["votes"] == "620000"  # 380,000 common + 60,000 preferred x 4 as converted
    rights = {(r["right"], r["party"]): r for r in read(out, "rights.csv")}
    assert rights[("demand", "fund-lp")]["status"] == "used up"
    findings = {(r["kind"], r["subject"]): r for r in read(out, "reconcile.csv")}
    assert findings[("beneficial_ownership", "fund-lp")]["status"] == "mismatch"


def test_as_of_and_known_at_select(acme, tmp_path):
    r = acme("export", "csv", "--as-of", "2020-04-01", "--known-at", KNOWN, "--out", tmp_path / "a")
    assert r.code == 0
    holdings = {(r["party"], r["security"]): r for r in read(tmp_path / "a", "holdings.csv")}
    assert holdings[("fund-lp", "common")]["quantity"] == "50000"
    assert not any(r["kind"] == "beneficial_ownership" for r in read(tmp_path / "a", "reconcile.csv"))
    r = acme("export", "csv", "--as-of", "2021-01-01", "--known-at", "2022-01-10T08:00:00Z", "--out", tmp_path / "b")
    assert r.code == 0 and read(tmp_path / "b", "holdings.csv") == []


def test_never_over_an_existing_folder_without_force(acme, tmp_path):
    out = tmp_path / "csv"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    r = export(acme, out)
    assert r.code == 2 and r.err.strip() == f"error: {out}: already exists (use --force to overwrite)"
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]
    assert export(acme, out, "--force").code == 0
    assert (out / "keep.txt").read_text() == "mine" and (out / "holdings.csv").exists()


def test_clear_errors(acme, tmp_path):
    a_file = tmp_path / "file"
    a_file.write_text("x")
    r = export(acme, a_file, "--force")
    assert r.code == 2 and r.err.strip() == f"error: {a_file}: is a file"
    r = export(acme, tmp_path / "missing" / "out")
    assert r.code == 2 and "does not exist" in r.err and len(r.err.strip().splitlines()) == 1
    if os.geteuid() != 0:  # root writes anywhere
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        r = export(acme, locked / "out")
        assert r.code == 2 and "not writable" in r.err
    r = acme("export", "csv", "--as-of", "2021-02-30", "--out", tmp_path / "x")
    assert r.code == 2 and "not a date" in r.err
    r = acme("export", "csv", "--issuer", "nobody", "--out", tmp_path / "y")
    assert r.code == 2 and "no issuer 'nobody'" in r.err
    assert not (tmp_path / "x").exists() and not (tmp_path / "y").exists()
