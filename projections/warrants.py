"""A warrant as the fold keeps it: its tranches, what has been exercised of it, and what is
exercisable on a date; with its plain-data form, which checkpoints and the intervals store.

Plain dataclasses and dates, no event models: a reader of the intervals rebuilds warrants
from their data without loading them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any


def round_money(value: Fraction) -> Decimal:
    """Prices after a split are shown to the cent, half up; the exact value is kept."""
    cents = (2 * value.numerator * 100 + value.denominator) // (2 * value.denominator)
    return Decimal(cents).scaleb(-2)


# A tranche condition meaning: the sources do not say when these shares become exercisable.
UNSTATED = "unstated"


@dataclass(slots=True)
class TrancheState:
    quantity: int
    exercisable_from: dt.date | None
    condition: str | None
    met_quantity: int = 0
    met_on: dt.date | None = None
    # The most that exercises of unstated size can have drawn from this tranche: what it had
    # opened (as an upper bound) on each such exercise's date, summed.
    drawn_at_most: int = 0

    def opened(self, day: dt.date, issued_on: dt.date) -> int:
        """Shares of this tranche exercisable on `day` (an unstated tranche counts in full: an
        upper bound), before any exercise."""
        if self.condition is None:
            return self.quantity if (self.exercisable_from or issued_on) <= day else 0
        met = self.met_quantity if self.met_on is not None and self.met_on <= day else 0
        if self.condition == UNSTATED:
            # What no source dates may be open already; what a source says opened on a date, from then.
            return self.quantity - self.met_quantity + met
        return met

    def certainly_opened(self, day: dt.date, issued_on: dt.date) -> int:
        """Shares of this tranche a source says are exercisable on `day`."""
        if self.condition == UNSTATED:
            return self.met_quantity if self.met_on is not None and self.met_on <= day else 0
        return self.opened(day, issued_on)



@dataclass(slots=True)
class WarrantState:
    warrant: str
    holder: str
    security: str
    issued_on: dt.date
    quantity: int
    # Exact, so that a split and its reverse give back the same price.
    exercise_price: Fraction | None
    expires: dt.date | None
    tranches: list[TrancheState]
    rounding: str
    number: str | None = None
    exercised: int = 0
    # Cashless exercises whose surrendered quantity Y no document states:
    # each surrendered at least the X it produced, so they bound, not fix, what is left.
    unknown_exercises: int = 0
    unknown_surrendered_at_least: int = 0
    # A grant of equity compensation (events.equity) is kept as a warrant of its kind
    # ("option", "rsu", "sar"), with the plan it draws on and its post-termination window
    # (length, "days" or "months").
    kind: str = "warrant"
    plan: str | None = None
    window: tuple[int, str] | None = None

    @property
    def is_grant(self) -> bool:
        return self.kind != "warrant"

    @property
    def exhausted(self) -> bool:
        """Exercised in full, with every surrendered quantity known: nothing can come of it again."""
        return self.outstanding_known and self.quantity - self.exercised <= 0

    def expired_on(self, day: dt.date) -> bool:
        return self.expires is not None and day >= self.expires

    @property
    def outstanding_known(self) -> bool:
        return self.unknown_exercises == 0

    def outstanding(self, day: dt.date) -> int:
        """Warrant shares left; an upper bound when an exercise's Y is unknown."""
        if self.expired_on(day):
            return 0
        return self.quantity - self.exercised - self.unknown_surrendered_at_least

    # exercisable and unstated are asked of every live warrant by holdings, ownership and the
    # cap table (6,000 warrants, 25,000 tranches at 10^6 events): plain loops, one pass.

    @property
    def unstated(self) -> int:
        """Shares in tranches whose exercisability no source states."""
        total = 0
        for t in self.tranches:
            if t.condition == UNSTATED:
                total += t.quantity - t.met_quantity
        return total

    def exercisable_known(self, day: dt.date) -> bool:
        return self.outstanding_known and self.unstated == 0

    def exercisable(self, day: dt.date) -> int:
        """Shares exercisable on the date; an upper bound unless exercisable_known.

        A tranche without a condition opens on its date (or the issue date); one with a
        condition, for the quantity met once it is met; an unstated one counts what no source
        dates in full, as an upper bound.
        """
        if self.expires is not None and day >= self.expires:
            return 0
        issued_on = self.issued_on
        became = 0
        for t in self.tranches:
            became += t.opened(day, issued_on)
        return max(0, became - self.exercised - self.unknown_surrendered_at_least)

    def outstanding_at_least(self, day: dt.date) -> int:
        """Warrant shares certainly left: each tranche less the most an exercise of unstated
        size can have drawn from it, less every exercise of stated size."""
        if self.expired_on(day):
            return 0
        left = sum(t.quantity - min(t.quantity, t.drawn_at_most) for t in self.tranches)
        return max(0, left - self.exercised)

    def exercisable_at_least(self, day: dt.date) -> int:
        """Shares certainly exercisable on the date: those a source says have opened, less the
        most exercises of unstated size can have drawn from their tranches, less every
        exercise of stated size."""
        if self.expired_on(day):
            return 0
        opened = sum(max(0, t.certainly_opened(day, self.issued_on) - t.drawn_at_most) for t in self.tranches)
        return max(0, opened - self.exercised)

    def display_price(self) -> Decimal | None:
        if self.exercise_price is None:
            return None
        return round_money(self.exercise_price)




def _day(d: dt.date | None) -> str | None:
    return d.isoformat() if d is not None else None


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text is not None else None


def warrant_data(w: WarrantState) -> list[Any]:
    """A warrant as JSON-able data; `read_warrant` takes it back. A grant adds its kind, plan
    and window; a warrant's data is as it was before grants were kept this way."""
    price = w.exercise_price
    return [w.warrant, w.holder, w.security, w.issued_on.isoformat(), w.quantity,
            None if price is None else [price.numerator, price.denominator],
            _day(w.expires), [[t.quantity, _day(t.exercisable_from), t.condition, t.met_quantity, _day(t.met_on),
                               t.drawn_at_most] for t in w.tranches],
            w.rounding, w.number, w.exercised, w.unknown_exercises, w.unknown_surrendered_at_least,
            *((w.kind, w.plan, None if w.window is None else list(w.window)) if w.is_grant else ())]


def read_warrant(w: list[Any]) -> WarrantState:
    (name, holder, security, issued_on, quantity, price, expires, tranches, rounding, number, exercised,
     unknown, surrendered, *grant) = w
    if grant:
        kind, plan, window = grant
        grant = [kind, plan, None if window is None else tuple(window)]
    return WarrantState(name, holder, security, dt.date.fromisoformat(issued_on), quantity,
                        None if price is None else Fraction(*price), _date(expires),
                        [TrancheState(q, _date(f), c, m, _date(on), d) for q, f, c, m, on, d in tranches],
                        rounding, number, exercised, unknown, surrendered, *grant)
