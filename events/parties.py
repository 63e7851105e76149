"""Who the holders are, who controls whom, and who acts as one person."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from events.base import Event, Slug


class PartyRegistered(Event):
    type: Literal["PartyRegistered"] = "PartyRegistered"
    party: Slug
    name: str = Field(min_length=1)
    kind: Literal["individual", "corporation", "partnership", "llc", "other"]
    jurisdiction: str | None = None
    aliases: tuple[str, ...] = ()
    tax_id: str | None = None


class ControlRecorded(Event):
    type: Literal["ControlRecorded"] = "ControlRecorded"
    controller: Slug
    controlled: Slug
    relation: Literal["general_partner", "managing_member", "member", "other"]

    @model_validator(mode="after")
    def _not_self(self) -> ControlRecorded:
        if self.controller == self.controlled:
            raise ValueError("controller: a party cannot control itself (control cycle)")
        return self


class GroupFormed(Event):
    type: Literal["GroupFormed"] = "GroupFormed"
    group: Slug
    name: str = Field(min_length=1)
    members: tuple[Slug, ...] = Field(min_length=1)
