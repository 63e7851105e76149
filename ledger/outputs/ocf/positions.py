"""Securities as OCF sees them, tracked while the ledger's history is replayed.

OCF records lots: each issuance creates a security; a transfer or conversion
consumes lots (first in, first out here) and issues the transferee's lot and
the holder's balance as new securities; a warrant exercise consumes the whole
warrant and issues the stock and, for a partial exercise, a new warrant for
what is left. The ledger records positions; this module translates.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from fractions import Fraction

from events import WarrantIssued

UNSTATED = "unstated"


@dataclass
class Lot:
    security_id: str
    holder: str
    stock_class: str
    quantity: int


@dataclass
class Lots:
    by_key: dict[tuple[str, str], list[Lot]] = field(default_factory=dict)

    def add(self, lot: Lot) -> None:
        self.by_key.setdefault((lot.holder, lot.stock_class), []).append(lot)

    def take(self, holder: str, stock_class: str, quantity: int) -> list[tuple[Lot, int]]:
        """Consume `quantity` from the holder's lots, oldest first: (lot, taken) pairs; consumed lots leave."""
        lots = self.by_key.get((holder, stock_class), [])
        out, left = [], quantity
        while left > 0 and lots:
            lot = lots.pop(0)
            taken = min(lot.quantity, left)
            out.append((lot, taken))
            left -= taken
        if left:
            raise ValueError(f"{holder} holds too few {stock_class} lots for {quantity}")
        return out

    def split(self, stock_class: str, factor: Fraction) -> None:
        for (_, cls), lots in self.by_key.items():
            if cls == stock_class:
                for lot in lots:
                    lot.quantity = int(lot.quantity * factor)
                lots[:] = [lot for lot in lots if lot.quantity]


@dataclass
class Tranche:
    quantity: int
    date: dt.date | None
    condition: str | None
    met: int = 0

    def exercisable_by(self, day: dt.date) -> int:
        if self.condition == UNSTATED:
            return self.quantity  # the ledger counts these as possibly exercisable (an upper bound)
        if self.condition is not None:
            return self.met
        return self.quantity if self.date is None or self.date <= day else 0


@dataclass
class Warrant:
    """A ledger warrant and the OCF security that currently stands for it."""

    warrant: str
    holder: str
    underlying: str
    quantity: int
    price: Fraction | None
    expires: dt.date | None
    custom_id: str
    security_id: str
    trigger_id: str
    tranches: list[Tranche]
    rounding: str = "down"
    at_most: bool = False

    @classmethod
    def issued(cls, e: WarrantIssued, security_id: str) -> Warrant:
        tranches = [Tranche(t.quantity, t.exercisable_from, t.condition) for t in e.tranches] or \
            [Tranche(e.quantity, None, None)]
        return cls(e.warrant, e.holder, e.security, e.quantity,
                   Fraction(e.exercise_price) if e.exercise_price is not None else None, e.expires,
                   f"W-{e.number}" if e.number else e.warrant, security_id, f"{e.warrant}-exercise", tranches,
                   e.rounding)

    def deduct(self, quantity: int, day: dt.date) -> None:
        """Remove exercised warrant shares from the tranches exercisable on the day, in the ledger's order."""
        left = quantity
        order = ([t for t in self.tranches if t.condition is None]
                 + [t for t in self.tranches if t.condition not in (None, UNSTATED)]
                 + [t for t in self.tranches if t.condition == UNSTATED])
        for t in order:
            take = min(left, t.exercisable_by(day))
            if take:
                t.quantity -= take
                if t.condition not in (None, UNSTATED):
                    t.met -= take
                left -= take
        self.tranches = [t for t in self.tranches if t.quantity > 0]
        self.quantity -= quantity

    def cancel(self, quantity: int, day: dt.date) -> None:
        """Remove cancelled warrant shares as the ledger does: those not yet open first, the last to
        open first, then open ones, the last opened first."""
        left = quantity
        # As the fold's cancellation: tranches waiting on a condition (the last first), then dated
        # ones not yet open (the latest first), then open ones (the latest first).
        waiting = [t for t in self.tranches if t.exercisable_by(day) < t.quantity]
        conditions = [t for t in waiting if t.condition is not None][::-1]
        dated = sorted((t for t in waiting if t.condition is None), key=lambda t: t.date or dt.date.min, reverse=True)
        opened = sorted((t for t in self.tranches if t not in waiting), key=lambda t: t.date or dt.date.min,
                        reverse=True)
        for group, is_open in ((conditions + dated, False), (opened, True)):
            for t in group:
                room = t.quantity if is_open else t.quantity - t.exercisable_by(day)
                take = min(left, room)
                t.quantity -= take
                t.met = min(t.met, t.quantity)
                left -= take
        self.tranches = [t for t in self.tranches if t.quantity > 0]
        self.quantity -= quantity

    def split(self, factor: Fraction) -> None:
        self.quantity = int(self.quantity * factor)
        for t in self.tranches:
            t.quantity = int(t.quantity * factor)
            t.met = int(t.met * factor)
        if self.price is not None:
            self.price = self.price / factor
