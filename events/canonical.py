"""Canonical JSON: the one byte form that identities and hashes are computed over.

Keys sorted, no insignificant white space, UTF-8, decimals and dates already
strings (pydantic's JSON mode), so any language can reproduce the bytes.
"""

from __future__ import annotations

import json
from typing import Any


def canonical_json(data: Any) -> bytes:
    return json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")
