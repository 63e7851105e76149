"""The command line's own value types: a date (valid time) and an instant (transaction time).

Used by every command that takes `--as-of` or `--known-at`, so that each is read one way and
bounded as the events' own dates are (events.bounds, loaded only when a value is given)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import click


def _check_range(value: Any, day: dt.date, param: Any, ctx: Any, fail: Any) -> None:
    from events.bounds import FIRST_DAY, LAST_DAY  # noqa: PLC0415  (the event models only when needed)

    if not FIRST_DAY <= day <= LAST_DAY:
        fail(f"{value!r} is not between {FIRST_DAY} and {LAST_DAY}", param, ctx)


class Instant(click.ParamType):
    name = "INSTANT"

    def convert(self, value: Any, param: Any, ctx: Any) -> dt.datetime:
        if isinstance(value, dt.datetime):
            return value
        try:
            parsed = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            self.fail(f"{value!r} is not an ISO instant such as 2024-05-01T12:00:00Z", param, ctx)
        _check_range(value, parsed.date(), param, ctx, self.fail)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)


class Day(click.ParamType):
    name = "DATE"

    def convert(self, value: Any, param: Any, ctx: Any) -> dt.date:
        if isinstance(value, dt.date):
            return value
        try:
            day = dt.date.fromisoformat(str(value))
        except ValueError:
            self.fail(f"{value!r} is not a date such as 2004-03-31", param, ctx)
        _check_range(value, day, param, ctx, self.fail)
        return day
