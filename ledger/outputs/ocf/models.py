"""Every object the OCF export writes, constructed by the standard's own model for its
object_type (the pyocf package, generated from the v1.2.0 schemas): what the model does not
allow stops the export with one line naming the object, and what it writes is the model's."""

from __future__ import annotations

import importlib
from typing import Any

from ledger.outputs.ocf.equity import ocf

# object_type -> the pyocf model, by module and class name (imported when first needed): the
# types ledger.outputs.ocf.build writes as plain data. Those only ledger.outputs.ocf.equity
# writes (stock plans, repurchases, warrant and convertible transfers, warrant cancellations)
# are made by their model there, once.
_MODELS = {
    "ISSUER": "objects.issuer.Issuer",
    "STAKEHOLDER": "objects.stakeholder.Stakeholder",
    "STOCK_CLASS": "objects.stockclass.StockClass",
    "VESTING_TERMS": "objects.vestingterms.VestingTerms",
    "DOCUMENT": "objects.document.Document",
    "TX_STOCK_ISSUANCE": "objects.transactions.issuance.stockissuance.StockIssuance",
    "TX_STOCK_TRANSFER": "objects.transactions.transfer.stocktransfer.StockTransfer",
    "TX_STOCK_CANCELLATION": "objects.transactions.cancellation.stockcancellation.StockCancellation",
    "TX_STOCK_CONVERSION": "objects.transactions.conversion.stockconversion.StockConversion",
    "TX_STOCK_CLASS_SPLIT": "objects.transactions.split.stockclasssplit.StockClassSplit",
    "TX_WARRANT_ISSUANCE": "objects.transactions.issuance.warrantissuance.WarrantIssuance",
    "TX_WARRANT_EXERCISE": "objects.transactions.exercise.warrantexercise.WarrantExercise",
    "TX_CONVERTIBLE_ISSUANCE": "objects.transactions.issuance.convertibleissuance.ConvertibleIssuance",
    "TX_VESTING_START": "objects.transactions.vesting.vestingstart.VestingStart",
    "TX_VESTING_EVENT": "objects.transactions.vesting.vestingevent.VestingEvent",
}


def through_model(obj: dict[str, Any]) -> dict[str, Any]:
    """The object as its OCF model makes it; an object_type not listed here was built by its
    model already (ledger.outputs.ocf.equity) and is returned as it is."""
    path = _MODELS.get(obj.get("object_type", ""))
    if path is None:
        return obj
    module, name = path.rsplit(".", 1)
    model = getattr(importlib.import_module(f"pyocf.{module}"), name)
    return ocf(model, **obj)
