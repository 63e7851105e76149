"""Deterministic event identities, so that importing the same file twice adds nothing."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from events.canonical import canonical_json

if TYPE_CHECKING:
    from events.base import Event

# A fixed namespace for this product's uuid5 identities.
NAMESPACE = uuid.UUID("6f1c2a52-3b0e-5d7c-9a41-0c6e8f1d2b37")


def identity_basis(event: Event) -> bytes:
    source = event.source.model_dump(mode="json")
    return canonical_json(
        {
            "issuer": event.issuer,
            "type": event.type,
            "effective_date": event.effective_date.isoformat(),
            "payload": event.payload(),
            "source": source,
        }
    )


def event_id(event: Event) -> str:
    return str(uuid.uuid5(NAMESPACE, identity_basis(event).decode("utf-8")))


def issuer_stream_id(issuer: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"issuer:{issuer}")
