"""Hostile input, generated: event files fed to the real `ledger import`, on both engines.

Hypothesis writes files of random events (every type of events.EVENT_TYPES, fields
right and wrong, values from plausible to absurd: unicode, lone surrogates, NULs,
huge and negative numbers, huge exponents, dates at the ends of the calendar, deep
nesting), as YAML, JSON or JSON Lines, sometimes broken on purpose, and imports
each into a fresh copy of the acme ledger. Whatever the file:

- never a traceback (the CLI runs with catch_exceptions=False);
- either accepted (exit 0): then verify passes, and holdings, cap table and voting
  as the CLI answers them equal a full replay (a fold of the whole log);
- or refused (exit 2) with exactly one line on stderr, and the log unchanged.

LEDGER_FUZZ_EXAMPLES sets the number of examples on SQLite (PostgreSQL runs a
quarter of them); the figures are printed at the end of each run.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import typing
import uuid
from collections import Counter
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events import EVENT_TYPES
from ledger.outputs.render import to_json
from tests.conftest import DATA, ROOT, Ledger, is_postgres
from tests.test_concurrency import child_env, report

EXAMPLES = int(os.environ.get("LEDGER_FUZZ_EXAMPLES", "120"))

PARTIES = ["acme", "alice", "bob", "fund-lp", "fund-gp", "founders"]
SECURITIES = ["common", "pref-a"]
INSTRUMENTS = ["w-1", "note-1", "w-9"]
AGREEMENTS = ["rra"]
REFS = ["w1-issue", "cash-1", "transfer-1"]
SLUG_FIELDS = {"party", "holder", "security", "warrant", "note", "agreement", "group", "controller",
               "controlled", "from_holder", "to_holder", "converts_to", "requested_by", "nominated_by",
               "in_favor_of", "subject", "director"}

# --- values -------------------------------------------------------------------------

nasty_text = st.one_of(
    st.text(max_size=20),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=12),
    st.sampled_from(["", " ", "\x00", "\ud800", "\udfff", "é", "\u202e", "'; DROP TABLE ledger_events; --",
                     "Robert'); DELETE FROM ledger_events;--", "%s", "{0}", "\\", "null", "~", "0x1F",
                     "a" * 5000, "\n", "💥", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "\u0000\u0001"]),
)
slugs = st.one_of(
    st.sampled_from(PARTIES + SECURITIES + INSTRUMENTS + AGREEMENTS + REFS),
    st.from_regex(r"[a-z0-9][a-z0-9._-]{0,12}", fullmatch=True),
    nasty_text,
)
integers = st.one_of(
    st.integers(min_value=1, max_value=2_000_000),
    st.integers(min_value=-10, max_value=10),
    st.sampled_from([2**31, 2**63 - 1, 2**63, 2**64, 10**30, 10**400, -(10**30)]),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.from_regex(r"-?[0-9]{1,40}", fullmatch=True),
    st.just(True),
)
decimals = st.one_of(
    st.decimals(allow_nan=False, allow_infinity=False, places=4, min_value=0, max_value=10**9).map(str),
    st.sampled_from(["0", "-1", "1e999999", "1E+999999999", "1e-999999", "NaN", "Infinity", "-Infinity", "sNaN",
                     "0.0000000000000000000000000000001", "9" * 400, "1_000", "1,000", "16.30", "$5", ""]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(),
)
dates = st.one_of(
    st.dates(min_value=dt.date(2019, 1, 1), max_value=dt.date(2026, 12, 31)).map(dt.date.isoformat),
    st.dates().map(dt.date.isoformat),
    st.sampled_from(["0001-01-01", "9999-12-31", "2020-02-30", "2020-13-01", "20200101", "2020-01-01T00:00:00Z",
                     "yesterday", "", "1e5"]),
    st.dates(),  # a YAML/JSON date object where the writer allows it
    st.integers(),
)
json_leaf = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), nasty_text)
anything = st.recursive(json_leaf, lambda kids: st.one_of(st.lists(kids, max_size=4),
                                                          st.dictionaries(nasty_text, kids, max_size=4)),
                        max_leaves=20)


def deep(depth: int) -> typing.Any:
    value: typing.Any = "bottom"
    for i in range(depth):
        value = [value] if i % 2 else {"k": value}
    return value


hostile = st.one_of(anything, st.integers(min_value=50, max_value=3000).map(deep))


good_slugs = st.sampled_from(PARTIES + SECURITIES + INSTRUMENTS + AGREEMENTS + ["w-2", "note-2", "carol"])
holders = st.sampled_from(["alice", "bob", "fund-lp", "fund-gp", "carol"])
typed_slugs = {  # careful files name the right kind of thing, mostly ones the acme ledger knows
    **dict.fromkeys(["security", "converts_to"], st.sampled_from(SECURITIES + ["series-b"])),
    **dict.fromkeys(["holder", "party", "from_holder", "to_holder", "controller", "controlled", "requested_by",
                     "nominated_by", "in_favor_of"], holders),
    "warrant": st.sampled_from(["w-1", "w-1", "w-2"]), "note": st.sampled_from(["note-1", "note-2"]),
    "agreement": st.sampled_from(["rra", "rra", "sha"]), "group": st.sampled_from(["founders", "grp-2"]),
}
good_values = {
    "int": st.integers(min_value=1, max_value=200_000),
    "decimal": st.decimals(min_value=1, max_value=100, places=2, allow_nan=False, allow_infinity=False).map(str),
    "date": st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2024, 12, 31)).map(dt.date.isoformat),
    "slug": good_slugs,
}


def field_values(name: str, annotation: typing.Any, careful: bool = False) -> st.SearchStrategy:
    text = str(annotation)
    literals = re.findall(r"'([^']*)'", text) if "Literal" in text else []
    if careful:  # mostly valid: let the ledger's own rules decide
        if literals:
            return st.sampled_from(literals)
        if "Tranche" in text:
            return st.just([])
        if "tuple[" in text:
            return st.lists(holders, min_size=1, max_size=3, unique=True)
        if "dict[" in text:
            return st.just({})
        for key in ("decimal", "date", "int"):
            if key in text.lower() and "Annotated[str" not in text:
                return good_values[key]
        if "bool" in text:
            return st.booleans()
        if name in ("retracts", "corrects"):
            return st.sampled_from(REFS)
        if name in typed_slugs:
            return typed_slugs[name]
        if name in SLUG_FIELDS:
            return good_slugs
        return st.text(alphabet="abcdefghij XYZ", min_size=1, max_size=10)
    if literals:
        base = st.sampled_from(literals)
    elif "Tranche" in text:
        base = st.lists(st.fixed_dictionaries(
            {"quantity": integers},
            optional={"exercisable_from": dates, "condition": nasty_text, "extra": anything}), max_size=3)
    elif text.startswith("tuple") or "tuple[" in text:
        base = st.lists(slugs, max_size=4)
    elif "dict[" in text:
        base = st.dictionaries(st.sampled_from(["investors", "rights", "holders", "kind", "x"]) | nasty_text,
                               anything, max_size=4)
    elif "decimal" in text.lower():
        base = decimals
    elif "date" in text:
        base = dates
    elif "bool" in text:
        base = st.booleans()
    elif "int" in text:
        base = integers
    elif name in SLUG_FIELDS or name in ("retracts", "corrects", "members", "parties"):
        base = slugs
    else:
        base = nasty_text
    return st.one_of(base, base, base, hostile)


@st.composite
def careful_event(draw: st.DrawFn) -> dict:
    kind = draw(st.sampled_from(sorted(EVENT_TYPES)))
    cls = EVENT_TYPES[kind]
    event: dict[str, typing.Any] = {"type": kind, "effective_date": draw(good_values["date"]),
                                    "source": {"locator": f"line {draw(st.integers(0, 10**6))}"}}
    for name, info in cls.model_fields.items():
        if name not in cls.ENVELOPE and (info.is_required() or draw(st.integers(0, 3)) == 0):
            event[name] = draw(field_values(name, info.annotation, careful=True))
    return event


@st.composite
def events(draw: st.DrawFn, issuer: str) -> dict:
    if draw(st.integers(0, 2)) == 0:
        return draw(careful_event())
    kind = draw(st.sampled_from(sorted(EVENT_TYPES)) | nasty_text)
    cls = EVENT_TYPES.get(kind)
    event: dict[str, typing.Any] = {"type": kind, "effective_date": draw(dates),
                                    "source": draw(st.one_of(
                                        st.fixed_dictionaries({"locator": nasty_text},
                                                              optional={"quote": nasty_text}),
                                        hostile))}
    if cls is not None:
        for name, info in cls.model_fields.items():
            if name in cls.ENVELOPE:
                continue
            if info.is_required() or draw(st.booleans()):
                if draw(st.integers(0, 19)) == 0:
                    continue  # a required field left out
                event[name] = draw(field_values(name, info.annotation))
        if kind == "EventCorrected" and draw(st.booleans()):
            target = draw(st.sampled_from(sorted(EVENT_TYPES)))
            event["replacement"] = draw(events(issuer))  # a whole event where a payload belongs
            event["replacement"].pop("type", None) if draw(st.booleans()) else None
            _ = target
    extras = draw(st.dictionaries(st.sampled_from(["ref", "issuer", "event_id", "recorded_at", "schema_version",
                                                   "inference", "colour", "type"]),
                                  st.one_of(slugs, integers, hostile), max_size=2))
    if "issuer" in extras and draw(st.booleans()):
        extras["issuer"] = issuer
    event.update(extras)
    if draw(st.integers(0, 9)) == 0:
        del event["effective_date"]
    return event


@st.composite
def event_files(draw: st.DrawFn) -> tuple[str, str, str | None]:
    """(file name, text, issuer named by the header)."""
    if draw(st.integers(0, 2)) == 0:  # a careful file: valid header and shape, plausible events
        issuer = draw(st.sampled_from(["acme", "acme", "acme", "beta-co"]))
        evs = draw(st.lists(careful_event(), min_size=1, max_size=6))
        doc = {"document": {"id": draw(st.from_regex(r"fz-[a-z0-9]{1,8}", fullmatch=True)), "issuer": issuer},
               "events": evs}
        if draw(st.booleans()):
            return "careful.json", json.dumps(doc), issuer
        return "careful.yaml", yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), issuer
    issuer = draw(st.sampled_from(["acme", "acme", "acme", "beta-co"]) | slugs)
    header: dict[str, typing.Any] = {"id": draw(st.from_regex(r"fz-[a-z0-9]{1,8}", fullmatch=True) | nasty_text),
                                     "issuer": issuer}
    if draw(st.booleans()):
        header["title"] = draw(nasty_text)
    if draw(st.booleans()):
        header["date"] = draw(dates)
    evs = draw(st.lists(events(issuer), min_size=0, max_size=6))
    doc: typing.Any = {"document": header, "events": evs}
    shape = draw(st.integers(0, 19))
    if shape == 0:
        doc = draw(hostile)
    elif shape == 1:
        doc["extra"] = 1
    elif shape == 2:
        doc = {"events": evs}
    fmt = draw(st.sampled_from(["yaml", "json", "jsonl"]))
    if fmt == "jsonl":
        try:
            text = "".join(json.dumps({**e, "issuer": issuer, "source": e.get("source")}, default=str) + "\n"
                           for e in evs)
        except (ValueError, RecursionError):
            text = "[" * 5000 + "\n"
    elif fmt == "json":
        try:
            text = json.dumps(doc, default=str, ensure_ascii=draw(st.booleans()))
        except (ValueError, RecursionError):
            text = "{}"
    else:
        try:
            text = yaml.safe_dump(doc, allow_unicode=draw(st.booleans()), sort_keys=False)
        except (yaml.YAMLError, RecursionError):
            text = "document: {}\n"
    mutation = draw(st.integers(0, 9))
    if mutation == 0 and text:
        cut = draw(st.integers(0, len(text)))
        text = text[:cut] + draw(st.text(max_size=5)) + text[cut + draw(st.integers(0, 5)):]
    return f"fuzz.{fmt}", text, issuer if isinstance(issuer, str) else None


RAW_FILES = {  # files no serializer writes: decoded by hand
    "nested.yaml": "a: " + "[" * 20000 + "]" * 20000,
    "nested.json": "[" * 100000 + "]" * 100000,
    "nested-map.yaml": "{a: " * 5000 + "1" + "}" * 5000,
    "laughs.yaml": "document: {id: lol, issuer: acme}\n"
                   "events:\n- type: AgreementExecuted\n  effective_date: 2020-01-01\n  agreement: lol\n"
                   "  title: lol\n  parties: [acme]\n  source: {locator: x}\n  terms:\n"
                   "    a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
                   + "".join(f"    {c}: &{c} [{', '.join(['*' + p] * 9)}]\n"
                             for p, c in zip("abcdefgh", "bcdefghi")),
    "laughs-in-event.yaml": "document: {id: lol, issuer: acme}\n"
                            "events:\n- &e {type: PartyRegistered, effective_date: 2020-01-01, party: lol2, name: x,"
                            " kind: other, aliases: &a [a, a, a, a, a, a, a, a, a, a], source: {locator: x}}\n"
                            "- {type: GroupFormed, effective_date: 2020-01-01, group: g, name: g,"
                            " members: [*a, *a, *a], source: {locator: x}}\n",
    "recursive.yaml": "document: {id: r, issuer: acme}\nevents: [{type: AgreementExecuted, effective_date: 2020-01-01,"
                      " agreement: r, title: r, parties: [acme], source: {locator: x}, terms: &t {self: *t}}]\n",
    "bad-date.yaml": "document: {id: d, issuer: acme}\nevents: [{type: SharesIssued, effective_date: 2020-02-30,"
                     " security: common, holder: alice, quantity: 1, source: {locator: x}}]\n",
    "binary-tag.yaml": "document: {id: b, issuer: acme}\nevents: [{type: AgreementExecuted, effective_date: 2020-01-01,"
                       " agreement: b, title: b, parties: [acme], source: {locator: x}, terms: {x: !!binary /w==}}]\n",
    "timestamp-set.yaml": "document: {id: t, issuer: acme}\nevents: [{type: AgreementExecuted, effective_date: 2020-01-01,"
                          " agreement: t, title: t, parties: [acme], source: {locator: x},"
                          " terms: {at: 2001-12-14t21:59:43.10-05:00, s: !!set {a, b}, 1: int-key, ~: null-key}}]\n",
    "surrogate-key.json": '{"document": {"id": "k", "issuer": "acme"}, "events": [{"type": "AgreementExecuted", '
                          '"effective_date": "2020-01-01", "agreement": "k", "title": "k", "parties": ["acme"], '
                          '"terms": {"\\udc80": 1}, "source": {"locator": "x"}}]}',
    "bom.json": "\ufeff{}",
    "empty.yaml": "",
    "null.yaml": "~",
    "tabs.yaml": "document:\n\tid: x\n",
    "python-tag.yaml": "document: !!python/object/apply:os.system ['echo pwned']\nevents: []\n",
    "huge-int.json": '{"document": {"id": "h", "issuer": "acme"}, "events": [{"type": "SharesIssued", '
                     '"effective_date": "2021-01-01", "security": "common", "holder": "alice", "quantity": '
                     + "9" * 5000 + ', "source": {"locator": "x"}}]}',
    "huge-exp.json": '{"document": {"id": "h", "issuer": "acme"}, "events": [{"type": "SharesIssued", '
                     '"effective_date": "2021-01-01", "security": "common", "holder": "alice", "quantity": 5, '
                     '"price_per_share": "1e999999999", "source": {"locator": "x"}}]}',
    "surrogate.json": '{"document": {"id": "s", "issuer": "acme"}, "events": [{"type": "PartyRegistered", '
                      '"effective_date": "2021-01-01", "party": "zed", "name": "\\ud800", "kind": "other", '
                      '"source": {"locator": "x"}}]}',
    "surrogate.yaml": 'document: {id: s, issuer: acme}\nevents: [{type: PartyRegistered, effective_date: 2021-01-01,'
                      ' party: zed, name: "\\ud800", kind: other, source: {locator: x}}]\n',
    "nul.json": '{"document": {"id": "n\\u0000", "issuer": "acme"}, "events": []}',
    "dup-keys.json": '{"document": {"id": "d", "issuer": "acme", "issuer": "beta"}, "events": []}',
    "nan.json": '{"document": {"id": "d", "issuer": "acme"}, "events": [{"type": "SharesIssued", '
                '"effective_date": "2021-01-01", "security": "common", "holder": "alice", "quantity": NaN, '
                '"source": {"locator": "x"}}]}',
}
RAW_BYTES = {"latin1.yaml": "document: {id: caf\xe9, issuer: acme}\n".encode("latin-1"), "binary.json": bytes(range(256))}


# --- checks -------------------------------------------------------------------------


def snapshot(ledger: Ledger) -> str:
    r = ledger("export", "jsonl", "--out", "-")
    assert r.code == 0, r.err
    return r.out


def full_replay_rows(target: str, issuer: str, day: dt.date) -> dict[str, list]:
    """holdings, captable and voting from a fold of the whole log, as the CLI would print them."""
    from ledger.log.store import Store  # noqa: PLC0415
    from projections.captable import captable_rows  # noqa: PLC0415
    from projections.fold import fold  # noqa: PLC0415
    from projections.holdings import holdings_rows  # noqa: PLC0415
    from projections.timeline import resolve  # noqa: PLC0415
    from projections.voting import voting_rows  # noqa: PLC0415

    with Store(target, create=False) as store:
        state = fold(resolve(store.records(issuer)), day)
    rows = {"holdings": holdings_rows(state, day), "captable": captable_rows(state, day),
            "voting": voting_rows(state, day)}
    return {k: json.loads(to_json({}, v))["rows"] for k, v in rows.items()}


def check_one(ledger: Ledger, folder: Path, name: str, content: str | bytes, issuer: str | None,
              before: str, stats: Counter) -> None:
    path = folder / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", errors="surrogatepass")
    r = ledger("import", path)  # catch_exceptions=False: any traceback fails the test
    assert r.code in (0, 2), (r.code, r.out, r.err)
    if r.code == 2:
        stats["refused"] += 1
        lines = r.err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), r.err
        assert "Traceback" not in r.err
        assert snapshot(ledger) == before, "a refused file changed the log"
        return
    stats["accepted"] += 1
    if "imported 0 events" in r.out:
        stats["accepted, nothing new"] += 1
    v = ledger("verify")
    assert v.code == 0, v.err
    # JSONL separates records by "\n" alone: str.splitlines would also split inside a record at
    # a U+0085 or U+2028 that a name may hold (written as itself, not escaped).
    after = [json.loads(line) for line in snapshot(ledger).split("\n") if line]
    for who in sorted({rec["event"]["issuer"] for rec in after}):
        days = sorted({rec["event"]["effective_date"] for rec in after if rec["event"]["issuer"] == who})
        for day in {days[-1], days[len(days) // 2], dt.date.today().isoformat()}:
            want = full_replay_rows(str(ledger.db), who, dt.date.fromisoformat(day))
            for projection in ("holdings", "captable", "voting"):
                got = ledger.rows(projection, "--issuer", who, "--as-of", day)
                assert got == want[projection], (projection, who, day)


# --- fixtures -------------------------------------------------------------------------


@pytest.fixture
def fresh_acme(ledger, tmp_path, request):
    """A factory of fresh copies of the acme ledger on the engine under test."""
    assert ledger("import", DATA / "acme").code == 0
    base = snapshot(ledger)
    if is_postgres(ledger.db):
        server = request.getfixturevalue("postgres_server")
        template = str(ledger.db).rsplit("/", 1)[1]
        made: list[str] = []

        def make() -> Ledger:
            name = f"f_{uuid.uuid4().hex[:16]}"
            server.create_database(name, template=template)
            made.append(name)
            if len(made) > 1:
                server.drop_database(made.pop(0))
            return Ledger(server.url(name))

        yield make, base
        for name in made:
            server.drop_database(name)
        return
    counter = iter(range(10**9))

    def make() -> Ledger:
        n = next(counter)
        copy = tmp_path / f"copy-{n}.db"
        for suffix in ("", "-wal", "-shm"):
            src = Path(str(ledger.db) + suffix)
            if src.exists():
                shutil.copyfile(src, str(copy) + suffix)
        previous = tmp_path / f"copy-{n - 1}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(str(previous) + suffix).unlink(missing_ok=True)
        return Ledger(copy)

    yield make, base


def test_fuzzed_event_files(fresh_acme, ledger, tmp_path, capsys):
    make, base = fresh_acme
    stats: Counter = Counter()
    folder = tmp_path / "files"
    folder.mkdir()
    examples = EXAMPLES if ledger.engine == "sqlite" else max(10, EXAMPLES // 4)

    @settings(max_examples=examples, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                     HealthCheck.function_scoped_fixture, HealthCheck.large_base_example])
    @given(event_files())
    def run(file):
        name, text, issuer = file
        stats["examples"] += 1
        check_one(make(), folder, name, text, issuer, base, stats)

    run()
    for name, text in RAW_FILES.items():
        stats["examples"] += 1
        check_one(make(), folder, name, text, None, base, stats)
    for name, data in RAW_BYTES.items():
        stats["examples"] += 1
        check_one(make(), folder, name, data, None, base, stats)
    report(capsys, f"fuzz[{ledger.engine}]: {stats['examples']} files imported through the CLI: "
                   f"{stats['accepted']} accepted ({stats['accepted, nothing new']} adding nothing new), "
                   f"{stats['refused']} refused in one line with the log unchanged; 0 tracebacks")
    assert stats["refused"] and stats["examples"] == stats["accepted"] + stats["refused"]


@pytest.mark.parametrize("name", ["nested.json", "laughs.yaml", "surrogate.json", "huge-int.json", "bad-date.yaml",
                                  "latin1.yaml"])
def test_hostile_files_through_the_real_command(name, tmp_path):
    """The installed command in its own process: exit 2, one line, no traceback, promptly."""
    path = tmp_path / name
    if name in RAW_BYTES:
        path.write_bytes(RAW_BYTES[name])
    else:
        path.write_text(RAW_FILES[name], encoding="utf-8")
    db = tmp_path / "l.db"
    env = child_env(tmp_path)
    ok = subprocess.run([sys.executable, "-m", "ledger", "--db", str(db), "import", str(DATA / "acme")],
                        capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
    assert ok.returncode == 0, ok.stderr
    r = subprocess.run([sys.executable, "-m", "ledger", "--db", str(db), "import", str(path)],
                       capture_output=True, text=True, cwd=ROOT, env=env, timeout=60)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert r.stderr.startswith("error: ") and name in r.stderr
