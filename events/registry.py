"""The vocabulary by type name, parsing with upcasting, and the event-file schema."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, model_validator

from events import (
    agreements,
    corrections,
    derivatives,
    equity,
    governance,
    identifiers,
    parties,
    reported,
    securities,
)
from events.base import Day, Event

FAMILIES = (parties, identifiers, securities, derivatives, equity, agreements, governance, reported, corrections)

EVENT_TYPES: dict[str, type[Event]] = {
    name: obj
    for module in FAMILIES
    for name, obj in vars(module).items()
    if isinstance(obj, type) and issubclass(obj, Event) and obj is not Event
}

AnyEvent = Annotated[Union[tuple(EVENT_TYPES.values())], Field(discriminator="type")]  # noqa: UP007
_ADAPTER: TypeAdapter[Event] = TypeAdapter(AnyEvent)
# The core validator itself: TypeAdapter.validate_python adds a Python call per event to pass defaults.
_VALIDATE = _ADAPTER.validator.validate_python

# (type, from_version) -> function turning a version-N dict into version N+1.
# Old records are upcast on read and never rewritten.
# An upcaster that turns a record into another type sets that type's schema_version itself.
Upcaster = Callable[[dict[str, Any]], dict[str, Any]]
UPCASTERS: dict[tuple[str, int], Upcaster] = {
    ("BoardSizeChanged", 1): governance.board_size_v1_to_v2,
}


def upcast(data: dict[str, Any]) -> dict[str, Any]:
    while True:
        kind = data.get("type", "")
        cls = EVENT_TYPES.get(kind)
        version = int(data.get("schema_version", 1))
        if cls is None or version >= cls.SCHEMA_VERSION:
            return data
        data = UPCASTERS[(kind, version)](dict(data))
        if data.get("type") == kind:
            data["schema_version"] = version + 1


def parse_event(data: dict[str, Any]) -> Event:
    """Validate one event (envelope and payload) from plain data; raises ValidationError."""
    data = upcast(data)
    if "event_id" in data:  # copied only when there is something to leave out
        data = {k: v for k, v in data.items() if k != "event_id"}
    return _VALIDATE(data)


class DocumentHeader(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1, description="Slug naming the source document")
    issuer: str = Field(min_length=1, description="Slug of the issuer the events belong to")
    title: str | None = None
    file: str | None = None
    date: Day | None = None
    url: str | None = None
    # When the document became public, and how that is known (see events.reported.DocumentFiled):
    # the import records it as a DocumentFiled event, outside the identity of the others.
    filed: Day | None = None
    filed_basis: Literal["sec-header", "exhibit", "stated", "signature"] | None = None
    accession: str | None = Field(default=None, pattern=r"^\d{10}-\d{2}-\d{6}$")
    form: str | None = None

    @model_validator(mode="after")
    def _filed_with_basis(self) -> DocumentHeader:
        if (self.filed is None) != (self.filed_basis is None):
            raise ValueError("filed_basis: give filed and filed_basis together")
        return self


FILE_ONLY_ABSENT = ("issuer", "recorded_at")


def event_file_schema() -> dict[str, Any]:
    """JSON Schema of an event file, generated from the models.

    In a file the issuer comes from the document header, the store sets
    recorded_at, and source.document defaults to the header's id; the schema
    says so by dropping those from each event.
    """
    events_schema = _ADAPTER.json_schema(mode="validation", ref_template="#/$defs/{model}")
    header_schema = DocumentHeader.model_json_schema(ref_template="#/$defs/{model}")
    defs: dict[str, Any] = dict(events_schema.pop("$defs", {}))
    defs.update(header_schema.pop("$defs", {}))
    defs["DocumentHeader"] = header_schema
    for name in EVENT_TYPES:
        props = defs[name]["properties"]
        for key in FILE_ONLY_ABSENT:
            props.pop(key, None)
        defs[name]["required"] = [r for r in defs[name].get("required", []) if r not in FILE_ONLY_ABSENT]
    src = defs["Source"]
    src["required"] = [r for r in src.get("required", []) if r != "document"]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Event file",
        "description": "One source document and the events it states.",
        "type": "object",
        "additionalProperties": False,
        "required": ["document", "events"],
        "properties": {
            "document": {"$ref": "#/$defs/DocumentHeader"},
            "events": {"type": "array", "items": events_schema},
        },
        "$defs": defs,
    }
