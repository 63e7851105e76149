"""Benchmarks: import, rebuild, time travel and verify at 10^4..10^6 events, against raw SQLite and a full replay.

    python -m bench.run                                   # 10^4, 10^5, 10^6 (+ PostgreSQL at 10^5)
    python -m bench.run --quick                           # smoke run: 10^4 only, short budgets (< 1 min)
    python -m bench.run --sizes 10000,100000 --pg-size 0  # pick sizes; no PostgreSQL

Each phase runs in its own process (python -m bench.phases), so its peak RSS is
its own (ru_maxrss from wait4). Files and databases go to --workdir (default
/tmp/ledger-bench); the synthetic files are reused across runs, the databases
are removed after each size unless --keep. A phase that runs past --timeout is
stopped and its total extrapolated from the batches it finished (marked ~).
The figures are also written to WORKDIR/results.json.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import selectors
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MIB = 1024 * 1024
TARGETS = {
    # The history layer's (issue 16), restated on measured bounds; the rest it names are
    # listed under NOT_MEASURED below, with where they are measured.
    "rows_floor_ratio": 1.2,  # holdings as Python rows p50 <= 1.2x the same rows read from an indexed table
    "json_floor_ratio": 1.5,  # holdings as JSON p50 <= 1.5x SQLite building the same JSON from a table
    "party_ms": 1.0,  # one party's holdings p50 <= 1 ms
    "ownership_ms": 40.0,  # ownership as-of p50 <= 40 ms
    "flat_ratio": 1.2,  # import flat in N: the last batch of 50,000 <= 1.2x the first
    "replay_ratio": 100.0,  # as-of >= 100x faster than a full replay
    "rss_mib": 1024.0,  # peak RSS <= 1 GiB
    "help_ms": 300.0,  # `ledger --help` < 300 ms
}
NOT_MEASURED = (
    "import >= 1.5x and verify >= 2x the commit the history layer started from (8dbfbe6): two commits, "
    "measured back to back from worktrees (docs/benchmarks.md)",
    "the whole CLI process <= 60 ms (holdings at 10^6, a query on SAVVIS): whole commands timed against "
    "each other (docs/benchmarks.md)",
)


# --- running one phase ---------------------------------------------------------------


def run_phase(phase: str, args: dict[str, Any], *, env: dict[str, str], timeout: float | None = None,
              log: Path | None = None, echo: bool = True) -> dict[str, Any]:
    """Run `python -m bench.phases PHASE ARGS`; collect its JSON lines, wall time and peak RSS."""
    cmd = [sys.executable, "-m", "bench.phases", phase, json.dumps(args)]
    t0 = time.perf_counter()
    err = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=err, text=True, bufsize=1)
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    progress: list[dict[str, Any]] = []
    result = None
    timed_out = False
    deadline = t0 + timeout if timeout else None
    while True:
        wait = None if deadline is None else max(0.0, deadline - time.perf_counter())
        if wait == 0.0 or not sel.select(wait):
            timed_out = True
            proc.kill()  # our own child, by its pid
            break
        line = proc.stdout.readline()
        if not line:
            break
        try:
            msg = json.loads(line)
        except json.JSONDecodeError:
            continue
        if "result" in msg:
            result = msg["result"]
        else:
            progress.append(msg)
            if echo:
                print(f"    {phase}: {_short(msg)}", flush=True)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    proc.stdout.close()
    if log:
        err.close()
    wall = time.perf_counter() - t0
    out = {"phase": phase, "ok": result is not None and proc.returncode == 0, "result": result or {},
           "progress": progress, "wall": wall, "maxrss_mib": usage.ru_maxrss / 1024, "timed_out": timed_out}
    if not out["ok"] and not timed_out:
        out["error"] = _last_error(log)
    return out


def _short(msg: dict[str, Any]) -> str:
    return " ".join(f"{k}={round(v, 2) if isinstance(v, float) else v}" for k, v in msg.items())


def _last_error(log: Path | None) -> str:
    if log is None or not log.exists():
        return "failed"
    lines = [ln for ln in log.read_text(errors="replace").splitlines() if ln.strip()]
    return lines[-1][:300] if lines else "failed"


# --- extrapolation ---------------------------------------------------------------------


def extrapolate_import(progress: list[dict[str, Any]], total_batches: int, batch: int) -> float | None:
    """Total seconds if every batch had run: batch time fitted as a + b * (events already in the log)."""
    done = [p for p in progress if "batch" in p]
    if not done:
        return None
    xs = [p["existing"] for p in done]
    ys = [p["seconds"] for p in done]
    if len(done) >= 2 and len(set(xs)) > 1:
        mx, my = statistics.fmean(xs), statistics.fmean(ys)
        b = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
        a = my - b * mx
    else:
        a, b = ys[0], 0.0
    return sum(ys) + sum(max(a + b * k * batch, 0.0) for k in range(len(done), total_batches))


# --- the run ------------------------------------------------------------------------------


def parse_sizes(text: str) -> list[int]:
    # "" or "0": no SQLite sizes (say, to run only a PostgreSQL comparison)
    return [int(float(s)) for s in text.replace("_", "").split(",") if s.strip() and float(s) > 0]


def bench_size(n: int, a: argparse.Namespace, env: dict[str, str], work: Path, log: Path) -> dict[str, Any]:
    res: dict[str, Any] = {"n": n}
    print(f"\n== {n:,} events ==", flush=True)
    synth_dir = work / (f"synth-{n}" + ("" if a.corrections else "-plain"))
    res["synth"] = s = run_phase("synth", {"n": n, "out": str(synth_dir), "seed": a.seed, "batch": a.batch,
                                           "corrections": a.corrections}, env=env, log=log)
    if not s["ok"]:
        print(f"  synth failed: {s.get('error')}")
        return res
    m = s["result"]
    files = [str(synth_dir / f) for f in m["files"]]
    print(f"  synth: {len(files)} files, {m['bytes'] / 1e6:.0f} MB, {m['first_date']}..{m['last_date']}, "
          f"{m['holders']} holders, {m['warrants']} warrants{' (reused)' if m.get('reused') else ''}", flush=True)
    db = str(work / f"ledger-{n}.db")
    raw_db = str(work / f"raw-{n}.db")
    res["raw"] = run_phase("raw_sqlite", {"files": files, "db": raw_db}, env=env, log=log, echo=False)
    print(f"  raw sqlite3: {_rate(res['raw'])}", flush=True)
    res["raw_validated"] = run_phase("raw_sqlite", {"files": files, "db": raw_db, "validate": True}, env=env,
                                     log=log, echo=False)
    print(f"  raw sqlite3 after the loader's validation: {_rate(res['raw_validated'])}", flush=True)
    res["import"] = imp = run_phase("import", {"files": files, "target": db}, env=env, log=log,
                                    timeout=a.import_timeout)
    if imp["timed_out"]:
        est = extrapolate_import(imp["progress"], len(files), a.batch)
        imp["extrapolated_seconds"] = est
        print(f"  import stopped after {a.import_timeout:.0f}s ({len(imp['progress'])} of {len(files)} batches); "
              f"~{est:.0f}s in all by extrapolation; building the log without validation for the next phases",
              flush=True)
        res["seed"] = run_phase("import", {"files": files, "target": db, "validate": False}, env=env, log=log,
                                timeout=a.timeout)
    if not (imp["ok"] or res.get("seed", {}).get("ok")):
        print(f"  import failed: {imp.get('error')}")
        return res
    res["rebuild"] = run_phase("rebuild", {"target": db}, env=env, log=log, timeout=a.timeout)
    res["query"] = run_phase("query", {"target": db, "first": m["first_date"], "last": m["last_date"],
                                       "n_dates": a.dates, "budget": a.budget}, env=env, log=log,
                             timeout=a.timeout)
    res["verify"] = run_phase("verify", {"target": db}, env=env, log=log, timeout=a.verify_timeout,
                              echo=False)
    for key in ("import", "rebuild", "query", "verify"):
        p = res.get(key, {})
        if p and not p["ok"] and not p["timed_out"]:
            print(f"  {key} failed: {p.get('error')}")
    if not a.keep:
        for path in (db, raw_db):
            for suffix in ("", "-wal", "-shm"):
                Path(path + suffix).unlink(missing_ok=True)
    return res


def bench_postgres(n: int, a: argparse.Namespace, env: dict[str, str], work: Path, log: Path) -> dict[str, Any]:
    print(f"\n== PostgreSQL, {n:,} events ==", flush=True)
    sys.path.insert(0, str(ROOT))
    try:
        from tests.pgserver import PostgresServer, PostgresServerError  # noqa: PLC0415
    except ImportError as exc:
        return {"n": n, "skipped": f"tests.pgserver not importable ({exc})"}
    synth_dir = work / f"synth-{n}"
    s = run_phase("synth", {"n": n, "out": str(synth_dir), "seed": a.seed, "batch": a.batch}, env=env, log=log)
    if not s["ok"]:
        return {"n": n, "skipped": "synth failed"}
    m = s["result"]
    files = [str(synth_dir / f) for f in m["files"]]
    res: dict[str, Any] = {"n": n}
    try:
        server = PostgresServer().start()
    except PostgresServerError as exc:
        print(f"  skipped: {exc}")
        return {"n": n, "skipped": str(exc)}
    try:
        server.create_database("bench_raw")
        server.create_database("bench_ledger")
        res["raw"] = run_phase("raw_postgres", {"files": files, "target": server.url("bench_raw")}, env=env,
                               log=log, echo=False)
        print(f"  raw psycopg: {_rate(res['raw'])}", flush=True)
        url = server.url("bench_ledger")
        res["import"] = imp = run_phase("import", {"files": files, "target": url}, env=env, log=log,
                                        timeout=a.import_timeout)
        if imp["timed_out"]:
            imp["extrapolated_seconds"] = extrapolate_import(imp["progress"], len(files), a.batch)
            res["seed"] = run_phase("import", {"files": files, "target": url, "validate": False}, env=env,
                                    log=log, timeout=a.timeout)
        res["query"] = run_phase("query", {"target": url, "first": m["first_date"], "last": m["last_date"],
                                           "n_dates": a.dates, "budget": a.budget}, env=env, log=log,
                                 timeout=a.timeout)
        for key in ("raw", "import", "query"):
            p = res.get(key, {})
            if p and not p["ok"] and not p["timed_out"]:
                print(f"  {key} failed: {p.get('error')}")
    finally:
        server.stop()
    return res


def spread_over_issuers(single: Path, out: Path, issuers: int, batch: int) -> list[str]:
    """The one-issuer history in `single` written out once per issuer (`synth-0001`...), the same
    events under each name, `batch` events per file; reused if already there."""
    from bench.synth import ISSUER  # noqa: PLC0415

    lines = single.read_text(encoding="utf-8").splitlines()
    manifest = out / "manifest.json"
    want = {"issuers": issuers, "per_issuer": len(lines), "batch": batch,
            "source": hashlib.sha256("\n".join(lines).encode()).hexdigest()}
    if manifest.exists() and {k: v for k, v in json.loads(manifest.read_text()).items() if k != "files"} == want:
        return json.loads(manifest.read_text())["files"]
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("part-*.jsonl"):
        old.unlink()
    mark = f'"issuer":"{ISSUER}"'
    if not all(line.count(mark) == 1 for line in lines):
        raise ValueError(f"{single}: a line without exactly one {mark}")
    files: list[str] = []
    fh = None
    written = 0
    for k in range(1, issuers + 1):
        name = f'"issuer":"{ISSUER}-{k:04d}"'
        for line in lines:
            if written % batch == 0:
                if fh is not None:
                    fh.close()
                files.append(f"part-{len(files) + 1:04d}.jsonl")
                fh = open(out / files[-1], "w", encoding="utf-8")  # noqa: SIM115
            fh.write(line.replace(mark, name) + "\n")
            written += 1
    if fh is not None:
        fh.close()
    manifest.write_text(json.dumps({**want, "files": files}) + "\n")
    return files


def bench_postgres_issuers(n: int, issuers: int, a: argparse.Namespace, env: dict[str, str], work: Path,
                           log: Path) -> dict[str, Any]:
    """`n` events spread over `issuers` issuers of n / issuers events each, on one PostgreSQL
    database, against a database holding one such issuer alone: the per-issuer as-of latency."""
    per = n // issuers
    print(f"\n== PostgreSQL, {issuers:,} issuers x {per:,} events, against one issuer alone ==", flush=True)
    sys.path.insert(0, str(ROOT))
    try:
        from tests.pgserver import PostgresServer, PostgresServerError  # noqa: PLC0415
    except ImportError as exc:
        return {"n": n, "issuers": issuers, "skipped": f"tests.pgserver not importable ({exc})"}
    single_dir = work / f"synth-{per}"
    s = run_phase("synth", {"n": per, "out": str(single_dir), "seed": a.seed, "batch": per}, env=env, log=log)
    if not s["ok"]:
        return {"n": n, "issuers": issuers, "skipped": "synth failed"}
    m = s["result"]
    single = single_dir / m["files"][0]
    many_dir = work / f"synth-{n}-over-{issuers}"
    files = [str(many_dir / f) for f in spread_over_issuers(single, many_dir, issuers, a.batch)]
    res: dict[str, Any] = {"n": n, "issuers": issuers, "per_issuer": per}
    try:
        server = PostgresServer().start()
    except PostgresServerError as exc:
        print(f"  skipped: {exc}")
        return {**res, "skipped": str(exc)}
    try:
        server.create_database("bench_many")
        server.create_database("bench_one")
        many, one = server.url("bench_many"), server.url("bench_one")
        res["import"] = imp = run_phase("import", {"files": files, "target": many}, env=env, log=log,
                                        timeout=a.import_timeout)
        print(f"  import of {n:,} events over {issuers:,} issuers: {_rate(imp)}", flush=True)
        if imp["timed_out"]:
            print("  import stopped: not compared")
            return res
        res["import_one"] = run_phase("import", {"files": [str(single)], "target": one}, env=env, log=log)
        query = {"first": m["first_date"], "last": m["last_date"], "n_dates": a.dates, "budget": a.budget,
                 "replays": 1}
        res["one"] = run_phase("query", {**query, "target": one}, env=env, log=log, timeout=a.timeout)
        res["many"] = []
        for k in sorted({1, issuers // 2, issuers}):
            res["many"].append(run_phase("query", {**query, "target": many, "issuer": f"synth-{k:04d}"},
                                         env=env, log=log, timeout=a.timeout))
    finally:
        server.stop()
    return res


def issuers_rows(res: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Per-issuer p50 on the many-issuer database (the median of the issuers asked) against one issuer alone."""
    if not res or "skipped" in res or not res.get("one") or not res.get("many"):
        return []
    rows = []
    for kind in ("holdings_warm", "ownership_warm", "holdings_cold", "ownership_cold"):
        one = _val(res["one"], kind, "p50_ms")
        many = [_val(q, kind, "p50_ms") for q in res["many"]]
        if one is None or None in many:
            continue
        p50 = statistics.median(many)
        label = (f"{kind.replace('_warm', ' (2nd pass)').replace('_cold', ' (1st pass)')} p50, "
                 f"{res['issuers']:,} issuers / one alone")
        met = "met" if p50 <= 1.5 * one else "NOT MET"
        rows.append((label, f"{p50:.1f} / {one:.1f} ms = {p50 / one:.2f}x", f"{met} (<= 1.5x)"))
    return rows


def cli_startup(runs: int, env: dict[str, str]) -> dict[str, Any]:
    exe = Path(sys.executable).parent / "ledger"
    cmd = [str(exe), "--help"] if exe.exists() else [sys.executable, "-m", "ledger", "--help"]
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - t0)
    return {"runs": runs, "median_ms": statistics.median(times) * 1e3, "min_ms": min(times) * 1e3,
            "max_ms": max(times) * 1e3, "command": " ".join(Path(c).name if i == 0 else c for i, c in enumerate(cmd))}


# --- the tables -----------------------------------------------------------------------------


def _rate(phase: dict[str, Any] | None, key: str = "rate") -> str:
    if not phase:
        return "-"
    if phase.get("timed_out"):
        est = phase.get("extrapolated_seconds")
        events = sum(p.get("events", 0) for p in phase["progress"] if "batch" in p)
        n = phase.get("n_total")
        if est and n:
            return f"~{n / est:,.0f}/s"
        return f"stopped ({events:,} done)"
    if not phase["ok"]:
        return "failed"
    value = phase["result"].get(key)
    return f"{value:,.0f}/s" if value else "-"


def _val(phase: dict[str, Any] | None, *keys: str) -> Any:
    if not phase or not phase.get("ok"):
        return None
    cur: Any = phase["result"]
    for k in keys:
        if not isinstance(cur, dict) or k not in cur:
            return None
        cur = cur[k]
    return cur


def _ms(v: float | None) -> str:
    if v is None:
        return "-"
    return f"{v:,.1f}" if v < 100 else f"{v:,.0f}"


def _series(q: dict[str, Any] | None, key: str) -> dict[str, Any] | None:
    """A latency series from the result, or from the progress of a query phase that was stopped."""
    lat = _val(q, key)
    if lat is None and q and q.get("timed_out"):
        lat = next((p for p in q["progress"] if p.get("kind") == key), None)
    return lat


def _lat(q: dict[str, Any] | None, key: str) -> str:
    lat = _series(q, key)
    if not lat:
        return "-"
    return f"{_ms(lat['p50_ms'])} / {_ms(lat['p95_ms'])} [n={lat['n']}]"


def _secs(*values: float | None) -> str:
    return " | ".join("-" if v is None else f"{v:.1f}" for v in values)


def _import_seconds(imp: dict[str, Any] | None) -> float | None:
    if not imp:
        return None
    if imp.get("timed_out"):
        return imp.get("extrapolated_seconds")
    return _val(imp, "seconds")


def column(res: dict[str, Any], pg: bool = False) -> dict[str, str]:
    n = res["n"]
    col: dict[str, str] = {}
    imp = res.get("import")
    if imp:
        imp["n_total"] = n
    raw = res.get("raw")
    col["synth"] = _rate(res.get("synth")) if not pg else "-"
    col["raw"] = _rate(raw)
    col["import"] = _rate(imp)
    imp_s, raw_s = _import_seconds(imp), _val(raw, "seconds")
    col["ratio"] = f"{'~' if imp and imp.get('timed_out') else ''}{raw_s / imp_s:.3f}x" if imp_s and raw_s else "-"
    validated = res.get("raw_validated")
    col["raw_validated"] = _rate(validated)
    valid_s = _val(validated, "seconds")
    col["ratio_validated"] = f"{valid_s / imp_s:.3f}x" if imp_s and valid_s else "-"
    if imp and imp["progress"]:
        batches = [p for p in imp["progress"] if "batch" in p]
        last = batches[-1]
        col["breakdown"] = _secs(sum(p["load"] for p in batches), last["plan"], last["append"])
        col["batches"] = f"{batches[0]['seconds']:.1f} -> {last['seconds']:.1f} ({len(batches)})"
    rb = res.get("rebuild")
    col["rebuild"] = _rate(rb)
    if _val(rb, "seconds"):
        r = rb["result"]
        col["rebuild_parts"] = _secs(r["scan"], r["history"], r["rows"])
    q = res.get("query")
    col["first"] = _ms(_val(q, "first_ms"))
    if q and q.get("timed_out"):
        first = next((p["ms"] for p in q["progress"] if p.get("kind") == "first"), None)
        col["first"] = _ms(first) if first is not None else f"> {q['wall'] * 1e3:,.0f} (stopped)"
    for kind in ("holdings", "party", "captable", "voting", "ownership"):
        for phase in ("cold", "warm"):
            col[f"{kind}_{phase}"] = _lat(q, f"{kind}_{phase}")
    rep = _series(q, "replay")
    col["replay"] = f"{_ms(rep['p50_ms'])} [n={rep['n']}]" if rep else "-"
    for kind in ("holdings", "ownership"):
        lat = _series(q, f"{kind}_warm")
        col[f"x_{kind}"] = f"{rep['p50_ms'] / lat['p50_ms']:,.0f}x" if rep and lat else "-"
    fl = _val(q, "floor")
    col["floor"] = (f"{fl['rows_p50']:,.0f} rows: {_ms(fl['p50_ms'])} | {_ms(fl['ledger_p50_ms'])} [n={fl['n']}]"
                    if fl else "-")
    col["json_floor"] = (f"{_ms(fl['json_p50_ms'])} | {_ms(fl['ledger_json_p50_ms'])}"
                         if fl and "json_p50_ms" in fl else "-")
    col["q_error"] = "yes (workaround)" if _val(q, "error") else ("-" if not q else "no")
    v = res.get("verify")
    if v and v.get("timed_out"):
        col["verify"] = f"< {n / v['wall']:,.0f}/s (stopped at {v['wall']:.0f}s)"
    elif v and not v["ok"]:
        col["verify"] = "failed: " + str(v.get("error", ""))[-40:]
    else:
        col["verify"] = _rate(v)
    rss = [res.get(k, {}).get("maxrss_mib") for k in ("synth", "import", "rebuild", "query", "verify")]
    col["rss"] = " | ".join("-" if x is None else f"{x:,.0f}" for x in rss)
    sizes = [_val(imp, "db_bytes"), _val(q, "db_bytes")]
    col["db"] = " | ".join("-" if x is None else f"{x / 1e6:,.0f}" for x in sizes)
    return col


ROWS = [
    ("synth", "synth: generate (events/s)"),
    ("raw", "raw insert, executemany (events/s)"),
    ("import", "import: loader + import_events (events/s)"),
    ("ratio", "import / raw"),
    ("raw_validated", "raw insert after the loader's validation (events/s)"),
    ("ratio_validated", "import / (raw after validation)"),
    ("breakdown", "import: load | plan | append (s)"),
    ("batches", "import: 1st -> last batch (s) (batches)"),
    ("rebuild", "rebuild all projections (events/s)"),
    ("rebuild_parts", "rebuild: scan|history (parse, fold)|rows (s)"),
    ("first", "as-of: first query, builds read model (ms)"),
    ("holdings_cold", "holdings as-of p50 / p95 (ms), 1st pass"),
    ("holdings_warm", "holdings as-of p50 / p95 (ms), 2nd pass"),
    ("party_cold", "one party's holdings p50 / p95 (ms), 1st pass"),
    ("party_warm", "one party's holdings p50 / p95 (ms), 2nd pass"),
    ("captable_cold", "cap table as-of p50 / p95 (ms), 1st pass"),
    ("captable_warm", "cap table as-of p50 / p95 (ms), 2nd pass"),
    ("voting_cold", "voting as-of p50 / p95 (ms), 1st pass"),
    ("voting_warm", "voting as-of p50 / p95 (ms), 2nd pass"),
    ("ownership_cold", "ownership as-of p50 / p95 (ms), 1st pass"),
    ("ownership_warm", "ownership as-of p50 / p95 (ms), 2nd pass"),
    ("replay", "full replay, streamed: scan+resolve+parse+fold (ms)"),
    ("x_holdings", "replay / holdings p50 (2nd pass)"),
    ("x_ownership", "replay / ownership p50 (2nd pass)"),
    ("floor", "holdings answer floor: same rows from a table | ledger (ms)"),
    ("json_floor", "holdings JSON floor: SQLite's JSON of them | ledger's (ms)"),
    ("q_error", "read-model lock error hit"),
    ("verify", "verify_store (records/s)"),
    ("rss", "peak RSS MiB: synth|import|rebuild|query|verify"),
    ("db", "ledger file MB: after import | after queries"),
]


def table(columns: list[tuple[str, dict[str, str]]]) -> str:
    head = ["figure", *[name for name, _ in columns]]
    body = [[label, *[col.get(key, "-") for _, col in columns]] for key, label in ROWS]
    body = [r for r in body if any(c != "-" for c in r[1:])]
    widths = [max(len(str(r[i])) for r in [head, *body]) for i in range(len(head))]
    line = "  ".join("-" * w for w in widths)
    out = ["  ".join(h.ljust(w) for h, w in zip(head, widths)), line]
    out += ["  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
            for r in body]
    return "\n".join(out)


def targets(results: list[dict[str, Any]], help_ms: float | None) -> list[tuple[str, str, str]]:
    rows: list[tuple[str, str, str]] = []
    done = [r for r in results if r.get("import")]
    if not done:
        return rows
    big = max(done, key=lambda r: r["n"])
    at = f"at {big['n']:,}"
    batches = [p["seconds"] for p in (big.get("import") or {}).get("progress", []) if "batch" in p]
    if len(batches) >= 2:
        ratio = batches[-1] / batches[0]
        rows.append((f"import flat in N: last batch <= {TARGETS['flat_ratio']}x the first, {at}",
                     f"{batches[0]:.1f} -> {batches[-1]:.1f} s = {ratio:.2f}x", _met(ratio <= TARGETS["flat_ratio"])))
    q = big.get("query")
    fl = _val(q, "floor")
    if fl:
        ratio = fl["ledger_p50_ms"] / fl["p50_ms"]
        rows.append((f"holdings rows p50 <= {TARGETS['rows_floor_ratio']}x the same rows from a table, {at}",
                     f"{fl['ledger_p50_ms']:.1f} / {fl['p50_ms']:.1f} ms = {ratio:.1f}x",
                     _met(ratio <= TARGETS["rows_floor_ratio"])))
    if fl and "json_p50_ms" in fl:
        ratio = fl["ledger_json_p50_ms"] / fl["json_p50_ms"]
        rows.append((f"holdings JSON p50 <= {TARGETS['json_floor_ratio']}x SQLite's JSON of the same rows, {at}",
                     f"{fl['ledger_json_p50_ms']:.1f} / {fl['json_p50_ms']:.1f} ms = {ratio:.1f}x",
                     _met(ratio <= TARGETS["json_floor_ratio"])))
    for kind, label, target, digits in (("party", "one party's holdings", "party_ms", 2),
                                        ("ownership", "ownership as-of", "ownership_ms", 1)):
        for phase in ("cold", "warm"):
            lat = _series(q, f"{kind}_{phase}")
            if lat:
                rows.append((f"{label} p50 <= {TARGETS[target]:.0f} ms ({'1st' if phase == 'cold' else '2nd'} pass), "
                             f"{at}", f"{lat['p50_ms']:.{digits}f} ms", _met(lat["p50_ms"] <= TARGETS[target])))
    rep = _series(q, "replay")
    for kind in ("holdings", "ownership"):
        lat = _series(q, f"{kind}_warm")
        if lat and rep:
            x = rep["p50_ms"] / lat["p50_ms"]
            rows.append((f"{kind} as-of >= {TARGETS['replay_ratio']:.0f}x faster than a full replay, {at}",
                         f"{x:,.0f}x", _met(x >= TARGETS["replay_ratio"])))
    rss = [big.get(k, {}).get("maxrss_mib") for k in ("import", "rebuild", "query", "verify")]
    rss = [x for x in rss if x is not None]
    if rss:
        rows.append((f"peak RSS <= 1 GiB (import, rebuild, query, verify), {at}", f"{max(rss):,.0f} MiB",
                     _met(max(rss) <= TARGETS["rss_mib"])))
    if help_ms is not None:
        rows.append(("`ledger --help` < 300 ms (median of 10)", f"{help_ms:.0f} ms", _met(help_ms < TARGETS["help_ms"])))
    return rows


def bounds(results: list[dict[str, Any]]) -> list[str]:
    """What no import or answer can go below, at the largest size: set beside the targets."""
    done = [r for r in results if r.get("import")]
    if not done:
        return []
    big = max(done, key=lambda r: r["n"])
    out = []
    raw_s, valid_s = _val(big.get("raw"), "seconds"), _val(big.get("raw_validated"), "seconds")
    if raw_s and valid_s:
        out.append(f"the ledger's loader (JSON, validation, identities) plus the raw insert runs at "
                   f"{raw_s / valid_s:.3f}x the raw rate, at {big['n']:,}: the import cannot go past that "
                   "without a faster loader")
    fl = _val(big.get("query"), "floor")
    if fl:
        out.append(f"reading a holdings answer's {fl['rows_p50']:,.0f} rows (median) from an indexed table into dicts "
                   f"takes {fl['p50_ms']:.1f} ms at {big['n']:,}; the ledger {fl['ledger_p50_ms']:.1f} ms "
                   f"({fl['ledger_p50_ms'] / fl['p50_ms']:.1f}x)")
    return out


def _met(ok: bool) -> str:
    return "met" if ok else "NOT MET"


def _version() -> str:
    """The commit measured, and whether the work tree differed from it (others edit while we measure)."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "ledger", "projections", "events"], cwd=ROOT,
                               capture_output=True, text=True, check=True).stdout.split("\n")
        changed = [ln[3:] for ln in dirty if ln.strip()]
    except (OSError, subprocess.CalledProcessError):
        return "version unknown"
    return f"commit {head}" + (f" + uncommitted changes to {', '.join(changed)}" if changed else "")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    p.add_argument("--sizes", type=parse_sizes, default=[10_000, 100_000, 1_000_000],
                   help="comma-separated event counts (default 10000,100000,1000000)")
    p.add_argument("--quick", action="store_true", help="smoke run: 10^4 only, PostgreSQL at 10^4, short budgets")
    p.add_argument("--pg-size", type=int, default=100_000, help="events for the PostgreSQL run (0: none)")
    p.add_argument("--pg-issuers", type=int, default=0,
                   help="also spread --pg-issuers-events over this many issuers on PostgreSQL and compare one "
                        "issuer's as-of latency with that issuer alone (0: not run)")
    p.add_argument("--pg-issuers-events", type=int, default=1_000_000)
    p.add_argument("--batch", type=int, default=50_000, help="events per file, one import per file")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--dates", type=int, default=200, help="random as-of dates per query series")
    p.add_argument("--budget", type=float, default=60.0,
                   help="seconds per first-pass query series (at least 3 queries); the second pass repeats its dates")
    p.add_argument("--timeout", type=float, default=900.0, help="seconds before a phase is stopped and extrapolated")
    p.add_argument("--import-timeout", type=float, help="for the ledger import phase (default: --timeout)")
    p.add_argument("--verify-timeout", type=float, help="for the verify phase (default: --timeout)")
    p.add_argument("--help-runs", type=int, default=10)
    p.add_argument("--workdir", type=Path, default=Path(os.environ.get("BENCH_DIR", "/tmp/ledger-bench")))
    p.add_argument("--keep", action="store_true", help="keep the databases")
    p.add_argument("--no-corrections", dest="corrections", action="store_false",
                   help="a variant without retractions and corrections (SQLite sizes only)")
    p.add_argument("--mem-limit", type=int, default=8192, help="MiB of address space per phase (0: no limit)")
    a = p.parse_args(argv)
    if a.quick:
        a.sizes, a.budget, a.timeout = [10_000], 1.5, 20.0
        a.verify_timeout = a.verify_timeout or 8.0
        a.pg_size = 10_000 if a.pg_size else 0
    a.import_timeout = a.import_timeout or a.timeout
    a.verify_timeout = a.verify_timeout or a.timeout
    work = a.workdir
    work.mkdir(parents=True, exist_ok=True)
    log = work / "phases.log"
    log.write_text("")
    # Read models of a server ledger go to LEDGER_CACHE, not into the work tree.
    env = {**os.environ, "LEDGER_CACHE": str(work / "cache"), "PYTHONPATH": str(ROOT),
           "BENCH_MEM_LIMIT_MIB": str(a.mem_limit)}
    shutil.rmtree(work / "cache", ignore_errors=True)
    t0 = time.perf_counter()
    version = _version()
    print(f"bench: {version}")
    print(f"bench: sizes {', '.join(f'{n:,}' for n in a.sizes)}; PostgreSQL at {a.pg_size:,}; "
          f"workdir {work}; {platform.python_implementation()} {platform.python_version()}, "
          f"{os.cpu_count()} CPUs", flush=True)
    results = [bench_size(n, a, env, work, log) for n in a.sizes]
    pg = bench_postgres(a.pg_size, a, env, work, log) if a.pg_size else None
    spread = bench_postgres_issuers(a.pg_issuers_events, a.pg_issuers, a, env, work, log) if a.pg_issuers else None
    help_ = cli_startup(a.help_runs, env)
    print(f"\n`{help_['command']}`: median {help_['median_ms']:.0f} ms of {help_['runs']} "
          f"(min {help_['min_ms']:.0f}, max {help_['max_ms']:.0f})")

    variant = "" if a.corrections else " (no corrections)"
    columns = [(f"SQLite {r['n']:,}{variant}", column(r)) for r in results]
    if pg and "skipped" not in pg:
        columns.append((f"PostgreSQL {pg['n']:,}", column(pg, pg=True)))
    print("\n" + table(columns))
    rows = targets(results, help_["median_ms"]) + issuers_rows(spread)
    if rows:
        w = max(len(r[0]) for r in rows)
        print("\ntargets")
        for label, value, met in rows:
            print(f"  {label.ljust(w)}  {value:>12}  {met}")
    for line in bounds(results):
        print(f"bound: {line}")
    for line in NOT_MEASURED:
        print(f"not measured here: {line}")
    notes = []
    if any(r.get("import", {}).get("timed_out") for r in results + ([pg] if pg else [])):
        notes.append(f"~ = extrapolated: the import was stopped after {a.import_timeout:.0f}s and its total "
                     "fitted from the batches done (batch time = a + b x events already in the log)")
    if any(_val(r.get("query"), "error") for r in results):
        notes.append("as-of queries hit sqlite3 'database table is locked' in ledger/history/readmodel.py state_at; "
                     "measured with a workaround in bench/phases.py (see bench/PROFILE.md)")
    for note in notes:
        print(f"note: {note}")
    print(f"\ntotal {time.perf_counter() - t0:.0f}s; details in {work / 'results.json'}, stderr in {log}")
    (work / "results.json").write_text(json.dumps(
        {"version": version, "sizes": results, "postgres": pg, "postgres_issuers": spread, "cli_help": help_, "args": {k: str(v) for k, v in vars(a).items()}},
        indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
