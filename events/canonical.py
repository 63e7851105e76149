"""Canonical JSON: the one byte form that identities and hashes are computed over.

Keys sorted, no insignificant white space, UTF-8, decimals and dates already
strings (pydantic's JSON mode), so any language can reproduce the bytes.
"""

from __future__ import annotations

import json
from typing import Any

# Built once: json.dumps with these keywords builds a new encoder on every call, which
# costs as much as encoding a small event. Same settings, so the same bytes.
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
_COMPACT = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def canonical_json(data: Any) -> bytes:
    return _ENCODER.encode(data).encode("utf-8")


def compact_json(data: Any) -> bytes:
    """Like canonical_json but with the keys in their own order: for stored rows, which are
    read back with json.loads and shown in that order, never hashed as they are."""
    return _COMPACT.encode(data).encode("utf-8")

