"""Rows out: a terminal table, the JSON contract, or CSV."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import orjson

from ledger.common.stored_rows import SEPARATOR, StoredRows
from projections.open_figures import open_figure

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

FORMATS = ("table", "json", "csv")
# Columns of sentences get the room that figures do not need.
PROSE = {"explanation", "missing", "what", "quote", "inferred", "sources"}


def cell(value: Any, *, mapping_as_json: bool = True) -> str:
    """One value as a person reads it in a table: thousands separators, yes/no, lists joined."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:.4f}"
    if isinstance(value, list | tuple):
        return "; ".join(cell(v, mapping_as_json=mapping_as_json) for v in value)
    if isinstance(value, dict):
        if mapping_as_json:
            return json.dumps(value, ensure_ascii=False, default=str)
        return ", ".join(f"{k}: {cell(v, mapping_as_json=False)}" for k, v in value.items())
    return str(value)


def shown(row: dict[str, Any], column: str) -> str:
    """A row's value in a table: the figure, or an open figure with its bounds."""
    figure = open_figure(row, column)
    return figure if figure is not None else cell(row.get(column))


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"cannot encode {type(value).__name__}")


def to_json(header: dict[str, Any], rows: Sequence[dict[str, Any]]) -> str:
    """The JSON contract: the header's keys indented by two spaces, then `rows`, one compact
    object a line. Rows the intervals stored as JSON (StoredRows) are their text as stored and
    joined, which is the same rows encoded the same way: nothing is parsed to be encoded again. Other
    rows are written by orjson (the standard library's encoder is several times slower on a
    large answer); the text is the standard library's but for a float under 1e-4, which orjson
    writes out (0.00005 for 5e-05): the same number (no projection yields NaN or an infinity,
    which orjson would write as null). A row orjson refuses (an integer past 64 bits, a value
    with no JSON form) goes to the standard library's encoder, which encodes it or raises."""
    text = rows.text if isinstance(rows, StoredRows) else SEPARATOR.join(_row_json(r) for r in rows)
    head = "".join(f"  {_row_json(k)}: {_row_json(v)},\n" for k, v in header.items())
    body = "\n    " + text + "\n  " if text else ""
    return "{\n" + head + '  "rows": [' + body + "]\n}"


def _row_json(value: Any) -> str:
    try:
        return orjson.dumps(value, default=_json_default, option=orjson.OPT_NON_STR_KEYS
                            | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS).decode()
    except orjson.JSONEncodeError:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=_json_default)


def to_csv(rows: Sequence[dict[str, Any]], columns: Sequence[str] | None = None) -> str:
    columns = list(columns or _columns(rows))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _csv_value(row.get(k)) for k in columns})
    return out.getvalue()


def _csv_value(value: Any) -> Any:
    if isinstance(value, list | tuple | dict):
        return json.dumps(value, ensure_ascii=False, default=_json_default)
    return value


def _columns(rows: Sequence[dict[str, Any]]) -> list[str]:
    seen: dict[str, None] = {}
    for row in rows:
        for key in row:
            seen.setdefault(key, None)
    return list(seen)


BOUNDS = ("_at_least", "_at_most")


def table(title: str, rows: Sequence[dict[str, Any]], columns: Sequence[str] | None = None) -> Table:
    # A column empty in every row says nothing in a table (JSON and CSV keep it).
    from rich.table import Table  # noqa: PLC0415  (rich loads only when a table is drawn)

    # A figure's bounds read in its own cell ("not derivable (at least ...)"), not as columns.
    columns = [c for c in (columns or _columns(rows)) if not c.endswith(BOUNDS)
               and any(r.get(c) not in (None, "") or open_figure(r, c) for r in rows)]
    t = Table(title=title, title_justify="left", show_lines=False)
    for col in columns:
        numeric = any(isinstance(r.get(col), int | float) and not isinstance(r.get(col), bool) for r in rows)
        prose = col in PROSE
        t.add_column(col, justify="right" if numeric else "left", overflow="fold",
                     ratio=3 if prose else 1, min_width=24 if prose else None)
    for row in rows:
        t.add_row(*(shown(row, c) for c in columns))
    return t


def terminal() -> Console:
    """A console as wide as the terminal, or 160 columns when output is piped."""
    from rich.console import Console  # noqa: PLC0415

    console = Console()
    return console if console.is_terminal else Console(width=160)


def emit(fmt: str, title: str, header: dict[str, Any], rows: Sequence[dict[str, Any]],
         columns: Sequence[str] | None = None, console: Console | None = None) -> None:
    if fmt == "json":
        print(to_json(header, rows))
    elif fmt == "csv":
        # The columns chosen for the table first; no key a row has is dropped (an open
        # figure's bounds, a denominator's source).
        if columns is not None:
            columns = [*columns, *(k for k in _columns(rows) if k not in columns)]
        print(to_csv(rows, columns), end="")
    else:
        sub = ", ".join(f"{k} {v}" for k, v in header.items())
        heading = f"{title} ({sub})" if sub else title
        if not rows:
            # An empty table would print only a blank line, which reads as a failure.
            print(f"{heading}: no rows")
            return
        (console or terminal()).print(table(heading, rows, columns))
