"""An event read from a file, with where it came from: what every reader of files (event files,
OCF packages, filings) hands the importer, so that an error can point at its source."""

from __future__ import annotations

from dataclasses import dataclass

from events import Event


@dataclass(frozen=True, slots=True)  # slots: no __dict__ per event for the collector to scan
class Loaded:
    """One event and where it came from, so errors can point at it."""

    file: str
    index: int
    event: Event
    # Where in the file, when the index alone does not say: an OCF package's file and object.
    place: str = ""

    @property
    def described(self) -> str:
        """The event's type, and its place where there is one, as an error names it."""
        return f"{self.event.type}, from {self.place}" if self.place else self.event.type
