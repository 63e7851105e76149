"""Where exports go: never over an existing file without --force, clear errors otherwise."""

from __future__ import annotations

import os
from pathlib import Path

from ledger.errors import UsageError


def output_path(out: str, *, force: bool, directory: bool = False) -> Path:
    path = Path(out)
    if path.exists() and not force:
        raise UsageError(f"{out}: already exists (use --force to overwrite)")
    if path.exists() and path.is_dir() != directory and not (directory and force):
        kind = "a folder" if path.is_dir() else "a file"
        raise UsageError(f"{out}: is {kind}")
    parent = path.resolve().parent
    if not parent.is_dir():
        raise UsageError(f"{out}: folder {parent} does not exist")
    if not os.access(parent, os.W_OK):
        raise UsageError(f"{out}: folder {parent} is not writable")
    return path
