"""Filings as they come from EDGAR, taken in as one batch: each extracted, then put together.

A folder of one issuer's filings lands on one set of parties and classes: ids are CIKs (or
slugs, unified by --ids); a party, class, identifier, control relation or undisclosed holding
that an earlier filing of the batch (or the ledger) already records is not recorded again; a
class or party a draft only requires is created; and the holding inferred before a holder's
first reported transaction is kept only for the first filing, in the order of the history,
so that every later filing's "owned following" figures are checked against what the earlier
ones derive. All or nothing: one filing extract does not read refuses the whole batch.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ledger.errors import InputError, NotAFiling
from ledger.intake.extract.draft import Draft
from ledger.intake.extract.ids import Ids
from ledger.intake.extract.recognise import extract_document
from ledger.intake.inputs import MAX_FILING_BYTES, read_user_text
from ledger.intake.loaded import Loaded
from ledger.intake.loader import load_document

# What an event records once, by its id fields.
_ONCE = {
    "PartyRegistered": ("party",),
    "SecurityClassCreated": ("security",),
    "IdentifierRecorded": ("scheme", "kind", "ledger_id"),
    "ControlRecorded": ("controller", "controlled"),
    "UndisclosedHolding": ("holder", "security"),
}


def filing_files(paths: Iterable[str]) -> list[Path]:
    """The files under each path, in name order; README files and hidden files are not filings."""
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            out += sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".")
                          and not p.name.lower().startswith("readme"))
        elif path.exists():
            out.append(path)
        else:
            raise InputError(raw, None, None, "", "no such file or folder")
    return out


def draft_filings(paths: Iterable[str], *, ids: Mapping[str, str] | None = None,
                  filed: dt.date | None = None) -> list[tuple[Path, Draft]]:
    """Every filing's draft, in the order of the history; the first that is no filing refuses all."""
    mapping = Ids(ids)
    drafts: list[tuple[Path, Draft]] = []
    for path in filing_files(paths):
        text = read_user_text(path, errors="replace", limit=MAX_FILING_BYTES)
        try:
            drafts.append((path, extract_document(text, path.name, ids=mapping, filed=filed)))
        except NotAFiling as exc:
            raise InputError(str(path), None, None, "", str(exc)) from None
    drafts.sort(key=lambda item: (_first_date(item[1]), item[0].name))
    return drafts


def batch(drafts: list[tuple[Path, Draft]], known: Mapping[str, set[tuple]] | None = None) -> list[Loaded]:
    """The drafts put together as one batch of events, ready to import.

    `known` gives, per issuer, what the ledger already records ((type, *id fields) tuples, and
    ("position", holder, security) for positions it already derives): see known_in."""
    seen: dict[str, set[tuple]] = {issuer: set(keys) for issuer, keys in (known or {}).items()}
    loaded: list[Loaded] = []
    for path, draft in drafts:
        issuer = draft.document["issuer"]
        done = seen.setdefault(issuer, set())
        events = _required(draft, done) + _kept(draft, done)
        data = {"document": {k: v for k, v in draft.document.items() if v is not None}, "events": events}
        loaded += load_document(str(path), data)
    return loaded


def read_filings(paths: Iterable[str], *, ids: Mapping[str, str] | None = None, filed: dt.date | None = None,
                 known: Mapping[str, set[tuple]] | None = None) -> list[Loaded]:
    """draft_filings, then batch."""
    return batch(draft_filings(paths, ids=ids, filed=filed), known)


def _first_date(draft: Draft) -> dt.date:
    dates = [e["effective_date"] for e in draft.events if isinstance(e.get("effective_date"), dt.date)]
    return min(dates) if dates else (draft.document.get("date") or dt.date.max)


def _kept(draft: Draft, done: set[tuple]) -> list[dict[str, Any]]:
    out = []
    for index, event in enumerate(draft.events):
        kind = event.get("type")
        if kind in _ONCE:
            key = (kind, *(event.get(f) for f in _ONCE[kind]))
            if key in done:
                continue
            done.add(key)
        if index in draft.openings:
            position = ("position", event.get("holder"), event.get("security") if kind != "EquityCompensationIssued"
                        else event.get("grant"))
            if position in done:
                continue
        for holder, security in _positions(event):
            done.add(("position", holder, security))
        out.append(event)
    return out


def _positions(event: dict[str, Any]) -> list[tuple[str, str]]:
    if event.get("type") == "EquityCompensationIssued":
        return [(event["holder"], event["grant"])]
    security = event.get("security")
    return [(event[k], security) for k in ("holder", "from_holder", "to_holder") if security and event.get(k)]


def _required(draft: Draft, done: set[tuple]) -> list[dict[str, Any]]:
    """The classes and parties a draft uses without creating them, where nothing records them yet."""
    if not draft.events:
        return []
    date = min(e["effective_date"] for e in draft.events)
    source = {"locator": "required by the draft: not stated by the filing"}
    out: list[dict[str, Any]] = []
    for slug, title in draft.requires.get("securities", {}).items():
        if ("SecurityClassCreated", slug) not in done:
            done.add(("SecurityClassCreated", slug))
            kind = "preferred" if "preferred" in (title or "").lower() else "common"
            out.append({"type": "SecurityClassCreated", "effective_date": date, "security": slug,
                        "name": title or slug, "kind": kind, "source": source})
    for slug, name in draft.requires.get("parties", {}).items():
        if ("PartyRegistered", slug) not in done:
            done.add(("PartyRegistered", slug))
            out.append({"type": "PartyRegistered", "effective_date": date, "party": slug, "name": name or slug,
                        "kind": "other", "source": source})
    return out


def known_in(state: Any) -> set[tuple]:
    """What a folded State already records, in the keys read_filings compares."""
    keys: set[tuple] = {("PartyRegistered", p) for p in state.parties}
    keys |= {("SecurityClassCreated", s) for s in state.securities}
    keys |= {("IdentifierRecorded", scheme, kind, ledger) for scheme, kind, ledger in state.identifiers}
    keys |= {("UndisclosedHolding", h, s) for h, s in state.undisclosed}
    keys |= {("ControlRecorded", controller, controlled)
             for controlled, links in state.controllers.items() for controller, _, _ in links}
    keys |= {("position", h, s) for h, s in state.shares}
    keys |= {("position", w.holder, w.warrant) for w in state.warrants.values()}
    return keys


def known_records(store: Any) -> dict[str, set[tuple]]:
    """What the ledger in `store` already records, per issuer."""
    from projections.fold import fold  # noqa: PLC0415
    from projections.timeline import resolve  # noqa: PLC0415

    return {issuer: known_in(fold(resolve(store.records(issuer)))) for issuer in store.issuers()}
