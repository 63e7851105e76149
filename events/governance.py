"""The board: its size and who sits on it."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import Field

from events.base import Day, Event, Quantity, Slug


class BoardSizeChanged(Event):
    """The board has `size` seats from the effective date on: done, not promised."""

    type: Literal["BoardSizeChanged"] = "BoardSizeChanged"
    SCHEMA_VERSION: ClassVar[int] = 2  # version 1 carried `deadline`: a promise (BoardSizeCommitted)
    schema_version: int = 2
    size: Quantity


class BoardSizeCommitted(Event):
    """The company undertakes to make the board `size` seats by `due`. Effective when the
    undertaking is given; whether it was kept is a separate fact (BoardSizeChanged)."""

    type: Literal["BoardSizeCommitted"] = "BoardSizeCommitted"
    size: Quantity
    due: Day
    agreement: Slug | None = None


class DirectorNominated(Event):
    type: Literal["DirectorNominated"] = "DirectorNominated"
    director: str = Field(min_length=1)
    nominated_by: Slug
    agreement: Slug | None = None


class DirectorElected(Event):
    type: Literal["DirectorElected"] = "DirectorElected"
    director: str = Field(min_length=1)


def board_size_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    """A version-1 BoardSizeChanged with a deadline recorded a promise: it becomes the
    BoardSizeCommitted it meant; without one, the same change without the empty field."""
    deadline = data.pop("deadline", None)
    if deadline is None:
        return data
    return {**data, "type": "BoardSizeCommitted", "due": deadline, "schema_version": 1}
