"""Warrant certificates printed as exhibits.

Reads, each with the exact words it came from: the warrant number ("Warrant
No. 26"), the quantity and class in the heading ("342,154 Shares of Series B
Convertible Preferred Stock") checked against the grant ("up to an aggregate
of 342,154 shares of ..."), the holder ("THIS IS TO CERTIFY THAT <holder>, or
its registered assigns"), the issuance date, the exercise price ("shall be
$16.30 (the "Exercise Price")") and the expiration ("prior to January 30, 2009
(the "Expiration Date")").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ledger.intake.extract.exhibits import Exhibit
from ledger.intake.extract.text import DATE, TextIndex, collapse, parse_date
from ledger.intake.extract.values import read_price

_Q = r"[\"\u201c\u201d']?"  # an optional straight or curly quotation mark
_CLASS = r"(?:[A-Z][\w-]*\s+){0,6}?(?:Stock|Shares)\b"
_DOLLARS = r"\$\s*\d[\d,]*(?:\.\d+)?"
_NUMBER = re.compile(r"\bWarrant\s+No\.?\s*:?\s*([A-Z]{0,4}-?\d+[A-Z]?)", re.I)
_HEADING = re.compile(rf"(\d[\d,]*)\s+Shares\s+of\s+({_CLASS})")
_GRANT = re.compile(
    r"up\s+to\s+(?:an\s+aggregate\s+of\s+)?(\d[\d,]*)\s+(?:fully\s+paid\s+)?shares\s+of\s+"
    rf"(?:the\s+Company's\s+)?({_CLASS})",
    re.I,
)
_HOLDER = re.compile(
    r"THIS\s+IS\s+TO\s+CERTIFY\s+THAT\s*,?\s+(?P<holder>.+?)\s*,?\s+or\s+(?:its|his|her|their)\s+"
    r"(?:registered\s+|permitted\s+)*assigns",
    re.I | re.S,
)
_ISSUED = re.compile(
    rf"(?:Issuance|Issue|Original\s+Issue)\s+Date\s*:?\s*(?P<date>{DATE})"
    rf"|Date\s+of\s+Issuance\s*:?\s*(?P<date2>{DATE})",
    re.I,
)
_PRICE = (
    re.compile(rf"shall\s+be\s+(?P<price>{_DOLLARS})\s*\(\s*the\s+{_Q}Exercise\s+Price{_Q}\s*\)?", re.I),
    re.compile(
        rf"(?P<price>{_DOLLARS})\s*(?:per\s+share\s*)?\(\s*the\s+{_Q}Exercise\s+Price{_Q}\s*\)?", re.I
    ),
    re.compile(
        rf"Exercise\s+Price[^$]{{0,200}}?\s+(?:shall\s+be|is|of|equal\s+to)\s+(?P<price>{_DOLLARS})", re.I
    ),
)
_EXPIRES = (
    re.compile(
        r"(?:at\s+any\s+time\s+)?(?:prior\s+to|on\s+or\s+before|until|through)\s+"
        r"(?:\d[\d:]*\s*[ap]\.?m\.?[^,]*?,?\s+(?:on\s+)?)?"  # "5:00 p.m., New York time, on"
        rf"(?P<date>{DATE})\s*,?\s*\(\s*the\s+{_Q}Expiration\s+Date{_Q}\s*\)?",
        re.I,
    ),
    re.compile(rf"Expiration\s+Date{_Q}?\)?\s*(?:shall\s+be|means|is|:)\s*(?P<date>{DATE})", re.I),
)


@dataclass(frozen=True)
class Found:
    """A value with the exact (collapsed) words it was read from."""

    value: object
    quote: str


@dataclass
class Certificate:
    exhibit: str
    pages: list[int]
    number: Found | None = None
    holder: Found | None = None
    heading: Found | None = None  # "342,154 Shares of Series B Convertible Preferred Stock"
    grant: Found | None = None  # "up to an aggregate of 342,154 shares of ..."
    quantity: int | None = None  # when heading and grant agree (or only one is given)
    class_name: str | None = None
    issued: Found | None = None
    exercise_price: Found | None = None
    expires: Found | None = None
    problems: list[tuple[str, str]] = field(default_factory=list)  # (field, reason)

    @property
    def locator(self) -> str:
        pages = sorted(set(self.pages))
        where = f"page {pages[0]}" if len(pages) == 1 else f"pages {pages[0]}-{pages[-1]}"
        return f"Exhibit {self.exhibit}, {where}"

    def quotes(self) -> list[str]:
        """The passages read, in the order they appear in the certificate."""
        seen: list[str] = []
        passages = (self.heading, self.number, self.issued, self.holder, self.grant,
                    self.exercise_price, self.expires)
        for found in passages:
            if found is not None and found.quote not in seen:
                seen.append(found.quote)
        return seen


def is_warrant_certificate(exhibit: Exhibit) -> bool:
    text = collapse(" ".join(line.text for line in exhibit.lines))
    return bool(_NUMBER.search(text) or re.search(r"THIS\s+WARRANT|\bWARRANT\b", text)) and bool(
        _HOLDER.search(text)
    )


def read_certificate(exhibit: Exhibit) -> Certificate | None:
    """The certificate's terms, or None when the exhibit is not a warrant certificate."""
    if not is_warrant_certificate(exhibit):
        return None
    index = TextIndex(exhibit.lines)
    text = index.text
    cert = Certificate(exhibit=exhibit.label, pages=[exhibit.page])

    def found(match: re.Match[str], value: object, group: int | str = 0) -> Found:
        cert.pages.extend(index.pages_between(match.start(), match.end()))
        return Found(value, collapse(match.group(group)))

    holder_match = _HOLDER.search(text)
    number_match = _NUMBER.search(text[: holder_match.start()]) or _NUMBER.search(text)
    if number_match:
        cert.number = found(number_match, number_match.group(1))
    else:
        cert.problems.append(("warrant", 'no "Warrant No." in the certificate'))

    holder = collapse(holder_match.group("holder")).strip(" ,;")
    cert.holder = Found(holder, collapse(holder_match.group(0)))
    cert.pages.extend(index.pages_between(holder_match.start(), holder_match.end()))

    heading = _HEADING.search(text[: holder_match.start()])
    grant = _GRANT.search(text)
    _quantity_and_class(cert, heading, grant, found)

    issued = _ISSUED.search(text)
    if issued:
        raw = issued.group("date") or issued.group("date2")
        cert.issued = found(issued, parse_date(raw))
    else:
        cert.problems.append(("effective_date", "no issuance date in the certificate"))

    price = next((m for p in _PRICE if (m := p.search(text))), None)
    if price:
        reading = read_price(price.group("price"))
        if reading.ok:
            cert.exercise_price = found(price, reading.value)
        else:
            cert.problems.append(("exercise_price", reading.reason))
    else:
        cert.problems.append(("exercise_price", "no exercise price stated in dollars"))

    expires = next((m for p in _EXPIRES if (m := p.search(text))), None)
    if expires:
        cert.expires = found(expires, parse_date(expires.group("date")))
    else:
        cert.problems.append(("expires", 'no "Expiration Date" with a date'))
    return cert


def _quantity_and_class(cert: Certificate, heading, grant, found) -> None:
    """Quantity and class from the heading and the grant; both must agree when both are given."""
    sources = [m for m in (heading, grant) if m]
    if not sources:
        cert.problems.append(("quantity", "no number of shares in the heading or the grant"))
        return
    quantities = {int(m.group(1).replace(",", "")) for m in sources}
    classes = {collapse(m.group(2)).lower() for m in sources}
    shown = " / ".join(f'"{collapse(m.group(0))}"' for m in sources)
    if len(quantities) > 1:
        cert.problems.append(("quantity", f"the heading and the grant disagree: {shown}"))
    if len(classes) > 1:
        cert.problems.append(("security", f"the heading and the grant name different classes: {shown}"))
    if heading:
        cert.heading = found(heading, int(heading.group(1).replace(",", "")))
    if grant:
        cert.grant = found(grant, int(grant.group(1).replace(",", "")))
    if len(quantities) == 1:
        cert.quantity = quantities.pop()
    if len(classes) == 1:
        cert.class_name = collapse(sources[0].group(2))
