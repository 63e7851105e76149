"""Beneficial ownership under SEC Rule 13d-3, for one class.

A person beneficially owns the shares it holds plus those it can acquire
within 60 days (warrant shares exercisable by then and not expired;
convertibles whose conditions were met on or before the as-of date), and
everything held by the entities it controls, at any depth (shared power).
A group counts as one person. Percent of class is
owned / (class outstanding + that person's own acquirable shares), the class
outstanding being the denominator rule's (projections/denominators.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from projections.class_terms import ClassTerms, class_terms, unknown_class
from projections.control import Control, control_of
from projections.denominators import Mode, denominator_of
from projections.dilution import BY_HOLDER, Exercisable, exercisable_within, note_claim, warrant_claims
from projections.open_figures import open_figure
from projections.voting import percent

if TYPE_CHECKING:
    from projections.state import State


@dataclass(slots=True)
class Direct:
    own: int = 0
    acquirable: int = 0
    at_most: bool = False
    bounded: int = 0  # of `acquirable`, what is known only as an upper bound (it may be none of it)
    open: bool = False  # a holding no source gives a number for: no upper bound either
    missing: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.own + self.acquirable

    @property
    def certain(self) -> int:
        return self.total - self.bounded


def direct_positions(security: str, terms: dict[str, ClassTerms],
                     shares: Iterable[tuple[str, str, int]], warrants: Iterable[Exercisable],
                     notes: Iterable[dict[str, Any]], control: Control) -> dict[str, Direct]:
    """What each holder holds of the class and can acquire of it within 60 days, from the
    classes' terms, the share holdings as (holder, class, quantity), what each live warrant can
    become of its class within the window, the notes' holdings rows and who controls whom."""
    positions: dict[str, Direct] = {}
    # One pass over the holdings, both the class's own shares and those that convert into it:
    # no Claim object per holding, and a Direct made only for a holder not seen yet (tens of
    # thousands of holdings at 10^6 events).
    # Per class converting into this one: whether it can now, and its ratio as two integers.
    into = {s: (t.convertible, t.ratio.numerator, t.ratio.denominator) for s, t in terms.items()
            if s != security and t.converts_to == security and t.ratio is not None}
    for holder, sec, quantity in shares:
        if sec == security:
            d = positions.get(holder)
            if d is None:
                d = positions[holder] = Direct()
            d.own += quantity
            continue
        conversion = into.get(sec)
        if conversion is None:
            continue
        d = positions.get(holder)
        if d is None:
            d = positions[holder] = Direct()
        convertible, n, m = conversion
        if convertible:
            d.acquirable += quantity * n // m
    bounds = []
    claims = warrant_claims(warrants, terms, security)
    claims += [c for c in map(note_claim, notes) if c is not None and c.target == security]
    for claim in claims:
        d = positions.get(claim.holder)
        if d is None:
            d = positions[claim.holder] = Direct()
        d.acquirable += claim.available
        if claim.at_most and claim.available > claim.available_at_least:
            d.at_most = True
            d.bounded += claim.available - claim.available_at_least
            bounds.append(claim)
    for claim in sorted(bounds, key=BY_HOLDER):  # each holder's notes in instrument order
        positions[claim.holder].missing.append(
            f"{claim.instrument}: its shares exercisable within 60 days are known only to lie between "
            f"{claim.available_at_least:,} and {claim.available:,}")
    for sec, t in terms.items():
        if sec == security or t.converts_to == security:
            for holder, description in t.undisclosed.items():
                d = positions.setdefault(holder, Direct())
                d.open = True
                d.missing.append(f"{holder}'s {sec} holding: {description}")
    for group, members in control.groups.items():
        held = positions.get(group)
        if held is not None and held.total:
            # The group holds an aggregate no document splits among its members.
            for m in members:
                d = positions.setdefault(m, Direct())
                d.open = True
                d.missing.append(f"the split of {group}'s aggregate {held.total:,} among its members")
    return positions


def _read_of(state: State, day: dt.date) -> tuple:
    """What ownership reads, from a folded state."""
    from projections.holdings import note_row  # noqa: PLC0415

    return (class_terms(state, day), [(h, s, q) for (h, s), q in state.shares.items()],
            [exercisable_within(w, day) for w in state.warrants.values() if not w.expired_on(day)],
            [note_row(n, state.note_prices.get(k)) for k, n in state.notes.items()], control_of(state))


def positions_of(state: State, security: str, day: dt.date) -> dict[str, Direct]:
    """direct_positions from a folded state."""
    return direct_positions(security, *_read_of(state, day))


def ownership_rows(state: State, security: str, day: dt.date, *, mode: Mode = "best") -> list[dict[str, Any]]:
    return ownership_from(security, day, *_read_of(state, day), mode)


def ownership_from(security: str, day: dt.date, terms: dict[str, ClassTerms], shares: Iterable[tuple[str, str, int]],
                   warrants: Iterable[Exercisable], notes: Iterable[dict[str, Any]], control: Control,
                   mode: Mode = "best") -> list[dict[str, Any]]:
    """Each person's rows 7 to 13 for the class (see direct_positions for what is read)."""
    shares = list(shares)
    positions = direct_positions(security, terms, shares, warrants, notes, control)
    derived = sum(q for _, s, q in shares if s == security)
    whole = denominator_of(terms.get(security) or unknown_class(security), derived, day, mode)
    outstanding = whole.shares
    persons: dict[str, tuple[set[str], set[str]]] = {}  # person -> (sole entities, shared entities)
    for holder in positions:
        persons.setdefault(holder, ({holder}, set()))
    for controller in control.children:
        held = {e for e in control.controlled_by(controller) if e in positions}
        if held:
            persons[controller] = ({controller} & positions.keys(), held)
    for group, members in control.groups.items():
        sole = ({group} | set(members)) & positions.keys()
        shared: set[str] = set()
        for m in members:
            shared |= {e for e in control.controlled_by(m) if e in positions}
        if sole or shared:
            persons[group] = (sole, shared - sole)

    denominator = whole.fields()  # the same for every row
    rows = []
    for person, (sole, shared) in sorted(persons.items()):
        if not shared and len(sole) == 1 and person in sole:
            # Most persons hold only directly: the same sums, without the set algebra.
            d = positions[person]
            sole_total, shared_total, acquirable = d.total, 0, d.acquirable
            entities: list[str] = [person]
        else:
            sole_total = sum(positions[e].total for e in sole)
            shared_total = sum(positions[e].total for e in shared)
            acquirable = sum(positions[e].acquirable for e in sole | shared)
            entities = sorted(sole | shared)
        owned = sole_total + shared_total
        missing: list[str] = []
        if any(positions[e].missing for e in entities):
            aggregate = f"split of {person}'s aggregate"  # a group holds its whole aggregate
            missing = list(dict.fromkeys(m for e in entities for m in positions[e].missing if aggregate not in m))
        if not owned and not missing:
            continue
        row: dict[str, Any] = {
            "party": person,
            "beneficially_owned": owned,
            "acquirable_within_60_days": acquirable,
            "percent": percent(owned, outstanding + acquirable) if outstanding is not None else None,
            "sole_voting": sole_total,
            "shared_voting": shared_total,
            "sole_dispositive": sole_total,
            "shared_dispositive": shared_total,
        }
        if person in control.groups:
            row["group"] = True
        if missing:
            row["complete"] = False
            row["missing"] = missing
            _open_figures(row, positions, entities, sole, shared, outstanding)
        row.update(denominator)
        if outstanding is None:
            row["complete"] = False
            row.setdefault("missing", []).append(whole.reason)
        rows.append(row)
    return rows


def _open_figures(row: dict[str, Any], positions: dict[str, Direct], entities: list[str],
                  sole: set[str], shared: set[str], outstanding: int | None) -> None:
    """A row whose sources leave something open: each figure null, with the bounds the ledger
    has (at least what is certain; at most, unless a holding has no number at all).

    The percent (h + a) / (O + a), h the outstanding shares held and a the acquirable ones,
    grows with both while h <= O: its least is at the least of each, its most at the most."""
    if len(entities) == 1 and not shared:
        sole = {entities[0]}

    def bounds(parts) -> tuple[int, int | None]:
        parts = [positions[e] for e in parts]
        return sum(d.certain for d in parts), None if any(d.open for d in parts) else sum(d.total for d in parts)

    acquirable = (sum(positions[e].acquirable - positions[e].bounded for e in entities),
                  None if any(positions[e].open for e in entities) else row["acquirable_within_60_days"])
    figures = {"beneficially_owned": bounds(entities), "acquirable_within_60_days": acquirable,
               "sole_voting": bounds(sole), "shared_voting": bounds(shared),
               "sole_dispositive": bounds(sole), "shared_dispositive": bounds(shared)}
    for key, (low, high) in figures.items():
        if low == high:
            continue  # known after all: what is open lies elsewhere
        row[key] = None
        row[f"{key}_at_least"] = low
        if high is not None:
            row[f"{key}_at_most"] = high
    if row["beneficially_owned"] is None:
        row["percent"] = None
        if outstanding is not None:
            owned_low, acquirable_low = figures["beneficially_owned"][0], acquirable[0]
            row["percent_at_least"] = percent_bound(owned_low, outstanding + acquirable_low, ROUND_FLOOR)
            owned_high, acquirable_high = figures["beneficially_owned"][1], acquirable[1]
            if owned_high is not None and acquirable_high is not None:
                row["percent_at_most"] = percent_bound(owned_high, outstanding + acquirable_high, ROUND_CEILING)


def percent_bound(part: int, whole: int, rounding: str) -> float | None:
    """A percent's bound, rounded away from the inside so that it still bounds."""
    if whole <= 0:
        return None
    return float((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.000001"), rounding=rounding))


COVER_ROWS = (
    ("7", "Sole Voting Power", "sole_voting"),
    ("8", "Shared Voting Power", "shared_voting"),
    ("9", "Sole Dispositive Power", "sole_dispositive"),
    ("10", "Shared Dispositive Power", "shared_dispositive"),
    ("11", "Aggregate Amount Beneficially Owned by Each Reporting Person", "beneficially_owned"),
    ("13", "Percent of Class Represented by Amount in Row (11)", "percent"),
)


def cover_page(row: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Rows 7 to 13 of a Schedule 13D cover page, as a filer would fill them in."""
    out = []
    for number, label, key in COVER_ROWS:
        value = row.get(key)
        if key == "percent":
            low, high = row.get("percent_at_least"), row.get("percent_at_most")
            bounds = ", ".join(b for b in (f"at least {low:.4f}%" if low is not None else "",
                                           f"at most {high:.4f}%" if high is not None else "") if b)
            text = f"{value:.1f}%" if value is not None else "not derivable" + (f" ({bounds})" if bounds else "")
        elif value is None:
            text = open_figure(row, key) or "not derivable"
        else:
            text = f"{value:,}" if value else "-0-"
        out.append((number, label, text))
    out.insert(5, ("12", "Check if the Aggregate Amount in Row (11) Excludes Certain Shares", "[ ]"))
    return out
