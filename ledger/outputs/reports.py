"""Terminal reports that are more than one table."""

from __future__ import annotations

from rich.table import Table

from ledger.outputs.render import terminal
from projections.ownership import cover_page


def print_cover_pages(names: dict[str, str], security: str, query, rows) -> None:
    """Rows 7 to 13 for each person, titled with its name (`names`: party or group -> name)."""
    console = terminal()
    for row in rows:
        name = names.get(row["party"], row["party"])
        t = Table(title=f"{name} - {security}, as of {query.as_of}", title_justify="left", show_header=False)
        t.add_column("row", justify="right")
        t.add_column("item")
        t.add_column("value", justify="right")
        for number, label, value in cover_page(row):
            t.add_row(number, label, value)
        console.print(t)
        if row.get("missing"):
            console.print("  not complete: " + "; ".join(row["missing"]))
