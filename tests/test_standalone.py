"""The project stands on its own: a wheel that runs from any folder, docs that cover every command,
no path of one machine, and the small things a new user trips over."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import click
import pytest
import yaml

from ledger.cli.main import LEDGERLESS, cli
from tests.conftest import ROOT, Ledger

SAVVIS = ROOT / "replay_data" / "savvis"
GUIDE = ROOT / "docs" / "guide.md"


# --- the wheel --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def wheel_site(tmp_path_factory) -> Path:
    """The built wheel, unpacked: on PYTHONPATH it stands before the editable install."""
    out = tmp_path_factory.mktemp("wheel")
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                            "-w", str(out), str(ROOT)], capture_output=True, text=True, cwd=out)
    assert build.returncode == 0, build.stderr
    (wheel,) = out.glob("issuance_ledger-*.whl")
    site = out / "site"
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(site)
    return site


def run_installed(site: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(site)}
    env.pop("LEDGER_DB", None)
    return subprocess.run([sys.executable, "-c", "from ledger.cli.main import main; main()", *args],
                          capture_output=True, text=True, cwd=cwd, env=env, timeout=600)


def test_wheel_runs_from_an_unrelated_folder(wheel_site, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = subprocess.run([sys.executable, "-c", "import ledger, events, projections; "
                            "print(ledger.__file__, events.__file__, projections.__file__)"],
                           capture_output=True, text=True, cwd=elsewhere, env={**os.environ, "PYTHONPATH": str(wheel_site)})
    assert all(Path(p).is_relative_to(wheel_site) for p in where.stdout.split()), where.stdout
    r = run_installed(wheel_site, elsewhere, "replay", str(SAVVIS))
    assert r.returncode == 0, r.stderr
    # The 13D/A's Item 3: 2,575,298 common issued by the partial cashless exercise.
    r = run_installed(wheel_site, elsewhere, "holdings", "--as-of", "2004-07-02", "--format", "csv")
    assert r.returncode == 0, r.stderr
    assert "constellation-entities,common,shares,,2575298," in r.stdout
    for args in (["verify"], ["export", "ocf", "--as-of", "2004-07-02", "--out", "s.ocf.zip"],
                 ["export", "html", "--as-of", "2004-07-02", "--out", "r.html"],
                 ["export", "csv", "--as-of", "2004-07-02", "--out", "csv"],
                 ["export", "jsonl", "--out", "log.jsonl"], ["verify", "log.jsonl"],
                 ["--db", "again.db", "import", "s.ocf.zip"]):
        r = run_installed(wheel_site, elsewhere, *args)
        assert r.returncode == 0, (args, r.stderr)
    assert {p.name for p in elsewhere.iterdir()} >= {"ledger.db", "s.ocf.zip", "r.html", "csv", "log.jsonl", "again.db"}


# --- the guide --------------------------------------------------------------------------------


def commands(group: click.Group, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], click.Command]]:
    out = []
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            out += commands(command, (*path, name))
        else:
            out.append(((*path, name), command))
    return out


def guide_sections() -> dict[str, str]:
    text = GUIDE.read_text(encoding="utf-8")
    parts = re.split(r"^### (ledger [a-z ]+?)\s*$", text, flags=re.MULTILINE)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts), 2)}


def test_the_guide_shows_every_command_and_option():
    sections = guide_sections()
    missing = []
    for path, command in commands(cli):
        name = "ledger " + " ".join(path)
        if name not in sections:
            missing.append(f"{name}: no section")
            continue
        options = {o for p in command.params if isinstance(p, click.Option) for o in p.opts if o.startswith("--")}
        missing += [f"{name}: {o}" for o in sorted(options) if f"`{o}" not in sections[name]]
    assert missing == []


def test_every_command_but_the_ledgerless_takes_db_after_itself():
    for path, command in commands(cli):
        names = {o for p in command.params for o in getattr(p, "opts", [])}
        assert ("--db" in names) == (path[0] not in LEDGERLESS), path


# --- no path of one machine -------------------------------------------------------------------


def tracked_files() -> list[Path]:
    r = subprocess.run(["git", "ls-files", "-z"], capture_output=True, cwd=ROOT)
    if r.returncode != 0:
        pytest.skip("not a git checkout: nothing to list")
    return [ROOT / name for name in r.stdout.decode().split("\0") if name]


def test_nothing_names_a_path_outside_the_repository():
    # The tests on the official OCF schemas and on the real EDGAR filings look beside the
    # checkout, and say so when skipped.
    allowed = {"tests/ocf_schemas.py", "tests/test_ocf.py", "tests/test_standalone.py", "tests/test_filings.py",
               "tests/filing_fields.py"}
    pattern = re.compile(r"\.\./shared|/(?:work|root)/|/(?:home|Users)/\w")
    offenders = []
    for path in tracked_files():
        rel = path.relative_to(ROOT).as_posix()
        if rel in allowed or rel.startswith("replay_data/savvis/sources/") or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        offenders += [f"{rel}:{n}" for n, line in enumerate(text.splitlines(), 1) if pattern.search(line)]
    assert offenders == []


def test_each_savvis_event_file_names_a_bundled_source():
    for path in sorted(SAVVIS.glob("*.yaml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))["document"]
        assert (SAVVIS / "sources" / document["file"]).is_file(), path.name


# --- small things a new user trips over ----------------------------------------------------------


def test_db_after_the_subcommand(tmp_path):
    db = tmp_path / "late.db"
    assert Ledger(db)("import", SAVVIS).code == 0
    from click.testing import CliRunner

    runner = CliRunner()
    late = runner.invoke(cli, ["holdings", "--as-of", "2004-03-31", "--db", str(db), "--format", "json"])
    early = runner.invoke(cli, ["--db", str(db), "holdings", "--as-of", "2004-03-31", "--format", "json"])
    assert late.exit_code == 0, late.stderr
    rows = json.loads(late.stdout)["rows"]
    assert rows == json.loads(early.stdout)["rows"] and rows
    # Given in both places, the one after the subcommand wins.
    both = runner.invoke(cli, ["--db", str(tmp_path / "none.db"), "export", "jsonl", "--db", str(db), "--out", "-"])
    assert both.exit_code == 0 and both.stdout.count("\n") == 103


def test_an_empty_answer_says_so_in_one_line(tmp_path):
    led = Ledger(tmp_path / "e.db")
    assert led("import", SAVVIS).code == 0
    r = led("holdings", "--as-of", "1990-01-01")
    assert r.code == 0 and r.out.strip().endswith("no rows") and len(r.out.strip().splitlines()) == 1
    assert led("holdings", "--as-of", "1990-01-01", "--format", "json").json()["rows"] == []
    csv_out = led("holdings", "--as-of", "1990-01-01", "--format", "csv").out
    assert csv_out.splitlines()[0].startswith("party,security,kind") and len(csv_out.splitlines()) == 1
    assert led("history", "--party", "nobody").out.strip().endswith("no rows")


def write_file(tmp_path: Path, events_yaml: str) -> Path:
    path = tmp_path / "typo.yaml"
    path.write_text("document: {id: d, issuer: acme, date: 2021-01-01}\nevents:\n" + events_yaml, encoding="utf-8")
    return path


ISSUE = """  - type: SecurityClassCreated
    effective_date: 2021-01-01
    security: common
    name: Common
    kind: common
    source: {locator: p1, quote: q}
"""


def test_events_are_counted_from_one_and_a_date_typo_names_event_and_field(tmp_path):
    led = Ledger(tmp_path / "t.db")
    second = ISSUE.replace("2021-01-01", "2021-02-30").replace("security: common", "security: other")
    r = led("import", write_file(tmp_path, ISSUE + second))
    assert r.code == 2 and r.out == ""
    assert r.err.startswith("error: ") and len(r.err.strip().splitlines()) == 1
    assert "typo.yaml: event 2 (SecurityClassCreated): effective_date:" in r.err
    r = led("import", write_file(tmp_path, ISSUE.replace("kind: common", "kind: ordinary")))
    assert "typo.yaml: event 1 (SecurityClassCreated): kind:" in r.err
    assert not (tmp_path / "t.db").exists() or led.count() == 0


@pytest.mark.parametrize("args,needle", [
    (["holdings", "--as-of", "2021-02-30"], "'2021-02-30' is not a date"),
    (["holdings", "--bogus"], "No such option '--bogus'"),
    (["no-such-command"], "No such command 'no-such-command'"),
    (["import"], "Missing argument"),
    (["history", "--known-at", "yesterday"], "'yesterday' is not an ISO instant"),
])
def test_usage_errors_are_one_line_and_exit_2(args, needle):
    from click.testing import CliRunner

    r = CliRunner().invoke(cli, args)
    assert r.exit_code == 2 and r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and needle in lines[0], r.stderr


def test_sql_read_models_of_several_issuers_stay_true_or_go(tmp_path):
    """`ledger readmodels` tables: built for two issuers (the first sets the column types), then
    an import makes the changed issuer's rows stale, so they go; verify agrees throughout."""
    led = Ledger(tmp_path / "two.db")
    assert led("import", SAVVIS).code == 0 and led("readmodels").code == 0
    assert led("import", ROOT / "tests" / "data" / "acme").code == 0
    assert led("readmodels", "--issuer", "acme").code == 0
    r = led("verify")
    assert r.code == 0, r.err
    import sqlite3

    with sqlite3.connect(tmp_path / "two.db") as conn:
        count = lambda issuer: conn.execute(  # noqa: E731
            "select count(*) from rm_holdings where issuer=?", (issuer,)).fetchone()[0]
        assert count("acme") > 0 and count("savvis") > 0
    correction = tmp_path / "fix.yaml"
    correction.write_text(
        "document: {id: fix, issuer: acme}\nevents:\n  - type: EventRetracted\n    effective_date: 2022-03-01\n"
        "    retracts: transfer-1\n    reason: never happened\n    source: {locator: p, quote: q}\n", encoding="utf-8")
    assert led("import", correction).code == 0
    with sqlite3.connect(tmp_path / "two.db") as conn:
        assert conn.execute("select count(*) from rm_holdings where issuer='acme'").fetchone()[0] == 0
        assert conn.execute("select count(*) from rm_holdings where issuer='savvis'").fetchone()[0] > 0
    r = led("verify")
    assert r.code == 0, r.err
