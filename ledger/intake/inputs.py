"""Files a user hands the ledger (event files, drafts, exports to verify, filings): read whole
only when they are regular files of a bounded size, as UTF-8 text, each refusal one line.

A FIFO or a device named as a file would block or never end; a file past the bound is no
event file anyone wrote by hand or by export."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ledger.errors import InputError

MAX_INPUT_BYTES = 1 << 30
# What the filing reader's patterns see at most: they run in time linear in the text (a
# 3.3 MB filing of every heading repeated reads in under 5 s), and an EDGAR submission
# with all its exhibits is well under this.
MAX_FILING_BYTES = 64 << 20


def read_user_text(path: Path, *, errors: str = "strict", limit: int = MAX_INPUT_BYTES) -> str:
    data = read_user_bytes(path, limit=limit)
    try:
        return data.decode("utf-8", errors=errors)
    except UnicodeDecodeError as exc:
        raise InputError(str(path), None, None, "", f"not UTF-8 text (byte {exc.start + 1})") from None


def read_user_bytes(path: Path, *, limit: int = MAX_INPUT_BYTES) -> bytes:
    """A regular file's bytes, refused in one line if it is none, cannot be read or passes `limit`."""
    name = str(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # a FIFO opens without waiting for a writer
    except OSError as exc:
        raise InputError(name, None, None, "", f"cannot be read ({exc.strerror})") from None
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(f.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise InputError(name, None, None, "", "not a regular file")
        if info.st_size > limit:
            raise InputError(name, None, None, "", f"larger than {limit >> 20} MiB")
        try:
            data = f.read(limit + 1)
        except OSError as exc:
            raise InputError(name, None, None, "", f"cannot be read ({exc.strerror})") from None
    if len(data) > limit:
        raise InputError(name, None, None, "", f"larger than {limit >> 20} MiB")
    return data
