"""The journal: recorded events with their sources, filterable by party or security.

Filtered by party, it holds the events that name the party and those that act on a warrant
or note the party holds (an exercise names only the warrant)."""

from __future__ import annotations

import datetime as dt
from typing import Any

PARTY_FIELDS = ("party", "holder", "from_holder", "to_holder", "controller", "controlled", "group",
                "members", "parties", "consented_by", "voters", "in_favor_of", "requested_by",
                "nominated_by", "subject")  # a statement about a party names it as its subject
SECURITY_FIELDS = ("security", "securities", "converts_to", "warrant", "note", "grant", "safe", "convertible", "plan")


def _names(event: dict[str, Any], fields: tuple[str, ...]) -> set[str]:
    out: set[str] = set()
    for f in fields:
        value = event.get(f)
        if isinstance(value, str):
            out.add(value)
        elif isinstance(value, list):
            out.update(v for v in value if isinstance(v, str))
    replacement = event.get("replacement")
    if isinstance(replacement, dict):
        out |= _names(replacement, fields)
    return out


INSTRUMENT_FIELDS = ("warrant", "note", "grant", "safe", "convertible")


def _instruments_held(records: list[dict[str, Any]], party: str) -> set[str]:
    """The warrants and notes `party` was ever issued or transferred: their exercises and
    conversions made its holdings, though those events name only the instrument."""
    held: set[str] = set()
    for record in records:
        event = record["event"]
        for e in (event, event.get("replacement")):
            if isinstance(e, dict) and party in (e.get("holder"), e.get("to_holder")):
                held |= _names(e, INSTRUMENT_FIELDS)
    return held


def journal_rows(records: list[dict[str, Any]], known_at: dt.datetime | None = None, *,
                 party: str | None = None, security: str | None = None,
                 warrant_underlying: dict[str, str] | None = None,
                 disclosed_at: dt.date | None = None) -> list[dict[str, Any]]:
    """Each event with its three times: `effective_date` (valid time), `recorded_at` (when the
    ledger learned it) and `disclosed_at` (when its document became public, null if unknown);
    with `disclosed_at` given, only the events of documents public by then."""
    records = [r for r in records
               if known_at is None or dt.datetime.fromisoformat(r["recorded_at"]) <= known_at]
    filed = {r["event"]["document"]: r["event"]["effective_date"] for r in records
             if r["event"].get("type") == "DocumentFiled"}
    if disclosed_at is not None:
        day = disclosed_at.isoformat()
        records = [r for r in records if (filed.get(_document(r["event"])) or "9999") <= day]
    held = _instruments_held(records, party) if party is not None else set()
    rows = []
    for record in records:
        event = record["event"]
        if party is not None and party not in _names(event, PARTY_FIELDS) \
                and not held & _names(event, INSTRUMENT_FIELDS):
            continue
        if security is not None and security not in _names(event, SECURITY_FIELDS):
            continue
        rows.append({"sequence": record["sequence"], "event_id": record["event_id"],
                     "recorded_at": record["recorded_at"], "disclosed_at": filed.get(_document(event)), **event})
    return rows


def _document(event: dict[str, Any]) -> str | None:
    if event.get("type") == "DocumentFiled":
        return event.get("document")
    return (event.get("source") or {}).get("document")


def summary(event: dict[str, Any]) -> str:
    skip = {"type", "schema_version", "issuer", "effective_date", "recorded_at", "disclosed_at", "source", "ref",
            "inference", "event_id", "sequence", "terms", "replacement"}
    parts = [f"{k}={v}" for k, v in event.items() if k not in skip and v not in ((), [], None)]
    if "terms" in event:
        parts.append(f"terms: {len(event['terms'].get('rights', []))} rights")
    if "replacement" in event:
        parts.append(f"replacement={event['replacement']}")
    return ", ".join(parts)


def journal_table_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for r in rows:
        source = r.get("source", {})
        inference = r.get("inference")
        out.append({
            "#": r["sequence"],
            "effective": r["effective_date"],
            "recorded": r["recorded_at"][:19].replace("T", " "),
            "disclosed": r.get("disclosed_at") or "",
            "type": r["type"],
            "what": summary(r),
            "source": f"{source.get('document')} / {source.get('locator')}",
            "quote": source.get("quote", ""),
            "inferred": inference["reasoning"] if inference else "",
        })
    return out
