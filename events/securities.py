"""Classes of stock and what happens to shares of them."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field, model_validator

from events.base import Count, Event, Money, Price, Quantity, Ratio, Slug


class SecurityClassCreated(Event):
    type: Literal["SecurityClassCreated"] = "SecurityClassCreated"
    security: Slug
    name: str = Field(min_length=1)
    kind: Literal["common", "preferred"]
    par_value: Money | None = None
    votes_per_share: Money | None = None
    as_converted_voting: bool = False
    converts_to: Slug | None = None
    conversion_ratio: Ratio | None = None
    conversion_condition: str | None = None
    cusip: str | None = None

    @model_validator(mode="after")
    def _conversion_complete(self) -> SecurityClassCreated:
        if self.conversion_ratio is not None and self.converts_to is None:
            raise ValueError("converts_to: required when conversion_ratio is given")
        if self.converts_to == self.security:
            raise ValueError("converts_to: a class cannot convert into itself")
        return self

    @property
    def votes(self) -> Decimal:
        """Votes per share, with the contract's defaults: 1 for common, 0 for preferred."""
        if self.votes_per_share is not None:
            return self.votes_per_share
        return Decimal(1) if self.kind == "common" else Decimal(0)


class SharesIssued(Event):
    type: Literal["SharesIssued"] = "SharesIssued"
    security: Slug
    holder: Slug
    quantity: Quantity
    price_per_share: Price | None = None


class SharesTransferred(Event):
    type: Literal["SharesTransferred"] = "SharesTransferred"
    security: Slug
    from_holder: Slug
    to_holder: Slug
    quantity: Quantity

    @model_validator(mode="after")
    def _two_holders(self) -> SharesTransferred:
        if self.from_holder == self.to_holder:
            raise ValueError("to_holder: must differ from from_holder")
        return self


class StockSplit(Event):
    """A split of a class, numerator for denominator. It adjusts everything issuable as or
    convertible into the class: warrants and grants on it (quantities rounded down per
    instrument, their tranches cut again from their cumulative amounts, prices exact), the
    fixed conversion prices of notes converting into it, the pools of plans granting it, and
    the conversion ratios of classes converting into it; except what `unadjusted` names (a
    warrant, grant, plan or note whose terms say a split leaves it as it is)."""

    type: Literal["StockSplit"] = "StockSplit"
    security: Slug
    numerator: Quantity
    denominator: Quantity
    unadjusted: tuple[Slug, ...] = ()


class ConversionApproved(Event):
    type: Literal["ConversionApproved"] = "ConversionApproved"
    security: Slug
    approved_by: str = Field(min_length=1)


class PreferredConverted(Event):
    type: Literal["PreferredConverted"] = "PreferredConverted"
    security: Slug
    holder: Slug
    quantity: Quantity
    shares_issued: Count | None = None


class AuthorizedSharesSet(Event):
    """The shares the charter authorizes: of one class (`security`), or of the issuer across its
    classes (`security` left out). An issuance, exercise, conversion or split beyond them is
    refused; a split does not raise them (the amendment that does is an event of its own)."""

    type: Literal["AuthorizedSharesSet"] = "AuthorizedSharesSet"
    security: Slug | None = None
    quantity: Count


class SharesCancelled(Event):
    """Shares cancelled without a purchase (forfeited restricted stock, a void issuance undone
    by agreement); they are no longer outstanding."""

    type: Literal["SharesCancelled"] = "SharesCancelled"
    security: Slug
    holder: Slug
    quantity: Quantity
    reason: str = Field(default="cancelled", min_length=1)


class ConversionRatioAdjusted(Event):
    """A class's conversion ratio set anew (an anti-dilution adjustment, a charter amendment)."""

    type: Literal["ConversionRatioAdjusted"] = "ConversionRatioAdjusted"
    security: Slug
    conversion_ratio: Ratio
