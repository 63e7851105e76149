"""The filing's own first page: form, amendment, issuer, class, CUSIP, dates.

On the standard Schedule 13D / 13G first page each value is printed above a
parenthesised caption ("(Name of Issuer)"), usually with a rule between them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from ledger.intake.extract.text import DATE, Line, collapse, is_running_header, is_separator, parse_date

_CAPTIONS = {
    "issuer": r"\(\s*Name\s+of\s+(?:the\s+)?Issuer\s*\)",
    "class_title": r"\(\s*Title\s+of\s+Class\s+of\s+Securities\s*\)",
    "cusip": r"\(\s*CUSIP(?:\s*/\s*SEDOL)?\s+(?:Number|No\.?)\s*\)",
    "event_date": r"\(\s*Dates?\s+of\s+Event\s+Which\s+Requires\s+Filing\s+of\s+(?:this|the)\s+Statement\s*\)",
}
# The same captions written inline: "Name of Issuer: ACME CORP"
_INLINE = {
    "issuer": r"^\s*Name\s+of\s+(?:the\s+)?Issuer\s*:\s*(\S.*)$",
    "class_title": r"^\s*Title\s+of\s+Class\s+of\s+Securities\s*:\s*(\S.*)$",
    "cusip": r"^(?:.*\s)?CUSIP(?:\s*/\s*SEDOL)?\s+(?:Number|No\.?)\s*:\s*(\S+)\s*$",
    "event_date": r"^\s*Dates?\s+of\s+Event\s+Which\s+Requires\s+Filing\s+of\s+(?:this|the)\s+Statement\s*:\s*(\S.*)$",
}
_FORM = re.compile(r"\bSCHEDULE\s+13([DG])\b", re.I)
_AMENDMENT = re.compile(r"\bAmendment\s+No\.?\s*:?\s*(\d+|_+|\s*\))", re.I)
_SIGNED = re.compile(rf"^\s*(?:Dated?|Date\s+Signed)(?:\s+as\s+of)?\s*:?\s*({DATE})\s*\.?\s*$", re.I)
_EXHIBIT_MARKER = re.compile(r"^\s*EXHIBIT\s+[\w.-]+\s*$", re.I)
# How far above its caption a value may be printed, in lines.
_VALUE_LINES = 3
# How many lines from the top the form name and amendment number are looked for.
_TOP_LINES = 40


@dataclass(frozen=True)
class Field:
    value: str
    page: int
    quote: str


@dataclass(frozen=True)
class FilingHeader:
    form: str | None  # "13D" or "13G"
    amendment: int | None  # None for an original filing
    issuer: Field | None
    class_title: Field | None
    cusip: Field | None
    event_date: dt.date | None
    event_date_field: Field | None
    signed: dt.date | None
    signed_field: Field | None

    @property
    def title(self) -> str:
        name = f"Schedule {self.form}" if self.form else "Schedule 13D/13G"
        return f"{name}, Amendment No. {self.amendment}" if self.amendment else name


def read_header(lines: Sequence[Line], first_cover_line: int | None = None) -> FilingHeader:
    """The first page's captioned values; ``first_cover_line`` bounds the search (a line number)."""
    front = [ln for ln in lines if first_cover_line is None or ln.number < first_cover_line]
    top = "\n".join(ln.text for ln in lines[:_TOP_LINES])

    form_match = _FORM.search(top)
    form = f"13{form_match.group(1).upper()}" if form_match else None
    amendment = None
    amendment_match = _AMENDMENT.search(top)
    if amendment_match and amendment_match.group(1).isdigit():
        amendment = int(amendment_match.group(1)) or None
    elif amendment_match and amendment_match.group(1).startswith("_"):
        amendment = _typed_under_the_blank(top, amendment_match)

    fields = {name: _captioned(front, name) for name in _CAPTIONS}
    event_field = fields["event_date"]
    signed_field = _signature_date(lines)
    return FilingHeader(
        form=form,
        amendment=amendment,
        issuer=fields["issuer"],
        class_title=fields["class_title"],
        cusip=fields["cusip"],
        event_date=parse_date(event_field.value) if event_field else None,
        event_date_field=event_field,
        signed=parse_date(signed_field.value) if signed_field else None,
        signed_field=signed_field,
    )


def _captioned(lines: Sequence[Line], name: str) -> Field | None:
    caption = re.compile(_CAPTIONS[name], re.I)
    inline = re.compile(_INLINE[name], re.I)
    for i, line in enumerate(lines):
        match = inline.match(line.text)
        if match:
            value = collapse(match.group(1))
            return Field(value, line.page, collapse(line.text))
        if not caption.search(line.text):
            continue
        before = collapse(line.text[: caption.search(line.text).start()])
        if before:
            return Field(before, line.page, before)
        value_lines: list[str] = []
        j = i - 1
        while j >= 0 and is_separator(lines[j].text) and lines[j].text.strip():
            j -= 1  # the rule under the value
        while j >= 0 and len(value_lines) < _VALUE_LINES:
            text = lines[j].text
            if (
                not text.strip()
                or is_separator(text)
                or is_running_header(text)
                or text.strip().startswith("(")
            ):
                break
            value_lines.insert(0, text)
            j -= 1
        if value_lines:
            value = collapse(" ".join(value_lines))
            return Field(value, line.page, value)
        return None
    return None


def _typed_under_the_blank(top: str, match: re.Match[str]) -> int | None:
    """'(Amendment No. ___)' with the number typed on the next line, under the blank, as a
    typewritten form is filled in: that number, when the next line holds only it."""
    line_start = top.rfind("\n", 0, match.start()) + 1
    column = match.start(1) - line_start
    rest = top[match.end():].split("\n", 2)
    below = rest[1] if len(rest) > 1 else ""
    number = re.fullmatch(r"\s*(\d{1,3})\s*", below)
    if number is None or abs(below.index(number.group(1)) - column) > len(match.group(1)) + 2:
        return None
    return int(number.group(1)) or None


# A date alone on its line, with "Date" captioned on the line below (a typed signature block).
_DATE_ALONE = re.compile(rf"^\s*({DATE})(?:\s{{2,}}.*)?$", re.I)
_DATE_CAPTION = re.compile(r"^[\s_]*Date\b", re.I)


def _signature_date(lines: Sequence[Line]) -> Field | None:
    """The 'Dated: July 2, 2004' line of the signature page (the last one before any exhibit),
    or a date typed above a 'Date' caption."""
    found: Field | None = None
    for i, line in enumerate(lines):
        if _EXHIBIT_MARKER.match(line.text):
            break
        match = _SIGNED.match(line.text)
        if match:
            found = Field(match.group(1), line.page, collapse(line.text))
            continue
        alone = _DATE_ALONE.match(line.text)
        if alone and any(_DATE_CAPTION.match(ln.text) and not ln.text.strip(" _").lower().startswith("date of")
                         for ln in lines[i + 1:i + 3]):
            found = Field(alone.group(1), line.page, collapse(line.text))
    return found
