"""The envelope every event shares, and the value types the payloads use."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from functools import cache, cached_property
from typing import Annotated, Any, ClassVar, get_args

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PlainSerializer

from events.canonical import holds_float

SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


def _slug(value: str) -> str:
    if not SLUG.match(value):
        raise ValueError(
            "must be a slug: lower-case letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    return value


def _positive(value: int) -> int:
    if value <= 0:
        raise ValueError("must be a positive whole number")
    return value


def _non_negative(value: int) -> int:
    if value < 0:
        raise ValueError("must not be negative")
    return value


def _positive_decimal(value: Decimal) -> Decimal:
    if not value.is_finite() or value <= 0:
        raise ValueError("must be a positive decimal")
    return value


def _non_negative_decimal(value: Decimal) -> Decimal:
    if not value.is_finite() or value < 0:
        raise ValueError("must be a decimal of zero or more")
    return value


# Decimals travel as strings ("16.30") so that no float ever touches money.
_as_string = PlainSerializer(lambda d: str(d), return_type=str, when_used="always")

Slug = Annotated[str, AfterValidator(_slug)]
# Share counts are integers; strict so that "1.5" or 1.5 is refused, not truncated.
Quantity = Annotated[int, Field(strict=True), AfterValidator(_positive)]
Count = Annotated[int, Field(strict=True), AfterValidator(_non_negative)]
Price = Annotated[Decimal, AfterValidator(_positive_decimal), _as_string]
Money = Annotated[Decimal, AfterValidator(_non_negative_decimal), _as_string]
Ratio = Annotated[Decimal, AfterValidator(_positive_decimal), _as_string]
Percent = Annotated[Decimal, AfterValidator(_non_negative_decimal), _as_string]


@cache
def _float_fields(cls: type[BaseModel]) -> tuple[str, ...]:
    """The fields of a model whose values may hold a float somewhere inside."""
    return tuple(name for name, f in cls.model_fields.items() if _may_hold_float(f.annotation))


def _may_hold_float(annotation: Any) -> bool:
    if annotation is Any or annotation is float:
        return True
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return bool(_float_fields(annotation))
    return any(_may_hold_float(arg) for arg in get_args(annotation))


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Source(Frozen):
    """Where a fact comes from: the document, the place in it, the exact words."""

    document: str
    locator: str = Field(min_length=1)
    quote: str = ""


class Inference(Frozen):
    """Marks an event as derived from others rather than stated by a document."""

    reasoning: str = Field(min_length=1)
    basis: tuple[str, ...] = ()


class Event(Frozen):
    """Base of every event. Subclasses add the payload fields."""

    type: str
    schema_version: int = 1
    issuer: Slug
    effective_date: dt.date
    recorded_at: dt.datetime | None = None
    source: Source
    ref: Slug | None = None
    inference: Inference | None = None

    ENVELOPE: ClassVar[frozenset[str]] = frozenset(
        {"type", "schema_version", "issuer", "effective_date", "recorded_at",
         "source", "ref", "inference", "event_id"}
    )
    SCHEMA_VERSION: ClassVar[int] = 1

    def payload(self) -> dict[str, Any]:
        data = self.model_dump(mode="json", exclude_none=True)
        return {k: v for k, v in data.items() if k not in self.ENVELOPE}

    def floatless(self, data: dict[str, Any]) -> bool:
        """Whether this event's JSON dump `data` holds no float, so that the fast encoders in
        events.canonical apply. Only free-form fields (terms, replacement) can hold one."""
        return not any(holds_float(data.get(name)) for name in _float_fields(type(self)))

    def body(self) -> dict[str, Any]:
        """The event as the log stores it: JSON types, None fields left out, no recorded_at
        (the record carries that). A new dict on every call: callers may change it."""
        data = self.model_dump(mode="json", exclude_none=True)
        data.pop("recorded_at", None)
        return data

    @cached_property
    def event_id(self) -> str:
        # Computed once per (immutable) event: canonical JSON and uuid5 are not free.
        from events.identity import event_id  # noqa: PLC0415  (avoid a cycle)

        return event_id(self, self.body())

    def to_record(self) -> dict[str, Any]:
        """The event as stored and exported: envelope and payload, JSON types."""
        data = self.model_dump(mode="json", exclude_none=True)
        data["event_id"] = self.event_id
        return data
