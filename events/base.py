"""The envelope every event shares, and the value types the payloads use."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from functools import cache, cached_property
from typing import Annotated, Any, ClassVar, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    PlainSerializer,
)
from pydantic_core import core_schema

from events.bounds import FIRST_DAY, LAST_DAY, MAX_SHARES, decimal_out_of_bounds
from events.canonical import holds_float
from events.identity import event_id

SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
SLUG_RULE = ("must be a slug: lower-case letters, digits, '.', '_' or '-', "
             "starting with a letter or digit")


class _Rule:
    """A rule checked inside pydantic-core, after the type's own validation, rather than by a
    Python validator per field: slugs and share counts, several per event, made those calls a
    quarter of validation time.

    A value that breaks the rule fails with `message` exactly (its error type is `name`,
    where a Python validator's was "value_error" with a "Value error, " prefix to the
    message, which every reader strips). A value of the wrong type fails the type's own
    check first, as before. The JSON Schema is the type's alone, as before.
    """

    def __init__(self, name: str, check: core_schema.CoreSchema, message: str):
        self.name, self.check, self.message = name, check, message

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        rule = core_schema.custom_error_schema(self.check, custom_error_type=self.name,
                                               custom_error_message=self.message)
        return core_schema.chain_schema([handler(source), rule])

    def __get_pydantic_json_schema__(self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler) -> Any:
        return handler(schema["steps"][0])


# Python's `$` also matches before one final newline: `\n?` keeps the same set of slugs.
_SLUG = _Rule("slug", core_schema.str_schema(pattern=r"^[a-z0-9][a-z0-9._-]*\n?$"), SLUG_RULE)
_POSITIVE = _Rule("positive", core_schema.int_schema(gt=0), "must be a positive whole number")
_NON_NEGATIVE = _Rule("non_negative", core_schema.int_schema(ge=0), "must not be negative")
_AT_MOST = _Rule("at_most", core_schema.int_schema(le=MAX_SHARES), f"must be at most {MAX_SHARES:,}")


def _bounded(value: Decimal) -> Decimal:
    why = decimal_out_of_bounds(value)
    if why:
        raise ValueError(why)
    return value


def _positive_decimal(value: Decimal) -> Decimal:
    if not value.is_finite() or value <= 0:
        raise ValueError("must be a positive decimal")
    return _bounded(value)


def _non_negative_decimal(value: Decimal) -> Decimal:
    if not value.is_finite() or value < 0:
        raise ValueError("must be a decimal of zero or more")
    return _bounded(value)


def _in_range(value: dt.date) -> dt.date:
    if not FIRST_DAY <= value <= LAST_DAY:
        raise ValueError(f"must fall between {FIRST_DAY} and {LAST_DAY}")
    return value


# Decimals travel as strings ("16.30") so that no float ever touches money.
_as_string = PlainSerializer(lambda d: str(d), return_type=str, when_used="always")

Slug = Annotated[str, _SLUG]
# Share counts are integers; strict so that "1.5" or 1.5 is refused, not truncated.
Quantity = Annotated[int, Field(strict=True), _POSITIVE, _AT_MOST]
Count = Annotated[int, Field(strict=True), _NON_NEGATIVE, _AT_MOST]
Day = Annotated[dt.date, AfterValidator(_in_range)]
Price = Annotated[Decimal, AfterValidator(_positive_decimal), _as_string]
Money = Annotated[Decimal, AfterValidator(_non_negative_decimal), _as_string]
Ratio = Annotated[Decimal, AfterValidator(_positive_decimal), _as_string]
Percent = Annotated[Decimal, AfterValidator(_non_negative_decimal), _as_string]


@cache
def _float_fields(cls: type[BaseModel]) -> tuple[str, ...]:
    """The fields of a model whose values may hold a float somewhere inside."""
    return tuple(name for name, f in cls.model_fields.items() if _may_hold_float(f.annotation))


def _may_hold_float(annotation: Any) -> bool:
    if annotation is Any or annotation is float or annotation is object or isinstance(annotation, float):
        return True  # (a float value: Literal[0.5])
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
    effective_date: Day
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
        # model_dump(mode="json", exclude_none=True) without its Python wrapper: called twice per import.
        data = self.__pydantic_serializer__.to_python(self, mode="json", exclude_none=True)
        data.pop("recorded_at", None)
        return data

    @cached_property
    def event_id(self) -> str:
        # Computed once per (immutable) event: canonical JSON and uuid5 are not free.
        return event_id(self, self.body())

    def to_record(self) -> dict[str, Any]:
        """The event as stored and exported: envelope and payload, JSON types."""
        data = self.model_dump(mode="json", exclude_none=True)
        data["event_id"] = self.event_id
        return data
