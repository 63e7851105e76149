"""Answer rows kept as the JSON text a read model stored them in, parsed only when read.

A holdings answer read from the validity intervals is, row for row, the text the writer
stored, joined by SQLite in the answer's order; printed as JSON it is that text as it is,
not parsed into dicts and encoded again. The standard library and orjson only: a query path
imports this without the event models.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, overload

import orjson

# Between two rows of the JSON contract: one compact object a line, indented under "rows".
SEPARATOR = ",\n    "


class StoredRows(Sequence[dict[str, Any]]):
    """A sequence of `count` rows whose JSON is `text`: compact objects joined by SEPARATOR;
    the dicts are made on first use and kept."""

    __slots__ = ("_rows", "count", "text")

    def __init__(self, text: str, count: int) -> None:
        self.text = text
        self.count = count
        self._rows: list[dict[str, Any]] | None = None

    def parsed(self) -> list[dict[str, Any]]:
        if self._rows is None:
            # One array parsed at once: no call per row.
            self._rows = orjson.loads("[" + self.text + "]")
        return self._rows

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...
    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...

    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        return self.parsed()[index]

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.parsed())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, StoredRows):
            return self.parsed() == other.parsed()
        return isinstance(other, list) and self.parsed() == other

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"StoredRows({self.parsed()!r})"
