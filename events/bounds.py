"""Bounds on what a file or a command line can make the ledger compute with.

Kept free of imports so that the command line can check its own arguments without loading
the event models. Exact fractions of a decimal with an exponent of a billion take hours to
build; share counts past 2**63 do not fit an SQL integer; dates near the ends of what
`datetime.date` holds overflow a 60-day window.
"""

import datetime as dt

MAX_DIGITS = 40
MAX_MAGNITUDE = 30  # |adjusted exponent|: from 1e-30 to 1e30
MAX_SHARES = 10**15
FIRST_DAY = dt.date(1000, 1, 1)
LAST_DAY = dt.date(8999, 12, 31)
