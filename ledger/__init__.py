"""The application: the log, the history, intake, checks, outputs, the library and the CLI.

`from ledger import Ledger` is the library (ledger.api), loaded only when asked for, so that
the command line starts without it.

May import: ledger.api."""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name in ("Ledger", "Answer"):
        from ledger import api  # noqa: PLC0415

        return getattr(api, name)
    raise AttributeError(f"module 'ledger' has no attribute {name!r}")
