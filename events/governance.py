"""The board: its size and who sits on it."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from events.base import Day, Event, Quantity, Slug


class BoardSizeChanged(Event):
    type: Literal["BoardSizeChanged"] = "BoardSizeChanged"
    size: Quantity
    deadline: Day | None = None


class DirectorNominated(Event):
    type: Literal["DirectorNominated"] = "DirectorNominated"
    director: str = Field(min_length=1)
    nominated_by: Slug
    agreement: Slug | None = None


class DirectorElected(Event):
    type: Literal["DirectorElected"] = "DirectorElected"
    director: str = Field(min_length=1)
