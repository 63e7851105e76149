"""The key that signs this user's checkpoints, so that only checkpoints made here are unpickled.

A checkpoint is a pickled State, and unpickling runs whatever the bytes say: a ledger
file from elsewhere could carry code in its `rm_checkpoints` rows. Each blob is
signed (HMAC-SHA256) with a random key kept outside every ledger file; a blob whose
signature does not check, however it came, is never unpickled: it is rebuilt from the
log, which is plain JSON.

The key lives in LEDGER_CHECKPOINT_KEY if set, else in
$XDG_DATA_HOME/ledger/checkpoint.key (~/.local/share/...). Where it cannot be kept,
a key for this process alone is used: checkpoints then serve only this process.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import stat
from pathlib import Path

KEY_BYTES = 32
SIGNATURE_BYTES = hashlib.sha256().digest_size

_key: bytes | None = None


def key_path() -> Path:
    explicit = os.environ.get("LEDGER_CHECKPOINT_KEY")
    if explicit:
        return Path(explicit)
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data) / "ledger" / "checkpoint.key"


def _read_key(path: Path) -> bytes:
    """At most a key's length and one byte more, from a regular file only: a FIFO or a device
    named as the key (/dev/urandom) would block or never end."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
            raise OSError(f"{path}: not a regular file")
        return f.read(KEY_BYTES + 1)


def _load_or_create(path: Path) -> bytes:
    try:
        key = _read_key(path)
    except FileNotFoundError:
        key = None
    if key is not None and len(key) == KEY_BYTES:
        return key
    path.parent.mkdir(parents=True, exist_ok=True)
    fresh = secrets.token_bytes(KEY_BYTES)
    # Written whole under a private name, then linked into place: of several processes making
    # the key at once, one link wins, and the others read a complete key, never a partial one.
    scratch = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(fresh)
            f.flush()
            os.fsync(f.fileno())
        os.link(scratch, path)
        return fresh
    except FileExistsError:
        key = _read_key(path)
        if len(key) != KEY_BYTES:
            raise OSError(f"{path}: not a checkpoint key ({len(key)} bytes, expected {KEY_BYTES})") from None
        return key
    finally:
        scratch.unlink(missing_ok=True)


def key() -> bytes:
    global _key
    if _key is None:
        try:
            _key = _load_or_create(key_path())
        except (OSError, RuntimeError):  # RuntimeError: no home directory (a uid without a passwd entry)
            _key = secrets.token_bytes(KEY_BYTES)
    return _key


def forget_key() -> None:
    """Read the key again on next use (after LEDGER_CHECKPOINT_KEY changes)."""
    global _key
    _key = None


def sign(*parts: bytes) -> bytes:
    mac = hmac.new(key(), digestmod=hashlib.sha256)
    for part in parts:
        # Length-prefixed, so that no two different lists of parts sign alike.
        mac.update(len(part).to_bytes(8, "big"))
        mac.update(part)
    return mac.digest()


def verify(signature: bytes, *parts: bytes) -> bool:
    return hmac.compare_digest(signature, sign(*parts))
