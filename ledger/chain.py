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
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from events.canonical import canonical_json

GENESIS = "0" * 64


def record_hash(record: dict[str, Any]) -> str:
    body = {k: v for k, v in record.items() if k != "hash"}
    return hashlib.sha256(canonical_json(body)).hexdigest()


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
