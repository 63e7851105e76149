"""Rounding of share counts, explicit and per instrument."""

from __future__ import annotations

from fractions import Fraction

MODES = ("down", "half_up", "up")


def round_quantity(value: Fraction | int, mode: str = "down") -> int:
    value = Fraction(value)
    if mode == "down":
        return value.numerator // value.denominator
    if mode == "up":
        return -((-value.numerator) // value.denominator)
    if mode == "half_up":
        return (2 * value.numerator + value.denominator) // (2 * value.denominator)
    raise ValueError(f"unknown rounding mode {mode!r}")
