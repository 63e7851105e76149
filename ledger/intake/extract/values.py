"""Reading one cover-page cell: a share count, a percent, a checkbox, a tax id, type codes.

Each reader returns a Reading: the value, or why there is none. A blank cell
and "N/A" give no value and no complaint; anything else that is not plainly a
figure is "unreadable" with the reason, and is never guessed at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from ledger.intake.extract.text import collapse

BLANK = "blank"
NOT_APPLICABLE = "n/a"
VALUE = "value"
UNREADABLE = "unreadable"


@dataclass(frozen=True)
class Reading:
    status: str
    value: Any = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.status == VALUE


# A colon, a row number, asterisks, or a dash before a figure ("SOLE VOTING POWER - 4,444,899").
_LEADING_NOISE = re.compile(r"^(?:[:;]\s*|\(\d{1,2}\)\s+|\*+\s*|[-\u2013\u2014]\s+(?=[\d.]))+")
_NA = re.compile(r"^(?:n/?a\.?|not\s+applicable\.?)$", re.I)
_NONE = re.compile(r"^(?:none|nil|zero)\b", re.I)
_DASH_ZERO = r"-+\s*0\s*-+"
_COUNT = re.compile(rf"^(?:(?P<zero>{_DASH_ZERO})|(?P<n>\d{{1,3}}(?:,\d{{3}})+|\d+))(?![\d,]*\.\d)(?![\d,])")
_PERCENT = re.compile(rf"^(?:(?P<zero>{_DASH_ZERO})|(?P<n>\d+(?:\.\d+)?|\.\d+))\s*(?P<sign>%|percent\b)?", re.I)
_BOUND = re.compile(r"^(?:less\s+than|approximately|approx\.|about|under|over|more\s+than|<|>|~)", re.I)

EIN = re.compile(r"\b\d{2}-\d{7}\b")
SSN = re.compile(r"\b\d{3}-\d{2}-\d{4}\b")
_TAX_ID_NONE = re.compile(r"(?:^|\s)(?:N/?A|Not\s+Applicable|None)\.?\s*$", re.I)

REPORTING_CODES = ("BD", "BK", "IC", "IV", "IA", "EP", "HC", "SA", "CP", "CO", "PN", "IN", "OO", "FI")
_CODE = re.compile(r"\b(" + "|".join(REPORTING_CODES) + r")\b")

_CHECKED = re.compile(r"^\s*(?:[\[|/(]\s*[xX\u2713\u2714]\s*[\]|/)]|[xX\u2612\u2611](?:\s|$))")
# An empty box: "[ ]", "( )", "o", a blank, or a typed rule ("_____") with nothing on it.
_UNCHECKED = re.compile(r"^\s*(?:[\[|/(]\s*_*\s*[\]|/)]|[o\u2610](?:\s|$)|_+\s*$|$)")


def _clean(text: str) -> str:
    return _LEADING_NOISE.sub("", collapse(text))


def read_count(text: str) -> Reading:
    """A share count: '22,149,036 shares of Common Stock' -> 22149036; '-0-' -> 0."""
    cleaned = _clean(text)
    if not cleaned:
        return Reading(BLANK)
    if _NA.match(cleaned):
        return Reading(NOT_APPLICABLE)
    match = _COUNT.match(cleaned)
    if match:
        return Reading(VALUE, 0 if match.group("zero") else int(match.group("n").replace(",", "")))
    if _NONE.match(cleaned):
        return Reading(VALUE, 0)
    if not re.search(r"\d", cleaned):
        return Reading(UNREADABLE, reason=f'no figure in the row: "{cleaned}"')
    return Reading(UNREADABLE, reason=f'the row does not begin with a figure: "{cleaned}"')


def read_percent(text: str) -> Reading:
    """A percent as a decimal string: '17.0%' -> '17.0'; '8.8' -> '8.8'; '-0-' -> '0'."""
    cleaned = _clean(text)
    if not cleaned:
        return Reading(BLANK)
    if _NA.match(cleaned):
        return Reading(NOT_APPLICABLE)
    if _BOUND.match(cleaned):
        return Reading(UNREADABLE, reason=f'states a bound, not a figure: "{cleaned}"')
    match = _PERCENT.match(cleaned)
    if match and re.match(r"[\d,]*,\d", cleaned[match.end():]):
        return Reading(UNREADABLE, reason=f'a share count, not a percent: "{cleaned}"')
    if match:
        if match.group("zero"):
            return Reading(VALUE, "0")
        try:
            value = Decimal(match.group("n"))
        except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
            return Reading(UNREADABLE, reason=f'not a percent: "{cleaned}"')
        if value > 100:
            return Reading(UNREADABLE, reason=f'more than 100 percent: "{cleaned}"')
        return Reading(VALUE, str(value))
    if _NONE.match(cleaned):
        return Reading(VALUE, "0")
    return Reading(UNREADABLE, reason=f'no percent in the row: "{cleaned}"')


def read_tax_id(text: str) -> tuple[Reading, str]:
    """Split '<name> 13-4124531' into the tax id and the rest; 'N/A' reads as no tax id."""
    cleaned = collapse(text)
    for pattern in (EIN, SSN):
        match = pattern.search(cleaned)
        if match:
            rest = collapse(cleaned[: match.start()] + " " + cleaned[match.end() :])
            return Reading(VALUE, match.group(0)), rest
    match = _TAX_ID_NONE.search(cleaned)
    if match:
        return Reading(NOT_APPLICABLE), cleaned[: match.start()].strip()
    return Reading(BLANK), cleaned


# Row 1's caption words where the layout leaves them beside the name, and what follows a tax id.
_NAME_CAPTION = re.compile(
    r"^(?:names?\s+of\s+reporting\s+persons?|(?:s\.?\s?s\.?\s+or\s+)?i\.?\s?r\.?\s?s\.?\s+identification\s+"
    r"nos?\.?(?:\s+of\s+(?:the\s+)?above\s+persons?)?(?:\s*\(\s*entities\s+only\s*\))?|and|only)[\s.:;,/-]*", re.I)
_NAME_TAIL = re.compile(r"(?:[\s,;:]+(?:tax\s+id(?:entification)?\s*(?:no\.?|number|#)?|i\.?r\.?s\.?\s+(?:no\.?|number)"
                        r"|#))+[\s#:.]*$", re.I)
_FOOTNOTE_MARK = re.compile(r"\s*(?:\*+|\(\d{1,2}\)|[\u2020\u2021]+)$")


def read_name(text: str) -> Reading:
    cleaned = collapse(text).lstrip(" .:;,-").rstrip(" :;,-")
    while True:
        stripped = _NAME_CAPTION.sub("", cleaned, count=1)
        if stripped == cleaned:
            break
        cleaned = stripped
    cleaned = _FOOTNOTE_MARK.sub("", _NAME_TAIL.sub("", cleaned)).rstrip(" :;,-")
    if not cleaned:
        return Reading(BLANK)
    return Reading(VALUE, cleaned)


def read_checkbox_group(text: str) -> Reading:
    """Row 2: True when box (a) is checked, False when it is left empty."""
    cleaned = collapse(text)
    match = re.search(r"\(a\)(.*?)(?=\(b\)|$)", cleaned)
    if not match:
        return Reading(BLANK) if not cleaned else Reading(UNREADABLE, reason=f'no box (a): "{cleaned}"')
    box = match.group(1)
    if _CHECKED.match(box):
        return Reading(VALUE, True)
    if _UNCHECKED.match(box):
        return Reading(VALUE, False)
    return Reading(UNREADABLE, reason=f'box (a) is neither checked nor empty: "{cleaned}"')


def read_reporting_type(text: str) -> Reading:
    """Row 14 codes as written: 'PN', 'IA, CO'."""
    cleaned = _clean(text)
    if not cleaned:
        return Reading(BLANK)
    codes = _CODE.findall(cleaned)
    if not codes:
        return Reading(UNREADABLE, reason=f'no reporting-person type code: "{cleaned}"')
    return Reading(VALUE, tuple(dict.fromkeys(codes)))


def read_text(text: str) -> Reading:
    cleaned = _clean(text).strip(" .,;")
    if not cleaned:
        return Reading(BLANK)
    if _NA.match(cleaned):
        return Reading(NOT_APPLICABLE)
    return Reading(VALUE, cleaned)


def read_price(text: str) -> Reading:
    """'$16.30' or '16.30' -> '16.30'; '$1,250' -> '1250'."""
    cleaned = collapse(text).lstrip("$ ").replace(",", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return Reading(UNREADABLE, reason=f'not a price: "{text}"')
    if not value.is_finite() or value <= 0:
        return Reading(UNREADABLE, reason=f'not a positive price: "{text}"')
    return Reading(VALUE, str(value))
