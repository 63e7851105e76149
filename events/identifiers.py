"""Identifiers other systems give what the ledger names by its own ids."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from events.base import Event, Slug


class IdentifierRecorded(Event):
    """`external`, in another system's scheme (an OCF package's object id, say), names what the
    ledger calls `ledger_id`: kept so that what the ledger writes back in that scheme (an OCF
    export) restores the other system's id. It changes no figure."""

    type: Literal["IdentifierRecorded"] = "IdentifierRecorded"
    scheme: Literal["ocf", "sec"]  # sec: a CIK
    kind: Literal["issuer", "party", "security", "plan", "instrument"]
    external: str = Field(min_length=1)
    ledger_id: Slug
