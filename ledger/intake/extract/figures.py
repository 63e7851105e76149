"""A cover page's figures: each row read, and each row that could not be read.

Nothing is guessed: a blank row or "N/A" gives no value; a row that holds
words but no plain figure, or a required row that is missing, goes on the
unread list with its locator and the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ledger.intake.extract.cover_pages import ROW_NUMBER, CoverPage, Row
from ledger.intake.extract.text import number_ranges, page_label
from ledger.intake.extract.values import (
    NOT_APPLICABLE,
    UNREADABLE,
    Reading,
    read_checkbox_group,
    read_count,
    read_name,
    read_percent,
    read_reporting_type,
    read_tax_id,
    read_text,
)

# Row field -> the event field it fills.
COUNT_ROWS = {
    "sole_voting": "sole_voting",
    "shared_voting": "shared_voting",
    "sole_dispositive": "sole_dispositive",
    "shared_dispositive": "shared_dispositive",
    "aggregate": "beneficially_owned",
}
REQUIRED_ROWS = ("name", "aggregate", "percent")

_CODE_KIND = {"PN": "partnership", "CO": "corporation", "IN": "individual"}
_LLC_NAME = re.compile(r"\b(?:L\.?\s?L\.?\s?C\.?|Limited\s+Liability\s+Company)(?:\W|$)", re.I)
_PARTNERSHIP_NAME = re.compile(r"\b(?:L\.?\s?P\.?|Limited\s+Partnership|Partnership)(?:\W|$)", re.I)
_CORPORATION_NAME = re.compile(
    r"\b(?:Inc|Incorporated|Corp|Corporation|Ltd|Limited|plc|N\.?V|S\.?A)\.?(?:\W|$)", re.I
)
_OTHER_NAME = re.compile(r"\b(?:Trust|Foundation|Estate)\b", re.I)


def infer_kind(name: str, codes: tuple[str, ...]) -> str:
    """Party kind from row 14 and the name's legal form.

    An LLC name wins over the code (row 14 has no code for an LLC, so LLCs
    report CO or OO); otherwise PN / CO / IN decide; OO means an LLC unless the
    name says otherwise; failing all that, the name's legal form, else 'other'.
    """
    if _LLC_NAME.search(name):
        return "llc"
    for code in codes:
        if code in _CODE_KIND:
            return _CODE_KIND[code]
    by_name = _kind_from_name(name)
    if "OO" in codes:
        return by_name or "llc"
    return by_name or "other"


def _kind_from_name(name: str) -> str | None:
    if _PARTNERSHIP_NAME.search(name):
        return "partnership"
    if _CORPORATION_NAME.search(name):
        return "corporation"
    if _OTHER_NAME.search(name):
        return "other"
    return None


@dataclass
class CoverFigures:
    cover: CoverPage
    form: str
    name: str | None = None
    tax_id: str | None = None
    jurisdiction: str | None = None
    member_of_group: bool | None = None
    counts: dict[str, int] = field(default_factory=dict)  # event field -> figure
    percent: str | None = None
    codes: tuple[str, ...] = ()
    blank: list[str] = field(default_factory=list)  # row fields left blank or "N/A"
    unread: list[dict] = field(default_factory=list)

    def row(self, name: str) -> Row | None:
        return self.cover.rows.get(name)

    def row_number(self, name: str) -> int:
        row = self.cover.rows.get(name)
        if name == "irs" and (row is None or row.number is None):
            return self.row_number("name")
        if row is not None and row.number is not None:
            return row.number
        return ROW_NUMBER[self.form][name]

    def locator(self, names: list[str]) -> str:
        present = [n for n in names if n in self.cover.rows]
        pages = [self.cover.rows[n].page for n in present] or self.cover.pages
        numbers = [self.row_number(n) for n in names]
        noun = "row" if len(set(numbers)) == 1 else "rows"
        return f"{page_label(pages)}, cover page {noun} {number_ranges(numbers)}"

    @property
    def kind(self) -> str:
        return infer_kind(self.name or "", self.codes)

    @property
    def reporting_type(self) -> str | None:
        return ", ".join(self.codes) if self.codes else None


def read_cover(cover: CoverPage, form: str | None) -> CoverFigures:
    figures = CoverFigures(cover=cover, form=form or "13D")
    rows = cover.rows

    name_text = " ".join(rows[r].content for r in ("name", "irs") if r in rows)
    if "name" in rows or "irs" in rows:
        tax_id, rest = read_tax_id(name_text)
        if tax_id.ok:
            figures.tax_id = tax_id.value
        name = read_name(rest)
        if name.ok:
            figures.name = name.value
        else:
            _unread(figures, ["name"], "name", "no name of reporting person in row 1")

    for required in REQUIRED_ROWS:
        if required not in rows:
            event_field = {"aggregate": "beneficially_owned"}.get(required, required)
            _unread(figures, [required], event_field, "row not found on the cover page")

    if "citizenship" in rows:
        jurisdiction = read_text(rows["citizenship"].content)
        if jurisdiction.ok:
            figures.jurisdiction = jurisdiction.value
        _note(figures, "citizenship", "jurisdiction", jurisdiction)

    if "group" in rows:
        group = read_checkbox_group(rows["group"].content)
        if group.ok:
            figures.member_of_group = group.value
        _note(figures, "group", "member_of_group", group)

    for row_name, event_field in COUNT_ROWS.items():
        if row_name not in rows:
            continue
        reading = read_count(rows[row_name].content)
        if reading.ok:
            figures.counts[event_field] = reading.value
        elif row_name == "aggregate" and reading.status != UNREADABLE:
            _unread(figures, [row_name], event_field, f"row is {_status(reading)}: no figure stated")
        _note(figures, row_name, event_field, reading)

    if "percent" in rows:
        percent = read_percent(rows["percent"].content)
        if percent.ok:
            figures.percent = percent.value
        elif percent.status != UNREADABLE:
            _unread(figures, ["percent"], "percent", f"row is {_status(percent)}: no figure stated")
        _note(figures, "percent", "percent", percent)

    if "type" in rows:
        codes = read_reporting_type(rows["type"].content)
        if codes.ok:
            figures.codes = codes.value
        _note(figures, "type", "reporting_type", codes)
    return figures


def _status(reading: Reading) -> str:
    return '"N/A"' if reading.status == NOT_APPLICABLE else "blank"


def _note(figures: CoverFigures, row_name: str, event_field: str, reading: Reading) -> None:
    if reading.status == UNREADABLE:
        _unread(figures, [row_name], event_field, reading.reason)
    elif not reading.ok:
        figures.blank.append(row_name)


def _unread(figures: CoverFigures, rows: list[str], event_field: str, reason: str) -> None:
    who = f" ({figures.name})" if figures.name else ""
    figures.unread.append(
        {"locator": figures.locator(rows), "field": event_field, "reason": reason + who}
    )
