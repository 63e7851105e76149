"""History is never edited: later events retract or correct earlier ones."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from events.base import Event


class EventRetracted(Event):
    type: Literal["EventRetracted"] = "EventRetracted"
    retracts: str = Field(min_length=1)
    reason: str = Field(min_length=1)


class EventCorrected(Event):
    type: Literal["EventCorrected"] = "EventCorrected"
    corrects: str = Field(min_length=1)
    replacement: dict[str, Any]
    reason: str = Field(min_length=1)
