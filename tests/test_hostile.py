"""Hostile input and faults: nothing lost, nothing leaked, nothing hangs.

Each refusal is checked the same way: exit 2, one line on stderr beginning "error: ", no
traceback, and the store (or the file a user already had) byte for byte as it was.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from ledger.cli import cli
from tests.conftest import ROOT, Ledger

SAVVIS = ROOT / "replay_data" / "savvis"


def run(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    return r.exit_code, r.stdout, r.stderr


def refused_in_one_line(code: int, err: str) -> None:
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in err, err


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- destructive operations build beside and swap only on success ------------------------------


@pytest.fixture
def prod(tmp_path) -> Path:
    db = tmp_path / "prod.db"
    code, _, err = run("--db", db, "replay", SAVVIS)
    assert code == 0, err
    return db


@pytest.mark.parametrize("case", ["no-such-dir", "malformed", "rule-broken"])
def test_a_failed_fresh_replay_leaves_the_old_ledger(prod, tmp_path, case):
    before = digest(prod)
    folder = tmp_path / case
    if case == "malformed":
        folder.mkdir()
        (folder / "a.yaml").write_text("document: {id: d, issuer: x}\nevents: 5\n", encoding="utf-8")
    elif case == "rule-broken":
        folder.mkdir()
        (folder / "a.yaml").write_text(
            "document: {id: d, issuer: x}\nevents:\n  - type: SharesIssued\n    effective_date: 2020-01-01\n"
            "    security: nothing\n    holder: nobody\n    quantity: 5\n    source: {locator: p, quote: q}\n",
            encoding="utf-8")
    code, _, err = run("--db", prod, "replay", folder, "--fresh")
    refused_in_one_line(code, err)
    assert digest(prod) == before
    assert sorted(p.name for p in prod.parent.iterdir() if p.name.startswith(".prod.db")) == []
    assert Ledger(prod)("verify").code == 0


def test_fresh_refuses_a_file_that_is_not_a_ledger(tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes\n", encoding="utf-8")
    code, _, err = run("--db", notes, "replay", SAVVIS, "--fresh")
    refused_in_one_line(code, err)
    assert "not a ledger" in err and notes.read_text(encoding="utf-8") == "my notes\n"
    other = tmp_path / "other.sqlite"
    import sqlite3

    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE mine (x)")
    before = digest(other)
    refused_in_one_line(*run("--db", other, "replay", SAVVIS, "--fresh")[::2])
    assert digest(other) == before


def test_a_fresh_replay_replaces_a_ledger_whole(prod):
    # The first replay's ledger had a second issuer's events added; --fresh leaves only the history.
    code, _, err = run("--db", prod, "import", ROOT / "tests" / "data" / "acme")
    assert code == 0, err
    code, _, err = run("--db", prod, "replay", SAVVIS, "--fresh")
    assert code == 0, err
    code, out, err = run("--db", prod, "export", "jsonl", "--out", "-")
    assert code == 0 and out.count("\n") == 91  # the 91 events of the five SAVVIS files, nothing of acme
    assert not Path(str(prod) + "-wal").exists() or Ledger(prod)("verify").code == 0


# --- exports never follow a planted link -----------------------------------------------------


@pytest.mark.parametrize("kind,out", [("jsonl", "log.jsonl"), ("html", "r.html"), ("ocf", "p.ocf.zip")])
def test_exports_do_not_write_through_a_planted_link(prod, tmp_path, kind, out):
    victim = tmp_path / "victim"
    victim.write_text("precious\n", encoding="utf-8")
    target = tmp_path / out
    (tmp_path / (out + ".partial")).symlink_to(victim)  # where a writer might put its scratch file
    code, _, err = run("--db", prod, "export", kind, "--out", target)
    assert code == 0, err
    assert victim.read_text(encoding="utf-8") == "precious\n" and target.is_file() and not target.is_symlink()
    # A link at the output itself is an existing path: refused without --force, replaced with it.
    link = tmp_path / ("linked-" + out)
    link.symlink_to(victim)
    refused_in_one_line(*run("--db", prod, "export", kind, "--out", link)[::2])
    assert run("--db", prod, "export", kind, "--out", link, "--force")[0] == 0
    assert victim.read_text(encoding="utf-8") == "precious\n" and not link.is_symlink()
    dangling = tmp_path / ("dangling-" + out)
    dangling.symlink_to(tmp_path / "nowhere")
    refused_in_one_line(*run("--db", prod, "export", kind, "--out", dangling)[::2])
    assert not (tmp_path / "nowhere").exists()


def test_no_scratch_file_is_left_when_an_export_cannot_be_written(prod, tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    os.chmod(folder, 0o500)
    try:
        code, _, err = run("--db", prod, "export", "html", "--out", folder / "r.html")
        if os.geteuid() != 0:  # root writes anywhere; the check is for everyone else
            refused_in_one_line(code, err)
            assert list(folder.iterdir()) == []
    finally:
        os.chmod(folder, 0o700)


# --- no password in any message ---------------------------------------------------------------------


@pytest.mark.parametrize("password", ["s3cr/et", "a#b", "x?y=z", "p@ss:w/rd#1?", "pw[", "%2Fpct"])
@pytest.mark.parametrize("command", [["holdings"], ["import", "nothing-here"], ["verify"], ["replay", "x"]])
def test_a_password_is_never_printed(password, command):
    url = f"postgresql://alice:{password}@127.0.0.1:1/db"
    code, out, err = run("--db", url, *command)
    assert code == 2
    for secret in {password, password.split("/")[0], password.split("#")[0], password.split("?")[0]}:
        if len(secret) >= 3:
            assert secret not in out + err, (url, err)
    assert len(err.strip().splitlines()) == 1


def test_a_password_in_the_query_string_is_never_printed():
    url = "postgresql://127.0.0.1:1/db?user=alice&password=s3cr/et#x"
    code, out, err = run("--db", url, "holdings")
    assert code == 2 and "s3cr" not in out + err
