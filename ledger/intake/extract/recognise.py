"""What a document is, from its content, and the draft `ledger extract` makes of it.

Reads: Forms 3, 4 and 5 (ownershipDocument XML); Schedules 13D and 13G in XML (December
2024 on), in HTML and in text; a whole EDGAR submission (SEC header and documents) holding
any of these. Anything else is refused in one line saying what it looks like.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re

from ledger.errors import NotAFiling
from ledger.intake.extract.draft import Draft
from ledger.intake.extract.filing import extract_filing
from ledger.intake.extract.html_text import html_to_text, looks_like_html
from ledger.intake.extract.ids import Ids
from ledger.intake.extract.ownership import FORMS, is_ownership_document, read_ownership
from ledger.intake.extract.ownership_events import draft_ownership
from ledger.intake.extract.schedule13_xml import draft_schedule13_xml, is_schedule13_xml
from ledger.intake.extract.slugs import party_slug
from ledger.intake.extract.submission import Submission, is_submission, read_submission
from ledger.intake.extract.text import collapse
from ledger.intake.extract.xmltree import XmlRefused, parse_xml

READS = ("extract reads Forms 3/4/5 (ownershipDocument XML), Schedules 13D/13G (XML, HTML or text) "
         "and whole EDGAR submissions holding them")
# A Schedule 13D/13G names its form and has a cover page: both must be there.
_SCHEDULE = re.compile(r"SCHEDULE\s*13[DG]|\bSC\s*13[DG]\b|Rule\s+13d-1", re.I)
_COVER = re.compile(r"\(\s*Name\s+of\s+(?:the\s+)?Issuer\s*\)|Name\s+of\s+(?:the\s+)?Issuer\s*:"
                    r"|Names?\s+of\s+Reporting\s+Persons?", re.I)
_XML_ISLAND = re.compile(r"<XML>\s*(.*?)\s*</XML>", re.S | re.I)


def extract_document(text: str, file_name: str, *, ids: Ids | None = None,
                     filed: dt.date | None = None) -> Draft:
    """The draft of one document, whatever it is; NotAFiling when extract does not read it.

    `filed` is the date the document became public when the caller knows it (--filed); an SEC
    header's FILED AS OF DATE wins over it, and without either the signature date stands."""
    ids = ids or Ids()
    if is_submission(text):
        sub = read_submission(text)
        draft = _submission(sub, file_name, ids, filed)
    else:
        sub = None
        draft = _one(text, file_name, ids)
        _disclosure(draft, filed, "stated" if filed else None)
    # Two filings of one issuer, form and date (two filers' 13Gs, a Form 4 and its amendment) are
    # two documents: the id ends with the accession number, else with a digest of the text.
    # The digest is of the words, not the bytes: the same filing with other line endings is the same.
    suffix = (sub.accession if sub is not None and sub.accession
              else hashlib.sha256(collapse(text).encode()).hexdigest()[:8])
    draft.document["id"] = f"{draft.document['id']}-{suffix}"  # the events take it from the header on import
    return draft


def _one(text: str, file_name: str, ids: Ids, exhibits: str = "") -> Draft:
    stripped = text.lstrip("\ufeff \r\n\t")
    if stripped.startswith("<?xml") or (stripped.startswith("<") and not looks_like_html(stripped)
                                         and _looks_like_xml(stripped)):
        try:
            root = parse_xml(stripped)
        except XmlRefused as exc:
            raise NotAFiling(f"{exc}; {READS}") from None
        if is_ownership_document(root):
            doc = read_ownership(root)
            if doc.form.upper() not in FORMS:
                raise NotAFiling(f"an ownershipDocument of type {doc.form!r}, not a Form 3, 4 or 5; {READS}")
            return draft_ownership(doc, file_name, ids)
        if is_schedule13_xml(root):
            return draft_schedule13_xml(root, file_name, ids)
        raise NotAFiling(f"an XML document whose root is <{root.tag}>, neither a Form 3/4/5 nor a Schedule "
                         f"13D/13G; {READS}")
    body = html_to_text(text) if looks_like_html(stripped) else text
    if not (_SCHEDULE.search(body[:20000]) and _COVER.search(body[:50000])):
        kind = "an HTML document" if body is not text else "a text document"
        raise NotAFiling(f"{kind} with no Schedule 13D/13G cover page (no \"SCHEDULE 13D/13G\", "
                         f"\"(Name of Issuer)\" or \"Names of Reporting Persons\"); {READS}")
    return _with_ids(extract_filing(body + exhibits, file_name), ids)


def _looks_like_xml(text: str) -> bool:
    # Legacy text filings open with SGML-like tags (<PAGE>, <TABLE>): only the roots of the
    # forms' XML count without an XML declaration.
    return bool(re.match(r"<(?:\w+:)?(?:ownershipDocument|edgarSubmission)\b", text))


def _submission(sub: Submission, file_name: str, ids: Ids, filed: dt.date | None) -> Draft:
    main = sub.main
    if main is None:
        raise NotAFiling(f"an EDGAR submission ({sub.form or 'form not stated'}) with no <DOCUMENT>; {READS}")
    content = main.text
    island = _XML_ISLAND.search(content)
    if island:
        content = island.group(1)
    exhibits = ""
    if not island:
        # Exhibits travel with the main document: the text reader finds warrant certificates there.
        for part in sub.documents:
            if part is not main and not _XML_ISLAND.search(part.text):
                exhibit = html_to_text(part.text) if looks_like_html(part.text) else part.text
                exhibits += f"\n<PAGE>\n{exhibit}"
    try:
        draft = _one(content, file_name, ids, exhibits)
    except NotAFiling as exc:
        raise NotAFiling(f"an EDGAR submission of form {sub.form or '(not stated)'} whose main document is "
                         f"{str(exc)}") from None
    subject = sub.cik("SUBJECT COMPANY", "ISSUER")
    if subject is not None:  # the header's CIK names the issuer across every filing about it
        draft.document["issuer"] = ids.issuer(subject[0], subject[1])
    _filer_ciks(draft, sub, ids)
    if sub.accession:
        draft.document["accession"] = sub.accession
    if sub.form:
        draft.document["form"] = sub.form
    draft.filing["accession"] = sub.accession
    draft.filing["filed"] = sub.filed
    draft.filing["entities"] = sub.entities
    if sub.filed is not None:
        _disclosure(draft, sub.filed, "sec-header")
    else:
        _disclosure(draft, filed, "stated" if filed else None)
    return draft


def _filer_ciks(draft: Draft, sub: Submission, ids: Ids) -> None:
    """A reporting person the SEC header names as filer (same name, as slugs compare) gets the
    id of its CIK, as the XML forms give it, so that its text and XML filings meet."""
    filers = {party_slug(name): cik for role in ("FILED BY", "FILER", "REPORTING-OWNER")
              for cik, name in sub.entities.get(role, []) if name}
    renames: dict[str, tuple[str, str]] = {}  # draft id -> (CIK id, CIK)
    for event in draft.events:
        cik = filers.get(party_slug(event["name"])) if event.get("type") == "PartyRegistered" else None
        if cik is not None and event["party"] != ids.party(cik, event["name"]):
            renames[event["party"]] = (ids.party(cik, event["name"]), cik)
    _rename(draft, {old: new for old, (new, _) in renames.items()})
    for old, (new, cik) in renames.items():
        at = next(i for i, e in enumerate(draft.events) if e.get("type") == "PartyRegistered" and e["party"] == new)
        draft.events.insert(at + 1, {"type": "IdentifierRecorded", "effective_date": draft.events[at]["effective_date"],
                                     "scheme": "sec", "kind": "party", "ledger_id": new, "external": cik,
                                     "source": {"locator": "SEC header, FILED BY"}})
        draft.event_notes.insert(at + 1, [f"the SEC header names {old} as a filer, CIK {cik}"])


def _disclosure(draft: Draft, filed: dt.date | None, basis: str | None) -> None:
    """The disclosure date on the document: the header's or the given one, else its signature."""
    if filed is not None and basis is not None:
        draft.document["filed"], draft.document["filed_basis"] = filed, basis
    elif draft.document.get("date") is not None:
        draft.document["filed"], draft.document["filed_basis"] = draft.document["date"], "signature"


def _with_ids(draft: Draft, ids: Ids) -> Draft:
    """The text reader's slugs, through the --ids mapping: parties by name, classes by title."""
    if not ids:
        return draft
    issuer_name = draft.filing.get("issuer_name")
    if issuer_name:
        draft.document["issuer"] = ids.issuer(None, issuer_name)
    renames = {e["party"]: ids.party(None, e["name"]) for e in draft.events if e.get("type") == "PartyRegistered"}
    # Every class the draft's events name is one it requires (the cover pages' and the warrants').
    renames.update({slug: ids.security(title) for slug, title in draft.requires.get("securities", {}).items()})
    _rename(draft, renames)
    return draft


def _rename(draft: Draft, renames: dict[str, str]) -> None:
    """The draft's ids `renames` maps, replaced wherever its events and requirements name them."""
    for event in draft.events:
        for key in ("party", "security", "holder", "subject"):
            if isinstance(event.get(key), str) and event[key] in renames:
                event[key] = renames[event[key]]
    for kind in ("securities", "parties"):
        draft.requires[kind] = {renames.get(k, k): v for k, v in draft.requires.get(kind, {}).items()}

