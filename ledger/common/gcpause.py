"""The cyclic garbage collector, paused for the length of one import.

An import allocates millions of objects that live until it ends (parsed
events, records, read-model rows) and frees almost none: every full pass of
the collector walks all of them and finds nothing, which at 10^5 events was
about a third of the import. Reference counting still frees everything
that is not in a cycle; the collector runs again as soon as the import ends.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    if not gc.isenabled():  # someone further out already paused it
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
