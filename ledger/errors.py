"""The one error hierarchy: what a user can cause, each shown as one line on stderr, exit code 2.

May import: nothing of the ledger.

    LedgerError
    ├── UsageError      bad input or usage; nothing written
    │   ├── InputError  a rule broken by an event file, located by file, event and field
    │   └── StoreError  the database could not be reached or failed
    └── Conflict        another writer appended first; retry

The only other exceptions of `ledger/` are signals caught inside the job that raises them
(`intake.syntax.SyntaxRefused`, `intake.incremental.NeedsFullCheck`,
`history.state_data.Unreadable`); `tests/test_layout.py` holds that."""

from __future__ import annotations


class LedgerError(Exception):
    """Anything the command line reports as one line and exit code 2."""


class UsageError(LedgerError):
    """Bad input or usage: reported as one line, exit code 2, nothing written."""


class InputError(UsageError):
    """A rule broken by an event file, located by file, event and field.

    `index` is the event's position in its file from 0, as the loader enumerates them; the
    message counts from 1, as people do ("event 1" is the file's first event).
    """

    def __init__(self, file: str, index: int | None, event_type: str | None, field: str, rule: str):
        self.file = file
        self.index = index
        self.event_type = event_type
        self.field = field
        self.rule = rule
        where = file
        if index is not None:
            where += f": event {index + 1}"
            if event_type:
                where += f" ({event_type})"
        super().__init__(f"{where}: {field}: {rule}" if field else f"{where}: {rule}")


class NotAFiling(UsageError):
    """A document none of extract's readers reads; the message says what it looks like."""


class StoreError(UsageError):
    """The database could not be reached or failed; one line, exit 2, nothing written."""


class Conflict(LedgerError):
    """Another writer appended to the same issuer first; nothing of this batch was written."""
