"""Forms 3, 4 and 5 (and their amendments) as EDGAR's ownershipDocument XML.

Reads what the form states into plain records: the issuer, the reporting
owners, the non-derivative and derivative tables (transactions and holdings)
and the footnotes, each figure kept with the footnote ids that qualify it and
the place it was read from ("Table I, row 3, shares owned following"). Pure:
an XML root in, records out; nothing is computed here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import Element

from ledger.intake.extract.ids import cik_number
from ledger.intake.extract.xmltree import text_of

FORMS = {"3", "3/A", "4", "4/A", "5", "5/A"}


@dataclass(frozen=True)
class Figure:
    """One value as the form states it, with the footnotes attached to it."""

    text: str | None
    footnotes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Owner:
    cik: str  # without leading zeros
    name: str
    director: bool
    officer: bool
    ten_percent: bool
    other: bool
    title: str | None  # officer title or the "other" text


@dataclass
class Row:
    """A row of Table I (non-derivative) or Table II (derivative): a transaction or a holding."""

    table: str  # "I" or "II"
    number: int  # counted from 1 within its table, transactions and holdings in document order
    transaction: bool
    title: Figure
    date: Figure | None = None
    code: Figure | None = None
    form_type: str | None = None
    shares: Figure | None = None
    price: Figure | None = None
    acquired_disposed: Figure | None = None
    owned_following: Figure | None = None
    direct_indirect: Figure | None = None
    nature: Figure | None = None
    # Table II only
    exercise_price: Figure | None = None
    exercisable: Figure | None = None
    expires: Figure | None = None
    underlying_title: Figure | None = None
    underlying_shares: Figure | None = None
    footnotes: tuple[str, ...] = ()  # every footnote id anywhere in the row

    @property
    def locator(self) -> str:
        kind = "transaction" if self.transaction else "holding"
        return f"Table {self.table}, {kind} row {self.number}"


@dataclass
class OwnershipDocument:
    form: str  # "4", "4/A", ...
    period: dt.date | None
    issuer_cik: str | None
    issuer_name: str | None
    ticker: str | None
    owners: list[Owner]
    rows: list[Row]
    footnotes: dict[str, str]
    signed: dt.date | None
    signer: str | None
    remarks: str | None
    amendment_of: dt.date | None = None  # dateOfOriginalSubmission on an /A
    problems: list[tuple[str, str, str]] = field(default_factory=list)  # (locator, field, reason)


def is_ownership_document(root: Element) -> bool:
    return root.tag == "ownershipDocument"


def read_ownership(root: Element) -> OwnershipDocument:
    form = text_of(root, "documentType") or ""
    doc = OwnershipDocument(
        form=form,
        period=_date(text_of(root, "periodOfReport")),
        issuer_cik=cik_number(text_of(root, "issuer/issuerCik")),
        issuer_name=text_of(root, "issuer/issuerName"),
        ticker=text_of(root, "issuer/issuerTradingSymbol"),
        owners=[_owner(e) for e in root.findall("reportingOwner")],
        rows=[],
        footnotes={e.get("id", ""): " ".join("".join(e.itertext()).split())
                   for e in root.findall("footnotes/footnote")},
        signed=_date(text_of(root, "ownerSignature/signatureDate")),
        signer=text_of(root, "ownerSignature/signatureName"),
        remarks=text_of(root, "remarks"),
        amendment_of=_date(text_of(root, "dateOfOriginalSubmission")),
    )
    for table, tag in (("I", "nonDerivativeTable"), ("II", "derivativeTable")):
        element = root.find(tag)
        if element is None:
            continue
        for number, child in enumerate(
            (c for c in element if c.tag.endswith("Transaction") or c.tag.endswith("Holding")), start=1
        ):
            doc.rows.append(_row(table, number, child))
    return doc


def _row(table: str, number: int, e: Element) -> Row:
    coding = e.find("transactionCoding")
    return Row(
        table=table,
        number=number,
        transaction=e.tag.endswith("Transaction"),
        title=_figure(e, "securityTitle"),
        date=_figure(e, "transactionDate"),
        code=Figure(text_of(coding, "transactionCode"), _notes(coding)) if coding is not None else None,
        form_type=text_of(coding, "transactionFormType") if coding is not None else None,
        shares=_figure(e, "transactionAmounts/transactionShares"),
        price=_figure(e, "transactionAmounts/transactionPricePerShare"),
        acquired_disposed=_figure(e, "transactionAmounts/transactionAcquiredDisposedCode"),
        owned_following=_figure(e, "postTransactionAmounts/sharesOwnedFollowingTransaction"),
        direct_indirect=_figure(e, "ownershipNature/directOrIndirectOwnership"),
        nature=_figure(e, "ownershipNature/natureOfOwnership"),
        exercise_price=_figure(e, "conversionOrExercisePrice"),
        exercisable=_figure(e, "exerciseDate"),
        expires=_figure(e, "expirationDate"),
        underlying_title=_figure(e, "underlyingSecurity/underlyingSecurityTitle"),
        underlying_shares=_figure(e, "underlyingSecurity/underlyingSecurityShares"),
        footnotes=tuple(dict.fromkeys(f.get("id", "") for f in e.iter("footnoteId"))),
    )


def _figure(e: Element, path: str) -> Figure | None:
    found = e.find(path)
    if found is None:
        return None
    return Figure(text_of(found, "value"), _notes(found))


def _notes(e: Element | None) -> tuple[str, ...]:
    if e is None:
        return ()
    return tuple(f.get("id", "") for f in e.findall("footnoteId")) + tuple(
        f.get("id", "") for f in e.findall("value/footnoteId"))


def _owner(e: Element) -> Owner:
    rel = e.find("reportingOwnerRelationship")
    return Owner(
        cik=cik_number(text_of(e, "reportingOwnerId/rptOwnerCik")) or "",
        name=text_of(e, "reportingOwnerId/rptOwnerName") or "",
        director=_flag(text_of(rel, "isDirector")),
        officer=_flag(text_of(rel, "isOfficer")),
        ten_percent=_flag(text_of(rel, "isTenPercentOwner")),
        other=_flag(text_of(rel, "isOther")),
        title=text_of(rel, "officerTitle") or text_of(rel, "otherText"),
    )


def _flag(text: str | None) -> bool:
    return (text or "").strip().lower() in {"1", "true"}


def _date(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


# Larger than any count or price a filing states; beyond it a figure is not read (1E+100000).
_LARGEST = Decimal(10) ** 15


def number(figure: Figure | None) -> Decimal | None:
    """A figure's number, or None when it states none (blank, or only footnotes) or none that
    can be a count or a price."""
    if figure is None or figure.text is None:
        return None
    try:
        value = Decimal(figure.text.replace(",", "").replace("$", ""))
    except InvalidOperation:
        return None
    return value if value.is_finite() and abs(value) < _LARGEST else None


def day(figure: Figure | None) -> dt.date | None:
    return _date(figure.text) if figure is not None else None
