"""The ledger's history as OCF v1.2.0 objects (pure: events in, dicts out).

Each event becomes the OCF objects that express it, ids taken from its
`event_id` so that exports are reproducible. Each object carries its source
as a readable comment, and a `ledger:` comment with what OCF has no field
for. Events OCF cannot express become DOCUMENT objects embedding the event
as JSON (a `data:` URI with its md5), related to the stakeholders and
classes they name. docs/exports.md has the table, event by event.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from events import (
    CashExercise,
    CashlessExercise,
    Event,
    GroupFormed,
    NoteIssued,
    PartyRegistered,
    PreferredConverted,
    SecurityClassCreated,
    SharesIssued,
    SharesTransferred,
    StockSplit,
    WarrantBecameExercisable,
    WarrantIssued,
)
from ledger.outputs.journal import PARTY_FIELDS, SECURITY_FIELDS
from ledger.common.ocf import (
    EVENT_MEDIA,
    META,
    read_meta,
    UNKNOWN_COUNTRY,
    derived_id,
    jurisdiction_codes,
    meta_comment,
    money,
    numeric,
)
from ledger.outputs.ocf.comments import comments, source_comment
from ledger.outputs.ocf.equity import EquityObjects
from ledger.outputs.ocf.positions import UNSTATED, Lot, Lots, Tranche, Warrant
from projections.fold import apply
from projections.state import State

REQUIRED_BUT_UNSTATED = "not stated in the ledger; OCF requires a value, so {value} is given"


@dataclass
class Package:
    """The objects of one package, by the file they go in."""

    issuer: dict[str, Any]
    stakeholders: list[dict[str, Any]] = field(default_factory=list)
    stock_classes: list[dict[str, Any]] = field(default_factory=list)
    vesting_terms: list[dict[str, Any]] = field(default_factory=list)
    stock_plans: list[dict[str, Any]] = field(default_factory=list)
    transactions: list[dict[str, Any]] = field(default_factory=list)
    documents: list[dict[str, Any]] = field(default_factory=list)
    # What went where: event type -> "OCF" object types or "DOCUMENT", for the manifest.
    carried: dict[str, set[str]] = field(default_factory=dict)


class Builder(EquityObjects):
    def __init__(self, issuer: str, events: list[Event]):
        self.issuer_slug = issuer
        self.events = events
        # The history folded beside the export, up to the event being written (what a grant holds).
        self.state = State()
        self.grants: dict[str, str] = {}
        self.grant_tranches: dict[str, Warrant] = {}  # grants vesting on conditions, as VESTING_TERMS
        self.convertibles: dict[str, str] = {}
        self.pkg = Package(issuer=self._issuer())
        self.lots = Lots()
        self.warrants: dict[str, Warrant] = {}
        self.classes: dict[str, SecurityClassCreated] = {}
        self.prefix_counts: dict[str, int] = {}
        # Conversion ratios as the fold keeps them: multiplied by every split of the target class.
        self.ratios: dict[str, Fraction] = {}
        # Transactions to follow the warrant issuance being built (vesting start, conditions already met).
        self.after: list[dict[str, Any]] = []

    # --- the issuer --------------------------------------------------------

    def _issuer(self) -> dict[str, Any]:
        me = next((e for e in self.events if isinstance(e, PartyRegistered) and e.party == self.issuer_slug), None)
        first = min((e.effective_date for e in self.events), default=dt.date.today())
        country, subdivision = jurisdiction_codes(me.jurisdiction if me else None)
        notes = [f"formation_date {REQUIRED_BUT_UNSTATED.format(value='the date of the earliest event')}"]
        obj: dict[str, Any] = {
            "object_type": "ISSUER",
            "id": self.issuer_slug,
            "legal_name": me.name if me else self.issuer_slug,
            "formation_date": first.isoformat(),
            "country_of_formation": country or UNKNOWN_COUNTRY,
        }
        if subdivision:
            obj["country_subdivision_of_formation"] = subdivision
        if country is None:
            notes.append(f"country_of_formation {REQUIRED_BUT_UNSTATED.format(value=UNKNOWN_COUNTRY)}")
        obj["comments"] = [*notes, meta_comment({"issuer": self.issuer_slug,
                                                 "unstated": ["formation_date"] + ([] if country else
                                                                                   ["country_of_formation"])})]
        return obj

    # --- dispatch ----------------------------------------------------------

    def build(self) -> Package:
        handlers = {
            PartyRegistered: self._party, GroupFormed: self._group, SecurityClassCreated: self._class,
            SharesIssued: self._issued, SharesTransferred: self._transferred, StockSplit: self._split,
            PreferredConverted: self._converted, WarrantIssued: self._warrant,
            WarrantBecameExercisable: self._became_exercisable, CashExercise: self._exercise,
            CashlessExercise: self._exercise, NoteIssued: self._note, **self.equity_handlers(),
        }
        from ledger.common.progress import progress  # noqa: PLC0415

        for e in progress(self.events, len(self.events), "OCF export"):
            handler = handlers.get(type(e))
            before = (len(self.pkg.stakeholders), len(self.pkg.stock_classes), len(self.pkg.transactions),
                      len(self.pkg.stock_plans))
            declined = handler is None or handler(e) is False  # False: the event is a DOCUMENT after all
            held = dict(self.state.shares) if declined else None
            apply(self.state, e)
            if held is not None and held != self.state.shares:
                self._shares_moved(e, held)
            kinds = {o["object_type"] for o in self._added(before)}
            if declined or isinstance(e, GroupFormed):
                self.pkg.documents.append(self._document(e))
                kinds.add("DOCUMENT")
            self.pkg.carried.setdefault(e.type, set()).update(kinds)
        self._stamp_order()
        return self.pkg

    def _shares_moved(self, e: Event, held: dict[tuple[str, str], int]) -> None:
        """An event travelling as a DOCUMENT that changed share holdings (an exercise of a grant that
        vests on a condition, say): the change as stock issuances and cancellations marked as its
        effect, so that the package's lots are the ledger's holdings. An import takes the event from
        its DOCUMENT and passes these over."""
        now = self.state.shares
        for key in sorted(set(held) | set(now)):
            holder, stock_class = key
            change = now.get(key, 0) - held.get(key, 0)
            if change > 0:
                self._stock(derived_id(e.event_id, "effect", holder, stock_class, "issuance"),
                            derived_id(e.event_id, "effect", holder, stock_class), e.effective_date, holder,
                            stock_class, change, None, [f"What {e.type} gave {holder}"], {"effect_of": e.event_id}, e)
            elif change < 0:
                for i, lot, taken, balance in self._consume(e, holder, stock_class, -change, f"effect-{holder}"):
                    obj = {"object_type": "TX_STOCK_CANCELLATION", "date": e.effective_date.isoformat(),
                           "id": derived_id(e.event_id, "effect", holder, stock_class, str(i)),
                           "security_id": lot.security_id, "quantity": numeric(taken),
                           "reason_text": f"{e.type} (the ledger's event, in a DOCUMENT)",
                           "comments": comments(e, {"effect_of": e.event_id})}
                    if balance:
                        obj["balance_security_id"] = balance
                    self.pkg.transactions.append(obj)

    def _stamp_order(self) -> None:
        """Add each event's date and place in the history to its objects' `ledger:` comment, so that an
        import orders events of the same date as the ledger did."""
        place = {e.event_id: (i, e.effective_date.isoformat()) for i, e in enumerate(self.events)}
        for objects in (self.pkg.stakeholders, self.pkg.stock_classes, self.pkg.stock_plans, self.pkg.transactions,
                        self.pkg.documents):
            for obj in objects:
                meta = read_meta(obj)
                if meta.get("event") in place and "seq" not in meta:
                    seq, date = place[meta["event"]]
                    obj["comments"] = [meta_comment({**meta, "seq": seq, "date": date}) if c.startswith(META) else c
                                       for c in obj["comments"]]

    def _added(self, before: tuple[int, int, int, int]) -> list[dict[str, Any]]:
        return (self.pkg.stakeholders[before[0]:] + self.pkg.stock_classes[before[1]:]
                + self.pkg.transactions[before[2]:] + self.pkg.stock_plans[before[3]:])

    # --- parties and classes -----------------------------------------------

    def _party(self, e: PartyRegistered) -> None:
        meta: dict[str, Any] = {"party": e.party, "kind": e.kind}
        for key in ("jurisdiction", "tax_id"):
            if getattr(e, key):
                meta[key] = getattr(e, key)
        if e.aliases:
            meta["aliases"] = list(e.aliases)
        obj: dict[str, Any] = {
            "object_type": "STAKEHOLDER", "id": e.party, "name": {"legal_name": e.name},
            "stakeholder_type": "INDIVIDUAL" if e.kind == "individual" else "INSTITUTION",
        }
        country, _ = jurisdiction_codes(e.jurisdiction)
        if e.tax_id and country:
            obj["tax_ids"] = [{"tax_id": e.tax_id, "country": country}]
        notes = [f"Kind: {e.kind}" + (f"; jurisdiction: {e.jurisdiction}" if e.jurisdiction else "")]
        if e.aliases:
            notes.append("Also known as: " + "; ".join(e.aliases))
        obj["comments"] = comments(e, meta, *notes)
        self.pkg.stakeholders.append(obj)

    def _group(self, e: GroupFormed) -> None:
        # A group can hold securities in the ledger; in OCF only a stakeholder can, so it is one.
        note = (f"A group considered together as one person (not a legal entity): members "
                + ", ".join(e.members))
        self.pkg.stakeholders.append({
            "object_type": "STAKEHOLDER", "id": e.group, "name": {"legal_name": e.name},
            "stakeholder_type": "INSTITUTION",
            "comments": comments(e, {"group": e.group, "members": list(e.members)}, note),
        })

    def _class(self, e: SecurityClassCreated) -> None:
        self.classes[e.security] = e
        if e.conversion_ratio is not None:
            self.ratios[e.security] = Fraction(e.conversion_ratio)
        unstated = ["initial_shares_authorized", "seniority"]
        obj: dict[str, Any] = {
            "object_type": "STOCK_CLASS", "id": e.security, "name": e.name,
            "class_type": "COMMON" if e.kind == "common" else "PREFERRED",
            "default_id_prefix": e.security.upper() + "-",
            "initial_shares_authorized": "NOT APPLICABLE",
            "votes_per_share": numeric(e.votes),
            "seniority": "1" if e.kind == "common" else "2",
        }
        if e.par_value is not None:
            obj["par_value"] = money(e.par_value)
        notes = [f"initial_shares_authorized and seniority are {REQUIRED_BUT_UNSTATED.format(value='a placeholder')}"]
        if e.converts_to is not None and e.conversion_ratio is not None:
            obj["conversion_rights"] = [{
                "type": "STOCK_CLASS_CONVERSION_RIGHT",
                "conversion_mechanism": {
                    "type": "RATIO_CONVERSION",
                    "ratio": {"numerator": numeric(e.conversion_ratio), "denominator": "1"},
                    "conversion_price": money(0), "rounding_type": "FLOOR",
                },
                "converts_to_stock_class_id": e.converts_to,
            }]
            unstated.append("conversion_price")
            notes.append(f"conversion_price {REQUIRED_BUT_UNSTATED.format(value='0')}")
        elif e.converts_to is not None:
            notes.append(f"Converts to {e.converts_to}; the ratio is not stated")
        if e.conversion_condition:
            notes.append(f"Converts only upon {e.conversion_condition}")
        if e.as_converted_voting:
            notes.append("Votes as converted, once convertible")
        meta = {k: v for k, v in e.payload().items() if k not in ("name", "kind", "par_value", "votes_per_share")}
        if e.votes_per_share is None:
            meta["votes_per_share_default"] = True
            if e.kind != "common":  # common's one vote a share is the default; a preferred's none is not
                unstated.append("votes_per_share")
                notes.append(f"votes_per_share {REQUIRED_BUT_UNSTATED.format(value='0')}")
        meta["unstated"] = unstated
        obj["comments"] = comments(e, meta, *notes)
        self.pkg.stock_classes.append(obj)

    # --- stock --------------------------------------------------------------

    def _custom_id(self, stock_class: str) -> str:
        n = self.prefix_counts.get(stock_class, 0) + 1
        self.prefix_counts[stock_class] = n
        return f"{stock_class.upper()}-{n}"

    def _stock(self, oid: str, security_id: str, day: dt.date, holder: str, stock_class: str, quantity: int,
               price, notes: list[str], meta: dict[str, Any], e: Event) -> dict[str, Any]:
        obj = {
            "object_type": "TX_STOCK_ISSUANCE", "id": oid, "security_id": security_id, "date": day.isoformat(),
            "custom_id": self._custom_id(stock_class), "stakeholder_id": holder, "stock_class_id": stock_class,
            "share_price": money(price if price is not None else 0), "quantity": numeric(quantity),
            "security_law_exemptions": [], "stock_legend_ids": [],
        }
        if price is None:
            notes = [*notes, f"share_price {REQUIRED_BUT_UNSTATED.format(value='0')}"]
            meta = {**meta, "unstated": ["share_price"]}
        obj["comments"] = comments(e, meta, *notes)
        self.lots.add(Lot(security_id, holder, stock_class, quantity))
        self.pkg.transactions.append(obj)
        return obj

    def _issued(self, e: SharesIssued) -> None:
        self._stock(e.event_id, derived_id(e.event_id, "security"), e.effective_date, e.holder, e.security,
                    e.quantity, e.price_per_share, [], {}, e)

    def _consume(self, e: Event, holder: str, stock_class: str, quantity: int, role: str):
        """Lots consumed (first in, first out), each with its balance lot issued back to the holder."""
        out = []
        for i, (lot, taken) in enumerate(self.lots.take(holder, stock_class, quantity)):
            balance = None
            if lot.quantity > taken:
                balance = derived_id(e.event_id, role, str(i), "balance")
                self._stock(derived_id(e.event_id, role, str(i), "balance-issuance"), balance, e.effective_date,
                            holder, stock_class, lot.quantity - taken, None,
                            [f"Balance of {lot.security_id} left with {holder} after {role}"],
                            {"result_of": e.event_id, "role": "balance"}, e)
            out.append((i, lot, taken, balance))
        return out

    def _transferred(self, e: SharesTransferred) -> bool | None:
        held = sum(lot.quantity for lot in self.lots.by_key.get((e.from_holder, e.security), []))
        if held < e.quantity:
            # Out of a holding no source numbers (the public's, in a history of filings): OCF has no
            # stock to transfer from, so the event travels as a DOCUMENT with its effect on the lots.
            return False
        for i, lot, taken, balance in self._consume(e, e.from_holder, e.security, e.quantity, "transfer"):
            to_id = derived_id(e.event_id, "transfer", str(i), "to")
            self._stock(derived_id(e.event_id, "transfer", str(i), "to-issuance"), to_id, e.effective_date,
                        e.to_holder, e.security, taken, None, [f"Received by transfer from {e.from_holder}"],
                        {"result_of": e.event_id, "role": "transferee"}, e)
            obj = {"object_type": "TX_STOCK_TRANSFER", "id": e.event_id if i == 0 else derived_id(e.event_id, str(i)),
                   "security_id": lot.security_id, "date": e.effective_date.isoformat(), "quantity": numeric(taken),
                   "resulting_security_ids": [to_id]}
            if balance:
                obj["balance_security_id"] = balance
            obj["comments"] = comments(e, {"from_holder": e.from_holder, "to_holder": e.to_holder, "part": i})
            self.pkg.transactions.append(obj)

    def _split(self, e: StockSplit) -> None:
        factor = Fraction(e.numerator, e.denominator)
        self.lots.split(e.security, factor)
        # Grants vesting on conditions keep their tranches apart (grant_tranches): a condition met
        # after the split meets the split tranches, as in the fold.
        for w in [*self.warrants.values(), *self.grant_tranches.values()]:
            if w.underlying == e.security and w.warrant not in e.unadjusted:
                w.split(factor)
        for security, cls in self.classes.items():
            if cls.converts_to == e.security and security in self.ratios:
                self.ratios[security] *= factor
        meta = {"unadjusted": list(e.unadjusted)} if e.unadjusted else {}
        self.pkg.transactions.append({
            "object_type": "TX_STOCK_CLASS_SPLIT", "id": e.event_id, "date": e.effective_date.isoformat(),
            "stock_class_id": e.security,
            "split_ratio": {"numerator": numeric(e.numerator), "denominator": numeric(e.denominator)},
            "comments": comments(e, meta, "Under the ledger's rule every holding rounds down, and every warrant "
                                          "on the class adjusts: quantity times the ratio, price divided by it"
                                 + (f", except {', '.join(e.unadjusted)}" if e.unadjusted else "")),
        })

    def _converted(self, e: PreferredConverted) -> None:
        cls = self.classes[e.security]
        target = cls.converts_to
        ratio = self.ratios[e.security]
        issued = int(e.quantity * ratio)
        result = derived_id(e.event_id, "converted")
        parts = self._consume(e, e.holder, e.security, e.quantity, "conversion")
        self._stock(derived_id(e.event_id, "converted-issuance"), result, e.effective_date, e.holder, target,
                    issued, None, [f"Issued on conversion of {e.quantity:,} {e.security}"],
                    {"result_of": e.event_id, "role": "conversion"}, e)
        for i, lot, taken, balance in parts:
            obj = {"object_type": "TX_STOCK_CONVERSION", "id": e.event_id if i == 0 else derived_id(e.event_id, str(i)),
                   "security_id": lot.security_id, "date": e.effective_date.isoformat(),
                   "quantity_converted": numeric(taken), "resulting_security_ids": [result] if i == 0 else []}
            if balance:
                obj["balance_security_id"] = balance
            obj["comments"] = comments(e, {"holder": e.holder, "part": i, "quantity": e.quantity},
                                       f"{e.quantity:,} {e.security} converted into {issued:,} {target}")
            self.pkg.transactions.append(obj)

    # --- warrants and notes -------------------------------------------------

    def _warrant_object(self, w: Warrant, oid: str, day: dt.date, e: Event, meta: dict[str, Any],
                        notes: list[str]) -> dict[str, Any]:
        obj: dict[str, Any] = {
            "object_type": "TX_WARRANT_ISSUANCE", "id": oid, "security_id": w.security_id, "date": day.isoformat(),
            "custom_id": w.custom_id, "stakeholder_id": w.holder, "quantity": numeric(w.quantity),
            "purchase_price": money(0),
            "exercise_triggers": [{
                "trigger_id": w.trigger_id, "type": "ELECTIVE_AT_WILL",
                "trigger_description": "exercisable by the holder, as far as vested, until expiry",
                "conversion_right": {
                    "type": "WARRANT_CONVERSION_RIGHT",
                    "conversion_mechanism": {"type": "FIXED_AMOUNT_CONVERSION",
                                             "converts_to_quantity": numeric(w.quantity)},
                    "converts_to_stock_class_id": w.underlying,
                },
            }],
            "security_law_exemptions": [],
            "quantity_source": "INSTRUMENT_MAX" if w.at_most else "INSTRUMENT_FIXED",
        }
        if w.price is not None:
            obj["exercise_price"] = money(w.price)
        if w.expires is not None:
            obj["warrant_expiration_date"] = w.expires.isoformat()
        self._vesting(obj, w, day)
        notes = [*notes, f"purchase_price {REQUIRED_BUT_UNSTATED.format(value='0')}"]
        if w.at_most:
            notes.append("quantity is an upper bound: an exercise's surrendered quantity is not stated")
        obj["comments"] = comments(e, {"warrant": w.warrant, "unstated": ["purchase_price"], **meta}, *notes)
        return obj

    def _vesting(self, obj: dict[str, Any], w: Warrant, day: dt.date) -> None:
        """Tranches as `vestings` (dates only) or as VESTING_TERMS (any condition)."""
        live = [t for t in w.tranches if t.quantity > 0]
        if all(t.condition is None for t in live):
            if any(t.date is not None and t.date > day for t in live):
                obj["vestings"] = [{"date": max(t.date or day, day).isoformat(), "amount": numeric(t.quantity)}
                                   for t in live]
            return
        terms_id = derived_id(obj["id"], "vesting")
        start = f"{w.warrant}.start"
        conditions: list[dict[str, Any]] = [{"id": start, "quantity": "0", "trigger": {"type": "VESTING_START_DATE"},
                                             "next_condition_ids": [f"{w.warrant}.t{i}" for i in range(len(live))]}]
        for i, t in enumerate(live):
            c: dict[str, Any] = {"id": f"{w.warrant}.t{i}", "quantity": numeric(t.quantity), "next_condition_ids": []}
            if t.condition is None:
                c["trigger"] = {"type": "VESTING_SCHEDULE_ABSOLUTE", "date": max(t.date or day, day).isoformat()}
            else:
                c["trigger"] = {"type": "VESTING_EVENT"}
                c["description"] = t.condition
                if t.condition == UNSTATED:
                    c["description"] = UNSTATED
            conditions.append(c)
        self.pkg.vesting_terms.append({
            "object_type": "VESTING_TERMS", "id": terms_id, "name": f"Warrant {w.custom_id} tranches",
            "description": "Tranches exercisable from a date or when a condition is met; "
                           f"'{UNSTATED}' means no source states when",
            "allocation_type": "CUMULATIVE_ROUND_DOWN", "vesting_conditions": conditions,
        })
        obj["vesting_terms_id"] = terms_id
        self.after.append({
            "object_type": "TX_VESTING_START", "id": derived_id(obj["id"], "vesting-start"),
            "security_id": w.security_id, "date": day.isoformat(), "vesting_condition_id": start,
        })
        for i, t in enumerate(live):
            if t.condition not in (None, UNSTATED) and t.met:
                self._vesting_event(w, i, t.met, day, obj["id"])

    def _vesting_event(self, w: Warrant, index: int, quantity: int, day: dt.date, oid: str,
                       e: Event | None = None) -> None:
        obj = {"object_type": "TX_VESTING_EVENT", "id": oid if e is not None else derived_id(oid, "met", str(index)),
               "security_id": w.security_id, "date": day.isoformat(), "vesting_condition_id": f"{w.warrant}.t{index}"}
        if e is not None:
            obj["comments"] = comments(e, {"quantity": quantity, "condition": w.tranches[index].condition})
        else:
            obj["comments"] = [meta_comment({"quantity": quantity, "carried_over": True})]
        (self.pkg.transactions if e is not None else self.after).append(obj)

    def _add_warrant(self, obj: dict[str, Any]) -> None:
        """The issuance, then the vesting transactions on its security that building it queued."""
        self.pkg.transactions.append(obj)
        self.pkg.transactions.extend(self.after)
        self.after = []

    def _warrant(self, e: WarrantIssued) -> None:
        w = Warrant.issued(e, derived_id(e.event_id, "security"))
        self.warrants[e.warrant] = w
        meta = {k: v for k, v in e.payload().items() if k in ("rounding", "number", "tranches")}
        self._add_warrant(self._warrant_object(w, e.event_id, e.effective_date, e, meta, []))

    def _became_exercisable(self, e: WarrantBecameExercisable) -> None:
        self._conditions_met(self.warrants[e.warrant], e)

    def _conditions_met(self, w: Warrant, e: Event) -> None:
        """`e.quantity` shares of `w`'s tranches awaiting `e.condition` met: a TX_VESTING_EVENT each."""
        left = e.quantity
        for i, t in enumerate(w.tranches):
            if t.condition in (None, UNSTATED) or (e.condition is not None and t.condition != e.condition):
                continue
            take = min(left, t.quantity - t.met)
            if take:
                t.met += take
                left -= take
                oid = e.event_id if left == 0 else derived_id(e.event_id, str(i))
                self._vesting_event(w, i, take, e.effective_date, oid, e)
            if not left:
                break

    def _exercise(self, e: CashExercise | CashlessExercise) -> None:
        w = self.warrants[e.warrant]
        day = e.effective_date
        old = w.security_id
        if isinstance(e, CashExercise):
            surrendered, issued, kind = e.quantity, e.quantity, "cash"
        else:
            issued = e.shares_issued if e.shares_issued is not None else self._net(w, e)
            surrendered = e.quantity
            kind = "cashless"
        stock_id = derived_id(e.event_id, "stock")
        resulting = [stock_id]
        self._stock(derived_id(e.event_id, "stock-issuance"), stock_id, day, w.holder, w.underlying, issued,
                    w.price if kind == "cash" else None,
                    [f"Issued on {kind} exercise of warrant {w.custom_id}"],
                    {"result_of": e.event_id, "role": "exercise"}, e)
        if surrendered is None:
            w.at_most = True
            w.deduct(issued + 1, day)  # at least X + 1 surrendered (the fold's bound)
        else:
            w.deduct(surrendered, day)
        if w.quantity > 0:
            w.security_id = derived_id(e.event_id, "remainder")
            resulting.append(w.security_id)
            self._add_warrant(self._warrant_object(
                w, derived_id(e.event_id, "remainder-issuance"), day, e,
                {"result_of": e.event_id, "role": "remainder"},
                [f"What is left of warrant {w.custom_id} after the {kind} exercise"]))
        meta: dict[str, Any] = {"warrant": e.warrant, "kind": kind, "quantity": surrendered, "shares_issued": issued}
        if isinstance(e, CashlessExercise) and e.fair_market_value is not None:
            meta["fair_market_value"] = str(e.fair_market_value)
        text = (f"cash exercise of {surrendered:,} warrant shares" if kind == "cash" else
                f"cashless (net) exercise: {surrendered:,} warrant shares surrendered for {issued:,} shares"
                if surrendered is not None else
                f"cashless (net) exercise for {issued:,} shares; the warrant shares surrendered are not stated")
        if isinstance(e, CashlessExercise) and e.fair_market_value is not None:
            text += f" at a fair market value of {e.fair_market_value} per share"
        self.pkg.transactions.append({
            "object_type": "TX_WARRANT_EXERCISE", "id": e.event_id, "security_id": old, "date": day.isoformat(),
            "trigger_id": w.trigger_id, "resulting_security_ids": resulting, "consideration_text": text,
            "comments": comments(e, meta),
        })

    def _net(self, w: Warrant, e: CashlessExercise) -> int:
        from projections.rounding import round_quantity  # noqa: PLC0415

        a = Fraction(e.fair_market_value)
        return round_quantity(e.quantity * (a - w.price) / a, w.rounding)

    def _note(self, e: NoteIssued) -> None:
        description = (f"principal / {e.conversion_price} per share" if e.conversion_price is not None
                       else "conversion terms not stated")
        right: dict[str, Any] = {
            "type": "CONVERTIBLE_CONVERSION_RIGHT",
            "conversion_mechanism": {"type": "CUSTOM_CONVERSION", "custom_conversion_description": description},
        }
        if e.converts_to is not None:
            right["converts_to_stock_class_id"] = e.converts_to
        # OCF wants at least one trigger; a note with no stated conversion gets an UNSPECIFIED one.
        triggers = [{"trigger_id": f"{e.note}-conversion",
                     "type": "ELECTIVE_AT_WILL" if e.converts_to is not None else "UNSPECIFIED",
                     "conversion_right": right}]
        meta = {k: v for k, v in e.payload().items() if k in ("note", "title", "interest_rate", "conversion_price",
                                                                  "valuation_cap", "discount")}
        meta["unstated"] = ["seniority"]
        notes = [e.title] if e.title else []
        if e.interest_rate is not None:
            notes.append(f"Interest rate {e.interest_rate}")
        notes.append(f"seniority {REQUIRED_BUT_UNSTATED.format(value='1')}")
        self.convertibles[e.note] = derived_id(e.event_id, "security")
        self.pkg.transactions.append({
            "object_type": "TX_CONVERTIBLE_ISSUANCE", "id": e.event_id,
            "security_id": derived_id(e.event_id, "security"), "date": e.effective_date.isoformat(),
            "custom_id": e.note, "stakeholder_id": e.holder, "investment_amount": money(e.principal),
            "convertible_type": "NOTE", "conversion_triggers": triggers, "seniority": 1,
            "security_law_exemptions": [], "comments": comments(e, meta, *notes),
        })

    # --- what OCF cannot express --------------------------------------------

    def _document(self, e: Event) -> dict[str, Any]:
        body = json.dumps(e.to_record(), sort_keys=True, ensure_ascii=False).encode("utf-8")
        stakeholders = {s["id"] for s in self.pkg.stakeholders}
        classes = {c["id"] for c in self.pkg.stock_classes}
        data = e.model_dump(mode="json")
        related = []
        for fields, ids, kind in ((PARTY_FIELDS, stakeholders, "STAKEHOLDER"), (SECURITY_FIELDS, classes, "STOCK_CLASS")):
            for f in fields:
                values = data.get(f)
                for v in values if isinstance(values, list) else [values]:
                    if isinstance(v, str) and v in ids and {"object_type": kind, "object_id": v} not in related:
                        related.append({"object_type": kind, "object_id": v})
        from ledger.outputs.journal import summary  # noqa: PLC0415

        return {
            "object_type": "DOCUMENT", "id": e.event_id,
            "uri": f"data:{EVENT_MEDIA};base64,{base64.b64encode(body).decode('ascii')}",
            "md5": hashlib.md5(body).hexdigest(),  # noqa: S324 (OCF's checksum)
            "related_objects": related,
            "comments": [f"Ledger event {e.type} of {e.effective_date}, which OCF has no object for: {summary(data)}",
                         source_comment(e), meta_comment({"event": e.event_id, "type": e.type})],
        }


def build_package(issuer: str, events: list[Event]) -> Package:
    return Builder(issuer, events).build()


def restore_external_ids(pkg: Package, events: list[Event]) -> None:
    """Give back the OCF ids an import could not keep as ledger ids (IdentifierRecorded): the
    issuer's, the stakeholders' and the classes', and every reference to them. The `ledger:`
    comments keep the ledger's ids, which an import of the package reads first."""
    from events import IdentifierRecorded  # noqa: PLC0415

    mapping = {(e.kind, e.ledger_id): e.external for e in events
               if isinstance(e, IdentifierRecorded) and e.scheme == "ocf"}
    if not mapping:
        return
    def renames(kind: str, taken: set[str]) -> dict[str, str]:
        # An OCF id that another object of the package keeps as its own stays the ledger's id.
        out = {ledger: ext for (k, ledger), ext in mapping.items() if k == kind}
        return {ledger: ext for ledger, ext in out.items() if ext not in taken - set(out)}

    party = renames("party", {o["id"] for o in pkg.stakeholders})
    classes = renames("security", {o["id"] for o in pkg.stock_classes})
    plans = renames("plan", {o["id"] for o in pkg.stock_plans})
    # An instrument's first security (its issuance's, not a remainder's or a transferee's) takes
    # back the OCF security_id it came with, wherever that security is named.
    taken = {o.get("security_id") for o in pkg.transactions}
    instruments = renames("instrument", set())
    securities: dict[str, str] = {}
    for obj in pkg.transactions:
        meta = read_meta(obj)
        name = meta.get("grant") or meta.get("warrant") or meta.get("note")
        if obj["object_type"].endswith("_ISSUANCE") and name in instruments and "result_of" not in meta \
                and instruments[name] not in taken:
            securities[obj["security_id"]] = instruments[name]

    def walk(value: Any) -> None:
        if isinstance(value, list):
            for v in value:
                walk(v)
        elif isinstance(value, dict):
            for key, v in value.items():
                if key == "stakeholder_id" and v in party:
                    value[key] = party[v]
                elif key == "stock_plan_id" and v in plans:
                    value[key] = plans[v]
                elif key in ("security_id", "balance_security_id") and v in securities:
                    value[key] = securities[v]
                elif key == "resulting_security_ids" and isinstance(v, list):
                    value[key] = [securities.get(i, i) for i in v]
                elif key == "related_objects" and isinstance(v, list):
                    for ref in v:
                        names = party if ref.get("object_type") == "STAKEHOLDER" else classes
                        ref["object_id"] = names.get(ref.get("object_id"), ref.get("object_id"))
                elif key in ("stock_class_id", "converts_to_stock_class_id") and v in classes:
                    value[key] = classes[v]
                elif key == "stock_class_ids" and isinstance(v, list):
                    value[key] = [classes.get(i, i) for i in v]
                else:
                    walk(v)

    for obj in pkg.stakeholders:
        obj["id"] = party.get(obj["id"], obj["id"])
    for obj in pkg.stock_classes:
        obj["id"] = classes.get(obj["id"], obj["id"])
    for obj in pkg.stock_plans:
        obj["id"] = plans.get(obj["id"], obj["id"])
    pkg.issuer["id"] = mapping.get(("issuer", pkg.issuer["id"]), pkg.issuer["id"])
    walk([pkg.stock_classes, pkg.stock_plans, pkg.vesting_terms, pkg.transactions, pkg.documents])
