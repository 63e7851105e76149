"""Draft events (plain dicts in the event-file format) from what was read.

Each event carries ``source: {locator, quote}``; the quote is the exact text
(whitespace collapsed) the figures were read from, passages joined by " ... "
when they are apart. Each event also gets review notes (shown as YAML
comments): which rows were blank, which passages confirm the figures.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from ledger.intake.extract.exhibits import ListedExhibit
from ledger.intake.extract.figures import CoverFigures
from ledger.intake.extract.slugs import party_slug, security_slug, warrant_slug
from ledger.intake.extract.text import collapse
from ledger.intake.extract.warrants import Certificate

ELISION = " ... "
_VOTING_ROWS = (
    "sole_voting", "shared_voting", "sole_dispositive", "shared_dispositive", "aggregate", "excludes", "percent",
)
_ISSUED_TO = re.compile(r"\bissued\s+(?:to\s+)?(?P<name>.+)$", re.I)


@dataclass
class Emitted:
    event: dict[str, Any]
    notes: list[str] = field(default_factory=list)


def _source(locator: str, quotes: list[str]) -> dict[str, str]:
    return {"locator": locator, "quote": ELISION.join(q for q in quotes if q)}


def party_registered(figures: CoverFigures, effective: dt.date) -> Emitted | None:
    if not figures.name:
        return None
    rows = ["name", "citizenship"] + (["type"] if figures.codes else [])
    rows = [r for r in rows if r in figures.cover.rows]
    quotes = [figures.cover.span_quote("name", "irs")]
    quotes += [figures.cover.rows[r].quote for r in rows if r not in ("name", "irs")]
    event: dict[str, Any] = {
        "type": "PartyRegistered",
        "effective_date": effective,
        "party": party_slug(figures.name),
        "name": figures.name,
        "kind": figures.kind,
    }
    if figures.jurisdiction:
        event["jurisdiction"] = figures.jurisdiction
    if figures.tax_id:
        event["tax_id"] = figures.tax_id
    event["source"] = _source(figures.locator(rows), quotes)
    notes = [f"kind '{figures.kind}' inferred from the name and row {figures.row_number('type')} type "
             f"{figures.reporting_type or '(none)'}"]
    if not figures.tax_id:
        notes.append("no I.R.S. number given (N/A or blank)")
    return Emitted(event, notes)


def beneficial_ownership(figures: CoverFigures, effective: dt.date, security: str) -> Emitted | None:
    owned = figures.counts.get("beneficially_owned")
    if not figures.name or owned is None or figures.percent is None:
        return None
    cover = figures.cover
    rows = [r for r in ("group", *_VOTING_ROWS, "type") if r in cover.rows]
    quotes = []
    if figures.member_of_group is not None:
        quotes.append(cover.rows["group"].quote)
    quotes.append(cover.span_quote("sole_voting", "percent"))
    if figures.codes:
        quotes.append(cover.rows["type"].quote)
    event: dict[str, Any] = {
        "type": "BeneficialOwnershipReported",
        "effective_date": effective,
        "party": party_slug(figures.name),
        "security": security,
        "beneficially_owned": owned,
        "percent": figures.percent,
    }
    for key in ("sole_voting", "shared_voting", "sole_dispositive", "shared_dispositive"):
        if key in figures.counts:
            event[key] = figures.counts[key]
    if figures.reporting_type:
        event["reporting_type"] = figures.reporting_type
    if figures.member_of_group is not None:
        event["member_of_group"] = figures.member_of_group
    event["name_as_reported"] = figures.name
    event["source"] = _source(figures.locator(rows), quotes)
    notes = []
    blank = [r for r in figures.blank if r in _VOTING_ROWS]
    if blank:
        shown = ", ".join(f"{figures.row_number(r)} ({r})" for r in blank)
        notes.append(f"blank or N/A rows, left out rather than read as 0: {shown}")
    return Emitted(event, notes)


def warrant_issued(
    cert: Certificate, listed: ListedExhibit | None
) -> tuple[Emitted | None, list[dict], list[str]]:
    """The WarrantIssued event (or None), the unread entries, and notes on disagreements."""
    unread = [{"locator": cert.locator, "field": f, "reason": r} for f, r in cert.problems]
    notes: list[str] = []
    issued = cert.issued.value if cert.issued else None
    missing = [
        (name, reason)
        for name, value, reason in (
            ("holder", cert.holder, "no holder named"),
            ("quantity", cert.quantity, None),
            ("security", cert.class_name, None),
            ("effective_date", issued, "issuance date not read" if cert.issued else None),
        )
        if value is None
    ]
    for name, reason in missing:
        if reason and not any(u["field"] == name for u in unread):
            unread.append({"locator": cert.locator, "field": name, "reason": reason})
    if missing:
        return None, unread, notes

    holder = cert.holder.value
    event: dict[str, Any] = {
        "type": "WarrantIssued",
        "effective_date": issued,
        "warrant": (
            warrant_slug(cert.number.value) if cert.number else f"w-exhibit-{cert.exhibit.lower()}"
        ),
        "holder": party_slug(holder),
        "security": security_slug(cert.class_name),
        "quantity": cert.quantity,
    }
    if cert.exercise_price:
        event["exercise_price"] = cert.exercise_price.value
    expires = cert.expires.value if cert.expires else None
    if expires is not None and expires <= issued:
        unread.append({"locator": cert.locator, "field": "expires",
                       "reason": f"expiration {expires} is not after the issuance date {issued}"})
        expires = None
    elif cert.expires and expires is None:
        unread.append(
            {"locator": cert.locator, "field": "expires", "reason": "expiration date not read"}
        )
    if expires is not None:
        event["expires"] = expires
    if cert.number:
        event["number"] = cert.number.value
    event["source"] = _source(cert.locator, cert.quotes())

    if listed is not None:
        match = _ISSUED_TO.search(listed.description)
        if match and party_slug(match.group("name")) != party_slug(holder):
            notes.append(
                f"Exhibit {cert.exhibit}: the certificate names {holder} as holder, but the exhibit list "
                f"(page {listed.page}) says \"{collapse(listed.quote)}\". The draft follows the certificate."
            )
    return Emitted(event, notes[:]), unread, notes
