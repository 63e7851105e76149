"""Schedules 13D and 13G in EDGAR's XML format (from December 2024): the cover page of each
reporting person, into the same events as the text reader (PartyRegistered and
BeneficialOwnershipReported), with the CIKs the XML states as ids."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any
from xml.etree.ElementTree import Element

from ledger.intake.extract.draft import Draft
from ledger.intake.extract.figures import infer_kind
from ledger.intake.extract.ids import Ids, cik_number
from ledger.intake.extract.xmltree import text_of

# element names: (13D, 13G)
_PERSON = ("formData/reportingPersons/reportingPersonInfo", "formData/coverPageHeaderReportingPersonDetails")
_FIELDS = {
    "cik": ("reportingPersonCIK", "reportingCik"),
    "name": ("reportingPersonName", "reportingPersonName"),
    "group": ("memberOfGroup", "memberGroup"),
    "citizenship": ("citizenshipOrOrganization", "citizenshipOrOrganization"),
    "sole_voting": ("soleVotingPower", "reportingPersonBeneficiallyOwnedNumberOfShares/soleVotingPower"),
    "shared_voting": ("sharedVotingPower", "reportingPersonBeneficiallyOwnedNumberOfShares/sharedVotingPower"),
    "sole_dispositive": ("soleDispositivePower", "reportingPersonBeneficiallyOwnedNumberOfShares/soleDispositivePower"),
    "shared_dispositive": ("sharedDispositivePower",
                           "reportingPersonBeneficiallyOwnedNumberOfShares/sharedDispositivePower"),
    "aggregate": ("aggregateAmountOwned", "reportingPersonBeneficiallyOwnedAggregateNumberOfShares"),
    "percent": ("percentOfClass", "classPercent"),
    "type": ("typeOfReportingPerson", "typeOfReportingPerson"),
}
_ROW = {"name": 1, "group": 2, "citizenship": 4 , "sole_voting": 5, "shared_voting": 6, "sole_dispositive": 7,
        "shared_dispositive": 8, "aggregate": 9, "percent": 11, "type": 12}


def is_schedule13_xml(root: Element) -> bool:
    return root.tag == "edgarSubmission" and root.find("formData/coverPageHeader") is not None and (
        root.find(_PERSON[0]) is not None or root.find(_PERSON[1]) is not None
        or "13" in (text_of(root, "headerData/submissionType") or ""))


def draft_schedule13_xml(root: Element, file_name: str, ids: Ids) -> Draft:
    form_text = text_of(root, "headerData/submissionType") or ""
    g = "13G" in form_text.upper()
    which = 1 if g else 0
    header = root.find("formData/coverPageHeader")
    issuer_cik = text_of(header, "issuerInfo/issuerCIK") or text_of(header, "issuerInfo/issuerCik")
    issuer_name = text_of(header, "issuerInfo/issuerName")
    cusip = text_of(header, "issuerInfo/issuerCUSIP") or text_of(header, "issuerInfo/issuerCusip")
    class_title = text_of(header, "securitiesClassTitle")
    event_text = text_of(header, "dateOfEvent") or text_of(header, "eventDateRequiresFilingThisStatement")
    event_date = _date(event_text)
    amendment = text_of(header, "amendmentNo")
    signed = sorted({d for d in (_date(e.text) for e in root.iter("date")) if d is not None})
    issuer = ids.issuer(issuer_cik, issuer_name)
    security = ids.security(class_title) if class_title else None
    unread: list[dict[str, str]] = []
    if event_date is None:
        unread.append({"locator": "cover page header", "field": "effective_date",
                       "reason": f"date of event not read ({event_text!r}); cover-page events not emitted"})
    if security is None:
        unread.append({"locator": "cover page header", "field": "security",
                       "reason": "no securitiesClassTitle; cover-page figures not emitted"})
    events: list[dict[str, Any]] = []
    notes: list[list[str]] = []
    form = "13G" if g else "13D"
    doc_id = "-".join([issuer, f"{form.lower()}{'a' + amendment if amendment else ''}",
                       (signed[0] if signed else event_date or dt.date.min).isoformat()])
    persons = root.findall(_PERSON[which])
    for number, person in enumerate(persons, start=1):
        where = f"reporting person {number}"
        value = {k: text_of(person, paths[which]) for k, paths in _FIELDS.items()}
        name = value["name"]
        if not name:
            unread.append({"locator": where, "field": "name", "reason": "no reporting person name"})
            continue
        if event_date is None:
            continue
        party = ids.party(value["cik"], name)
        codes = tuple(c.strip() for c in re.split(r"[,\s]+", value["type"] or "") if c.strip())
        reg: dict[str, Any] = {"type": "PartyRegistered", "effective_date": event_date, "party": party,
                               "name": name, "kind": infer_kind(name, codes)}
        if value["citizenship"]:
            reg["jurisdiction"] = value["citizenship"]
        reg["source"] = {"locator": f"{where}, rows 1 and 4"}
        events.append(reg)
        notes.append([f"kind '{reg['kind']}' inferred from the name and row 12 type {value['type'] or '(none)'}"])
        cik = cik_number(value["cik"])
        if cik:
            events.append({"type": "IdentifierRecorded", "effective_date": event_date, "scheme": "sec",
                           "kind": "party", "ledger_id": party, "external": cik,
                           "source": {"locator": f"{where}, CIK"}})
            notes.append([])
        if security is None:
            continue
        counts: dict[str, int] = {}
        for key in ("sole_voting", "shared_voting", "sole_dispositive", "shared_dispositive", "aggregate"):
            count = _count(value[key])
            if count is None:
                unread.append({"locator": f"{where}, row {_ROW[key]}", "field": key,
                               "reason": f"{value[key]!r} is not a whole number of shares" if value[key]
                               else "blank"})
            else:
                counts[key] = count
        percent = _percent(value["percent"])
        if percent is None:
            unread.append({"locator": f"{where}, row 11", "field": "percent",
                           "reason": f"{value['percent']!r} is not a percent" if value["percent"] else "blank"})
        if "aggregate" not in counts or percent is None:
            continue
        report: dict[str, Any] = {"type": "BeneficialOwnershipReported", "effective_date": event_date,
                                  "party": party, "security": security,
                                  "beneficially_owned": counts["aggregate"], "percent": percent}
        for key in ("sole_voting", "shared_voting", "sole_dispositive", "shared_dispositive"):
            if key in counts:
                report[key] = counts[key]
        if value["type"]:
            report["reporting_type"] = value["type"]
        if value["group"]:
            report["member_of_group"] = value["group"].strip().lower() == "a"
        report["name_as_reported"] = name
        report["source"] = {"locator": f"{where}, rows 5-12"}
        events.append(report)
        notes.append([])
    return Draft(
        document={"id": doc_id, "issuer": issuer, "title": f"Schedule {form}" + (
            f", Amendment No. {amendment}" if amendment else ""), "file": file_name,
                  "date": signed[0] if signed else None},
        events=events,
        unread=unread,
        requires={"securities": {security: class_title} if security and events else {}, "parties": {}},
        notes=[],
        event_notes=notes,
        filing={"form": f"SC {form}" + ("/A" if amendment else ""), "amendment": int(amendment) if (
            amendment or "").isdigit() else None, "title": form_text, "issuer_name": issuer_name,
                "issuer_cik": issuer_cik, "class_title": class_title, "cusip": cusip, "event_date": event_date,
                "signed": signed[0] if signed else None,
                "filer_ciks": [cik for c in root.iter("cik") if (cik := cik_number(c.text))]},
    )


def _date(text: str | None) -> dt.date | None:
    if not text:
        return None
    text = text.strip()
    for fmt in ("%m/%d/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text[:10], fmt).date()
        except ValueError:
            continue
    return None


def _count(text: str | None) -> int | None:
    try:
        value = Decimal((text or "").replace(",", ""))
    except InvalidOperation:
        return None
    if not value.is_finite() or value < 0 or value >= 10**15 or value != value.to_integral_value():
        return None
    return int(value)


def _percent(text: str | None) -> str | None:
    try:
        value = Decimal((text or "").replace("%", "").strip())
    except InvalidOperation:
        return None
    return str(value) if value.is_finite() and 0 <= value <= 100 else None
