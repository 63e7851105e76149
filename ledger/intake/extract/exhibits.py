"""Exhibits: where each begins, and what the filing's exhibit list says each is.

An exhibit begins at a line holding only "Exhibit N" (usually set flush
right) and runs to the next such line or the end of the filing. The exhibit
list ("Item 7. Material to Be Filed as Exhibits") has lines "Exhibit N  <what
it is>", continued on indented lines.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ledger.intake.extract.text import Line, collapse, is_running_header

_MARKER = re.compile(r"^\s*EXHIBIT\s+([\w.-]+)\s*$", re.I)
_LISTED = re.compile(r"^(\s*)EXHIBIT\s+([\w.-]+)[ :.]{2,}(\S.*)$", re.I)


@dataclass(frozen=True)
class Exhibit:
    label: str  # "1", "99.1", "A"
    page: int  # page the exhibit begins on
    lines: tuple[Line, ...]  # its lines, running headers dropped


@dataclass(frozen=True)
class ListedExhibit:
    label: str
    description: str
    page: int
    quote: str


def split_exhibits(lines: Sequence[Line]) -> list[Exhibit]:
    exhibits: list[Exhibit] = []
    current: tuple[str, int, list[Line]] | None = None
    for line in lines:
        match = _MARKER.match(line.text)
        if match:
            if current:
                exhibits.append(Exhibit(current[0], current[1], tuple(current[2])))
            current = (match.group(1), line.page, [])
            continue
        if current is not None and not is_running_header(line.text):
            current[2].append(line)
    if current:
        exhibits.append(Exhibit(current[0], current[1], tuple(current[2])))
    return exhibits


def exhibit_list(lines: Sequence[Line]) -> dict[str, ListedExhibit]:
    """The exhibit list's entries by label (the first list found wins for a label)."""
    entries: dict[str, ListedExhibit] = {}
    i = 0
    while i < len(lines):
        match = _LISTED.match(lines[i].text)
        if not match:
            i += 1
            continue
        indent = len(match.group(1))
        parts = [match.group(3)]
        j = i + 1
        while j < len(lines):
            text = lines[j].text
            if not text.strip() or _LISTED.match(text) or _MARKER.match(text):
                break
            if len(text) - len(text.lstrip()) <= indent:
                break
            parts.append(text)
            j += 1
        label = match.group(2)
        if label not in entries:
            quote = collapse(" ".join(ln.text for ln in lines[i:j]))
            entries[label] = ListedExhibit(label, collapse(" ".join(parts)), lines[i].page, quote)
        i = j
    return entries
