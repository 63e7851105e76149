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
    AuthorizedSharesSet,
    AgreementExecuted,
    BeneficialOwnershipReported,
    BoardSizeChanged,
    BoardSizeCommitted,
    CashExercise,
    CashlessExercise,
    ControlRecorded,
    ConversionApproved,
    ConvertibleCancelled,
    ConversionRatioAdjusted,
    ConvertibleConverted,
    DemandRegistrationRequested,
    DirectorElected,
    DirectorNominated,
    DocumentFiled,
    EquityCompensationCancelled,
    EquityCompensationExercised,
    EquityCompensationIssued,
    EquityCompensationReleased,
    Event,
    EventCorrected,
    EventRetracted,
    FactStated,
    GroupFormed,
    HoldingReported,
    IdentifierRecorded,
    InstrumentTransferred,
    JoinderSigned,
    NoteIssued,
    PartyRegistered,
    PreferredConverted,
    SafeIssued,
    SecurityClassCreated,
    ServiceEnded,
    SharesCancelled,
    SharesIssued,
    SharesOutstandingReported,
    SharesRepurchased,
    SharesReturnedToPool,
    SharesTransferred,
    StockPlanCreated,
    StockPlanPoolAdjusted,
    StockSplit,
    UndisclosedHolding,
    VestingAccelerated,
    VestingConditionMet,
    VotingCommitment,
    WarrantBecameExercisable,
    WarrantCancelled,
    WarrantIssued,
)
from projections.convertibles import NeedsCapitalization, accrued, convert, show
from projections.plans import PlanState
from projections.rounding import round_quantity
from projections.state import AgreementState, SecurityState, State
from projections.vesting import add_months, schedule_pieces, tranches_from_pieces
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
    if w.is_grant:
        raise RuleViolation(event, "warrant", f"'{event.warrant}' is a grant of equity compensation ({w.kind}): "
                                              "its own events (EquityCompensationExercised, VestingConditionMet ...) act on it")
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


def _identifier_recorded(state: State, e: IdentifierRecorded) -> None:
    key = (e.scheme, e.kind, e.ledger_id)
    known = state.identifiers.get(key)
    if known is not None and known != e.external:
        raise RuleViolation(e, "external", f"{e.kind} '{e.ledger_id}' is already {e.scheme} id {known!r}")
    other = next((ledger for (scheme, kind, ledger), ext in state.identifiers.items()
                  if (scheme, kind, ext) == (e.scheme, e.kind, e.external) and ledger != e.ledger_id), None)
    if other is not None:
        raise RuleViolation(e, "ledger_id", f"{e.scheme} id {e.external!r} already names {e.kind} '{other}'")
    state.identifiers[key] = e.external


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
    _give(state, e, e.holder, e.security, e.quantity)


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
    if state.totals is not None:
        state.totals[security] -= quantity


def _give(state: State, e: Event, holder: str, security: str, quantity: int) -> None:
    if quantity:
        if state.totals is not None:
            _within_authorized(state, e, security, quantity)
        # Interned: one string per slug, however many positions name it.
        key = (intern(holder), intern(security))
        state.shares[key] = state.shares.get(key, 0) + quantity


def _within_authorized(state: State, e: Event, security: str, quantity: int) -> None:
    """Count `quantity` more of a class as outstanding, refusing what the charter does not authorize."""
    totals = state.totals
    now = totals.get(security, 0)
    limit = state.authorized.get(security)
    if limit is not None and now + quantity > limit:
        raise RuleViolation(e, "quantity", f"{quantity:,} more '{security}' would make {now + quantity:,} outstanding "
                                           f"on {e.effective_date}, more than the {limit:,} authorized")
    limit = state.authorized.get("")
    if limit is not None and sum(totals.values()) + quantity > limit:
        raise RuleViolation(e, "quantity", f"{quantity:,} more shares would make {sum(totals.values()) + quantity:,} "
                                           f"outstanding on {e.effective_date}, more than the issuer's {limit:,} authorized")
    totals[security] = now + quantity


def _authorized_set(state: State, e: AuthorizedSharesSet) -> None:
    if e.security is not None:
        _security(state, e)
    if state.totals is None:
        state.totals = {}
        for (_, security), q in state.shares.items():
            state.totals[security] = state.totals.get(security, 0) + q
    outstanding = state.totals.get(e.security, 0) if e.security is not None else sum(state.totals.values())
    if e.quantity < outstanding:
        raise RuleViolation(e, "quantity", f"{outstanding:,} {e.security or 'shares'} are outstanding on "
                                           f"{e.effective_date}, more than {e.quantity:,}")
    state.authorized[e.security or ""] = e.quantity


def _shares_transferred(state: State, e: SharesTransferred) -> None:
    _security(state, e)
    _holder(state, e, "from_holder")
    _holder(state, e, "to_holder")
    if (e.from_holder, e.security) in state.undisclosed:
        # A holding no document numbers (the public's, in a history of filings) can give what
        # it is not known to hold: what is known of it is a lower bound, and stays one.
        known = min(e.quantity, state.held(e.from_holder, e.security))
        if known:
            _take(state, e, e.from_holder, e.security, known, "quantity")
    else:
        _take(state, e, e.from_holder, e.security, e.quantity, "quantity")
    _give(state, e, e.to_holder, e.security, e.quantity)


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
    if state.totals is not None:
        before = state.totals.get(e.security, 0)
        after = sum(q for (_, s), q in state.shares.items() if s == e.security)
        if after > before:
            _within_authorized(state, e, e.security, after - before)  # checked as one issuance of the rise
        state.totals[e.security] = after
    for name in e.unadjusted:
        if name not in state.warrants and name not in state.plans and name not in state.notes:
            raise RuleViolation(e, "unadjusted", f"no live warrant, grant, plan or note '{name}'")
    for w in state.warrants.values():
        if w.security != e.security or w.warrant in e.unadjusted:
            continue
        if w.is_grant:
            before = w.quantity
            _split_grant(w, factor)
            if w.plan in e.unadjusted:
                # The plan's figures stay; what its grant gained by the split is granted from its pool.
                state.plans[w.plan].granted += w.quantity - before
            continue
        w.quantity = int(w.quantity * factor)
        w.exercised = int(w.exercised * factor)
        w.unknown_surrendered_at_least = int(w.unknown_surrendered_at_least * factor)
        # Cut again from the cumulative amounts, as a grant's are: the tranches still add up to
        # what they added up to, rounded once, and none opens more than it would have.
        cumulative, given = 0, 0
        for t in w.tranches:
            cumulative += t.quantity
            t.quantity, given = int(cumulative * factor) - given, int(cumulative * factor)
            t.met_quantity = min(t.quantity, int(t.met_quantity * factor))
            t.drawn_at_most = min(t.quantity, math.ceil(t.drawn_at_most * factor))  # a bound stays a bound
        w.tranches = [t for t in w.tranches if t.quantity > 0]
        if w.exercise_price is not None:
            w.exercise_price = w.exercise_price / factor
    for sec in state.securities.values():
        if sec.created.converts_to == e.security and sec.conversion_ratio is not None:
            sec.conversion_ratio = sec.conversion_ratio * factor
    for name, n in list(state.notes.items()):
        if isinstance(n, NoteIssued) and n.conversion_price is not None and n.converts_to == e.security \
                and name not in e.unadjusted:
            # A fixed conversion price follows the shares it buys: a 2-for-1 split halves it.
            state.note_prices[name] = state.note_prices.get(name, Fraction(n.conversion_price)) / factor
            state.notes[name] = n  # its row changes
    for plan in state.plans.values():
        if e.security in plan.securities and plan.plan not in e.unadjusted:
            # Each figure rounds down on its own, as each grant does: what rounding takes from the
            # grants stays in the pool.
            plan.size, plan.granted = int(plan.size * factor), int(plan.granted * factor)
            plan.delivered, plan.retired = int(plan.delivered * factor), int(plan.retired * factor)


def _split_grant(w: WarrantState, factor: Fraction) -> None:
    """A grant after a split: what is exercised and what is left each rounded down as a whole
    (so that its plan's pool never counts more than it holds), and the vesting tranches cut
    again from their cumulative amounts, so they still add up to the grant and none vests early."""
    exercised = int(w.exercised * factor)
    quantity = exercised + int((w.quantity - w.exercised) * factor)
    cumulative, given = 0, 0
    # In one order whatever order the tranches came in (dated by date, then conditions), so that a
    # grant read back from another system's terms splits the same way.
    w.tranches.sort(key=lambda t: (t.condition is not None, t.exercisable_from or w.issued_on))
    for t in w.tranches:
        cumulative += t.quantity
        share = min(int(cumulative * factor), quantity) - given
        t.met_quantity = min(share, int(t.met_quantity * factor))
        t.quantity, given = share, given + share
    if w.tranches:
        w.tranches[-1].quantity += quantity - given
    w.tranches = [t for t in w.tranches if t.quantity > 0]
    w.quantity, w.exercised = quantity, exercised
    if w.exercise_price is not None:
        w.exercise_price = w.exercise_price / factor


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
    _give(state, e, e.holder, sec.created.converts_to, issued)


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
    _meet(_warrant(state, e), e, e.condition, f"warrant '{e.warrant}'")


def _meet(w: WarrantState, e: Event, condition: str | None, name: str) -> None:
    """`e.quantity` shares of tranches awaiting `condition` (any condition, if None) are met."""
    candidates = [
        t for t in w.tranches
        if t.condition is not None and (condition is None or t.condition == condition)
    ]
    room = sum(t.quantity - t.met_quantity for t in candidates)
    if e.quantity > room:
        raise RuleViolation(
            e, "quantity",
            f"{name} has {room} shares awaiting "
            f"{'condition ' + repr(condition) if condition else 'a condition'}, fewer than {e.quantity}",
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
    _give(state, e, w.holder, w.security, e.quantity)
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
    _give(state, e, w.holder, w.security, issued or 0)
    _retire_if_exhausted(state, w, e)


def _note_issued(state: State, e: NoteIssued) -> None:
    _fresh(state, e, "note", state.warrants, state.retired, state.notes)
    _holder(state, e, "holder")
    if e.converts_to is not None and e.converts_to not in state.securities:
        raise RuleViolation(e, "converts_to", f"unknown security '{e.converts_to}'")
    state.notes[e.note] = e


def _convertible(state: State, e: Event, name: str, field: str) -> NoteIssued | SafeIssued:
    c = state.notes.get(name)
    if c is None:
        why = state.retired.reason(name)
        raise RuleViolation(e, field, f"'{name}' {why}" if why else f"unknown note or SAFE '{name}'")
    return c


def _convertible_cancelled(state: State, e: ConvertibleCancelled) -> None:
    c = _convertible(state, e, e.convertible, "convertible")
    state.notes.pop(e.convertible)
    state.note_prices.pop(e.convertible, None)
    state.retired.add(e.convertible, c.holder, f"was cancelled on {e.effective_date} ({e.reason})")


def _instrument_transferred(state: State, e: InstrumentTransferred) -> None:
    to = _holder(state, e, "to_holder")
    w = state.warrants.get(e.instrument)
    if w is not None:
        if w.expired_on(e.effective_date):
            raise RuleViolation(e, "instrument", f"'{e.instrument}' expired on {w.expires}")
        if w.holder == to:
            raise RuleViolation(e, "to_holder", f"'{to}' already holds '{e.instrument}'")
        w.holder = intern(to)
        return
    c = _convertible(state, e, e.instrument, "instrument")
    if c.holder == to:
        raise RuleViolation(e, "to_holder", f"'{to}' already holds '{e.instrument}'")
    state.notes[e.instrument] = c.model_copy(update={"holder": to})


def _warrant_cancelled(state: State, e: WarrantCancelled) -> None:
    w = _warrant(state, e)
    _alive(w, e)
    if not w.outstanding_known:
        raise RuleViolation(e, "warrant", f"warrant '{e.warrant}' has exercises of unstated size: what is left "
                                          "is not known")
    left = w.outstanding(e.effective_date)
    quantity = left if e.quantity is None else e.quantity
    if quantity > left:
        raise RuleViolation(e, "quantity", f"warrant '{e.warrant}' has {left} shares left on {e.effective_date}, "
                                           f"fewer than {quantity}")
    _cancel(state, w, e, quantity)


def _shares_cancelled(state: State, e: SharesCancelled) -> None:
    _security(state, e)
    _holder(state, e, "holder")
    _take(state, e, e.holder, e.security, e.quantity, "quantity")


def _ratio_adjusted(state: State, e: ConversionRatioAdjusted) -> None:
    sec = _security(state, e)
    if sec.created.converts_to is None:
        raise RuleViolation(e, "security", f"'{e.security}' converts into no class: it has no ratio to adjust")
    sec.conversion_ratio = Fraction(e.conversion_ratio)


def _safe_issued(state: State, e: SafeIssued) -> None:
    _fresh(state, e, "safe", state.warrants, state.retired, state.notes)
    _holder(state, e, "holder")
    if e.converts_to is not None and e.converts_to not in state.securities:
        raise RuleViolation(e, "converts_to", f"unknown security '{e.converts_to}'")
    state.notes[e.safe] = e


def _convertible_converted(state: State, e: ConvertibleConverted) -> None:
    c = _convertible(state, e, e.convertible, "convertible")
    _security(state, e)
    if c.converts_to is not None and c.converts_to != e.security:
        raise RuleViolation(e, "security", f"'{e.convertible}' converts into '{c.converts_to}', not '{e.security}'")
    issued = conversion_shares(c, e, state.note_prices.pop(e.convertible, None))
    state.notes.pop(e.convertible)
    state.retired.add(e.convertible, c.holder, f"was converted on {e.effective_date}")
    _give(state, e, c.holder, e.security, issued)


def conversion_shares(c: NoteIssued | SafeIssued, e: ConvertibleConverted, price: Fraction | None = None) -> int:
    """The shares a note or SAFE converts into (projections.convertibles), checked against those
    stated; with no financing price, the shares stated, taken as they are. `price` is a note's
    conversion price as splits since its issue left it (State.note_prices)."""
    if e.price_per_share is None:
        return e.shares_issued
    if isinstance(c, SafeIssued):
        amount, what = Fraction(c.investment), f"the {c.investment} invested"
    else:
        amount = accrued(c.principal, c.interest_rate, c.effective_date, e.effective_date)
        what = f"{c.principal} and interest to {e.effective_date}, {show(amount)},"
    if isinstance(c, NoteIssued) and c.conversion_price is not None:
        fixed = price if price is not None else Fraction(c.conversion_price)
        issued = round_quantity(amount / fixed, e.rounding)
        how = f"{what} at its conversion price {c.conversion_price if price is None else show(fixed)}"
    else:
        try:
            done = convert(amount, e.price_per_share, c.discount, c.valuation_cap, e.capitalization, e.rounding)
        except NeedsCapitalization:
            raise RuleViolation(e, "capitalization", f"required: '{e.convertible}' is capped at {c.valuation_cap}, "
                                                     "priced at its cap over the company capitalization") from None
        issued = done.shares
        how = f"{what} at {show(done.price)} a share (the {done.basis})"
    if e.shares_issued is not None and e.shares_issued != issued:
        raise RuleViolation(e, "shares_issued", f"{how} rounds {e.rounding} to {issued}, not {e.shares_issued}")
    return issued


# --- equity compensation --------------------------------------------------


def _plan(state: State, event: Event, field: str = "plan") -> PlanState:
    slug = getattr(event, field)
    plan = state.plans.get(slug)
    if plan is None:
        raise RuleViolation(event, field, f"unknown stock plan '{slug}'")
    return plan


def _grant(state: State, event: Event) -> WarrantState:
    w = state.warrants.get(event.grant)
    if w is None or not w.is_grant:
        why = state.retired.reason(event.grant)
        raise RuleViolation(event, "grant", f"grant '{event.grant}' {why}" if why
                            else f"unknown grant '{event.grant}'")
    return w


def _plan_created(state: State, e: StockPlanCreated) -> None:
    _fresh(state, e, "plan", state.plans)
    for security in e.securities:
        if security not in state.securities:
            raise RuleViolation(e, "securities", f"unknown security '{security}'")
    state.plans[e.plan] = PlanState(e.plan, e.name, tuple(e.securities), e.pool_size,
                                    e.cancelled_shares == "retire")


def _pool_adjusted(state: State, e: StockPlanPoolAdjusted) -> None:
    plan = _plan(state, e)
    used = plan.size - plan.available(state.warrants.values(), e.effective_date)
    if e.pool_size < used:
        raise RuleViolation(e, "pool_size", f"plan '{e.plan}' has {used} shares granted, delivered or retired "
                                            f"on {e.effective_date}, more than a pool of {e.pool_size}")
    plan.size = e.pool_size


def vesting_tranches(e: EquityCompensationIssued) -> list[TrancheState]:
    """A grant's tranches as the fold keeps them: its schedule cut into whole shares, its own
    tranches, or all of it vested when made."""
    if e.vesting is not None:
        v = e.vesting
        try:
            pieces = schedule_pieces(v.start, v.months, v.every, v.cliff, e.quantity)
        except (ValueError, OverflowError):
            raise RuleViolation(e, "vesting", f"{v.months} months from {v.start} ends beyond the last date the "
                                              "ledger takes") from None
        tranches = tranches_from_pieces(pieces, e.quantity)
        return [TrancheState(t["quantity"], dt.date.fromisoformat(t["exercisable_from"]), None) for t in tranches]
    if e.tranches:
        return [TrancheState(t.quantity, t.exercisable_from, t.condition) for t in e.tranches]
    return [TrancheState(e.quantity, None, None)]


def _grant_issued(state: State, e: EquityCompensationIssued) -> None:
    _fresh(state, e, "grant", state.warrants, state.retired, state.notes)
    _holder(state, e, "holder")
    _security(state, e)
    if e.plan is not None:
        plan = _plan(state, e)
        if e.security not in plan.securities:
            raise RuleViolation(e, "security", f"plan '{e.plan}' grants {', '.join(plan.securities)}, "
                                               f"not '{e.security}'")
        available = plan.available(state.warrants.values(), e.effective_date)
        if e.quantity > available:
            raise RuleViolation(e, "quantity", f"plan '{e.plan}' has {available} shares available for grant "
                                               f"on {e.effective_date}, fewer than {e.quantity}")
        plan.granted += e.quantity
    state.warrants[e.grant] = WarrantState(
        warrant=e.grant, holder=e.holder, security=e.security, issued_on=e.effective_date, quantity=e.quantity,
        exercise_price=Fraction(e.exercise_price) if e.exercise_price is not None else None,
        expires=e.expires, tranches=vesting_tranches(e), rounding=e.rounding,
        kind=e.kind, plan=e.plan,
        window=None if e.exercise_window is None else (e.exercise_window.length, e.exercise_window.unit),
    )
    if e.expires is not None:
        heapq.heappush(state.expiries, (e.expires, e.grant))


def _vesting_condition_met(state: State, e: VestingConditionMet) -> None:
    _meet(_grant(state, e), e, e.condition, f"grant '{e.grant}'")


def _waiting_tranches(w: WarrantState, day: dt.date) -> list[TrancheState]:
    """The tranches with shares not yet vested on the date, the next to vest first."""
    dated = sorted((t for t in w.tranches if t.condition is None and (t.exercisable_from or w.issued_on) > day),
                   key=lambda t: t.exercisable_from)
    waiting = [t for t in w.tranches if t.condition is not None and t.quantity > t.opened(day, w.issued_on)]
    return dated + waiting


def _open_now(w: WarrantState, day: dt.date, quantity: int) -> None:
    """Move `quantity` unvested shares, the next scheduled first, into a tranche vested on `day`."""
    left = quantity
    for t in _waiting_tranches(w, day):
        take = min(left, t.quantity - t.opened(day, w.issued_on))
        t.quantity -= take
        left -= take
        if not left:
            break
    w.tranches = [t for t in w.tranches if t.quantity > 0] + [TrancheState(quantity, day, None)]


def unvested(w: WarrantState, day: dt.date) -> int:
    """Shares of a grant not yet vested on the date."""
    return sum(t.quantity - t.opened(day, w.issued_on) for t in _waiting_tranches(w, day))


def _vesting_accelerated(state: State, e: VestingAccelerated) -> None:
    w = _grant(state, e)
    _alive(w, e)
    waiting = unvested(w, e.effective_date)
    quantity = waiting if e.quantity is None else e.quantity
    if quantity > waiting:
        raise RuleViolation(e, "quantity", f"grant '{e.grant}' has {waiting} unvested shares on "
                                           f"{e.effective_date}, fewer than {quantity}")
    if quantity:
        _open_now(w, e.effective_date, quantity)


def _alive(w: WarrantState, e: Event) -> None:
    if w.expired_on(e.effective_date):
        raise RuleViolation(e, "grant", f"grant '{w.warrant}' expired on {w.expires}")


def _cancel(state: State, w: WarrantState, e: Event, quantity: int) -> None:
    """Take `quantity` of what is left of the grant away, unvested shares first (the last to
    vest first), then vested ones (the last vested first), and free them to the plan's pool
    or retire them, as the plan says."""
    day, issued = e.effective_date, w.issued_on
    left = quantity
    for t in reversed(_waiting_tranches(w, day)):
        take = min(left, t.quantity - t.opened(day, issued))
        t.quantity -= take
        left -= take
    vested = sorted((t for t in w.tranches if t.opened(day, issued)),
                    key=lambda t: t.exercisable_from or t.met_on or issued)
    for t in reversed(vested):
        take = min(left, t.opened(day, issued))
        t.quantity -= take
        t.met_quantity = min(t.met_quantity, t.quantity)
        left -= take
    w.tranches = [t for t in w.tranches if t.quantity > 0]
    w.quantity -= quantity
    if w.plan is not None and state.plans[w.plan].retire_cancelled:
        state.plans[w.plan].retired += quantity
    if w.exhausted:
        state.retire(w.warrant, f"was cancelled in full on {day}")


def _grant_cancelled(state: State, e: EquityCompensationCancelled) -> None:
    w = _grant(state, e)
    _alive(w, e)
    if not w.outstanding_known:
        raise RuleViolation(e, "grant", f"grant '{e.grant}' has exercises of unstated size: what is left is not known")
    left = w.outstanding(e.effective_date)
    quantity = left if e.quantity is None else e.quantity
    if quantity > left:
        raise RuleViolation(e, "quantity", f"grant '{e.grant}' has {left} shares left on {e.effective_date}, "
                                           f"fewer than {quantity}")
    _cancel(state, w, e, quantity)


def _service_ended(state: State, e: ServiceEnded) -> None:
    _holder(state, e, "holder")
    day = e.effective_date
    for w in [w for w in state.warrants.values() if w.is_grant and w.holder == e.holder and not w.expired_on(day)]:
        left = unvested(w, day)
        if left and w.outstanding_known:
            _cancel(state, w, e, left)
        if w.warrant not in state.warrants or w.kind == "rsu" or w.window is None:
            continue  # vested RSUs await release; with no window stated, the grant's own expiry stands
        length, unit = w.window
        try:
            # Exercisable through the window's last day: "within three months" of August 20 is
            # through November 20; the options expire the day after.
            last = add_months(day, length) if unit == "months" else day + dt.timedelta(days=length)
            closes = last + dt.timedelta(days=1)
        except (ValueError, OverflowError):
            raise RuleViolation(e, "holder", f"grant '{w.warrant}''s exercise window of {length} {unit} from "
                                             f"{day} ends beyond the last date the ledger takes") from None
        if w.expires is None or closes < w.expires:
            w.expires = closes
            heapq.heappush(state.expiries, (closes, w.warrant))


def _deliver(state: State, w: WarrantState, e: Event, quantity: int, shares: int) -> None:
    w.exercised += quantity
    _give(state, e, w.holder, w.security, shares)
    if w.plan is not None:
        state.plans[w.plan].delivered += quantity
    if w.exhausted:
        state.retire(w.warrant, f"was exercised in full on {e.effective_date}")


def _grant_exercised(state: State, e: EquityCompensationExercised) -> None:
    w = _grant(state, e)
    if w.kind == "rsu":
        raise RuleViolation(e, "grant", f"grant '{e.grant}' is an RSU: it is released, not exercised")
    _check_exercisable(w, e, e.quantity)
    _deliver(state, w, e, e.quantity, exercise_shares(w, e))


def exercise_shares(w: WarrantState, e: EquityCompensationExercised) -> int:
    """The shares an exercise of a grant delivers: one an option for cash; a SAR's or a net
    exercise's floor(Y(A-B)/A), or the shares it states. RuleViolation where they disagree."""
    shares = e.quantity
    if w.kind == "sar" or e.method == "net":
        if e.fair_market_value is None:
            if e.shares_issued is None:
                raise RuleViolation(e, "fair_market_value", "a SAR's exercise needs fair_market_value or shares_issued")
            shares = e.shares_issued
        else:
            if w.exercise_price is None:
                raise RuleViolation(e, "fair_market_value", f"grant '{e.grant}' has no exercise price to net against")
            a = Fraction(e.fair_market_value)
            if a <= w.exercise_price:
                raise RuleViolation(e, "fair_market_value", f"value {e.fair_market_value} does not exceed the "
                                                            f"exercise price; nothing to net")
            shares = round_quantity(e.quantity * (a - w.exercise_price) / a, w.rounding)
    if e.shares_issued is not None and e.shares_issued != shares:
        raise RuleViolation(e, "shares_issued", f"{e.quantity} exercised gives {shares} shares, not {e.shares_issued}")
    if shares > e.quantity:
        raise RuleViolation(e, "shares_issued", f"{shares} shares for {e.quantity} exercised: a net exercise or a SAR "
                                                "delivers fewer shares than it surrenders")
    return shares


def _grant_released(state: State, e: EquityCompensationReleased) -> None:
    w = _grant(state, e)
    if w.kind != "rsu":
        raise RuleViolation(e, "grant", f"grant '{e.grant}' is an {w.kind}: it is exercised, not released")
    _check_exercisable(w, e, e.quantity)
    _deliver(state, w, e, e.quantity, e.quantity - e.withheld)


def _returned_to_pool(state: State, e: SharesReturnedToPool) -> None:
    plan = _plan(state, e)
    if e.quantity > plan.delivered:
        raise RuleViolation(e, "quantity", f"plan '{e.plan}' has delivered {plan.delivered} shares, fewer than the "
                                           f"{e.quantity} returned")
    plan.delivered -= e.quantity


def _shares_repurchased(state: State, e: SharesRepurchased) -> None:
    _security(state, e)
    _holder(state, e, "holder")
    _take(state, e, e.holder, e.security, e.quantity, "quantity")


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
    if (e.holder, e.security) in state.shares:  # its row changes: no longer a known quantity
        state.shares[(e.holder, e.security)] = state.shares[(e.holder, e.security)]


def _holding_reported(state: State, e: HoldingReported) -> None:
    # A reported figure: checked by reconcile at its place in the history, never applied.
    _holder(state, e, "holder")
    if e.security not in state.securities and e.security not in state.warrants and e.security not in state.retired:
        raise RuleViolation(e, "security", f"unknown security or grant '{e.security}'")


def _document_filed(state: State, e: DocumentFiled) -> None:
    # Read by the disclosure axis (ledger.history), which filters the log before the fold; here
    # a document has one filing date.
    known = state.documents_filed.get(e.document)
    if known is not None and known != e.effective_date:
        raise RuleViolation(e, "effective_date", f"document '{e.document}' became public on {known}, "
                                                 f"not {e.effective_date}")
    state.documents_filed[e.document] = e.effective_date


def _fact_stated(state: State, e: FactStated) -> None:
    state.statements.append(e)


def _correction(state: State, e: Event) -> None:
    # Corrections act on the stream before the fold (projections.timeline);
    # reaching here means one slipped through unresolved.
    raise RuleViolation(e, "type", "corrections are resolved before folding")


# The event types whose handlers keep the event itself in the state.
KEPT: frozenset[type] = frozenset({
    PartyRegistered, ControlRecorded, SecurityClassCreated, NoteIssued, SafeIssued, AgreementExecuted, AgreementAmended,
    JoinderSigned, VotingCommitment, DemandRegistrationRequested, DirectorNominated, DirectorElected,
    SharesOutstandingReported, BeneficialOwnershipReported, FactStated, BoardSizeCommitted,
})

HANDLERS: dict[type, Callable[[State, Event], None]] = {
    PartyRegistered: _party_registered,
    IdentifierRecorded: _identifier_recorded,
    ControlRecorded: _control_recorded,
    GroupFormed: _group_formed,
    SecurityClassCreated: _security_created,
    SharesIssued: _shares_issued,
    SharesTransferred: _shares_transferred,
    StockSplit: _stock_split,
    AuthorizedSharesSet: _authorized_set,
    ConversionApproved: _conversion_approved,
    PreferredConverted: _preferred_converted,
    WarrantIssued: _warrant_issued,
    WarrantBecameExercisable: _became_exercisable,
    CashExercise: _cash_exercise,
    CashlessExercise: _cashless_exercise,
    NoteIssued: _note_issued,
    SafeIssued: _safe_issued,
    ConvertibleConverted: _convertible_converted,
    ConvertibleCancelled: _convertible_cancelled,
    InstrumentTransferred: _instrument_transferred,
    WarrantCancelled: _warrant_cancelled,
    SharesCancelled: _shares_cancelled,
    ConversionRatioAdjusted: _ratio_adjusted,
    SharesReturnedToPool: _returned_to_pool,
    StockPlanCreated: _plan_created,
    StockPlanPoolAdjusted: _pool_adjusted,
    EquityCompensationIssued: _grant_issued,
    VestingConditionMet: _vesting_condition_met,
    VestingAccelerated: _vesting_accelerated,
    EquityCompensationExercised: _grant_exercised,
    EquityCompensationReleased: _grant_released,
    EquityCompensationCancelled: _grant_cancelled,
    ServiceEnded: _service_ended,
    SharesRepurchased: _shares_repurchased,
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
    HoldingReported: _holding_reported,
    DocumentFiled: _document_filed,
    FactStated: _fact_stated,
    EventRetracted: _correction,
    EventCorrected: _correction,
}
