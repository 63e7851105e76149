"""The benchmark's synthetic issuer is valid under the ledger's rules (smoke size; no timing)."""

from __future__ import annotations

from bench.synth import write_files
from tests.conftest import Ledger


def test_synthetic_history_imports_and_verifies(tmp_path):
    info = write_files(3000, tmp_path / "synth", seed=3, batch=1000)
    assert info["n"] == 3000 and len(info["files"]) == 3
    ledger = Ledger(tmp_path / "bench.db")
    for name in info["files"]:  # several imports, as a user loading files one by one would
        r = ledger("import", tmp_path / "synth" / name)
        assert r.code == 0, r.err
    assert ledger("verify").code == 0
    assert ledger.count() == 3000 + 1  # the events and the issuer's registry row
