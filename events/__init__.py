"""The vocabulary: immutable event types. Imports only pydantic and the standard library."""

from events.agreements import (
    AgreementAmended,
    AgreementExecuted,
    DemandRegistrationRequested,
    JoinderSigned,
    VotingCommitment,
)
from events.base import Event, Inference, Source
from events.corrections import EventCorrected, EventRetracted
from events.derivatives import (
    CashExercise,
    CashlessExercise,
    NoteIssued,
    Tranche,
    WarrantBecameExercisable,
    WarrantIssued,
)
from events.governance import BoardSizeChanged, BoardSizeCommitted, DirectorElected, DirectorNominated
from events.parties import ControlRecorded, GroupFormed, PartyRegistered
from events.registry import EVENT_TYPES, DocumentHeader, event_file_schema, parse_event
from events.reported import (
    BeneficialOwnershipReported,
    FactStated,
    SharesOutstandingReported,
    UndisclosedHolding,
)
from events.securities import (
    ConversionApproved,
    PreferredConverted,
    SecurityClassCreated,
    SharesIssued,
    SharesTransferred,
    StockSplit,
)

__all__ = [name for name in dir() if name[0].isupper() or name in ("parse_event", "event_file_schema")]
