"""The checkpoint key: made once per user, private, kept; a bad key file never stops a query."""

from __future__ import annotations

import stat

import pytest

from ledger.history import signing


@pytest.fixture
def key_file(tmp_path, monkeypatch):
    path = tmp_path / "keys" / "checkpoint.key"
    monkeypatch.setenv("LEDGER_CHECKPOINT_KEY", str(path))
    signing.forget_key()
    yield path
    monkeypatch.undo()
    signing.forget_key()


def test_the_key_is_made_once_readable_by_its_owner_only(key_file):
    first = signing.key()
    assert key_file.read_bytes() == first and len(first) == 32
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    signing.forget_key()
    assert signing.key() == first  # a later process signs alike


def test_signatures_depend_on_every_part_and_on_where_parts_split(key_file):
    mac = signing.sign(b"state/3:", b"acme", b"2020-01-01", b"payload")
    assert signing.verify(mac, b"state/3:", b"acme", b"2020-01-01", b"payload")
    assert not signing.verify(mac, b"state/3:", b"acme", b"2020-01-02", b"payload")
    assert not signing.verify(mac, b"state/3:", b"acm", b"e2020-01-01", b"payload")


def test_a_damaged_key_file_falls_back_to_a_key_for_this_process(key_file):
    key_file.parent.mkdir(parents=True)
    key_file.write_bytes(b"short")
    key = signing.key()
    assert len(key) == 32 and key_file.read_bytes() == b"short"  # left as found
    assert signing.verify(signing.sign(b"x"), b"x")


def test_processes_making_the_key_at_once_all_get_the_one_kept(key_file):
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(4) as pool:
        keys = pool.map(_fresh_key, range(8))
    assert set(keys) == {key_file.read_bytes()}
    assert [p.name for p in key_file.parent.iterdir()] == ["checkpoint.key"]  # no scratch left


def _fresh_key(_: int) -> bytes:
    signing.forget_key()
    return signing.key()


def test_no_home_directory_falls_back_to_a_key_for_this_process(monkeypatch):
    """A uid with no passwd entry and no HOME: Path.home() raises RuntimeError, not OSError."""
    from pathlib import Path

    def homeless() -> Path:
        raise RuntimeError("Could not determine home directory.")

    for name in ("LEDGER_CHECKPOINT_KEY", "XDG_DATA_HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(Path, "home", staticmethod(homeless))
    signing.forget_key()
    try:
        assert len(signing.key()) == 32
        assert signing.verify(signing.sign(b"x"), b"x")
    finally:
        monkeypatch.undo()
        signing.forget_key()
