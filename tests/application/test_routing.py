"""`auto` routing: which model serves, in which order, and the fallback to another provider."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING

from fakes import FLAT_PRICE, GHOST_PRICE, MODELS, Fail, ScriptedProvider, Unknown, text_to_image
from returns.result import Failure

from imagestudio.application.ports.operation_store import OperationStore, TrackedOperation
from imagestudio.application.routing import RoutingPolicy, RoutingRules, route
from imagestudio.application.use_cases.show_operation import FOLLOW_UP_GRACE, ShowOperation
from imagestudio.domain.errors import OutcomeUnknown, ProviderErrorKind, ProviderFailed
from imagestudio.domain.model import ModelTier
from imagestudio.domain.operation_kind import OperationKind
from imagestudio.domain.usage_record import Outcome

if TYPE_CHECKING:
    from conftest import Studio, StudioFactory

T2I = OperationKind.TEXT_TO_IMAGE
BOTH = frozenset({"acme", "ghost"})


def ids(models: list[object]) -> list[str]:
    return [model.id for model in models]  # type: ignore[attr-defined]


def test_cheapest_first_among_enabled_providers_only() -> None:
    assert ids(route(MODELS, BOTH, T2I, RoutingRules())) == [
        "ghost-cheap",
        "acme-flat",
        "acme-batch",
    ]
    assert ids(route(MODELS, frozenset({"acme"}), T2I, RoutingRules())) == [
        "acme-flat",
        "acme-batch",
    ]


def test_a_stand_in_provider_serves_only_when_no_real_one_can() -> None:
    rules = RoutingRules(stand_ins=frozenset({"ghost"}))
    assert ids(route(MODELS, BOTH, T2I, rules)) == ["acme-flat", "acme-batch"]
    assert ids(route(MODELS, frozenset({"ghost"}), T2I, rules)) == ["ghost-cheap"]


def test_a_preference_order_names_models_or_providers() -> None:
    by_provider = RoutingRules(policy=RoutingPolicy.PREFERENCE, preference=("acme",))
    assert ids(route(MODELS, BOTH, T2I, by_provider))[-1] == "ghost-cheap"
    by_model = RoutingRules(policy=RoutingPolicy.PREFERENCE, preference=("acme-batch",))
    assert ids(route(MODELS, BOTH, T2I, by_model))[0] == "acme-batch"


def test_a_quality_tier_comes_first_then_the_nearest_tiers() -> None:
    models = [
        replace(MODELS[0], tier=ModelTier.PREMIUM),
        replace(MODELS[1], tier=ModelTier.BUDGET),
        MODELS[-1],
    ]
    rules = RoutingRules(policy=RoutingPolicy.QUALITY, tier=ModelTier.PREMIUM)
    assert ids(route(models, BOTH, T2I, rules)) == ["acme-flat", "ghost-cheap", "acme-batch"]


def test_a_mode_limits_the_candidates() -> None:
    edit = OperationKind.IMAGE_EDIT
    assert ids(route(MODELS, BOTH, edit, RoutingRules(), mode="erase")) == ["acme-edit"]


def two_providers(make_studio: StudioFactory) -> tuple[Studio, ScriptedProvider]:
    ghost = ScriptedProvider("ghost")
    return make_studio(others=(ghost,)), ghost


async def test_auto_falls_back_to_another_provider_on_a_rate_limit(
    make_studio: StudioFactory,
) -> None:
    studio, ghost = two_providers(make_studio)
    ghost.script(Fail(ProviderErrorKind.RATE_LIMITED, "429"))

    result = (await studio.run.execute(text_to_image(model_id="auto"))).unwrap()

    assert result.operation.model_id == "acme-flat"
    assert result.charged == FLAT_PRICE
    lines = await studio.lines("ada")
    assert sorted((line.model_id, line.outcome, line.user_charge) for line in lines) == [
        ("acme-flat", Outcome.SUCCEEDED, FLAT_PRICE),
        ("ghost-cheap", Outcome.FAILED, 0),
    ]
    await studio.assert_nothing_held("ada")
    await studio.assert_used_matches_ledger("ada")


async def test_auto_falls_back_on_an_outage_and_skips_the_same_provider(
    make_studio: StudioFactory,
) -> None:
    studio, ghost = two_providers(make_studio)
    studio.provider.script(Fail(ProviderErrorKind.UNAVAILABLE, "503"))
    rules = RoutingRules(policy=RoutingPolicy.PREFERENCE, preference=("acme",))
    studio = make_studio(provider=studio.provider, others=(ghost,), routing=rules)

    result = (await studio.run.execute(text_to_image(model_id="auto"))).unwrap()

    # acme-batch (same provider) is skipped; the next provider is ghost.
    assert result.operation.model_id == "ghost-cheap"
    assert result.charged == GHOST_PRICE
    assert len(studio.provider.jobs) == 1


async def test_no_fallback_on_invalid_input_moderation_or_an_unknown_outcome(
    make_studio: StudioFactory,
) -> None:
    for behaviour, expected in (
        (Fail(ProviderErrorKind.INVALID_INPUT, "bad"), ProviderFailed),
        (Fail(ProviderErrorKind.MODERATION, "no"), ProviderFailed),
        (Unknown(task_id="t"), OutcomeUnknown),
    ):
        studio, ghost = two_providers(make_studio)
        ghost.script(behaviour)

        error = (await studio.run.execute(text_to_image(model_id="auto"))).failure()

        assert isinstance(error, expected)
        assert studio.provider.jobs == [], f"{behaviour} must not fall back"


async def test_a_named_model_never_falls_back(make_studio: StudioFactory) -> None:
    studio, ghost = two_providers(make_studio)
    ghost.script(Fail(ProviderErrorKind.RATE_LIMITED, "429"))

    error = (await studio.run.execute(text_to_image(model_id="ghost-cheap"))).failure()

    assert isinstance(error, ProviderFailed)
    assert studio.provider.jobs == []
    await studio.assert_nothing_held("ada")


async def test_an_idempotent_auto_request_stores_the_final_outcome_under_its_key(
    make_studio: StudioFactory,
) -> None:
    studio, ghost = two_providers(make_studio)
    ghost.script(Fail(ProviderErrorKind.RATE_LIMITED, "429"))
    request = text_to_image(model_id="auto", idempotency_key="k")

    first = (await studio.run.execute(request)).unwrap()
    again = (await studio.run.execute(request)).unwrap()

    assert again.operation.id == first.operation.id
    assert len(ghost.jobs) + len(studio.provider.jobs) == 2


async def test_when_every_provider_fails_the_last_error_is_returned_and_nothing_is_held(
    make_studio: StudioFactory,
) -> None:
    studio, ghost = two_providers(make_studio)
    ghost.script(Fail(ProviderErrorKind.RATE_LIMITED, "429"))
    studio.provider.script(Fail(ProviderErrorKind.UNAVAILABLE, "503"))

    error = (await studio.run.execute(text_to_image(model_id="auto"))).failure()

    assert isinstance(error, ProviderFailed)
    assert error.provider == "acme"
    await studio.assert_nothing_held("ada")
    assert all(line.user_charge == 0 for line in await studio.lines("ada"))


async def test_a_caller_chosen_operation_id_is_used_and_a_fallback_gets_its_own(
    make_studio: StudioFactory,
) -> None:
    studio, ghost = two_providers(make_studio)
    ghost.script(Fail(ProviderErrorKind.RATE_LIMITED, "429"))

    result = (
        await studio.run.execute(text_to_image(model_id="auto", operation_id="op_chosen"))
    ).unwrap()

    assert (await studio.operation("op_chosen")).model_id == "ghost-cheap"
    assert result.operation.id != "op_chosen"
    assert result.operation.model_id == "acme-flat"


async def test_a_failure_that_moves_on_names_its_follow_up_and_the_request_reads_as_it(
    make_studio: StudioFactory,
) -> None:
    studio, ghost = two_providers(make_studio)
    ghost.script(Fail(ProviderErrorKind.RATE_LIMITED, "429"))
    show = ShowOperation(studio.ports.operations, studio.quota, studio.clock)

    result = (
        await studio.run.execute(text_to_image(model_id="auto", operation_id="op_first"))
    ).unwrap()

    first = await studio.operation("op_first")
    assert first.status.value == "failed"
    assert first.continued_by == result.operation.id
    shown = (await show.execute("ada", "op_first")).unwrap()
    assert (shown.operation.id, shown.operation.status) == (
        result.operation.id,
        result.operation.status,
    )
    assert isinstance(await show.execute("bob", "op_first"), Failure)


async def test_a_follow_up_that_never_comes_leaves_the_failure_standing(
    make_studio: StudioFactory,
) -> None:
    studio, ghost = two_providers(make_studio)
    ghost.script(Fail(ProviderErrorKind.RATE_LIMITED, "429"))
    # acme's models cannot make this size: the fallback's preparation fails.
    request = text_to_image(model_id="auto", operation_id="op_only", width=2000, height=500)
    models = (*MODELS[:-1], replace(MODELS[-1], limits=replace(MODELS[-1].limits, max_side=2000)))
    studio = make_studio(provider=studio.provider, others=(ghost,), models=models)

    refused = (await studio.run.execute(request)).failure()

    assert isinstance(refused, ProviderFailed)
    only = await studio.operation("op_only")
    assert (only.status.value, only.continued_by) == ("failed", None)


async def test_between_a_settled_failure_and_its_follow_up_the_request_has_not_ended(
    make_studio: StudioFactory,
) -> None:
    studio, ghost = two_providers(make_studio)
    ghost.script(Fail(ProviderErrorKind.RATE_LIMITED, "429"))
    await studio.run.execute(text_to_image(model_id="auto", operation_id="op_gap"))
    first = await studio.operation("op_gap")
    assert first.continued_by is not None
    # As if the process died between the two: the follow-up's record is not there.
    hidden = Hiding(studio.ports.operations, first.continued_by)
    show = ShowOperation(hidden, studio.quota, studio.clock)

    moving = (await show.execute("ada", "op_gap")).unwrap()
    studio.clock.advance(FOLLOW_UP_GRACE + timedelta(seconds=1))
    standing = (await show.execute("ada", "op_gap")).unwrap()

    assert (moving.operation.id, moving.operation.status.value) == ("op_gap", "requested")
    assert (standing.operation.id, standing.operation.status.value) == ("op_gap", "failed")


class Hiding:
    """An operation store that has lost one operation."""

    def __init__(self, store: OperationStore, hidden: str) -> None:
        self._store = store
        self._hidden = hidden

    async def describe(self, operation_id: str) -> TrackedOperation | None:
        if operation_id == self._hidden:
            return None
        return await self._store.describe(operation_id)

    def __getattr__(self, name: str) -> object:
        return getattr(self._store, name)
