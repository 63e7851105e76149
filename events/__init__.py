"""The vocabulary: immutable event types. Imports only pydantic and the standard library.

Each name is loaded from its module when first asked for (`from events import SharesIssued`
works as ever): building the pydantic models is most of a short command's start, and some
commands, or `events.bounds`, need none of them."""

from __future__ import annotations

import importlib
from typing import Any

# name -> the module of events that defines it
_WHERE: dict[str, str] = {
    **dict.fromkeys(['AgreementAmended', 'AgreementExecuted', 'DemandRegistrationRequested', 'JoinderSigned', 'VotingCommitment'], "agreements"),
    **dict.fromkeys(['Event', 'Inference', 'Source'], "base"),
    **dict.fromkeys(['EventCorrected', 'EventRetracted'], "corrections"),
    **dict.fromkeys(['CashExercise', 'CashlessExercise', 'ConvertibleCancelled', 'ConvertibleConverted', 'InstrumentTransferred', 'NoteIssued', 'SafeIssued', 'WarrantCancelled', 'Tranche', 'WarrantBecameExercisable', 'WarrantIssued'], "derivatives"),
    **dict.fromkeys(['EquityCompensationCancelled', 'EquityCompensationExercised', 'EquityCompensationIssued', 'EquityCompensationReleased', 'Period', 'ServiceEnded', 'SharesReturnedToPool', 'SharesRepurchased', 'StockPlanCreated', 'StockPlanPoolAdjusted', 'VestingAccelerated', 'VestingConditionMet', 'VestingSchedule'], "equity"),
    **dict.fromkeys(['IdentifierRecorded'], "identifiers"),
    **dict.fromkeys(['BoardSizeChanged', 'BoardSizeCommitted', 'DirectorElected', 'DirectorNominated'], "governance"),
    **dict.fromkeys(['ControlRecorded', 'GroupFormed', 'PartyRegistered'], "parties"),
    **dict.fromkeys(['DocumentHeader', 'EVENT_TYPES', 'event_file_schema', 'parse_event'], "registry"),
    **dict.fromkeys(['BeneficialOwnershipReported', 'DocumentFiled', 'FactStated', 'HoldingReported', 'SharesOutstandingReported', 'UndisclosedHolding'], "reported"),
    **dict.fromkeys(['AuthorizedSharesSet', 'ConversionApproved', 'ConversionRatioAdjusted', 'PreferredConverted', 'SharesCancelled', 'SecurityClassCreated', 'SharesIssued', 'SharesTransferred', 'StockSplit'], "securities"),
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'events' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"events.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))
