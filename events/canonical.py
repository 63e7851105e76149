"""Canonical JSON: the one byte form that identities and hashes are computed over.

Keys sorted, no insignificant white space, UTF-8, decimals and dates already
strings (pydantic's JSON mode), so any language can reproduce the bytes.

`canonical_json` is the definition. The `floatless_*` functions give the same
bytes several times faster (orjson) for data the caller knows holds no float:
orjson writes floats its own way (1e-07 as 1e-7), and only floats; whatever
else it cannot write as the standard library would, it refuses (integers past
64 bits, keys that are not strings, lone surrogates, very deep nesting), and
then the standard library writes it, or raises, exactly as before. orjson is
an accelerator, not a requirement: without it `events` still needs only
pydantic and the standard library, and the fast functions are the plain ones.
"""

from __future__ import annotations

import json
from typing import Any

try:
    import orjson
except ImportError:  # pragma: no cover  (the distribution depends on it)
    orjson = None

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


def floatless_canonical_json(data: Any) -> bytes:
    """canonical_json(data), for data that holds no float."""
    if orjson is None:
        return canonical_json(data)
    try:
        return orjson.dumps(data, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:
        return canonical_json(data)


def floatless_compact_json(data: Any) -> bytes:
    """compact_json(data), for data that holds no float."""
    if orjson is None:
        return compact_json(data)
    try:
        return orjson.dumps(data)
    except orjson.JSONEncodeError:
        return compact_json(data)


def holds_float(data: Any) -> bool:
    """Whether a float is anywhere in JSON-like data (keys aside: orjson refuses non-string keys).
    A loop, not recursion: deep data must not fail here where json.dumps would not."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, float):
            return True
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
    return False
