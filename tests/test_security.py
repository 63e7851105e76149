"""Security: passwords never shown, user data only ever a SQL parameter, exports never
overwrite without --force, folder imports never follow links outside the folder named.

Review notes (ledger/log/store.py and what it calls, eventsourcing 9.5.6):
- every statement the store runs takes issuer, sequence and contents as parameters
  (`%s` in eventsourcing.postgres, `?` in eventsourcing.sqlite); the only names
  spliced into SQL are the fixed table name `ledger_events` and the library's own
  identifiers, quoted with psycopg.sql.Identifier on PostgreSQL;
- an issuer slug never reaches SQL at all: streams are uuid5(issuer);
- the URL's password goes to psycopg as a keyword argument and is scrubbed from
  every message (ledger.log.store.redact / scrub) before it can be printed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import DATA, ROOT, Ledger

SECRET = "s3cret-ledger"  # tests/pgserver.py's password: must never be printed
HOSTILE = ["x'); DROP TABLE ledger_events; --", 'Robert"); DELETE FROM ledger_events WHERE ("1"="1',
           "%s %(x)s {0} ? :name $1", "\\x00 \\'; SELECT pg_sleep(5); --", "ünïcødé ’ “quotes”"]


def no_secret(r, secret: str = SECRET) -> None:
    assert secret not in r.out and secret not in r.err, (r.out, r.err)


def one_line_error(r) -> str:
    assert r.code == 2, (r.code, r.out, r.err)
    lines = r.err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in r.err, r.err
    return lines[0]


# --- passwords ---------------------------------------------------------------------


@pytest.fixture
def server(postgres_server):
    return postgres_server


def url_with(server, *, password: str | None = None, port: int | None = None, db: str = "postgres") -> str:
    password = SECRET if password is None else password
    return f"postgresql://{server.user}:{password}@{server.host}:{port or server.port}/{db}"


def unused_port() -> int:
    import socket  # noqa: PLC0415

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("command", [("holdings",), ("verify",), ("import", str(DATA / "acme")),
                                     ("export", "jsonl", "--out", "-"), ("history",)])
@pytest.mark.parametrize("case", ["wrong port", "wrong password", "no such database", "bad port"])
def test_no_password_in_any_error(server, tmp_path, case, command):
    secret = SECRET
    if case == "wrong port":
        url = url_with(server, port=unused_port())
    elif case == "wrong password":
        secret = "Hunter2:/@%-wrong"
        url = url_with(server, password="Hunter2%3A%2F%40%25-wrong")  # percent-encoded in the URL
    elif case == "no such database":
        url = url_with(server, db="no_such_db")
    else:
        url = url_with(server).replace(f":{server.port}/", ":port/")
    r = Ledger(url)(*command)
    line = one_line_error(r)
    no_secret(r, secret)
    assert secret.split("%")[0] not in line and "Hunter2" not in line
    assert "***" in line or case == "bad port"
    expected = {"wrong port": "cannot connect", "wrong password": "password authentication failed",
                "no such database": 'database "no_such_db" does not exist', "bad port": "not a valid"}[case]
    assert expected in line, line


def test_no_password_in_normal_output(server, postgres_url, tmp_path, monkeypatch):
    monkeypatch.setenv("LEDGER_CACHE", str(tmp_path / "cache"))
    ledger = Ledger(postgres_url)
    results = [ledger("verify"), ledger("holdings"), ledger("import", DATA / "acme"),
               ledger("holdings", "--issuer", "nobody"), ledger("verify"), ledger("history"),
               ledger("export", "jsonl", "--out", tmp_path / "log.jsonl"), ledger("reconcile"),
               ledger("captable", "--format", "csv"), ledger("replay", DATA / "acme")]  # this replay: refused
    for r in results:
        no_secret(r)
    assert SECRET not in (tmp_path / "log.jsonl").read_text()
    assert "***" in results[0].out  # "postgresql://ledger:***@...: empty ledger"
    # the environment variable, through the real command
    env = {**os.environ, "LEDGER_DB": url_with(server, port=unused_port()), "PYTHONPATH": str(ROOT)}
    p = subprocess.run([sys.executable, "-m", "ledger", "holdings"], capture_output=True, text=True, cwd=ROOT,
                       env=env, timeout=60)
    assert p.returncode == 2 and SECRET not in p.stderr + p.stdout and "Traceback" not in p.stderr


def test_no_password_from_a_replay(postgres_url, tmp_path, monkeypatch):
    monkeypatch.setenv("LEDGER_CACHE", str(tmp_path / "cache"))
    r = Ledger(postgres_url)("replay", DATA / "acme")
    assert r.code == 0, r.err
    no_secret(r)


def test_redact_and_scrub():
    from ledger.log.store import redact, scrub  # noqa: PLC0415

    assert redact("postgresql://u:p%40ss@h:5/db") == "postgresql://u:***@h:5/db"
    assert redact("postgresql://u:a@b@h/db") == "postgresql://u:***@h/db"
    assert redact("postgresql://h/db?password=x&sslmode=require") == "postgresql://h/db?password=***&sslmode=require"
    assert redact("postgresql://u@h/db") == "postgresql://u@h/db"
    assert redact("ledger.db") == "ledger.db"
    url = "postgresql://u:p%40ss@h:5/db"
    assert "p@ss" not in scrub("failed for p@ss and p%40ss\nat postgresql://u:p%40ss@h:5/db", url)
    assert "\n" not in scrub("two\nlines", url)


# --- SQL only ever gets parameters -------------------------------------------------------


def test_hostile_strings_are_data_not_sql(ledger, tmp_path):
    assert ledger("import", DATA / "acme" / "01-formation.yaml").code == 0
    events = [{"type": "PartyRegistered", "effective_date": "2021-01-01", "party": f"p{i}", "name": text,
               "kind": "other", "aliases": [text], "source": {"locator": text, "quote": text}}
              for i, text in enumerate(HOSTILE)]
    path = tmp_path / "hostile.yaml"
    path.write_text(yaml.safe_dump({"document": {"id": HOSTILE[0], "issuer": "acme", "title": HOSTILE[1]},
                                    "events": events}, allow_unicode=True), encoding="utf-8")
    r = ledger("import", path)
    assert r.code == 0, r.err
    rows = {row.get("party"): row for row in ledger.rows("history")}
    for i, text in enumerate(HOSTILE):  # back exactly as written
        assert rows[f"p{i}"]["name"] == text and rows[f"p{i}"]["source"]["locator"] == text
    for text in HOSTILE:  # as an identifier on the command line
        r = ledger("holdings", "--issuer", text)
        assert r.code == 2 and "no issuer" in r.err
        assert ledger("history", "--party", text).code == 0
    assert ledger.count() == 14 + len(HOSTILE) + 1  # nothing dropped, nothing deleted
    assert ledger("verify").code == 0


# --- exports ---------------------------------------------------------------------------


EXPORTS = {"jsonl": "log.jsonl", "csv": "csv-out", "ocf": "pkg.ocf.zip", "html": "report.html"}


@pytest.mark.parametrize("kind", sorted(EXPORTS))
def test_exports_never_overwrite_without_force(ledger, tmp_path, kind):
    from ledger.cli.main import cli  # noqa: PLC0415

    assert set(cli.commands["export"].commands) == set(EXPORTS), "a new export: add it here"
    assert ledger("import", DATA / "acme").code == 0
    out = tmp_path / EXPORTS[kind]
    out.write_text("keep me")  # a file where the export would go
    line = one_line_error(ledger("export", kind, "--out", out))
    assert "--force" in line and out.read_text() == "keep me"
    folder = tmp_path / "a-folder"  # a folder where the export would go
    folder.mkdir()
    (folder / "keep.txt").write_text("keep me")
    one_line_error(ledger("export", kind, "--out", folder))
    assert (folder / "keep.txt").read_text() == "keep me"
    r = ledger("export", kind, "--out", tmp_path / ("new-" + EXPORTS[kind]))
    assert r.code == 0, r.err
    if kind in ("jsonl", "html"):
        assert ledger("export", kind, "--out", out, "--force").code == 0 and out.read_text() != "keep me"


# --- symlinks ------------------------------------------------------------------------


def event_file(path: Path, doc: str, party: str) -> Path:
    path.write_text(yaml.safe_dump({"document": {"id": doc, "issuer": "acme"}, "events": [
        {"type": "PartyRegistered", "effective_date": "2021-01-01", "party": party, "name": party,
         "kind": "individual", "source": {"locator": "p. 1"}}]}))
    return path


def test_folder_import_does_not_follow_links_outside(ledger, tmp_path):
    assert ledger("import", DATA / "acme" / "01-formation.yaml").code == 0
    before = ledger.count()
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = event_file(outside / "secret.yaml", "secret", "mallory")
    folder = tmp_path / "named"
    folder.mkdir()
    event_file(folder / "a.yaml", "inside", "carol")

    (folder / "b.yaml").symlink_to(secret)  # a file link leading outside: refused, nothing written
    line = one_line_error(ledger("import", folder))
    assert "links outside" in line and "not followed" in line and ledger.count() == before
    (folder / "b.yaml").unlink()

    (folder / "sub").symlink_to(outside, target_is_directory=True)  # a folder link leading outside
    (folder / "loop").symlink_to(folder, target_is_directory=True)  # and one leading round in circles
    r = ledger("import", folder)
    assert r.code == 0 and "imported 1 events" in r.out, (r.out, r.err)
    names = {row.get("party") for row in ledger.rows("history")}
    assert "carol" in names and "mallory" not in names

    (folder / "c.yaml").symlink_to(folder / "a.yaml")  # a link that stays inside: fine
    assert ledger("import", folder).code == 0
    link = tmp_path / "named-link.yaml"  # a link the user names themselves: followed
    link.symlink_to(secret)
    r = ledger("import", link)
    assert r.code == 0 and "imported 1 events" in r.out
    assert ledger("verify").code == 0
    assert ledger.count() == before + 2
