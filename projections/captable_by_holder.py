"""The cap table by holder: each party's shares outstanding and fully diluted, as common, and
its percent of each column's total; each stock plan's pool as a row of its own.

- `outstanding`: the shares of every class the party holds, a class that converts counted as
  the shares it converts into at its ratio on the date (rounded down per holding), whether or
  not a condition of its conversion still stands; a class that converts into nothing counts
  as itself; one converting at a ratio no source states leaves the figure open. A pool's
  row: 0.
- `fully_diluted`: `outstanding` plus the shares issuable under the options, RSUs, SARs and
  warrants the party holds, vested or not, through the conversion of their class where it
  converts. Notes (and SAFEs) count 0: what they convert into is not fixed before they
  convert. A pool's row: what is available for grant.
- A figure the sources leave open (a holding given no number, a warrant known only between
  bounds) is null with its bounds, and the column's percents are null with the reason: never
  a percent over a total known to be incomplete.

Plain data in (the classes' terms, the share positions, the instruments' and pools' holdings
rows), so that a fold and the validity intervals answer by this one function.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from projections.class_terms import ClassTerms
from projections.voting import percent


def _as_converted(terms: dict[str, ClassTerms], security: str, quantity: int) -> int | None:
    """Shares of a class as what they convert into; a class that converts into nothing counts
    as itself; None where it converts at a ratio no source states."""
    t = terms.get(security)
    if t is None or t.converts_to is None:
        return quantity
    if t.ratio is None:
        return None
    return quantity * t.ratio.numerator // t.ratio.denominator


class _Party:
    __slots__ = ("outstanding", "issuable", "issuable_at_least", "open")

    def __init__(self) -> None:
        self.outstanding = 0
        self.issuable = 0  # under instruments; an upper bound where one is open
        self.issuable_at_least = 0
        self.open: list[str] = []  # what the sources leave open of this party's figures


def by_holder_from(terms: dict[str, ClassTerms], positions: Iterable[tuple[str, str, int]],
                   instruments: Iterable[dict[str, Any]], pools: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    parties: dict[str, _Party] = {}
    unheld: dict[str, list[str]] = {}  # party -> holdings given no number
    for holder, security, quantity in positions:
        converted = _as_converted(terms, security, quantity)
        if converted is None:
            parties.setdefault(holder, _Party())
            unheld.setdefault(holder, []).append(f"{holder}'s {quantity:,} {security} convert into "
                                                 f"{terms[security].converts_to} at a ratio no source states")
            continue
        parties.setdefault(holder, _Party()).outstanding += converted
    for security, t in terms.items():
        for holder, said in t.undisclosed.items():
            unheld.setdefault(holder, []).append(f"{holder}'s {security} holding: {said}")
            parties.setdefault(holder, _Party())
    for row in instruments:
        if row["kind"] in ("note", "safe"):
            parties.setdefault(row["party"], _Party())
            continue
        p = parties.setdefault(row["party"], _Party())
        most = row["quantity"] if row["quantity"] is not None else row["quantity_at_most"]
        least = row["quantity"] if row["quantity"] is not None else row["quantity_at_least"]
        most_as, least_as = _as_converted(terms, row["underlying"], most), _as_converted(terms, row["underlying"], least)
        if most_as is None or least_as is None:
            unheld.setdefault(row["party"], []).append(f"{row['security']}: its {row['underlying']} convert at a "
                                                      "ratio no source states")
            continue
        p.issuable += most_as
        p.issuable_at_least += least_as
        if least != most:
            p.open.append(f"{row['security']}: its shares are known only to lie between {least:,} and {most:,}")
    rows: list[dict[str, Any]] = []
    for name in sorted(parties):
        p = parties[name]
        row: dict[str, Any] = {"party": name, "outstanding": p.outstanding,
                               "fully_diluted": p.outstanding + p.issuable}
        if name in unheld:
            row["outstanding"], row["outstanding_at_least"] = None, p.outstanding
            row["fully_diluted"], row["fully_diluted_at_least"] = None, p.outstanding + p.issuable_at_least
            row["missing"] = unheld[name] + p.open
        elif p.open:
            row["fully_diluted"] = None
            row["fully_diluted_at_least"] = p.outstanding + p.issuable_at_least
            row["fully_diluted_at_most"] = p.outstanding + p.issuable
            row["missing"] = p.open
        rows.append(row)
    for pool in pools:
        rows.append({"party": pool["party"], "outstanding": 0, "fully_diluted": pool["quantity"]})
    _percents(rows)
    return rows


def _percents(rows: list[dict[str, Any]]) -> None:
    for column in ("outstanding", "fully_diluted"):
        figures = [r[column] for r in rows]
        whole = None if any(f is None for f in figures) else sum(figures)
        reason = None
        if whole is None:
            open_ = [r["party"] for r in rows if r[column] is None]
            reason = f"the total is incomplete: {', '.join(open_)} {'has' if len(open_) == 1 else 'have'} no exact figure"
        elif whole == 0:
            reason = "the total is zero"
        for r in rows:
            value = r[column]
            r[f"percent_{column}"] = None if reason or value is None else percent(value, whole)
            if reason:
                r[f"percent_{column}_note"] = reason
