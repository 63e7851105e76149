"""Holdings: per party and security, shares, warrants, grants and notes on the as-of date, and
each stock plan's pool.

One row per position; each kind of row has its own function, so that a reader that keeps
rows per position (ledger.history.intervals) computes every row as this module does."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

from events import NoteIssued, SafeIssued
from projections.state import State
from projections.warrants import WarrantState, round_money


def share_row(key: tuple[str, str], quantity: int, undisclosed: str | None = None) -> dict[str, Any]:
    """A position; one a document says is held in an amount no source gives (`undisclosed`) has
    no quantity, only the shares it is known to have received as a lower bound."""
    if undisclosed is not None:
        return {"party": key[0], "security": key[1], "kind": "shares", "quantity": None,
                "quantity_at_least": quantity, "missing": undisclosed}
    return {"party": key[0], "security": key[1], "kind": "shares", "quantity": quantity}


def warrant_row(w: WarrantState, as_of: dt.date) -> dict[str, Any] | None:
    """The warrant's row on the date; None once nothing is left to hold."""
    if w.expired_on(as_of):
        # Nothing is left of it, whatever exercises of unstated size drew: the same answer
        # whether or not an event since has moved it among the retired (State.retire_expired).
        return None
    outstanding = w.outstanding(as_of)
    if outstanding <= 0 and w.outstanding_known:
        return None  # exercised in full or expired: nothing left to hold
    price = w.display_price()
    row: dict[str, Any] = {
        "party": w.holder,
        "security": w.warrant,
        "kind": w.kind,
        "underlying": w.security,
        "quantity": outstanding,
        "exercisable": w.exercisable(as_of),
        "exercise_price": str(price) if price is not None else None,
        "expires": w.expires.isoformat() if w.expires else None,
    }
    if not w.outstanding_known:
        # A cashless exercise with an unstated surrendered quantity: what is left lies
        # between what it cannot have touched and what it must have taken.
        row["quantity"] = None
        row["quantity_at_least"] = w.outstanding_at_least(as_of)
        row["quantity_at_most"] = outstanding
    if not w.exercisable_known(as_of):
        row["exercisable"] = None
        row["exercisable_at_least"] = w.exercisable_at_least(as_of)
        row["exercisable_at_most"] = w.exercisable(as_of)
    return _grant_row(w, row) if w.is_grant else row


def _grant_row(w: WarrantState, row: dict[str, Any]) -> dict[str, Any]:
    """A grant's row: `vested` is what has vested and is not yet exercised or released (with
    its bounds, where they are open); an RSU is released as it vests, never exercised."""
    out = dict(row)
    for key in ("exercisable", "exercisable_at_least", "exercisable_at_most"):
        if key in row:
            out[key.replace("exercisable", "vested")] = row[key]
    if w.kind == "rsu":
        out["exercisable"] = 0
        out.pop("exercisable_at_least", None)
        out.pop("exercisable_at_most", None)
    out["plan"] = w.plan
    return out


def note_row(n: NoteIssued | SafeIssued, price: Fraction | None = None) -> dict[str, Any]:
    """A note's or SAFE's row: what it converts into is not a number of shares until it converts
    (`quantity` null); a SAFE's `principal` is the amount invested. `price` is a note's
    conversion price after splits (State.note_prices): shown to the cent, as a warrant's is, with
    `conversion_price_exact` (a fraction) beside it where the cents are not the whole of it."""
    if isinstance(n, SafeIssued):
        row = {"party": n.holder, "security": n.safe, "kind": "safe", "quantity": None,
               "principal": str(n.investment), "underlying": n.converts_to, "conversion_price": None,
               "post_money": n.post_money}
    else:
        row = {
            "party": n.holder,
            "security": n.note,
            "kind": "note",
            "quantity": None,
            "principal": str(n.principal),
            "underlying": n.converts_to,
            "conversion_price": str(n.conversion_price) if n.conversion_price is not None else None,
        }
        if price is not None:
            shown = round_money(price)
            row["conversion_price"] = str(shown)
            if Fraction(shown) != price:
                row["conversion_price_exact"] = f"{price.numerator}/{price.denominator}"
    if n.valuation_cap is not None:
        row["valuation_cap"] = str(n.valuation_cap)
    if n.discount is not None:
        row["discount"] = str(n.discount)
    return row


def holdings_rows(state: State, as_of: dt.date, *, shares: bool = True, pools: bool = True) -> list[dict[str, Any]]:
    """Every row; without `shares`, no share rows; without `pools`, no pool rows."""
    # Sorting the (holder, class) keys, not the (key, quantity) items: the same order,
    # one tuple level fewer per comparison (2.7x faster over 64,000 positions).
    held = state.shares if shares else {}
    undisclosed = state.undisclosed
    rows: list[dict[str, Any]] = [share_row(key, held[key], undisclosed.get(key)) for key in sorted(held)]
    for w in sorted(state.warrants.values(), key=lambda w: (w.holder, w.warrant)):
        row = warrant_row(w, as_of)
        if row is not None:
            rows.append(row)
    prices = state.note_prices
    rows.extend(note_row(state.notes[k], prices.get(k))
                for k in sorted(state.notes, key=lambda k: (state.notes[k].holder, k)))
    if pools:
        rows.extend(pool_rows(state, as_of))
    return rows


def pool_rows(state: State, as_of: dt.date) -> list[dict[str, Any]]:
    """Each stock plan's pool, party `pool:<plan>`: what is available for grant on the date."""
    if not state.plans:
        return []
    grants = [w for w in state.warrants.values() if w.plan is not None]
    return [state.plans[p].row(grants, as_of) for p in sorted(state.plans)]
