"""Figures a filing states. Kept to reconcile against, never to derive from."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from events.base import Count, Event, Percent, Slug


class SharesOutstandingReported(Event):
    type: Literal["SharesOutstandingReported"] = "SharesOutstandingReported"
    security: Slug
    quantity: Count


class BeneficialOwnershipReported(Event):
    type: Literal["BeneficialOwnershipReported"] = "BeneficialOwnershipReported"
    party: Slug
    security: Slug
    beneficially_owned: Count
    percent: Percent
    sole_voting: Count | None = None
    shared_voting: Count | None = None
    sole_dispositive: Count | None = None
    shared_dispositive: Count | None = None
    reporting_type: str | None = None
    member_of_group: bool | None = None
    name_as_reported: str | None = Field(default=None, min_length=1)


class UndisclosedHolding(Event):
    """A document says a holder holds some of a class without saying how much.

    Figures that depend on that position are then reported as not derivable,
    instead of silently counting it as zero.
    """

    type: Literal["UndisclosedHolding"] = "UndisclosedHolding"
    holder: Slug
    security: Slug
    description: str = Field(min_length=1)


class FactStated(Event):
    """A document's statement about something recorded elsewhere: a title naming a
    holder, a date given for an agreement. Kept to reconcile against, never applied."""

    type: Literal["FactStated"] = "FactStated"
    subject: str = Field(min_length=1)
    field: str = Field(min_length=1)
    value: str | int
    note: str | None = None
