"""The fast serialization paths give the very bytes the original code gave.

Event ids and chain hashes are part of every existing ledger and export: the
functions below are the original implementations, kept here as the reference,
and random events and records must come out byte-identical through both.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Annotated, Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import AfterValidator, Field, TypeAdapter, ValidationError

from events import Event, parse_event
from events.base import SLUG, SLUG_RULE, Count, Quantity, Slug
from events.canonical import (
    canonical_json,
    compact_json,
    floatless_canonical_json,
    floatless_compact_json,
    holds_float,
)
from events.identity import NAMESPACE, event_id, identity_basis, uuid5_text
from ledger.log.chain import record_hash, seal_encoded

# --- the reference: the code as it was ------------------------------------------------


def ref_canonical(data: Any) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")


def ref_identity_basis(event: Event) -> bytes:
    return ref_canonical({
        "issuer": event.issuer,
        "type": event.type,
        "effective_date": event.effective_date.isoformat(),
        "payload": event.payload(),
        "source": event.source.model_dump(mode="json"),
    })


def ref_event_id(event: Event) -> str:
    return str(uuid.uuid5(NAMESPACE, ref_identity_basis(event).decode("utf-8")))


# --- random data ----------------------------------------------------------------------

# Text with everything JSON must escape, non-BMP characters, and (in free-form values) lone surrogates.
texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
any_texts = st.text(st.characters(blacklist_categories=()), max_size=8)
slugs = st.from_regex(r"[a-z0-9][a-z0-9._-]{0,8}", fullmatch=True)
big_ints = st.integers(min_value=-(2**80), max_value=2**80)
json_values = st.recursive(
    st.none() | st.booleans() | big_ints | st.floats(allow_nan=False, allow_infinity=False) | any_texts,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(any_texts, inner, max_size=4),
    max_leaves=12,
)
# No floats, but what orjson must refuse to be safe: integers past 64 bits, keys that are not strings.
floatless_values = st.recursive(
    st.none() | st.booleans() | big_ints | any_texts,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(any_texts, inner, max_size=4)
    | st.dictionaries(st.integers(-3, 3), inner, max_size=2),
    max_leaves=12,
)
decimals = st.decimals(min_value="0.0001", max_value="1e12", places=4, allow_nan=False, allow_infinity=False).map(str)
sources = st.fixed_dictionaries({"document": texts, "locator": texts.filter(bool)}, optional={"quote": texts})
envelopes = st.fixed_dictionaries(
    {"issuer": slugs, "effective_date": st.dates().map(lambda d: d.isoformat()), "source": sources},
    optional={
        "ref": slugs,
        "schema_version": st.just(1),
        "inference": st.fixed_dictionaries({"reasoning": texts.filter(bool)},
                                           optional={"basis": st.lists(texts, max_size=3)}),
    },
)
quantities = st.integers(min_value=1, max_value=2**70)
payloads = st.one_of(
    st.fixed_dictionaries({"type": st.just("SharesIssued"), "security": slugs, "holder": slugs, "quantity": quantities},
                          optional={"price_per_share": decimals}),
    st.fixed_dictionaries({"type": st.just("SharesTransferred"), "security": slugs, "from_holder": slugs,
                           "to_holder": slugs, "quantity": quantities}),
    st.fixed_dictionaries({"type": st.just("PartyRegistered"), "party": slugs, "name": texts.filter(bool),
                           "kind": st.sampled_from(["individual", "llc"])},
                          optional={"jurisdiction": texts, "aliases": st.lists(texts, max_size=3)}),
    st.fixed_dictionaries({"type": st.just("WarrantIssued"), "warrant": slugs, "holder": slugs, "security": slugs,
                           "quantity": quantities},
                          optional={"exercise_price": decimals, "expires": st.dates().map(lambda d: d.isoformat()),
                                    "tranches": st.lists(st.fixed_dictionaries(
                                        {"quantity": quantities}, optional={"condition": texts}), max_size=2)}),
    st.fixed_dictionaries({"type": st.just("AgreementExecuted"), "agreement": slugs, "title": texts.filter(bool),
                           "parties": st.lists(slugs, min_size=1, max_size=3),
                           "terms": st.dictionaries(any_texts, json_values, max_size=4)}),
    st.fixed_dictionaries({"type": st.just("EventCorrected"), "corrects": texts.filter(bool),
                           "reason": texts.filter(bool),
                           "replacement": st.dictionaries(any_texts, json_values, max_size=4)}),
    st.fixed_dictionaries({"type": st.just("FactStated"), "subject": texts.filter(bool), "field": texts.filter(bool),
                           "value": texts | big_ints}),
    st.fixed_dictionaries({"type": st.just("BeneficialOwnershipReported"), "party": slugs, "security": slugs,
                           "beneficially_owned": st.integers(0, 2**70), "percent": decimals},
                          optional={"member_of_group": st.booleans(), "sole_voting": st.integers(0, 10**9)}),
)


@st.composite
def events(draw: st.DrawFn) -> Event:
    data = {**draw(envelopes), **draw(payloads)}
    try:
        return parse_event(data)
    except ValidationError:
        assume(False)
        raise


def outcome(fn: Any, *args: Any) -> Any:
    """A value, or the kind of error: both paths must refuse the same inputs the same way."""
    try:
        return fn(*args)
    except (UnicodeError, ValueError, TypeError, RecursionError) as exc:
        return type(exc).__name__


# --- the properties -------------------------------------------------------------------

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                           HealthCheck.filter_too_much])


@SETTINGS
@given(json_values)
def test_canonical_json_is_the_reference(value: Any) -> None:
    assert outcome(canonical_json, value) == outcome(ref_canonical, value)


@SETTINGS
@given(floatless_values)
def test_fast_encoders_are_the_reference(value: Any) -> None:
    """Where no float is held, orjson's bytes are the standard library's (or the same error);
    where one is, the callers (Event.floatless) do not use them."""
    assert outcome(floatless_canonical_json, value) == outcome(ref_canonical, value)
    assert outcome(floatless_compact_json, value) == outcome(compact_json, value)
    assert outcome(compact_json, value) == outcome(
        lambda v: json.dumps(v, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8"), value)


@pytest.mark.parametrize("depth", [10, 300, 900, 5000])
def test_fast_encoders_on_deep_data(depth: int) -> None:
    value: Any = "x"
    for _ in range(depth):
        value = {"k": [value]}
    assert not holds_float(value)
    assert outcome(floatless_canonical_json, value) == outcome(ref_canonical, value)
    assert outcome(floatless_compact_json, value) == outcome(compact_json, value)


@SETTINGS
@given(json_values)
def test_holds_float(value: Any) -> None:
    assert holds_float(value) == _walk_floats(value)


def _walk_floats(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_walk_floats(v) for v in value.values())
    if isinstance(value, list):
        return any(_walk_floats(v) for v in value)
    return isinstance(value, float)


@SETTINGS
@given(events())
def test_event_id_is_the_reference(event: Event) -> None:
    assert outcome(identity_basis, event) == outcome(ref_identity_basis, event)
    expected = outcome(ref_event_id, event)
    assert outcome(lambda e: e.event_id, event) == expected
    assert outcome(event_id, event) == expected


@SETTINGS
@given(texts)
def test_uuid5_is_the_uuid_module(name: str) -> None:
    assert uuid5_text(name.encode("utf-8")) == str(uuid.uuid5(NAMESPACE, name))


def ref_seal(sequence: int, recorded_at: str, event_id: str, event: dict[str, Any], prev_hash: str) -> dict[str, Any]:
    record = {"sequence": sequence, "recorded_at": recorded_at, "event_id": event_id, "event": event,
              "prev_hash": prev_hash}
    record["hash"] = hashlib.sha256(ref_canonical(record)).hexdigest()
    return record


def ordered(data: Any) -> str:
    """Key order matters to readers (the journal lists fields in stored order): compare it too."""
    return json.dumps(data, ensure_ascii=False)


hashes = st.text("0123456789abcdef", min_size=64, max_size=64) | texts


@SETTINGS
@given(st.lists(events(), min_size=1, max_size=4), st.integers(0, 2**40), st.datetimes().map(lambda d: d.isoformat()),
       hashes)
def test_sealed_records_are_the_reference(batch: list[Event], start: int, now: str, prev: str) -> None:
    try:
        bodies = [(e.event_id, e.body(), canonical_json(e.body()), compact_json(e.body())) for e in batch]
    except (UnicodeError, ValueError):
        assume(False)
    sealed = list(seal_encoded(start, now, prev, bodies))
    expected_prev, sequence = prev, start
    for event, (record, row) in zip(batch, sealed, strict=True):
        sequence += 1
        body = event.model_dump(mode="json", exclude_none=True)
        body.pop("recorded_at", None)
        old = ref_seal(sequence, now, event.event_id, body, expected_prev)
        old_row = json.dumps(old, ensure_ascii=False).encode("utf-8")
        assert ordered(record) == ordered(old)
        assert ordered(json.loads(row)) == ordered(json.loads(old_row))
        assert record_hash(json.loads(row)) == old["hash"]
        expected_prev = old["hash"]


# --- validation rules moved into pydantic-core accept and refuse as the Python validators did ---


def _ref_slug(value: str) -> str:
    if not SLUG.match(value):
        raise ValueError(SLUG_RULE)
    return value


def _ref_positive(value: int) -> int:
    if value <= 0:
        raise ValueError("must be a positive whole number")
    return value


def _ref_non_negative(value: int) -> int:
    if value < 0:
        raise ValueError("must not be negative")
    return value


def _ref_at_most(value: int) -> int:
    if value > 10**15:  # events/bounds.py: more shares than any issuer has, and past SQL's integers
        raise ValueError("must be at most 1,000,000,000,000,000")
    return value


RULES = [
    (Slug, Annotated[str, AfterValidator(_ref_slug)]),
    (Quantity, Annotated[int, Field(strict=True), AfterValidator(_ref_positive), AfterValidator(_ref_at_most)]),
    (Count, Annotated[int, Field(strict=True), AfterValidator(_ref_non_negative), AfterValidator(_ref_at_most)]),
]


def validated(adapter: TypeAdapter, value: Any) -> Any:
    """What a reader sees: the value, or each error's place and message as the loader words it."""
    try:
        out = adapter.validate_python(value)
        return type(out), out
    except ValidationError as exc:
        return [(e["loc"], str(e["msg"]).removeprefix("Value error, ")) for e in exc.errors()]


rule_inputs = (
    st.from_regex(r"[a-z0-9._\n-]{0,6}", fullmatch=True) | texts | big_ints | st.booleans() | st.none()
    | st.floats(allow_nan=False) | st.integers().map(str) | st.lists(slugs, max_size=2)
)


@SETTINGS
@given(st.sampled_from(range(len(RULES))), rule_inputs, st.booleans())
def test_core_rules_are_the_python_validators(which: int, value: Any, in_tuple: bool) -> None:
    new, old = RULES[which]
    if in_tuple:
        new, old, value = tuple[new, ...], tuple[old, ...], (value,)
    assert validated(TypeAdapter(new), value) == validated(TypeAdapter(old), value)
    assert TypeAdapter(new).json_schema() == TypeAdapter(old).json_schema()


def test_free_form_fields_are_the_ones_that_may_hold_floats() -> None:
    from events.base import _float_fields  # noqa: PLC0415
    from events.registry import EVENT_TYPES  # noqa: PLC0415

    free = {name: _float_fields(cls) for name, cls in EVENT_TYPES.items() if _float_fields(cls)}
    assert free == {"AgreementExecuted": ("terms",), "AgreementAmended": ("terms",), "EventCorrected": ("replacement",)}
    event = parse_event({"type": "AgreementExecuted", "issuer": "a", "effective_date": "2020-01-01",
                         "source": {"document": "d", "locator": "l"}, "agreement": "x", "title": "t",
                         "parties": ["p"], "terms": {"k": [1, {"f": 1e-7}]}})
    assert not event.floatless(event.body())
    assert event.event_id == ref_event_id(event)


@SETTINGS
@given(json_values)
def test_record_hashes_are_the_reference_whatever_the_event_holds(value: Any) -> None:
    """verify re-hashes records as read, tampered or not: floats anywhere take the standard encoder."""
    record = {"sequence": 1, "recorded_at": "2022-01-10T09:00:00+00:00", "event_id": "e", "event": {"x": value},
              "prev_hash": "0" * 64}
    reference = outcome(lambda r: hashlib.sha256(ref_canonical(r)).hexdigest(), record)
    assert outcome(record_hash, {**record, "hash": "ignored"}) == reference
