"""Progress bars for long imports and exports: on stderr, only when it is a terminal, only when long.

`progress(items, total, label)` yields the items unchanged. Below THRESHOLD
items, or when stderr is not a terminal (pipes, CI, tests), it draws
nothing, so JSON and CSV on stdout are never touched.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")

THRESHOLD = 5000


def enabled(total: int | None, *, stream=None) -> bool:
    stream = stream if stream is not None else sys.stderr
    isatty = getattr(stream, "isatty", None)
    return bool(total is not None and total >= THRESHOLD and isatty is not None and isatty())


def progress(items: Iterable[T], total: int | None, label: str) -> Iterator[T]:
    if not enabled(total):
        yield from items
        return
    from rich.console import Console  # noqa: PLC0415
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn  # noqa: PLC0415

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=total)
        for item in items:
            yield item
            bar.advance(task)
