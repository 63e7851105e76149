"""Errors a user can cause. Each becomes one line on stderr and exit code 2."""

from __future__ import annotations


class UsageError(Exception):
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


class Conflict(Exception):
    """Another writer appended to the same issuer first; nothing of this batch was written."""
