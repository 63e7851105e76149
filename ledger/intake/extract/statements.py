"""What a filing's items say in words about the cover page's figures.

Item 4 or Item 6 often repeats the holding in a sentence: "is deemed to be the beneficial
owner of 11,466,840 shares or 10.2% of the 112,155,745 shares believed to be outstanding".
The sentence is read where it has that shape; the count of shares outstanding it gives is a
reported figure of its own, and a count or percent that disagrees with the cover page (beyond
the percent's own rounding) is a finding, not a figure to choose between.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from ledger.intake.extract.text import Line, TextIndex, collapse

_SENTENCE = re.compile(
    r"beneficial\s+owner\s+of\s+(?:an\s+aggregate\s+of\s+)?(?P<shares>\d{1,3}(?:,\d{3}){1,4}|\d{1,15})\s+shares?"
    r"(?:\s+of\s+[A-Za-z ]{1,40}?)?,?\s+(?:or|representing)\s+(?:approximately\s+)?(?P<percent>\d+(?:\.\d+)?|\.\d+)\s*%"
    r"(?:\s+of\s+the\s+(?P<outstanding>\d{1,3}(?:,\d{3}){1,4}|\d{1,15})\s+shares)?", re.I)


@dataclass(frozen=True)
class Statement:
    shares: int
    percent: Decimal
    outstanding: int | None
    quote: str  # the words as the filing prints them, whitespace collapsed
    page: int
    before: str  # the words just before the sentence, collapsed: whom it is about

    def about(self, name: str) -> bool:
        """Whether the words before the sentence name this person."""
        return collapse(name).casefold() in self.before.casefold()


def ownership_statements(lines: Sequence[Line]) -> list[Statement]:
    """Every such sentence in the filing, with the page it starts on."""
    index = TextIndex(lines)
    text = index.text
    out = []
    for match in _SENTENCE.finditer(text):
        page = index.page_at(match.start())
        outstanding = match.group("outstanding")
        out.append(Statement(int(match.group("shares").replace(",", "")), Decimal(match.group("percent")),
                             int(outstanding.replace(",", "")) if outstanding else None,
                             collapse(match.group(0)), page, _sentence_start(text, match.start())))
    return out


def _sentence_start(text: str, start: int) -> str:
    """The words of the sentence before `start` (from its last full stop), collapsed."""
    before = collapse(text[max(0, start - 400):start])
    stops = list(re.finditer(r"\.\s+(?=[A-Z])", before))
    return before[stops[-1].end():] if stops else before


def within_rounding(stated: Decimal, cover: Decimal) -> bool:
    """Two percents of one holding agree when the one with fewer decimals is the other rounded."""
    places = min(-stated.as_tuple().exponent, -cover.as_tuple().exponent, 6)
    quantum = Decimal(1).scaleb(-places)
    return abs(stated - cover) <= quantum / 2
