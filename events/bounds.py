"""Bounds on what a file or a command line can make the ledger compute with.

Kept free of imports so that the command line can check its own arguments without loading
the event models. Exact fractions of a decimal with an exponent of a billion take hours to
build; share counts past 2**63 do not fit an SQL integer; dates near the ends of what
`datetime.date` holds overflow a 60-day window.
"""

import datetime as dt
from decimal import Decimal

MAX_DIGITS = 40
MAX_MAGNITUDE = 30  # |adjusted exponent|: from 1e-30 to 1e30
MAX_SHARES = 10**15
FIRST_DAY = dt.date(1000, 1, 1)
LAST_DAY = dt.date(8999, 12, 31)


def decimal_out_of_bounds(value: Decimal) -> str | None:
    """Why a finite decimal is past the bounds, or None."""
    if value.is_finite() and value != 0:
        if len(value.as_tuple().digits) > MAX_DIGITS:
            return f"has more than {MAX_DIGITS} digits"
        if abs(value.adjusted()) > MAX_MAGNITUDE:
            return f"is out of range (from 1e-{MAX_MAGNITUDE} to 1e{MAX_MAGNITUDE})"
    return None
