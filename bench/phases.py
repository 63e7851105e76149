"""One benchmark phase per process, so that each has its own peak RSS.

    python -m bench.phases PHASE '{"json": "arguments"}'

Prints progress as JSON lines on stdout and, last, {"result": {...}}.
bench.run starts these and reads their rusage; they can be run alone too.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import random
import resource
import sqlite3
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

now = time.perf_counter

RAW_TABLE = "raw_events"


def say(**data: Any) -> None:
    sys.stdout.write(json.dumps(data) + "\n")
    sys.stdout.flush()


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def fresh_sqlite(path: str) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        try:
            os.unlink(path + suffix)
        except FileNotFoundError:
            pass


def is_postgres(target: str) -> bool:
    return target.startswith(("postgresql://", "postgres://"))


# --- baselines: the same JSON lines, straight into a table ------------------------


def _raw_rows(name: str, stream: Any, after: int) -> list[tuple[Any, int, str, bytes]]:
    """A file's lines as rows of eventsourcing's shape, numbered on from `after` (timed with the insert)."""
    lines = Path(name).read_text(encoding="utf-8").splitlines()
    return [(stream, after + k, "event", line.encode("utf-8")) for k, line in enumerate(lines, start=1)]


def raw_sqlite(files: list[str], db: str, validate: bool = False) -> dict[str, Any]:
    """Python's sqlite3: the event files' lines as JSON rows, executemany, one transaction per file.

    The table and journal mode are the ones eventsourcing's SQLite recorder uses
    (originator_id, originator_version, topic, state; primary key; WAL). With `validate`,
    each file first goes through the ledger's loader (ledger.intake.loader.load_file: JSON, the
    event models' validation, identities), timed with the insert: what reading the events
    as the ledger must costs, before any of its own work.
    """
    if validate:
        from ledger.intake.loader import load_file  # noqa: PLC0415
    fresh_sqlite(db)
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"CREATE TABLE {RAW_TABLE} (originator_id TEXT, originator_version INTEGER, topic TEXT, "
                 "state BLOB, PRIMARY KEY (originator_id, originator_version))")
    stream = uuid.uuid4().hex
    seq = 0
    total = 0.0
    events = 0
    for k, name in enumerate(files, start=1):
        t0 = now()
        if validate:
            load_file(Path(name))
        rows = _raw_rows(name, stream, seq)
        seq += len(rows)
        conn.execute("BEGIN")
        conn.executemany(f"INSERT INTO {RAW_TABLE} VALUES (?,?,?,?)", rows)
        conn.execute("COMMIT")
        took = now() - t0
        total += took
        events += len(rows)
        say(batch=k, events=len(rows), seconds=round(took, 4))
    conn.close()
    return {"events": events, "seconds": total, "rate": events / total, "rss_mib": rss_mib(),
            "db_bytes": os.path.getsize(db)}


def raw_postgres(files: list[str], target: str) -> dict[str, Any]:
    """psycopg: the same rows into a table shaped like eventsourcing's, executemany, one transaction per file."""
    import psycopg  # noqa: PLC0415

    stream = uuid.uuid4()
    seq = 0
    total = 0.0
    events = 0
    with psycopg.connect(target, autocommit=False) as conn:
        conn.execute(f"DROP TABLE IF EXISTS {RAW_TABLE}")
        conn.execute(f"CREATE TABLE {RAW_TABLE} (originator_id uuid NOT NULL, originator_version bigint NOT NULL, "
                     "topic text, state bytea, notification_id bigserial, "
                     "PRIMARY KEY (originator_id, originator_version))")
        conn.commit()
        for k, name in enumerate(files, start=1):
            t0 = now()
            rows = _raw_rows(name, stream, seq)
            seq += len(rows)
            with conn.cursor() as cur:
                cur.executemany(f"INSERT INTO {RAW_TABLE} (originator_id, originator_version, topic, state) "
                                "VALUES (%s, %s, %s, %s)", rows)
            conn.commit()
            took = now() - t0
            total += took
            events += len(rows)
            say(batch=k, events=len(rows), seconds=round(took, 4))
    return {"events": events, "seconds": total, "rate": events / total, "rss_mib": rss_mib()}


# --- the ledger's own paths ---------------------------------------------------------


class Timer:
    """Wraps a function to add up the time spent in it (the function itself is unchanged)."""

    def __init__(self, fn: Callable[..., Any]):
        self.fn = fn
        self.seconds = 0.0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        t0 = now()
        try:
            return self.fn(*args, **kwargs)
        finally:
            self.seconds += now() - t0


def import_files(files: list[str], target: str, validate: bool = True) -> dict[str, Any]:
    """The real import path, one file per batch: ledger.intake.loader.load_file, then ledger.intake.importer.import_events.

    With validate=False the loaded events go straight to Store.append (no plan):
    the same records, used only to build a log when the real import is too slow.
    """
    import ledger.intake.importer as importer  # noqa: PLC0415
    from ledger.common.gcpause import collector_paused  # noqa: PLC0415
    from ledger.intake.loader import load_file  # noqa: PLC0415
    from ledger.log.store import Store  # noqa: PLC0415

    if not is_postgres(target):
        fresh_sqlite(target)
    plan = importer.plan = Timer(importer.plan)  # import_events looks `plan` up at call time
    append = Timer(Store.append)
    Store.append = lambda self, *a, **k: append(self, *a, **k)  # type: ignore[method-assign]
    load_seconds = 0.0
    total = 0.0
    events = 0
    added = 0
    with Store(target) as store:
        for k, name in enumerate(files, start=1):
            with collector_paused():  # as `ledger import` does
                t0 = now()
                loaded = load_file(Path(name))
                t1 = now()
                if validate:
                    result = importer.import_events(store, loaded)
                    n_added = result.total_added
                else:
                    by_issuer: dict[str, list[Any]] = {}
                    for item in loaded:
                        by_issuer.setdefault(item.event.issuer, []).append(item.event)
                    n_added = sum(len(v) for v in store.append(by_issuer).values())
                took = now() - t0
            load_seconds += t1 - t0
            total += took
            events += len(loaded)
            added += n_added
            say(batch=k, events=len(loaded), existing=events - len(loaded), seconds=round(took, 4),
                load=round(t1 - t0, 4), plan=round(plan.seconds, 4), append=round(append.seconds, 4),
                rss_mib=round(rss_mib(), 1))
            del loaded
    out = {"events": events, "added": added, "seconds": total, "rate": events / total,
           "load_seconds": load_seconds, "plan_seconds": plan.seconds, "append_seconds": append.seconds,
           "rss_mib": rss_mib()}
    if not is_postgres(target):
        out["db_bytes"] = sum(os.path.getsize(target + s) for s in ("", "-wal") if os.path.exists(target + s))
    return out


def _issuer(store: Any, issuer: str | None) -> str:
    return issuer or store.issuers()[0]


def rebuild(target: str, issuer: str | None = None) -> dict[str, Any]:
    """Every projection from the log, as a full replay does it (ledger.history.stream): the scan (read a
    page at a time, spool), the history (resolve, parse each event in fold order, fold), the rows."""
    from ledger.log.store import Store  # noqa: PLC0415
    from ledger.history.stream import SpooledLog  # noqa: PLC0415
    from projections.captable import captable_rows  # noqa: PLC0415
    from projections.fold import fold  # noqa: PLC0415
    from projections.holdings import holdings_rows  # noqa: PLC0415
    from projections.ownership import ownership_rows  # noqa: PLC0415
    from projections.voting import voting_rows  # noqa: PLC0415

    with Store(target, create=False) as store:
        issuer = _issuer(store, issuer)
        t0 = now()
        with SpooledLog(strict=True) as log:
            log.scan_all(store.iter_raw_rows(issuer))
            t1 = now()
            state = fold(log.history())
            t2 = now()
            records = log.count
        day = state.day
        rows = {
            "holdings": len(holdings_rows(state, day)),
            "captable": len(captable_rows(state, day)),
            "voting": len(voting_rows(state, day)),
            "ownership": len(ownership_rows(state, "common", day)),
        }
        t3 = now()
    return {"records": records, "applied": state.applied, "seconds": t3 - t0, "rate": records / (t3 - t0),
            "scan": t1 - t0, "history": t2 - t1, "rows": t3 - t2,
            "row_counts": rows, "last_date": day.isoformat(), "rss_mib": rss_mib()}


LOCKED = "database table is locked"


def workaround_locked_upsert() -> None:
    """ledger.history.readmodel saves a checkpoint while its SELECT cursor is open; sqlite-utils' first upsert on a
    new Database probes ON CONFLICT support with CREATE/DROP TABLE, which SQLite refuses then
    ("database table is locked"). This SQLite supports ON CONFLICT, so the probe's answer is given
    up front. Used only after the unpatched call failed, and reported."""
    import sqlite_utils  # noqa: PLC0415

    sqlite_utils.Database.supports_on_conflict = property(lambda self: True)  # type: ignore[method-assign]


def _guarded(fn: Callable[[], Any], out: dict[str, Any]) -> Any:
    """Run fn; on the read model's lock error, note it, apply the workaround and run it again."""
    import sqlite3 as _sqlite3  # noqa: PLC0415

    try:
        return fn()
    except _sqlite3.OperationalError as exc:
        if LOCKED not in str(exc) or "error" in out:
            raise
        out["error"] = f"{exc.__class__.__name__}: {exc} (ledger/history/readmodel.py state_at); " \
                       "measured again with a workaround"
        say(error=out["error"])
        workaround_locked_upsert()
        return fn()


def query(target: str, first: str, last: str, n_dates: int = 200, seed: int = 2024, budget: float = 60.0,
          min_samples: int = 3, replays: int = 3, issuer: str | None = None,
          floor_dates: int = 25) -> dict[str, Any]:
    """As-of latency as the library answers (ledger.api.Ledger: holdings, the cap table, voting and
    ownership, from the validity intervals), next to a full replay.

    Two passes over the same dates: `cold` is the first (the read model is built by the first
    query, checkpoints are saved along the way by the queries themselves), `warm` the second,
    over the dates the first reached within its budget.
    The first `floor_dates` holdings answers of the second pass are also read back from a
    table, as rows and as JSON (AnswerFloor). `party` asks one party's holdings, the parties
    of the holdings answers each in turn.
    """
    from ledger.api import Ledger  # noqa: PLC0415
    from ledger.history.queries import Query  # noqa: PLC0415
    from ledger.outputs.render import to_json  # noqa: PLC0415
    from ledger.log.store import Store, utcnow  # noqa: PLC0415
    from ledger.history.stream import replay  # noqa: PLC0415

    start, end = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
    rng = random.Random(seed)
    dates = [start + dt.timedelta(days=rng.randint(0, (end - start).days)) for _ in range(n_dates)]
    out: dict[str, Any] = {"dates": n_dates}
    with Store(target, create=False) as store:
        issuer = _issuer(store, issuer)
        known = utcnow()
        # One Ledger for the phase, as a library user asking many questions keeps one: on a
        # server it opens one connection, not one per question.
        book = Ledger(target)
        kinds = {
            "holdings": lambda q: book.holdings(as_of=q.as_of, known_at=q.known_at, issuer=q.issuer).rows,
            "captable": lambda q: book.captable(as_of=q.as_of, known_at=q.known_at, issuer=q.issuer).rows,
            "voting": lambda q: book.voting(as_of=q.as_of, known_at=q.known_at, issuer=q.issuer).rows,
            "ownership": lambda q: book.ownership(as_of=q.as_of, known_at=q.known_at, issuer=q.issuer,
                                                  security="common").rows,
            # One party's holdings: parties of the holdings answers, taken in turn.
            "party": lambda q: book.holdings(as_of=q.as_of, known_at=q.known_at, issuer=q.issuer,
                                             party=parties[next(turn) % len(parties)]).rows,
        }
        parties: list[str] = []
        turn = itertools.count()

        floor = AnswerFloor(floor_dates)

        def one(kind: str, d: dt.date, keep: bool = False) -> float:
            t0 = now()
            rows = _guarded(lambda: kinds[kind](Query(issuer, d, known)), out)
            took = now() - t0
            if keep:
                floor.keep(d, rows)
            if kind == "holdings" and not parties:
                parties.extend(sorted({r["party"] for r in rows}))
            return took

        out["first_ms"] = one("holdings", dates[0]) * 1e3
        say(kind="first", ms=out["first_ms"])
        # The second pass asks again exactly the dates the first one reached within its budget.
        asked = {kind: dates for kind in kinds}
        for phase in ("cold", "warm"):
            for kind in kinds:
                if kind == "party" and not parties:
                    continue  # no holdings answer had anyone in it
                times: list[float] = []
                began = now()
                for d in asked[kind]:
                    times.append(one(kind, d, keep=phase == "warm" and kind == "holdings"))
                    if phase == "cold" and now() - began > budget and len(times) >= min_samples:
                        break
                asked[kind] = asked[kind][:len(times)]
                out[f"{kind}_{phase}"] = _latency(times)
                say(kind=f"{kind}_{phase}", **out[f"{kind}_{phase}"])
        if floor.count:
            def printed(d: dt.date) -> None:
                """The JSON the command prints, as it prints it."""
                held = book.holdings(as_of=d, known_at=known, issuer=issuer)
                to_json(held.header(), held.found)

            out["floor"] = floor.measure(lambda d: kinds["holdings"](Query(issuer, d, known)), printed)
            say(kind="floor", **out["floor"])
        times = []
        began = now()
        for _ in range(replays):
            t0 = now()
            state = replay(store.iter_raw_rows(issuer))
            times.append(now() - t0)
            if now() - began > budget:
                break
        out["replay"] = _latency(times)
        out["replay_events"] = state.applied
        say(kind="replay", **out["replay"])
        book.close()
    out["rss_mib"] = rss_mib()
    if not is_postgres(target):
        out["db_bytes"] = sum(os.path.getsize(target + s) for s in ("", "-wal") if os.path.exists(target + s))
    return out


class AnswerFloor:
    """The least a holdings answer can cost in Python: its rows, already computed and stored
    in an indexed SQLite table, selected in order into one dict per row, as the projection
    returns them; and as JSON, built by SQLite from the same table. Timed beside the ledger
    answering the same dates, in turn, date by date (the machine's speed drifts between one
    pass and the next): no design that hands the caller Python rows can go below this.
    Answers go to the table as they come, not kept in memory, where they would weigh on the
    query phase's peak RSS."""

    def __init__(self, limit: int):
        import tempfile  # noqa: PLC0415

        self.limit = limit
        self.count = 0
        self.dates: list[dt.date] = []
        self.sizes: list[int] = []
        self.folder = tempfile.TemporaryDirectory()
        self.conn = sqlite3.connect(str(Path(self.folder.name) / "answers.db"))
        self.conn.execute("create table answers (answer integer, party text, security text, kind text, "
                          "quantity integer)")

    def keep(self, day: dt.date, rows: Sequence[dict[str, Any]]) -> None:
        """An answer's date and rows."""
        if self.count >= self.limit:
            return
        with self.conn:
            self.conn.executemany("insert into answers values (?, ?, ?, ?, ?)",
                                  [(self.count, r["party"], r["security"], r["kind"], r["quantity"]) for r in rows])
        self.dates.append(day)
        self.sizes.append(len(rows))
        self.count += 1

    def measure(self, rows: Callable[[dt.date], Any], printed: Callable[[dt.date], Any]) -> dict[str, Any]:
        """For each answer kept, in turn: the ledger's rows (`rows(day)`), the floor's, the
        ledger's JSON (`printed(day)`), SQLite's."""
        self.conn.execute("create index answers_order on answers (answer, party, security)")
        times: dict[str, list[float]] = {"ledger": [], "floor": [], "ledger_json": [], "json": []}
        for k, day in enumerate(self.dates):
            t0 = now()
            rows(day)
            times["ledger"].append(now() - t0)
            t0 = now()
            cursor = self.conn.execute("select party, security, kind, quantity from answers where answer=? "
                                       "order by party, security", [k])
            [{"party": p, "security": s, "kind": kind, "quantity": q} for p, s, kind, q in cursor]
            times["floor"].append(now() - t0)
            t0 = now()
            printed(day)
            times["ledger_json"].append(now() - t0)
            t0 = now()
            self.conn.execute("select json_group_array(json_object('party', party, 'security', security, 'kind', "
                              "kind, 'quantity', quantity)) from (select * from answers where answer=? "
                              "order by party, security)", [k]).fetchone()
            times["json"].append(now() - t0)
        self.conn.close()
        self.folder.cleanup()
        p50 = {k: statistics.median(v) * 1e3 for k, v in times.items()}
        return {"n": self.count, "rows_p50": statistics.median(self.sizes), "rows_max": max(self.sizes),
                "p50_ms": p50["floor"], "ledger_p50_ms": p50["ledger"],
                "json_p50_ms": p50["json"], "ledger_json_p50_ms": p50["ledger_json"]}


def _latency(times: list[float]) -> dict[str, Any]:
    times = sorted(times)
    if len(times) >= 2:
        p95 = statistics.quantiles(times, n=20, method="inclusive")[18]
    else:
        p95 = times[0]
    return {"n": len(times), "p50_ms": statistics.median(times) * 1e3, "p95_ms": p95 * 1e3,
            "min_ms": times[0] * 1e3, "max_ms": times[-1] * 1e3}


def verify(target: str) -> dict[str, Any]:
    """ledger.checks.integrity.verify_store; each checkpoint date it compares is reported, so a run cut
    short can be extrapolated."""
    import ledger.checks.integrity as integrity  # noqa: PLC0415
    from ledger.log.store import Store  # noqa: PLC0415

    from ledger.history.checkpoints import cache_file  # noqa: PLC0415

    checkpoints = 0
    cache = cache_file(target, "checkpoints")
    if cache.exists():  # this machine's checkpoints of the ledger, the ones verify compares
        with sqlite3.connect(cache) as conn:
            checkpoints = conn.execute("select count(*) from checkpoints").fetchone()[0]
    say(checkpoints=checkpoints)
    inner = integrity.ReadModelCheck._compare
    compared = [0]
    began = now()

    def counted(self: Any, *args: Any, **kwargs: Any) -> Any:
        out = inner(self, *args, **kwargs)
        compared[0] += 1
        say(compared=compared[0], seconds=round(now() - began, 3))
        return out

    integrity.ReadModelCheck._compare = counted  # type: ignore[method-assign]
    out: dict[str, Any] = {"checkpoints_before": checkpoints}
    with Store(target, create=False) as store:
        t0 = now()
        report = _guarded(lambda: integrity.verify_store(store), out)
        took = now() - t0
        records = sum((store.last(i) or {}).get("sequence", 0) for i in store.issuers())
    out.update({"records": records, "seconds": took, "rate": records / took, "ok": report.ok,
                "dates_compared": compared[0], "problems": report.problems[:3], "rss_mib": rss_mib()})
    return out


def synth(n: int, out: str, seed: int = 7, batch: int = 50_000, corrections: bool = True) -> dict[str, Any]:
    from bench.synth import write_files  # noqa: PLC0415

    manifest = write_files(n, Path(out), seed=seed, batch=batch, corrections=corrections)
    manifest["rss_mib"] = rss_mib()
    manifest["rate"] = n / manifest["seconds"] if manifest["seconds"] else None
    return manifest


PHASES: dict[str, Callable[..., dict[str, Any]]] = {
    "synth": synth,
    "raw_sqlite": raw_sqlite,
    "raw_postgres": raw_postgres,
    "import": import_files,
    "rebuild": rebuild,
    "query": query,
    "verify": verify,
}


def limit_memory() -> None:
    """Cap the address space (BENCH_MEM_LIMIT_MIB, default 8192) so a runaway phase fails alone."""
    mib = int(os.environ.get("BENCH_MEM_LIMIT_MIB", "8192"))
    if mib > 0:
        resource.setrlimit(resource.RLIMIT_AS, (mib * 1024 * 1024, resource.RLIM_INFINITY))


def main(argv: list[str]) -> int:
    phase, args = argv[0], json.loads(argv[1]) if len(argv) > 1 else {}
    limit_memory()
    result = PHASES[phase](**args)
    say(result=result)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
