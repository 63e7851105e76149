"""Warrants and notes: rights to acquire shares later."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from events.base import Count, Day, Event, Frozen, Money, Price, Quantity, Ratio, Slug

Rounding = Literal["down", "half_up", "up"]


class Tranche(Frozen):
    """Part of a warrant that becomes exercisable on a date or when a condition is met."""

    quantity: Quantity
    exercisable_from: Day | None = None
    condition: str | None = None

    @model_validator(mode="after")
    def _one_trigger(self) -> Tranche:
        if self.exercisable_from is not None and self.condition is not None:
            raise ValueError("tranches: give exercisable_from or condition, not both")
        return self


class WarrantIssued(Event):
    type: Literal["WarrantIssued"] = "WarrantIssued"
    warrant: Slug
    holder: Slug
    security: Slug
    quantity: Quantity
    # A filing may not state price or expiry; absent means "not stated", never a default.
    exercise_price: Price | None = None
    expires: Day | None = None
    tranches: tuple[Tranche, ...] = ()
    rounding: Rounding = "down"
    number: str | None = None

    @model_validator(mode="after")
    def _tranches_add_up(self) -> WarrantIssued:
        if self.tranches and sum(t.quantity for t in self.tranches) != self.quantity:
            raise ValueError(
                f"tranches: quantities add up to {sum(t.quantity for t in self.tranches)}, "
                f"not the warrant's {self.quantity}"
            )
        if self.expires is not None and self.expires <= self.effective_date:
            raise ValueError("expires: must fall after the effective date")
        return self


class WarrantBecameExercisable(Event):
    type: Literal["WarrantBecameExercisable"] = "WarrantBecameExercisable"
    warrant: Slug
    quantity: Quantity
    condition: str | None = None


class CashExercise(Event):
    type: Literal["CashExercise"] = "CashExercise"
    warrant: Slug
    quantity: Quantity


class CashlessExercise(Event):
    """Net exercise: Y warrant shares surrendered for X = Y(A-B)/A shares.

    A filing may give only the result X (the aggregate issued), so Y may be
    unknown; then the warrant's outstanding quantity becomes an upper bound.
    """

    type: Literal["CashlessExercise"] = "CashlessExercise"
    warrant: Slug
    quantity: Quantity | None = None
    fair_market_value: Price | None = None
    shares_issued: int | None = Field(default=None, strict=True, ge=0)

    @model_validator(mode="after")
    def _enough_to_compute(self) -> CashlessExercise:
        if self.fair_market_value is None and self.shares_issued is None:
            raise ValueError(
                "fair_market_value: give fair_market_value or shares_issued (or both)"
            )
        if self.quantity is None and self.shares_issued is None:
            raise ValueError("quantity: required unless shares_issued is given")
        return self


def _discount_below_one(discount: Ratio | None) -> None:
    if discount is not None and discount >= 1:
        raise ValueError(f"discount: {discount} is not a fraction below 1 (a 20% discount is 0.20)")


class NoteIssued(Event):
    """A note: principal with simple interest at `interest_rate` a year (0.08 is 8%, actual/365
    days), convertible at a fixed `conversion_price`, or at a financing's price less `discount`
    and capped at `valuation_cap` over the company capitalization (ConvertibleConverted)."""

    type: Literal["NoteIssued"] = "NoteIssued"
    note: Slug
    holder: Slug
    principal: Money
    title: str | None = None
    interest_rate: Money | None = None
    converts_to: Slug | None = None
    conversion_price: Price | None = None
    valuation_cap: Price | None = None
    discount: Ratio | None = None

    @model_validator(mode="after")
    def _fraction(self) -> NoteIssued:
        _discount_below_one(self.discount)
        return self


class SafeIssued(Event):
    """A SAFE: `investment` that converts at an equity financing into shares at the lower of the
    round's price less `discount` and `valuation_cap` over the company capitalization (post-money
    or pre-money, as the SAFE says). Not a debt: no interest, no maturity."""

    type: Literal["SafeIssued"] = "SafeIssued"
    safe: Slug
    holder: Slug
    investment: Price
    valuation_cap: Price | None = None
    discount: Ratio | None = None
    post_money: bool = True
    converts_to: Slug | None = None

    @model_validator(mode="after")
    def _fraction(self) -> SafeIssued:
        _discount_below_one(self.discount)
        return self


class InstrumentTransferred(Event):
    """A warrant, grant, note or SAFE passes whole to another holder (a partial transfer is
    the holder's to record as a new instrument: the ledger does not split one)."""

    type: Literal["InstrumentTransferred"] = "InstrumentTransferred"
    instrument: Slug
    to_holder: Slug


class WarrantCancelled(Event):
    """Warrant shares cancelled (`quantity` None: all that is left), the last to open first."""

    type: Literal["WarrantCancelled"] = "WarrantCancelled"
    warrant: Slug
    quantity: Quantity | None = None
    reason: str = Field(default="cancelled", min_length=1)


class ConvertibleCancelled(Event):
    """A note or SAFE cancelled without converting (repaid, forgiven, terminated)."""

    type: Literal["ConvertibleCancelled"] = "ConvertibleCancelled"
    convertible: Slug
    reason: str = Field(default="cancelled", min_length=1)


class ConvertibleConverted(Event):
    """A note or SAFE converts into shares of `security` at a financing priced at
    `price_per_share`. The shares are computed from its terms: the amount (a SAFE's investment;
    a note's principal and the interest accrued to this date) over the conversion price, the
    lowest of the round's price, that price less the discount, and the cap over
    `capitalization` (the company capitalization the documents state); rounded as `rounding`
    says, and checked against `shares_issued` when given. Without the round's price (an OCF
    conversion states only its resulting stock) the `shares_issued` stated are taken as they
    are, marked as such in the event's inference by whoever records it."""

    type: Literal["ConvertibleConverted"] = "ConvertibleConverted"
    convertible: Slug
    security: Slug
    price_per_share: Price | None = None
    capitalization: Quantity | None = None
    shares_issued: Count | None = None
    rounding: Rounding = "down"

    @model_validator(mode="after")
    def _priced_or_stated(self) -> ConvertibleConverted:
        if self.price_per_share is None and self.shares_issued is None:
            raise ValueError("price_per_share: give the financing's price_per_share or the shares_issued (or both)")
        return self
