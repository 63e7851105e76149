"""Filings as they come from EDGAR, taken in as one batch: each extracted, then put together.

A folder of one issuer's filings lands on one set of parties and classes: ids are CIKs (or
slugs, unified by --ids); a party, class, identifier, control relation or undisclosed holding
that several filings register is recorded once (see batch); a class or party a draft only
requires is created; and the holding inferred before a holder's first reported transaction is
kept only from the row first in the history, so that every later "owned following" figure is
checked against what the earlier filings derive. All or nothing: one filing extract does not
read refuses the whole batch.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ledger.errors import InputError, NotAFiling
from ledger.intake.extract.draft import Draft
from ledger.intake.extract.ids import Ids
from ledger.intake.extract.ownership_events import regrant_id
from ledger.intake.extract.recognise import extract_document
from ledger.intake.extract.xmltree import decode_filing
from ledger.intake.inputs import MAX_FILING_BYTES, read_user_bytes
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
    """The files under each path, in name order; hidden files and folders and README files are
    not filings, and a link leading outside the folder is refused, as for event files."""
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_file():
            out.append(path)
            continue
        if not path.is_dir():
            raise InputError(raw, None, None, "", "no such file or folder")
        root = path.resolve()
        for dirpath, dirnames, filenames in os.walk(path, followlinks=False):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for filename in sorted(filenames):
                if filename.startswith(".") or filename.lower().startswith("readme"):
                    continue
                candidate = Path(dirpath) / filename
                if not candidate.resolve().is_relative_to(root):
                    raise InputError(str(candidate), None, None, "", f"links outside {raw}; not followed")
                out.append(candidate)
    if not out:
        raise InputError(", ".join(paths), None, None, "", "no filings found")
    return out


def read_filing(path: Path) -> str:
    """A filing's text, in the encoding it declares, refused in one line if it is no readable
    file or passes the size a filing may have."""
    return decode_filing(read_user_bytes(path, limit=MAX_FILING_BYTES))


def draft_filings(paths: Iterable[str], *, ids: Mapping[str, str] | None = None,
                  filed: dt.date | None = None) -> list[tuple[Path, Draft]]:
    """Every filing's draft, in the order of the files; the first that is no filing refuses all."""
    mapping = Ids(ids)
    drafts: list[tuple[Path, Draft]] = []
    for path in filing_files(paths):
        text = read_filing(path)
        try:
            drafts.append((path, extract_document(text, path.name, ids=mapping, filed=filed)))
        except NotAFiling as exc:
            raise InputError(str(path), None, None, "", str(exc)) from None
    return drafts


def batch(drafts: list[tuple[Path, Draft]], known: Mapping[str, set[tuple]] | None = None) -> list[Loaded]:
    """The drafts put together as one batch of events, ready to import.

    What several filings register (a party, a class, a CIK, a control relation, an undisclosed
    holding) is recorded once, by the filing made public first, effective from the earliest date
    any of them needs it: so that what was public on a date folds on its own. A position's
    inferred opening is kept from the filing whose row comes first in the history. `known` gives,
    per issuer, what the ledger already records (see known_in)."""
    drafts = sorted(drafts, key=lambda item: (_filed(item[1]), _first_date(item[1]), item[0].name))
    seen: dict[str, set[tuple]] = {issuer: set(keys) for issuer, keys in (known or {}).items()}
    # Positions the ledger already holds: no opening is inferred for them. Within the batch the
    # opening is the one chosen below, whichever filing came first in order of filing.
    held = {issuer: {k for k in keys if k[0] == "position"} for issuer, keys in seen.items()}
    needed: dict[tuple, dt.date] = {}  # (issuer, registration key) -> earliest effective date
    first_opening: dict[tuple, tuple] = {}  # (issuer, position) -> (date, draft, event) of the earliest
    granted: set[tuple] = set()  # (issuer, position) of grants a filing states (code A), not infers
    for n, (_, draft) in enumerate(drafts):
        issuer = draft.document["issuer"]
        if draft.events:
            start = min(e["effective_date"] for e in draft.events)
            for key in _required_keys(draft):
                needed[(issuer, key)] = min(needed.get((issuer, key), start), start)
        for i, event in enumerate(draft.events):
            key = _once_key(event)
            if key is not None:
                date = needed.get((issuer, key))
                needed[(issuer, key)] = min(date, event["effective_date"]) if date else event["effective_date"]
            if event.get("type") == "EquityCompensationIssued" and i not in draft.openings:
                granted.add((issuer, _opening_position(event)))
            if i in draft.openings:
                where = (event["effective_date"], n, i)
                position = (issuer, _opening_position(event))
                if position not in first_opening or where < first_opening[position]:
                    first_opening[position] = where
    loaded: list[Loaded] = []
    stated: dict[tuple, list[tuple[dt.date, list[Loaded]]]] = {}  # a form's key -> (filed, stated events)
    for n, (path, draft) in enumerate(drafts):
        issuer = draft.document["issuer"]
        done = seen.setdefault(issuer, set())
        events = []
        renamed: dict[str, str] = {}
        for i, event in enumerate(draft.events):
            event = _renamed(event, renamed)
            if event.get("type") == "EquityCompensationIssued" and i not in draft.openings \
                    and ("position", event["holder"], event["grant"]) in done:
                # A grant of terms an earlier filing already holds (RSUs granted again): its own id.
                renamed[event["grant"]] = regrant_id(event["grant"], event["effective_date"])
                event = _renamed(event, renamed)
            key = _once_key(event)
            if key is not None:
                if key in done:
                    continue
                done.add(key)
                event = {**event, "effective_date": needed[(issuer, key)]}
            if i in draft.openings:
                position = _opening_position(event)
                if position in held.get(issuer, ()) or (issuer, position) in granted \
                        or first_opening[(issuer, position)][1:] != (n, i):
                    continue
            events.append(event)
        for event in events:
            for holder, security in _positions(event):
                done.add(("position", holder, security))
        form = _form_key(draft)
        events = (_required(draft, done, needed, issuer)
                  + _retractions(draft, _amended(draft, stated.get(form, [])) if form and draft.filing.get("amends")
                                 else [])
                  + events)
        data = {"document": {k: v for k, v in draft.document.items() if v is not None}, "events": events}
        items = load_document(str(path), data)
        loaded += items
        if form is not None:
            stated.setdefault(form, []).append((_filed(draft), [
                item for item in items if item.event.type not in _ONCE
                and item.event.type not in ("DocumentFiled", "EventRetracted") and item.event.inference is None]))
    return loaded


def _form_key(draft: Draft) -> tuple | None:
    """What an amendment amends: the same form of the same owners, issuer and period."""
    filing = draft.filing
    if not filing.get("owners") or not filing.get("event_date"):
        return None
    base = str(filing.get("form", "")).removesuffix("/A")
    return (draft.document["issuer"], base, filing["event_date"], tuple(sorted(filing["owners"])))


def _amended(draft: Draft, filings: list[tuple[dt.date, list[Loaded]]]) -> list[Loaded]:
    """The stated events of the filing an amendment amends: the one filed on its date of original
    submission where it gives one, else the latest filed before it."""
    original = draft.filing.get("amendment_of")
    same = [events for filed, events in filings if original is not None and filed == original]
    return same[-1] if same else (filings[-1][1] if filings else [])


def _retractions(draft: Draft, superseded: list[Loaded]) -> list[dict[str, Any]]:
    """An amendment restates the form it amends: what the earlier filing stated is retracted, from
    the amendment's filing on (the public knew the original until then)."""
    form = draft.filing.get("form")
    return [{"type": "EventRetracted", "effective_date": item.event.effective_date,
             "retracts": item.event.event_id, "reason": f"restated by the {form} {draft.document['id']}",
             "source": {"locator": "the amendment as a whole"}} for item in superseded]


def _renamed(event: dict[str, Any], renamed: Mapping[str, str]) -> dict[str, Any]:
    """The event with the grant ids `renamed` maps replaced (its grant, or the grant a reported
    holding is of)."""
    if not renamed:
        return event
    out = dict(event)
    for key in ("grant", "security"):
        if out.get(key) in renamed:
            out[key] = renamed[out[key]]
    return out


def _once_key(event: dict[str, Any]) -> tuple | None:
    kind = event.get("type")
    return (kind, *(event.get(f) for f in _ONCE[kind])) if kind in _ONCE else None


def _opening_position(event: dict[str, Any]) -> tuple:
    security = event.get("grant") if event.get("type") == "EquityCompensationIssued" else event.get("security")
    return ("position", event.get("holder"), security)


def _filed(draft: Draft) -> dt.date:
    return draft.document.get("filed") or draft.document.get("date") or dt.date.max


def read_filings(paths: Iterable[str], *, ids: Mapping[str, str] | None = None, filed: dt.date | None = None,
                 known: Mapping[str, set[tuple]] | None = None) -> list[Loaded]:
    """draft_filings, then batch."""
    return batch(draft_filings(paths, ids=ids, filed=filed), known)


def _first_date(draft: Draft) -> dt.date:
    dates = [e["effective_date"] for e in draft.events if isinstance(e.get("effective_date"), dt.date)]
    return min(dates) if dates else (draft.document.get("date") or dt.date.max)


def _positions(event: dict[str, Any]) -> list[tuple[str, str]]:
    if event.get("type") == "EquityCompensationIssued":
        return [(event["holder"], event["grant"])]
    security = event.get("security")
    return [(event[k], security) for k in ("holder", "from_holder", "to_holder") if security and event.get(k)]


def _required_keys(draft: Draft) -> list[tuple]:
    return [("SecurityClassCreated", slug) for slug in draft.requires.get("securities", {})] + [
        ("PartyRegistered", slug) for slug in draft.requires.get("parties", {})]


def _required(draft: Draft, done: set[tuple], needed: Mapping[tuple, dt.date], issuer: str) -> list[dict[str, Any]]:
    """The classes and parties a draft uses without creating them, where nothing records them yet,
    from the earliest date a filing of the batch needs them (`needed`, by issuer and key)."""
    if not draft.events:
        return []
    source = {"locator": "required by the draft: not stated by the filing"}
    out: list[dict[str, Any]] = []
    for slug, title in draft.requires.get("securities", {}).items():
        key = ("SecurityClassCreated", slug)
        if key not in done:
            done.add(key)
            kind = "preferred" if "preferred" in (title or "").lower() else "common"
            out.append({"type": "SecurityClassCreated", "effective_date": needed[(issuer, key)], "security": slug,
                        "name": title or slug, "kind": kind, "source": source})
    for slug, name in draft.requires.get("parties", {}).items():
        key = ("PartyRegistered", slug)
        if key not in done:
            done.add(key)
            out.append({"type": "PartyRegistered", "effective_date": needed[(issuer, key)], "party": slug,
                        "name": name or slug, "kind": "other", "source": source})
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


def known_records(store: Any, drafts: list[tuple[Path, Draft]]) -> dict[str, set[tuple]]:
    """What the ledger in `store` already records of the issuers the drafts are about (the log of
    no other issuer is read)."""
    from projections.fold import fold  # noqa: PLC0415
    from projections.timeline import resolve  # noqa: PLC0415

    issuers = sorted({draft.document["issuer"] for _, draft in drafts})
    return {issuer: known_in(fold(resolve(store.records(issuer)))) for issuer in issuers if store.has_log(issuer)}
