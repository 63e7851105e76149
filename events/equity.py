"""Equity compensation: stock plans and their pools, grants of options, RSUs and SARs, their
vesting, and what ends them; and repurchases of shares.

A grant is a right to shares of a class, as a warrant is, with terms of its own: the plan it
draws on, a vesting schedule, and what happens when the holder's service ends. The fold keeps
grants beside warrants (projections.warrants.WarrantState with its `kind`), so holdings, the
cap table, dilution and Rule 13d-3 read them the same way.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from events.base import Count, Day, Event, Frozen, Price, Quantity, Slug
from events.derivatives import Rounding, Tranche

GrantKind = Literal["option", "rsu", "sar"]


class StockPlanCreated(Event):
    """An equity incentive plan and the shares reserved for grants under it (its pool)."""

    type: Literal["StockPlanCreated"] = "StockPlanCreated"
    plan: Slug
    name: str = Field(min_length=1)
    securities: tuple[Slug, ...] = Field(min_length=1)
    pool_size: Count
    # OCF's default_cancellation_behavior: what becomes of granted shares a cancellation frees.
    cancelled_shares: Literal["return_to_pool", "retire"] = "return_to_pool"


class StockPlanPoolAdjusted(Event):
    """The plan's pool set to a new size (board and stockholder approval of an increase)."""

    type: Literal["StockPlanPoolAdjusted"] = "StockPlanPoolAdjusted"
    plan: Slug
    pool_size: Count


class SharesReturnedToPool(Event):
    """Shares a plan's grants had delivered come back to its pool (unvested stock repurchased
    from a departing holder, shares withheld for tax under a plan that recycles them)."""

    type: Literal["SharesReturnedToPool"] = "SharesReturnedToPool"
    plan: Slug
    quantity: Quantity


class VestingSchedule(Frozen):
    """Time-based vesting: equal parts every `every` months over `months` from `start`; the parts
    that fall before the cliff vest on it. Four years monthly after a one-year cliff is
    months=48, every=1, cliff=12: a quarter at the cliff, then 1/48 a month."""

    start: Day
    months: int = Field(strict=True, gt=0, le=1200)
    every: int = Field(default=1, strict=True, gt=0)
    cliff: int = Field(default=0, strict=True, ge=0)

    @model_validator(mode="after")
    def _whole_periods(self) -> VestingSchedule:
        if self.months % self.every:
            raise ValueError(f"months: {self.months} is not a whole number of {self.every}-month periods")
        if self.cliff > self.months:
            raise ValueError(f"cliff: {self.cliff} months is longer than the schedule's {self.months}")
        return self


class Period(Frozen):
    """A length of time as documents state it: 90 days, 3 months."""

    length: int = Field(strict=True, ge=0, le=36_500)
    unit: Literal["days", "months"]


class EquityCompensationIssued(Event):
    """A grant under a plan (or outside one): options (ISO, NSO), RSUs or SARs on a class.

    Vesting is a time-based `vesting` schedule or explicit `tranches` (dated, or awaiting a
    condition that VestingConditionMet records); with neither, the grant is vested when made.
    `exercise_window` is the post-termination exercise period: how long vested options stay
    exercisable after the holder's service ends."""

    type: Literal["EquityCompensationIssued"] = "EquityCompensationIssued"
    grant: Slug
    kind: GrantKind
    option_type: Literal["ISO", "NSO", "INTL"] | None = None
    holder: Slug
    security: Slug
    plan: Slug | None = None
    quantity: Quantity
    exercise_price: Price | None = None
    expires: Day | None = None
    exercise_window: Period | None = None
    vesting: VestingSchedule | None = None
    tranches: tuple[Tranche, ...] = ()
    rounding: Rounding = "down"

    @model_validator(mode="after")
    def _consistent(self) -> EquityCompensationIssued:
        if self.vesting is not None and self.tranches:
            raise ValueError("tranches: give a vesting schedule or tranches, not both")
        if self.tranches and sum(t.quantity for t in self.tranches) != self.quantity:
            raise ValueError(f"tranches: quantities add up to {sum(t.quantity for t in self.tranches)}, "
                             f"not the grant's {self.quantity}")
        if self.kind == "rsu" and self.exercise_price is not None:
            raise ValueError("exercise_price: an RSU has no exercise price")
        if self.option_type is not None and self.kind != "option":
            raise ValueError(f"option_type: only an option has one, not an {self.kind}")
        if self.expires is not None and self.expires <= self.effective_date:
            raise ValueError("expires: must fall after the effective date")
        return self


class VestingConditionMet(Event):
    """Shares of a grant vest because a condition of its tranches is met (event-based vesting)."""

    type: Literal["VestingConditionMet"] = "VestingConditionMet"
    grant: Slug
    quantity: Quantity
    condition: str | None = None


class VestingAccelerated(Event):
    """Unvested shares of a grant vest now, the next scheduled first (`quantity` None: all)."""

    type: Literal["VestingAccelerated"] = "VestingAccelerated"
    grant: Slug
    quantity: Quantity | None = None


class EquityCompensationExercised(Event):
    """Vested options or SARs exercised. An option exercised for cash delivers a share per
    option; a SAR, or an option exercised `method: net`, delivers floor(Y(A-B)/A) shares for Y
    exercised at fair market value A and exercise price B, checked against `shares_issued` when
    both are given (with only `shares_issued`, that figure). A fair market value stated with a
    cash exercise (for tax) changes nothing."""

    type: Literal["EquityCompensationExercised"] = "EquityCompensationExercised"
    grant: Slug
    quantity: Quantity
    # Absent means cash: a field added after the type, so that records made before keep their ids.
    method: Literal["cash", "net"] | None = None
    fair_market_value: Price | None = None
    shares_issued: Count | None = None


class EquityCompensationReleased(Event):
    """Vested RSUs settled in shares; `withheld` of them kept back for tax, so the holder
    receives quantity - withheld."""

    type: Literal["EquityCompensationReleased"] = "EquityCompensationReleased"
    grant: Slug
    quantity: Quantity
    withheld: Count = 0

    @model_validator(mode="after")
    def _withheld_within(self) -> EquityCompensationReleased:
        if self.withheld > self.quantity:
            raise ValueError(f"withheld: {self.withheld} is more than the {self.quantity} released")
        return self


class EquityCompensationCancelled(Event):
    """Shares of a grant cancelled (`quantity` None: all that is left), unvested first; under a
    plan they return to its pool unless the plan retires cancelled shares."""

    type: Literal["EquityCompensationCancelled"] = "EquityCompensationCancelled"
    grant: Slug
    quantity: Quantity | None = None
    reason: str = Field(default="cancelled", min_length=1)


class ServiceEnded(Event):
    """The holder's service ended: every unvested share of their grants is forfeited that day,
    and vested options stay exercisable for the grant's exercise window, then expire."""

    type: Literal["ServiceEnded"] = "ServiceEnded"
    holder: Slug


class SharesRepurchased(Event):
    """The issuer buys shares back from a holder; they are no longer outstanding."""

    type: Literal["SharesRepurchased"] = "SharesRepurchased"
    security: Slug
    holder: Slug
    quantity: Quantity
    price_per_share: Price | None = None

