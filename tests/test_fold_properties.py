"""Properties of the fold, over random histories."""

from __future__ import annotations

import datetime as dt
import math
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events import parse_event
from projections.fold import fold
from projections.holdings import holdings_rows
from projections.timeline import Recorded, resolve

SRC = {"document": "prop", "locator": "generated", "quote": ""}
START = dt.date(2020, 1, 1)
HOLDERS = ("h0", "h1", "h2")


def ev(event_type: str, day: int, **fields) -> object:
    return parse_event({"type": event_type, "issuer": "prop", "effective_date": (START + dt.timedelta(days=day)).isoformat(),
                        "source": SRC, **fields})


def genesis() -> list:
    out = [ev("PartyRegistered", 0, party=h, name=h.upper(), kind="individual") for h in HOLDERS]
    out.append(ev("SecurityClassCreated", 0, security="common", name="Common", kind="common"))
    out.append(ev("SecurityClassCreated", 0, security="pref", name="Pref", kind="preferred",
                  converts_to="common", conversion_ratio="3"))
    out.append(ev("WarrantIssued", 0, warrant="w", holder="h0", security="common", quantity=1000,
                  exercise_price="1.50", expires="2030-01-01"))
    return out


@st.composite
def histories(draw) -> tuple[list, dict[str, int]]:
    """A valid history: every transfer and exercise fits what is held on its date."""
    events = genesis()
    held = {h: 0 for h in HOLDERS}
    warrant_left = 1000
    price = Fraction(3, 2)  # $1.50, divided by every split
    for day in range(1, draw(st.integers(1, 25)) + 1):
        op = draw(st.sampled_from(["issue", "transfer", "cash", "cashless", "split", "pref"]))
        if op == "issue":
            h, q = draw(st.sampled_from(HOLDERS)), draw(st.integers(1, 10_000))
            events.append(ev("SharesIssued", day, security="common", holder=h, quantity=q))
            held[h] += q
        elif op == "transfer":
            donors = [h for h in HOLDERS if held[h] > 0]
            if not donors:
                continue
            a = draw(st.sampled_from(donors))
            b = draw(st.sampled_from([h for h in HOLDERS if h != a]))
            q = draw(st.integers(1, held[a]))
            events.append(ev("SharesTransferred", day, security="common", from_holder=a, to_holder=b, quantity=q))
            held[a] -= q
            held[b] += q
        elif op in ("cash", "cashless") and warrant_left > 0:
            q = draw(st.integers(1, warrant_left))
            if op == "cash":
                events.append(ev("CashExercise", day, warrant="w", quantity=q))
                held["h0"] += q
            else:
                events.append(ev("CashlessExercise", day, warrant="w", quantity=q, fair_market_value="6.00"))
                held["h0"] += math.floor(q * (6 - price) / 6)  # X = Y(A-B)/A, rounded down
            warrant_left -= q
        elif op == "split":
            n = draw(st.integers(2, 4))
            events.append(ev("StockSplit", day, security="common", numerator=n, denominator=1))
            held = {h: q * n for h, q in held.items()}
            warrant_left *= n
            price /= n
        elif op == "pref":
            h, q = draw(st.sampled_from(HOLDERS)), draw(st.integers(1, 500))
            events.append(ev("SharesIssued", day, security="pref", holder=h, quantity=q))
    return events, held


def snapshot(state, day):
    return holdings_rows(state, day)


FAR = dt.date(2029, 12, 31)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(histories(), st.data())
def test_replaying_in_chunks_equals_replaying_at_once(history, data):
    events, _ = history
    cuts = sorted(data.draw(st.lists(st.integers(0, len(events)), max_size=5)))
    state = None
    previous = 0
    for cut in [*cuts, len(events)]:
        state = fold(events[previous:cut], state=state)
        previous = cut
    assert snapshot(state, FAR) == snapshot(fold(events), FAR)


@settings(max_examples=150)
@given(histories())
def test_holdings_match_a_count_kept_beside_the_events(history):
    events, held = history
    state = fold(events)
    assert {h: state.held(h, "common") for h in HOLDERS} == held


def records(events):
    t = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
    return [Recorded(i, t + dt.timedelta(seconds=i), e, e.event_id) for i, e in enumerate(events, start=1)]


@settings(max_examples=100)
@given(histories(), st.data())
def test_a_correction_and_its_retraction_cancel(history, data):
    events, _ = history
    base = records(events)
    targets = [r for r in base if r.event.type == "SharesIssued"]
    if not targets:
        return
    target = data.draw(st.sampled_from(targets))
    fixed = ev("EventCorrected", 400, corrects=target.event_id, reason="typo",
               replacement={"security": target.event.security, "holder": target.event.holder,
                            "quantity": target.event.quantity + data.draw(st.integers(1, 99))})
    undo = ev("EventRetracted", 401, retracts=fixed.event_id, reason="typo was right")
    with_both = records([*events, fixed, undo])
    assert resolve(with_both) == resolve(base)
    assert resolve(records([*events, fixed])) != resolve(base)


@settings(max_examples=100)
@given(histories(), st.integers(2, 7))
def test_a_split_and_its_reverse_are_the_identity(history, n):
    events, _ = history
    day = 300
    forward = ev("StockSplit", day, security="common", numerator=n, denominator=1)
    reverse = ev("StockSplit", day + 1, security="common", numerator=1, denominator=n)
    before = fold(events)
    after = fold([*events, forward, reverse])
    assert snapshot(after, FAR) == snapshot(before, FAR)
    if "w" in before.warrants:
        assert after.warrants["w"].exercise_price == before.warrants["w"].exercise_price
    else:  # exercised in full: retired in both
        assert before.retired.reason("w") == after.retired.reason("w") is not None
    assert after.securities["pref"].conversion_ratio == before.securities["pref"].conversion_ratio


# --- warrant bounds against a hidden truth ----------------------------------------------------


@st.composite
def warrant_truths(draw) -> tuple[list, list[tuple[int, int, int]]]:
    """A warrant whose tranches open on dates the ledger may not know ("unstated"), exercised by
    cash (the surrendered count stated) or net (only the shares issued stated). Returns the
    events the ledger sees and, for each day, the truth: (day, shares left, shares exercisable)."""
    events = [ev("PartyRegistered", 0, party="h0", name="H0", kind="individual"),
              ev("SecurityClassCreated", 0, security="common", name="Common", kind="common")]
    tranches, opens = [], []  # the ledger's tranches; the day each truly opens (None: never)
    for i in range(draw(st.integers(1, 4))):
        q = draw(st.integers(1, 400))
        kind = draw(st.sampled_from(["dated", "condition", "unstated"]))
        if kind == "dated":
            day = draw(st.integers(0, 30))
            tranches.append({"quantity": q, "exercisable_from": (START + dt.timedelta(days=day)).isoformat()})
        else:
            day = draw(st.one_of(st.none(), st.integers(1, 30)))
            tranches.append({"quantity": q, "condition": f"c{i}" if kind == "condition" else "unstated"})
            # A condition's meeting is recorded; an unstated tranche's opening only sometimes.
            if day is not None and (kind == "condition" or draw(st.booleans())):
                events.append(ev("WarrantBecameExercisable", day, warrant="w", quantity=q, condition=tranches[-1]["condition"]))
        opens.append(day)
    events.insert(2, ev("WarrantIssued", 0, warrant="w", holder="h0", security="common",
                        quantity=sum(t["quantity"] for t in tranches), exercise_price="1.00", tranches=tranches))
    left = [t["quantity"] for t in tranches]
    drawn_by_day: list[tuple[int, int, list[int]]] = []  # (day, tranche, shares)
    for day in sorted(draw(st.lists(st.integers(1, 30), max_size=5))):
        open_now = [i for i, d in enumerate(opens) if d is not None and d <= day and left[i] > 0]
        room = sum(left[i] for i in open_now)
        if room < 2:
            continue
        y = draw(st.integers(2, room))
        order = draw(st.permutations(open_now))
        need = y
        for i in order:
            take = min(need, left[i])
            left[i] -= take
            drawn_by_day.append((day, i, take))
            need -= take
        if draw(st.booleans()):
            events.append(ev("CashExercise", day, warrant="w", quantity=y))
        else:
            events.append(ev("CashlessExercise", day, warrant="w", shares_issued=draw(st.integers(1, y - 1))))
    truth = []
    for day in range(0, 32):
        drawn = [sum(s for d, t, s in drawn_by_day if t == i and d <= day) for i in range(len(tranches))]
        remaining = sum(t["quantity"] for t in tranches) - sum(drawn)
        exercisable = sum(tranches[i]["quantity"] - drawn[i] for i, d in enumerate(opens) if d is not None and d <= day)
        truth.append((day, remaining, exercisable))
    events.sort(key=lambda e: e.effective_date)
    return events, truth


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(warrant_truths())
def test_warrant_bounds_hold_the_truth(case):
    """Whatever the sources leave unsaid (when an unstated tranche opened, what a net exercise
    surrendered), the shares left and exercisable lie within the bounds the ledger gives."""
    events, truth = case
    for day, remaining, exercisable in truth:
        on = START + dt.timedelta(days=day)
        row = next((r for r in holdings_rows(fold(events, on), on) if r["security"] == "w"), None)
        if row is None:
            assert remaining == 0
            continue
        low, high = ((row["quantity"], row["quantity"]) if row["quantity"] is not None
                     else (row["quantity_at_least"], row["quantity_at_most"]))
        assert low <= remaining <= high
        low, high = ((row["exercisable"], row["exercisable"]) if row["exercisable"] is not None
                     else (row["exercisable_at_least"], row["exercisable_at_most"]))
        assert low <= exercisable <= high
