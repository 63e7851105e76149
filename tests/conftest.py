from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from ledger.cli import cli

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).parent.parent


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> dict:
        return json.loads(self.out)


class Ledger:
    """The CLI, run in-process against a real SQLite file."""

    def __init__(self, db: Path):
        self.db = db

    def __call__(self, *args: str) -> Result:
        runner = CliRunner()
        r = runner.invoke(cli, ["--db", str(self.db), *map(str, args)], catch_exceptions=False)
        return Result(r.exit_code, r.stdout, r.stderr)

    def rows(self, *args: str) -> list[dict]:
        r = self(*args, "--format", "json")
        assert r.code == 0, r.err
        return r.json()["rows"]

    def count(self) -> int:
        if not self.db.exists():
            return 0
        with sqlite3.connect(self.db) as c:
            tables = {t for (t,) in c.execute("select name from sqlite_master where type='table'")}
            if "ledger_events" not in tables:
                return 0
            return c.execute("select count(*) from ledger_events").fetchone()[0]


@pytest.fixture
def ledger(tmp_path: Path) -> Ledger:
    return Ledger(tmp_path / "ledger.db")
