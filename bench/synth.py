"""A deterministic synthetic issuer: N valid events as JSONL event files.

Same size and seed, same bytes. The generator keeps its own small model of
the *resolved* history (balances, warrants, conversion ratios) so that every
event it writes is valid under the ledger's rules at its date, and stays
valid once the retractions and corrections it also writes are applied:

- dates are non-decreasing over 1975-01-01 .. 2024-12-31, so the fold order
  (effective date, then log sequence) is the order of the files;
- a transfer or issuance that a later EventRetracted / EventCorrected (by
  `ref`) takes back or reduces locks its receiving position until then (no
  transfer or conversion out of it), so removing it cannot overdraw anything,
  and no split falls inside such a window (splits flush them first);
- splits are forward and integral (2:1, 3:1), so no rounding ever differs
  between the generator's model and the fold's;
- exercises stay within what is exercisable on the date (date tranches
  reached, condition tranches met by WarrantBecameExercisable, not expired);
  cashless exercises state X = Y(A-B)/A computed exactly as the fold does;
- preferred converts only after its ConversionApproved, when it needs one.

Generation streams: memory is bounded by the number of holders and warrants,
not by N. Files hold `batch` events each (default 50,000), one import each.

    python -m bench.synth --size 10000 --out /tmp/synth            # write
    python -m bench.synth --size 10000 --check                      # write to a temp dir and fold
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import random
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

VERSION = 2  # bump when the output for a given (size, seed) changes
ISSUER = "synth"
START = dt.date(1975, 1, 1)
END = dt.date(2024, 12, 31)
SPAN = (END - START).days
DOC_EVENTS = 40  # events per synthetic source document

# Share of the randomly chosen events (scheduled ones come on top).
WEIGHTS = {
    "issue": 0.12,
    "transfer": 0.50,
    "warrant": 0.04,
    "became": 0.015,
    "cash": 0.05,
    "cashless": 0.04,
    "convert": 0.04,
    "retract": 0.003,
    "correct": 0.003,
}
SPLITS = ((0.30, 2), (0.55, 3), (0.80, 2))  # position in the run, factor (common only)
RATIOS = ("1", "2", "1.5", "0.5", "3", "1.25", "4", "0.75")
SERIES_LETTERS = "abcdefghijklmnopqrstuvwxyz"
KINDS = ("individual", "individual", "individual", "corporation", "partnership", "llc", "other")


def round_quantity(value: Fraction, mode: str) -> int:
    """As projections.rounding.round_quantity (kept here so the generator has no project imports)."""
    if mode == "down":
        return value.numerator // value.denominator
    if mode == "up":
        return -((-value.numerator) // value.denominator)
    return (2 * value.numerator + value.denominator) // (2 * value.denominator)


@dataclass
class Tranche:
    quantity: int
    start: dt.date | None  # exercisable from (date tranche)
    condition: str | None
    met: int = 0


@dataclass
class Warrant:
    slug: str
    holder: str
    security: str
    issued_on: dt.date
    quantity: int
    price: Fraction
    expires: dt.date
    tranches: list[Tranche]
    rounding: str
    exercised: int = 0

    def exercisable(self, day: dt.date) -> int:
        if day >= self.expires:
            return 0
        became = 0
        for t in self.tranches:
            if t.condition is not None:
                became += t.met
            elif (t.start or self.issued_on) <= day:
                became += t.quantity
        return max(0, became - self.exercised)

    def awaiting(self) -> int:
        return sum(t.quantity - t.met for t in self.tranches if t.condition is not None)


@dataclass
class Series:
    slug: str
    ratio: Fraction  # into common, multiplied by common's splits
    needs_approval: bool
    approved: bool = False


@dataclass
class Pending:
    """A retraction or correction to write later, and what it undoes in the model."""

    due: int
    event: dict[str, Any]
    giver: tuple[str, str] | None  # gets `amount` back
    taker: tuple[str, str] | None  # loses `amount` (locked until then)
    amount: int


@dataclass
class Model:
    bal: dict[tuple[str, str], int] = field(default_factory=dict)
    keys: list[tuple[str, str]] = field(default_factory=list)  # positions with a positive balance
    where: dict[tuple[str, str], int] = field(default_factory=dict)
    locks: Counter = field(default_factory=Counter)
    total: Counter = field(default_factory=Counter)

    def add(self, key: tuple[str, str], q: int) -> None:
        if q <= 0:
            return
        old = self.bal.get(key, 0)
        self.bal[key] = old + q
        self.total[key[1]] += q
        if old == 0:
            self.where[key] = len(self.keys)
            self.keys.append(key)

    def sub(self, key: tuple[str, str], q: int) -> None:
        old = self.bal[key]
        if q > old:
            raise AssertionError(f"generator bug: {key} holds {old}, takes {q}")
        self.total[key[1]] -= q
        if old == q:
            del self.bal[key]
            i = self.where.pop(key)
            last = self.keys.pop()
            if i < len(self.keys):
                self.keys[i] = last
                self.where[last] = i
        else:
            self.bal[key] = old - q


class Synth:
    """Yields `n` event dicts (full envelope, as a JSONL line holds them)."""

    def __init__(self, n: int, seed: int = 7, corrections: bool = True):
        if n < 100:
            raise ValueError("at least 100 events")
        self.n = n
        self.rng = random.Random(seed)
        self.seed = seed
        self.target_holders = max(300, min(10_000, n // 100))
        self.n_series = max(1, 2 + int(math.log2(n / 10_000))) if n >= 10_000 else 1
        self.n_controllers = max(3, self.target_holders // 200)
        self.n_groups = max(2, min(12, n // 50_000))
        self.m = Model()
        self.holders: list[str] = []
        self.controllers: list[str] = []
        self.groups = 0
        self.series: list[Series] = []
        self.warrants: dict[str, Warrant] = {}
        self.active: list[str] = []  # warrants possibly exercisable (pruned lazily)
        self.awaiting: list[str] = []  # warrants with condition tranches not yet met
        self.pending: list[Pending] = []
        self.refs = 0
        self.i = 0
        self.day = START
        self.year = START.year
        self.counts: Counter = Counter()
        self.schedule: list[tuple[int, str, Any]] = []
        for k in range(self.n_series):
            at = int(n * (0.04 + 0.8 * k / self.n_series))
            self.schedule.append((at, "series", k))
            if k % 2 == 0:
                self.schedule.append((at + max(1, n // 40), "approve", k))
        for frac, factor in SPLITS:
            self.schedule.append((int(n * frac), "split", factor))
        self.schedule.sort(key=lambda s: (s[0], s[1]))
        cum, total = [], 0.0
        weights = self._weights()
        if not corrections:  # a variant without EventRetracted / EventCorrected (the import's plain path)
            weights["retract"] = weights["correct"] = 0.0
        for kind, w in weights.items():
            total += w
            cum.append((total, kind))
        self.cumulative = [(c / total, k) for c, k in cum]

    def _weights(self) -> dict[str, float]:
        w = dict(WEIGHTS)
        w["register"] = 0.9 * self.target_holders / self.n
        w["control"] = 3.5 * self.n_controllers / self.n
        w["group"] = self.n_groups / self.n
        return w

    # --- envelope ---------------------------------------------------------------

    def _emit(self, etype: str, quote: str, /, ref: str | None = None, **payload: Any) -> dict[str, Any]:
        i = self.i
        doc = i // DOC_EVENTS
        e: dict[str, Any] = {
            "type": etype,
            "issuer": ISSUER,
            "effective_date": self.day.isoformat(),
            "source": {
                "document": f"synth-{self.n}-doc-{doc:06d}",
                "locator": f"item {i % DOC_EVENTS + 1}",
                "quote": quote,
            },
        }
        if ref is not None:
            e["ref"] = ref
        e.update(payload)
        self.counts[etype] += 1
        return e

    # --- the run ----------------------------------------------------------------

    def __iter__(self) -> Iterator[dict[str, Any]]:
        n = self.n
        for e in self._bootstrap():
            yield e
            self.i += 1
        while self.i < n:
            self.day = START + dt.timedelta(days=(self.i * SPAN) // n)
            yield self._next()
            self.i += 1
        assert not self.pending, "generator bug: unresolved corrections at the end"

    def _bootstrap(self) -> Iterator[dict[str, Any]]:
        yield self._emit("SecurityClassCreated", "Common Stock, par value $0.001 per share",
                         security="common", name="Common Stock", kind="common", par_value="0.001")
        for _ in range(20):
            yield self._register()
        for h in self.holders[:10]:
            q = self.rng.randint(100_000, 2_000_000)
            self.m.add((h, "common"), q)
            yield self._emit("SharesIssued", f"{q:,} shares of Common Stock to founder {h}",
                             security="common", holder=h, quantity=q, price_per_share="0.001")

    def _next(self) -> dict[str, Any]:
        left = self.n - self.i
        if self.pending and (self.pending[0].due <= self.i or left <= len(self.pending)):
            return self._resolve(self.pending.pop(0))
        if self.schedule and self.schedule[0][0] <= self.i:
            at, what, arg = self.schedule[0]
            if what == "split" and self.pending:
                return self._resolve(self.pending.pop(0))  # no correction window spans a split
            self.schedule.pop(0)
            return getattr(self, "_" + what)(arg)
        if self.day.year != self.year:
            self.year = self.day.year
            if self.m.total["common"] > 0:
                q = self.m.total["common"]
                return self._emit("SharesOutstandingReported", f"{q:,} shares of Common Stock outstanding",
                                  security="common", quantity=q)
        r = self.rng.random()
        kind = next(k for c, k in self.cumulative if r <= c)
        if kind in ("retract", "correct") and left < 500:
            kind = "issue"
        event = getattr(self, "_" + kind)()
        return event if event is not None else self._issue()

    # --- parties ------------------------------------------------------------------

    def _register(self) -> dict[str, Any]:
        k = len(self.holders)
        slug = f"h-{k:05d}"
        self.holders.append(slug)
        kind = self.rng.choice(KINDS)
        payload: dict[str, Any] = {"party": slug, "name": f"Holder {k} {kind.title()}", "kind": kind}
        if kind != "individual":
            payload["jurisdiction"] = self.rng.choice(("Delaware", "New York", "Cayman Islands", "Ontario"))
        article = "an" if kind[0] in "aeiou" else "a"
        return self._emit("PartyRegistered", f"Holder {k}, {article} {kind}", **payload)

    def _control(self) -> dict[str, Any] | None:
        if len(self.controllers) < self.n_controllers and (not self.controllers or self.rng.random() < 0.3):
            slug = f"gp-{len(self.controllers):04d}"
            self.controllers.append(slug)
            return self._emit("PartyRegistered", f"{slug}, general partner", party=slug,
                              name=f"General Partner {len(self.controllers)}, LLC", kind="llc",
                              jurisdiction="Delaware")
        if not self.controllers or len(self.holders) < 30:
            return None
        gp, h = self.rng.choice(self.controllers), self.rng.choice(self.holders)
        relation = self.rng.choice(("general_partner", "managing_member", "member"))
        return self._emit("ControlRecorded", f"{gp} is the {relation.replace('_', ' ')} of {h}",
                          controller=gp, controlled=h, relation=relation)

    def _group(self) -> dict[str, Any] | None:
        if self.groups >= self.n_groups or len(self.holders) < 30:
            return None
        self.groups += 1
        members = sorted(self.rng.sample(self.holders, self.rng.randint(2, 4)))
        return self._emit("GroupFormed", "considered together as one Person", group=f"grp-{self.groups:02d}",
                          name=f"Investor Group {self.groups}", members=members)

    # --- securities -----------------------------------------------------------------

    def _series(self, k: int) -> dict[str, Any]:
        letter = SERIES_LETTERS[k % 26] + (str(k // 26) if k >= 26 else "")
        slug = f"pref-{letter}"
        ratio = RATIOS[k % len(RATIOS)]
        needs = k % 2 == 0
        # The fold multiplies a ratio by the splits after the class is created, not before.
        self.series.append(Series(slug, Fraction(ratio), needs))
        payload: dict[str, Any] = {
            "security": slug, "name": f"Series {letter.upper()} Convertible Preferred Stock", "kind": "preferred",
            "par_value": "0.01", "converts_to": "common", "conversion_ratio": ratio,
            "as_converted_voting": k % 3 != 2,
        }
        if needs:
            payload["conversion_condition"] = "stockholder_approval"
        return self._emit("SecurityClassCreated", f"Series {letter.upper()} converts into {ratio} common",
                          **payload)

    def _approve(self, k: int) -> dict[str, Any]:
        s = self.series[k]
        s.approved = True
        return self._emit("ConversionApproved", f"the stockholders approved the conversion of {s.slug}",
                          security=s.slug, approved_by="stockholders")

    def _split(self, factor: int) -> dict[str, Any]:
        m = self.m
        for key in [k for k in m.keys if k[1] == "common"]:
            q = m.bal[key]
            m.bal[key] = q * factor
        m.total["common"] *= factor
        for w in self.warrants.values():
            if w.security != "common":
                continue
            w.quantity *= factor
            w.exercised *= factor
            for t in w.tranches:
                t.quantity *= factor
                t.met *= factor
            w.price /= factor
        for s in self.series:
            s.ratio *= factor
        return self._emit("StockSplit", f"a {factor}-for-1 split of the Common Stock",
                          security="common", numerator=factor, denominator=1)

    def _issue(self, ref: str | None = None) -> dict[str, Any]:
        rng = self.rng
        if not self.holders:
            return self._register()
        h = rng.choice(self.holders)
        if self.series and rng.random() < 0.3:
            sec = rng.choice(self.series).slug
            price = _money(Fraction(rng.randint(100, 5000), 100))
        else:
            sec = "common"
            price = _money(Fraction(rng.randint(1, 2000), 100))
        q = rng.randint(100, 50_000)
        self.m.add((h, sec), q)
        return self._emit("SharesIssued", f"{q:,} shares of {sec} issued to {h} at ${price}", ref=ref,
                          security=sec, holder=h, quantity=q, price_per_share=price)

    def _pick_position(self, security: str | None = None, tries: int = 8) -> tuple[str, str] | None:
        m = self.m
        if not m.keys:
            return None
        for _ in range(tries):
            key = m.keys[self.rng.randrange(len(m.keys))]
            if m.locks[key]:
                continue
            if security is not None and not key[1].startswith(security):
                continue
            return key
        return None

    def _amount(self, held: int) -> int:
        r = self.rng.random()
        if r < 0.15:
            return held
        if r < 0.6:
            return self.rng.randint(1, max(1, held // 10))
        return self.rng.randint(1, held)

    def _transfer(self, ref: str | None = None) -> dict[str, Any] | None:
        key = self._pick_position()
        if key is None or len(self.holders) < 2:
            return None
        a, sec = key
        b = a
        while b == a:
            b = self.rng.choice(self.holders)
        q = self._amount(self.m.bal[key])
        self.m.sub(key, q)
        self.m.add((b, sec), q)
        return self._emit("SharesTransferred", f"{q:,} shares of {sec} transferred by {a} to {b}", ref=ref,
                          security=sec, from_holder=a, to_holder=b, quantity=q)

    def _convert(self) -> dict[str, Any] | None:
        key = self._pick_position("pref-")
        if key is None:
            return None
        h, sec = key
        s = next(s for s in self.series if s.slug == sec)
        if s.needs_approval and not s.approved:
            return None
        q = self._amount(self.m.bal[key])
        issued = round_quantity(q * s.ratio, "down")
        self.m.sub(key, q)
        self.m.add((h, "common"), issued)
        payload: dict[str, Any] = {"security": sec, "holder": h, "quantity": q}
        if self.rng.random() < 0.5:
            payload["shares_issued"] = issued
        return self._emit("PreferredConverted", f"{q:,} shares of {sec} converted into {issued:,} common",
                          **payload)

    # --- warrants ---------------------------------------------------------------------

    def _warrant(self) -> dict[str, Any] | None:
        rng = self.rng
        if not self.holders:
            return None
        slug = f"w-{len(self.warrants):06d}"
        h = rng.choice(self.holders)
        sec = rng.choice(self.series).slug if self.series and rng.random() < 0.1 else "common"
        q = rng.randint(1_000, 200_000)
        price = _money(Fraction(rng.randint(50, 5_000), 100))
        expires = self.day + dt.timedelta(days=rng.randint(5 * 365, 10 * 365))
        shape = rng.random()
        tranches: list[Tranche] = []
        if shape < 0.40:
            pass
        elif shape < 0.75:
            parts = rng.randint(2, 4)
            sizes = _split_sum(rng, q, parts)
            gap = rng.randint(90, 365)
            tranches = [Tranche(s, self.day + dt.timedelta(days=gap * k), None) for k, s in enumerate(sizes)]
        else:
            sizes = _split_sum(rng, q, rng.randint(2, 3))
            tranches = [Tranche(sizes[0], self.day, None)]
            tranches += [Tranche(s, None, c) for s, c in zip(sizes[1:], ("milestone", "ipo"))]
        rounding = rng.choices(("down", "half_up", "up"), (8, 1, 1))[0]
        model = Warrant(slug, h, sec, self.day, q, Fraction(price), expires,
                        tranches or [Tranche(q, None, None)], rounding)
        self.warrants[slug] = model
        self.active.append(slug)
        if model.awaiting():
            self.awaiting.append(slug)
        payload: dict[str, Any] = {
            "warrant": slug, "holder": h, "security": sec, "quantity": q, "exercise_price": price,
            "expires": expires.isoformat(),
        }
        if tranches:
            payload["tranches"] = [
                {"quantity": t.quantity, **({"exercisable_from": t.start.isoformat()} if t.start else {}),
                 **({"condition": t.condition} if t.condition else {})}
                for t in tranches
            ]
        if rounding != "down":
            payload["rounding"] = rounding
        return self._emit("WarrantIssued", f"a warrant for {q:,} shares of {sec} at ${price}", **payload)

    def _became(self) -> dict[str, Any] | None:
        while self.awaiting:
            k = self.rng.randrange(len(self.awaiting))
            w = self.warrants[self.awaiting[k]]
            room = w.awaiting()
            # The ledger refuses events on a warrant that expired or was exercised in full.
            if room == 0 or self.day >= w.expires or w.exercised >= w.quantity:
                self.awaiting[k] = self.awaiting[-1]
                self.awaiting.pop()
                continue
            t = next(t for t in w.tranches if t.condition is not None and t.met < t.quantity)
            q = t.quantity - t.met if self.rng.random() < 0.7 else self.rng.randint(1, t.quantity - t.met)
            t.met += q
            return self._emit("WarrantBecameExercisable", f"the {t.condition} condition of {w.slug} was met",
                              warrant=w.slug, quantity=q, condition=t.condition)
        return None

    def _exercisable_warrant(self) -> tuple[Warrant, int] | None:
        for _ in range(8):
            if not self.active:
                return None
            k = self.rng.randrange(len(self.active))
            w = self.warrants[self.active[k]]
            if self.day >= w.expires or w.exercised >= w.quantity:
                self.active[k] = self.active[-1]
                self.active.pop()
                continue
            avail = w.exercisable(self.day)
            if avail > 0:
                return w, avail
        return None

    def _cash(self) -> dict[str, Any] | None:
        found = self._exercisable_warrant()
        if found is None:
            return None
        w, avail = found
        q = self._amount(avail)
        w.exercised += q
        self.m.add((w.holder, w.security), q)
        return self._emit("CashExercise", f"{w.holder} exercised {w.slug} for {q:,} shares for cash",
                          warrant=w.slug, quantity=q)

    def _cashless(self) -> dict[str, Any] | None:
        found = self._exercisable_warrant()
        if found is None:
            return None
        w, avail = found
        y = self._amount(avail)
        a_cents = math.floor(w.price * 100 * Fraction(self.rng.randint(120, 400), 100)) + 1
        a = Fraction(a_cents, 100)
        x = round_quantity(y * (a - w.price) / a, w.rounding)
        w.exercised += y
        self.m.add((w.holder, w.security), x)
        payload: dict[str, Any] = {"warrant": w.slug, "quantity": y, "fair_market_value": _money(a)}
        if self.rng.random() < 0.7:
            payload["shares_issued"] = x
        return self._emit("CashlessExercise", f"net exercise of {y:,} warrant shares for {x:,} shares",
                          **payload)

    # --- retractions and corrections ----------------------------------------------------

    def _ref(self) -> str:
        self.refs += 1
        return f"r-{self.refs:06d}"

    def _retract(self) -> dict[str, Any] | None:
        return self._take_back(correct=False)

    def _correct(self) -> dict[str, Any] | None:
        return self._take_back(correct=True)

    def _take_back(self, *, correct: bool) -> dict[str, Any] | None:
        ref = self._ref()
        due = self.i + self.rng.randint(1, 300)
        if self.rng.random() < 0.6:
            e = self._transfer(ref)
            if e is None:
                self.refs -= 1
                return None
            giver, taker, q = (e["from_holder"], e["security"]), (e["to_holder"], e["security"]), e["quantity"]
        else:
            e = self._issue(ref)
            giver, taker, q = None, (e["holder"], e["security"]), e["quantity"]
        if not correct:
            undo = {"type": "EventRetracted", "retracts": ref, "reason": "entered in error"}
            amount = q
        elif e["type"] == "SharesIssued" and self.rng.random() < 0.5:
            # A wrong price: nothing moves.
            replacement = {k: e[k] for k in ("security", "holder", "quantity")}
            replacement["price_per_share"] = _money(Fraction(e["price_per_share"]) * Fraction(11, 10))
            undo = {"type": "EventCorrected", "corrects": ref, "replacement": replacement,
                    "reason": "price misstated"}
            giver, taker, amount = None, None, 0
        else:
            smaller = self.rng.randint(1, q - 1) if q > 1 else None
            if smaller is None:
                undo = {"type": "EventRetracted", "retracts": ref, "reason": "entered in error"}
                amount = q
            else:
                keys = ("security", "from_holder", "to_holder") if e["type"] == "SharesTransferred" \
                    else ("security", "holder", "price_per_share")
                replacement = {k: e[k] for k in keys}
                replacement["quantity"] = smaller
                undo = {"type": "EventCorrected", "corrects": ref, "replacement": replacement,
                        "reason": "quantity misstated"}
                amount = q - smaller
        if taker is not None:
            self.m.locks[taker] += 1
        self.pending.append(Pending(due, undo, giver, taker, amount))
        self.pending.sort(key=lambda p: p.due)
        return e

    def _resolve(self, p: Pending) -> dict[str, Any]:
        if p.taker is not None:
            self.m.locks[p.taker] -= 1
            if not self.m.locks[p.taker]:
                del self.m.locks[p.taker]
            self.m.sub(p.taker, p.amount)
        if p.giver is not None:
            self.m.add(p.giver, p.amount)
        body = dict(p.event)
        kind = body.pop("type")
        target = body.get("retracts") or body.get("corrects")
        return self._emit(kind, f"{'retraction' if kind == 'EventRetracted' else 'correction'} of {target}", **body)


def _money(value: Fraction) -> str:
    cents = max(1, round(value * 100))
    return f"{cents // 100}.{cents % 100:02d}"


def _split_sum(rng: random.Random, total: int, parts: int) -> list[int]:
    cuts = sorted(rng.sample(range(1, total), parts - 1))
    return [b - a for a, b in zip([0, *cuts], [*cuts, total])]


# --- files ---------------------------------------------------------------------------


def write_files(n: int, out: Path, *, seed: int = 7, batch: int = 50_000, corrections: bool = True) -> dict[str, Any]:
    """Write part-NNNN.jsonl files of `batch` events each and a manifest; reuse them if already there."""
    out.mkdir(parents=True, exist_ok=True)
    manifest_path = out / "manifest.json"
    want = {"version": VERSION, "n": n, "seed": seed, "batch": batch, "corrections": corrections}
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text())
        if {k: manifest.get(k) for k in want} == want and all((out / f).exists() for f in manifest["files"]):
            manifest["reused"] = True
            return manifest
    for old in out.glob("part-*.jsonl"):
        old.unlink()
    t0 = time.perf_counter()
    synth = Synth(n, seed, corrections)
    files: list[str] = []
    fh = None
    first = last = None
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    for k, event in enumerate(synth):
        if k % batch == 0:
            if fh is not None:
                fh.close()
            name = f"part-{len(files) + 1:04d}.jsonl"
            files.append(name)
            fh = open(out / name, "w", encoding="utf-8")  # noqa: SIM115
        fh.write(dumps(event))
        fh.write("\n")
        first = first or event["effective_date"]
        last = event["effective_date"]
    if fh is not None:
        fh.close()
    manifest = {
        **want, "files": files, "issuer": ISSUER, "first_date": first, "last_date": last,
        "holders": len(synth.holders), "warrants": len(synth.warrants), "series": len(synth.series),
        "counts": dict(sorted(synth.counts.items())), "seconds": round(time.perf_counter() - t0, 3),
        "bytes": sum((out / f).stat().st_size for f in files),
    }
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
    manifest["reused"] = False
    return manifest


def check(out: Path) -> int:
    """Load the files with the ledger's loader, resolve and fold them: every rule holds. Returns events folded."""
    from ledger.intake.loader import load_file  # noqa: PLC0415
    from projections.fold import fold  # noqa: PLC0415
    from projections.timeline import Recorded, resolve  # noqa: PLC0415

    manifest = json.loads((out / "manifest.json").read_text())
    now = dt.datetime.now(dt.timezone.utc)
    records = []
    for name in manifest["files"]:
        for item in load_file(out / name):
            records.append(Recorded(len(records) + 1, now, item.event, item.event.event_id))
    state = fold(resolve(records))
    return state.applied


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.synth", description=__doc__.split("\n")[0])
    p.add_argument("--size", type=int, default=10_000)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--batch", type=int, default=50_000, help="events per file")
    p.add_argument("--out", type=Path, help="folder for the files (default: a temporary one with --check)")
    p.add_argument("--check", action="store_true", help="fold the files through the ledger's rules")
    p.add_argument("--no-corrections", action="store_true", help="no EventRetracted / EventCorrected")
    args = p.parse_args(argv)
    if args.out is None and not args.check:
        p.error("give --out, or --check")
    with tempfile.TemporaryDirectory(prefix="synth-") as tmp:
        out = args.out or Path(tmp)
        m = write_files(args.size, out, seed=args.seed, batch=args.batch, corrections=not args.no_corrections)
        print(f"{m['n']} events in {len(m['files'])} files under {out} "
              f"({m['first_date']} .. {m['last_date']}, {m['holders']} holders, {m['warrants']} warrants, "
              f"{m['bytes'] / 1e6:.1f} MB, {m['seconds']}s{', reused' if m['reused'] else ''})")
        print("  " + ", ".join(f"{k} {v}" for k, v in m["counts"].items()))
        if args.check:
            applied = check(out)
            print(f"check: folded {applied} events, every rule holds")
    return 0


if __name__ == "__main__":
    sys.exit(main())
