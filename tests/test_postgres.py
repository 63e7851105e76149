"""The store on both engines: tables made by the first write only, connections given back,
many issuers in one database kept apart, big batches in one transaction."""

from __future__ import annotations

import json
import threading

import psycopg
import pytest
import yaml

from tests.conftest import DATA, Ledger


def renamed(tmp_path, issuer: str):
    """The acme history as another issuer's: same events, another stream."""
    folder = tmp_path / issuer
    folder.mkdir()
    for src in sorted((DATA / "acme").glob("*.yaml")):
        doc = yaml.safe_load(src.read_text())
        doc["document"]["issuer"] = issuer
        doc["document"]["id"] = f"{issuer}-{doc['document']['id']}"
        (folder / src.name).write_text(yaml.safe_dump(doc, sort_keys=False))
    return folder


def tables(ledger: Ledger) -> set[str]:
    if ledger.engine == "postgres":
        with psycopg.connect(str(ledger.db)) as c:
            return {r[0] for r in c.execute("select tablename from pg_tables where schemaname='public'")}
    import sqlite3  # noqa: PLC0415

    if not ledger.db.exists():
        return set()
    with sqlite3.connect(ledger.db) as c:
        return {r[0] for r in c.execute("select name from sqlite_master where type='table'")}


def test_reads_never_create_the_ledger(ledger):
    r = ledger("holdings")
    assert r.code == 2 and len(r.err.strip().splitlines()) == 1
    assert ("no ledger here" if ledger.engine == "sqlite" else "the ledger is empty") in r.err
    if ledger.engine == "postgres":
        v = ledger("verify")
        assert v.code == 0 and "empty ledger" in v.out
    assert "ledger_events" not in tables(ledger)
    assert ledger("import", DATA / "acme").code == 0  # the first write makes it
    assert "ledger_events" in tables(ledger) and ledger.count() == 31


def test_many_issuers_share_one_database_and_stay_apart(ledger, tmp_path):
    names = ["acme", "beta", "gamma"]
    assert ledger("import", DATA / "acme").code == 0
    for name in names[1:]:
        r = ledger("import", renamed(tmp_path, name))
        assert r.code == 0 and f"imported 30 events (30 for {name})" in r.out, r.err
    assert ledger.count() == 3 * 30 + 3  # three streams and the registry
    r = ledger("holdings")
    assert r.code == 2 and "several issuers" in r.err
    v = ledger("verify")
    assert v.code == 0
    for name in names:
        assert f"{name}: 30 records, chain intact" in v.out
    # The same events give the same answers, each in its own stream.
    answers = {name: ledger.rows("holdings", "--issuer", name, "--as-of", "2021-06-30") for name in names}
    assert answers["acme"] == answers["beta"] == answers["gamma"] and answers["acme"]
    # A retraction in one issuer touches no other.
    fix = tmp_path / "fix.yaml"
    fix.write_text(yaml.safe_dump({"document": {"id": "beta-erratum", "issuer": "beta"}, "events": [
        {"type": "EventRetracted", "effective_date": "2022-01-01", "retracts": "transfer-1", "reason": "void",
         "source": {"locator": "erratum"}}]}))
    assert ledger("import", fix).code == 0
    after = {name: ledger.rows("holdings", "--issuer", name, "--as-of", "2021-06-30") for name in names}
    assert after["acme"] == answers["acme"] == after["gamma"] and after["beta"] != answers["beta"]
    history = ledger.rows("history", "--issuer", "beta")
    assert len(history) == 31 and {row["issuer"] for row in history} == {"beta"}
    exported = ledger("export", "jsonl", "--issuer", "gamma", "--out", "-")
    assert {json.loads(line)["event"]["issuer"] for line in exported.out.splitlines()} == {"gamma"}


def test_connections_and_threads_are_given_back(ledger, postgres_server):
    if ledger.engine != "postgres":
        pytest.skip("PostgreSQL connections")
    threads = threading.active_count()
    assert ledger("import", DATA / "acme").code == 0
    for _ in range(15):
        assert ledger("holdings").code == 0
        assert ledger("holdings", "--issuer", "nobody").code == 2
    assert ledger("verify").code == 0
    dbname = str(ledger.db).rsplit("/", 1)[1]
    with psycopg.connect(postgres_server.url("postgres")) as c:
        left = c.execute("select count(*) from pg_stat_activity where datname=%s", (dbname,)).fetchone()[0]
    assert left == 0, f"{left} connections left open"
    assert threading.active_count() <= threads  # the pools' worker threads stopped


def test_a_batch_is_one_transaction_on_both_engines(ledger, tmp_path):
    """5,000 events in one import: all appear together (on PostgreSQL, without the pipeline)."""
    from tests.test_concurrency import batch_file, check_export  # noqa: PLC0415

    assert ledger("import", DATA / "acme" / "01-formation.yaml").code == 0
    big = batch_file(tmp_path, 0, 0, size=5000)
    r = ledger("import", big)
    assert r.code == 0 and "imported 5000 events" in r.out, r.err
    out = ledger("export", "jsonl", "--out", "-").out.splitlines()
    assert len(out) == 5014 and not check_export(out, batch_size=5000)


def test_a_record_that_is_not_json_is_reported_not_a_traceback(ledger):
    assert ledger("import", DATA / "acme").code == 0
    if ledger.engine == "postgres":
        with psycopg.connect(str(ledger.db)) as c:
            c.execute("update ledger_events set state=%s where topic='CashExercise'", (b"\xff not json",))
    else:
        import sqlite3  # noqa: PLC0415

        with sqlite3.connect(ledger.db) as c:
            c.execute("update ledger_events set state=? where topic='CashExercise'", (b"\xff not json",))
    for command in (("history",), ("export", "jsonl", "--out", "-"), ("holdings", "--known-at", "2000-01-01T00:00:00Z")):
        r = ledger(*command)
        assert r.code == 2 and len(r.err.strip().splitlines()) == 1, (command, r.out, r.err)
        assert "record 16 of issuer 'acme' is not a ledger record" in r.err and "Traceback" not in r.err
    v = ledger("verify")  # reads leniently (ledger/checks/integrity.py), reports, exits 1
    assert v.code == 1 and "Traceback" not in v.err and "record 16: event does not parse" in v.err, v.err


def test_missing_server_programs_fail_loudly(monkeypatch):
    """Without initdb/pg_ctl the postgres variants error with how to install them (CI: .ci/run does)."""
    from tests import pgserver  # noqa: PLC0415

    monkeypatch.delenv("PG_BINDIR", raising=False)
    monkeypatch.setattr(pgserver.shutil, "which", lambda name: None)
    monkeypatch.setattr(pgserver.glob, "glob", lambda pattern: [])
    with pytest.raises(pgserver.PostgresServerError, match="apt-get install -y postgresql"):
        pgserver.PostgresServer().start()
