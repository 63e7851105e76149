"""Draft events from a Form 3, 4 or 5: who holds what after each reported transaction.

Each reported row becomes what it does to the holder's position, and each "amount owned
following" becomes a HoldingReported that reconcile checks at its place in the history:

- the holding before a holder's first reported row is inferred from that row (owned
  following, less what it acquired or plus what it disposed of) and marked as an inference;
  `Draft.openings` lists them, so that a batch of filings keeps only the first;
- acquisitions from the issuer (A grants, M/X/C/O exercises and conversions not matched in
  Table II) are SharesIssued; dispositions to the issuer (F tax withholding, D) are
  SharesRepurchased; anything else (S sales, P purchases, G gifts, J ...) is a transfer with
  `public`, holders the filings do not name, whose holding is undisclosed;
- a Table II exercise (M, X) of an option or settlement of an RSU, matched to its Table I
  acquisition by date and shares, is an EquityCompensationExercised or -Released on a grant
  inferred from the row (its quantity before the exercise); the shares it delivers are the
  Table I row's;
- an indirect holding ("By Trust") is held by a party of its own that the owner controls.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from ledger.intake.extract.draft import Draft
from ledger.intake.extract.figures import infer_kind
from ledger.intake.extract.ids import Ids
from ledger.intake.extract.ownership import Figure, OwnershipDocument, Row, day, number
from ledger.intake.extract.slugs import slugify
from projections.warrants import UNSTATED

PUBLIC = "public"
UNREPORTED_VESTING = UNSTATED  # the sources do not say when: exercisable figures become bounds
FROM_ISSUER = {"A", "M", "X", "C", "O"}
TO_ISSUER = {"F", "D"}
EXERCISES = {"M", "X", "C", "O"}
# Table II dispositions that end part of a grant without delivering shares.
CANCELLATIONS = {"D", "H", "E"}
_ENTITY_WORDS = re.compile(
    r"\b(trust|fund|partners|capital|holdings?|group|foundation|management|advisors?|associates|bank)\b", re.I)
CODE_NAMES = {
    "P": "open market or private purchase", "S": "open market or private sale",
    "A": "grant or award from the issuer", "D": "disposition to the issuer",
    "F": "payment of exercise price or tax by delivering or withholding securities",
    "M": "exercise or conversion of a derivative security", "X": "exercise of an in-the-money derivative",
    "C": "conversion of a derivative security", "O": "exercise of an out-of-the-money derivative",
    "G": "gift", "J": "other acquisition or disposition", "W": "acquisition or disposition by will",
    "I": "discretionary transaction", "L": "small acquisition", "Z": "deposit into or withdrawal from a voting trust",
    "K": "equity swap", "U": "disposition in a change-of-control tender", "E": "expiration of a short derivative",
    "H": "expiration or cancellation of a long derivative", "V": "voluntarily reported",
}


# The figures of a row, in the form's column order, whose footnotes the draft names.
FIGURES = ("title", "date", "code", "shares", "price", "acquired_disposed", "exercise_price", "exercisable",
           "expires", "underlying_title", "underlying_shares", "owned_following", "direct_indirect", "nature")


def regrant_id(grant: str, date: dt.date) -> str:
    """The id of a grant of the same terms as `grant`, granted again on `date` (RSUs granted
    each year): one form within a filing and across a batch of them."""
    return f"{grant}-{date.isoformat()}"[:120]


class _Drafter:
    def __init__(self, doc: OwnershipDocument, file_name: str, ids: Ids) -> None:
        self.doc = doc
        self.ids = ids
        self.issuer = ids.issuer(doc.issuer_cik, doc.issuer_name)
        # Joint filers report one holding: it is put with the owner of the lowest CIK, so that the
        # same holding filed with its owners in another order lands on the same party.
        owner = min(doc.owners, key=lambda o: (int(o.cik) if o.cik else 10**12, o.name)) if doc.owners else None
        self.owner = ids.party(owner.cik, owner.name) if owner else None
        self.joint = [o.name for o in doc.owners if o is not owner]
        form = doc.form.lower().replace("/", "")
        parts = [self.issuer, f"form{form}", (doc.period or doc.signed or dt.date.min).isoformat()]
        if self.owner:
            parts.append(self.owner)
        self.document_id = "-".join(parts)
        self.file_name = file_name
        self.events: list[dict[str, Any]] = []
        self.notes_per_event: list[list[str]] = []
        self.unread: list[dict[str, str]] = []
        self.notes: list[str] = []
        self.openings: set[int] = set()
        self.securities: dict[str, str] = {}
        self.parties: dict[str, str] = {}
        self.seen: set[tuple[str, str]] = set()  # (holder, security or grant) with a known position
        self.grant_left: dict[str, int] = {}

    # --- output helpers
    def emit(self, event: dict[str, Any], notes: list[str] | None = None, *, opening: bool = False) -> None:
        if opening:
            self.openings.add(len(self.events))
        self.events.append(event)
        self.notes_per_event.append(notes or [])

    def base(self, kind: str, date: dt.date, locator: str) -> dict[str, Any]:
        # No quote: an XML form has no words to quote, and `verify --sources` checks quotes word
        # for word; the locator names the row and the column.
        return {"type": kind, "effective_date": date, "source": {"locator": locator}}

    def missing(self, row: Row | None, field: str, reason: str) -> None:
        self.unread.append({"locator": row.locator if row else "form", "field": field, "reason": reason})

    # --- parties and classes
    def register_owners(self, date: dt.date) -> None:
        for owner in self.doc.owners:
            party = self.ids.party(owner.cik, owner.name)
            if party in self.parties:
                continue
            self.parties[party] = owner.name
            roles = [r for r, on in (("director", owner.director), ("officer", owner.officer),
                                     ("ten percent owner", owner.ten_percent), ("other", owner.other)) if on]
            event = self.base("PartyRegistered", date, "reporting owner")
            event.update(party=party, name=owner.name, kind=_owner_kind(owner.name))
            role = ", ".join(roles) + (f": {owner.title}" if owner.title else "")
            self.emit(event, [f"relationship to the issuer: {role or 'none stated'}",
                              f"kind '{event['kind']}' inferred from the name"])
            if owner.cik:
                ident = self.base("IdentifierRecorded", date, "reporting owner")
                ident.update(scheme="sec", kind="party", ledger_id=party, external=owner.cik)
                self.emit(ident)

    def security(self, title_figure: Figure | None, row: Row, date: dt.date) -> str | None:
        title = title_figure.text if title_figure else None
        if not title:
            self.missing(row, "security", "no security title")
            return None
        slug = self.ids.security(title)
        if slug not in self.securities:
            self.securities[slug] = title
            kind = "preferred" if "preferred" in title.lower() else "common"
            date = min(date, self.start)
            event = self.base("SecurityClassCreated", date, row.locator)
            event.update(security=slug, name=title, kind=kind)
            self.emit(event, [f"kind '{kind}' inferred from the title"])
            if PUBLIC not in self.parties:
                self.parties[PUBLIC] = "holders not named in these filings"
                public = self.base("PartyRegistered", date, "form")
                public.update(party=PUBLIC, name="Holders not named in these filings", kind="other")
                self.emit(public, ["the other side of sales and purchases: the market, or anyone unnamed"])
            undisclosed = self.base("UndisclosedHolding", date, row.locator)
            undisclosed.update(holder=PUBLIC, security=slug,
                               description="the shares held by holders the filings do not name")
            self.emit(undisclosed, [f"a Form {self.doc.form} does not state the shares outstanding: "
                                    "the class's total stays open"])
        return slug

    def holder(self, row: Row, date: dt.date) -> str | None:
        if self.owner is None:
            self.missing(row, "holder", "no reporting owner")
            return None
        indirect = row.direct_indirect is not None and (row.direct_indirect.text or "").upper() == "I"
        if not indirect:
            return self.owner
        nature = row.nature.text if row.nature and row.nature.text else "indirect"
        party = f"{self.owner}-{slugify(nature)}"[:100].strip("-")
        if party not in self.parties:
            self.parties[party] = nature
            date = min(date, self.start)
            owner_name = self.parties.get(self.owner, self.owner)
            event = self.base("PartyRegistered", date, row.locator)
            event.update(party=party, name=f"{owner_name} ({nature})", kind="other")
            self.emit(event, ["held indirectly by the reporting owner: a party of its own, controlled by the owner"])
            control = self.base("ControlRecorded", date, row.locator)
            control.update(controller=self.owner, controlled=party, relation="other")
            self.emit(control)
        return party

    # --- rows
    def run(self) -> None:
        doc = self.doc
        dates = [d for d in (day(r.date) for r in doc.rows if r.transaction) if d is not None]
        start = min(dates) if dates else (doc.period or doc.signed)
        if start is None:
            self.missing(None, "effective_date", "no transaction date, period of report or signature date")
            return
        self.start = start  # what the filing registers, it registers from its earliest row
        self.register_owners(start)
        if self.joint:
            self.notes.append(f"a joint filing: its holdings are put with {self.owner}, the owner of the lowest "
                              f"CIK; {', '.join(self.joint)} file(s) with it")
        # In the order of the history (document order within a day): what a holder held before its
        # first row is inferred from its earliest row, and every row is checked after those before.
        def when(row: Row) -> dt.date:
            return (day(row.date) if row.transaction else None) or doc.period or start

        table_one = sorted((r for r in doc.rows if r.table == "I"), key=when)
        table_two = sorted((r for r in doc.rows if r.table == "II"), key=when)
        matched: dict[int, Row] = {}
        used: set[int] = set()
        for row in table_one:
            if row.transaction and _code(row) in EXERCISES and _ad(row) == "A":
                partner = next((d for d in table_two if d.transaction and id(d) not in used
                                and _code(d) == _code(row) and day(d.date) == day(row.date)
                                and number(d.shares) == number(row.shares)), None)
                if partner is not None:
                    matched[id(row)] = partner
                    used.add(id(partner))
        for row in table_one:
            self.table_one(row, matched.get(id(row)), start)
        for row in table_two:
            if id(row) not in used:
                self.table_two(row, start)

    def table_one(self, row: Row, partner: Row | None, start: dt.date) -> None:
        date = day(row.date) if row.transaction else (self.doc.period or start)
        if date is None:
            self.missing(row, "effective_date", "transaction date not read")
            return
        security = self.security(row.title, row, date)
        holder = self.holder(row, date)
        if security is None or holder is None:
            return
        following = number(row.owned_following)
        if following is None or following != following.to_integral_value() or following < 0:
            self.missing(row, "owned_following", _why(row.owned_following, "shares owned following"))
            following = None
        shares = number(row.shares) if row.transaction else Decimal(0)
        if row.transaction and (shares is None or shares != shares.to_integral_value() or shares <= 0):
            self.missing(row, "quantity", _why(row.shares, "transaction shares (whole shares)") + (
                "; the transaction is not drafted and the holding it leaves is reported"
                if following is not None else "; the transaction is not drafted"))
            shares = None
        ad = _ad(row) if row.transaction else None
        if row.transaction and ad not in {"A", "D"}:
            self.missing(row, "acquired_disposed", "neither A nor D; the transaction is not drafted")
            shares = None
        if (holder, security) not in self.seen and (following is None or shares is None):
            # Nothing to infer an opening from: the row is drafted as far as it goes, and what the
            # holder held before must come from an earlier filing.
            self.seen.add((holder, security))
            self.missing(row, "opening", f"what {holder} held before this row cannot be inferred without its "
                                         "shares and its amount owned following: an earlier filing must give it")
        if (holder, security) not in self.seen:
            held_before = int(following) - int(shares) if ad == "A" else int(following) + int(shares)
            self.seen.add((holder, security))
            if held_before < 0:
                self.missing(row, "owned_following", f"owned following {following} is less than the {shares} acquired")
                return
            if held_before:
                opening = self.base("SharesIssued", date, row.locator)
                opening.update(security=security, holder=holder, quantity=held_before)
                before = (
                    f"held before the first row this filing reports for {holder}: owned following "
                    f"{int(following)} {'less' if ad == 'A' else 'plus'} the {int(shares)} "
                    f"{'acquired' if ad == 'A' else 'disposed of'}" if row.transaction
                    else f"the holding {holder} reports in {row.locator}")
                opening["inference"] = {"reasoning": f"{before}; when and how it was acquired is not reported"}
                self.emit(opening, ["inferred opening holding: a batch of filings keeps only the first"],
                          opening=True)
        if row.transaction and shares is not None:
            self.transaction(row, partner, security, holder, int(shares), date)
        if following is None:
            return
        reported = self.base("HoldingReported", date, f"{row.locator}, owned following")
        reported.update(holder=holder, security=security, quantity=int(following))
        direct = (row.direct_indirect.text or "").upper() if row.direct_indirect else ""
        if direct in {"D", "I"}:
            reported["ownership"] = "direct" if direct == "D" else "indirect"
        if row.nature and row.nature.text:
            reported["nature"] = row.nature.text
        self.emit(reported, self.footnote_notes(row))

    def transaction(self, row: Row, partner: Row | None, security: str, holder: str, shares: int,
                    date: dt.date) -> None:
        code, ad = _code(row), _ad(row)
        price = _price(row.price)
        notes = [f"code {code}: {CODE_NAMES.get(code or '', 'code not in the form instructions')}"]
        notes += self.footnote_notes(row)
        if partner is not None:
            self.exercise(partner, row, holder, security, shares, date, notes)
            return
        if ad == "A" and code in FROM_ISSUER:
            event = self.base("SharesIssued", date, row.locator)
            event.update(security=security, holder=holder, quantity=shares)
            if price is not None:
                event["price_per_share"] = str(price)
            if code in EXERCISES:
                notes.append("no matching Table II row: the derivative exercised is not in this filing")
        elif ad == "D" and code in TO_ISSUER:
            event = self.base("SharesRepurchased", date, row.locator)
            event.update(security=security, holder=holder, quantity=shares)
            if price is not None:
                event["price_per_share"] = str(price)
        else:
            event = self.base("SharesTransferred", date, row.locator)
            giver, taker = (PUBLIC, holder) if ad == "A" else (holder, PUBLIC)
            event.update(security=security, from_holder=giver, to_holder=taker, quantity=shares)
            if price is not None:
                notes.append(f"price per share {price}")
        self.emit(event, notes)

    def exercise(self, row: Row, delivered: Row, holder: str, security: str, shares: int, date: dt.date,
                 notes: list[str]) -> None:
        """A Table II exercise or settlement (`row`), delivering the matched Table I shares (`delivered`)."""
        grant = self.grant(row, date, holder, security, shares)
        if grant is None:
            return
        kind, slug = grant
        where = f"{delivered.locator} with {row.locator}"
        event = self.base("EquityCompensationReleased" if kind == "rsu" else "EquityCompensationExercised",
                          date, where)
        event.update(grant=slug, quantity=shares)
        self.emit(event, notes + [f"{row.locator} reports the derivative side"])
        self.report_grant(row, holder, slug, date)

    def terms(self, row: Row, holder: str) -> tuple[str, str, Decimal | None, dt.date | None]:
        """(kind, grant id, exercise price, expiration) of a Table II row: grants of one title,
        price and expiration held by one holder are one position, as the form reports them."""
        title = row.title.text or ""
        lowered = title.lower()
        price = _price(row.exercise_price)
        kind = "rsu" if "restricted stock unit" in lowered or lowered.startswith("rsu") or (
            price is None and "unit" in lowered) else "option"
        expires = day(row.expires)
        parts = [holder, slugify(title)[:40]]
        if price is not None:
            parts.append(slugify(str(price)))
        if expires is not None:
            parts.append(expires.isoformat())
        return kind, "-".join(p for p in parts if p).strip("-")[:120], price, expires

    def issue(self, row: Row, date: dt.date, holder: str, security: str, slug: str, quantity: int,
              used: int, reasoning: str | None) -> None:
        """An EquityCompensationIssued of `quantity` on the row's terms; `used` of it exercised by
        the row (vested by then); an inference with `reasoning`, else stated by the row (code A)."""
        kind, _, price, expires = self.terms(row, holder)
        event = self.base("EquityCompensationIssued", date, row.locator)
        event.update(grant=slug, kind=kind, holder=holder, security=security, quantity=quantity)
        if kind == "option" and price is not None:
            event["exercise_price"] = str(price)
        if expires is not None and expires > date:
            event["expires"] = expires
        exercisable = day(row.exercisable)
        if exercisable is not None and exercisable <= date:
            vesting = f"exercisable from {exercisable}, as the row states"
        elif exercisable is not None and not used:
            event["tranches"] = [{"quantity": quantity, "exercisable_from": exercisable}]
            vesting = f"exercisable from {exercisable}, as the row states"
        else:
            # What the row exercises was vested; of the rest the filing says nothing (its
            # footnotes may): pending, so that vested figures are bounds, never guesses.
            tranches = [{"quantity": used, "exercisable_from": date}] if used else []
            if quantity - used:
                tranches.append({"quantity": quantity - used, "condition": UNREPORTED_VESTING})
            event["tranches"] = tranches
            vesting = (f"the {used} exercised here vested by {date}; " if used else "") + (
                f"{'the other' if used else 'all'} {quantity - used} wait on a condition the filings do not "
                "state (when they vest is not reported)" if quantity - used else "")
        notes = [f"exercisable {row.exercisable.text if row.exercisable and row.exercisable.text else 'not stated'}; "
                 + vesting] + self.footnote_notes(row)
        if reasoning is not None:
            event["inference"] = {"reasoning": f"{reasoning}; the grant's date is not reported; {vesting}"}
        self.emit(event, notes, opening=reasoning is not None)

    def grant(self, row: Row, date: dt.date, holder: str, security: str, shares: int) -> tuple[str, str] | None:
        """The grant a row exercises (or holds), inferred from the row where this filing has not
        drafted it yet: its quantity before the row is owned following plus what the row used."""
        kind, slug, _, _ = self.terms(row, holder)
        following = number(row.owned_following)
        if following is None or following != following.to_integral_value() or following < 0:
            self.missing(row, "owned_following", _why(row.owned_following, "derivative securities owned following"))
            return None
        if (holder, slug) not in self.seen:
            used = shares if row.transaction and _ad(row) == "D" else 0
            before = int(following) + used
            if before <= 0:
                self.missing(row, "owned_following", f"no grant left to exercise: owned following {following}")
                return None
            self.seen.add((holder, slug))
            title = row.title.text or ""
            self.issue(row, date, holder, security, slug, before, used,
                       f"the {title} {holder} held before this row: owned following {int(following)}"
                       + (f" plus the {used} exercised" if used else ""))
        return kind, slug

    def report_grant(self, row: Row, holder: str, slug: str, date: dt.date) -> None:
        following = number(row.owned_following)
        if following is None:
            return
        reported = self.base("HoldingReported", date, f"{row.locator}, owned following")
        reported.update(holder=holder, security=slug, quantity=int(following))
        self.emit(reported)

    def table_two(self, row: Row, start: dt.date) -> None:
        date = day(row.date) if row.transaction else (self.doc.period or start)
        if date is None:
            self.missing(row, "effective_date", "transaction date not read")
            return
        underlying = self.security(row.underlying_title or row.title, row, date)
        holder = self.holder(row, date)
        if underlying is None or holder is None:
            return
        if not row.transaction:
            grant = self.grant(row, date, holder, underlying, 0)
            if grant is not None:
                self.report_grant(row, holder, grant[1], date)
            return
        code, ad = _code(row), _ad(row)
        shares = number(row.shares)
        if shares is None or shares != shares.to_integral_value() or shares <= 0:
            self.missing(row, "quantity", _why(row.shares, "derivative securities (whole units)")
                         + "; the transaction is not drafted")
            return
        if code == "A" and ad == "A":
            self.new_grant(row, date, holder, underlying, int(shares))
            return
        grant = self.grant(row, date, holder, underlying, int(shares))
        if grant is None:
            return
        if ad == "D" and code in CANCELLATIONS:
            event = self.base("EquityCompensationCancelled", date, row.locator)
            event.update(grant=grant[1], quantity=int(shares), reason=f"code {code}: {CODE_NAMES[code]}")
            self.emit(event, self.footnote_notes(row))
        else:
            self.missing(row, "type", f"Table II code {code} ({CODE_NAMES.get(code or '', 'unknown')}) without a "
                                      "matching Table I row is not drafted; the holding it leaves is reported")
        self.report_grant(row, holder, grant[1], date)

    def new_grant(self, row: Row, date: dt.date, holder: str, security: str, shares: int) -> None:
        """A grant the row reports (code A): of the shares it acquires, on the row's terms. The
        same terms held before (owned following less the grant) are an earlier grant, inferred."""
        _, base, _, _ = self.terms(row, holder)
        following = number(row.owned_following)
        earlier = int(following) - shares if following is not None and following == following.to_integral_value() \
            else None
        if earlier is not None and earlier < 0:
            self.missing(row, "owned_following", f"owned following {following} is less than the {shares} granted")
            earlier = None
        slug = base
        if earlier or (holder, base) in self.seen:
            if earlier and (holder, base) not in self.seen:
                self.seen.add((holder, base))
                self.issue(row, date, holder, security, base, earlier, 0,
                           f"grants of these terms {holder} held before this row: owned following "
                           f"{int(following)} less the {shares} granted")
            slug = regrant_id(base, date)
        self.seen.add((holder, slug))
        self.issue(row, date, holder, security, slug, shares, 0, None)
        if slug == base and following is not None:
            self.report_grant(row, holder, slug, date)
        elif following is not None:
            self.notes.append(f"{row.locator}: owned following {int(following)} covers this grant of {shares} "
                              "and earlier grants of the same terms; it is not checked against one grant")

    def footnote_notes(self, row: Row) -> list[str]:
        """Each footnote of the row, with the figures it qualifies ("F2 (on price, shares): ...")."""
        on: dict[str, list[str]] = {}
        for name in FIGURES:
            figure = getattr(row, name)
            for fid in figure.footnotes if figure is not None else ():
                on.setdefault(fid, []).append(name.replace("_", " "))
        notes = []
        for fid in row.footnotes:
            where = f" (on {', '.join(on[fid])})" if fid in on else ""
            notes.append(f"{fid}{where}: {self.doc.footnotes.get(fid, '(footnote text not found)')}")
        return notes


def draft_ownership(doc: OwnershipDocument, file_name: str, ids: Ids) -> Draft:
    d = _Drafter(doc, file_name, ids)
    d.run()
    owner_names = ", ".join(o.name for o in doc.owners)
    return Draft(
        document={"id": d.document_id, "issuer": d.issuer,
                  "title": f"Form {doc.form} of {owner_names} for {doc.issuer_name}",
                  "file": file_name, "date": doc.signed},
        events=d.events,
        unread=d.unread,
        requires={"securities": {}, "parties": {}},
        notes=d.notes,
        event_notes=d.notes_per_event,
        filing={"form": f"Form {doc.form}", "title": f"Form {doc.form}", "issuer_name": doc.issuer_name,
                "issuer_cik": doc.issuer_cik, "ticker": doc.ticker, "event_date": doc.period, "signed": doc.signed,
                "owners": [(o.cik, o.name) for o in doc.owners], "amends": doc.form.upper().endswith("/A"),
                "amendment_of": doc.amendment_of},
        openings=d.openings,
    )


def _owner_kind(name: str) -> str:
    """An owner's kind from the name's legal form; a name without one is taken as a person's
    (Form 4 names people "SMITH DARLA M"), unless it names a trust, fund or the like."""
    kind = infer_kind(name, ())
    if kind == "other" and not _ENTITY_WORDS.search(name):
        return "individual"
    return kind


def _code(row: Row) -> str | None:
    return (row.code.text or "").upper() or None if row.code else None


def _ad(row: Row) -> str | None:
    return (row.acquired_disposed.text or "").upper() or None if row.acquired_disposed else None


def _price(figure: Figure | None) -> Decimal | None:
    value = number(figure)
    return value if value is not None and value > 0 else None


def _why(figure: Figure | None, what: str) -> str:
    if figure is None:
        return f"no {what}"
    if figure.text is None:
        return f"{what}: no figure" + (f", only footnotes {', '.join(figure.footnotes)}" if figure.footnotes else "")
    return f"{what}: '{figure.text}' is not a whole number of shares"
