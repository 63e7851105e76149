"""The fold: apply events in valid-time order, refusing any that break a rule.

`apply` is the only place state changes. Each rule names the field it checks,
so the importer can say which file, event and field broke which rule.
"""

from __future__ import annotations

import datetime as dt
import heapq
import math
from collections.abc import Callable, Container, Iterable
from fractions import Fraction
from sys import intern

from events import (
    AgreementAmended,
    AgreementExecuted,
    BeneficialOwnershipReported,
    BoardSizeChanged,
    BoardSizeCommitted,
    CashExercise,
    CashlessExercise,
    ControlRecorded,
    ConversionApproved,
    DemandRegistrationRequested,
    DirectorElected,
    DirectorNominated,
    Event,
    EventCorrected,
    EventRetracted,
    FactStated,
    GroupFormed,
    JoinderSigned,
    NoteIssued,
    PartyRegistered,
    PreferredConverted,
    SecurityClassCreated,
    SharesIssued,
    SharesOutstandingReported,
    SharesTransferred,
    StockSplit,
    UndisclosedHolding,
    VotingCommitment,
    WarrantBecameExercisable,
    WarrantIssued,
)
from projections.rounding import round_quantity
from projections.state import AgreementState, SecurityState, State
from projections.warrants import TrancheState, WarrantState


class RuleViolation(Exception):
    """An event that the history so far does not allow."""

    def __init__(self, event: Event, field: str, rule: str):
        super().__init__(f"{field}: {rule}")
        self.event = event
        self.field = field
        self.rule = rule


def fold(events: Iterable[Event], as_of: dt.date | None = None, state: State | None = None) -> State:
    """Apply events (already in valid-time order) up to the end of `as_of`."""
    state = state if state is not None else State()
    for event in events:
        if as_of is not None and event.effective_date > as_of:
            break
        apply(state, event)
    if as_of is not None:
        state.day = as_of
    return state


def apply(state: State, event: Event) -> None:
    if state.issuer is None:
        state.issuer = event.issuer
    if state.expiries and state.expiries[0][0] <= event.effective_date:
        state.retire_expired(event.effective_date)
    handler = HANDLERS.get(type(event))
    if handler is None:
        raise RuleViolation(event, "type", f"no rule applies {event.type}")
    if event.recorded_at is not None and type(event) in KEPT:
        # The state is what is known of valid time: the events it keeps carry no transaction
        # time, so the same history folds to the same state whether its events come from the
        # log or, not yet recorded, from a file (as in an import's check and its checkpoints).
        event = event.model_copy(update={"recorded_at": None})
    handler(state, event)
    state.day = event.effective_date
    state.applied += 1


# --- references -----------------------------------------------------------


def _holder(state: State, event: Event, field: str) -> str:
    slug = getattr(event, field)
    if not state.known(slug):
        raise RuleViolation(event, field, f"unknown party or group '{slug}'")
    return slug


def _party(state: State, event: Event, field: str, slug: str | None = None) -> str:
    slug = slug if slug is not None else getattr(event, field)
    if not state.known(slug):
        raise RuleViolation(event, field, f"unknown party or group '{slug}'")
    return slug


def _security(state: State, event: Event, field: str = "security") -> SecurityState:
    slug = getattr(event, field)
    sec = state.securities.get(slug)
    if sec is None:
        raise RuleViolation(event, field, f"unknown security '{slug}'")
    return sec


def _warrant(state: State, event: Event) -> WarrantState:
    w = state.warrants.get(event.warrant)
    if w is None:
        why = state.retired.reason(event.warrant)
        raise RuleViolation(event, "warrant", f"warrant '{event.warrant}' {why}" if why
                            else f"unknown warrant '{event.warrant}'")
    return w


def _agreement(state: State, event: Event) -> AgreementState:
    a = state.agreements.get(event.agreement)
    if a is None:
        raise RuleViolation(event, "agreement", f"unknown agreement '{event.agreement}'")
    return a


def _fresh(state: State, event: Event, field: str, *taken: Container[str]) -> str:
    # Membership tests, never copies: the fold must stay linear in the number of events.
    slug = getattr(event, field)
    if any(slug in names for names in taken):
        raise RuleViolation(event, field, f"'{slug}' is already defined")
    return slug


# --- parties --------------------------------------------------------------


def _party_registered(state: State, e: PartyRegistered) -> None:
    _fresh(state, e, "party", state.parties, state.groups)
    state.parties[e.party] = e


def _control_recorded(state: State, e: ControlRecorded) -> None:
    _party(state, e, "controller")
    _party(state, e, "controlled")
    # Walk up from the controller: reaching the controlled party closes a cycle.
    seen, todo = set(), [e.controller]
    while todo:
        current = todo.pop()
        if current == e.controlled:
            raise RuleViolation(
                e, "controller", f"control cycle: '{e.controlled}' already controls '{e.controller}'"
            )
        if current not in seen:
            seen.add(current)
            todo.extend(c for c, _, _ in state.controllers.get(current, []))
    state.control_records.append(e)
    entries = state.controllers.setdefault(e.controlled, [])
    if not any(c == e.controller for c, _, _ in entries):
        entries.append((e.controller, e.relation, e))


def _group_formed(state: State, e: GroupFormed) -> None:
    _fresh(state, e, "group", state.parties, state.groups)
    for member in e.members:
        if member not in state.parties:
            raise RuleViolation(e, "members", f"unknown party '{member}'")
    state.groups[e.group] = e.members
    state.group_names[e.group] = e.name


# --- securities -----------------------------------------------------------


def _security_created(state: State, e: SecurityClassCreated) -> None:
    _fresh(state, e, "security", state.securities)
    if e.converts_to is not None and e.converts_to not in state.securities:
        raise RuleViolation(e, "converts_to", f"unknown security '{e.converts_to}'")
    ratio = Fraction(e.conversion_ratio) if e.conversion_ratio is not None else None
    state.securities[e.security] = SecurityState(created=e, conversion_ratio=ratio)


def _shares_issued(state: State, e: SharesIssued) -> None:
    _security(state, e)
    _holder(state, e, "holder")
    _give(state, e.holder, e.security, e.quantity)


def _take(state: State, e: Event, holder: str, security: str, quantity: int, field: str) -> None:
    held = state.held(holder, security)
    if quantity > held:
        raise RuleViolation(
            e, field, f"'{holder}' holds {held} {security} on {e.effective_date}, fewer than {quantity}"
        )
    if held == quantity:
        del state.shares[(holder, security)]
    else:
        state.shares[(holder, security)] = held - quantity


def _give(state: State, holder: str, security: str, quantity: int) -> None:
    if quantity:
        # Interned: one string per slug, however many positions name it.
        key = (intern(holder), intern(security))
        state.shares[key] = state.shares.get(key, 0) + quantity


def _shares_transferred(state: State, e: SharesTransferred) -> None:
    _security(state, e)
    _holder(state, e, "from_holder")
    _holder(state, e, "to_holder")
    _take(state, e, e.from_holder, e.security, e.quantity, "quantity")
    _give(state, e.to_holder, e.security, e.quantity)


def _stock_split(state: State, e: StockSplit) -> None:
    _security(state, e)
    factor = Fraction(e.numerator, e.denominator)
    # Fractional shares are cashed out: each holding rounds down.
    for key, q in list(state.shares.items()):
        if key[1] == e.security:
            new = int(q * factor)
            if new:
                state.shares[key] = new
            else:
                del state.shares[key]
    for w in state.warrants.values():
        if w.security != e.security:
            continue
        w.quantity = int(w.quantity * factor)
        w.exercised = int(w.exercised * factor)
        w.unknown_surrendered_at_least = int(w.unknown_surrendered_at_least * factor)
        for t in w.tranches:
            t.quantity = int(t.quantity * factor)
            t.met_quantity = int(t.met_quantity * factor)
            t.drawn_at_most = min(t.quantity, math.ceil(t.drawn_at_most * factor))  # a bound stays a bound
        if w.exercise_price is not None:
            w.exercise_price = w.exercise_price / factor
    for sec in state.securities.values():
        if sec.created.converts_to == e.security and sec.conversion_ratio is not None:
            sec.conversion_ratio = sec.conversion_ratio * factor


def _conversion_approved(state: State, e: ConversionApproved) -> None:
    sec = _security(state, e)
    if not sec.needs_approval:
        raise RuleViolation(e, "security", f"'{e.security}' has no conversion condition to approve")
    if sec.approved_on is None:
        sec.approved_on = e.effective_date


def _preferred_converted(state: State, e: PreferredConverted) -> None:
    sec = _security(state, e)
    _holder(state, e, "holder")
    if sec.created.converts_to is None or sec.conversion_ratio is None:
        raise RuleViolation(e, "security", f"'{e.security}' is not convertible")
    if not sec.convertible_on(e.effective_date):
        raise RuleViolation(
            e, "security",
            f"'{e.security}' converts only upon {sec.created.conversion_condition}, "
            f"not recorded by {e.effective_date}",
        )
    _take(state, e, e.holder, e.security, e.quantity, "quantity")
    issued = round_quantity(e.quantity * sec.conversion_ratio, "down")
    if e.shares_issued is not None and e.shares_issued != issued:
        raise RuleViolation(
            e, "shares_issued",
            f"{e.quantity} x {sec.conversion_ratio} gives {issued}, not {e.shares_issued}",
        )
    _give(state, e.holder, sec.created.converts_to, issued)


# --- derivatives ----------------------------------------------------------


def _warrant_issued(state: State, e: WarrantIssued) -> None:
    _fresh(state, e, "warrant", state.warrants, state.retired, state.notes)
    _holder(state, e, "holder")
    _security(state, e)
    tranches = [
        TrancheState(t.quantity, t.exercisable_from, t.condition) for t in e.tranches
    ] or [TrancheState(e.quantity, None, None)]
    state.warrants[e.warrant] = WarrantState(
        warrant=e.warrant,
        holder=e.holder,
        security=e.security,
        issued_on=e.effective_date,
        quantity=e.quantity,
        exercise_price=Fraction(e.exercise_price) if e.exercise_price is not None else None,
        expires=e.expires,
        tranches=tranches,
        rounding=e.rounding,
        number=e.number,
    )
    if e.expires is not None:
        heapq.heappush(state.expiries, (e.expires, e.warrant))


def _became_exercisable(state: State, e: WarrantBecameExercisable) -> None:
    w = _warrant(state, e)
    candidates = [
        t for t in w.tranches
        if t.condition is not None and (e.condition is None or t.condition == e.condition)
    ]
    room = sum(t.quantity - t.met_quantity for t in candidates)
    if e.quantity > room:
        raise RuleViolation(
            e, "quantity",
            f"warrant '{e.warrant}' has {room} shares awaiting "
            f"{'condition ' + repr(e.condition) if e.condition else 'a condition'}, fewer than {e.quantity}",
        )
    left = e.quantity
    for t in candidates:
        take = min(left, t.quantity - t.met_quantity)
        if take:
            t.met_quantity += take
            t.met_on = t.met_on or e.effective_date
            left -= take


def _check_exercisable(w: WarrantState, e: Event, quantity: int | None) -> None:
    if w.expired_on(e.effective_date):
        raise RuleViolation(e, "warrant", f"warrant '{w.warrant}' expired on {w.expires}")
    if quantity is None:
        return
    available = w.exercisable(e.effective_date)
    if quantity > available:
        bound = "" if w.exercisable_known(e.effective_date) else "at most "
        raise RuleViolation(
            e, "quantity",
            f"warrant '{w.warrant}' has {bound}{available} shares exercisable on {e.effective_date}, "
            f"fewer than {quantity}",
        )


def _cash_exercise(state: State, e: CashExercise) -> None:
    w = _warrant(state, e)
    _check_exercisable(w, e, e.quantity)
    w.exercised += e.quantity
    _give(state, w.holder, w.security, e.quantity)
    _retire_if_exhausted(state, w, e)


def _retire_if_exhausted(state: State, w: WarrantState, e: Event) -> None:
    if w.exhausted:
        state.retire(w.warrant, f"was exercised in full on {e.effective_date}")


def _cashless_exercise(state: State, e: CashlessExercise) -> None:
    w = _warrant(state, e)
    _check_exercisable(w, e, e.quantity)
    issued = e.shares_issued
    if e.fair_market_value is not None and e.quantity is not None:
        if w.exercise_price is None:
            raise RuleViolation(
                e, "fair_market_value",
                f"warrant '{w.warrant}' has no recorded exercise price to net against; give shares_issued",
            )
        a = Fraction(e.fair_market_value)
        if a <= w.exercise_price:
            raise RuleViolation(
                e, "fair_market_value",
                f"value {e.fair_market_value} does not exceed the exercise price; nothing to net",
            )
        computed = round_quantity(e.quantity * (a - w.exercise_price) / a, w.rounding)
        if issued is not None and issued != computed:
            raise RuleViolation(
                e, "shares_issued",
                f"X = Y(A-B)/A = {e.quantity} x ({e.fair_market_value} - "
                f"{w.display_price()}) / {e.fair_market_value} rounds {w.rounding} to {computed}, "
                f"not {issued}",
            )
        issued = computed
    if e.quantity is not None and issued is not None and issued > e.quantity:
        raise RuleViolation(e, "shares_issued", f"{issued} exceeds the {e.quantity} surrendered")
    if e.quantity is None:
        # Y is unknown but more than X: the outstanding balance becomes an upper bound.
        if issued >= w.exercisable(e.effective_date):
            raise RuleViolation(
                e, "shares_issued",
                f"{issued} issued needs more than {issued} surrendered, but '{w.warrant}' has at most "
                f"{w.exercisable(e.effective_date)} exercisable on {e.effective_date}",
            )
        # X = floor(Y(A-B)/A) < Y whenever the price B is positive, so Y >= X + 1; and Y came out
        # of the tranches open that day, at most all they had opened.
        for t in w.tranches:
            t.drawn_at_most = min(t.quantity, t.drawn_at_most + t.opened(e.effective_date, w.issued_on))
        w.unknown_exercises += 1
        w.unknown_surrendered_at_least += issued + 1
    else:
        w.exercised += e.quantity
    _give(state, w.holder, w.security, issued or 0)
    _retire_if_exhausted(state, w, e)


def _note_issued(state: State, e: NoteIssued) -> None:
    _fresh(state, e, "note", state.warrants, state.retired, state.notes)
    _holder(state, e, "holder")
    if e.converts_to is not None and e.converts_to not in state.securities:
        raise RuleViolation(e, "converts_to", f"unknown security '{e.converts_to}'")
    state.notes[e.note] = e


# --- agreements and governance -------------------------------------------


def _agreement_executed(state: State, e: AgreementExecuted) -> None:
    _fresh(state, e, "agreement", state.agreements)
    for p in e.parties:
        _party(state, e, "parties", p)
    state.agreements[e.agreement] = AgreementState(
        executed=e, parties=list(e.parties), roles={p: "party" for p in e.parties},
        terms=dict(e.terms),
    )


def _agreement_amended(state: State, e: AgreementAmended) -> None:
    a = _agreement(state, e)
    a.terms = merge_terms(a.terms, e.terms)
    a.amendments.append(e)


def merge_terms(old: dict, new: dict) -> dict:
    """An amendment replaces rights with the same id, adds new ones, and overrides other keys."""
    merged = {**old, **{k: v for k, v in new.items() if k != "rights"}}
    if "rights" in new:
        rights = {r.get("id"): r for r in old.get("rights", [])}
        for r in new["rights"]:
            rights[r.get("id")] = r
        merged["rights"] = list(rights.values())
    return merged


def _joinder_signed(state: State, e: JoinderSigned) -> None:
    a = _agreement(state, e)
    for p in (*e.parties, *e.consented_by):
        _party(state, e, "parties" if p in e.parties else "consented_by", p)
    for p in e.parties:
        if p not in a.parties:
            a.parties.append(p)
        a.roles[p] = e.role
    a.joinders.append(e)


def _voting_commitment(state: State, e: VotingCommitment) -> None:
    _agreement(state, e)
    for v in e.voters:
        _party(state, e, "voters", v)
    _party(state, e, "in_favor_of")
    state.commitments.append(e)


def _demand_requested(state: State, e: DemandRegistrationRequested) -> None:
    from projections.rights import check_demand  # noqa: PLC0415  (rights reads the state)

    _agreement(state, e)
    _party(state, e, "requested_by")
    problem = check_demand(state, e)
    if problem is not None:
        raise RuleViolation(e, problem[0], problem[1])
    state.demands.append(e)


def _board_size_changed(state: State, e: BoardSizeChanged) -> None:
    state.board_size = e.size


def _board_size_committed(state: State, e: BoardSizeCommitted) -> None:
    if e.agreement is not None:
        _agreement(state, e)
    state.board_commitment = e


def _director_nominated(state: State, e: DirectorNominated) -> None:
    _party(state, e, "nominated_by")
    if e.agreement is not None:
        _agreement(state, e)
    state.nominations.append(e)


def _director_elected(state: State, e: DirectorElected) -> None:
    state.directors.append(e)


# --- reported figures -----------------------------------------------------


def _outstanding_reported(state: State, e: SharesOutstandingReported) -> None:
    _security(state, e)
    state.outstanding_reports.append(e)


def _ownership_reported(state: State, e: BeneficialOwnershipReported) -> None:
    _security(state, e)
    _party(state, e, "party")
    state.ownership_reports.append(e)


def _undisclosed(state: State, e: UndisclosedHolding) -> None:
    _security(state, e)
    _holder(state, e, "holder")
    state.undisclosed.setdefault((e.holder, e.security), e.description)


def _fact_stated(state: State, e: FactStated) -> None:
    state.statements.append(e)


def _correction(state: State, e: Event) -> None:
    # Corrections act on the stream before the fold (projections.timeline);
    # reaching here means one slipped through unresolved.
    raise RuleViolation(e, "type", "corrections are resolved before folding")


# The event types whose handlers keep the event itself in the state.
KEPT: frozenset[type] = frozenset({
    PartyRegistered, ControlRecorded, SecurityClassCreated, NoteIssued, AgreementExecuted, AgreementAmended,
    JoinderSigned, VotingCommitment, DemandRegistrationRequested, DirectorNominated, DirectorElected,
    SharesOutstandingReported, BeneficialOwnershipReported, FactStated, BoardSizeCommitted,
})

HANDLERS: dict[type, Callable[[State, Event], None]] = {
    PartyRegistered: _party_registered,
    ControlRecorded: _control_recorded,
    GroupFormed: _group_formed,
    SecurityClassCreated: _security_created,
    SharesIssued: _shares_issued,
    SharesTransferred: _shares_transferred,
    StockSplit: _stock_split,
    ConversionApproved: _conversion_approved,
    PreferredConverted: _preferred_converted,
    WarrantIssued: _warrant_issued,
    WarrantBecameExercisable: _became_exercisable,
    CashExercise: _cash_exercise,
    CashlessExercise: _cashless_exercise,
    NoteIssued: _note_issued,
    AgreementExecuted: _agreement_executed,
    AgreementAmended: _agreement_amended,
    JoinderSigned: _joinder_signed,
    VotingCommitment: _voting_commitment,
    DemandRegistrationRequested: _demand_requested,
    BoardSizeChanged: _board_size_changed,
    BoardSizeCommitted: _board_size_committed,
    DirectorNominated: _director_nominated,
    DirectorElected: _director_elected,
    SharesOutstandingReported: _outstanding_reported,
    BeneficialOwnershipReported: _ownership_reported,
    UndisclosedHolding: _undisclosed,
    FactStated: _fact_stated,
    EventRetracted: _correction,
    EventCorrected: _correction,
}
