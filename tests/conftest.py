"""One suite, two engines: the `ledger` fixture runs each CLI-level test on SQLite and on PostgreSQL.

PostgreSQL is a real, throw-away server this session starts itself
(tests/pgserver.py: initdb + pg_ctl on a free loopback port, as the `postgres`
user when we are root), stopped at the end; each test gets a database of its
own (CREATE DATABASE takes ~40 ms with fsync off).

`LEDGER_TEST_ENGINES=sqlite` (or `postgres`) restricts the engines. Without
it, missing PostgreSQL programs make the postgres variants fail with the
reason, never skip: CI installs them (.ci/run).
"""

from __future__ import annotations

import json
import os
import tempfile
import sqlite3
import uuid
from dataclasses import dataclass
from pathlib import Path

import freezegun
import pytest
from click.testing import CliRunner

import events.registry  # noqa: F401  (see below: every event model, built now)
from ledger.cli.main import cli

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).parent.parent

# The event models are built before any test freezes time: pydantic keeps what it builds for
# `datetime.date`, and built under freeze_time that would be freezegun's stand-in class, which
# a later model (pyocf's, say) would then not recognise as a date.

# freeze_time must not stop the clocks of the PostgreSQL driver's pool (its waits would never end).
freezegun.configure(extend_ignore_list=["psycopg", "psycopg_pool"])

# Checkpoints are kept in a cache of this machine (LEDGER_CACHE, else the user's cache folder),
# never in the ledger: the suite, and the CLI processes it starts, use one of their own.
os.environ.setdefault("LEDGER_CACHE", tempfile.mkdtemp(prefix="ledger-cache-"))

ENGINES = [e.strip() for e in os.environ.get("LEDGER_TEST_ENGINES", "sqlite,postgres").split(",") if e.strip()]
TABLE = "ledger_events"
if os.environ.get("CI") and sorted(ENGINES) != ["postgres", "sqlite"]:
    raise RuntimeError(f"CI runs the suite on both engines; LEDGER_TEST_ENGINES={os.environ['LEDGER_TEST_ENGINES']!r}")


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> dict:
        return json.loads(self.out)


def is_postgres(target: object) -> bool:
    return str(target).startswith(("postgresql://", "postgres://"))


class Ledger:
    """The CLI, run in-process against a real SQLite file or PostgreSQL database.

    `db` is what `--db` gets: a Path for SQLite, a postgresql:// URL for PostgreSQL.
    """

    def __init__(self, db: Path | str):
        self.db = db
        self.engine = "postgres" if is_postgres(db) else "sqlite"

    def __call__(self, *args: str) -> Result:
        runner = CliRunner()
        r = runner.invoke(cli, ["--db", str(self.db), *map(str, args)], catch_exceptions=False)
        return Result(r.exit_code, r.stdout, r.stderr)

    def rows(self, *args: str) -> list[dict]:
        r = self(*args, "--format", "json")
        assert r.code == 0, r.err
        return r.json()["rows"]

    def count(self) -> int:
        """Rows of the events table, counted through the engine itself."""
        if self.engine == "postgres":
            import psycopg  # noqa: PLC0415

            with psycopg.connect(str(self.db)) as c:
                if c.execute("select to_regclass(%s)", (f"public.{TABLE}",)).fetchone()[0] is None:
                    return 0
                return c.execute(f"select count(*) from {TABLE}").fetchone()[0]  # noqa: S608 (fixed name)
        if not Path(self.db).exists():
            return 0
        with sqlite3.connect(self.db) as c:
            tables = {t for (t,) in c.execute("select name from sqlite_master where type='table'")}
            if TABLE not in tables:
                return 0
            return c.execute(f"select count(*) from {TABLE}").fetchone()[0]  # noqa: S608 (fixed name)

    def tamper(self, topic: str, change) -> None:
        """Rewrite the state of the first record of `topic` behind the ledger's back: change(record) -> None."""
        if self.engine == "postgres":
            import psycopg  # noqa: PLC0415

            with psycopg.connect(str(self.db)) as c:
                key, version, state = c.execute(
                    f"select originator_id, originator_version, state from {TABLE} where topic=%s "  # noqa: S608
                    "order by notification_id limit 1", (topic,)).fetchone()
                record = json.loads(bytes(state))
                change(record)
                c.execute(f"update {TABLE} set state=%s where originator_id=%s and originator_version=%s",  # noqa: S608
                          (json.dumps(record).encode(), key, version))
            return
        with sqlite3.connect(self.db) as c:
            rowid, state = c.execute(f"select rowid, state from {TABLE} where topic=? order by rowid",  # noqa: S608
                                     (topic,)).fetchone()
            record = json.loads(state)
            change(record)
            c.execute(f"update {TABLE} set state=? where rowid=?", (json.dumps(record).encode(), rowid))  # noqa: S608

    def readmodel_db(self) -> str:
        """The SQLite file holding the read models: the ledger itself, or the local cache of a server."""
        from ledger.history.readmodel import cache_path  # noqa: PLC0415
        from ledger.log.store import redact  # noqa: PLC0415

        return cache_path(redact(str(self.db)))


# --- PostgreSQL ---------------------------------------------------------------


@pytest.fixture(scope="module")
def savvis_file(tmp_path_factory) -> Path:
    """A SQLite ledger of the bundled SAVVIS history, imported once per test module."""
    db = tmp_path_factory.mktemp("savvis") / "savvis.db"
    assert Ledger(db)("import", ROOT / "replay_data" / "savvis").code == 0
    return db


@pytest.fixture(scope="session")
def postgres_server():
    """A private PostgreSQL server for the whole session; fails loudly when it cannot start."""
    from tests.pgserver import PostgresServer  # noqa: PLC0415

    if "postgres" not in ENGINES:
        pytest.skip("LEDGER_TEST_ENGINES leaves PostgreSQL out")

    with PostgresServer() as server:
        yield server


@pytest.fixture
def postgres_url(postgres_server):
    """A fresh, empty database of its own for one test."""
    name = f"t_{uuid.uuid4().hex[:16]}"
    postgres_server.create_database(name)
    yield postgres_server.url(name)
    postgres_server.drop_database(name)


@pytest.fixture(params=ENGINES)
def engine(request) -> str:
    return request.param


@pytest.fixture
def target(engine, request, tmp_path, monkeypatch) -> str:
    """A fresh ledger target on the engine under test: a file path or a postgresql:// URL."""
    # A server's read models live in a local cache file: keep it out of the working tree.
    monkeypatch.setenv("LEDGER_CACHE", str(tmp_path / "ledger-cache"))
    if engine == "postgres":
        return request.getfixturevalue("postgres_url")
    return str(tmp_path / "ledger.db")


@pytest.fixture
def ledger(target) -> Ledger:
    return Ledger(target if is_postgres(target) else Path(target))


@pytest.fixture
def acme(ledger):
    """The Acme history (tests/data/acme), imported at a fixed instant."""
    with freezegun.freeze_time("2022-01-10T09:00:00Z"):
        r = ledger("import", DATA / "acme")
    assert r.code == 0, r.err
    return ledger
