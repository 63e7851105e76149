"""An OCF package as ledger events: `ledger import PACKAGE` (a folder with a manifest, or a .ocf.zip).

Stakeholders become PartyRegistered, stock classes SecurityClassCreated, and
the transactions the events they record, processed in date order while the
securities (lots) they create are tracked: a stock issuance that is the
result of a transfer, conversion or exercise is not an issuance of its own.
Stock plans become StockPlanCreated and their pool adjustments
StockPlanPoolAdjusted; equity compensation (options, RSUs, SARs, and the
deprecated plan-security types read as the same) becomes
EquityCompensationIssued with its vesting and post-termination window, and
its exercises, releases, cancellations, retractions, vesting events and
accelerations the events that say so; stock repurchases become
SharesRepurchased. A DOCUMENT embedding a ledger event (what a ledger export could not express in
OCF) becomes that event again. Anything else the ledger cannot represent is
refused with one line naming the object.

Every event's source names the package: document `ocf-<issuer>-<as_of>`,
locator the file and object, quote the object's own source comment if any.
The issuer's slug comes from its legal name.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from events import Event, parse_event
from events.base import SLUG, SLUG_RULE
from events.bounds import decimal_out_of_bounds
from ledger.common.ocf import EVENT_MEDIA, read_meta, slugify
from ledger.errors import InputError
from ledger.intake.loaded import Loaded
from ledger.intake.ocf.package import OcfPackage, read_package
from ledger.intake.ocf.vesting import pieces_from_terms, tranches_from_pieces, tranches_from_vestings

# OCF's compensation_type -> the ledger's grant kind and option type
COMPENSATION = {"OPTION": ("option", None), "OPTION_ISO": ("option", "ISO"), "OPTION_NSO": ("option", "NSO"),
                "RSU": ("rsu", None), "CSAR": ("sar", None), "SSAR": ("sar", None)}
# What a plan's default_cancellation_behavior does with cancelled shares, in the ledger's terms:
# shares held as capital stock or retired do not come back to the pool.
CANCELLATION = {"RETURN_TO_POOL": "return_to_pool", "DEFINED_PER_PLAN_SECURITY": "return_to_pool",
                "RETIRE": "retire", "HOLD_AS_CAPITAL_STOCK": "retire"}
# Objects that record nothing the ledger folds; they are read and left out.
NO_LEDGER_MEANING = {"TX_STOCK_ACCEPTANCE", "TX_WARRANT_ACCEPTANCE", "TX_CONVERTIBLE_ACCEPTANCE",
                     "TX_PLAN_SECURITY_ACCEPTANCE", "TX_EQUITY_COMPENSATION_ACCEPTANCE"}
EXERCISES = {"TX_WARRANT_EXERCISE", "TX_PLAN_SECURITY_EXERCISE", "TX_EQUITY_COMPENSATION_EXERCISE"}
RELEASES = {"TX_PLAN_SECURITY_RELEASE", "TX_EQUITY_COMPENSATION_RELEASE"}
GRANT_CANCELLATIONS = {"TX_PLAN_SECURITY_CANCELLATION", "TX_EQUITY_COMPENSATION_CANCELLATION"}
TRANSFERS = {"TX_WARRANT_TRANSFER", "TX_CONVERTIBLE_TRANSFER", "TX_EQUITY_COMPENSATION_TRANSFER",
             "TX_PLAN_SECURITY_TRANSFER"}
RETRACTIONS = {"TX_STOCK_RETRACTION", "TX_WARRANT_RETRACTION", "TX_CONVERTIBLE_RETRACTION",
               "TX_PLAN_SECURITY_RETRACTION", "TX_EQUITY_COMPENSATION_RETRACTION"}
RESULTING = {"TX_STOCK_TRANSFER", "TX_STOCK_CONVERSION", "TX_STOCK_REISSUANCE", "TX_CONVERTIBLE_CONVERSION",
             *EXERCISES, *RELEASES, *TRANSFERS}
# Event types that OCF objects carry; a DOCUMENT embedding one of these is not imported twice.
FROM_OBJECTS = {"PartyRegistered", "SecurityClassCreated", "SharesIssued", "SharesTransferred", "StockSplit",
                "PreferredConverted", "WarrantIssued", "WarrantBecameExercisable", "CashExercise",
                "CashlessExercise", "NoteIssued"}
MONTHS_PER = {"MONTHS": 1, "YEARS": 12}


@dataclass
class Security:
    kind: str  # stock, warrant, grant, note
    holder: str
    stock_class: str | None
    quantity: int
    ledger: str | None = None  # the ledger's warrant or note slug
    at_most: bool = False
    issued_by: str | None = None  # the event_id of the event that issued it, for a retraction
    acted_on_by: str | None = None  # the first transaction that acted on it, which a retraction would orphan


@dataclass
class Item:
    file: str
    obj: dict[str, Any]
    order: int

    @property
    def label(self) -> str:
        return f"{self.file}: {self.obj.get('object_type')} {self.obj.get('id')}"


@dataclass
class Translator:
    pkg: OcfPackage
    events: list[tuple[tuple, Event]] = field(default_factory=list)
    parties: dict[str, str] = field(default_factory=dict)
    classes: dict[str, str] = field(default_factory=dict)
    securities: dict[str, Security] = field(default_factory=dict)
    slugs: set[str] = field(default_factory=set)
    claimed: dict[str, str] = field(default_factory=dict)  # resulting security id -> why (inference)
    # OCF id -> the ledger id it is to have, for ids that cannot be kept as they are (--ids FILE)
    ids: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        issuer = self.pkg.manifest["issuer"]
        self.kept: dict[tuple[str, str], str] = {}  # (kind, ledger id) -> the OCF id it keeps
        self.grant_ids: set[str] = set()  # security ids of grants, and of what continues them
        self.recorded: list[tuple[str, str, str]] = []  # (kind, OCF id, ledger id) where they differ
        self.start = self._date(issuer.get("formation_date") or self.pkg.manifest["as_of"], "issuer.formation_date")
        own = read_meta(issuer).get("issuer")  # what this ledger exported names its issuer in a comment
        self.issuer = own if isinstance(own, str) and SLUG.match(own) else \
            self.keep(Item("Manifest", issuer, 0), "id", "issuer", issuer.get("id") or issuer["legal_name"])
        self.document = f"ocf-{self.issuer}-{self.pkg.manifest['as_of']}"
        self.order = 0

    def keep(self, item: Item, key: str, kind: str, external: Any) -> str:
        """The ledger id of an OCF object: its own id where that is one the ledger takes, else the
        one --ids maps it to (recorded, so that an export gives the OCF id back)."""
        ext = str(external)
        ledger = self.ids.get(ext, ext)
        if not SLUG.match(ledger) or ledger.endswith("\n"):
            hint = slugify(ext, kind)
            raise self.fail(item, key, f"{ext!r} cannot be kept as a ledger id ({SLUG_RULE}); map it with "
                                       f"--ids FILE, a YAML line such as {ext!r}: {hint}")
        if self.kept.setdefault((kind, ledger), ext) != ext:
            raise self.fail(item, key, f"{ext!r} and {self.kept[(kind, ledger)]!r} would both be {kind} '{ledger}'")
        self.slugs.add(ledger)
        if ledger != ext:
            self.recorded.append((kind, ext, ledger))
        return ledger

    # --- helpers -------------------------------------------------------------

    def fail(self, item: Item | str, field_name: str, rule: str) -> InputError:
        where = item.label if isinstance(item, Item) else item
        return InputError(self.pkg.name, None, None, f"{where}: {field_name}" if field_name else where, rule)

    def _date(self, value: Any, where: str) -> dt.date:
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            raise InputError(self.pkg.name, None, None, where, f"{value!r} is not a date") from None

    def decimal_of(self, item: Item, key: str, value: Any) -> Decimal:
        """An OCF numeric string as a finite decimal within the bounds events take (no NaN,
        no exponent that would take hours to turn into shares)."""
        try:
            d = Decimal(str(value))
        except (InvalidOperation, ValueError):
            raise self.fail(item, key, f"{value!r} is not a number") from None
        if not d.is_finite():
            raise self.fail(item, key, f"{value!r} is not a finite number")
        why = decimal_out_of_bounds(d)
        if why:
            raise self.fail(item, key, f"{value!r} {why}")
        return d

    def int_of(self, item: Item, key: str, value: Any = None) -> int:
        value = item.obj.get(key) if value is None else value
        d = self.decimal_of(item, key, value)
        if d != d.to_integral_value():
            raise self.fail(item, key, f"{value} is not a whole number of shares (the ledger has no fractions)")
        return int(d)

    def amount(self, item: Item, key: str) -> str | None:
        money = item.obj.get(key)
        if not isinstance(money, dict) or "amount" not in money:
            return None
        if key in read_meta(item.obj).get("unstated", []):
            return None
        if money.get("currency", "USD") != "USD":
            raise self.fail(item, key, f"currency {money.get('currency')} (the ledger records USD amounts)")
        return str(money["amount"]) if self.decimal_of(item, key, money["amount"]) > 0 else None

    def document_for(self, original: Any) -> str:
        """The package's document id; for what a ledger exported, followed by the original document's id,
        so that document-against-document checks still tell the documents apart."""
        return f"{self.document}/{original}" if isinstance(original, str) and original else self.document

    def source(self, item: Item) -> dict[str, str]:
        quote = next((c for c in item.obj.get("comments") or [] if isinstance(c, str) and c.startswith("Source: ")), "")
        return {"document": self.document_for(read_meta(item.obj).get("document")), "locator": item.label,
                "quote": quote}

    def emit(self, item: Item, data: dict[str, Any], date: dt.date, *, inference: str | None = None,
             seq_default: int | None = None) -> str:
        meta = read_meta(item.obj)
        data = {**data, "issuer": self.issuer, "effective_date": date.isoformat(), "source": self.source(item)}
        if meta.get("ref") and meta.get("type") == data["type"]:
            data["ref"] = meta["ref"]
        if inference:
            data["inference"] = {"reasoning": inference}
        elif isinstance(meta.get("inference"), dict) and meta.get("type") == data["type"]:
            data["inference"] = meta["inference"]
        try:
            event = parse_event({k: v for k, v in data.items() if v is not None})
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = ".".join(str(p) for p in err["loc"][1:]) or "type"
            raise self.fail(item, loc, str(err.get("msg", "invalid")).removeprefix("Value error, ")) from None
        seq = meta.get("seq") if meta.get("type") == data["type"] else None
        self.order += 1
        self.events.append(((date, seq if isinstance(seq, int) else 10**9 + self.order, self.order), event))
        return event.event_id

    # --- parties, classes ------------------------------------------------------

    def stakeholders(self) -> None:
        for file, obj in self.pkg.of("OCF_STAKEHOLDERS_FILE"):
            item = Item(file, obj, 0)
            meta = read_meta(obj)
            name = (obj.get("name") or {}).get("legal_name")
            if not isinstance(obj.get("id"), str) or not isinstance(name, str):
                raise self.fail(item, "name.legal_name", "required")
            if "group" in meta:  # a ledger group: its GroupFormed comes from the embedded event
                self.parties[obj["id"]] = meta["group"]
                self.slugs.add(meta["group"])
                continue
            slug = meta["party"] if meta.get("party") and meta["party"] not in self.slugs else \
                self.keep(item, "id", "party", obj["id"])
            self.slugs.add(slug)
            self.parties[obj["id"]] = slug
            kind = meta.get("kind") or ("individual" if obj.get("stakeholder_type") == "INDIVIDUAL" else "other")
            tax = (obj.get("tax_ids") or [{}])[0].get("tax_id")
            self.emit(item, {"type": "PartyRegistered", "party": slug, "name": name, "kind": kind,
                             "jurisdiction": meta.get("jurisdiction"), "aliases": meta.get("aliases"),
                             "tax_id": meta.get("tax_id") or tax},
                      self._date(meta.get("date") or self.start, item.label))

    def stock_classes(self) -> None:
        listed = [Item(f, o, 0) for f, o in self.pkg.of("OCF_STOCK_CLASSES_FILE")]
        for item in listed:
            meta = read_meta(item.obj)
            slug = meta["security"] if meta.get("security") and meta["security"] not in self.slugs else \
                self.keep(item, "id", "security", item.obj.get("id"))
            self.slugs.add(slug)
            self.classes[str(item.obj.get("id"))] = slug
        for item in self._targets_first(listed):
            obj, meta = item.obj, read_meta(item.obj)
            right = next(iter(obj.get("conversion_rights") or []), None)
            converts_to, ratio = meta.get("converts_to"), None
            if right:
                target = right.get("converts_to_stock_class_id")
                if target not in self.classes:
                    raise self.fail(item, "conversion_rights.converts_to_stock_class_id", f"unknown stock class {target!r}")
                converts_to = self.classes[target]
                mech = right.get("conversion_mechanism") or {}
                if mech.get("type") == "RATIO_CONVERSION":
                    r = mech.get("ratio") or {}
                    where = "conversion_rights.conversion_mechanism.ratio"
                    denominator = self.decimal_of(item, where + ".denominator", r.get("denominator", "1"))
                    if denominator <= 0:
                        raise self.fail(item, where + ".denominator", "must be positive")
                    ratio = str(self.decimal_of(item, where + ".numerator", r.get("numerator")) / denominator)
            votes = None if meta.get("votes_per_share_default") else str(obj.get("votes_per_share"))
            par = self.amount(item, "par_value") if obj.get("par_value") else None
            self.emit(item, {
                "type": "SecurityClassCreated", "security": self.classes[str(obj.get("id"))],
                "name": str(obj.get("name")), "kind": "common" if obj.get("class_type") == "COMMON" else "preferred",
                "par_value": par, "votes_per_share": votes, "converts_to": converts_to, "conversion_ratio": ratio,
                "as_converted_voting": meta.get("as_converted_voting"),
                "conversion_condition": meta.get("conversion_condition"), "cusip": meta.get("cusip"),
            }, self._date(meta.get("date") or obj.get("board_approval_date") or self.start, item.label))
            authorized = obj.get("initial_shares_authorized")
            if authorized is not None and "initial_shares_authorized" not in meta.get("unstated", []) \
                    and str(authorized).upper() not in ("UNLIMITED", "NOT APPLICABLE"):
                self.emit(item, {"type": "AuthorizedSharesSet", "security": self.classes[str(obj.get("id"))],
                                 "quantity": self.int_of(item, "initial_shares_authorized")},
                          self._date(meta.get("date") or obj.get("board_approval_date") or self.start, item.label))

    def _targets_first(self, items: list[Item]) -> list[Item]:
        by_id = {str(i.obj.get("id")): i for i in items}
        out: list[Item] = []

        def visit(item: Item, path: set[str]) -> None:
            oid = str(item.obj.get("id"))
            if item in out or oid in path:
                return
            for right in item.obj.get("conversion_rights") or []:
                target = by_id.get(str(right.get("converts_to_stock_class_id")))
                if target is not None:
                    visit(target, path | {oid})
            out.append(item)

        for item in items:
            visit(item, set())
        return out

    # --- transactions ------------------------------------------------------------

    def transactions(self) -> None:
        items = [Item(f, o, n) for n, (f, o) in enumerate(self.pkg.of("OCF_TRANSACTIONS_FILE"))]
        for item in items:
            if not isinstance(item.obj.get("object_type"), str):
                raise self.fail(item, "object_type", "required")
        items.sort(key=lambda i: (self._date(i.obj.get("date"), i.label), i.order))
        self.issuances = {o.obj["security_id"]: o for o in items
                          if o.obj["object_type"].endswith("_ISSUANCE") and isinstance(o.obj.get("security_id"), str)}
        self.vesting_starts = {o.obj.get("security_id"): o.obj.get("date") for o in items
                               if o.obj["object_type"] == "TX_VESTING_START"}
        self.terms = {o.get("id"): o for _, o in self.pkg.of("OCF_VESTING_TERMS_FILE")}
        self._claim(items)
        handlers = {
            "TX_STOCK_ISSUANCE": self._stock_issuance, "TX_STOCK_TRANSFER": self._transfer,
            "TX_STOCK_CONVERSION": self._conversion, "TX_STOCK_CLASS_SPLIT": self._split,
            "TX_WARRANT_ISSUANCE": self._warrant, "TX_PLAN_SECURITY_ISSUANCE": self._grant,
            "TX_EQUITY_COMPENSATION_ISSUANCE": self._grant, "TX_VESTING_EVENT": self._vesting_event,
            "TX_VESTING_ACCELERATION": self._acceleration,
            "TX_CONVERTIBLE_ISSUANCE": self._note, "TX_STOCK_PLAN_POOL_ADJUSTMENT": self._pool,
            "TX_STOCK_REPURCHASE": self._repurchase,
            "TX_STOCK_CANCELLATION": self._stock_cancellation, "TX_STOCK_REISSUANCE": self._reissuance,
            "TX_WARRANT_CANCELLATION": self._warrant_cancellation,
            "TX_CONVERTIBLE_CANCELLATION": self._convertible_cancellation,
            "TX_CONVERTIBLE_CONVERSION": self._convertible_conversion,
            "TX_STOCK_PLAN_RETURN_TO_POOL": self._return_to_pool,
            "TX_STOCK_CLASS_CONVERSION_RATIO_ADJUSTMENT": self._ratio_adjustment,
            **{k: self._instrument_transfer for k in TRANSFERS},
            **{k: self._retraction for k in RETRACTIONS},
            "TX_STOCK_CLASS_AUTHORIZED_SHARES_ADJUSTMENT": self._authorized,
            "TX_ISSUER_AUTHORIZED_SHARES_ADJUSTMENT": self._authorized,
            "TX_VESTING_START": lambda item: None,
            **{k: self._exercise for k in EXERCISES},
            **{k: self._release for k in RELEASES},
            **{k: self._grant_cancellation for k in GRANT_CANCELLATIONS},
            **{k: (lambda item: None) for k in NO_LEDGER_MEANING},
        }
        from ledger.common.progress import progress  # noqa: PLC0415

        for item in progress(items, len(items), "OCF import"):
            handler = handlers.get(item.obj["object_type"])
            if handler is None:
                raise self.fail(item, "object_type", f"{item.obj['object_type']} is not supported by the ledger's "
                                                     "import (nothing was written)")
            handler(item)

    def _claim(self, items: list[Item]) -> None:
        """Issuances that result from another transaction; for an exercise whose result is missing,
        the one unclaimed stock issuance to the same holder on the same day for the same quantity."""
        for item in items:
            # What is left of a security after any transaction continues it: never an issuance of its own.
            ids = [item.obj["balance_security_id"]] if item.obj.get("balance_security_id") else []
            if item.obj["object_type"] in RESULTING:
                ids += list(item.obj.get("resulting_security_ids") or [])
            for sid in ids:
                self.claimed.setdefault(sid, "")
        for item in items:
            obj = item.obj
            if obj["object_type"] not in EXERCISES or obj["object_type"] == "TX_WARRANT_EXERCISE":
                continue
            if any(s in self.issuances for s in obj.get("resulting_security_ids") or []):
                continue
            if obj.get("resulting_security_ids") == [] and read_meta(obj).get("method") == "net":
                continue  # a net exercise (a SAR) whose shares round down to none: nothing resulted
            grant = self.issuances.get(obj.get("security_id"))
            if grant is None:
                raise self.fail(item, "security_id", f"no issuance of security {obj.get('security_id')!r}")
            candidates = [o for sid, o in self.issuances.items()
                          if o.obj["object_type"] == "TX_STOCK_ISSUANCE" and sid not in self.claimed
                          and o.obj.get("stakeholder_id") == grant.obj.get("stakeholder_id")
                          and o.obj.get("date") == obj.get("date") and str(o.obj.get("quantity")) == str(obj.get("quantity"))]
            if len(candidates) != 1:
                raise self.fail(item, "resulting_security_ids", "names no stock issuance in the package")
            self.claimed[candidates[0].obj["security_id"]] = (
                f"{item.label} names resulting security {obj.get('resulting_security_ids')}, which the package "
                f"does not issue; {candidates[0].label}, {obj.get('quantity')} shares to the same stakeholder on the "
                "same day, is taken as its result")
            obj.setdefault("_result", candidates[0].obj["security_id"])

    def holder(self, item: Item, key: str = "stakeholder_id") -> str:
        sid = item.obj.get(key)
        if sid not in self.parties:
            raise self.fail(item, key, f"unknown stakeholder {sid!r}")
        return self.parties[sid]

    def stock_class(self, item: Item, value: Any, key: str = "stock_class_id") -> str:
        if value not in self.classes:
            raise self.fail(item, key, f"unknown stock class {value!r}")
        return self.classes[value]

    def security(self, item: Item, *kinds: str) -> Security:
        sid = item.obj.get("security_id")
        sec = self.securities.get(sid)
        kind = " or ".join(kinds)
        if sec is None or sec.kind not in kinds:
            raise self.fail(item, "security_id", f"no {kind} security {sid!r} outstanding on {item.obj.get('date')}")
        sec.acted_on_by = sec.acted_on_by or item.label
        return sec

    def date(self, item: Item) -> dt.date:
        return self._date(item.obj.get("date"), item.label)

    def _register_lot(self, item: Item) -> Security:
        sec = Security("stock", self.holder(item), self.stock_class(item, item.obj.get("stock_class_id")),
                       self.int_of(item, "quantity"))
        self.securities[item.obj["security_id"]] = sec
        return sec

    def _stock_issuance(self, item: Item) -> None:
        sid = item.obj.get("security_id")
        if sid in self.claimed:
            return  # registered by the transaction it results from
        sec = self._register_lot(item)
        if read_meta(item.obj).get("effect_of"):
            return  # what an event this ledger exported as a DOCUMENT did: the event comes from there
        sec.issued_by = self.emit(item, {"type": "SharesIssued", "security": sec.stock_class, "holder": sec.holder,
                                         "quantity": sec.quantity, "price_per_share": self.amount(item, "share_price")},
                                  self.date(item))

    def _results(self, item: Item, ids: list[str]) -> list[tuple[Item, Security]]:
        out = []
        for sid in ids:
            issuance = self.issuances.get(sid)
            if issuance is None:
                raise self.fail(item, "resulting_security_ids", f"security {sid!r} is not issued in the package")
            if issuance.obj["object_type"] == "TX_STOCK_ISSUANCE":
                out.append((issuance, self._register_lot(issuance)))
            else:
                out.append((issuance, None))
        return out

    def _balance(self, item: Item, source: Security) -> int:
        bid = item.obj.get("balance_security_id")
        if not bid:
            return 0
        (issuance, sec), = self._results(item, [bid])
        if sec is None or sec.holder != source.holder or sec.stock_class != source.stock_class:
            raise self.fail(item, "balance_security_id", "must be stock of the same holder and class")
        return sec.quantity

    def _transfer(self, item: Item) -> None:
        src, quantity = self._lot_taken(item, "transferred")
        results = self._results(item, list(item.obj.get("resulting_security_ids") or []))
        if sum(s.quantity for _, s in results if s) != quantity:
            raise self.fail(item, "resulting_security_ids", f"the resulting stock does not add up to {quantity}")
        for _, sec in results:
            if sec.holder != src.holder:
                self.emit(item, {"type": "SharesTransferred", "security": src.stock_class, "from_holder": src.holder,
                                 "to_holder": sec.holder, "quantity": sec.quantity}, self.date(item))

    def _conversion(self, item: Item) -> None:
        src, quantity = self._lot_taken(item, "converted", "quantity_converted")
        self._results(item, list(item.obj.get("resulting_security_ids") or []))
        self.emit(item, {"type": "PreferredConverted", "security": src.stock_class, "holder": src.holder,
                         "quantity": quantity}, self.date(item))

    def _split(self, item: Item) -> None:
        cls = self.stock_class(item, item.obj.get("stock_class_id"))
        ratio = item.obj.get("split_ratio") or {}
        num, den = self.int_of(item, "split_ratio", ratio.get("numerator")), self.int_of(item, "split_ratio", ratio.get("denominator"))
        for sec in self.securities.values():
            if sec.stock_class == cls:
                sec.quantity = sec.quantity * num // den
        meta = read_meta(item.obj)
        unadjusted = meta.get("unadjusted") if meta.get("type") == "StockSplit" else None
        self.emit(item, {"type": "StockSplit", "security": cls, "numerator": num, "denominator": den,
                         "unadjusted": unadjusted}, self.date(item))

    # --- warrants, options, notes --------------------------------------------------

    def _tranches(self, item: Item, quantity: int) -> tuple[list[dict[str, Any]] | None, list[str]]:
        obj = item.obj
        if obj.get("vestings"):
            return tranches_from_vestings(obj["vestings"], quantity), []
        terms_id = obj.get("vesting_terms_id")
        if not terms_id:
            return None, []
        terms = self.terms.get(terms_id)
        if terms is None:
            raise self.fail(item, "vesting_terms_id", f"unknown vesting terms {terms_id!r}")
        start = self._date(self.vesting_starts.get(obj["security_id"]) or obj.get("date"), item.label)
        pieces, notes = pieces_from_terms(terms, quantity, start)
        return tranches_from_pieces(pieces, quantity, terms.get("allocation_type", "")), notes

    def _warrant(self, item: Item) -> None:
        obj, meta = item.obj, read_meta(item.obj)
        if obj.get("security_id") in self.claimed:
            return  # a partial exercise's remainder: the same ledger warrant (see _exercise)
        quantity = self.int_of(item, "quantity") if obj.get("quantity") is not None else None
        if quantity is None:
            raise self.fail(item, "quantity", "required (the ledger records warrants for a number of shares)")
        right = next((t.get("conversion_right") or {} for t in obj.get("exercise_triggers") or []), {})
        underlying = self.stock_class(item, right.get("converts_to_stock_class_id"),
                                      "exercise_triggers.conversion_right.converts_to_stock_class_id")
        holder = self.holder(item)
        name = meta.get("warrant") if meta.get("warrant") and meta["warrant"] not in self.slugs else \
            self.keep(item, "security_id", "instrument", obj.get("security_id"))
        self.slugs.add(name)
        tranches, notes = self._tranches(item, quantity)
        sec = self.securities[obj["security_id"]] = Security("warrant", holder, underlying, quantity, name)
        sec.issued_by = self.emit(item, {"type": "WarrantIssued", "warrant": name, "holder": holder, "security": underlying,
                         "quantity": quantity, "exercise_price": self.amount(item, "exercise_price"),
                         "expires": obj.get("warrant_expiration_date"), "tranches": tranches,
                         "rounding": meta.get("rounding"), "number": meta.get("number")},
                  self.date(item), inference="; ".join(notes) or None)

    def _grant(self, item: Item) -> None:
        obj = item.obj
        if obj.get("security_id") in self.claimed:
            return  # what is left of a grant after a cancellation or release: the same ledger grant
        kind = COMPENSATION.get(obj.get("compensation_type"))
        if kind is None:
            raise self.fail(item, "compensation_type", f"{obj.get('compensation_type')!r} is not an OCF compensation type")
        plan_id = obj.get("stock_plan_id")
        plan = self.plans.get(plan_id)
        if plan_id is not None and plan is None:
            raise self.fail(item, "stock_plan_id", f"unknown stock plan {plan_id!r}")
        cls_id = obj.get("stock_class_id") or (plan or {}).get("stock_class_id") or \
            next(iter((plan or {}).get("stock_class_ids") or []), None)
        underlying = self.stock_class(item, cls_id, "stock_class_id")
        quantity = self.int_of(item, "quantity")
        holder = self.holder(item)
        meta = read_meta(obj)
        name = meta["grant"] if isinstance(meta.get("grant"), str) and meta["grant"] not in self.slugs else \
            self.keep(item, "security_id", "instrument", obj.get("security_id"))
        self.slugs.add(name)
        tranches, notes = self._tranches(item, quantity)
        if isinstance(meta.get("vesting"), dict) and meta.get("type") == "EquityCompensationIssued":
            tranches = None  # this ledger's export: the schedule itself, of which `vestings` is the cut
        self.grant_ids.add(obj["security_id"])
        sec = self.securities[obj["security_id"]] = Security("grant", holder, underlying, quantity, name)
        option_type = kind[1] or (obj.get("option_grant_type") if obj.get("option_grant_type") in ("ISO", "NSO", "INTL")
                                  and kind[0] == "option" else None)
        price = self.amount(item, "base_price" if kind[0] == "sar" and obj.get("base_price") else "exercise_price")
        sec.issued_by = self.emit(item, {"type": "EquityCompensationIssued", "grant": name, "kind": kind[0], "option_type": option_type,
                         "holder": holder, "security": underlying, "plan": self.plan_slugs.get(plan_id),
                         "quantity": quantity, "exercise_price": price if kind[0] != "rsu" else None,
                         "expires": obj.get("expiration_date"), "exercise_window": self._window(item),
                         "tranches": tranches, "vesting": meta.get("vesting") if tranches is None else None,
                         "rounding": meta.get("rounding")},
                  self.date(item), inference="; ".join(notes) or None)

    def _window(self, item: Item) -> dict[str, Any] | None:
        """The post-termination exercise window for a voluntary departure (or the only one given)."""
        windows = [w for w in item.obj.get("termination_exercise_windows") or [] if isinstance(w, dict)]
        chosen = next((w for w in windows if w.get("reason") == "VOLUNTARY_OTHER"), windows[0] if windows else None)
        if chosen is None:
            return None
        length = self.int_of(item, "termination_exercise_windows.period", chosen.get("period"))
        unit = chosen.get("period_type")
        if unit == "DAYS":
            return {"length": length, "unit": "days"}
        if unit in MONTHS_PER:
            return {"length": length * MONTHS_PER[unit], "unit": "months"}
        raise self.fail(item, "termination_exercise_windows.period_type", f"{unit!r} is not DAYS, MONTHS or YEARS")

    def _grant_of(self, item: Item) -> Security:
        return self.security(item, "grant")

    def _acceleration(self, item: Item) -> None:
        sec = self._grant_of(item)
        self.emit(item, {"type": "VestingAccelerated", "grant": sec.ledger, "quantity": self.int_of(item, "quantity")},
                  self.date(item))

    def _continue_as(self, item: Item, sec: Security, left: int) -> None:
        """What is left of a grant after a transaction is the same ledger grant, under its balance id."""
        del self.securities[item.obj["security_id"]]
        bid = item.obj.get("balance_security_id")
        if bid and sec.kind == "grant":
            self.grant_ids.add(bid)
        if bid:
            self.claimed.setdefault(bid, "")
            self.securities[bid] = Security(sec.kind, sec.holder, sec.stock_class, left, sec.ledger)
        elif left:
            self.securities[item.obj["security_id"]] = Security(sec.kind, sec.holder, sec.stock_class, left, sec.ledger)

    def _grant_cancellation(self, item: Item) -> None:
        if read_meta(item.obj).get("effect_of"):
            return  # a forfeiture this ledger wrote out for a service end, which its DOCUMENT carries
        sec = self._grant_of(item)
        quantity = self.int_of(item, "quantity")
        reason = str(item.obj.get("reason_text") or "cancelled")
        self._continue_as(item, sec, sec.quantity - quantity)
        self.emit(item, {"type": "EquityCompensationCancelled", "grant": sec.ledger, "quantity": quantity,
                         "reason": reason}, self.date(item))

    def _release(self, item: Item) -> None:
        sec = self._grant_of(item)
        quantity = self.int_of(item, "quantity")
        ids = list(item.obj.get("resulting_security_ids") or [])
        delivered = sum(s.quantity for _, s in self._results(item, ids) if s is not None)
        if delivered > quantity:
            raise self.fail(item, "resulting_security_ids", f"{delivered} shares issued for {quantity} units released")
        self._continue_as(item, sec, sec.quantity - quantity)
        self.emit(item, {"type": "EquityCompensationReleased", "grant": sec.ledger, "quantity": quantity,
                         "withheld": quantity - delivered if ids else 0}, self.date(item))

    def _authorized(self, item: Item) -> None:
        issuer_wide = item.obj["object_type"] == "TX_ISSUER_AUTHORIZED_SHARES_ADJUSTMENT"
        security = None if issuer_wide else self.stock_class(item, item.obj.get("stock_class_id"))
        self.emit(item, {"type": "AuthorizedSharesSet", "security": security,
                         "quantity": self.int_of(item, "new_shares_authorized")}, self.date(item))

    def _lot_taken(self, item: Item, verb: str, key: str = "quantity") -> tuple[Security, int]:
        """The stock lot a transaction takes `quantity` of, its balance checked and issued back."""
        src = self.security(item, "stock")
        quantity = self.int_of(item, key)
        if self._balance(item, src) + quantity != src.quantity:
            raise self.fail(item, key, f"{quantity} {verb} and the balance do not add up to the "
                                       f"{src.quantity} of security {item.obj['security_id']}")
        del self.securities[item.obj["security_id"]]
        return src, quantity

    def _repurchase(self, item: Item) -> None:
        src, quantity = self._lot_taken(item, "repurchased")
        self.emit(item, {"type": "SharesRepurchased", "security": src.stock_class, "holder": src.holder,
                         "quantity": quantity, "price_per_share": self.amount(item, "price")}, self.date(item))

    def _vesting_event(self, item: Item) -> None:
        meta = read_meta(item.obj)
        if meta.get("carried_over"):
            return  # a condition met earlier, restated for a remainder warrant
        sec = self.security(item, "warrant", "grant")
        issuance = self.issuances[next(s for s, v in self.securities.items() if v is sec)]
        terms = self.terms.get(issuance.obj.get("vesting_terms_id")) or {}
        cond = next((c for c in terms.get("vesting_conditions", []) if c.get("id") == item.obj.get("vesting_condition_id")), None)
        if cond is None:
            raise self.fail(item, "vesting_condition_id", f"unknown vesting condition {item.obj.get('vesting_condition_id')!r}")
        quantity = meta.get("quantity") or self.int_of(item, "quantity", cond.get("quantity", "0"))
        if sec.kind == "grant":
            self.emit(item, {"type": "VestingConditionMet", "grant": sec.ledger, "quantity": quantity,
                             "condition": cond.get("description") or cond.get("id")}, self.date(item))
            return
        self.emit(item, {"type": "WarrantBecameExercisable", "warrant": sec.ledger, "quantity": quantity,
                         "condition": cond.get("description") or cond.get("id")}, self.date(item))

    def _exercise(self, item: Item) -> None:
        if item.obj["object_type"] != "TX_WARRANT_EXERCISE":
            self._grant_exercise(item)
            return
        obj, meta = item.obj, read_meta(item.obj)
        sec = self.security(item, "warrant")
        ids = list(obj.get("resulting_security_ids") or [])
        if obj.get("_result"):
            ids = [obj["_result"]]
        results = self._results(item, ids)
        stock = [s for _, s in results if s is not None]
        remainders = [i for i, s in results if s is None and i.obj["object_type"] == "TX_WARRANT_ISSUANCE"]
        issued = sum(s.quantity for s in stock)
        left, at_most = 0, False
        for r in remainders:
            left += self.int_of(r, "quantity")
            at_most = at_most or r.obj.get("quantity_source") == "INSTRUMENT_MAX"
            self.securities[r.obj["security_id"]] = Security("warrant", sec.holder, sec.stock_class, left, sec.ledger)
        del self.securities[obj["security_id"]]
        if obj["object_type"] != "TX_WARRANT_EXERCISE":
            surrendered = self.int_of(item, "quantity")
        elif "quantity" in meta:
            surrendered = meta["quantity"]
        else:
            surrendered = None if at_most else sec.quantity - left
        if surrendered is not None and surrendered == issued and meta.get("kind") != "cashless":
            data = {"type": "CashExercise", "warrant": sec.ledger, "quantity": surrendered}
        else:
            data = {"type": "CashlessExercise", "warrant": sec.ledger, "quantity": surrendered,
                    "shares_issued": issued, "fair_market_value": meta.get("fair_market_value")}
        self.emit(item, data, self.date(item), inference=self.claimed.get(ids[0]) if ids else None)

    def _grant_exercise(self, item: Item) -> None:
        obj = item.obj
        sec = self._grant_of(item)
        ids = [obj["_result"]] if obj.get("_result") else list(obj.get("resulting_security_ids") or [])
        issued = sum(s.quantity for _, s in self._results(item, ids) if s is not None)
        quantity = self.int_of(item, "quantity")
        self._continue_as(item, sec, sec.quantity - quantity)
        meta = read_meta(obj) if read_meta(obj).get("type") == "EquityCompensationExercised" else {}
        net = issued != quantity
        method = meta.get("method") or ("net" if net else None)
        self.emit(item, {"type": "EquityCompensationExercised", "grant": sec.ledger, "quantity": quantity,
                         "method": method, "fair_market_value": meta.get("fair_market_value"),
                         "shares_issued": issued if net and not meta.get("fair_market_value") else None},
                  self.date(item), inference=self.claimed.get(ids[0]) if ids else None)

    def _note(self, item: Item) -> None:
        obj, meta = item.obj, read_meta(item.obj)
        if obj.get("security_id") in self.claimed:
            return  # the note or SAFE after a transfer: the same ledger instrument
        holder = self.holder(item)
        name = meta.get("note") if meta.get("note") and meta["note"] not in self.slugs else \
            self.keep(item, "security_id", "instrument", obj.get("security_id"))
        self.slugs.add(name)
        right = next((t.get("conversion_right") or {} for t in obj.get("conversion_triggers") or []), {})
        target = right.get("converts_to_stock_class_id")
        converts_to = self.stock_class(item, target, "conversion_triggers") if target else None
        mechanism = right.get("conversion_mechanism") or {}
        principal = self.amount(item, "investment_amount") or str((obj.get("investment_amount") or {}).get("amount"))
        cap = mechanism.get("conversion_valuation_cap") or {}
        cap = str(self.decimal_of(item, "conversion_valuation_cap", cap["amount"])) if cap.get("amount") else None
        discount = mechanism.get("conversion_discount")
        discount = str(self.decimal_of(item, "conversion_discount", discount)) if discount not in (None, "") else None
        sec = self.securities[obj.get("security_id")] = Security("note", holder, converts_to, 0, name)
        if obj.get("convertible_type") == "SAFE" or mechanism.get("type") == "SAFE_CONVERSION":
            sec.issued_by = self.emit(item, {
                "type": "SafeIssued", "safe": name, "holder": holder, "investment": principal,
                "valuation_cap": cap, "discount": discount, "converts_to": converts_to,
                "post_money": mechanism.get("conversion_timing") != "PRE_MONEY"}, self.date(item))
            return
        rates = mechanism.get("interest_rates") or []
        rate = str(self.decimal_of(item, "interest_rates", rates[0]["rate"])) if rates and rates[0].get("rate") else None
        sec.issued_by = self.emit(item, {
            "type": "NoteIssued", "note": name, "holder": holder, "principal": principal,
            "converts_to": converts_to, "conversion_price": meta.get("conversion_price"),
            "interest_rate": meta.get("interest_rate") or rate, "title": meta.get("title"),
            "valuation_cap": meta.get("valuation_cap") or cap, "discount": meta.get("discount") or discount},
            self.date(item))

    def _convertible_conversion(self, item: Item) -> None:
        sec = self.security(item, "note")
        ids = list(item.obj.get("resulting_security_ids") or [])
        stock = [s for _, s in self._results(item, ids) if s is not None]
        classes = {s.stock_class for s in stock}
        if len(classes) != 1:
            raise self.fail(item, "resulting_security_ids", "must issue stock of one class")
        del self.securities[item.obj["security_id"]]
        meta = read_meta(item.obj) if read_meta(item.obj).get("type") == "ConvertibleConverted" else {}
        data = {"type": "ConvertibleConverted", "convertible": sec.ledger, "security": classes.pop(),
                "shares_issued": sum(s.quantity for s in stock)}
        if meta.get("price_per_share"):  # this ledger's export: the terms it computed the shares from
            self.emit(item, {**data, **{k: meta.get(k) for k in ("price_per_share", "capitalization", "rounding")}},
                      self.date(item))
            return
        self.emit(item, data, self.date(item),
                  inference="OCF states the conversion's resulting stock, not the financing's price: the shares "
                            "are taken as stated")

    def _retraction(self, item: Item) -> None:
        sid = item.obj.get("security_id")
        sec = self.securities.get(sid)
        if sec is None or sec.issued_by is None:
            raise self.fail(item, "security_id", f"no security {sid!r} issued in the package as it stands "
                                                 f"on {item.obj.get('date')}")
        if sec.acted_on_by is not None:
            raise self.fail(item, "security_id", f"retracts {sid!r}, on which {sec.acted_on_by} has acted: a "
                                                 "retraction takes the issuance out of the history, and that "
                                                 "transaction with it")
        del self.securities[sid]
        self.emit(item, {"type": "EventRetracted", "retracts": sec.issued_by,
                         "reason": str(item.obj.get("reason_text") or "retracted")}, self.date(item))

    def _stock_cancellation(self, item: Item) -> None:
        if read_meta(item.obj).get("effect_of"):
            self._lot_taken(item, "cancelled")
            return  # an effect of an event this ledger exported as a DOCUMENT: the event comes from there
        src, quantity = self._lot_taken(item, "cancelled")
        self.emit(item, {"type": "SharesCancelled", "security": src.stock_class, "holder": src.holder,
                         "quantity": quantity, "reason": str(item.obj.get("reason_text") or "cancelled")},
                  self.date(item))

    def _reissuance(self, item: Item) -> None:
        src = self.security(item, "stock")
        results = self._results(item, list(item.obj.get("resulting_security_ids") or []))
        lots = [s for _, s in results if s is not None]
        if any(s.holder != src.holder or s.stock_class != src.stock_class for s in lots) \
                or sum(s.quantity for s in lots) != src.quantity:
            raise self.fail(item, "resulting_security_ids", f"must be {src.quantity} shares of the same holder and "
                                                            "class (a reissuance changes only the certificates)")
        del self.securities[item.obj["security_id"]]  # the same shares under new ids: nothing to fold

    def _warrant_cancellation(self, item: Item) -> None:
        sec = self.security(item, "warrant")
        quantity = self.int_of(item, "quantity")
        self._continue_as(item, sec, sec.quantity - quantity)
        self.emit(item, {"type": "WarrantCancelled", "warrant": sec.ledger, "quantity": quantity,
                         "reason": str(item.obj.get("reason_text") or "cancelled")}, self.date(item))

    def _convertible_cancellation(self, item: Item) -> None:
        sec = self.security(item, "note")
        if item.obj.get("balance_security_id"):
            raise self.fail(item, "balance_security_id", "a partial cancellation of a note or SAFE: the ledger "
                                                         "cancels one whole")
        del self.securities[item.obj["security_id"]]
        self.emit(item, {"type": "ConvertibleCancelled", "convertible": sec.ledger,
                         "reason": str(item.obj.get("reason_text") or "cancelled")}, self.date(item))

    def _instrument_transfer(self, item: Item) -> None:
        sec = self.security(item, "warrant", "grant", "note")
        if item.obj.get("balance_security_id"):
            raise self.fail(item, "balance_security_id", "a partial transfer: the ledger transfers a warrant, grant, "
                                                         "note or SAFE whole")
        [result] = [i for i, _ in self._results(item, list(item.obj.get("resulting_security_ids") or []))] or [None]
        if result is None:
            raise self.fail(item, "resulting_security_ids", "must name the security the transferee receives")
        to = self.holder(result)
        if sec.kind == "grant":
            self.grant_ids.add(result.obj["security_id"])
        del self.securities[item.obj["security_id"]]
        self.securities[result.obj["security_id"]] = Security(sec.kind, to, sec.stock_class, sec.quantity, sec.ledger)
        self.emit(item, {"type": "InstrumentTransferred", "instrument": sec.ledger, "to_holder": to}, self.date(item))

    def _return_to_pool(self, item: Item) -> None:
        plan_id = item.obj.get("stock_plan_id")
        if plan_id not in self.plan_slugs:
            raise self.fail(item, "stock_plan_id", f"unknown stock plan {plan_id!r}")
        if item.obj.get("security_id") in self.grant_ids:
            # OCF's note of where a cancelled grant's shares went: the cancellation returned them.
            return
        self.emit(item, {"type": "SharesReturnedToPool", "plan": self.plan_slugs[plan_id],
                         "quantity": self.int_of(item, "quantity")}, self.date(item))

    def _ratio_adjustment(self, item: Item) -> None:
        cls = self.stock_class(item, item.obj.get("stock_class_id"))
        mech = item.obj.get("new_ratio_conversion_mechanism") or {}
        ratio = mech.get("ratio") or {}
        where = "new_ratio_conversion_mechanism.ratio"
        denominator = self.decimal_of(item, where + ".denominator", ratio.get("denominator", "1"))
        if mech.get("type") != "RATIO_CONVERSION" or denominator <= 0:
            raise self.fail(item, "new_ratio_conversion_mechanism", "must be a RATIO_CONVERSION with a positive ratio")
        value = self.decimal_of(item, where + ".numerator", ratio.get("numerator")) / denominator
        self.emit(item, {"type": "ConversionRatioAdjusted", "security": cls, "conversion_ratio": str(value)},
                  self.date(item))

    def _pool(self, item: Item) -> None:
        plan_id = item.obj.get("stock_plan_id")
        if plan_id not in self.plan_slugs:
            raise self.fail(item, "stock_plan_id", f"unknown stock plan {plan_id!r}")
        self.emit(item, {"type": "StockPlanPoolAdjusted", "plan": self.plan_slugs[plan_id],
                         "pool_size": self.int_of(item, "shares_reserved")}, self.date(item))

    def issuer_authorized(self) -> None:
        issuer = self.pkg.manifest["issuer"]
        authorized = issuer.get("initial_shares_authorized")
        if authorized is None or str(authorized).upper() in ("UNLIMITED", "NOT APPLICABLE"):
            return
        item = Item("Manifest", issuer, 0)
        self.emit(item, {"type": "AuthorizedSharesSet", "quantity": self.int_of(item, "initial_shares_authorized")},
                  self.start)

    def stock_plans(self) -> None:
        self.plans = {o.get("id"): o for _, o in self.pkg.of("OCF_STOCK_PLANS_FILE")}
        self.plan_slugs: dict[Any, str] = {}
        for file, obj in self.pkg.of("OCF_STOCK_PLANS_FILE"):
            item = Item(file, obj, 0)
            own = read_meta(obj).get("plan")  # this ledger's export names the plan in a comment
            slug = own if isinstance(own, str) and SLUG.match(own) and own not in self.slugs else \
                self.keep(item, "id", "plan", obj.get("id"))
            self.slugs.add(slug)
            self.plan_slugs[obj.get("id")] = slug
            ids = list(obj.get("stock_class_ids") or []) or ([obj["stock_class_id"]] if obj.get("stock_class_id") else [])
            if not ids:
                raise self.fail(item, "stock_class_ids", "required (the classes the plan grants)")
            behaviour = obj.get("default_cancellation_behavior") or "RETURN_TO_POOL"
            if behaviour not in CANCELLATION:
                raise self.fail(item, "default_cancellation_behavior", f"{behaviour!r} is not an OCF cancellation behavior")
            day = obj.get("board_approval_date") or obj.get("stockholder_approval_date") or self.start
            self.emit(item, {"type": "StockPlanCreated", "plan": slug, "name": str(obj.get("plan_name") or slug),
                             "securities": [self.stock_class(item, i, "stock_class_ids") for i in ids],
                             "pool_size": self.int_of(item, "initial_shares_reserved"),
                             "cancelled_shares": CANCELLATION[behaviour]},
                      self._date(day, item.label))

    # --- what a ledger export embedded -------------------------------------------------

    def documents(self) -> None:
        # The events an object of the package stands for, its effects on lots apart: an event of
        # a type OCF has objects for, but carried as a DOCUMENT (a transfer out of a holding no
        # source numbers), is taken from its DOCUMENT.
        native = {read_meta(obj).get("event") for kind in ("OCF_STAKEHOLDERS_FILE", "OCF_STOCK_CLASSES_FILE",
                                                             "OCF_STOCK_PLANS_FILE", "OCF_TRANSACTIONS_FILE")
                  for _, obj in self.pkg.of(kind) if not read_meta(obj).get("effect_of")}
        for file, obj in self.pkg.of("OCF_DOCUMENTS_FILE"):
            uri = obj.get("uri")
            if not isinstance(uri, str) or not uri.startswith(f"data:{EVENT_MEDIA};base64,"):
                continue  # a document of the issuer's: nothing to fold
            item = Item(file, obj, 0)
            try:
                body = base64.b64decode(uri.split(",", 1)[1], validate=True)
                record = json.loads(body.decode("utf-8"))
            except (binascii.Error, UnicodeDecodeError, json.JSONDecodeError):
                raise self.fail(item, "uri", "the embedded event is not base64 JSON") from None
            if hashlib.md5(body).hexdigest() != obj.get("md5"):  # noqa: S324
                raise self.fail(item, "md5", "does not match the embedded event (altered?)")
            if not isinstance(record, dict) or (record.get("type") in FROM_OBJECTS
                                                 and record.get("event_id") in native):
                continue
            original = record.get("source") or {}
            data = {k: v for k, v in record.items() if k not in ("event_id", "recorded_at", "issuer", "source")}
            data["source"] = {"document": self.document_for(original.get("document")),
                              "locator": f"{item.label} (from {original.get('locator')})",
                              "quote": original.get("quote", "")}
            data["issuer"] = self.issuer
            try:
                event = parse_event(data)
            except ValidationError as exc:
                err = exc.errors()[0]
                raise self.fail(item, ".".join(str(p) for p in err["loc"][1:]), str(err.get("msg"))) from None
            seq = read_meta(obj).get("seq")
            self.order += 1
            self.events.append(((event.effective_date, seq if isinstance(seq, int) else 10**9 + self.order,
                                 self.order), event))

    def run(self) -> list[Event]:
        try:
            self.stakeholders()
            self.stock_classes()
            self.issuer_authorized()
            self.stock_plans()
            self.documents()
            self.transactions()
        except (AttributeError, TypeError, KeyError, IndexError, ValueError, ArithmeticError) as exc:
            # The checks above name the object and field for every shape the standard allows;
            # a value of a shape it does not (a name that is a string, a list for a number)
            # ends here, still as one line.
            raise InputError(self.pkg.name, None, None, "",
                             f"an OCF object is not of the shape the standard gives it "
                             f"({type(exc).__name__}: {exc})") from None
        for kind, external, ledger in self.recorded:
            self.emit(Item("--ids", {"object_type": kind, "id": external}, 0),
                      {"type": "IdentifierRecorded", "scheme": "ocf", "kind": kind, "external": external,
                       "ledger_id": ledger}, self.start)
        return [e for _, e in sorted(self.events, key=lambda t: t[0])]


def ocf_events(path: Path, name: str | None = None, *, ignore_checksums: bool = False,
               ids: dict[str, str] | None = None) -> list[Event]:
    return Translator(read_package(path, name, ignore_checksums=ignore_checksums), ids=dict(ids or {})).run()


def load_ocf(path: Path, *, ignore_checksums: bool = False, ids: dict[str, str] | None = None) -> list[Loaded]:
    """The package's events as the loader's `Loaded` items, every one attributed to the package path."""
    events = ocf_events(path, str(path), ignore_checksums=ignore_checksums, ids=ids)
    return [Loaded(str(path), index, event, event.source.locator) for index, event in enumerate(events)]
