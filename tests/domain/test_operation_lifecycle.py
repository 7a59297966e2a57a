"""An operation moves only along the lifecycle of DESIGN.md; every other move is refused."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from itertools import product

import pytest
from returns.result import Failure, Success

from imagestudio.domain.operation import IllegalTransition, ImageOperation, OperationStatus
from imagestudio.domain.operation_kind import OperationKind

S = OperationStatus
LEGAL = frozenset(
    {
        (S.REQUESTED, S.RESERVED),
        (S.RESERVED, S.SUBMITTED),
        (S.SUBMITTED, S.SUCCEEDED),
        (S.SUBMITTED, S.FAILED),
        (S.SUBMITTED, S.CANCELLED),
        (S.SUBMITTED, S.UNKNOWN),
        (S.REQUESTED, S.FAILED),
        (S.RESERVED, S.FAILED),
        (S.RESERVED, S.CANCELLED),
        (S.RESERVED, S.ABANDONED),
        (S.UNKNOWN, S.SUCCEEDED),
        (S.UNKNOWN, S.FAILED),
        (S.UNKNOWN, S.ABANDONED),
    }
)
"""Transcribed from DESIGN.md, "States of an operation"."""
ILLEGAL = sorted(set(product(S, S)) - LEGAL)
FINAL = (S.SUCCEEDED, S.FAILED, S.CANCELLED, S.ABANDONED)
CREATED = datetime(2025, 3, 1, tzinfo=UTC)
LATER = datetime(2025, 3, 1, 0, 1, tzinfo=UTC)


def operation_in(status: OperationStatus) -> ImageOperation:
    operation = ImageOperation(
        id="op-1",
        user_id="ada",
        kind=OperationKind.TEXT_TO_IMAGE,
        model_id="offline-sketch",
        provider="offline",
        prompt="a lighthouse",
        input_digests=(),
        parameters={"size": "1024x1024"},
        outputs_requested=1,
        created_at=CREATED,
        updated_at=CREATED,
    )
    return replace(operation, status=status)


def label(pair: tuple[OperationStatus, OperationStatus]) -> str:
    return f"{pair[0]}->{pair[1]}"


@pytest.mark.parametrize("transition", sorted(LEGAL), ids=label)
def test_a_legal_transition_succeeds(transition: tuple[OperationStatus, OperationStatus]) -> None:
    current, wanted = transition

    result = operation_in(current).advance(wanted, LATER)

    assert isinstance(result, Success)
    assert result.unwrap().status is wanted


@pytest.mark.parametrize("transition", ILLEGAL, ids=label)
def test_an_illegal_transition_is_refused(
    transition: tuple[OperationStatus, OperationStatus],
) -> None:
    current, wanted = transition

    result = operation_in(current).advance(wanted, LATER)

    assert result == Failure(IllegalTransition("op-1", current, wanted))


@pytest.mark.parametrize("status", FINAL)
def test_a_final_state_has_no_successor(status: OperationStatus) -> None:
    assert status.is_final
    assert all(isinstance(operation_in(status).advance(to, LATER), Failure) for to in S)


@pytest.mark.parametrize("status", sorted(set(S) - set(FINAL)))
def test_a_state_that_is_not_final_has_a_successor(status: OperationStatus) -> None:
    assert not status.is_final


def test_advancing_applies_the_changes_and_stamps_the_time() -> None:
    operation = operation_in(S.REQUESTED)

    advanced = operation.advance(S.RESERVED, LATER, reservation_id="res-1").unwrap()

    assert advanced.reservation_id == "res-1"
    assert advanced.updated_at == LATER
    assert advanced.created_at == CREATED


def test_an_illegal_transition_names_the_operation_and_both_states() -> None:
    refusal = IllegalTransition("op-1", S.SUCCEEDED, S.RESERVED)

    assert refusal.message == "operation op-1 cannot go from succeeded to reserved"
