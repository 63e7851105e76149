"""Corrections and retractions against a reference model of the rule in docs/design.md:

- a correction or retraction is in force unless a retraction in force names it;
- a correction acts on the event at the root of what it names, a retraction on what it names;
- an event is as the latest correction or retraction in force acting on it makes it
  (replaced or retracted), or as recorded when none is in force.

The reference below is the rule written as directly as it reads, by recursion over the whole
list, with nothing shared with projections/timeline.py; hypothesis draws histories of
issuances, corrections and retractions acting on anything earlier, retractions of
retractions included, and the ledger's timeline must give the same quantities.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

import pytest
import yaml
from freezegun import freeze_time
from hypothesis import given, settings
from hypothesis import strategies as st

from events import parse_event
from projections.timeline import Recorded, resolve, superseded

SRC = {"document": "d", "locator": "p", "quote": "q"}
RECORDED = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)

# An operation: ("issue", quantity) | ("correct", target index, quantity) | ("retract", target index)
Op = tuple


def the_rule(ops: list[Op]):
    """The rule's two notions, as they read: whether an act is in force, and what it acts on."""

    @cache
    def in_force(i: int) -> bool:
        return not any(op[0] == "retract" and op[1] == i and in_force(j) for j, op in enumerate(ops) if j > i)

    @cache
    def root(i: int) -> int:
        return i if ops[i][0] == "issue" else root(ops[i][1])

    def acts_on(j: int) -> int:
        return root(ops[j][1]) if ops[j][0] == "correct" else ops[j][1]

    return in_force, acts_on


def reference(ops: list[Op]) -> dict[int, int | None]:
    """Each issuance's quantity as the rule makes it (None: retracted)."""
    ops = list(ops)
    in_force, acts_on = the_rule(ops)
    out: dict[int, int | None] = {}
    for b, op in enumerate(ops):
        if op[0] != "issue":
            continue
        acts = [j for j in range(len(ops)) if ops[j][0] != "issue" and in_force(j) and acts_on(j) == b]
        if not acts:
            out[b] = op[1]
        else:
            last = ops[max(acts)]
            out[b] = None if last[0] == "retract" else last[2]
    return out


def as_records(ops: list[Op]) -> list[Recorded]:
    records = []
    for i, op in enumerate(ops):
        # Each event quotes its own line: two identical events would be one (ids come from content).
        data: dict = {"issuer": "acme", "effective_date": "2021-01-01", "ref": f"e{i}",
                      "source": {**SRC, "locator": f"line {i}"}}
        if op[0] == "issue":
            data |= {"type": "SharesIssued", "security": "common", "holder": "bob", "quantity": op[1]}
        elif op[0] == "correct":
            data |= {"type": "EventCorrected", "corrects": f"e{op[1]}", "reason": "r",
                     "replacement": {"security": "common", "holder": "bob", "quantity": op[2]}}
        else:
            data |= {"type": "EventRetracted", "retracts": f"e{op[1]}", "reason": "r"}
        event = parse_event(data)
        records.append(Recorded(i + 1, RECORDED, event, event.event_id))
    return records


@st.composite
def histories(draw) -> list[Op]:
    ops: list[Op] = [("issue", draw(st.integers(1, 999)))]
    for i in range(1, draw(st.integers(1, 14))):
        kind = draw(st.sampled_from(["issue", "correct", "correct", "retract", "retract", "retract"]))
        if kind == "issue":
            ops.append(("issue", draw(st.integers(1, 999))))
        elif kind == "correct":
            ops.append(("correct", draw(st.integers(0, i - 1)), draw(st.integers(1, 999))))
        else:
            ops.append(("retract", draw(st.integers(0, i - 1))))
    return ops


def ledger_quantities(ops: list[Op]) -> dict[int, int | None]:
    history = resolve(as_records(ops))
    by_ref = {e.ref: e.quantity for e in history}
    return {i: by_ref.get(f"e{i}") for i, op in enumerate(ops) if op[0] == "issue"}


@settings(max_examples=400, deadline=None)
@given(histories())
def test_the_timeline_follows_the_reference_model(ops):
    assert ledger_quantities(ops) == reference(ops)


def reference_superseded(ops: list[Op]) -> dict[int, int]:
    """Each issuance or act the rule overrides -> the index of the act that does: for an issuance,
    the latest act in force on it; for an act, the latest retraction in force naming it, or else
    the latest act in force deciding the same issuance in its place."""
    in_force, acts_on = the_rule(ops)
    acts = [j for j in range(len(ops)) if ops[j][0] != "issue" and in_force(j)]
    out: dict[int, int] = {}
    for i, op in enumerate(ops):
        retractions = [j for j in acts if ops[j][0] == "retract" and ops[j][1] == i]
        if op[0] != "issue" and retractions:
            out[i] = max(retractions)
            continue
        target = i if op[0] == "issue" else acts_on(i)
        if ops[target][0] != "issue":
            continue  # a retraction of an act decides that act only
        deciders = [j for j in acts if acts_on(j) == target]
        if deciders and max(deciders) != i:
            out[i] = max(deciders)
    return out


@settings(max_examples=300, deadline=None)
@given(histories())
def test_superseded_follows_the_reference_model(ops):
    """What the HTML journal strikes through, and the act it links to."""
    records = as_records(ops)
    got = {r.sequence - 1: act.sequence - 1 for r in records
           if (act := superseded(records).get(r.event_id)) is not None}
    assert got == reference_superseded(ops)


@pytest.mark.parametrize("ops,expected", [
    # Issue 77; retract it twice (A, B); retract A: B still stands, so nothing is held.
    ([("issue", 77), ("retract", 0), ("retract", 0), ("retract", 1)], None),
    # Issue 100; correct to 200 (A), then to 300 (B); retract A: B still stands.
    ([("issue", 100), ("correct", 0, 200), ("correct", 0, 300), ("retract", 1)], 300),
    # ...retract B instead: A stands again, not the original.
    ([("issue", 100), ("correct", 0, 200), ("correct", 0, 300), ("retract", 2)], 200),
    # ...retract both: the original.
    ([("issue", 100), ("correct", 0, 200), ("correct", 0, 300), ("retract", 2), ("retract", 1)], 100),
    # Retract the issuance, then retract that retraction: restored; retract that again: gone.
    ([("issue", 5), ("retract", 0), ("retract", 1)], 5),
    ([("issue", 5), ("retract", 0), ("retract", 1), ("retract", 2)], None),
    # A correction of a correction corrects the original; retracting it brings back the first.
    ([("issue", 10), ("correct", 0, 20), ("correct", 1, 30)], 30),
    ([("issue", 10), ("correct", 0, 20), ("correct", 1, 30), ("retract", 2)], 20),
    # A correction after a retraction stands (it is the latest act on the issuance).
    ([("issue", 10), ("retract", 0), ("correct", 0, 40)], 40),
])
def test_worked_cases(ops, expected):
    assert reference(ops)[0] == expected  # the reference says what the rule says...
    assert ledger_quantities(ops)[0] == expected  # ...and so does the ledger


# --- the same through the CLI, on both engines, with verify --------------------------------------


def event_file(tmp_path, name: str, events: list[dict]):
    path = tmp_path / name
    path.write_text(yaml.safe_dump({"document": {"id": name.removesuffix(".yaml"), "issuer": "acme"},
                                    "events": events}, sort_keys=False), encoding="utf-8")
    return path


FORMATION = [
    {"type": "PartyRegistered", "effective_date": "2021-01-01", "party": "acme", "name": "Acme", "kind": "corporation",
     "source": {"locator": "p", "quote": "q"}},
    {"type": "PartyRegistered", "effective_date": "2021-01-01", "party": "bob", "name": "Bob", "kind": "individual",
     "source": {"locator": "p", "quote": "q"}},
    {"type": "SecurityClassCreated", "effective_date": "2021-01-01", "security": "common", "name": "Common",
     "kind": "common", "source": {"locator": "p", "quote": "q"}},
]


def act(kind: str, ref: str, target: str, quantity: int | None = None) -> dict:
    base = {"effective_date": "2021-06-01", "ref": ref, "reason": "erratum", "source": {"locator": ref, "quote": ref}}
    if kind == "retract":
        return {"type": "EventRetracted", "retracts": target, **base}
    return {"type": "EventCorrected", "corrects": target, **base,
            "replacement": {"security": "common", "holder": "bob", "quantity": quantity}}


def bob_holds(ledger) -> int:
    rows = ledger.rows("holdings", "--as-of", "2021-12-31")
    return sum(r["quantity"] for r in rows if r["party"] == "bob" and r["security"] == "common")


@pytest.mark.parametrize("case", ["retract-one-of-two-retractions", "retract-the-earlier-correction"])
def test_through_the_cli(ledger, tmp_path, case):
    issuance = {"type": "SharesIssued", "effective_date": "2021-02-01", "security": "common", "holder": "bob",
                "ref": "issue", "source": {"locator": "p", "quote": "q"}}
    if case == "retract-one-of-two-retractions":
        first = [*FORMATION, {**issuance, "quantity": 77}]
        steps = [[act("retract", "a", "issue")], [act("retract", "b", "issue")], [act("retract", "undo-a", "a")]]
        expected = 0  # B still retracts the issuance
    else:
        first = [*FORMATION, {**issuance, "quantity": 100}]
        steps = [[act("correct", "a", "issue", 200)], [act("correct", "b", "issue", 300)], [act("retract", "undo-a", "a")]]
        expected = 300  # B still corrects it
    with freeze_time("2024-01-01T00:00:00Z"):
        assert ledger("import", event_file(tmp_path, "f0.yaml", first)).code == 0
    for n, events in enumerate(steps, 1):
        with freeze_time(f"2024-01-0{n + 1}T00:00:00Z"):
            r = ledger("import", event_file(tmp_path, f"f{n}.yaml", events))
            assert r.code == 0, r.err
    assert bob_holds(ledger) == expected
    r = ledger("verify")
    assert r.code == 0, r.err
