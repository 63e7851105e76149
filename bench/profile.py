"""Where the time goes: pyinstrument over import, rebuild, as-of queries and verify.

    pip install pyinstrument          # or: pip install -e '.[bench]'
    python -m bench.profile --size 100000

Writes WORKDIR/profile-<phase>.txt (pyinstrument's call tree) and prints, per
phase, the functions with the most time of their own and the calls that
contain the most time. A phase running past --limit seconds is interrupted
and profiled up to there.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import signal
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from bench.phases import fresh_sqlite
from bench.synth import write_files


class Interrupted(Exception):
    pass


def _alarm(signum: int, frame: Any) -> None:
    raise Interrupted


def profiled(name: str, fn: Any, out: Path, limit: int) -> Any:
    from pyinstrument import Profiler  # noqa: PLC0415

    profiler = Profiler(interval=0.002)
    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(limit)
    t0 = time.perf_counter()
    interrupted = False
    result = None
    profiler.start()
    try:
        result = fn()
    except Interrupted:
        interrupted = True
    finally:
        signal.alarm(0)
        profiler.stop()
    took = time.perf_counter() - t0
    text = profiler.output_text(unicode=False, color=False, show_all=False)
    (out / f"profile-{name}.txt").write_text(text)
    print(f"\n## {name}: {took:.1f}s{' (interrupted at the limit)' if interrupted else ''}")
    summary(profiler.last_session.root_frame(), took)
    return result


CHECKOUT = str(Path(__file__).resolve().parent.parent) + "/"


def summary(root: Any, total: float, top: int = 14) -> None:
    own: dict[str, float] = defaultdict(float)
    inclusive: dict[str, float] = defaultdict(float)

    def key(f: Any) -> str:
        path = (f.file_path_short or "").replace(CHECKOUT, "")
        return f"{f.function} ({path}:{f.line_no})"

    def walk(f: Any, stack: frozenset[str]) -> None:
        k = key(f)
        own[k] += f.total_self_time
        if k not in stack:  # count recursion once
            inclusive[k] += f.time
        for c in f.children:
            walk(c, stack | {k})

    if root is None:
        print("  (no samples)")
        return
    walk(root, frozenset())
    print("  self time:")
    for k, v in sorted(own.items(), key=lambda kv: -kv[1])[:top]:
        print(f"    {v:7.2f}s {100 * v / total:5.1f}%  {k}")
    print("  inclusive (project code):")
    mine = [(k, v) for k, v in inclusive.items()
            if any(p in k for p in ("ledger/", "projections/", "events/")) and "bench/" not in k]
    for k, v in sorted(mine, key=lambda kv: -kv[1])[:top]:
        print(f"    {v:7.2f}s {100 * v / total:5.1f}%  {k}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.profile")
    p.add_argument("--size", type=int, default=100_000)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--batch", type=int, default=50_000)
    p.add_argument("--queries", type=int, default=20, help="random as-of dates per kind, after the first query")
    p.add_argument("--limit", type=int, default=300, help="seconds per phase before it is interrupted")
    p.add_argument("--workdir", type=Path, default=Path("/tmp/ledger-bench"))
    p.add_argument("--phases", default="import,rebuild,query,verify")
    p.add_argument("--no-corrections", dest="corrections", action="store_false",
                   help="files without retractions and corrections (the import's incremental path)")
    a = p.parse_args(argv)
    try:
        import pyinstrument  # noqa: F401, PLC0415
    except ImportError:
        p.error("pyinstrument is not installed: pip install pyinstrument (or pip install -e '.[bench]')")

    from ledger.intake.importer import import_events  # noqa: PLC0415
    from ledger.checks.integrity import verify_store  # noqa: PLC0415
    from ledger.intake.loader import load_file  # noqa: PLC0415
    from ledger.history.queries import Query, state_at  # noqa: PLC0415
    from ledger.log.store import Store, utcnow  # noqa: PLC0415
    from ledger.history.stream import replay  # noqa: PLC0415
    from projections.captable import captable_rows  # noqa: PLC0415
    from projections.holdings import holdings_rows  # noqa: PLC0415
    from projections.ownership import ownership_rows  # noqa: PLC0415
    from projections.voting import voting_rows  # noqa: PLC0415

    work = a.workdir
    work.mkdir(parents=True, exist_ok=True)
    folder = work / (f"synth-{a.size}" + ("" if a.corrections else "-plain"))
    m = write_files(a.size, folder, seed=a.seed, batch=a.batch, corrections=a.corrections)
    files = [folder / f for f in m["files"]]
    db = str(work / f"profile-{a.size}.db")
    phases = a.phases.split(",")
    print(f"# profile at {a.size:,} events ({len(files)} files); call trees in {work}/profile-*.txt")

    def do_import() -> None:
        fresh_sqlite(db)
        with Store(db) as store:
            for f in files:
                import_events(store, load_file(f))

    def do_rebuild() -> None:
        with Store(db, create=False) as store:
            issuer = store.issuers()[0]
            state = replay(store.iter_raw_rows(issuer))
            day = state.day
            holdings_rows(state, day), captable_rows(state, day), voting_rows(state, day)
            ownership_rows(state, "common", day)

    start, end = dt.date.fromisoformat(m["first_date"]), dt.date.fromisoformat(m["last_date"])
    rng = random.Random(2024)
    dates = [start + dt.timedelta(days=rng.randint(0, (end - start).days)) for _ in range(a.queries)]

    def first_query() -> None:
        with Store(db, create=False) as store:
            issuer = store.issuers()[0]
            holdings_rows(state_at(store, Query(issuer, dates[0], utcnow())), dates[0])

    def queries() -> None:
        with Store(db, create=False) as store:
            issuer = store.issuers()[0]
            known = utcnow()
            for d in dates:
                holdings_rows(state_at(store, Query(issuer, d, known)), d)
                ownership_rows(state_at(store, Query(issuer, d, known)), "common", d)

    def do_verify() -> Any:
        with Store(db, create=False) as store:
            return verify_store(store)

    if "import" in phases:
        profiled("import", do_import, work, a.limit)
    elif not Path(db).exists():
        fresh_sqlite(db)
        with Store(db) as store:
            for f in files:
                loaded = load_file(f)
                store.append({loaded[0].event.issuer: [i.event for i in loaded]})
    if "rebuild" in phases:
        profiled("rebuild", do_rebuild, work, a.limit)
    if "query" in phases:
        profiled("query-first", first_query, work, a.limit)
        profiled("query", queries, work, a.limit)
    if "verify" in phases:
        report = profiled("verify", do_verify, work, a.limit)
        if report is not None:
            print(f"  verify ok={report.ok} {json.dumps(report.problems[:2])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
