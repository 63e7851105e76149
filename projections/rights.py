"""Rights under agreements, from their terms as data.

An agreement's `terms` may hold `rights`, a list of mappings each with an `id`
and a `kind`; an amendment replaces rights by id. The kinds understood here:

- `demand_registration`: `caps`, a list of `{holders, limit}` where `holders`
  is a list of party or group slugs or one of `all_investors`,
  `eligible_other_investors`, `covered_warrant_holders`; and
  `min_offering_price`, the smallest aggregate offering price a demand may have.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from events import DemandRegistrationRequested
from projections.state import AgreementState, State


def rights_of(agreement: AgreementState, kind: str) -> list[dict[str, Any]]:
    return [r for r in agreement.terms.get("rights", []) if r.get("kind") == kind]


def persons_of(state: State, slug: str) -> set[str]:
    """A slug and, for a group, its members: the set that counts as one person."""
    return {slug, *state.groups.get(slug, ())}


def cap_bucket(state: State, agreement: AgreementState, right: dict[str, Any], party: str) -> int | None:
    """Index of the cap that a request by `party` counts against."""
    for index, cap in enumerate(right.get("caps", [])):
        holders = cap.get("holders")
        if isinstance(holders, list):
            for h in holders:
                if party in persons_of(state, h):
                    return index
        elif holders == "all_investors" and party in _investors(state, agreement):
            return index
    for index, cap in enumerate(right.get("caps", [])):
        if cap.get("holders") == "eligible_other_investors" and party in _investors(state, agreement):
            return index
    return None


def _investors(state: State, agreement: AgreementState) -> set[str]:
    named = set(agreement.terms.get("investors") or agreement.parties)
    named |= {p for p, role in agreement.roles.items() if role != "party"}  # joined later
    out: set[str] = set()
    for p in named:
        out |= persons_of(state, p)
    out.discard(state.issuer or "")
    return out


def demands_used(state: State, agreement_slug: str, right: dict[str, Any], bucket: int) -> int:
    agreement = state.agreements[agreement_slug]
    return sum(
        1
        for d in state.demands
        if d.agreement == agreement_slug and cap_bucket(state, agreement, right, d.requested_by) == bucket
    )


def check_demand(state: State, e: DemandRegistrationRequested) -> tuple[str, str] | None:
    """Why a demand cannot be made, as (field, rule); None when it can."""
    agreement = state.agreements[e.agreement]
    rights = rights_of(agreement, "demand_registration")
    if not rights:
        return ("agreement", f"'{e.agreement}' grants no demand registration right")
    right = rights[-1]
    bucket = cap_bucket(state, agreement, right, e.requested_by)
    if bucket is None:
        return ("requested_by", f"'{e.requested_by}' holds no demand registration right under '{e.agreement}'")
    cap = right["caps"][bucket]
    used = demands_used(state, e.agreement, right, bucket)
    if used >= int(cap["limit"]):
        return (
            "requested_by",
            f"the cap of {cap['limit']} demand registrations for {_label(cap)} under "
            f"'{e.agreement}' is used up ({used} made)",
        )
    minimum = right.get("min_offering_price")
    if minimum is not None and e.offering_price is not None and e.offering_price < Decimal(str(minimum)):
        return (
            "offering_price",
            f"{e.offering_price} is below the minimum aggregate offering price of {minimum}",
        )
    return None


def _label(cap: dict[str, Any]) -> str:
    holders = cap.get("holders")
    return ", ".join(holders) if isinstance(holders, list) else str(holders)
