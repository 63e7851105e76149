"""Reads never write to the ledger: queries, verify and exports open a SQLite ledger read-only.

They answer from the read models when those have followed the whole log, and otherwise from
the log itself, saying so; only writers (import, replay, `ledger readmodels`) bring the read
models up to date. The ledger file stays byte for byte what it was (SQLite's own -shm index
aside, and a write-ahead log a reader leaves empty)."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from events import parse_event
from ledger.log.store import Store
from tests.conftest import ROOT, Ledger

SAVVIS = ROOT / "replay_data" / "savvis"

READS = [
    ("holdings", "--as-of", "2004-07-02"), ("captable", "--as-of", "2004-07-02"),
    ("voting", "--as-of", "2004-07-02"), ("ownership", "--as-of", "2004-07-02", "--cover"),
    ("rights", "--as-of", "2004-07-02"), ("reconcile",), ("history", "--party", "cvc-ii"),
    ("verify",), ("verify", "--sources", str(SAVVIS)),
]


def fingerprint(db: Path) -> tuple[str, bytes]:
    """The ledger file's bytes, and what its write-ahead log holds (a reader adds nothing)."""
    wal = Path(f"{db}-wal")
    return hashlib.sha256(db.read_bytes()).hexdigest(), wal.read_bytes() if wal.exists() else b""


@pytest.fixture
def savvis_db(tmp_path):
    led = Ledger(tmp_path / "s.db")
    assert led("import", SAVVIS).code == 0
    with sqlite3.connect(led.db) as c:  # settle the writer's log into the file: what readers find
        c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return led


def test_queries_verify_and_exports_leave_the_file_as_it_was(savvis_db, tmp_path):
    before = fingerprint(savvis_db.db)
    for args in READS:
        r = savvis_db(*args)
        assert r.code == 0, (args, r.err)
        assert "note:" not in r.err  # the read models had followed the whole log: they answered
    for kind, out in (("html", "r.html"), ("csv", "c"), ("ocf", "p.ocf.zip"), ("jsonl", "l.jsonl")):
        extra = () if kind == "jsonl" else ("--as-of", "2004-07-02")
        assert savvis_db("export", kind, *extra, "--out", tmp_path / out).code == 0
    assert fingerprint(savvis_db.db) == before


def append_unfollowed(db: Path) -> None:
    """A record appended by a writer that did not follow it into the read models (as an older
    version, or a tool that appends to the log alone, would leave the ledger)."""
    event = parse_event({"type": "SharesOutstandingReported", "issuer": "savvis", "effective_date": "2004-06-30",
                         "security": "common", "quantity": 110_000_000,
                         "source": {"document": "later-10-q", "locator": "cover", "quote": "110,000,000 shares"}})
    with Store(str(db)) as store:
        store.append({"savvis": [event]})
    with sqlite3.connect(db) as c:
        c.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def test_behind_the_log_a_reader_answers_from_the_log_and_says_so(savvis_db):
    append_unfollowed(savvis_db.db)
    before = fingerprint(savvis_db.db)
    r = savvis_db("captable", "--as-of", "2004-07-02", "--format", "json")
    assert r.code == 0 and "answered from the log itself" in r.err
    # The new count (2004-06-30) is the latest on or before the date: the log was read whole.
    common = next(row for row in r.json()["rows"] if row["security"] == "common")
    assert (common["reported_outstanding"], common["reported_on"]) == (110_000_000, "2004-06-30")
    v = savvis_db("verify")
    assert v.code == 0 and "read models have not followed the log to its end; not compared" in v.out
    assert fingerprint(savvis_db.db) == before  # nothing caught up by a reader
    # A writer brings them up to date; then they answer again.
    assert savvis_db("readmodels").code == 0
    r = savvis_db("captable", "--as-of", "2004-07-02", "--format", "json")
    assert r.code == 0 and "note:" not in r.err
    assert next(row for row in r.json()["rows"] if row["security"] == "common")["reported_outstanding"] == 110_000_000
    assert "read models match a fresh rebuild" in savvis_db("verify").out


def test_a_ledger_without_read_models_is_answered_and_left_without(savvis_db):
    with sqlite3.connect(savvis_db.db) as c:  # as an older ledger, or a copy of the log alone
        for (name,) in c.execute("select name from sqlite_master where type='table' and name like 'rm_%'").fetchall():
            c.execute(f"drop table {name}")  # noqa: S608 (names read from the schema)
    with sqlite3.connect(savvis_db.db) as c:
        c.execute("VACUUM")
        c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before = fingerprint(savvis_db.db)
    rows = savvis_db.rows("holdings", "--as-of", "2004-07-02")
    assert any(r["party"] == "constellation-entities" and r["quantity"] == 2_575_298 for r in rows)
    assert savvis_db("verify").code == 0
    assert fingerprint(savvis_db.db) == before
    with sqlite3.connect(savvis_db.db) as c:
        assert not c.execute("select count(*) from sqlite_master where name like 'rm_%'").fetchone()[0]


def test_a_readers_checkpoints_go_to_its_cache_not_the_ledger(tmp_path, monkeypatch):
    """A query that folds a thousand events or more keeps a checkpoint for the next query near
    it: in this machine's cache, stamped with the log record it folded through, so the ledger stays as it was."""
    monkeypatch.setenv("LEDGER_CACHE", str(tmp_path / "cache"))
    lines = [f"  - {{type: SharesIssued, effective_date: 2020-01-{1 + i % 28:02d}, security: common, holder: h, "
             f"quantity: {i + 1}, source: {{locator: 'line {i}'}}}}" for i in range(1_200)]
    path = tmp_path / "many.yaml"
    path.write_text("document: {id: many, issuer: acme}\nevents:\n"
                    "  - {type: PartyRegistered, effective_date: 2020-01-01, party: h, name: H, kind: individual, source: {locator: p}}\n"
                    "  - {type: SecurityClassCreated, effective_date: 2020-01-01, security: common, name: Common, kind: common, source: {locator: p}}\n"
                    + "\n".join(lines) + "\n")
    led = Ledger(tmp_path / "many.db")
    assert led("import", path).code == 0, led("import", path).err
    with sqlite3.connect(led.db) as c:
        c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before = fingerprint(led.db)
    # 1 + 2 + ... + 1,200 = 720,600 shares, whichever way the answer is reached: the holdings
    # from the intervals (no fold); the rights (none here) from a fold of the log.
    for _ in range(2):
        rows = led.rows("holdings", "--as-of", "2020-01-28")
        assert rows == [{"party": "h", "security": "common", "kind": "shares", "quantity": 720_600}]
        [row] = led.rows("captable", "--as-of", "2020-01-28")
        assert (row["security"], row["outstanding"]) == ("common", 720_600)
        [row] = led.rows("ownership", "--as-of", "2020-01-28")
        assert (row["party"], row["beneficially_owned"]) == ("h", 720_600)
        assert not (tmp_path / "cache").exists()
    for _ in range(2):
        assert led.rows("rights", "--as-of", "2020-01-28") == []
    assert fingerprint(led.db) == before
    [cache] = (tmp_path / "cache").glob("checkpoints-*.db")
    with sqlite3.connect(cache) as c:
        # stamped with the last record folded: the 1,202nd, the log's last
        assert c.execute("select issuer, effective_date, sequence from checkpoints").fetchall() == \
            [("acme", "2020-01-28", 1202)]


def test_a_backup_not_in_wal_mode_is_read_as_it_is(savvis_db, tmp_path):
    # VACUUM INTO writes a plain rollback-journal file; the store library would turn it to WAL
    # on connecting, which is a write.
    backup = tmp_path / "backup.db"
    with sqlite3.connect(savvis_db.db) as c:
        c.execute(f"VACUUM INTO '{backup}'")
    with sqlite3.connect(backup) as c:
        assert c.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    before = hashlib.sha256(backup.read_bytes()).hexdigest()
    led = Ledger(backup)
    assert any(r["quantity"] == 2_575_298 for r in led.rows("holdings", "--as-of", "2004-07-02"))
    assert led("verify").code == 0
    assert hashlib.sha256(backup.read_bytes()).hexdigest() == before
    assert not Path(f"{backup}-wal").exists()


def test_the_read_models_follow_a_batch_in_the_transaction_that_appends_it(tmp_path, monkeypatch):
    """On SQLite a batch and the read models that follow it commit together: if they cannot
    follow it, nothing of the batch is written; once it is, a reader finds them up to date."""
    from ledger.history import interval_table
    from ledger.history.readmodel import ReadModel
    from ledger.intake.importer import import_events
    from ledger.intake.loader import collect_files, load_files

    loaded = load_files(collect_files([str(SAVVIS)]))
    with Store(str(tmp_path / "l.db")) as store:
        def fails(*_args, **_kwargs):
            raise RuntimeError("the holdings intervals could not be written")

        # The last thing following does, after the timeline's pages: those go back too.
        monkeypatch.setattr(ReadModel, "_write_intervals", fails)
        with pytest.raises(RuntimeError, match="could not be written"):
            import_events(store, loaded)
        assert store.last("savvis") is None
        with sqlite3.connect(tmp_path / "l.db") as c:
            assert c.execute("select count(*) from ledger_events").fetchone()[0] == 0
            assert c.execute("select count(*) from rm_timeline").fetchone()[0] == 0
        monkeypatch.undo()
        assert import_events(store, loaded).added == {"savvis": 103}
        model = ReadModel(store, readonly=True)
        last = store.last("savvis")
        assert model.tracked("savvis") == (last["sequence"], last["hash"]) and model.current("savvis")
        assert interval_table.followed(model.db.conn, "savvis", last["sequence"])
        model.close()


def test_an_import_brings_along_what_an_earlier_writer_left_unfollowed(savvis_db, tmp_path):
    append_unfollowed(savvis_db.db)
    path = tmp_path / "later.yaml"
    path.write_text("document: {id: later, issuer: savvis}\nevents:\n"
                    "  - {type: SharesOutstandingReported, effective_date: 2004-09-30, security: common, "
                    "quantity: 111000000, source: {locator: cover}}\n")
    assert savvis_db("import", path).code == 0
    r = savvis_db("captable", "--as-of", "2004-07-02", "--format", "json")
    assert r.code == 0 and "note:" not in r.err  # followed: the earlier record, then the batch
    common = next(row for row in r.json()["rows"] if row["security"] == "common")
    assert (common["reported_outstanding"], common["reported_on"]) == (110_000_000, "2004-06-30")
    assert "read models match a fresh rebuild" in savvis_db("verify").out
