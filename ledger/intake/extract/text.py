"""Pages and lines of a legacy EDGAR text filing, and the small text helpers.

A filing is split into pages on ``<PAGE>`` / ``<page>`` marker lines. A page's
number comes from its "Page N of M" running header; a page without one (the
first page, or an exhibit page whose header was left out) takes the number
after the previous page's.
"""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

PAGE_MARKER = re.compile(r"^\s*<page>\s*$", re.IGNORECASE)
PAGE_OF = re.compile(r"\bPage\s+(\d+)\s+of\s+(\d+)\b", re.IGNORECASE)
# How many non-blank lines at the top (and bottom) of a page may hold its header.
HEADER_LINES = 6
FOOTER_LINES = 3

# Lines that repeat on every page and carry nothing of the page's own content.
_RUNNING_HEADER = re.compile(
    r"^\s*(?:CUSIP\s+(?:No\.?|Number|#)?\s*:?\s*[\w ]*?\s*)?"
    r"(?:(?:SCHEDULE\s+)?13[DG](?:/A)?\s+)?"
    r"(?:Page\s+\d+\s+of\s+\d+)?\s*$",
    re.IGNORECASE,
)
_SEPARATOR = re.compile(r"^[\s\-_=*~+|]*$")

_SPACES = re.compile(r"[\t\u00a0\u2000-\u200b\u202f\u3000]")

MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
            ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
            ("september", "sept", "sep"), ("october", "oct"), ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
# "February 9, 2004", "Feb. 9 2004", "9 February 2004", "02/09/2004", "2004-02-09"
DATE = (
    rf"(?:(?:{_MONTH})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    rf"|\d{{1,2}}\s+(?:{_MONTH})\.?,?\s+\d{{4}}"
    r"|\d{1,2}/\d{1,2}/\d{4}"
    r"|\d{4}-\d{2}-\d{2})"
)
_DATE_PARTS = (
    re.compile(rf"^(?P<m>{_MONTH})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>\d{{4}})$", re.I),
    re.compile(rf"^(?P<d>\d{{1,2}})\s+(?P<m>{_MONTH})\.?,?\s+(?P<y>\d{{4}})$", re.I),
    re.compile(r"^(?P<mn>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{4})$"),
    re.compile(r"^(?P<y>\d{4})-(?P<mn>\d{2})-(?P<d>\d{2})$"),
)


@dataclass(frozen=True)
class Line:
    """One normalised line, with the page it is printed on and its line number in the file."""

    text: str
    page: int
    number: int


@dataclass(frozen=True)
class Page:
    index: int  # 0-based position in the file
    number: int  # as printed in its "Page N of M" header, or inferred
    number_stated: bool
    lines: tuple[Line, ...]


def normalise_line(raw: str) -> str:
    """Tabs and odd spaces to plain spaces, no line-end characters or trailing blanks."""
    text = raw.replace("\r", "").expandtabs(8)
    return _SPACES.sub(" ", text).rstrip()


def collapse(text: str) -> str:
    """Every run of whitespace (line breaks included) as one space, ends stripped."""
    return " ".join(text.split())


def is_separator(text: str) -> bool:
    """Blank, or a rule of dashes, underscores or equals signs."""
    return bool(_SEPARATOR.match(text))


def is_running_header(text: str) -> bool:
    """A "CUSIP No. ...  Page N of M" line (or either half of it) repeated on each page."""
    stripped = text.strip()
    if not stripped:
        return False
    if not (PAGE_OF.search(stripped) or re.match(r"CUSIP\s+(?:No\.?|Number|#)", stripped, re.I)):
        return False
    return bool(_RUNNING_HEADER.match(stripped))


def split_pages(text: str) -> list[Page]:
    """The filing's pages, split on <PAGE> marker lines, each numbered."""
    chunks: list[list[tuple[int, str]]] = [[]]
    for number, raw in enumerate(text.splitlines(), start=1):
        if PAGE_MARKER.match(raw):
            chunks.append([])
            continue
        chunks[-1].append((number, normalise_line(raw)))
    if len(chunks) > 1 and not any(t.strip() for _, t in chunks[-1]):
        chunks.pop()

    pages: list[Page] = []
    previous = 0
    for index, chunk in enumerate(chunks):
        stated = _stated_page_number(t for _, t in chunk)
        number = stated if stated is not None else previous + 1
        pages.append(
            Page(
                index=index,
                number=number,
                number_stated=stated is not None,
                lines=tuple(Line(t, number, n) for n, t in chunk),
            )
        )
        previous = number
    return pages


def _stated_page_number(texts) -> int | None:
    non_blank = [t for t in texts if t.strip()]
    for candidate in non_blank[:HEADER_LINES] + non_blank[-FOOTER_LINES:]:
        match = PAGE_OF.search(candidate)
        if match and is_running_header(candidate):
            return int(match.group(1))
    return None


def document_lines(pages: Sequence[Page]) -> list[Line]:
    """Every line of every page, in order, page markers dropped."""
    return [line for page in pages for line in page.lines]


def parse_date(text: str) -> dt.date | None:
    """A date as written in a filing, or None when it is not one."""
    candidate = collapse(text).strip(" .,;:()")
    for pattern in _DATE_PARTS:
        match = pattern.match(candidate)
        if not match:
            continue
        parts = match.groupdict()
        month = MONTHS[parts["m"].lower()] if parts.get("m") else int(parts["mn"])
        try:
            return dt.date(int(parts["y"]), month, int(parts["d"]))
        except ValueError:
            return None
    return None


class TextIndex:
    """Lines joined into one text, so that patterns may span line breaks.

    Offsets into ``text`` map back to the line, and so the page, they fall on.
    """

    def __init__(self, lines: Sequence[Line]):
        self.lines = list(lines)
        self.text = "\n".join(line.text for line in self.lines)
        self.starts: list[int] = []
        offset = 0
        for line in self.lines:
            self.starts.append(offset)
            offset += len(line.text) + 1

    def line_index(self, offset: int) -> int:
        return max(0, bisect_right(self.starts, offset) - 1)

    def line_start(self, offset: int) -> int:
        return self.starts[self.line_index(offset)]

    def page_at(self, offset: int) -> int:
        if not self.lines:
            return 1
        return self.lines[self.line_index(offset)].page

    def pages_between(self, start: int, end: int) -> list[int]:
        if not self.lines:
            return []
        first, last = self.line_index(start), self.line_index(max(start, end - 1))
        return sorted({line.page for line in self.lines[first : last + 1]})


def page_label(pages: Sequence[int]) -> str:
    """'Page 2' or 'Pages 2-3'."""
    pages = sorted(set(pages))
    if not pages:
        return "Page ?"
    if len(pages) == 1:
        return f"Page {pages[0]}"
    return f"Pages {pages[0]}-{pages[-1]}"


def number_ranges(numbers: Sequence[int]) -> str:
    """[2, 7, 8, 9, 11] -> '2, 7-9, 11'."""
    values = sorted(set(numbers))
    parts: list[str] = []
    i = 0
    while i < len(values):
        j = i
        while j + 1 < len(values) and values[j + 1] == values[j] + 1:
            j += 1
        parts.append(str(values[i]) if i == j else f"{values[i]}-{values[j]}")
        i = j + 1
    return ", ".join(parts)
