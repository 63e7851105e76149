"""Rights under agreements, from their terms as data.

An agreement's `terms` may hold `investors` (the parties it calls Investors)
and `rights`, a list of mappings each with an `id` and a `kind`; an amendment
replaces rights by id and adds new ones. The kinds evaluated here:

- `eligible_investor`: `persons` (party or group slugs; a group counts as one
  person, a party together with what it controls), `measure`
  (`voting_power`: votes of all its stock; `preferred_voting_power`: votes of
  its preferred stock) and `threshold` (a fraction, "0.10"), each over all
  outstanding votes.
- `demand_registration`: `caps`, a list of `{holders, limit}` where `holders`
  is a list of party or group slugs or one of `all_investors`,
  `eligible_other_investors`, `covered_warrant_holders`; and
  `min_offering_price`, the smallest aggregate offering price a demand may have.
- `board_nomination`: `holder`, `seats`; the nominations and elections recorded.
- `survival`: `condition: any_investor_owns_restricted_stock`: the agreement
  is in force while any Investor holds stock of the issuer.
Any other kind (`piggyback_registration`, `short_form_registration`,
`holdback`, ...) is reported as in force with its terms as figures.
Voting commitments (VotingCommitment events) are reported with the right they
depend on (`while_right`).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from typing import Any

from events import DemandRegistrationRequested
from projections.denominators import Mode
from projections.rounding import round_quantity
from projections.state import AgreementState, State
from projections.class_terms import stated
from projections.control import control_of
from projections.voting import class_votes, percent, total_votes, votes_by_holder


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


# --- evaluation on a date ----------------------------------------------------


def person_entities(state: State, person: str) -> set[str]:
    """Who counts as one person: a party with what it controls, or a group with its members'."""
    base = persons_of(state, person)
    out = set(base)
    control = control_of(state)
    for p in base:
        out |= control.controlled_by(p)
    return out


def _row(agreement: str, right: dict[str, Any] | None, party: str | None, status: str,
         figures: dict[str, Any], explanation: str = "") -> dict[str, Any]:
    return {
        "agreement": agreement,
        "right": right.get("id") if right else None,
        "kind": right.get("kind") if right else "agreement",
        "party": party,
        "status": status,
        "figures": figures,
        "explanation": explanation,
        "locator": right.get("locator") if right else None,
    }


def _eligible(state: State, slug: str, right: dict[str, Any], day: dt.date, mode: Mode) -> dict[str, Any]:
    threshold = Fraction(str(right.get("threshold", "0")))
    measure = right.get("measure", "voting_power")
    classes = None
    if measure == "preferred_voting_power":
        classes = {s for s, sec in state.securities.items() if sec.created.kind == "preferred"}
    entities = person_entities(state, slug)
    held = votes_by_holder(state, day, classes=classes)
    votes = sum(v for holder, v in held.items() if holder in entities)
    # The whole is "all outstanding votes" whatever the measure: the denominator rule's
    # whole of every class (projections/denominators.py), or open with what leaves it so.
    by_class = class_votes(state, day, mode)
    total, open_ = total_votes(by_class)
    missing = [f"{h}'s {s} holding ({d})" for (h, s), d in state.undisclosed.items()
               if h in entities and (classes is None or s in classes)]
    unstated = sorted(s for s, c in by_class.items() if (classes is None or s in classes)
                      and not stated(state.securities[s]) and any(h in entities for (h, x) in state.shares if x == s))
    figures: dict[str, Any] = {"votes": votes, "total_votes": total,
                               "percent": percent(votes, total) if total else None,
                               "threshold_percent": float(threshold * 100), "measure": measure,
                               "denominators": {s: c.denominator.fields() for s, c in sorted(by_class.items())}}
    pct = f"{float(threshold * 100):g}%"
    if unstated:
        figures["votes"] = None
        figures["votes_at_least"] = votes
        return _row("", right, slug, "not derivable", figures,
                    f"votes per share of {', '.join(unstated)}, which {slug} holds, are not stated")
    if missing:
        figures["votes"] = None
        figures["votes_at_least"] = votes
        if total is not None and Fraction(votes, total) >= threshold:
            return _row("", right, slug, "eligible", figures, f"at least {votes:,} of {total:,} votes meets {pct}")
        return _row("", right, slug, "not derivable", figures, "missing: " + "; ".join(missing))
    if total is None:
        return _row("", right, slug, "not derivable", figures,
                    f"{votes:,} votes held, but the whole of the votes is open: " + "; ".join(open_))
    if not total:
        return _row("", right, slug, "not derivable", figures, "no outstanding votes recorded on this date")
    if Fraction(votes, total) >= threshold:
        return _row("", right, slug, "eligible", figures, f"{votes:,} of {total:,} votes meets {pct}")
    # Reported shares beyond those whose holders the ledger records could be this person's:
    # "not eligible" needs them to be too few to reach the threshold.
    unaccounted = sum(round_quantity(max(0, c.denominator.shares - c.denominator.derived) * c.per_share)
                      for c in by_class.values() if c.denominator.source == "reported")
    if unaccounted:
        figures["unaccounted_votes"] = unaccounted
        if Fraction(votes + unaccounted, total) >= threshold:
            return _row("", right, slug, "not derivable", figures,
                        f"{votes:,} of {total:,} votes is below {pct}, but {unaccounted:,} reported votes are held "
                        "by holders the ledger does not record")
    return _row("", right, slug, "not eligible", figures, f"{votes:,} of {total:,} votes is below {pct}")


def rights_rows(state: State, day: dt.date, *, mode: Mode = "best") -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for slug, agreement in state.agreements.items():
        rows.extend(_agreement_rows(state, slug, agreement, day, mode))
        for r in agreement.terms.get("rights", []):
            for row in _right_rows(state, slug, agreement, r, day, mode):
                row["agreement"] = slug
                rows.append(row)
    for c in state.commitments:
        active = _right_active(state, c.in_favor_of, c.while_right)
        status = "in force" if active else "not in force"
        expl = (f"{', '.join(c.voters)} vote {'on request ' if c.upon_request else ''}for the {c.subject} "
                f"of {c.in_favor_of}" + (f" while it holds the {c.while_right} right" if c.while_right else ""))
        rows.append(_row(c.agreement, {"id": "voting-commitment", "kind": "voting_commitment",
                                       "locator": c.source.locator}, ", ".join(c.voters), status,
                         {"in_favor_of": c.in_favor_of, "subject": c.subject}, expl))
    return rows


def _right_active(state: State, holder: str, kind: str | None) -> bool:
    if kind is None:
        return True
    for agreement in state.agreements.values():
        for r in rights_of(agreement, kind.replace("-", "_")):
            if r.get("holder") == holder or holder in r.get("persons", []):
                return True
    return False


def _agreement_rows(state: State, slug: str, a: AgreementState, day: dt.date, mode: Mode) -> list[dict[str, Any]]:
    rows = []
    survival = rights_of(a, "survival")
    status, explanation = "in force", f"executed {a.executed.effective_date}"
    if a.amendments:
        explanation += "; amended " + ", ".join(f"{e.amendment} ({e.effective_date})" for e in a.amendments)
    if survival:
        investors = _investors(state, a)
        held = {h for (h, _), q in state.shares.items() if h in investors and q > 0}
        undisclosed = {h for (h, _) in state.undisclosed if h in investors}
        if held:
            explanation += f"; survives while any Investor owns Restricted Stock: {', '.join(sorted(held))} hold stock"
        elif undisclosed:
            explanation += f"; survives while any Investor owns Restricted Stock: {', '.join(sorted(undisclosed))} hold stock in undisclosed amounts"
        else:
            status = "not derivable"
            explanation += "; survives while any Investor owns Restricted Stock, and no Investor holding is recorded"
    roles = {p: a.roles.get(p, "party") for p in a.parties}
    joined = [p for p, role in roles.items() if role != "party"]
    if joined:
        explanation += "; joined: " + ", ".join(f"{p} ({roles[p]})" for p in joined)
    rows.append(_row(slug, None, f"{len(a.parties)} parties", status,
                     {"title": a.executed.title, "parties": roles}, explanation))
    return rows


def _right_rows(state: State, slug: str, a: AgreementState, r: dict[str, Any], day: dt.date,
                mode: Mode) -> list[dict[str, Any]]:
    kind = r.get("kind")
    if kind == "eligible_investor":
        return [_eligible(state, p, r, day, mode) for p in r.get("persons", [])]
    if kind == "demand_registration":
        rows = []
        for index, cap in enumerate(r.get("caps", [])):
            used = demands_used(state, slug, r, index)
            left = max(0, int(cap["limit"]) - used)
            rows.append(_row(slug, r, _label(cap), "available" if left else "used up",
                             {"limit": int(cap["limit"]), "used": used, "left": left,
                              "min_offering_price": r.get("min_offering_price")},
                             f"{used} of {cap['limit']} demand registrations used"))
        return rows
    if kind == "board_nomination":
        holder = r.get("holder")
        nominated = [n for n in state.nominations if n.nominated_by == holder]
        # A DirectorElected records the director on the board on its date; an earlier start
        # is not implied.
        elected = {d.director: d.effective_date for d in state.directors}
        serving = [f"{n.director} (nominated on or before {n.effective_date}; serving on {elected[n.director]})"
                   if n.director in elected
                   else f"{n.director} (nominated on or before {n.effective_date}, election not recorded)"
                   for n in nominated]
        figures: dict[str, Any] = {"seats": r.get("seats"), "board_size": state.board_size,
                                   "nominees": [n.director for n in nominated]}
        promise = state.board_commitment
        if promise is not None:
            figures["board_size_committed"] = promise.size
            figures["board_size_due"] = promise.due.isoformat()
        if state.board_size is None:
            figures["missing"] = ["the board's size: no BoardSizeChanged recorded"
                                  + (f"; {promise.size} seats were promised by {promise.due}" if promise else "")]
        return [_row(slug, r, holder, "in force", figures, "; ".join(serving) or "no nominee recorded")]
    if kind == "survival":
        return []
    figures = {k: v for k, v in r.items() if k not in ("id", "kind", "locator", "quote")}
    return [_row(slug, r, None, "in force", figures, r.get("quote", ""))]
