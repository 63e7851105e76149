"""extract_filing: one legacy EDGAR text filing in, one draft event file out."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ledger.intake.extract.cover_pages import find_cover_pages
from ledger.intake.extract.draft import Draft
from ledger.intake.extract.emit import Emitted, beneficial_ownership, party_registered, warrant_issued
from ledger.intake.extract.exhibits import exhibit_list, split_exhibits
from ledger.intake.extract.figures import read_cover
from ledger.intake.extract.header import FilingHeader, read_header
from ledger.intake.extract.slugs import issuer_slug, security_slug
from ledger.intake.extract.statements import ownership_statements, within_rounding
from ledger.intake.extract.text import document_lines, page_label, split_pages
from ledger.intake.extract.warrants import read_certificate

UNKNOWN_ISSUER = "unknown-issuer"


def extract_filing(text: str, file_name: str) -> Draft:
    """Read the filing's cover pages and warrant certificates into a draft event file."""
    pages = split_pages(text)
    lines = document_lines(pages)
    covers = find_cover_pages(lines)
    first_cover_line = None
    if covers:
        cover = covers[0]
        first_row = min(cover.rows.values(), key=lambda r: r.start)
        first_cover_line = cover.index_text.lines[cover.index_text.line_index(first_row.start)].number
    header = read_header(lines, first_cover_line)

    unread: list[dict[str, str]] = _header_unread(header, bool(covers))
    notes: list[str] = []
    parties: list[Emitted] = []
    reports: list[Emitted] = []
    warrants: list[Emitted] = []
    securities: dict[str, str] = {}
    registered: dict[str, str] = {}

    class_slug = security_slug(header.class_title.value) if header.class_title else None
    for cover in covers:
        figures = read_cover(cover, header.form)
        unread += figures.unread
        if header.event_date is None:
            continue
        party = party_registered(figures, header.event_date)
        if party is not None and party.event["party"] not in registered:
            registered[party.event["party"]] = party.event["name"]
            parties.append(party)
        if class_slug:
            report = beneficial_ownership(figures, header.event_date, class_slug)
            if report is not None:
                reports.append(report)
                securities.setdefault(class_slug, header.class_title.value)
            elif figures.name:
                notes.append(
                    f"{figures.locator(['name'])}: no BeneficialOwnershipReported for {figures.name}: "
                    "its aggregate amount or percent of class was not read (see above)"
                )

    if class_slug and header.event_date is not None:
        said, said_notes = _statements(lines, reports, class_slug, header.event_date)
        reports += said
        notes += said_notes

    listed = exhibit_list(lines)
    holders: dict[str, str] = {}
    for exhibit in split_exhibits(lines):
        cert = read_certificate(exhibit)
        if cert is None:
            continue
        emitted, cert_unread, cert_notes = warrant_issued(cert, listed.get(exhibit.label))
        unread += cert_unread
        notes += cert_notes
        if emitted is not None:
            warrants.append(emitted)
            securities.setdefault(emitted.event["security"], cert.class_name or "")
            holders.setdefault(emitted.event["holder"], cert.holder.value)

    emitted_all = parties + warrants + reports
    issuer = issuer_slug(header.issuer.value) if header.issuer else UNKNOWN_ISSUER
    return Draft(
        document=_document(header, issuer, file_name),
        events=[e.event for e in emitted_all],
        unread=unread,
        requires={
            "securities": securities,
            "parties": {slug: name for slug, name in holders.items() if slug not in registered},
        },
        notes=notes,
        event_notes=[e.notes for e in emitted_all],
        filing=_filing(header),
    )


def _statements(lines, reports: list[Emitted], security: str, day) -> tuple[list[Emitted], list[str]]:
    """The items' sentences about the holding: the shares outstanding they give, and where a
    single reporting person's count or percent disagrees with its cover page, the finding."""
    out: list[Emitted] = []
    notes: list[str] = []
    covers = [r.event for r in reports if r.event["type"] == "BeneficialOwnershipReported"]
    outstanding: set[int] = set()
    for said in ownership_statements(lines):
        where = f"Page {said.page}"
        if said.outstanding is not None and said.outstanding not in outstanding:
            outstanding.add(said.outstanding)
            out.append(Emitted({"type": "SharesOutstandingReported", "effective_date": day, "security": security,
                                "quantity": said.outstanding, "source": {"locator": where, "quote": said.quote}},
                               ["the shares outstanding the filing divides by, as its items state them"]))
        # Checked only where the sentence names the filing's one reporting person just before it.
        if len(covers) != 1 or not said.about(covers[0].get("name_as_reported") or ""):
            continue
        cover = covers[0]
        if said.shares != cover["beneficially_owned"]:
            notes.append(f"{where}: the items say {said.shares:,} shares (\"{said.quote}\"); the cover page says "
                         f"{cover['beneficially_owned']:,} (row 9). The draft follows the cover page.")
            out.append(Emitted({"type": "FactStated", "effective_date": day, "subject": cover["party"],
                                "field": "beneficially_owned", "value": said.shares,
                                "note": "the items' count of the shares beneficially owned, against the cover page's",
                                "source": {"locator": where, "quote": said.quote}}))
        if not within_rounding(said.percent, Decimal(cover["percent"])):
            notes.append(f"{where}: the items say {said.percent}% (\"{said.quote}\"); the cover page says "
                         f"{cover['percent']}% (row 11), more than rounding apart.")
            out.append(Emitted({"type": "FactStated", "effective_date": day, "subject": cover["party"],
                                "field": "percent", "value": str(said.percent),
                                "note": "the items' percent of class, against the cover page's row 11",
                                "source": {"locator": where, "quote": said.quote}}))
    return out, notes


def _document(header: FilingHeader, issuer: str, file_name: str) -> dict[str, Any]:
    form = (header.form or "13d-g").lower()
    amendment = f"a{header.amendment}" if header.amendment else ""
    date = header.signed or header.event_date
    parts = [issuer, f"{form}{amendment}"] + ([date.isoformat()] if date else [])
    return {
        "id": "-".join(parts),
        "issuer": issuer,
        "title": header.title,
        "file": file_name,
        "date": header.signed,
    }


def _filing(header: FilingHeader) -> dict[str, Any]:
    return {
        "form": header.form,
        "amendment": header.amendment,
        "title": header.title,
        "issuer_name": header.issuer.value if header.issuer else None,
        "class_title": header.class_title.value if header.class_title else None,
        "cusip": header.cusip.value if header.cusip else None,
        "event_date": header.event_date,
        "signed": header.signed,
    }


def _header_unread(header: FilingHeader, has_covers: bool) -> list[dict[str, str]]:
    unread: list[dict[str, str]] = []

    def missing(field: str, where: str, reason: str) -> None:
        unread.append({"locator": where, "field": field, "reason": reason})

    if header.issuer is None:
        missing("document.issuer", "Page 1", 'no "(Name of Issuer)" caption with a name above it')
    if has_covers:
        if header.class_title is None:
            missing(
                "security", "Page 1", 'no "(Title of Class of Securities)"; cover-page figures not emitted'
            )
        if header.event_date is None:
            where = page_label([header.event_date_field.page]) if header.event_date_field else "Page 1"
            missing(
                "effective_date", where,
                "no date of the event requiring the filing; cover-page events not emitted",
            )
    if header.signed is None:
        missing("document.date", "signature page", 'no "Dated:" line on the signature page')
    return unread
