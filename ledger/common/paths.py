"""Where exports go: never over an existing file without --force, clear errors otherwise, and
every file written whole or not at all."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from ledger.errors import UsageError


def output_path(out: str, *, force: bool, directory: bool = False) -> Path:
    path = Path(out)
    if os.path.lexists(path) and not force:  # a link to nothing is there too
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


@contextlib.contextmanager
def atomic_file(path: Path, *, label: str | None = None) -> Iterator[BinaryIO]:
    """A new file beside `path`, created exclusively under a random name (so no link planted
    there is followed), moved over `path` only once written whole; removed on any failure.
    A link at `path` itself is replaced, never written through."""
    try:
        fd, scratch = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    except OSError as exc:
        raise UsageError(f"{label or path}: cannot write ({exc.strerror or exc})") from None
    try:
        with os.fdopen(fd, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.chmod(scratch, 0o644)
        os.replace(scratch, path)
    except OSError as exc:
        raise UsageError(f"{label or path}: cannot write ({exc.strerror or exc})") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(scratch)


def write_file(path: Path, data: bytes, *, label: str | None = None) -> None:
    with atomic_file(path, label=label) as f:
        f.write(data)


def write_folder(out: str, files: dict[str, bytes], *, force: bool) -> Path:
    """A folder of files, each written whole (`write_file`); never over a folder without force."""
    folder = output_path(out, force=force, directory=True)
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{out}: is a file")
    clash = [name for name in files if (folder / name).is_dir()]
    if clash:
        raise UsageError(f"{folder / clash[0]}: is a folder")
    try:
        folder.mkdir(exist_ok=True)
    except OSError as exc:
        raise UsageError(f"{out}: cannot write ({exc.strerror or exc})") from None
    for name, data in files.items():
        write_file(folder / name, data, label=out)
    return folder
