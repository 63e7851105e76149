"""The throw-away PostgreSQL server used by the PostgreSQL-backed tests."""

import uuid

import psycopg
import pytest

try:  # tests/ as a package, or tests/ on sys.path (pytest's default rootdir mode)
    from tests.pgserver import PostgresServer
except ImportError:  # pragma: no cover
    from pgserver import PostgresServer


@pytest.fixture(scope="module")
def server():
    with PostgresServer() as srv:
        yield srv


def _fresh_db(server) -> str:
    name = f"t_{uuid.uuid4().hex[:12]}"
    server.create_database(name)
    return name


def test_server_starts_and_a_table_round_trips(server):
    assert server.port and server.startup_seconds is not None
    url = server.url("ledger_rt")
    assert url == f"postgresql://ledger:s3cret-ledger@127.0.0.1:{server.port}/ledger_rt"
    server.create_database("ledger_rt")
    try:
        with psycopg.connect(url) as conn:
            conn.execute("CREATE TABLE holdings (holder text PRIMARY KEY, shares bigint)")
            conn.execute(
                "INSERT INTO holdings VALUES (%s, %s), (%s, %s)",
                ("WCAS", 1_000_000, "Constellation", 250),
            )
        with psycopg.connect(url) as conn:
            rows = conn.execute("SELECT holder, shares FROM holdings ORDER BY holder").fetchall()
            assert rows == [("Constellation", 250), ("WCAS", 1_000_000)]
            assert conn.execute("SHOW fsync").fetchone() == ("off",)
            assert conn.execute("SELECT current_user").fetchone() == ("ledger",)
    finally:
        server.drop_database("ledger_rt")
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(url, connect_timeout=5).close()


def test_two_databases_stay_apart(server):
    a, b = _fresh_db(server), _fresh_db(server)
    try:
        with psycopg.connect(server.url(a)) as conn:
            conn.execute("CREATE TABLE events (n int)")
            conn.execute("INSERT INTO events VALUES (1)")
        with psycopg.connect(server.url(b)) as conn:
            assert conn.execute("SELECT to_regclass('events')").fetchone() == (None,)
            conn.execute("CREATE TABLE events (n int)")
            assert conn.execute("SELECT count(*) FROM events").fetchone() == (0,)
        with psycopg.connect(server.url(a)) as conn:
            assert conn.execute("SELECT count(*) FROM events").fetchone() == (1,)
    finally:
        server.drop_database(a)
        server.drop_database(b)


def test_password_is_checked(server):
    good = server.url("postgres")
    with psycopg.connect(good) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)
    bad = good.replace(":s3cret-ledger@", ":wrong-password@")
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(bad, connect_timeout=5).close()
