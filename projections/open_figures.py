"""How a figure the sources leave open reads to a person: "not derivable", with the bounds the
row gives (`<figure>_at_least`, `<figure>_at_most`). The row itself holds null: never 0.

Kept free of imports: the command line's renderer uses it without loading the projections."""

from __future__ import annotations

from typing import Any


def open_figure(row: dict[str, Any], column: str) -> str | None:
    """The words for an open figure; None when the figure is known (or not a figure at all)."""
    if row.get(column) is not None:
        return None
    low, high = row.get(f"{column}_at_least"), row.get(f"{column}_at_most")
    if low is None and high is None:
        return None
    unit = "%" if column.endswith("percent") else ""
    bounds = [f"at least {low:,}{unit}" if low is not None else "", f"at most {high:,}{unit}" if high is not None else ""]
    return "not derivable (" + ", ".join(b for b in bounds if b) + ")"
