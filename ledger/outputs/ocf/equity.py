"""Equity compensation and the events that move shares beside it, as OCF's own objects, built
with the standard's models (pyocf) so that what is written is what OCF v1.2.0 defines.

Stock plans, pool adjustments, grants (options, RSUs, SARs) with a dated vesting schedule,
their exercises, releases, cancellations and accelerations, repurchases and cancellations of
shares, and the end of a holder's service, whose forfeitures are written as cancellations
marked as its effect (an import takes the service end again from its DOCUMENT and passes those
over). A grant whose vesting waits on a condition gets VESTING_TERMS, as a warrant does, and
each condition met a TX_VESTING_EVENT.

Used by ledger.outputs.ocf.build.Builder, which folds the history beside the export
(`self.state`, before each event) to know what a grant holds on a date.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from events import (
    AuthorizedSharesSet,
    ConversionRatioAdjusted,
    ConvertibleCancelled,
    ConvertibleConverted,
    EquityCompensationCancelled,
    EquityCompensationExercised,
    EquityCompensationIssued,
    EquityCompensationReleased,
    Event,
    InstrumentTransferred,
    SafeIssued,
    ServiceEnded,
    SharesCancelled,
    SharesRepurchased,
    SharesReturnedToPool,
    StockPlanCreated,
    StockPlanPoolAdjusted,
    VestingAccelerated,
    VestingConditionMet,
    WarrantCancelled,
)
from ledger.common.ocf import derived_id, money, numeric
from ledger.errors import UsageError
from ledger.outputs.ocf.comments import comments

if TYPE_CHECKING:
    from projections.state import State

COMPENSATION = {("option", "ISO"): "OPTION_ISO", ("option", "NSO"): "OPTION_NSO", ("rsu", None): "RSU",
                ("sar", None): "SSAR"}
PERIOD = {"days": "DAYS", "months": "MONTHS"}


def ocf(model: type, **fields: Any) -> dict[str, Any]:
    """An OCF object, validated by the standard's model, as JSON data (None fields left out).
    An object the standard does not allow stops the export with one line naming it."""
    from pydantic import ValidationError  # noqa: PLC0415

    try:
        return model(**fields).model_dump(mode="json", exclude_none=True)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise UsageError(f"OCF export: {model.__name__} {fields.get('id')}: {where}: {err['msg']}") from None


class EquityObjects:
    """The handlers Builder dispatches the equity-compensation events to; each returns False
    where the event travels as a DOCUMENT instead."""

    state: State
    ratios: dict[str, Any]
    warrants: dict[str, Any]
    grants: dict[str, str]  # the grants written natively -> their security_id
    convertibles: dict[str, str]  # the notes and SAFEs written natively -> their security_id
    pkg: Any

    def _meta(self, e: Event, meta: dict[str, Any], *notes: str) -> list[str]:
        return comments(e, meta, *notes)

    def _plan_created(self, e: StockPlanCreated) -> None:
        from pyocf.objects.stockplan import StockPlan  # noqa: PLC0415

        self.pkg.stock_plans.append(ocf(
            StockPlan, id=e.plan, plan_name=e.name, initial_shares_reserved=numeric(e.pool_size),
            board_approval_date=e.effective_date.isoformat(), stock_class_ids=list(e.securities),
            default_cancellation_behavior="RETIRE" if e.cancelled_shares == "retire" else "RETURN_TO_POOL",
            comments=self._meta(e, {"plan": e.plan})))

    def _pool_adjusted(self, e: StockPlanPoolAdjusted) -> None:
        from pyocf.objects.transactions.adjustment.stockplanpooladjustment import StockPlanPoolAdjustment  # noqa: PLC0415

        self.pkg.transactions.append(ocf(
            StockPlanPoolAdjustment, id=e.event_id, date=e.effective_date.isoformat(), stock_plan_id=e.plan,
            shares_reserved=numeric(e.pool_size), comments=self._meta(e, {})))

    def _grant_issued(self, e: EquityCompensationIssued) -> bool | None:
        from pyocf.objects.transactions.issuance.equitycompensationissuance import (  # noqa: PLC0415
            EquityCompensationIssuance,
        )

        security_id = derived_id(e.event_id, "security")
        self.grants[e.grant] = security_id
        # The tranches as the fold cuts them from the schedule: the same whole shares on the same dates.
        from projections.fold import vesting_tranches  # noqa: PLC0415

        day = e.effective_date
        tranches = vesting_tranches(e)
        vestings = [{"date": max(t.exercisable_from or day, day).isoformat(), "amount": numeric(t.quantity)}
                    for t in tranches]
        terms: dict[str, Any] = {"id": e.event_id}
        if any(t.condition is not None for t in tranches):
            # Conditions: VESTING_TERMS, as a warrant's (a VESTING_EVENT per condition), met by TX_VESTING_EVENTs.
            from ledger.outputs.ocf.positions import Tranche, Warrant  # noqa: PLC0415

            held = Warrant(e.grant, e.holder, e.security, e.quantity, None, e.expires, e.grant, security_id,
                           f"{e.grant}-exercise", [Tranche(t.quantity, t.exercisable_from, t.condition)
                                                   for t in tranches])
            self.grant_tranches[e.grant] = held
            self._vesting(terms, held, day)
            vestings = None
        fields: dict[str, Any] = {
            "id": e.event_id, "security_id": security_id, "date": day.isoformat(), "custom_id": e.grant,
            "stakeholder_id": e.holder, "stock_class_id": e.security, "stock_plan_id": e.plan,
            "compensation_type": COMPENSATION.get((e.kind, e.option_type), "OPTION"),
            "quantity": numeric(e.quantity), "expiration_date": None if e.expires is None else e.expires.isoformat(),
            "termination_exercise_windows": [] if e.exercise_window is None else [
                {"reason": "VOLUNTARY_OTHER", "period": e.exercise_window.length,
                 "period_type": PERIOD[e.exercise_window.unit]}],
            "vestings": vestings, "vesting_terms_id": terms.get("vesting_terms_id"), "security_law_exemptions": [],
        }
        if e.exercise_price is not None:
            fields["base_price" if e.kind == "sar" else "exercise_price"] = money(e.exercise_price)
        meta = {"grant": e.grant, "rounding": e.rounding}
        if e.vesting is not None:
            meta["vesting"] = e.vesting.model_dump(mode="json")
        obj = ocf(EquityCompensationIssuance, comments=self._meta(e, meta), **fields)
        obj.setdefault("expiration_date", None)  # required, null where the grant states none
        self._add_warrant(obj)  # with the vesting start its terms queued
        return None

    def _condition_met(self, e: VestingConditionMet) -> bool | None:
        held = self.grant_tranches.get(e.grant)
        if held is None:
            return False
        self._conditions_met(held, e)
        return None

    def _deliver(self, e: Event, grant: str, shares: int, role: str) -> list[str]:
        if not shares:
            return []
        w = self.state.warrants[grant]
        stock_id = derived_id(e.event_id, "stock")
        self._stock(derived_id(e.event_id, "stock-issuance"), stock_id, e.effective_date, w.holder, w.security,
                    shares, None, [f"Issued on the {role} of {grant}"], {"result_of": e.event_id, "role": role}, e)
        return [stock_id]

    def _grant_exercised(self, e: EquityCompensationExercised) -> bool | None:
        from pyocf.objects.transactions.exercise.equitycompensationexercise import (  # noqa: PLC0415
            EquityCompensationExercise,
        )

        if e.grant not in self.grants:
            return False
        shares = self._shares_of(e)
        resulting = self._deliver(e, e.grant, shares, "exercise")
        meta = {"method": e.method, "fair_market_value": None if e.fair_market_value is None
                else str(e.fair_market_value)}
        self.pkg.transactions.append(ocf(
            EquityCompensationExercise, id=e.event_id, security_id=self.grants[e.grant],
            date=e.effective_date.isoformat(), quantity=numeric(e.quantity), resulting_security_ids=resulting,
            comments=self._meta(e, {k: v for k, v in meta.items() if v is not None})))
        return None

    def _shares_of(self, e: EquityCompensationExercised) -> int:
        from projections.fold import exercise_shares  # noqa: PLC0415

        return exercise_shares(self.state.warrants[e.grant], e)

    def _grant_released(self, e: EquityCompensationReleased) -> bool | None:
        from pyocf.objects.transactions.release.equitycompensationrelease import (  # noqa: PLC0415
            EquityCompensationRelease,
        )

        if e.grant not in self.grants or e.withheld == e.quantity:
            return False  # nothing delivered: OCF's release would say nothing of what was withheld
        resulting = self._deliver(e, e.grant, e.quantity - e.withheld, "release")
        self.pkg.transactions.append(ocf(
            EquityCompensationRelease, id=e.event_id, security_id=self.grants[e.grant],
            date=e.effective_date.isoformat(), settlement_date=e.effective_date.isoformat(),
            release_price=money(0),  # RSUs are settled for no payment
            quantity=numeric(e.quantity), resulting_security_ids=resulting,
            comments=self._meta(e, {"withheld": e.withheld}, f"{e.withheld:,} withheld for tax")))
        return None

    def _cancellation(self, e: Event, grant: str, quantity: int, reason: str, meta: dict[str, Any],
                      oid: str) -> None:
        from pyocf.objects.transactions.cancellation.equitycompensationcancellation import (  # noqa: PLC0415
            EquityCompensationCancellation,
        )

        self.pkg.transactions.append(ocf(
            EquityCompensationCancellation, id=oid, security_id=self.grants[grant], date=e.effective_date.isoformat(),
            quantity=numeric(quantity), reason_text=reason, comments=self._meta(e, meta)))

    def _grant_cancelled(self, e: EquityCompensationCancelled) -> bool | None:
        if e.grant not in self.grants:
            return False
        quantity = e.quantity if e.quantity is not None else self.state.warrants[e.grant].outstanding(e.effective_date)
        self._cancellation(e, e.grant, quantity, e.reason, {}, e.event_id)
        return None

    def _service_ended(self, e: ServiceEnded) -> bool | None:
        """The forfeitures, as cancellations marked as this event's effect; the event itself (the
        exercise window it opens) travels as a DOCUMENT."""
        from projections.fold import unvested  # noqa: PLC0415

        day = e.effective_date
        for name, w in sorted(self.state.warrants.items()):
            if name in self.grants and w.holder == e.holder and not w.expired_on(day):
                left = unvested(w, day)
                if left:
                    self._cancellation(e, name, left, "Forfeited: unvested when service ended",
                                       {"effect_of": e.event_id}, derived_id(e.event_id, "forfeit", name))
        return False

    def _accelerated(self, e: VestingAccelerated) -> bool | None:
        from pyocf.objects.transactions.vesting.vestingacceleration import VestingAcceleration  # noqa: PLC0415
        from projections.fold import unvested  # noqa: PLC0415

        if e.grant not in self.grants:
            return False
        quantity = e.quantity if e.quantity is not None else unvested(self.state.warrants[e.grant],
                                                                             e.effective_date)
        self.pkg.transactions.append(ocf(
            VestingAcceleration, id=e.event_id, security_id=self.grants[e.grant], date=e.effective_date.isoformat(),
            quantity=numeric(quantity), reason_text="accelerated", comments=self._meta(e, {})))
        return None

    def _shares_out(self, e: SharesRepurchased | SharesCancelled) -> None:
        """Shares leaving a holder: each lot consumed, with its balance issued back."""
        from pyocf.objects.transactions.cancellation.stockcancellation import StockCancellation  # noqa: PLC0415
        from pyocf.objects.transactions.repurchase.stockrepurchase import StockRepurchase  # noqa: PLC0415

        repurchase = isinstance(e, SharesRepurchased)
        role = "repurchase" if repurchase else "cancellation"
        for i, lot, taken, balance in self._consume(e, e.holder, e.security, e.quantity, role):
            fields: dict[str, Any] = {"id": e.event_id if i == 0 else derived_id(e.event_id, str(i)),
                                      "security_id": lot.security_id, "date": e.effective_date.isoformat(),
                                      "quantity": numeric(taken), "balance_security_id": balance,
                                      "comments": self._meta(e, {"part": i})}
            if repurchase:
                if e.price_per_share is not None:
                    fields["price"] = money(e.price_per_share)
                self.pkg.transactions.append(ocf(StockRepurchase, **fields))
            else:
                self.pkg.transactions.append(ocf(StockCancellation, reason_text=e.reason, **fields))

    def _safe_issued(self, e: SafeIssued) -> None:
        from pyocf.objects.transactions.issuance.convertibleissuance import ConvertibleIssuance  # noqa: PLC0415

        mechanism: dict[str, Any] = {"type": "SAFE_CONVERSION", "conversion_mfn": False,
                                     "conversion_timing": "POST_MONEY" if e.post_money else "PRE_MONEY"}
        if e.valuation_cap is not None:
            mechanism["conversion_valuation_cap"] = money(e.valuation_cap)
        if e.discount is not None:
            mechanism["conversion_discount"] = numeric(e.discount)
        right: dict[str, Any] = {"type": "CONVERTIBLE_CONVERSION_RIGHT", "conversion_mechanism": mechanism}
        if e.converts_to is not None:
            right["converts_to_stock_class_id"] = e.converts_to
        security_id = derived_id(e.event_id, "security")
        self.convertibles[e.safe] = security_id
        self.pkg.transactions.append(ocf(
            ConvertibleIssuance, id=e.event_id, security_id=security_id, date=e.effective_date.isoformat(),
            custom_id=e.safe, stakeholder_id=e.holder, investment_amount=money(e.investment),
            convertible_type="SAFE", seniority=1, security_law_exemptions=[],
            conversion_triggers=[{"trigger_id": f"{e.safe}-conversion", "type": "AUTOMATIC_ON_CONDITION",
                                  "trigger_condition": "an equity financing", "conversion_right": right}],
            comments=self._meta(e, {"note": e.safe, "unstated": ["seniority"]},
                                "seniority not stated in the ledger; OCF requires a value, so 1 is given")))

    def _convertible_converted(self, e: ConvertibleConverted) -> bool | None:
        """The conversion of a note or SAFE, and the shares it issues; the financing's price and the
        capitalization go in the comment, from which an import restores the event whole."""
        from pyocf.objects.transactions.conversion.convertibleconversion import ConvertibleConversion  # noqa: PLC0415

        security_id = self.convertibles.get(e.convertible)
        if security_id is None:
            return False
        from projections.fold import conversion_shares  # noqa: PLC0415

        c = self.state.notes[e.convertible]
        shares = conversion_shares(c, e, self.state.note_prices.get(e.convertible))
        stock_id = derived_id(e.event_id, "stock")
        self._stock(derived_id(e.event_id, "stock-issuance"), stock_id, e.effective_date, c.holder, e.security,
                    shares, None, [f"Issued on the conversion of {e.convertible}"],
                    {"result_of": e.event_id, "role": "conversion"}, e)
        meta = {k: v for k, v in e.payload().items() if k in ("price_per_share", "capitalization", "rounding")}
        self.pkg.transactions.append(ocf(
            ConvertibleConversion, id=e.event_id, security_id=security_id, date=e.effective_date.isoformat(),
            trigger_id=f"{e.convertible}-conversion", reason_text="converted at an equity financing",
            quantity_converted=None, resulting_security_ids=[stock_id], comments=self._meta(e, meta)))
        return None

    def _warrant_cancelled(self, e: WarrantCancelled) -> bool | None:
        """A TX_WARRANT_CANCELLATION, the rest of the warrant issued anew as its balance."""
        from pyocf.objects.transactions.cancellation.warrantcancellation import WarrantCancellation  # noqa: PLC0415

        w = self.warrants.get(e.warrant)
        if w is None:
            return False
        quantity = e.quantity if e.quantity is not None else w.quantity
        old = w.security_id
        w.cancel(quantity, e.effective_date)
        fields: dict[str, Any] = {"id": e.event_id, "security_id": old, "date": e.effective_date.isoformat(),
                                  "quantity": numeric(quantity), "reason_text": e.reason}
        if w.quantity > 0:
            w.security_id = derived_id(e.event_id, "remainder")
            fields["balance_security_id"] = w.security_id
        self.pkg.transactions.append(ocf(WarrantCancellation, comments=self._meta(e, {"warrant": e.warrant}),
                                         **fields))
        if w.quantity > 0:
            self._add_warrant(self._warrant_object(
                w, derived_id(e.event_id, "remainder-issuance"), e.effective_date, e,
                {"result_of": e.event_id, "role": "remainder"},
                [f"What is left of warrant {w.custom_id} after the cancellation"]))
        return None

    def _ratio_adjusted(self, e: ConversionRatioAdjusted) -> None:
        from pyocf.objects.transactions.adjustment.stockclassconversionratioadjustment import (  # noqa: PLC0415
            StockClassConversionRatioAdjustment,
        )
        from fractions import Fraction  # noqa: PLC0415

        self.ratios[e.security] = Fraction(e.conversion_ratio)
        self.pkg.transactions.append(ocf(
            StockClassConversionRatioAdjustment, id=e.event_id, date=e.effective_date.isoformat(),
            stock_class_id=e.security,
            new_ratio_conversion_mechanism={"type": "RATIO_CONVERSION", "rounding_type": "FLOOR",
                                            "ratio": {"numerator": numeric(e.conversion_ratio), "denominator": "1"},
                                            "conversion_price": money(0)},
            comments=self._meta(e, {"unstated": ["conversion_price"]},
                                "conversion_price not stated in the ledger; OCF requires a value, so 0 is given")))

    def _authorized(self, e: AuthorizedSharesSet) -> None:
        from pyocf.objects.transactions.adjustment.issuerauthorizedsharesadjustment import (  # noqa: PLC0415
            IssuerAuthorizedSharesAdjustment,
        )
        from pyocf.objects.transactions.adjustment.stockclassauthorizedsharesadjustment import (  # noqa: PLC0415
            StockClassAuthorizedSharesAdjustment,
        )

        common = {"id": e.event_id, "date": e.effective_date.isoformat(), "new_shares_authorized": numeric(e.quantity),
                  "comments": self._meta(e, {})}
        if e.security is None:
            self.pkg.transactions.append(ocf(IssuerAuthorizedSharesAdjustment, issuer_id=self.pkg.issuer["id"],
                                             **common))
        else:
            self.pkg.transactions.append(ocf(StockClassAuthorizedSharesAdjustment, stock_class_id=e.security,
                                             **common))

    def _returned_to_pool(self, e: SharesReturnedToPool) -> None:
        from pyocf.objects.transactions.return_to_pool.stockplanreturntopool import StockPlanReturnToPool  # noqa: PLC0415

        self.pkg.transactions.append(ocf(
            StockPlanReturnToPool, id=e.event_id, date=e.effective_date.isoformat(), stock_plan_id=e.plan,
            security_id=derived_id(e.event_id, "returned"), quantity=numeric(e.quantity),
            reason_text="shares returned to the pool", comments=self._meta(e, {})))

    def _convertible_cancelled(self, e: ConvertibleCancelled) -> bool | None:
        from pyocf.objects.transactions.cancellation.convertiblecancellation import (  # noqa: PLC0415
            ConvertibleCancellation,
        )

        security_id = self.convertibles.get(e.convertible)
        if security_id is None:
            return False
        c = self.state.notes[e.convertible]
        amount = c.investment if hasattr(c, "investment") else c.principal
        self.pkg.transactions.append(ocf(
            ConvertibleCancellation, id=e.event_id, security_id=security_id, date=e.effective_date.isoformat(),
            amount=money(amount), reason_text=e.reason, comments=self._meta(e, {})))
        return None

    def _transferred_instrument(self, e: InstrumentTransferred) -> bool | None:
        """A warrant, note or SAFE passing whole: its transfer, and the transferee's security, issued
        on the same terms. A grant's transfer travels as a DOCUMENT."""
        import copy  # noqa: PLC0415

        from pyocf.objects.transactions.transfer.convertibletransfer import ConvertibleTransfer  # noqa: PLC0415
        from pyocf.objects.transactions.transfer.warranttransfer import WarrantTransfer  # noqa: PLC0415

        new_id = derived_id(e.event_id, "transferee")
        day = e.effective_date.isoformat()
        w = self.warrants.get(e.instrument)
        if w is not None:
            old = w.security_id
            self.pkg.transactions.append(ocf(
                WarrantTransfer, id=e.event_id, security_id=old, date=day, quantity=numeric(w.quantity),
                resulting_security_ids=[new_id], comments=self._meta(e, {"warrant": e.instrument})))
            w.holder, w.security_id = e.to_holder, new_id
            self._add_warrant(self._warrant_object(
                w, derived_id(e.event_id, "transferee-issuance"), e.effective_date, e,
                {"result_of": e.event_id, "role": "transferee"}, [f"Received by transfer of {e.instrument}"]))
            return None
        if e.instrument in self.grants:
            return self._grant_transferred(e)
        old = self.convertibles.get(e.instrument)
        if old is None:
            return False
        issued = next(o for o in self.pkg.transactions
                      if o["object_type"] == "TX_CONVERTIBLE_ISSUANCE" and o["security_id"] == old)
        self.pkg.transactions.append(ocf(
            ConvertibleTransfer, id=e.event_id, security_id=old, date=day, amount=issued["investment_amount"],
            resulting_security_ids=[new_id], comments=self._meta(e, {"note": e.instrument})))
        again = copy.deepcopy(issued)
        again.update({"id": derived_id(e.event_id, "transferee-issuance"), "security_id": new_id, "date": day,
                      "stakeholder_id": e.to_holder,
                      "comments": self._meta(e, {"result_of": e.event_id, "role": "transferee"},
                                             f"Received by transfer of {e.instrument}")})
        self.pkg.transactions.append(again)
        self.convertibles[e.instrument] = new_id
        return None

    def _grant_transferred(self, e: InstrumentTransferred) -> bool | None:
        """A grant passing whole: TX_EQUITY_COMPENSATION_TRANSFER, and the transferee's grant for
        what is left of it, vesting on the dates what is left vests (exercises drawn from the
        earliest). A grant with a condition still waiting travels as a DOCUMENT."""
        import copy  # noqa: PLC0415

        from pyocf.objects.transactions.transfer.equitycompensationtransfer import (  # noqa: PLC0415
            EquityCompensationTransfer,
        )

        w = self.state.warrants[e.instrument]
        if any(t.condition is not None for t in w.tranches):
            return False
        day = e.effective_date
        left = w.outstanding(day)
        remaining, drawn = [], w.exercised
        for t in sorted(w.tranches, key=lambda t: t.exercisable_from or w.issued_on):
            take = min(drawn, t.quantity)
            drawn -= take
            if t.quantity - take:
                remaining.append({"date": max(t.exercisable_from or day, day).isoformat(),
                                  "amount": numeric(t.quantity - take)})
        old, new_id = self.grants[e.instrument], derived_id(e.event_id, "transferee")
        issued = next(o for o in self.pkg.transactions
                      if o["object_type"] == "TX_EQUITY_COMPENSATION_ISSUANCE" and o["security_id"] == old)
        self.pkg.transactions.append(ocf(
            EquityCompensationTransfer, id=e.event_id, security_id=old, date=day.isoformat(), quantity=numeric(left),
            resulting_security_ids=[new_id], comments=self._meta(e, {"grant": e.instrument})))
        again = copy.deepcopy(issued)
        again.update({"id": derived_id(e.event_id, "transferee-issuance"), "security_id": new_id,
                      "date": day.isoformat(), "stakeholder_id": e.to_holder, "quantity": numeric(left),
                      "vestings": remaining,
                      "comments": self._meta(e, {"result_of": e.event_id, "role": "transferee"},
                                             f"Received by transfer of {e.instrument}")})
        self.pkg.transactions.append(again)
        self.grants[e.instrument] = new_id
        return None

    def equity_handlers(self) -> dict[type, Any]:
        return {
            StockPlanCreated: self._plan_created, StockPlanPoolAdjusted: self._pool_adjusted,
            EquityCompensationIssued: self._grant_issued, EquityCompensationExercised: self._grant_exercised,
            EquityCompensationReleased: self._grant_released, EquityCompensationCancelled: self._grant_cancelled,
            ServiceEnded: self._service_ended, VestingAccelerated: self._accelerated,
            SharesRepurchased: self._shares_out, SharesCancelled: self._shares_out,
            SafeIssued: self._safe_issued, ConvertibleConverted: self._convertible_converted,
            WarrantCancelled: self._warrant_cancelled, ConversionRatioAdjusted: self._ratio_adjusted,
            AuthorizedSharesSet: self._authorized, SharesReturnedToPool: self._returned_to_pool,
            ConvertibleCancelled: self._convertible_cancelled, InstrumentTransferred: self._transferred_instrument,
            VestingConditionMet: self._condition_met,
        }
