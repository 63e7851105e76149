"""Agreements, their amendments and joinders, and what parties commit to under them.

Terms are data: a mapping the rights projection interprets (see
projections/rights.py for the keys it understands); unknown keys are kept.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from events.base import Event, Money, Slug


class AgreementExecuted(Event):
    type: Literal["AgreementExecuted"] = "AgreementExecuted"
    agreement: Slug
    title: str = Field(min_length=1)
    parties: tuple[Slug, ...] = Field(min_length=1)
    terms: dict[str, Any] = Field(default_factory=dict)


class AgreementAmended(Event):
    type: Literal["AgreementAmended"] = "AgreementAmended"
    agreement: Slug
    amendment: str = Field(min_length=1)
    terms: dict[str, Any]


class JoinderSigned(Event):
    type: Literal["JoinderSigned"] = "JoinderSigned"
    agreement: Slug
    parties: tuple[Slug, ...] = Field(min_length=1)
    role: str = Field(min_length=1)
    consented_by: tuple[Slug, ...] = ()


class VotingCommitment(Event):
    type: Literal["VotingCommitment"] = "VotingCommitment"
    agreement: Slug
    voters: tuple[Slug, ...] = Field(min_length=1)
    in_favor_of: Slug
    subject: str = Field(min_length=1)
    while_right: str | None = None
    upon_request: bool = False


class DemandRegistrationRequested(Event):
    type: Literal["DemandRegistrationRequested"] = "DemandRegistrationRequested"
    agreement: Slug
    requested_by: Slug
    shares: int | None = Field(default=None, strict=True, gt=0)
    offering_price: Money | None = None
