"""A whole EDGAR submission: `<SEC-DOCUMENT>` with its SEC header and several `<DOCUMENT>`s.

The header says what the filing is and when it became public: accession number, form type,
FILED AS OF DATE, and the CIKs of the subject company (or issuer) and of whoever filed it.
Each document keeps its type (the main form, EX-99.1 ...), file name and text.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

_HEADER = re.compile(r"<SEC-HEADER>(.*?)</SEC-HEADER>", re.S | re.I)
_DOCUMENT = re.compile(r"<DOCUMENT>(.*?)</DOCUMENT>", re.S | re.I)
_TEXT = re.compile(r"<TEXT>(.*?)(?:</TEXT>|\Z)", re.S | re.I)
_TAG = re.compile(r"^<(TYPE|SEQUENCE|FILENAME|DESCRIPTION)>\s*(.*)$", re.M | re.I)
_ACCESSION = re.compile(r"^\s*ACCESSION NUMBER:\s*([0-9]{10}-[0-9]{2}-[0-9]{6})\s*$", re.M)
_FORM = re.compile(r"^\s*CONFORMED SUBMISSION TYPE:\s*(\S.*?)\s*$", re.M)
_FILED = re.compile(r"^\s*FILED AS OF DATE:\s*([0-9]{8})\s*$", re.M)
_SECTION = re.compile(r"^(SUBJECT COMPANY|FILED BY|FILER|ISSUER|REPORTING-OWNER):\s*$", re.M)
_CIK = re.compile(r"^\s*CENTRAL INDEX KEY:\s*([0-9]{1,10})\s*$", re.M)
_NAME = re.compile(r"^\s*(?:COMPANY CONFORMED NAME|OWNER NAME|CONFORMED NAME):\s*(\S.*?)\s*$", re.M)


@dataclass
class Part:
    type: str
    file_name: str | None
    description: str | None
    text: str


@dataclass
class Submission:
    accession: str | None
    form: str | None
    filed: dt.date | None
    # role ("SUBJECT COMPANY", "FILED BY", "ISSUER", "REPORTING-OWNER") -> [(cik, name)]
    entities: dict[str, list[tuple[str, str | None]]] = field(default_factory=dict)
    documents: list[Part] = field(default_factory=list)

    def cik(self, *roles: str) -> tuple[str, str | None] | None:
        for role in roles:
            if self.entities.get(role):
                return self.entities[role][0]
        return None

    @property
    def main(self) -> Part | None:
        """The document of the submission's own form type, else the first."""
        if not self.documents:
            return None
        form = (self.form or "").upper()
        return next((d for d in self.documents if d.type.upper() == form), self.documents[0])


def is_submission(text: str) -> bool:
    head = text.lstrip("\ufeff \r\n\t")[:2000].upper()
    return head.startswith(("<SEC-DOCUMENT>", "<IMS-DOCUMENT>", "<DOCUMENT>")) or "<SEC-HEADER>" in head


def read_submission(text: str) -> Submission:
    header_match = _HEADER.search(text)
    header = header_match.group(1) if header_match else text[:5000]
    sub = Submission(accession=_first(_ACCESSION, header), form=_first(_FORM, header),
                     filed=_yyyymmdd(_first(_FILED, header)))
    sections = list(_SECTION.finditer(header))
    for i, section in enumerate(sections):
        end = sections[i + 1].start() if i + 1 < len(sections) else len(header)
        body = header[section.end():end]
        cik = _first(_CIK, body)
        if cik:
            sub.entities.setdefault(section.group(1), []).append((str(int(cik)), _first(_NAME, body)))
    for match in _DOCUMENT.finditer(text):
        body = match.group(1)
        tags = {m.group(1).upper(): m.group(2).strip() for m in _TAG.finditer(body.split("<TEXT>", 1)[0])}
        content = _TEXT.search(body)
        sub.documents.append(Part(tags.get("TYPE", ""), tags.get("FILENAME"), tags.get("DESCRIPTION"),
                                  content.group(1) if content else body))
    if sub.form is None and sub.documents:
        sub.form = sub.documents[0].type or None
    return sub


def _yyyymmdd(text: str | None) -> dt.date | None:
    """FILED AS OF DATE's 20150210; None when it is no date (20230231)."""
    try:
        return dt.datetime.strptime(text, "%Y%m%d").date() if text else None
    except ValueError:
        return None


def _first(pattern: re.Pattern[str], text: str) -> str | None:
    match = pattern.search(text)
    return match.group(1) if match else None
