"""Schedule 13D / 13G cover pages: finding each reporting person's rows.

Rows are found by their labels, not their numbers (13G numbers them
differently from 13D), across line breaks and page breaks. A row's text runs
from its label to the next row's label; a figure may sit before the label on
the label's line, after it on the same line, or on the lines below. The left
column of the voting rows ("NUMBER OF / SHARES / BENEFICIALLY / ...") and
running page headers are dropped first.

This module finds rows and their text; values.py reads the figures in them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from ledger.intake.extract.text import Line, TextIndex, collapse, is_running_header, is_separator

# A caption's tail: "(See Instructions)", a footnote star, a colon or full stop, but not the
# point of a figure right after it ("... IN ROW 9 .0004%").
_TAIL = r"(?:\s*\(\s*See\s+Instructions?\s*\))?(?:\s*\*)?(?:\s*(?::|\.(?!\d)))?"

# Field, label pattern, row number on a Schedule 13D, row number on a Schedule 13G.
ROWS: tuple[tuple[str, str, int, int], ...] = (
    ("name", r"Names?\s+of\s+Reporting(?:\s+Persons?)?", 1, 1),
    (
        "irs",
        r"(?:S\.?\s?S\.?\s+or\s+)?I\.?\s?R\.?\s?S\.?\s+Identification\s+Nos?\.?"
        r"(?:\s+of\s+(?:the\s+)?Above\s+Persons?)?(?:\s*\(\s*Entities\s+Only\s*\))?",
        1,
        1,
    ),
    ("group", r"Check\s+the\s+Appropriate\s+Box\s+if\s+a\s+Member\s+of\s+a\s+Group", 2, 2),
    ("sec_use", r"SEC\s+Use\s+Only", 3, 3),
    ("funds", r"Source\s+of\s+Funds", 4, 4),
    (
        "legal",
        r"Check\s+(?:Box\s+)?if\s+Disclosure\s+of\s+Legal\s+Proceedings\s+(?:is\s+)?Required"
        r"(?:\s+Pursuant\s+to\s+Items?(?:\s+2\s*\(d\)\s+or\s+2\s*\(e\))?)?",
        5,
        5,
    ),
    ("citizenship", r"Citizenship\s+or\s+Place\s+of\s+Organi[sz]ation", 6, 4),
    ("sole_voting", r"Sole\s+Voting\s+Power", 7, 5),
    ("shared_voting", r"Shared\s+Voting\s+Power", 8, 6),
    ("sole_dispositive", r"Sole\s+Dispositive\s+Power", 9, 7),
    ("shared_dispositive", r"Shared\s+Dispositive\s+Power", 10, 8),
    (
        "aggregate",
        r"Aggregate\s+Amount\s+Beneficially(?:\s+Owned(?:\s+by(?:\s+Each(?:\s+Reporting(?:\s+Persons?)?)?)?)?)?",
        11,
        9,
    ),
    (
        "excludes",
        r"Check\s+(?:Box\s+)?if\s+(?:the\s+)?Aggregate\s+Amount\s+in\s+Row\s*\(?\s*\d+\s*\)?"
        r"(?:\s+Excludes(?:\s+Certain\s+Shares)?)?",
        12,
        10,
    ),
    (
        "percent",
        r"Percent\s+of\s+Class\s+Represented\s+by(?:\s+Amount(?:\s+in\s+Row\s*(?:\(\s*\d+\s*\)|\d+))?)?",
        13,
        11,
    ),
    ("type", r"Type\s+of\s+Reporting(?:\s+Persons?)?", 14, 12),
)
ORDER = {name: i for i, (name, *_rest) in enumerate(ROWS)}
ROW_NUMBER = {"13D": {n: d for n, _, d, _ in ROWS}, "13G": {n: g for n, _, _, g in ROWS}}
_PLAUSIBLE = {n: {d, g} for n, _, d, g in ROWS}
_LABELS = [(name, re.compile(pattern + _TAIL, re.IGNORECASE)) for name, pattern, _, _ in ROWS]

# The left column beside the voting rows, in capitals or not, on its own or run together.
_MARGIN_WORD = r"(?:NUMBER|OF|SHARES|BENEFICIALLY|OWNED|BY|EACH|REPORTING|PERSONS?|WITH)"
_MARGIN = re.compile(
    rf"^(\s*){_MARGIN_WORD}(?:[ ]+{_MARGIN_WORD})*[ ]*:?(?=[ ]{{2,}}|[ ]*$|[ ]+\(?\d{{1,2}}[.)]?[ ])",
    re.IGNORECASE,
)
_MARKER_AT_START = re.compile(r"^\s*(\(?(\d{1,2})[.):]?)(?=\s|$)")
_MARKER_AT_END = re.compile(r"(?:^|\s)(\(?(\d{1,2})[.):]?)\s*$")
# A block ends when the next label is this many lines past the previous one.
_MAX_GAP_LINES = 40
# The last row (type of reporting person) holds at most this many short lines.
_LAST_ROW_LINES = 2
_LAST_ROW_WIDTH = 40


@dataclass(frozen=True)
class Row:
    field: str
    number: int | None  # as printed; None when the filing prints none
    page: int
    label: str  # collapsed label text
    content: str  # collapsed text the value is read from
    quote: str  # collapsed text of the whole row: number, label, content
    start: int  # offsets into the cover text
    end: int


@dataclass(frozen=True, eq=False)
class CoverPage:
    """One reporting person's cover page: its rows by field."""

    index: int  # 1-based, in filing order
    rows: dict[str, Row]
    index_text: TextIndex = field(repr=False)

    @property
    def pages(self) -> list[int]:
        return sorted({row.page for row in self.rows.values()})

    def span_quote(self, first: str, last: str) -> str:
        """Collapsed text of the rows from ``first`` to ``last`` (those present), as one passage."""
        present = [r for r in self.rows.values() if ORDER[first] <= ORDER[r.field] <= ORDER[last]]
        if not present:
            return ""
        start = min(r.start for r in present)
        end = max(r.end for r in present)
        return collapse(self.index_text.text[start:end])


@dataclass(frozen=True)
class _Label:
    field: str
    start: int
    end: int


def strip_margin(text: str) -> str:
    """Blank out the 'NUMBER OF SHARES ... WITH' left column at the start of a line."""
    match = _MARGIN.match(text)
    if not match:
        return text
    return " " * len(match.group(0)) + text[match.end() :]


def _blank_rule(text: str) -> str:
    return " " * len(text) if is_separator(text) else text


def cover_lines(lines: Sequence[Line]) -> list[Line]:
    """Lines as the cover-page reader sees them: running headers dropped, rules blanked.

    Blanking keeps every line's length, so offsets stay valid when the left
    column is blanked later.
    """
    return [
        Line(_blank_rule(line.text), line.page, line.number)
        for line in lines
        if not is_running_header(line.text)
    ]


def find_cover_pages(lines: Sequence[Line]) -> list[CoverPage]:
    """Every reporting person's cover page in the filing, in order."""
    plain = cover_lines(lines)
    found = TextIndex(plain)
    blocks = _blocks(_labels(found.text), found)
    # The left column is blanked only beside the voting rows, so that a label's
    # continuation elsewhere ("... BY EACH / REPORTING PERSON") keeps its words.
    margin = set().union(*(_voting_zone(block, found) for block in blocks)) if blocks else set()
    index = TextIndex(
        [
            Line(_blank_rule(strip_margin(line.text)), line.page, line.number) if i in margin else line
            for i, line in enumerate(plain)
        ]
    )
    return [CoverPage(i, _rows(block, index), index) for i, block in enumerate(blocks, start=1)]


_VOTING = ("sole_voting", "shared_voting", "sole_dispositive", "shared_dispositive")


def _voting_zone(block: list[_Label], index: TextIndex) -> set[int]:
    """Line indexes beside the voting rows: from after the row before them to the row after them."""
    voting = [i for i, label in enumerate(block) if label.field in _VOTING]
    if not voting:
        return set()
    first, last = voting[0], voting[-1]
    if first > 0:
        start = index.line_index(block[first - 1].end) + 1
    else:
        start = index.line_index(block[first].start)
    if last + 1 < len(block):
        end = index.line_index(block[last + 1].start)
    else:
        end = index.line_index(block[last].end) + 6
    return set(range(start, end))


def _labels(text: str) -> list[_Label]:
    found = [
        _Label(name, m.start(), m.end()) for name, pattern in _LABELS for m in pattern.finditer(text)
    ]
    found.sort(key=lambda lab: (lab.start, -(lab.end - lab.start)))
    kept: list[_Label] = []
    for label in found:
        if kept and label.start < kept[-1].end:
            continue
        kept.append(label)
    return kept


def _blocks(labels: list[_Label], index: TextIndex) -> list[list[_Label]]:
    blocks: list[list[_Label]] = []
    current: list[_Label] | None = None
    for label in labels:
        if label.field == "name" and _starts_line(label, index):
            current = [label]
            blocks.append(current)
            continue
        if current is None:
            continue
        previous = current[-1]
        gap = index.line_index(label.start) - index.line_index(previous.end)
        if ORDER[label.field] > ORDER[previous.field] and gap <= _MAX_GAP_LINES:
            current.append(label)
        else:
            current = None
    return blocks


def _starts_line(label: _Label, index: TextIndex) -> bool:
    prefix = index.text[index.line_start(label.start) : label.start]
    return bool(re.fullmatch(r"\s*(?:\(?\d{1,2}[.):]?\s*)?", prefix))


def _marker(match: re.Match[str] | None, name: str) -> int | None:
    if match and int(match.group(2)) in _PLAUSIBLE[name]:
        return int(match.group(2))
    return None


@dataclass(frozen=True)
class _Lead:
    """Where a row begins: its printed number and any text before its label."""

    number: int | None
    start: int  # offset of the row's first character (number or figure or label)
    pre: str  # text between the number and the label


def _lead(label: _Label, floor: int, index: TextIndex) -> _Lead:
    text = index.text
    line_start = index.line_start(label.start)
    prefix = text[line_start : label.start]
    first = line_start + len(prefix) - len(prefix.lstrip())
    at_start = _MARKER_AT_START.match(prefix)
    number = _marker(at_start, label.field)
    if number is not None:
        return _Lead(number, first, prefix[at_start.end() :].strip())
    at_end = _MARKER_AT_END.search(prefix)
    number = _marker(at_end, label.field)
    if number is not None:
        return _Lead(number, first, prefix[: at_end.start(1)].strip())
    if prefix.strip():
        return _Lead(None, first, prefix.strip())
    # The number (and perhaps the figure) may sit on the line above the label.
    line_no = index.line_index(label.start)
    above = line_no - 1
    while above >= 0 and index.starts[above] >= floor and not index.lines[above].text.strip():
        above -= 1
    if above >= 0 and index.starts[above] >= floor:
        candidate = index.lines[above].text
        match = _MARKER_AT_START.match(candidate)
        number = _marker(match, label.field)
        if number is not None:
            start = index.starts[above] + len(candidate) - len(candidate.lstrip())
            return _Lead(number, start, candidate[match.end() :].strip())
    return _Lead(None, label.start, "")


def _rows(block: list[_Label], index: TextIndex) -> dict[str, Row]:
    text = index.text
    leads: list[_Lead] = []
    for i, label in enumerate(block):
        # A row may begin on a line above its label, but never on the line the
        # previous label ends on: that line belongs to the previous row.
        floor = label.start
        if i:
            after_previous = index.line_index(block[i - 1].end) + 1
            floor = index.starts[after_previous] if after_previous < len(index.starts) else len(text)
        leads.append(_lead(label, floor, index))

    rows: dict[str, Row] = {}
    for i, label in enumerate(block):
        lead = leads[i]
        if i + 1 < len(block):
            nxt = leads[i + 1]
            cut = nxt.start
            if index.line_index(nxt.start) > index.line_index(label.end):
                cut = index.line_start(nxt.start)
        else:
            cut = _last_row_end(label.end, index, bool(lead.pre))
        after = text[label.end : cut]
        content = collapse(f"{lead.pre} {after}")
        end = label.end + len(after.rstrip())
        rows[label.field] = Row(
            field=label.field,
            number=lead.number,
            page=index.page_at(label.start),
            label=collapse(text[label.start : label.end]),
            content=content,
            quote=collapse(text[lead.start : end]),
            start=lead.start,
            end=end,
        )
    return rows


def _last_row_end(offset: int, index: TextIndex, has_lead: bool) -> int:
    """The last row (type of reporting person) ends at the first blank line after its codes."""
    text = index.text
    line_no = index.line_index(offset)
    rest_of_line = text[offset : index.starts[line_no] + len(index.lines[line_no].text)]
    end = offset + len(rest_of_line)
    taken = 1 if rest_of_line.strip() or has_lead else 0
    blank_run = 0
    for line in index.lines[line_no + 1 :]:
        line_no += 1
        stripped = line.text.strip()
        if not stripped:
            if taken:
                break
            blank_run += 1
            if blank_run > 3:
                break
            continue
        if (
            taken >= _LAST_ROW_LINES
            or len(stripped) > _LAST_ROW_WIDTH
            or stripped.startswith("*")
            or any(pattern.search(stripped) for _, pattern in _LABELS)
        ):
            break
        taken += 1
        end = index.starts[line_no] + len(line.text)
    return end
