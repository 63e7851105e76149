"""Records written under an older schema version are read in today's vocabulary, never rewritten."""

from __future__ import annotations

import datetime as dt

from events import BoardSizeChanged, BoardSizeCommitted
from events.registry import parse_event

BASE = {"issuer": "acme", "effective_date": "2020-12-01", "source": {"document": "minutes", "locator": "p. 1"}}


def test_a_board_size_with_a_deadline_was_a_promise():
    # Version 1 of BoardSizeChanged carried `deadline`: the size was promised by then, not done.
    e = parse_event({**BASE, "type": "BoardSizeChanged", "size": 5, "deadline": "2020-12-31"})
    assert isinstance(e, BoardSizeCommitted)
    assert (e.size, e.due, e.schema_version) == (5, dt.date(2020, 12, 31), 1)


def test_a_board_size_without_a_deadline_is_a_change():
    e = parse_event({**BASE, "type": "BoardSizeChanged", "schema_version": 1, "size": 5})
    assert isinstance(e, BoardSizeChanged) and (e.size, e.schema_version) == (5, 2)
    # Written today, the same event is version 2 as it stands.
    assert parse_event({**BASE, "type": "BoardSizeChanged", "schema_version": 2, "size": 7}).size == 7
