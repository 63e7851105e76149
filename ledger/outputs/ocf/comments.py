"""What every exported OCF object says in its comments: its source, readable, and a `ledger:`
comment with the event it comes from and what OCF has no field for."""

from __future__ import annotations

from typing import Any

from events import Event
from ledger.common.ocf import meta_comment


def source_comment(e: Event) -> str:
    s = e.source
    text = f"Source: {s.document}, {s.locator}"
    return text + (f": \u201c{s.quote}\u201d" if s.quote else "")


def comments(e: Event, meta: dict[str, Any], *notes: str) -> list[str]:
    out = [source_comment(e), *notes]
    if e.inference is not None:
        out.append(f"Inferred: {e.inference.reasoning}")
    base = {"event": e.event_id, "type": e.type, "document": e.source.document}
    if e.ref:
        base["ref"] = e.ref
    if e.inference is not None:
        base["inference"] = e.inference.model_dump(mode="json")
    out.append(meta_comment({**base, **meta}))
    return out
