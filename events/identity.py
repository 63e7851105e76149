"""Deterministic event identities, so that importing the same file twice adds nothing."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any, Protocol

from events.canonical import canonical_json, floatless_canonical_json


class Identified(Protocol):
    """What an identity is taken from: an event (events.base.Event), named here by what is
    used of it, so that the events' base module can import this one and not the reverse."""

    ENVELOPE: frozenset[str]

    def floatless(self, data: dict[str, Any]) -> bool: ...

    def model_dump(self, **kwargs: Any) -> dict[str, Any]: ...

# A fixed namespace for this product's uuid5 identities.
NAMESPACE = uuid.UUID("6f1c2a52-3b0e-5d7c-9a41-0c6e8f1d2b37")
_NAMESPACE_BYTES = NAMESPACE.bytes


def identity_basis(event: Identified, data: dict[str, Any] | None = None) -> bytes:
    """The bytes an event's id is derived from: issuer, type, date, payload and source.

    `data` is the event's JSON-mode dump (exclude_none), if the caller has it already:
    the basis is taken from one dump rather than from two.
    """
    if data is None:
        data = event.model_dump(mode="json", exclude_none=True)
    envelope = event.ENVELOPE
    encode = floatless_canonical_json if event.floatless(data) else canonical_json
    return encode(
        {
            "issuer": data["issuer"],
            "type": data["type"],
            "effective_date": data["effective_date"],
            "payload": {k: v for k, v in data.items() if k not in envelope},
            # Every Source field is a required or defaulted string: exclude_none drops nothing.
            "source": data["source"],
        }
    )


def uuid5_text(basis: bytes) -> str:
    """str(uuid.uuid5(NAMESPACE, basis)) without building UUID objects: sha1 of namespace and
    name, with the version (5) and RFC 4122 variant bits set, as the uuid module does."""
    h = hashlib.sha1(_NAMESPACE_BYTES + basis).hexdigest()
    return f"{h[:8]}-{h[8:12]}-5{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:32]}"


def event_id(event: Identified, data: dict[str, Any] | None = None) -> str:
    return uuid5_text(identity_basis(event, data))


def stored_event_id(data: dict[str, Any], envelope: frozenset[str]) -> str:
    """The id of an event as it was stored, from its stored JSON: what a record written under
    an older schema version, and read today as its upcast, was identified by."""
    return uuid5_text(canonical_json({
        "issuer": data.get("issuer"), "type": data.get("type"), "effective_date": data.get("effective_date"),
        "payload": {k: v for k, v in data.items() if k not in envelope}, "source": data.get("source"),
    }))


def issuer_stream_id(issuer: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"issuer:{issuer}")
