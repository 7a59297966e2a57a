"""`ImageOperation.changed` is `dataclasses.replace`, whatever fields it is given."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from imagestudio.domain.operation import ImageOperation, OperationStatus
from imagestudio.domain.operation_kind import OperationKind

CREATED = datetime(2025, 3, 1, tzinfo=UTC)
OPERATION = ImageOperation(
    id="op_1",
    user_id="ada",
    kind=OperationKind.TEXT_TO_IMAGE,
    model_id="acme/one",
    provider="acme",
    prompt="a kite",
    input_digests=(),
    parameters={"steps": 20},
    outputs_requested=1,
    created_at=CREATED,
    updated_at=CREATED,
)
FIELDS = [field.name for field in fields(ImageOperation)]
# Any value will do for a copy (the dataclass checks no types): the point is where it goes.
changes = st.dictionaries(st.sampled_from(FIELDS), st.integers() | st.text(max_size=5))


@given(changes=changes)
def test_a_copy_is_what_replace_makes(changes: dict[str, object]) -> None:
    copy = OPERATION.changed(**changes)

    assert copy == replace(OPERATION, **changes)  # type: ignore[arg-type]
    assert [getattr(copy, name) for name in FIELDS] == [
        changes.get(name, getattr(OPERATION, name)) for name in FIELDS
    ]
    assert OPERATION.status is OperationStatus.REQUESTED  # the original is untouched


def test_a_copy_is_frozen_like_any_operation() -> None:
    copy = OPERATION.changed(status=OperationStatus.RESERVED)

    with pytest.raises(AttributeError):
        copy.status = OperationStatus.FAILED  # type: ignore[misc]
    assert hash(copy.id) == hash("op_1") and copy != OPERATION


def test_a_field_it_does_not_have_is_refused() -> None:
    with pytest.raises(TypeError, match="no field colour"):
        OPERATION.changed(colour="blue")
