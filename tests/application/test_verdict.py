"""The verdict: who pays what for any mix of call outcomes (pure; property-tested)."""

from __future__ import annotations

from collections.abc import Sequence

from fakes import MODELS, png_bytes
from hypothesis import given
from hypothesis import strategies as st

from imagestudio.application.billable_units import units_for
from imagestudio.application.money_path.verdict import Money, decide, settled_outcomes
from imagestudio.application.outcomes import sort_outcomes
from imagestudio.application.ports.provider import (
    Artifact,
    ProviderOutcome,
    ProviderSuccess,
    SubmitUnknown,
)
from imagestudio.application.prepared_operation import PreparedOperation
from imagestudio.application.requests import OperationRequest
from imagestudio.domain.errors import OutputFiltered, OutputLost, ProviderErrorKind, ProviderFailed
from imagestudio.domain.media import MediaType
from imagestudio.domain.operation import OperationStatus
from imagestudio.domain.operation_kind import OperationKind
from imagestudio.domain.usage_record import Outcome

S = OperationStatus
BATCH = next(model for model in MODELS if model.id == "acme-batch")  # 4 outputs per call


def prepared(outputs: int) -> PreparedOperation:
    units = units_for(OperationKind.TEXT_TO_IMAGE, outputs, 256, 256, {})
    return PreparedOperation(
        request=OperationRequest(user_id="ada", kind=OperationKind.TEXT_TO_IMAGE, outputs=outputs),
        model=BATCH,
        inputs=(),
        input_digests=(),
        input_asset_ids=(),
        width=256,
        height=256,
        parameters={},
        reserve_units=units,
        price=BATCH.pricing.price(units),
        request_hash="",
    )


def artifact() -> Artifact:
    return Artifact(data=png_bytes(8, 8), media_type=MediaType.PNG, width=256, height=256)


call_outcome = st.one_of(
    st.integers(0, 5).map(lambda n: ProviderSuccess(artifacts=(artifact(),) * n, task_id="t")),
    st.sampled_from(list(ProviderErrorKind)).map(
        lambda kind: ProviderFailed(provider="acme", kind=kind, detail="no")
    ),
    st.just(OutputFiltered(provider="acme", detail="nsfw")),
    st.sampled_from([None, "task-9"]).map(lambda task: SubmitUnknown(task_id=task, detail="?")),
)


def outcomes_of(calls: Sequence[ProviderOutcome]) -> tuple[int, object]:
    asked = 4 * len(calls)
    return asked, sort_outcomes("acme", [(4, call) for call in calls])


@given(st.lists(call_outcome, min_size=1, max_size=3), st.booleans())
def test_every_verdict_keeps_the_money_rules(calls: list[ProviderOutcome], lost: bool) -> None:
    asked = 4 * len(calls)
    operation = prepared(asked)
    outcomes = settled_outcomes(sort_outcomes("acme", [(4, c) for c in calls]), "acme")
    loss = OutputLost(detail="disk full") if lost else None

    verdict = decide(outcomes, operation, loss)

    # Never charged past what was held; the budget counter never takes more than was held.
    assert 0 <= verdict.charge <= operation.price
    if verdict.money is Money.COMMIT:
        assert verdict.settlement.billed <= operation.price
        assert verdict.settlement.outputs <= asked
    # Unknown, and only unknown, keeps the hold and writes no line yet.
    assert (verdict.money is Money.HOLD) == (verdict.status is S.UNKNOWN)
    assert (verdict.outcome is None) == (verdict.status is S.UNKNOWN)
    # The user pays only for delivered, stored outputs.
    if verdict.status is not S.SUCCEEDED:
        assert verdict.charge == 0 and verdict.outputs == 0
    else:
        assert outcomes.artifacts and not outcomes.unknown and not lost
        assert verdict.outputs == len(outcomes.artifacts)
    # Released means nobody paid anything.
    if verdict.money is Money.RELEASE:
        assert verdict.charge == verdict.provider_cost == 0
    if verdict.status is S.FAILED and lost and outcomes.artifacts:
        assert verdict.outcome is Outcome.OUTPUT_LOST and verdict.provider_cost > 0


def test_outputs_that_arrived_beside_an_untraceable_unknown_call_are_delivered() -> None:
    calls: list[ProviderOutcome] = [
        ProviderSuccess(artifacts=(artifact(),) * 4, task_id="a"),
        SubmitUnknown(task_id=None, detail="dropped"),
    ]
    outcomes = settled_outcomes(sort_outcomes("acme", [(4, c) for c in calls]), "acme")

    verdict = decide(outcomes, prepared(8))

    assert verdict.status is S.SUCCEEDED and verdict.outputs == 4
    assert verdict.provider_cost == 8 * BATCH.pricing.price(
        units_for(OperationKind.TEXT_TO_IMAGE, 1, 256, 256, {})
    )  # the unknown call's 4 outputs kept as a possible provider cost, never the user's


def test_a_traceable_unknown_call_holds_the_whole_operation() -> None:
    calls: list[ProviderOutcome] = [
        ProviderSuccess(artifacts=(artifact(),) * 4, task_id="a"),
        SubmitUnknown(task_id="b", detail="timed out"),
    ]
    outcomes = settled_outcomes(sort_outcomes("acme", [(4, c) for c in calls]), "acme")

    verdict = decide(outcomes, prepared(8))

    assert verdict.status is S.UNKNOWN and verdict.money is Money.HOLD
