"""Start a real, throw-away PostgreSQL server for the test suite.

``PostgresServer`` runs Debian's own ``initdb`` and ``pg_ctl`` on a fresh
data directory under ``/tmp``, listening on a free port on 127.0.0.1 only,
with durability switched off (``fsync``, ``synchronous_commit`` and
``full_page_writes`` are off) so that it starts in about a second.  The
superuser is ``ledger`` with password ``s3cret-ledger``; TCP connections must
give that password (scram-sha-256), connections over the unix socket (inside
the temporary directory) are trusted.

PostgreSQL refuses to run as root.  When the tests run as root (CI does), the
server's programs run as the ``postgres`` system user (installed by Debian's
``postgresql`` package) through ``runuser``, and the temporary directory is
handed to that user.

Usage as a pytest session fixture (in ``tests/conftest.py``)::

    import uuid

    import pytest

    from tests.pgserver import PostgresServer   # or: from pgserver import ...


    @pytest.fixture(scope="session")
    def postgres_server():
        with PostgresServer() as server:        # stopped and removed at exit
            yield server


    @pytest.fixture
    def postgres_url(postgres_server):
        name = f"test_{uuid.uuid4().hex[:12]}"  # one fresh database per test
        postgres_server.create_database(name)
        yield postgres_server.url(name)
        postgres_server.drop_database(name)

For eventsourcing's PostgreSQL persistence module,
``server.eventsourcing_env(name)`` gives the ``POSTGRES_*`` settings
(with ``PERSISTENCE_MODULE="eventsourcing.postgres"``) for one database.

The server is stopped (``pg_ctl -m immediate stop``) and its directory
removed by ``stop()``, by leaving the ``with`` block, and, as a last resort,
at interpreter exit.  A server left behind by a test run that was killed is
stopped and removed by the next ``PostgresServer.start()``.
"""

from __future__ import annotations

import atexit
import glob
import os
import pwd
import re
import shlex
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

__all__ = ["PostgresServer", "PostgresServerError", "find_pg_bindir"]

DEFAULT_USER = "ledger"
DEFAULT_PASSWORD = "s3cret-ledger"
SYSTEM_USER = "postgres"  # who runs the server when we are root
DIR_PREFIX = "ledger-pg-"
OWNER_FILE = "owner.pid"  # pid of the Python process that started the server

_SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "100",
    "log_min_messages": "warning",
}


class PostgresServerError(RuntimeError):
    """The server could not be found, set up, started or stopped."""


def _version_key(bindir: str) -> tuple[int, ...]:
    # /usr/lib/postgresql/<version>/bin -> (version parts), newest sorts last
    version = Path(bindir).parent.name
    return tuple(int(p) for p in re.findall(r"\d+", version)) or (0,)


def find_pg_bindir() -> Path:
    """Directory that holds both ``initdb`` and ``pg_ctl``.

    Looked for in ``$PG_BINDIR`` if set, then on ``PATH``, then under
    ``/usr/lib/postgresql/*/bin`` (Debian's layout), newest version first.
    """
    candidates: list[str] = []
    if os.environ.get("PG_BINDIR"):
        candidates.append(os.environ["PG_BINDIR"])
    on_path = shutil.which("initdb")
    if on_path:
        # /usr/local/bin/initdb may be a symlink into /usr/lib/postgresql/N/bin
        candidates.append(os.path.dirname(os.path.realpath(on_path)))
        candidates.append(os.path.dirname(on_path))
    candidates.extend(
        sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version_key, reverse=True)
    )
    for d in candidates:
        if all(os.access(os.path.join(d, exe), os.X_OK) for exe in ("initdb", "pg_ctl")):
            return Path(d)
    raise PostgresServerError(
        "PostgreSQL server programs (initdb, pg_ctl) not found on PATH nor under "
        "/usr/lib/postgresql/*/bin; install them with `apt-get install -y postgresql`"
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class PostgresServer:
    """A private PostgreSQL server in a temporary directory (see module doc)."""

    def __init__(
        self,
        user: str = DEFAULT_USER,
        password: str = DEFAULT_PASSWORD,
        bindir: str | os.PathLike[str] | None = None,
        start_timeout: int = 60,
    ) -> None:
        self.user = user
        self.password = password
        self.host = "127.0.0.1"
        self.port: int | None = None
        self.bindir = Path(bindir) if bindir else None
        self.start_timeout = start_timeout
        self.tmpdir: Path | None = None
        self.startup_seconds: float | None = None
        self._as_root = os.geteuid() == 0
        self._run_uid: int | None = None
        self._run_gid: int | None = None
        self._owner_pid = os.getpid()
        self._running = False

    # -- paths ---------------------------------------------------------------

    @property
    def datadir(self) -> Path:
        assert self.tmpdir is not None, "server not started"
        return self.tmpdir / "data"

    @property
    def socket_dir(self) -> Path:
        assert self.tmpdir is not None, "server not started"
        return self.tmpdir / "socket"

    @property
    def logfile(self) -> Path:
        assert self.tmpdir is not None, "server not started"
        return self.tmpdir / "server.log"

    # -- public API ----------------------------------------------------------

    def url(self, dbname: str = "postgres") -> str:
        if self.port is None:
            raise PostgresServerError("server not started")
        return (
            f"postgresql://{self.user}:{self.password}@{self.host}:{self.port}/{dbname}"
        )

    def eventsourcing_env(self, dbname: str) -> dict[str, str]:
        """Environment for eventsourcing's PostgreSQL persistence module."""
        if self.port is None:
            raise PostgresServerError("server not started")
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": dbname,
            "POSTGRES_HOST": self.host,
            "POSTGRES_PORT": str(self.port),
            "POSTGRES_USER": self.user,
            "POSTGRES_PASSWORD": self.password,
        }

    def create_database(self, name: str, template: str | None = None) -> None:
        """An empty database, or a copy of ``template`` (which must have no open connections)."""
        if template is None:
            self._admin_sql("CREATE DATABASE {}", name)
        else:
            self._admin_sql("CREATE DATABASE {} TEMPLATE {}", name, template)

    def drop_database(self, name: str) -> None:
        # WITH (FORCE) (PostgreSQL 13+) ends connections a test left open
        self._admin_sql("DROP DATABASE IF EXISTS {} WITH (FORCE)", name)

    def start(self) -> "PostgresServer":
        if self._running:
            return self
        if self.bindir is None:
            self.bindir = find_pg_bindir()
        if self._as_root:
            try:
                entry = pwd.getpwnam(SYSTEM_USER)
            except KeyError:
                raise PostgresServerError(
                    f"running as root, and PostgreSQL refuses to run as root, but "
                    f"there is no {SYSTEM_USER!r} system user to run it as; install "
                    f"Debian's `postgresql` package (it creates that user) or run the "
                    f"tests as an unprivileged user"
                ) from None
            self._run_uid, self._run_gid = entry.pw_uid, entry.pw_gid
        _reap_stale_servers(self.bindir)

        t0 = time.monotonic()
        # Under /tmp (mode 1777, so the postgres user can traverse it) and short,
        # since a unix socket path must stay under ~107 bytes.
        parent = "/tmp" if os.path.isdir("/tmp") else None
        self.tmpdir = Path(tempfile.mkdtemp(prefix=DIR_PREFIX, dir=parent))
        atexit.register(self._atexit_stop)
        try:
            (self.tmpdir / OWNER_FILE).write_text(f"{os.getpid()}\n")
            self.socket_dir.mkdir()
            pwfile = self.tmpdir / "pwfile"
            pwfile.write_text(self.password + "\n")
            os.chmod(pwfile, 0o600)
            self._chown_tree(self.tmpdir)
            self._initdb(pwfile)
            pwfile.unlink()
            with open(self.datadir / "postgresql.conf", "a") as conf:
                conf.write("\n# added by tests/pgserver.py\n")
                settings = dict(_SETTINGS)
                settings["unix_socket_directories"] = f"'{self.socket_dir}'"
                for key, value in settings.items():
                    conf.write(f"{key} = {value}\n")
            self._start_with_free_port()
        except BaseException:
            self.stop()
            raise
        self.startup_seconds = time.monotonic() - t0
        return self

    def stop(self) -> None:
        """Stop the server at once (no checkpoint) and remove its directory."""
        tmpdir, self.tmpdir = self.tmpdir, None
        self._running = False
        self.port = None
        try:
            atexit.unregister(self._atexit_stop)
        except Exception:  # pragma: no cover
            pass
        if tmpdir is None:
            return
        _stop_datadir(self.bindir, tmpdir / "data", self._run_as_prefix())
        shutil.rmtree(tmpdir, ignore_errors=True)

    def __enter__(self) -> "PostgresServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = f"port={self.port}" if self._running else "stopped"
        return f"<PostgresServer {state} dir={self.tmpdir}>"

    # -- internals -----------------------------------------------------------

    def _atexit_stop(self) -> None:
        if os.getpid() == self._owner_pid:  # not in a forked child
            self.stop()

    def _run_as_prefix(self) -> list[str]:
        if not self._as_root:
            return []
        runuser = shutil.which("runuser") or next(
            (p for p in ("/usr/sbin/runuser", "/sbin/runuser") if os.path.exists(p)),
            None,
        )
        if runuser:
            return [runuser, "-u", SYSTEM_USER, "--"]
        return []  # _run() falls back on su

    def _run(self, args: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
        cmd = self._run_as_prefix() + args
        if self._as_root and len(cmd) == len(args):  # no runuser: use su
            cmd = ["su", SYSTEM_USER, "-s", "/bin/sh", "-c", shlex.join(args)]
        return subprocess.run(
            cmd,
            cwd=self.tmpdir,  # the postgres user may not be able to enter our cwd
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def _chown_tree(self, path: Path) -> None:
        if not self._as_root:
            return
        for root, dirs, files in os.walk(path):
            os.chown(root, self._run_uid, self._run_gid)
            for name in files:
                os.chown(os.path.join(root, name), self._run_uid, self._run_gid)

    def _initdb(self, pwfile: Path) -> None:
        assert self.bindir is not None
        proc = self._run(
            [
                str(self.bindir / "initdb"),
                "-D", str(self.datadir),
                "-U", self.user,
                f"--pwfile={pwfile}",
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "--encoding=UTF8",
                "--no-locale",
                "--no-sync",
            ],
            timeout=120,
        )
        if proc.returncode != 0:
            raise PostgresServerError(
                f"initdb failed (exit {proc.returncode}):\n{proc.stdout}{proc.stderr}"
            )

    def _start_with_free_port(self, attempts: int = 3) -> None:
        assert self.bindir is not None
        last = ""
        for _ in range(attempts):
            port = _free_port()
            proc = self._run(
                [
                    str(self.bindir / "pg_ctl"),
                    "-D", str(self.datadir),
                    "-l", str(self.logfile),
                    "-o", f"-p {port}",
                    "-w", "-t", str(self.start_timeout),
                    "start",
                ],
                timeout=self.start_timeout + 30,
            )
            if proc.returncode == 0:
                self.port = port
                self._running = True
                return
            last = proc.stdout + proc.stderr + self._log_tail()
            # the port may have been taken between probing and binding: retry,
            # after making sure nothing half-started is left behind
            _stop_datadir(self.bindir, self.datadir, self._run_as_prefix())
        raise PostgresServerError(f"pg_ctl start failed:\n{last}")

    def _log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.logfile.read_text().splitlines()[-lines:])
        except OSError:
            return ""

    def _admin_sql(self, template: str, *names: str) -> None:
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(sql.SQL(template).format(*(sql.Identifier(n) for n in names)))


def _stop_datadir(bindir: Path | None, datadir: Path, prefix: list[str]) -> None:
    """Stop whatever server runs on ``datadir``; never raises."""
    pidfile = datadir / "postmaster.pid"
    if not pidfile.exists():
        return
    if bindir is not None:
        args = [str(bindir / "pg_ctl"), "-D", str(datadir), "-m", "immediate", "-w",
                "-t", "30", "stop"]
        if os.geteuid() == 0 and not prefix:
            cmd = ["su", SYSTEM_USER, "-s", "/bin/sh", "-c", shlex.join(args)]
        else:
            cmd = prefix + args
        try:
            subprocess.run(cmd, cwd="/", stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=60)
        except (OSError, subprocess.SubprocessError):
            pass
    # if pg_ctl could not do it, signal the postmaster ourselves (SIGQUIT is
    # PostgreSQL's "immediate shutdown")
    try:
        pid = int(pidfile.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return
    if _pid_alive(pid) and _is_postgres(pid):
        try:
            os.kill(pid, 3)  # SIGQUIT
            for _ in range(100):
                if not _pid_alive(pid):
                    break
                time.sleep(0.05)
        except OSError:
            pass


def _is_postgres(pid: int) -> bool:
    """Guard against a recycled pid in a stale postmaster.pid."""
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip() == "postgres"
    except OSError:
        return not os.path.isdir("/proc")  # no procfs: trust the pid file


def _reap_stale_servers(bindir: Path | None) -> None:
    """Stop and remove servers whose starting Python process has died.

    Only directories that look like ours (``/tmp/ledger-pg-*`` holding an
    ``owner.pid``) and that belong to us (or, as root, to the postgres user)
    are touched.
    """
    our_uids = {os.geteuid()}
    if os.geteuid() == 0:
        try:
            our_uids.add(pwd.getpwnam(SYSTEM_USER).pw_uid)
        except KeyError:
            pass
    prefix = (
        ["runuser", "-u", SYSTEM_USER, "--"]
        if os.geteuid() == 0 and shutil.which("runuser")
        else []
    )
    for owner_file in glob.glob(f"/tmp/{DIR_PREFIX}*/{OWNER_FILE}"):
        d = Path(owner_file).parent
        try:
            if d.stat().st_uid not in our_uids:
                continue
            owner = int(Path(owner_file).read_text().strip())
        except (OSError, ValueError):
            continue
        if owner == os.getpid() or _pid_alive(owner):
            continue
        _stop_datadir(bindir, d / "data", prefix)
        shutil.rmtree(d, ignore_errors=True)
