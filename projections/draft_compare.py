"""A draft extracted from a filing, against what the ledger already records.

Drafts name parties by slugs made from the filing's own words, so parties are
matched by name (any recorded alias counts); warrants by their number, else
by quantity and date.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from events import BeneficialOwnershipReported, Event, PartyRegistered, WarrantIssued
from projections.reconcile import normal_name, row

COVER_FIELDS = ("beneficially_owned", "percent", "sole_voting", "shared_voting", "sole_dispositive",
                "shared_dispositive", "reporting_type")


def compare_draft(draft: Sequence[dict[str, Any]], history: Sequence[Event]) -> list[dict[str, Any]]:
    parties = [e for e in history if isinstance(e, PartyRegistered)]
    by_name = {normal_name(n): p.party for p in parties for n in (p.name, *p.aliases)}
    names = {e["party"]: e["name"] for e in draft if e.get("type") == "PartyRegistered"}
    holders = {e["party"]: by_name.get(normal_name(e["name"])) for e in draft if e.get("type") == "PartyRegistered"}
    rows: list[dict[str, Any]] = []
    for e in draft:
        kind = e.get("type")
        where = [f"draft, {e.get('source', {}).get('locator', '?')}"]
        if kind == "PartyRegistered":
            rows += _party(e, holders.get(e["party"]), {p.party: p for p in parties}, where)
        elif kind == "BeneficialOwnershipReported":
            mapped = holders.get(e["party"]) or by_name.get(normal_name(names.get(e["party"], "")))
            rows += _cover(e, mapped, history, where)
        elif kind == "WarrantIssued":
            rows += _warrant(e, history, holders.get(e.get("holder", "")), where)
    return rows


def _party(e: dict, mapped: str | None, parties: dict[str, PartyRegistered], where: list[str]) -> list[dict]:
    if mapped is None:
        return [row("draft_party", e["party"], "not derivable", e["name"], None, where,
                    "no recorded party has this name or alias")]
    p = parties[mapped]
    out = []
    for field in ("tax_id", "jurisdiction"):
        drafted, recorded = e.get(field), getattr(p, field)
        if drafted is None or recorded is None:
            continue
        out.append(row("draft_party", mapped, "ok" if drafted == recorded else "conflict", drafted, recorded,
                       where, f"{field} of {p.name}"))
    return out or [row("draft_party", mapped, "ok", e["name"], p.name, where, "matched by name")]


def _cover(e: dict, party: str | None, history: Sequence[Event], where: list[str]) -> list[dict]:
    if party is None:
        return [row("draft_cover_page", e["party"], "not derivable", e.get("beneficially_owned"), None, where,
                    "no recorded party matches this reporting person")]
    recorded = [r for r in history if isinstance(r, BeneficialOwnershipReported) and r.party == party
                and r.effective_date.isoformat() == str(e["effective_date"])]
    if not recorded:
        return [row("draft_cover_page", party, "not derivable", e.get("beneficially_owned"), None, where,
                    "the ledger records no cover page for this person on this date")]
    r = recorded[-1]
    out = []
    for field in COVER_FIELDS:
        drafted, kept = e.get(field), getattr(r, field)
        if drafted is None and kept is None:
            continue
        same = str(drafted) == str(kept)
        out.append(row("draft_cover_page", party, "ok" if same else "conflict", drafted, kept,
                       [*where, f"{r.source.document}, {r.source.locator}"], f"{field} on {r.effective_date}"))
    return out


def _warrant(e: dict, history: Sequence[Event], drafted_holder: str | None, where: list[str]) -> list[dict]:
    warrants = [w for w in history if isinstance(w, WarrantIssued)]
    match = next((w for w in warrants if e.get("number") and w.number == str(e["number"])), None) or next(
        (w for w in warrants if w.quantity == e.get("quantity")
         and w.effective_date.isoformat() == str(e["effective_date"])), None)
    if match is None:
        return [row("draft_warrant", e["warrant"], "not derivable", e.get("quantity"), None, where,
                    "no recorded warrant has this number, or this quantity and date")]
    out = []
    checks = {"quantity": (e.get("quantity"), match.quantity),
              "exercise_price": (e.get("exercise_price"), str(match.exercise_price) if match.exercise_price else None),
              "expires": (str(e["expires"]) if e.get("expires") else None,
                          match.expires.isoformat() if match.expires else None)}
    if drafted_holder is not None:
        checks["holder"] = (drafted_holder, match.holder)
    for field, (drafted, kept) in checks.items():
        if drafted is None and kept is None:
            continue
        out.append(row("draft_warrant", match.warrant, "ok" if str(drafted) == str(kept) else "conflict",
                       drafted, kept, [*where, f"{match.source.document}, {match.source.locator}"], field))
    return out
