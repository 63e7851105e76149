"""Reconciliation: reported figures against derived ones, and documents against each other.

Each row: `kind`, `subject`, `reported`, `derived`, `sources`, `explanation`
and `status`, one of `ok`, `mismatch`, `inconsistent`, `conflict` or
`not derivable`. Anything but `ok` is a finding.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

from events import (
    BeneficialOwnershipReported,
    CashlessExercise,
    ControlRecorded,
    Event,
    FactStated,
    HoldingReported,
    PartyRegistered,
    SharesOutstandingReported,
    StockSplit,
    WarrantIssued,
)
from projections.fold import apply, fold
from projections.ownership import ownership_rows
from projections.rounding import round_quantity
from projections.control import control_of
from projections.state import State
from projections.warrants import round_money

# "unstated": the figures agree only through a relation no source states.
FINDING = ("mismatch", "inconsistent", "conflict", "not derivable", "unstated")


def src(e: Event) -> str:
    return f"{e.source.document}, {e.source.locator}"


def row(kind: str, subject: str, status: str, reported: Any, derived: Any, sources: Sequence[str],
        explanation: str) -> dict[str, Any]:
    return {"kind": kind, "subject": subject, "status": status, "reported": reported, "derived": derived,
            "sources": list(dict.fromkeys(sources)), "explanation": explanation}


def reconcile(history: Sequence[Event]) -> list[dict[str, Any]]:
    """All checks over a resolved history (valid-time order); RuleViolation where it does not fold."""
    final = fold(history)
    reports = [e for e in history if isinstance(e, BeneficialOwnershipReported)]
    outstanding = [e for e in history if isinstance(e, SharesOutstandingReported)]
    rows: list[dict[str, Any]] = []
    rows += _reported_vs_derived(history, reports, outstanding)
    rows += _outstanding(history, outstanding)
    rows += _power_rows(reports)
    intervals = {}
    for r in reports:
        check, interval = _percent(r, _denominator(r, outstanding))
        rows.append(check)
        intervals[id(r)] = interval
        if interval is not None:
            rows += _held_against_percent(history, r, interval, _denominator(r, outstanding))
    rows += _reporting_types(final, reports)
    rows += _control_sums(final, reports, intervals)
    rows += _power_conflicts(final, reports)
    rows += _control_conflicts(final)
    rows += _names(history, reports)
    rows += _statements(final, history)
    rows += _aggregate_rounding(history)
    rows += _holdings_reported(history)
    return rows


def _holdings_reported(history: Sequence[Event]) -> list[dict[str, Any]]:
    """Each "amount owned following" against the position the events before it derive, at its
    own place in the history: several transactions of one day are checked one by one."""
    if not any(isinstance(e, HoldingReported) for e in history):
        return []
    rows = []
    state = State()
    last: dict[tuple[str, str], Event] = {}  # the event each position was last changed by
    for e in history:
        if not isinstance(e, HoldingReported):
            apply(state, e)
            for key in _positions(e):
                last[key] = e
            continue
        grant = state.warrants.get(e.security)
        derived = grant.outstanding(e.effective_date) if grant is not None else state.held(e.holder, e.security)
        before = last.get((e.holder, e.security))
        sources = [src(e)] + ([src(before)] if before is not None else [])
        what = "outstanding under the grant" if grant is not None else "held"
        rows.append(row("holding", f"{e.holder} {e.security} on {e.effective_date}",
                        "ok" if derived == e.quantity else "mismatch", e.quantity, derived, sources,
                        f"{e.quantity:,} reported owned following; the events before it leave {derived:,} {what}"))
    return rows


def _positions(e: Event) -> list[tuple[str, str]]:
    security = getattr(e, "security", None) or getattr(e, "grant", None)
    holders = [getattr(e, name) for name in ("holder", "from_holder", "to_holder") if getattr(e, name, None)]
    keys = [(h, security) for h in holders if security]
    grant = getattr(e, "grant", None)
    return keys + ([("*", grant)] if grant else [])


def _aggregate_rounding(history) -> list[dict[str, Any]]:
    """Cashless exercises of several warrants on one day, at one fair market value and one
    exercise price: the formula applied to their aggregate against the sum of each warrant's
    own result. Where the two differ, which one the filing's figure is says how it rounded."""
    issued = {e.warrant: e for e in history if isinstance(e, WarrantIssued)}
    split_on = {(e.security, e.effective_date) for e in history if isinstance(e, StockSplit)}
    groups: dict[tuple, list[tuple[CashlessExercise, int, int]]] = defaultdict(list)
    for e in history:
        w = issued.get(e.warrant) if isinstance(e, CashlessExercise) else None
        if w is None or e.quantity is None or e.fair_market_value is None or w.exercise_price is None:
            continue
        if any(s == w.security and w.effective_date < day <= e.effective_date for s, day in split_on):
            continue  # the price changed since issuance: not the same terms
        a, b = Fraction(e.fair_market_value), Fraction(w.exercise_price)
        x = e.shares_issued if e.shares_issued is not None else round_quantity(e.quantity * (a - b) / a, w.rounding)
        groups[(e.effective_date, a, b, w.security, w.rounding)].append((e, e.quantity, x))
    rows = []
    for (day, a, b, security, rounding), items in groups.items():
        if len(items) < 2:
            continue
        surrendered = sum(y for _, y, _ in items)
        each = sum(x for _, _, x in items)
        whole = round_quantity(surrendered * (a - b) / a, rounding)
        if whole == each:
            continue
        rows.append(row("rounding", f"cashless exercises of {security} warrants on {day}", "ok", each, whole,
                        [src(e) for e, _, _ in items],
                        f"X = Y(A-B)/A on the aggregate Y = {surrendered:,} at A = ${round_money(a)}, "
                        f"B = ${round_money(b)} gives {whole:,}; the {each:,} recorded is the sum of "
                        f"{len(items)} warrants each rounded {rounding} on its own, so the shares were "
                        "computed certificate by certificate"))
    return rows


# --- reported against derived ----------------------------------------------


def _denominator(r: BeneficialOwnershipReported, outstanding: list[SharesOutstandingReported]):
    """The outstanding count a filing divides by: its own if it states one, else the latest before."""
    same = [o for o in outstanding if o.security == r.security and o.source.document == r.source.document]
    if same:
        return same[-1]
    before = [o for o in outstanding if o.security == r.security and o.effective_date <= r.effective_date]
    return before[-1] if before else None


def _reported_vs_derived(history, reports, outstanding) -> list[dict[str, Any]]:
    rows = []
    states: dict[dt.date, State] = {}
    for r in reports:
        day = r.effective_date
        if day not in states:
            states[day] = fold(history, day)
        state = states[day]
        denominator = _denominator(r, outstanding)
        derived_rows = {d["party"]: d for d in ownership_rows(state, r.security, day)}
        d = derived_rows.get(r.party)
        sources = [src(r)] + ([src(denominator)] if denominator else [])
        if d is None:
            rows.append(row("beneficial_ownership", r.party, "not derivable", r.beneficially_owned, None, sources,
                            "not derivable: missing every position of this person in the sources"))
            continue
        if d.get("complete") is False:
            rows.append(row("beneficial_ownership", r.party, "not derivable", r.beneficially_owned,
                            d["beneficially_owned"], sources,
                            "not derivable: missing " + "; ".join(d.get("missing", []))))
            continue
        status = "ok" if d["beneficially_owned"] == r.beneficially_owned else "mismatch"
        rows.append(row("beneficial_ownership", r.party, status, r.beneficially_owned, d["beneficially_owned"],
                        sources, f"row 11 as reported against the ledger's Rule 13d-3 figure on {day}"))
    return rows


def _outstanding(history, outstanding) -> list[dict[str, Any]]:
    rows = []
    for o in outstanding:
        state = fold(history, o.effective_date)
        derived = state.outstanding(o.security)
        if derived == o.quantity:
            rows.append(row("outstanding", o.security, "ok", o.quantity, derived, [src(o)],
                            f"{o.security} outstanding on {o.effective_date}"))
        elif derived < o.quantity:
            rows.append(row("outstanding", o.security, "not derivable", o.quantity, derived, [src(o)],
                            f"not derivable: missing the holders of {o.quantity - derived:,} of the "
                            f"{o.quantity:,} {o.security} shares reported outstanding on {o.effective_date}; "
                            f"the sources record holders of {derived:,}"))
        else:
            rows.append(row("outstanding", o.security, "mismatch", o.quantity, derived, [src(o)],
                            f"the ledger records {derived - o.quantity:,} more {o.security} shares than reported"))
    return rows


# --- arithmetic within a filing ----------------------------------------------


def _power_rows(reports) -> list[dict[str, Any]]:
    rows = []
    for r in reports:
        for label, a, b in (("voting", r.sole_voting, r.shared_voting),
                            ("dispositive", r.sole_dispositive, r.shared_dispositive)):
            if a is None and b is None:
                continue
            total = (a or 0) + (b or 0)
            status = "ok" if total == r.beneficially_owned else "inconsistent"
            rows.append(row("rows_add_up", r.party, status, r.beneficially_owned, total, [src(r)],
                            f"sole + shared {label} power ({a or 0:,} + {b or 0:,}) against row 11"))
    return rows


def _decimals(p: Decimal) -> int:
    return max(0, -p.as_tuple().exponent)


def acquirable_interval(owned: int, pct: Decimal, outstanding: int) -> tuple[int, int] | None:
    """Whole numbers a in [0, owned] with round(100*owned/(outstanding+a), d) == pct (half up)."""
    half = Fraction(1, 2 * 10 ** _decimals(pct))
    p = Fraction(pct)
    lo_p, hi_p = p - half, p + half
    if owned == 0:
        return (0, 0) if p == 0 else None
    # lo_p <= 100*N/(O+a) < hi_p  <=>  100N/hi_p - O < a <= 100N/lo_p - O
    low = math.floor(100 * owned / hi_p - outstanding) + 1
    high = math.floor(100 * owned / lo_p - outstanding) if lo_p > 0 else owned
    low, high = max(low, 0), min(high, owned)
    return (low, high) if low <= high else None


def _percent(r: BeneficialOwnershipReported, denominator) -> tuple[dict[str, Any], tuple[int, int] | None]:
    if denominator is None:
        return row("percent", r.party, "not derivable", str(r.percent), None, [src(r)],
                   "not derivable: missing the class's outstanding count"), None
    o = denominator.quantity
    interval = acquirable_interval(r.beneficially_owned, r.percent, o)
    sources = [src(r), src(denominator)]
    plain = float(round(Decimal(r.beneficially_owned) * 100 / Decimal(o), 4)) if o else None
    if interval is None:
        return row("percent", r.party, "inconsistent", str(r.percent), plain, sources,
                   f"{r.beneficially_owned:,} of {o:,} outstanding is {plain}%; adding any acquirable count "
                   f"between 0 and {r.beneficially_owned:,} to the denominator (Rule 13d-3) only lowers it, "
                   f"so no holding gives {r.percent}%"), None
    lo, hi = interval
    return row("percent", r.party, "ok", str(r.percent), f"acquirable {lo:,}..{hi:,}", sources,
               f"{r.percent}% of {o:,} outstanding holds when the person's acquirable shares are between "
               f"{lo:,} and {hi:,} (so {r.beneficially_owned - hi:,} to {r.beneficially_owned - lo:,} "
               "outstanding shares held)"), interval


def _held_against_percent(history, r, interval, denominator) -> list[dict[str, Any]]:
    """The outstanding shares a percent implies, against those the sources record for the person."""
    state = fold(history, r.effective_date)
    entities = {r.party, *state.groups.get(r.party, ())}
    held = sum(q for (h, sec), q in state.shares.items() if sec == r.security and h in entities)
    if not held:
        return []
    lo, hi = interval
    least, most = r.beneficially_owned - hi, r.beneficially_owned - lo
    sources = [src(r), src(denominator)]
    if least <= held <= most:
        return [row("percent_vs_held", r.party, "ok", f"{least:,}..{most:,}", held, sources,
                    f"the {held:,} {r.security} shares recorded as held fit the percent")]
    exact = Decimal(r.beneficially_owned) * 100 / Decimal(denominator.quantity + r.beneficially_owned - held)
    return [row("percent_vs_held", r.party, "inconsistent", f"{least:,}..{most:,}", held, sources,
                f"{r.percent}% implies {least:,} to {most:,} outstanding {r.security} shares held, but the sources "
                f"record {held:,}; with exactly that many the percent is {round(exact, 4)}%")]


REPORTING_TYPES = {"CO": {"corporation"}, "PN": {"partnership"}, "IN": {"individual"}, "OO": {"llc", "other"}}


def _reporting_types(state: State, reports) -> list[dict[str, Any]]:
    rows = []
    for r in reports:
        party = state.parties.get(r.party)
        code = (r.reporting_type or "").strip().upper()
        if party is None or code not in REPORTING_TYPES or party.kind in REPORTING_TYPES[code]:
            continue
        rows.append(row("reporting_type", r.party, "conflict", code, party.kind, [src(r), src(party)],
                        f"row 14 gives {code} for {party.name}, a {party.kind}"))
    return rows


def _by_document(reports) -> dict[str, dict[str, BeneficialOwnershipReported]]:
    out: dict[str, dict[str, BeneficialOwnershipReported]] = defaultdict(dict)
    for r in reports:
        out[r.source.document][r.party] = r
    return out


def _control_sums(state: State, reports, intervals) -> list[dict[str, Any]]:
    control = control_of(state)
    rows = []
    for doc, by_party in _by_document(reports).items():
        for person, r in by_party.items():
            if person in state.groups:
                parts = {m for m in state.groups[person]} & set(by_party)
                relation = "members"
            else:
                parts = control.controlled_by(person) & set(by_party)
                relation = "controlled persons"
            # Count only those whose figure no other counted one already includes.
            leaves = {p for p in parts if not (control.controlled_by(p) & parts)}
            if not leaves:
                continue
            total = sum(by_party[p].beneficially_owned for p in leaves)
            sources = [src(r)] + [src(by_party[p]) for p in sorted(leaves)]
            names = ", ".join(sorted(leaves))
            if total == r.beneficially_owned:
                rows.append(row("chain_sum", person, "ok", r.beneficially_owned, total, sources,
                                f"equals the sum of its {relation} reporting in {doc}: {names}"))
            else:
                gap = r.beneficially_owned - total
                others = sorted(p for p, x in by_party.items() if x.beneficially_owned == gap and p not in parts
                                and p != person)
                explanation = (f"the sum of its {relation} reporting in {doc} ({names}) is {total:,}, "
                               f"{abs(gap):,} {'short of' if gap > 0 else 'over'} its own figure")
                if others:
                    # The figures add up if the person also owns what another reports: a relation
                    # (control, membership) that no source states. Said as such, not as arithmetic gone wrong.
                    rows.append(row("chain_sum", person, "unstated", r.beneficially_owned, total,
                                    sources + [src(by_party[p]) for p in others],
                                    f"{explanation}; the difference is exactly the figure of {', '.join(others)}, "
                                    f"which no recorded relation puts under {person}: the figures agree only "
                                    "through a relation the sources do not state"))
                else:
                    rows.append(row("chain_sum", person, "inconsistent", r.beneficially_owned, total, sources,
                                    explanation))
            iv = intervals.get(id(r))
            part_ivs = [intervals.get(id(by_party[p])) or (0, by_party[p].beneficially_owned) for p in leaves]
            if iv is not None and all(p is not None for p in part_ivs):
                lo = sum(p[0] for p in part_ivs)
                hi = sum(p[1] for p in part_ivs)
                ok = lo <= iv[1] and iv[0] <= hi
                rows.append(row("acquirable_consistency", person, "ok" if ok else "inconsistent",
                                f"{iv[0]:,}..{iv[1]:,}", f"{lo:,}..{hi:,}", sources,
                                f"the acquirable shares its percent implies {'meet' if ok else 'miss'} the sum "
                                f"of those its {relation}' percents imply"))
    return rows


def _power_conflicts(state: State, reports) -> list[dict[str, Any]]:
    control = control_of(state)
    rows = []
    for doc, by_party in _by_document(reports).items():
        for person, r in by_party.items():
            if not r.shared_voting and not r.shared_dispositive:
                continue
            for p in sorted(control.controlled_by(person) & set(by_party)):
                x = by_party[p]
                if (x.sole_voting or x.sole_dispositive) and not control.controlled_by(p) & set(by_party):
                    rows.append(row("power", p, "conflict", f"sole {x.sole_voting or x.sole_dispositive:,}",
                                    f"shared via {person}", [src(x), src(r)],
                                    f"{p} reports sole power over shares that {person}, which controls it, "
                                    "reports as shared"))
    return rows


def _control_conflicts(state: State) -> list[dict[str, Any]]:
    rows = []
    by_controlled: dict[str, list[ControlRecorded]] = defaultdict(list)
    for e in state.control_records:
        by_controlled[e.controlled].append(e)
    for controlled, records in by_controlled.items():
        # A general partner and a managing member both manage: one manager is expected.
        managers = [e for e in records if e.relation in ("general_partner", "managing_member")]
        if len({e.controller for e in managers}) > 1:
            rows.append(row("control", controlled, "conflict", None, None, [src(e) for e in managers],
                            f"the manager of {controlled} is named differently: "
                            + "; ".join(f"{e.controller} as {e.relation.replace('_', ' ')} ({e.source.document})"
                                        for e in managers)))
    return rows


_PUNCT = re.compile(r"[^a-z0-9 ]+")


def normal_name(name: str) -> str:
    text = _PUNCT.sub("", name.casefold().replace("l.l.c.", "llc").replace("l.p.", "lp"))
    return " ".join(text.split())


def _where_named(history, party: str, alias: str) -> list[str]:
    """The places whose quoted words print `alias`: a statement of the name (FactStated, field
    "name"), or any event quoting it word for word (white space runs as one space)."""
    printed = " ".join(alias.split())
    stated = [src(e) for e in history if isinstance(e, FactStated) and e.subject == party
              and e.field == "name" and str(e.value) == alias]
    quoted = [src(e) for e in history if e.source.quote and printed in " ".join(e.source.quote.split())]
    return list(dict.fromkeys(stated + quoted))


def _names(history, reports) -> list[dict[str, Any]]:
    rows = []
    parties = {e.party: e for e in history if isinstance(e, PartyRegistered)}
    for e in parties.values():
        quoted = {q.casefold() for q in re.findall(r'"([^"]+)"', e.source.quote)}
        for alias in e.aliases:
            if alias.casefold() in quoted or normal_name(alias) == normal_name(e.name):
                continue  # a defined short name, or the same name typeset differently
            # Each side cites where its words are printed: the variant first, then the name.
            where = _where_named(history, e.party, alias)
            explanation = f"a document names {e.party} '{alias}', not '{e.name}'"
            if not where:
                explanation += " (no recorded quote prints the variant: the name's source is cited alone)"
            rows.append(row("name", e.party, "conflict", alias, e.name, [*where, src(e)], explanation))
    for r in reports:
        p = parties.get(r.party)
        if r.name_as_reported and p and normal_name(r.name_as_reported) != normal_name(p.name) \
                and r.name_as_reported not in p.aliases:
            rows.append(row("name", r.party, "conflict", r.name_as_reported, p.name, [src(r), src(p)],
                            f"the cover page names {r.party} '{r.name_as_reported}'"))
    return rows


def _statements(state: State, history) -> list[dict[str, Any]]:
    rows = []
    grouped: dict[tuple[str, str], list[FactStated]] = defaultdict(list)
    for e in state.statements:
        grouped[(e.subject, e.field)].append(e)
    for (subject, field), stated in grouped.items():
        if field == "misprint":
            # A document's words misprinted (recorded as printed, with what they stand for).
            rows += [row("misprint", subject, "conflict", s.value, None, [src(s)], s.note or "misprinted")
                     for s in stated]
            continue
        if field == "signatory_title":
            rows += _signatory_titles(state, history, subject, stated)
        values = {str(s.value) for s in stated}
        if len(values) > 1:
            rows.append(row("statement", subject, "conflict", " vs ".join(sorted(values)), None,
                            [src(s) for s in stated], f"documents give {field} of {subject} differently"))
        for s in stated:
            actual = _actual(state, subject, field)
            if actual is None:
                continue
            status = "ok" if str(actual) == str(s.value) else "conflict"
            # Each side cites where its words are: the statement, then the record it is checked against.
            record = _issuance(history, subject) if field == "holder" else None
            rows.append(row("statement", subject, status, s.value, actual,
                            [src(s)] + ([src(record)] if record is not None else []),
                            (s.note or f"{field} of {subject} as stated against the ledger's record")))
            if status == "conflict" and record is not None:
                rows += _proportions(history, record, str(s.value), s)
    return rows


# Titles that name a manager only some kinds of entity have.
MANAGER_TITLES = {"managing member": ("llc", "managing_member"), "general partner": ("partnership", "general_partner")}


def _signatory_titles(state: State, history, subject: str, stated: list[FactStated]) -> list[dict[str, Any]]:
    """A signatory's title is the capacity in which they sign, not a control relation; one that
    names a manager the entity's kind cannot have (a limited partnership has no managing member)
    is a finding, beside the manager the ledger records."""
    party = state.parties.get(subject)
    if party is None:
        return []
    rows = []
    for s in stated:
        kind = MANAGER_TITLES.get(str(s.value).casefold())
        if kind is None or kind[0] == party.kind:
            continue
        managers = [e for e in state.control_records if e.controlled == subject
                    and e.relation in ("general_partner", "managing_member")]
        recorded = "; ".join(f"{e.controller} as {e.relation.replace('_', ' ')} ({e.source.document})"
                             for e in managers) or "none"
        rows.append(row("signature", subject, "conflict", s.value, party.kind,
                        [src(s), src(party), *(src(e) for e in managers)],
                        f"{s.note or 'a signatory'}: a {party.kind} has no {s.value.casefold()}; "
                        f"the manager the ledger records: {recorded}"))
    return rows


def _issuance(history, warrant: str) -> WarrantIssued | None:
    return next((e for e in history if isinstance(e, WarrantIssued) and e.warrant == warrant), None)


# Certificates cut from one deal in proportion to each holder's stake differ by rounding
# (and by the other securities a cover page's row 11 counts): within 1% of each other.
PROPORTIONAL = Fraction(1, 100)


def _proportions(history, disputed: WarrantIssued, stated_holder: str, statement: FactStated) -> list[dict[str, Any]]:
    """Which holder the sizes point to, when a document names another holder for a certificate.

    The certificates issued with the disputed one (same class, same day) are summed per holder
    and set against each holder's latest reported beneficial ownership (row 11) on or before
    that day, once with the certificate's holder, once with the stated one. If one attribution
    gives every holder the same proportion and the other does not, the sizes point to it."""
    siblings = [e for e in history if isinstance(e, WarrantIssued) and e.security == disputed.security
                and e.effective_date == disputed.effective_date]
    reports: dict[str, BeneficialOwnershipReported] = {}
    for e in history:
        if isinstance(e, BeneficialOwnershipReported) and e.effective_date <= disputed.effective_date:
            reports[e.party] = e
    holders = {e.holder for e in siblings} | {stated_holder}
    if len(siblings) < 3 or not holders <= reports.keys() or any(not reports[h].beneficially_owned for h in holders):
        return []  # too few certificates to show a pattern, or a holder without its row 11

    def ratios(attribution: dict[str, str]) -> dict[str, Fraction]:
        sizes = dict.fromkeys(holders, 0)
        for e in siblings:
            sizes[attribution[e.warrant]] += e.quantity
        return {h: Fraction(sizes[h], reports[h].beneficially_owned) for h in sorted(holders)}

    def even(r: dict[str, Fraction]) -> bool:
        low, high = min(r.values()), max(r.values())
        return low > 0 and high / low - 1 <= PROPORTIONAL

    as_issued = {e.warrant: e.holder for e in siblings}
    certificate, stated = ratios(as_issued), ratios({**as_issued, disputed.warrant: stated_holder})
    if even(certificate) == even(stated):
        return []  # the sizes favour neither

    def shown(r: dict[str, Fraction]) -> str:
        return ", ".join(f"{h} {float(v):.7f}" for h, v in r.items())

    points_to, away = ("the statement", "certificate") if even(stated) else ("the certificate", "statement")
    return [row("proportion", disputed.warrant, "conflict", stated_holder, disputed.holder,
                [src(statement), src(disputed), *(src(reports[h]) for h in sorted(holders))],
                f"{disputed.security} certificates of {disputed.effective_date} over each holder's row 11: "
                f"with {disputed.warrant} held by {stated_holder} as stated, {shown(stated)}; "
                f"with {disputed.holder} as on the certificate, {shown(certificate)}. "
                f"The sizes are in proportion under {points_to}, not under the {away}")]


def _actual(state: State, subject: str, field: str) -> Any:
    if field in ("beneficially_owned", "percent"):
        # What the same person's cover page reports (its latest), against the items' words.
        reports = [r for r in state.ownership_reports if r.party == subject]
        if not reports:
            return None
        value = getattr(reports[-1], field)
        return value if field == "beneficially_owned" else str(value)
    if field == "holder" and subject in state.warrants:
        return state.warrants[subject].holder
    if field == "holder" and subject in state.retired:
        return state.retired.get(subject)[0]
    if field.startswith("acquirable_upon_conversion:"):
        security = field.split(":", 1)[1]
        sec = state.securities.get(security)
        if sec is None or sec.conversion_ratio is None:
            return None
        members = set(state.groups.get(subject, ())) | {subject}
        held = sum(q for (h, s), q in state.shares.items() if s == security and h in members)
        return int(held * sec.conversion_ratio)
    return None
