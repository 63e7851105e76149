"""Answer rows kept as the JSON text a read model stored them in, parsed only when read.

A holdings answer read from the validity intervals is, row for row, the text the writer
stored; printed as JSON it is those texts joined, not parsed into dicts and encoded again.
The standard library and orjson only: a query path imports this without the event models.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, overload

import orjson


class StoredRows(Sequence[dict[str, Any]]):
    """A sequence of rows whose JSON is `texts`, each a compact object; the dicts are made on
    first use and kept."""

    __slots__ = ("_rows", "texts")

    def __init__(self, texts: list[str]) -> None:
        self.texts = texts
        self._rows: list[dict[str, Any]] | None = None

    def parsed(self) -> list[dict[str, Any]]:
        if self._rows is None:
            # One array parsed at once: no call per row.
            self._rows = orjson.loads("[" + ",".join(self.texts) + "]")
        return self._rows

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...
    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...

    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        return self.parsed()[index]

    def __len__(self) -> int:
        return len(self.texts)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.parsed())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, StoredRows):
            return self.parsed() == other.parsed()
        return isinstance(other, list) and self.parsed() == other

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"StoredRows({self.parsed()!r})"
