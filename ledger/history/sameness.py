"""Whether two folded states are interchangeable: no projection can tell them apart.

verify compares each read-model checkpoint with a fresh fold through the rows
of the holdings, cap table and voting projections; at 10^6 events those rows
cost seconds per checkpoint date, and there are about a thousand dates. Two
states that no function of their contents can tell apart give the same rows,
so the rows are only needed when that is not shown.

`==` alone does not show it: it does not see the order of a dict, nor tell 1
from 1.0 or True, nor the decimal 2.5 from 2.50, and a projection may show any
of these. The JSON form from pydantic-core's serializer sees them (order kept,
types and decimal digits as they are), and `==` sees what that form does not
(a date from its ISO string, a tuple from a list, a dataclass from a dict with
the same fields, a Fraction from its repr). Both together leave nothing a
projection could read differently.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic_core import PydanticSerializationError, to_json

from projections.state import Retired


def interchangeable(a: Any, b: Any) -> bool:
    if not a == b:
        return False
    try:
        return form(a) == form(b)
    except (PydanticSerializationError, ValueError, TypeError):
        return False  # not shown: let the caller compare what it must


def form(value: Any) -> bytes:
    return to_json(value, fallback=_fallback)


def _fallback(value: Any) -> Any:
    # The state's own containers by their contents (the party registry in its order);
    # Fractions (exercise prices, conversion ratios) and any other type without a JSON
    # form as their repr, which is exact for a Fraction.
    if isinstance(value, Retired):
        return value.entries()
    if isinstance(value, Mapping):
        return dict(value)
    return repr(value)
