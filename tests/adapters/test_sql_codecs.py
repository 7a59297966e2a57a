"""The SQL adapter's codecs give back exactly what they were given: every field, every type."""

from __future__ import annotations

import dataclasses
import json
import types
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from enum import Enum
from typing import Any, Union, get_args, get_origin, get_type_hints

import pytest
from hypothesis import given
from hypothesis import strategies as st
from returns.result import Failure, Success

from imagestudio.adapters.sql.operation_codec import (
    asset_from_dict,
    asset_to_dict,
    operation_from_dict,
    operation_from_row,
    operation_row,
    operation_to_dict,
)
from imagestudio.adapters.sql.outcome_codec import (
    decode_outcome,
    encode_outcome,
    error_from_dict,
    error_to_dict,
)
from imagestudio.application.operation_ports import StoredOutcome
from imagestudio.application.requests import OperationResult
from imagestudio.domain.asset import Asset
from imagestudio.domain.errors import InputProblem, InvalidInput, OperationError
from imagestudio.domain.media import MediaType
from imagestudio.domain.operation import ImageOperation, OperationStatus
from imagestudio.domain.operation_kind import OperationKind

ERROR_TYPES: tuple[type[Any], ...] = get_args(OperationError)


def assert_exactly_equal(got: object, wanted: object, where: str = "value") -> None:
    """Equal, and of the same types all the way down (a StrEnum equals its text; not here)."""
    assert type(got) is type(wanted), f"{where}: {type(got)} is not {type(wanted)}"
    if dataclasses.is_dataclass(wanted) and not isinstance(wanted, type):
        for field in dataclasses.fields(wanted):
            assert_exactly_equal(
                getattr(got, field.name), getattr(wanted, field.name), f"{where}.{field.name}"
            )
    elif isinstance(wanted, Success | Failure):
        assert isinstance(got, Success | Failure)
        assert_exactly_equal(got._inner_value, wanted._inner_value, f"{where}.inner")
    elif isinstance(wanted, tuple | list):
        assert isinstance(got, tuple | list)
        assert len(got) == len(wanted), where
        for index, (a, b) in enumerate(zip(got, wanted, strict=True)):
            assert_exactly_equal(a, b, f"{where}[{index}]")
    elif isinstance(wanted, Mapping):
        assert isinstance(got, Mapping)
        assert set(got) == set(wanted), where
        for key in wanted:
            assert_exactly_equal(got[key], wanted[key], f"{where}[{key!r}]")
    elif isinstance(wanted, datetime):
        assert isinstance(got, datetime)
        assert got == wanted, where
        assert got.utcoffset() == wanted.utcoffset(), f"{where}: offset"
    else:
        assert got == wanted, where


# -- strategies ---------------------------------------------------------------------------------

OFFSETS = st.sampled_from(
    [UTC, timezone(timedelta(hours=5, minutes=30)), timezone(-timedelta(hours=8))]
)
moments = st.datetimes(
    min_value=datetime(1970, 1, 2), max_value=datetime(9999, 12, 30), timezones=OFFSETS
)
texts = st.text()
ids = st.text(min_size=1, max_size=40)
numbers = st.integers(min_value=-(2**63), max_value=2**63 - 1)
counts = st.integers(min_value=0, max_value=2**63 - 1)
floats = st.floats(allow_nan=False)
parameters = st.dictionaries(texts, st.one_of(texts, numbers, floats, st.booleans()), max_size=6)
optional_text = st.none() | texts

operations = st.builds(
    ImageOperation,
    id=ids,
    user_id=ids,
    kind=st.sampled_from(OperationKind),
    model_id=ids,
    provider=ids,
    prompt=texts,
    input_digests=st.lists(texts, max_size=3).map(tuple),
    parameters=parameters,
    outputs_requested=counts,
    created_at=moments,
    updated_at=moments,
    status=st.sampled_from(OperationStatus),
    reservation_id=optional_text,
    provider_task_ids=st.lists(texts, max_size=3).map(tuple),
    asset_ids=st.lists(ids, max_size=3).map(tuple),
    charged=numbers,
    error=optional_text,
    idempotency_key=optional_text,
    input_asset_ids=st.lists(ids, max_size=3).map(tuple),
)

assets = st.builds(
    Asset,
    id=ids,
    owner=ids,
    operation_id=ids,
    model_id=ids,
    kind=st.sampled_from(OperationKind),
    media_type=st.sampled_from(MediaType),
    size_bytes=counts,
    created_at=moments,
    width=st.none() | counts,
    height=st.none() | counts,
    duration_seconds=st.none() | floats,
    prompt=texts,
    cost=numbers,
)

results = st.builds(
    OperationResult,
    operation=operations,
    assets=st.lists(assets, max_size=3).map(tuple),
    charged=numbers,
    failed_outputs=st.lists(texts, max_size=3).map(tuple),
)


def strategy_for(hint: Any) -> st.SearchStrategy[Any]:
    """Values for one field of an error, from its type hint."""
    if get_origin(hint) in (Union, types.UnionType):
        return st.one_of(*(strategy_for(option) for option in get_args(hint)))
    simple: dict[Any, st.SearchStrategy[Any]] = {
        type(None): st.none(),
        str: texts,
        int: numbers,
        float: floats,
        bool: st.booleans(),
        datetime: moments,
    }
    if hint in simple:
        return simple[hint]
    if isinstance(hint, type) and issubclass(hint, Enum):
        return st.sampled_from(hint)
    return st.from_type(hint)  # a new kind of field: the round trip will say if it is kept


def error_strategy(cls: type[Any]) -> st.SearchStrategy[Any]:
    hints = get_type_hints(cls)
    return st.builds(
        cls, **{field.name: strategy_for(hints[field.name]) for field in dataclasses.fields(cls)}
    )


errors: st.SearchStrategy[OperationError] = st.one_of(*map(error_strategy, ERROR_TYPES))
outcomes: st.SearchStrategy[StoredOutcome] = st.one_of(results.map(Success), errors.map(Failure))


# -- operations and assets ----------------------------------------------------------------------


@given(operations)
def test_an_operation_round_trips_through_a_dict(operation: ImageOperation) -> None:
    data = json.loads(json.dumps(operation_to_dict(operation)))

    assert_exactly_equal(operation_from_dict(data), operation)


@given(operations)
def test_an_operation_round_trips_through_its_row(operation: ImageOperation) -> None:
    row = operation_row(operation)

    assert_exactly_equal(operation_from_row(row), operation)


@given(operations)
def test_the_row_has_the_queried_fields_as_columns_and_the_rest_as_a_body(
    operation: ImageOperation,
) -> None:
    row = operation_row(operation)

    assert row["status"] == operation.status.value
    assert row["user_id"] == operation.user_id
    assert row["charged"] == operation.charged
    assert row["created_at"] is operation.created_at
    assert json.loads(row["body"])["prompt"] == operation.prompt
    assert "lease_owner" not in row
    assert "lease_expires_at" not in row


def test_every_field_of_an_operation_is_kept_somewhere() -> None:
    names = {field.name for field in dataclasses.fields(ImageOperation)}
    operation = ImageOperation(
        id="op_1",
        user_id="alice",
        kind=OperationKind.UPSCALE,
        model_id="m",
        provider="p",
        prompt="",
        input_digests=(),
        parameters={},
        outputs_requested=1,
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
        updated_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    row = operation_row(operation)

    assert set(operation_to_dict(operation)) == names
    # `follow_up` is no field of its own: a copy of a final failure's `continued_by` (kept in
    # the body) that the sweep lists by.
    assert (set(row) - {"body", "follow_up"}) | set(json.loads(row["body"])) == names


@given(assets)
def test_an_asset_round_trips(asset: Asset) -> None:
    data = json.loads(json.dumps(asset_to_dict(asset)))

    assert_exactly_equal(asset_from_dict(data), asset)


def test_every_field_of_an_asset_is_kept() -> None:
    names = {field.name for field in dataclasses.fields(Asset)}
    asset = Asset(
        id="a",
        owner="o",
        operation_id="op",
        model_id="m",
        kind=OperationKind.UPSCALE,
        media_type=MediaType.PNG,
        size_bytes=1,
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
    )

    assert set(asset_to_dict(asset)) == names


# -- outcomes -----------------------------------------------------------------------------------


@given(outcomes)
def test_an_outcome_round_trips_exactly(outcome: StoredOutcome) -> None:
    assert_exactly_equal(decode_outcome(encode_outcome(outcome)), outcome)


@pytest.mark.parametrize("error_type", ERROR_TYPES, ids=lambda cls: cls.__name__)
@given(data=st.data())
def test_every_domain_error_round_trips(error_type: type[Any], data: st.DataObject) -> None:
    error = data.draw(error_strategy(error_type))

    decoded = decode_outcome(encode_outcome(Failure(error)))

    assert_exactly_equal(decoded, Failure(error))
    assert_exactly_equal(error_from_dict(json.loads(json.dumps(error_to_dict(error)))), error)


def test_the_outcome_text_is_plain_ascii_json() -> None:
    """Any text survives any database column: no NUL bytes, no lone surrogates, raw."""
    outcome: StoredOutcome = Failure(InvalidInput("\x00\ud800", "é", InputProblem.TOO_LARGE))

    text = encode_outcome(outcome)

    assert text.isascii()
    assert "\x00" not in text
    assert_exactly_equal(decode_outcome(text), outcome)


def test_an_error_outside_the_union_is_refused() -> None:
    @dataclass(frozen=True)
    class NotOurs:
        detail: str

    with pytest.raises(TypeError, match="NotOurs"):
        encode_outcome(Failure(NotOurs("x")))  # type: ignore[arg-type]


def test_an_unknown_stored_error_is_refused() -> None:
    with pytest.raises(ValueError, match="Gone"):
        decode_outcome(json.dumps({"failure": {"type": "Gone", "fields": {}}}))
