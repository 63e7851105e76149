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


class HoldingReported(Event):
    """A filing states what a holder owns right after a transaction (Form 3/4/5's "amount owned
    following"): of a class, or still outstanding under a grant. Reconciled against the figure
    the events before it derive, at its place in the history."""

    type: Literal["HoldingReported"] = "HoldingReported"
    holder: Slug
    security: Slug  # a class, or a grant (equity compensation or warrant)
    quantity: Count
    ownership: Literal["direct", "indirect"] | None = None
    nature: str | None = Field(default=None, min_length=1)


class DocumentFiled(Event):
    """When a document became public, and how that is known. Kept apart from the events the
    document states, so that their identity does not depend on it; `--disclosed-at` answers
    only from documents filed by then. The effective date is the filing date."""

    type: Literal["DocumentFiled"] = "DocumentFiled"
    document: str = Field(min_length=1)
    # sec-header: the EDGAR submission's FILED AS OF DATE; exhibit: the filing that carried it;
    # stated: given at import (--filed); signature: only its signature date is known.
    basis: Literal["sec-header", "exhibit", "stated", "signature"]
    accession: str | None = Field(default=None, pattern=r"^\d{10}-\d{2}-\d{6}$")
    form: str | None = Field(default=None, min_length=1)


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
