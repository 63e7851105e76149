"""What a note or SAFE converts into: its amount on a date, and the shares at a financing.

Pure arithmetic over exact fractions; the fold calls it and refuses a stated figure that
disagrees, as it does for a net exercise.

- Amount: a SAFE's investment; a note's principal plus simple interest at its yearly rate
  for the days from its issue to the conversion, over 365 (actual/365).
- Conversion price: the lowest of the round's price, the round's price less the discount,
  and the valuation cap over the company capitalization. The capitalization is the one the
  financing's documents state (a post-money SAFE's includes the converting securities
  themselves, a pre-money one's does not): the ledger takes it as stated rather than
  recomputing a definition each instrument words its own way.
- Shares: amount over conversion price, rounded as the instrument says (down by default).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from projections.rounding import round_quantity


@dataclass(frozen=True)
class Conversion:
    amount: Fraction
    price: Fraction
    basis: str  # "round price", "discount" or "cap": which price was lowest
    shares: int


class NeedsCapitalization(ValueError):
    """A cap applies, and no capitalization is stated to price it."""


def accrued(principal: Decimal, rate: Decimal | None, issued: dt.date, day: dt.date) -> Fraction:
    """Principal and simple interest at `rate` a year, actual/365, from issue to `day`."""
    amount = Fraction(principal)
    if rate:
        amount += Fraction(principal) * Fraction(rate) * (day - issued).days / 365
    return amount


def convert(amount: Fraction, round_price: Decimal, discount: Decimal | None, cap: Decimal | None,
            capitalization: int | None, rounding: str = "down") -> Conversion:
    prices = [(Fraction(round_price), "round price")]
    if discount is not None:
        prices.append((Fraction(round_price) * (1 - Fraction(discount)), "discount"))
    if cap is not None:
        if capitalization is None:
            raise NeedsCapitalization("capitalization")
        prices.append((Fraction(cap) / capitalization, "cap"))
    price, basis = min(prices, key=lambda p: p[0])
    return Conversion(amount, price, basis, round_quantity(amount / price, rounding))


def show(value: Fraction) -> str:
    """An exact fraction as a person reads it: 10000000/24000000 is 0.416667 (6 places, half up)."""
    return str(round(Decimal(value.numerator) / Decimal(value.denominator), 6).normalize())
