"""The hash chain over the log of one issuer.

Each record is a JSON object with `sequence` (1, 2, ...), `recorded_at`,
`event_id`, `event` (envelope and payload), `prev_hash` and `hash`, where

    hash = sha256( canonical_json( record without "hash" ) )

in lower-case hex, canonical JSON being UTF-8 with keys sorted and no white
space (events.canonical), and `prev_hash` the previous record's hash (64
zeros for the first). Anyone can re-check an export with these two lines.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from events.canonical import canonical_json, floatless_canonical_json, holds_float

GENESIS = "0" * 64


def record_hash(record: dict[str, Any]) -> str:
    body = {k: v for k, v in record.items() if k != "hash"}
    # The same bytes either way (events.canonical); the fast encoder is taken only for a
    # record with no float anywhere, looked for in the whole record as read, tampered or not.
    encode = canonical_json if holds_float(body) else floatless_canonical_json
    return hashlib.sha256(encode(body)).hexdigest()


def seal(sequence: int, recorded_at: str, event_id: str, event: dict[str, Any], prev_hash: str) -> dict[str, Any]:
    record = {
        "sequence": sequence,
        "recorded_at": recorded_at,
        "event_id": event_id,
        "event": event,
        "prev_hash": prev_hash,
    }
    record["hash"] = record_hash(record)
    return record


def seal_encoded(sequence: int, recorded_at: str, prev_hash: str,
                 events: Iterable[tuple[str, dict[str, Any], bytes, bytes]]) -> Iterator[tuple[dict[str, Any], bytes]]:
    """`seal` for a run of events after `sequence`, each given as (event_id, body, the body's
    canonical JSON, the body's compact JSON): yields each record and its stored row.

    Each event body is encoded once, by the caller. The bytes hashed are put together from the
    parts in canonical key order (event, event_id, prev_hash, recorded_at, sequence): the very
    bytes canonical_json(record without "hash") gives, so the hash is `seal`'s. The row keeps
    `seal`'s key order, so a record reads back as it always has.
    """
    at = canonical_json(recorded_at)
    prev = canonical_json(prev_hash)
    for event_id, body, canonical, compact in events:
        sequence += 1
        seq = str(sequence).encode("ascii")  # how JSON writes an int
        eid = canonical_json(event_id)
        digest = hashlib.sha256(b"".join((b'{"event":', canonical, b',"event_id":', eid, b',"prev_hash":', prev,
                                          b',"recorded_at":', at, b',"sequence":', seq, b"}"))).hexdigest()
        record = {"sequence": sequence, "recorded_at": recorded_at, "event_id": event_id, "event": body,
                  "prev_hash": prev_hash, "hash": digest}
        quoted = b'"' + digest.encode("ascii") + b'"'
        yield record, b"".join((b'{"sequence":', seq, b',"recorded_at":', at, b',"event_id":', eid, b',"event":',
                                compact, b',"prev_hash":', prev, b',"hash":', quoted, b"}"))
        prev_hash, prev = digest, quoted


@dataclass(frozen=True)
class ChainProblem:
    sequence: int
    problem: str


def check_chain(records: Iterable[dict[str, Any]]) -> list[ChainProblem]:
    """Every break in the chain: altered records, reordering, gaps."""
    problems: list[ChainProblem] = []
    previous = GENESIS
    expected_sequence = 1
    for record in records:
        seq = record.get("sequence")
        if seq != expected_sequence:
            problems.append(ChainProblem(seq or -1, f"sequence {seq} where {expected_sequence} was expected"))
        if record.get("prev_hash") != previous:
            problems.append(ChainProblem(seq or -1, "prev_hash does not match the previous record's hash"))
        if record.get("hash") != record_hash(record):
            problems.append(ChainProblem(seq or -1, "hash does not match the record's contents"))
        previous = record.get("hash", "")
        expected_sequence = (seq or expected_sequence) + 1
    return problems
