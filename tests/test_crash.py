"""A writer killed with SIGKILL in the middle of a large batch leaves the store exactly as before.

The writer is the real CLI in its own process, importing 20,000 events. A thin
harness around the library's recorder marks the moment the batch is inside the
database transaction:

- "inside": on SQLite after a random number of the batch's rows were inserted,
  on PostgreSQL after the INSERT ran (rows written, not yet committed); the
  writer then stops there and is killed;
- "anytime": the writer runs on and is killed a random moment after it began
  inserting, possibly while committing.

Afterwards the log must be byte-for-byte what it was (or, for an "anytime" kill
that came after the commit, the whole batch); never part of it. Then the same
import, retried, succeeds and verify passes.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path


from tests.conftest import DATA, ROOT
from tests.test_concurrency import batch_file, check_export, child_env, report

EVENTS = 20_000
TRIALS = ("inside", "inside", "anytime")

HARNESS = r"""
import os, sys, time
from pathlib import Path

marker, mode, at = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])

def mark(text):
    tmp = marker.with_suffix(".tmp")
    tmp.write_text(text)
    tmp.replace(marker)

def stop_here(what):
    mark(what)
    if mode == "inside":
        time.sleep(600)  # killed here, inside the open transaction

from eventsourcing import postgres, sqlite

class Counting:
    def __init__(self, cursor):
        self.cursor, self.n = cursor, 0
    def execute(self, *args, **kwargs):
        self.cursor.execute(*args, **kwargs)
        self.n += 1
        if self.n == at:
            stop_here(f"inside: {self.n} rows inserted")
    def __getattr__(self, name):
        return getattr(self.cursor, name)

real_sqlite = sqlite.SQLiteApplicationRecorder._insert_events
def sqlite_insert(self, c, stored_events, **kw):
    if len(stored_events) < 1000:
        return real_sqlite(self, c, stored_events, **kw)
    mark("inserting")
    return real_sqlite(self, Counting(c), stored_events, **kw)
sqlite.SQLiteApplicationRecorder._insert_events = sqlite_insert

real_pg_insert = postgres.PostgresApplicationRecorder._insert_stored_events
def pg_insert(self, curs, stored_events, **kw):
    if len(stored_events) < 1000:
        return real_pg_insert(self, curs, stored_events, **kw)
    mark("inserting")
    result = real_pg_insert(self, curs, stored_events, **kw)
    stop_here(f"inside: INSERT of {len(stored_events)} rows done, not committed")
    return result
postgres.PostgresApplicationRecorder._insert_stored_events = pg_insert

from ledger.cli.main import main
sys.argv = ["ledger", *sys.argv[4:]]
main()
"""


def snapshot(ledger) -> str:
    r = ledger("export", "jsonl", "--out", "-")
    assert r.code == 0, r.err
    return r.out


def kill_while_writing(ledger, big: Path, marker: Path, mode: str, rng: random.Random, env: dict) -> str:
    """Run the import until it is inside the batch, SIGKILL it; return what the marker said."""
    marker.unlink(missing_ok=True)
    at = rng.randint(1, EVENTS - 1)
    proc = subprocess.Popen([sys.executable, "-c", HARNESS, str(marker), mode, str(at),
                             "--db", str(ledger.db), "import", str(big)],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    try:
        while True:
            text = marker.read_text() if marker.exists() else ""
            if (mode == "inside" and text.startswith("inside")) or (mode == "anytime" and text):
                break
            assert proc.poll() is None or mode == "anytime", proc.communicate()[1].decode()[-2000:]
            if proc.poll() is not None:
                break  # finished before we could kill it: the outcome must be the whole batch
            assert time.monotonic() < deadline, "the writer never reached the batch"
            time.sleep(0.002)
        if mode == "anytime":
            time.sleep(rng.uniform(0, 0.15))
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
    return (marker.read_text() if marker.exists() else "") + f" (exit {proc.returncode})"


def test_sigkill_mid_batch_leaves_the_store_as_before(ledger, tmp_path, capsys):
    assert ledger("import", DATA / "acme" / "01-formation.yaml").code == 0
    assert ledger("import", DATA / "acme" / "02-2020.yaml").code == 0
    before = snapshot(ledger)
    count = ledger.count()
    big = batch_file(tmp_path, 0, 0, size=EVENTS)
    env = child_env(tmp_path)
    rng = random.Random(20_000)
    marker = tmp_path / "marker"

    rolled_back = committed = 0
    notes = []
    for mode in TRIALS:
        note = kill_while_writing(ledger, big, marker, mode, rng, env)
        notes.append(note)
        after = snapshot(ledger)
        if after == before:
            rolled_back += 1
            assert ledger.count() == count
        else:
            # Only an "anytime" kill may come after the commit, and then the batch is whole.
            assert mode == "anytime", note
            assert ledger.count() == count + EVENTS, note
            assert not check_export(after.splitlines(), batch_size=EVENTS)
            committed += 1
            break  # the batch is in; nothing left to interrupt
        assert ledger("verify").code == 0, note

    if not committed:
        r = ledger("import", big)  # the same batch again, after the crashes
        assert r.code == 0 and f"imported {EVENTS} events" in r.out, r.err
    assert ledger.count() == count + EVENTS
    v = ledger("verify")
    assert v.code == 0, v.err
    assert not check_export(snapshot(ledger).splitlines(), batch_size=EVENTS)
    inside = TRIALS[:len(notes)].count("inside")
    report(capsys, f"crash[{ledger.engine}]: {len(notes)} SIGKILL trials of a {EVENTS}-event import "
                   f"({inside} inside the open transaction), {rolled_back} left the store exactly as before, "
                   f"{committed} killed after the commit (whole batch), 0 partial; retry imported, verify passes. "
                   + "; ".join(notes))
