"""Several OS processes import different batches into one issuer at once, on both engines.

Every batch lands exactly once, or is refused with one line `conflict: ... retry` (exit 2)
and lands when retried; the hash chain never forks (sequences 1..n, each record
naming its predecessor's hash); no event is lost; and a reader process running
`verify`, `export jsonl` and `holdings` in a loop meanwhile only ever sees whole
batches on an intact chain.

The workers are real processes (`python -c ...` running this module's `worker`),
each calling the real CLI in-process in a loop; they start together on a
file-system barrier. Figures are printed at the end of each run.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
import traceback
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import DATA, ROOT, Ledger

WRITERS = 4
BATCHES = 4  # per writer
EVENTS = 40  # per batch
MAX_ATTEMPTS = 60
ISSUER = "acme"


# --- event files ----------------------------------------------------------------


def batch_file(folder: Path, writer: int, batch: int, size: int = EVENTS, issuer: str = ISSUER) -> Path:
    """`size` issuances of common stock to alice and bob: valid in any order, each with its own id."""
    doc = f"batch-w{writer}-b{batch}"
    events = [{"type": "SharesIssued", "effective_date": f"2021-{1 + i % 12:02d}-{1 + i % 28:02d}",
               "security": "common", "holder": "alice" if i % 2 else "bob",
               "quantity": 1 + writer * 100_000 + batch * 1_000 + i,
               "source": {"locator": f"{doc} line {i}", "quote": f"issued under {doc}"}}
              for i in range(size)]
    path = folder / f"{doc}.json"
    path.write_text(json.dumps({"document": {"id": doc, "issuer": issuer}, "events": events}))
    return path


# --- the processes --------------------------------------------------------------


def _invoke(target: str, *args: str):
    from click.testing import CliRunner  # noqa: PLC0415

    from ledger.cli.main import cli  # noqa: PLC0415

    r = CliRunner().invoke(cli, ["--db", target, *args], catch_exceptions=True)
    if r.exception is not None and not isinstance(r.exception, SystemExit):
        tb = "".join(traceback.format_exception(r.exception))
        return 99, r.stdout, r.stderr + "\nTraceback (in worker):\n" + tb
    return r.exit_code, r.stdout, r.stderr


def _wait_for(barrier: Path) -> None:
    deadline = time.monotonic() + 120
    while not barrier.exists():
        if time.monotonic() > deadline:
            raise SystemExit("barrier never opened")
        time.sleep(0.005)


def worker(target: str, barrier: str, files: list[str]) -> dict:
    """Import each file, retrying on conflict; report what happened."""
    rng = random.Random(os.getpid())
    _wait_for(Path(barrier))
    out = {"landed": [], "attempts": 0, "conflicts": 0, "failures": []}
    for file in files:
        for _ in range(MAX_ATTEMPTS):
            out["attempts"] += 1
            code, stdout, stderr = _invoke(target, "import", file)
            if code == 0:
                out["landed"].append(file)
                break
            lines = stderr.strip().splitlines()
            if code == 2 and len(lines) == 1 and lines[0].startswith("conflict: ") and "retry" in lines[0]:
                out["conflicts"] += 1
                time.sleep(rng.uniform(0, 0.05))
                continue
            out["failures"].append({"file": file, "code": code, "stderr": stderr})
            break
        else:
            out["failures"].append({"file": file, "code": None, "stderr": "still conflicting after retries"})
    return out


def check_export(lines: list[str], batch_size: int | None = EVENTS) -> list[str]:
    """Problems in an exported log: forks, gaps, broken links, partial batches."""
    from ledger.log.chain import GENESIS, record_hash  # noqa: PLC0415

    problems = []
    records = [json.loads(line) for line in lines if line.strip()]
    by_issuer: dict[str, list[dict]] = {}
    for r in records:
        by_issuer.setdefault(r["event"]["issuer"], []).append(r)
    for issuer, rs in by_issuer.items():
        seqs = [r["sequence"] for r in rs]
        if seqs != list(range(1, len(rs) + 1)):
            problems.append(f"{issuer}: sequences not 1..{len(rs)}")
        prev = GENESIS
        for r in rs:
            if r["prev_hash"] != prev or record_hash(r) != r["hash"]:
                problems.append(f"{issuer}: chain broken at {r['sequence']}")
                break
            prev = r["hash"]
        ids = Counter(r["event_id"] for r in rs)
        dupes = [i for i, n in ids.items() if n > 1]
        if dupes:
            problems.append(f"{issuer}: {len(dupes)} events recorded twice")
        if batch_size:
            docs = Counter(r["event"]["source"]["document"] for r in rs
                           if r["event"]["source"]["document"].startswith("batch-"))
            partial = {d: n for d, n in docs.items() if n != batch_size}
            if partial:
                problems.append(f"{issuer}: partial batches visible: {partial}")
    return problems


def reader(target: str, barrier: str, stop: str) -> dict:
    """verify / export jsonl / holdings in a loop until told to stop; every answer must be whole."""
    _wait_for(Path(barrier))
    out = {"reads": 0, "failures": []}
    while not Path(stop).exists():
        for args in (("verify",), ("export", "jsonl", "--out", "-"), ("holdings", "--format", "json")):
            code, stdout, stderr = _invoke(target, *args)
            out["reads"] += 1
            if code != 0:
                out["failures"].append({"args": args, "code": code, "stderr": stderr})
            elif args[0] == "export":
                problems = check_export(stdout.splitlines())
                if problems:
                    out["failures"].append({"args": args, "problems": problems})
            elif args[0] == "holdings":
                json.loads(stdout)
        if len(out["failures"]) > 5:
            break
    return out


def main() -> None:  # python -c "from tests.test_concurrency import main; main()" ROLE JSON
    role, args = sys.argv[1], json.loads(sys.argv[2])
    result = {"writer": worker, "reader": reader}[role](**args)
    print(json.dumps(result))


def spawn(role: str, env: dict[str, str], **args) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", "from tests.test_concurrency import main; main()", role, json.dumps(args)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def collect(proc: subprocess.Popen, timeout: float = 240) -> dict:
    stdout, stderr = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, stderr[-3000:]
    return json.loads(stdout.strip().splitlines()[-1])


def child_env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env["LEDGER_CACHE"] = str(tmp_path / "ledger-cache")
    env.pop("LEDGER_DB", None)
    return env


def report(capsys, line: str) -> None:
    with capsys.disabled():
        print(f"\n  {line}")


# --- the tests ------------------------------------------------------------------


def test_writers_race_readers_watch(ledger, tmp_path, capsys):
    assert ledger("import", DATA / "acme" / "01-formation.yaml").code == 0
    base = ledger.count()
    plans = [[str(batch_file(tmp_path, w, b)) for b in range(BATCHES)] for w in range(WRITERS)]
    barrier, stop = tmp_path / "go", tmp_path / "stop"
    env = child_env(tmp_path)
    target = str(ledger.db)

    readers = [spawn("reader", env, target=target, barrier=str(barrier), stop=str(stop))]
    writers = [spawn("writer", env, target=target, barrier=str(barrier), files=files) for files in plans]
    time.sleep(0.5)  # let the interpreters start; they wait on the barrier
    t0 = time.monotonic()
    barrier.touch()
    try:
        results = [collect(p) for p in writers]
    finally:
        stop.touch()
    seconds = time.monotonic() - t0
    reads = [collect(p) for p in readers]

    failures = [f for r in results for f in r["failures"]]
    assert not failures, failures
    assert sorted(f for r in results for f in r["landed"]) == sorted(f for files in plans for f in files)

    # Nothing lost, nothing twice, no fork.
    expected = base + WRITERS * BATCHES * EVENTS
    lost = expected - ledger.count()
    r = ledger("export", "jsonl", "--out", "-")
    assert r.code == 0, r.err
    problems = check_export(r.out.splitlines())
    records = [json.loads(line) for line in r.out.splitlines()]
    forks = sum("chain broken" in p or "sequences" in p for p in problems)
    v = ledger("verify")
    assert v.code == 0, v.err

    read_failures = [f for rd in reads for f in rd["failures"]]
    attempts = sum(r["attempts"] for r in results)
    conflicts = sum(r["conflicts"] for r in results)
    report(capsys, f"concurrency[{ledger.engine}]: {WRITERS} processes x {BATCHES} batches of {EVENTS} events, "
                   f"{attempts} attempts, {conflicts} conflicts retried, {lost} events lost, {forks} chain forks, "
                   f"{sum(rd['reads'] for rd in reads)} concurrent reads ({len(read_failures)} bad), "
                   f"{seconds:.1f}s")
    assert lost == 0 and not problems and forks == 0
    assert len(records) == 14 + WRITERS * BATCHES * EVENTS
    assert not read_failures, read_failures[:3]
    assert conflicts > 0 or attempts == WRITERS * BATCHES  # retries only ever follow conflicts


def test_new_issuers_race(ledger, tmp_path, capsys):
    """First imports of different issuers at once into an empty store: the registry never forks either."""
    issuers = [f"co-{i}" for i in range(4)]
    env = child_env(tmp_path)
    barrier = tmp_path / "go"
    plans = []
    for i, issuer in enumerate(issuers):
        path = tmp_path / f"{issuer}.json"
        path.write_text(json.dumps({"document": {"id": f"{issuer}-formation", "issuer": issuer}, "events": [
            {"type": "PartyRegistered", "effective_date": "2020-01-01", "party": "alice", "name": "Alice",
             "kind": "individual", "source": {"locator": "p. 1"}},
            {"type": "PartyRegistered", "effective_date": "2020-01-01", "party": "bob", "name": "Bob",
             "kind": "individual", "source": {"locator": "p. 1"}},
            {"type": "SecurityClassCreated", "effective_date": "2020-01-01", "security": "common",
             "name": "Common", "kind": "common", "source": {"locator": "p. 1"}}]}))
        plans.append([str(path), str(batch_file(tmp_path, i, 0, size=10, issuer=issuer))])
    writers = [spawn("writer", env, target=str(ledger.db), barrier=str(barrier), files=files) for files in plans]
    time.sleep(0.3)
    barrier.touch()
    results = [collect(p) for p in writers]
    assert not [f for r in results for f in r["failures"]]
    v = ledger("verify")
    assert v.code == 0, v.err
    for issuer in issuers:
        assert f"{issuer}: 13 records, chain intact" in v.out, v.out
    conflicts = sum(r["conflicts"] for r in results)
    report(capsys, f"new issuers[{ledger.engine}]: 4 processes x 2 batches into an empty store, "
                   f"{sum(r['attempts'] for r in results)} attempts, {conflicts} conflicts retried, verify passes")


def test_the_real_command_reports_a_conflict_in_one_line(ledger, tmp_path):
    """`python -m ledger import`, several at once: exit 0, or exit 2 with `conflict: ... retry`; retried, all land."""
    assert ledger("import", DATA / "acme" / "01-formation.yaml").code == 0
    files = [batch_file(tmp_path, w, 0, size=200) for w in range(3)]
    env = child_env(tmp_path)
    pending = list(files)
    rounds = conflicts = 0
    while pending and rounds < 20:
        rounds += 1
        procs = [(f, subprocess.Popen([sys.executable, "-m", "ledger", "--db", str(ledger.db), "import", str(f)],
                                      cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      text=True)) for f in pending]
        pending = []
        for f, p in procs:
            out, err = p.communicate(timeout=120)
            assert "Traceback" not in err, err
            if p.returncode == 0:
                continue
            assert p.returncode == 2 and err.startswith("conflict: ") and "retry" in err, err
            assert len(err.strip().splitlines()) == 1, err
            conflicts += 1
            pending.append(f)
    assert not pending
    assert ledger.count() == 15 + 600
    assert ledger("verify").code == 0


def test_a_locked_sqlite_file_is_a_clean_conflict(tmp_path, monkeypatch):
    """Another process holds SQLite's write lock past the timeout: `conflict: ... retry`, exit 2, then it lands."""
    import sqlite3  # noqa: PLC0415

    from ledger.log import store  # noqa: PLC0415

    monkeypatch.setenv("LEDGER_CACHE", str(tmp_path / "cache"))
    ledger = Ledger(tmp_path / "ledger.db")
    assert ledger("import", DATA / "acme" / "01-formation.yaml").code == 0
    monkeypatch.setattr(store, "SQLITE_LOCK_TIMEOUT", 1)
    batch = batch_file(tmp_path, 0, 0, size=5)
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sqlite3, sys, time\n"
        "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "c.execute('BEGIN IMMEDIATE')\n"
        "print('locked', flush=True)\n"
        "time.sleep(60)\n"), str(ledger.db)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        r = ledger("import", batch)
        assert r.code == 2, (r.out, r.err)
        lines = r.err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("conflict: ") and "locked" in lines[0] and "retry" in lines[0]
        assert ledger.count() == 15
    finally:
        holder.kill()
        holder.wait()
    r = ledger("import", batch)
    assert r.code == 0 and "imported 5 events" in r.out, r.err
    with sqlite3.connect(ledger.db) as c:
        assert c.execute("pragma integrity_check").fetchone() == ("ok",)
