"""Hostile input and faults: nothing lost, nothing leaked, nothing hangs.

Each refusal is checked the same way: exit 2, one line on stderr beginning "error: ", no
traceback, and the store (or the file a user already had) byte for byte as it was.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from ledger.cli.main import cli
from tests.conftest import ROOT, Ledger

SAVVIS = ROOT / "replay_data" / "savvis"


def run(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    return r.exit_code, r.stdout, r.stderr


def refused_in_one_line(code: int, err: str) -> None:
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in err, err


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- destructive operations build beside and swap only on success ------------------------------


@pytest.fixture
def prod(tmp_path) -> Path:
    db = tmp_path / "prod.db"
    code, _, err = run("--db", db, "replay", SAVVIS)
    assert code == 0, err
    return db


@pytest.mark.parametrize("case", ["no-such-dir", "malformed", "rule-broken"])
def test_a_failed_fresh_replay_leaves_the_old_ledger(prod, tmp_path, case):
    before = digest(prod)
    folder = tmp_path / case
    if case == "malformed":
        folder.mkdir()
        (folder / "a.yaml").write_text("document: {id: d, issuer: x}\nevents: 5\n", encoding="utf-8")
    elif case == "rule-broken":
        folder.mkdir()
        (folder / "a.yaml").write_text(
            "document: {id: d, issuer: x}\nevents:\n  - type: SharesIssued\n    effective_date: 2020-01-01\n"
            "    security: nothing\n    holder: nobody\n    quantity: 5\n    source: {locator: p, quote: q}\n",
            encoding="utf-8")
    code, _, err = run("--db", prod, "replay", folder, "--fresh")
    refused_in_one_line(code, err)
    assert digest(prod) == before
    assert sorted(p.name for p in prod.parent.iterdir() if p.name.startswith(".prod.db")) == []
    assert Ledger(prod)("verify").code == 0


def test_fresh_refuses_a_file_that_is_not_a_ledger(tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes\n", encoding="utf-8")
    code, _, err = run("--db", notes, "replay", SAVVIS, "--fresh")
    refused_in_one_line(code, err)
    assert "not a ledger" in err and notes.read_text(encoding="utf-8") == "my notes\n"
    other = tmp_path / "other.sqlite"
    import sqlite3

    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE mine (x)")
    before = digest(other)
    refused_in_one_line(*run("--db", other, "replay", SAVVIS, "--fresh")[::2])
    assert digest(other) == before


def test_a_fresh_replay_replaces_a_ledger_whole(prod):
    # The first replay's ledger had a second issuer's events added; --fresh leaves only the history.
    code, _, err = run("--db", prod, "import", ROOT / "tests" / "data" / "acme")
    assert code == 0, err
    code, _, err = run("--db", prod, "replay", SAVVIS, "--fresh")
    assert code == 0, err
    code, out, err = run("--db", prod, "export", "jsonl", "--out", "-")
    assert code == 0 and out.count("\n") == 103  # the 98 events of the five SAVVIS files and their 5 filing dates, nothing of acme
    assert not Path(str(prod) + "-wal").exists() or Ledger(prod)("verify").code == 0


# --- exports never follow a planted link -----------------------------------------------------


@pytest.mark.parametrize("kind,out", [("jsonl", "log.jsonl"), ("html", "r.html"), ("ocf", "p.ocf.zip")])
def test_exports_do_not_write_through_a_planted_link(prod, tmp_path, kind, out):
    victim = tmp_path / "victim"
    victim.write_text("precious\n", encoding="utf-8")
    target = tmp_path / out
    (tmp_path / (out + ".partial")).symlink_to(victim)  # where a writer might put its scratch file
    code, _, err = run("--db", prod, "export", kind, "--out", target)
    assert code == 0, err
    assert victim.read_text(encoding="utf-8") == "precious\n" and target.is_file() and not target.is_symlink()
    # A link at the output itself is an existing path: refused without --force, replaced with it.
    link = tmp_path / ("linked-" + out)
    link.symlink_to(victim)
    refused_in_one_line(*run("--db", prod, "export", kind, "--out", link)[::2])
    assert run("--db", prod, "export", kind, "--out", link, "--force")[0] == 0
    assert victim.read_text(encoding="utf-8") == "precious\n" and not link.is_symlink()
    dangling = tmp_path / ("dangling-" + out)
    dangling.symlink_to(tmp_path / "nowhere")
    refused_in_one_line(*run("--db", prod, "export", kind, "--out", dangling)[::2])
    assert not (tmp_path / "nowhere").exists()


def test_no_scratch_file_is_left_when_an_export_cannot_be_written(prod, tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    os.chmod(folder, 0o500)
    try:
        code, _, err = run("--db", prod, "export", "html", "--out", folder / "r.html")
        if os.geteuid() != 0:  # root writes anywhere; the check is for everyone else
            refused_in_one_line(code, err)
            assert list(folder.iterdir()) == []
    finally:
        os.chmod(folder, 0o700)


# --- no password in any message ---------------------------------------------------------------------


@pytest.mark.parametrize("password", ["s3cr/et", "a#b", "x?y=z", "p@ss:w/rd#1?", "pw[", "%2Fpct"])
@pytest.mark.parametrize("command", [["holdings"], ["import", "nothing-here"], ["verify"], ["replay", "x"]])
def test_a_password_is_never_printed(password, command):
    url = f"postgresql://alice:{password}@127.0.0.1:1/db"
    code, out, err = run("--db", url, *command)
    assert code == 2
    for secret in {password, password.split("/")[0], password.split("#")[0], password.split("?")[0]}:
        if len(secret) >= 3:
            assert secret not in out + err, (url, err)
    assert len(err.strip().splitlines()) == 1


def test_a_password_in_the_query_string_is_never_printed():
    url = "postgresql://127.0.0.1:1/db?user=alice&password=s3cr/et#x"
    code, out, err = run("--db", url, "holdings")
    assert code == 2 and "s3cr" not in out + err


# --- one strict loader ---------------------------------------------------------------------------


@pytest.fixture
def acme_db(ledger):
    """The Acme history on the engine under test (a SQLite file, or a PostgreSQL database)."""
    code, _, err = run("--db", ledger.db, "import", ROOT / "tests" / "data" / "acme")
    assert code == 0, err
    return ledger.db


def issuance(quantity: str, extra: str = "", date: str = "2021-02-01") -> str:
    return ("document: {id: hostile, issuer: acme}\nevents:\n  - type: SharesIssued\n"
            f"    effective_date: {date}\n    security: common\n    holder: alice\n    quantity: {quantity}\n"
            f"{extra}    source: {{locator: x, quote: y}}\n")


def refused_and_unchanged(db: Path, tmp_path: Path, name: str, text: str, *needles: str) -> str:
    before = run("--db", db, "export", "jsonl", "--out", "-")[1]
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    code, _, err = run("--db", db, "import", path)
    refused_in_one_line(code, err)
    for needle in needles:
        assert needle in err, err
    assert run("--db", db, "export", "jsonl", "--out", "-")[1] == before
    return err


@pytest.mark.parametrize("written,misread", [
    ("010", "8"), ("0o10", None), ("0x10", "16"), ("0b101", "5"), ("1:30", "90"), ("1_000", "1000"),
    ("+0x1F", "31"), ("-0b1", "-1"), ("0777", "511"), ("190:20:30", "685230"),
])
def test_yaml_1_1_numbers_are_refused(acme_db, tmp_path, written, misread):
    err = refused_and_unchanged(acme_db, tmp_path, "n.yaml", issuance(written))
    if misread is not None:  # 0o10 is text to YAML 1.1: the event's own check refuses it
        assert f"'{written}' is read by YAML 1.1 as the number {misread}" in err and "line 7" in err


@pytest.mark.parametrize("written", ["12.345678901234567890123", "1.5", ".inf", "-.inf", ".NaN", "1.0e+3", "10.0"])
def test_unquoted_decimals_never_pass_through_a_float(acme_db, tmp_path, written):
    refused_and_unchanged(acme_db, tmp_path, "d.yaml", issuance("5", f"    price_per_share: {written}\n"),
                          f"unquoted decimal {written}")


@pytest.mark.parametrize("name,text,needle", [
    ("dup.yaml", "document: {id: a, issuer: acme}\ndocument: {id: b, issuer: acme}\nevents: []\n", "duplicate key 'document'"),
    ("dup-inner.yaml", issuance("10").replace("    quantity: 10\n", "    quantity: 10\n    quantity: 1000000\n"),
     "duplicate key 'quantity'"),
    ("dup.json", '{"document": {"id": "d", "issuer": "acme"}, "events": [{"type": "SharesIssued", '
                 '"quantity": 10, "quantity": 1000000}]}', "duplicate key 'quantity'"),
    ("float.json", '{"document": {"id": "d", "issuer": "acme"}, "events": [{"type": "SharesIssued", '
                   '"price_per_share": 16.30}]}', "unquoted decimal 16.30"),
    ("nan.json", '{"document": {"id": "d", "issuer": "acme"}, "events": [{"type": "SharesIssued", '
                 '"quantity": NaN}]}', "NaN is not a number JSON allows"),
    ("set.yaml", "document: {id: s, issuer: acme}\nevents: !!set {a, b}\n", "!!set"),
    ("set-in-terms.yaml", "document: {id: s, issuer: acme}\nevents:\n  - type: AgreementExecuted\n"
                          "    effective_date: 2021-01-01\n    agreement: a\n    title: t\n    parties: [acme]\n"
                          "    terms: {investors: !!set {alice, bob}}\n    source: {locator: x, quote: y}\n", "!!set"),
    ("dup.jsonl", '{"type": "SharesIssued", "issuer": "acme", "issuer": "beta"}\n', "duplicate key 'issuer'"),
])
def test_duplicates_sets_and_json_floats_are_refused(acme_db, tmp_path, name, text, needle):
    refused_and_unchanged(acme_db, tmp_path, name, text, needle)


def test_a_merge_key_may_be_overridden(acme_db, tmp_path):
    text = ("base: &b {id: x, issuer: acme}\n") + issuance("5").replace("document: {id: hostile, issuer: acme}",
                                                                        "document: {<<: *b, id: merged}")
    path = tmp_path / "merge.yaml"
    path.write_text(text, encoding="utf-8")
    code, _, err = run("--db", acme_db, "import", path)
    assert "duplicate" not in err and "unknown top-level key" in err  # 'base' itself is no part of a file


def test_the_same_file_imported_twice_adds_nothing(acme_db, tmp_path):
    path = tmp_path / "ok.yaml"
    path.write_text(issuance("5", '    price_per_share: "16.30"\n'), encoding="utf-8")
    assert run("--db", acme_db, "import", path)[0] == 0
    for _ in range(3):
        code, out, _ = run("--db", acme_db, "import", path)
        assert code == 0 and "imported 0 events" in out


# --- bounds on what a file controls -------------------------------------------------------------------


@pytest.mark.parametrize("quantity,extra,date,needle", [
    ("1000000000000000000000000000000", "", "2021-02-01", "quantity: must be at most 1,000,000,000,000,000"),
    ("1000000000000001", "", "2021-02-01", "quantity: must be at most"),
    ("5", '    price_per_share: "1e999999999"\n', "2021-02-01", "price_per_share: is out of range"),
    ("5", '    price_per_share: "1e-999999999"\n', "2021-02-01", "price_per_share: is out of range"),
    ("5", '    price_per_share: "1.' + "0" * 60 + '1"\n', "2021-02-01", "has more than 40 digits"),
    ("5", "", "0001-01-01", "effective_date: must fall between 1000-01-01 and 8999-12-31"),
    ("5", "", "9999-12-31", "effective_date: must fall between"),
])
def test_figures_out_of_bounds_are_refused_at_once(acme_db, tmp_path, quantity, extra, date, needle):
    refused_and_unchanged(acme_db, tmp_path, "b.yaml", issuance(quantity, extra, date), needle)


@pytest.mark.parametrize("args", [["holdings", "--as-of", "9999-12-01"], ["ownership", "--as-of", "0001-01-01"],
                                  ["holdings", "--known-at", "9999-12-31T23:59:59Z"],
                                  ["export", "html", "--as-of", "9999-12-31", "--out", "x.html"],
                                  ["export", "csv", "--known-at", "0001-01-01T00:00:00", "--out", "c"]])
def test_dates_out_of_range_on_the_command_line(acme_db, args):
    code, _, err = run("--db", acme_db, *args)
    refused_in_one_line(code, err)
    assert "between 1000-01-01 and 8999-12-31" in err


# --- OCF figures -------------------------------------------------------------------------------------


def altered_package(prod: Path, tmp_path: Path, file: str, change) -> Path:
    """The SAVVIS package exported from `prod`, one figure changed, the manifest's md5 made to match."""
    import json

    folder = tmp_path / "pkg"
    assert run("--db", prod, "export", "ocf", "--as-of", "2004-07-02", "--out", folder)[0] == 0
    data = json.loads((folder / file).read_text(encoding="utf-8"))
    change(data["items"])
    (folder / file).write_text(json.dumps(data), encoding="utf-8")
    manifest = json.loads((folder / "Manifest.ocf.json").read_text(encoding="utf-8"))
    for key, files in manifest.items():
        if key.endswith("_files"):
            for f in files:
                f["md5"] = hashlib.md5((folder / f["filepath"]).read_bytes()).hexdigest()  # noqa: S324
    (folder / "Manifest.ocf.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


def first_with(items: list[dict], key: str) -> dict:
    return next(i for i in items if key in i)


@pytest.mark.parametrize("value,needle", [("sNaN", "is not a finite number"), ("NaN", "is not a finite number"),
                                          ("1e999999999", "is out of range"), ("Infinity", "is not a finite number"),
                                          ("ten", "is not a number"), ("1.5", "not a whole number")])
def test_ocf_quantities_are_bounded(prod, tmp_path, value, needle):
    pkg = altered_package(prod, tmp_path, "Transactions.ocf.json",
                          lambda items: first_with(items, "quantity").update(quantity=value))
    code, _, err = run("--db", tmp_path / "new.db", "import", pkg)
    refused_in_one_line(code, err)
    assert needle in err
    assert not (tmp_path / "new.db").exists() or Ledger(tmp_path / "new.db").count() == 0


@pytest.mark.parametrize("denominator,needle", [("0", "must be positive"), ("sNaN", "not a finite number"),
                                                ("-2", "must be positive")])
def test_ocf_conversion_ratios_are_checked(prod, tmp_path, denominator, needle):
    def change(items):
        for item in items:
            for right in item.get("conversion_rights", []):
                ratio = (right.get("conversion_mechanism") or {}).get("ratio")
                if ratio:
                    ratio["denominator"] = denominator
    pkg = altered_package(prod, tmp_path, "StockClasses.ocf.json", change)
    code, _, err = run("--db", tmp_path / "new.db", "import", pkg)
    refused_in_one_line(code, err)
    assert needle in err


# --- files that are not what they claim -------------------------------------------------------------------


def test_a_fifo_is_refused_not_waited_on(acme_db, tmp_path):
    folder = tmp_path / "events"
    folder.mkdir()
    (folder / "a.yaml").write_text(issuance("5"), encoding="utf-8")
    os.mkfifo(folder / "b.yaml")
    for target in (folder, folder / "b.yaml"):
        code, _, err = run("--db", acme_db, "import", target)
        refused_in_one_line(code, err)
        assert "not a regular file" in err
    code, _, err = run("extract", folder / "b.yaml", "--out", "-")
    refused_in_one_line(code, err)


@pytest.mark.parametrize("content", [bytes(range(256)), "caf\u00e9: 1\n".encode("latin-1"), b"\xff\xfe{}"])
def test_bytes_that_are_not_utf8_are_one_line_everywhere(acme_db, tmp_path, content):
    path = tmp_path / "odd.jsonl"
    path.write_bytes(content)
    refused_in_one_line(*run("verify", path)[::2])
    draft = tmp_path / "odd.yaml"
    draft.write_bytes(content)
    refused_in_one_line(*run("--db", acme_db, "reconcile", "--draft", draft)[::2])
    refused_in_one_line(*run("--db", acme_db, "import", draft)[::2])


def test_a_manifest_naming_one_member_many_times_is_refused(prod, tmp_path):
    import json

    folder = tmp_path / "pkg"
    assert run("--db", prod, "export", "ocf", "--as-of", "2004-07-02", "--out", folder)[0] == 0
    manifest = json.loads((folder / "Manifest.ocf.json").read_text(encoding="utf-8"))
    manifest["transactions_files"] = manifest["transactions_files"] * 120
    (folder / "Manifest.ocf.json").write_text(json.dumps(manifest), encoding="utf-8")
    code, _, err = run("--db", tmp_path / "new.db", "import", folder)
    refused_in_one_line(code, err)
    assert "more than once" in err


# --- verify proves the whole ----------------------------------------------------------------------------


def test_verify_sees_records_deleted_from_the_end_of_the_log(prod, tmp_path):
    import sqlite3

    assert run("--db", prod, "holdings", "--as-of", "2004-07-02")[0] == 0  # the read models follow the log
    with sqlite3.connect(prod) as conn:
        conn.execute("delete from ledger_events where rowid=(select max(rowid) from ledger_events)")
    for _ in range(2):  # and keeps seeing it: verify leaves the evidence where it is
        code, _, err = run("--db", prod, "verify")
        assert code == 1 and "the log ends before record 103" in err and "records were removed" in err


def sql(ledger: Ledger, *statements: str) -> None:
    """Statements run behind the ledger's back, through the engine itself."""
    if ledger.engine == "postgres":
        import psycopg  # noqa: PLC0415

        with psycopg.connect(str(ledger.db)) as conn:
            for statement in statements:
                conn.execute(statement)
        return
    import sqlite3  # noqa: PLC0415

    with sqlite3.connect(ledger.db) as conn:
        conn.executescript(";\n".join(statements))


REGISTRY = "1988f2052fa65d7dacc27a8d0220d1b6"  # uuid5(NAMESPACE, "issuers") (ledger.log.store.REGISTRY_STREAM)


def test_verify_sees_a_registry_record_removed(ledger):
    from ledger.log.store import REGISTRY_STREAM

    assert REGISTRY_STREAM.hex == REGISTRY
    assert ledger("import", SAVVIS).code == 0
    where = f"'{REGISTRY_STREAM}'" if ledger.engine == "postgres" else f"'{REGISTRY}'"
    sql(ledger, f"delete from ledger_events where originator_id = {where}")  # noqa: S608
    r = ledger("verify")
    assert r.code == 1 and "103 stored records belong to no issuer the registry names" in r.err
    assert "empty ledger" not in r.out


TRIGGER = {
    "sqlite": ["create trigger eat after insert on ledger_events begin "
               "delete from ledger_events where rowid = new.rowid; end"],
    "postgres": ["create function eat() returns trigger language plpgsql as $$ begin "
                 "delete from ledger_events where originator_id = new.originator_id "
                 "and originator_version = new.originator_version; return null; end $$",
                 "create trigger eat after insert on ledger_events for each row execute function eat()"],
}


def test_a_trigger_on_the_ledger_is_reported_and_refused(ledger):
    assert ledger("import", SAVVIS).code == 0
    sql(ledger, *TRIGGER[ledger.engine])
    r = ledger("verify")
    assert r.code == 1 and "trigger eat on ledger_events: not created by the ledger" in r.err
    before = ledger.count()
    r = ledger("import", ROOT / "tests" / "data" / "acme")
    refused_in_one_line(r.code, r.err)
    assert "carries trigger eat on ledger_events" in r.err and ledger.count() == before


def test_verify_reports_what_a_sqlite_ledger_file_holds_beside_the_ledger(prod):
    import sqlite3

    with sqlite3.connect(prod) as conn:
        conn.executescript("create view peek as select 1; create table notes (x)")
    code, _, err = run("--db", prod, "verify")
    assert code == 1 and "view peek: not created by the ledger" in err and "table notes: not created" in err


# --- a commit that succeeded is reported as one ---------------------------------------------------


def test_the_server_going_away_just_after_the_commit_is_not_a_failed_import(postgres_server, monkeypatch, tmp_path):
    """Between the commit and the read models' catching up, every connection to the database is
    cut and new ones are refused: the import still says what it wrote, and it was written."""
    import psycopg

    from ledger.history.readmodel import ReadModel

    monkeypatch.setenv("LEDGER_CACHE", str(tmp_path / "cache"))
    postgres_server.create_database("gone")
    url = postgres_server.url("gone")
    admin = postgres_server.url("postgres")

    def cut(allow: bool) -> None:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f"alter database gone allow_connections {str(allow).lower()}")
            if not allow:
                conn.execute("select pg_terminate_backend(pid) from pg_stat_activity where datname = 'gone'")

    follow = ReadModel.follow_written

    def cut_then_follow(self, issuer, written, *derived):
        cut(False)
        return follow(self, issuer, written, *derived)

    monkeypatch.setattr(ReadModel, "follow_written", cut_then_follow)
    try:
        code, out, err = run("--db", url, "import", SAVVIS)
    finally:
        cut(True)
        monkeypatch.setattr(ReadModel, "follow_written", follow)
    assert code == 0, err
    assert "imported 103 events" in out
    assert Ledger(url).count() == 103 + 1  # and the registry's record
    code, _, err = run("--db", url, "verify")
    assert code == 0, err
    postgres_server.drop_database("gone")


# --- small inputs that hung or leaked ---------------------------------------------------------------


@pytest.mark.parametrize("password", ["p", "po", "pos"])
def test_a_short_password_is_masked_without_mangling_the_message(password):
    code, _, err = run("--db", f"postgresql://u:{password}@[::1/db", "holdings")
    refused_in_one_line(code, err)
    assert "postgresql://u:***@[::1/db" in err and "postgresql://user:password@host:port/dbname" in err


@pytest.mark.parametrize("change", [
    lambda items: items[0].update(name="just a string"),
    lambda items: items[0].update(name=["a", "list"]),
    lambda items: items.__setitem__(0, "not an object"),
])
def test_ocf_objects_of_the_wrong_shape_are_one_line(prod, tmp_path, change):
    pkg = altered_package(prod, tmp_path, "Stakeholders.ocf.json", change)
    code, _, err = run("--db", tmp_path / "new.db", "import", pkg)
    refused_in_one_line(code, err)
    assert not (tmp_path / "new.db").exists() or Ledger(tmp_path / "new.db").count() == 0


def test_a_damaged_read_model_row_is_answered_from_the_log(prod):
    import sqlite3

    want = run("--db", prod, "holdings", "--as-of", "2004-07-02", "--format", "json")[1]
    with sqlite3.connect(prod) as conn:
        conn.execute("update rm_timeline set body = '{not json' where rowid = (select min(rowid) from rm_timeline)")
    code, out, err = run("--db", prod, "holdings", "--as-of", "2004-07-02", "--format", "json")
    assert code == 0, err
    import json

    assert json.loads(out)["rows"] == json.loads(want)["rows"]
    code, _, err = run("--db", prod, "verify")
    assert code == 1 and "read models cannot be rebuilt" in err


def test_a_damaged_log_row_is_one_line_for_queries_and_verify(prod):
    import sqlite3

    with sqlite3.connect(prod) as conn:
        conn.execute("update ledger_events set state = x'00ff' where rowid = (select max(rowid) from ledger_events)")
    for args in (["holdings", "--as-of", "2004-07-02"], ["captable"], ["history"]):
        code, _, err = run("--db", prod, *args)
        refused_in_one_line(code, err)
        assert "record 103 of issuer 'savvis' is not a ledger record" in err
    code, _, err = run("--db", prod, "verify")
    assert code == 1 and "record 103" in err


def test_a_filing_past_the_bound_is_refused_before_any_pattern_reads_it(tmp_path):
    from ledger.intake.inputs import MAX_FILING_BYTES

    big = tmp_path / "big.txt"
    with big.open("wb") as f:
        f.truncate(MAX_FILING_BYTES + 1)  # sparse: no disk used
    code, _, err = run("extract", big, "--out", "-")
    refused_in_one_line(code, err)
    assert "larger than 64 MiB" in err
