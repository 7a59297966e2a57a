"""A host application's Python is not type-checked by ours: a request whose fields have the
wrong types (a float width from decoded JSON, a number for a prompt) is refused as invalid
input before anything is held, written or sent, never left to fail at the provider."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from PIL import Image
from returns.result import Failure

from imagestudio.application.requests import OperationRequest
from imagestudio.domain.errors import InvalidInput, UnknownUser
from imagestudio.domain.limit import Limit
from imagestudio.domain.media import MediaType
from imagestudio.domain.operation_event import OperationEventKind
from imagestudio.domain.operation_kind import OperationKind, QuotaCategory
from imagestudio.domain.plan import OperatorBudget, Plan
from imagestudio.entrypoints.api import (
    Adjustment,
    CompressSpec,
    ConvertSpec,
    EditRequest,
    GenerateRequest,
    ImageInput,
    ImageStudio,
    Profile,
    WebhookSubscription,
)

PRICED = {"profile": Profile.TEST, "offline_price_usd": Decimal("0.02")}

HOOK = "https://hooks.example.com/in"
PROGRESS = OperationEventKind.PROGRESS
HTTP_NAMED: frozenset[Any] = frozenset({"operation.settled"})
WRONG: list[tuple[str, dict[str, Any]]] = [
    ("width", {"width": 512.0, "height": 512.0}),
    ("height", {"width": 512, "height": "512"}),
    ("outputs", {"variations": 1.5}),
    ("outputs", {"variations": "2"}),
    ("outputs", {"variations": True}),
    ("seed", {"seed": "1"}),
    ("seed", {"seed": 1.0}),
    ("prompt", {"prompt": 5}),
    ("user_id", {"user_id": 5}),
    ("model_id", {"model_id": 5}),
    ("parameters", {"parameters": {"style": object()}}),
    ("parameters", {"parameters": {5: "x"}}),
    ("idempotency_key", {"idempotency_key": 5}),
    ("idempotency_key", {"idempotency_key": "k" * 201}),
    ("idempotency_key", {"idempotency_key": "a\x00b"}),
    # A webhook that would hear nothing, or not what was meant: the operation ran in silence.
    ("webhook", {"webhook": WebhookSubscription(url=HOOK, events=frozenset({PROGRESS}))}),
    ("webhook", {"webhook": WebhookSubscription(url=HOOK, events=frozenset())}),
    ("webhook", {"webhook": WebhookSubscription(url=HOOK, events=HTTP_NAMED)}),
    ("webhook", {"webhook": WebhookSubscription(url=HOOK, events="settled")}),  # type: ignore[arg-type]
]


@pytest.mark.parametrize(("field", "fields"), WRONG)
async def test_a_wrongly_typed_request_is_invalid_input_and_holds_nothing(
    field: str, fields: dict[str, Any]
) -> None:
    studio = await ImageStudio.connect(**PRICED)
    request = GenerateRequest(**{"user_id": "local", "prompt": "a kite", **fields})

    result = await studio.generate.execute(request)

    assert isinstance(result, Failure), result
    error = result.failure()
    assert isinstance(error, InvalidInput) and error.field == field, error
    usage = (await studio.usage.execute("local")).unwrap()
    assert [row.name for row in usage.rows if row.held or row.used] == []
    assert (await studio.list_operations.execute("local")).unwrap().items == ()
    assert (
        await studio.generate.execute(GenerateRequest(user_id="local", prompt="a kite"))
    ).unwrap()


@pytest.mark.parametrize(("field", "fields"), WRONG[:4])
async def test_a_quote_refuses_the_same_types(field: str, fields: dict[str, Any]) -> None:
    studio = await ImageStudio.connect(**PRICED)
    renamed = {"outputs" if k == "variations" else k: v for k, v in fields.items()}
    request = OperationRequest(
        user_id="local", kind=OperationKind.TEXT_TO_IMAGE, prompt="a kite", **renamed
    )

    result = await studio.quote.execute(request)

    assert isinstance(result, Failure), result
    error = result.failure()
    assert isinstance(error, InvalidInput) and error.field == field, error


@pytest.mark.parametrize("user", ["../escape", "", "  ", "a b", "é", "a\x00", "x" * 129, 5])
async def test_assign_plan_refuses_a_user_id_add_user_would_refuse(user: Any) -> None:
    studio = await ImageStudio.connect(**PRICED)

    with pytest.raises(ValueError, match="user id"):
        await studio.assign_plan(user, "free")

    # No such user was made: their operations are refused before the provider is paid (an
    # unsafe id names no asset folder, so every output would be lost after it was billed).
    refused = await studio.generate.execute(GenerateRequest(user_id=str(user), prompt="a kite"))
    assert isinstance(refused, Failure) and isinstance(refused.failure(), UnknownUser)


async def test_assign_plan_to_an_unknown_plan_is_a_key_error_and_makes_no_user() -> None:
    studio = await ImageStudio.connect(**PRICED)

    with pytest.raises(KeyError, match="no plan named 'gold'"):
        await studio.assign_plan("carol", "gold")

    assert isinstance(await studio.usage.execute("carol"), Failure)


@pytest.mark.parametrize("amount", [-0.5, 1.0, Decimal("-1"), True, "-100"])
async def test_an_adjustment_takes_whole_micro_dollars_only(amount: Any) -> None:
    studio = await ImageStudio.connect(**PRICED)
    (await studio.generate.execute(GenerateRequest(user_id="local", prompt="a kite"))).unwrap()

    result = await studio.adjust_charge.execute(
        Adjustment(user_id="local", amount=amount, reason="blurry")
    )

    assert isinstance(result, Failure), result
    error = result.failure()
    assert isinstance(error, InvalidInput) and error.field == "amount", error
    # A float taken in was kept in the spend counter: every later refund then failed on it.
    refund = Adjustment(user_id="local", amount=-10_000, reason="blurry")
    assert (await studio.adjust_charge.execute(refund)).unwrap().spend.used == 10_000
    lines = (await studio.list_ledger.execute("local")).unwrap().items
    assert [line.user_charge for line in lines] == [-10_000, 20_000]


BAD_NUMBERS: list[tuple[str, dict[str, Any]]] = [
    ("spend_cap", {"spend_cap": Limit(1.5)}),  # type: ignore[arg-type]
    ("spend_cap", {"spend_cap": Limit(2**63)}),
    ("calls.image-generation", {"calls": {QuotaCategory.IMAGE_GENERATION: Limit(True)}}),
    ("concurrent_operations", {"concurrent_operations": Limit(Decimal(2))}),  # type: ignore[arg-type]
    ("monthly_price", {"monthly_price": 9.99}),
    ("retention_days", {"retention_days": 7.5}),
    ("retention_days", {"retention_days": 10**6}),
]


@pytest.mark.parametrize(("field", "fields"), BAD_NUMBERS)
async def test_a_plan_takes_whole_numbers_a_column_holds(
    field: str, fields: dict[str, Any]
) -> None:
    studio = await ImageStudio.connect(**PRICED)

    result = await studio.define_plan.execute(Plan(name="odd", **fields))

    assert isinstance(result, Failure), result
    error = result.failure()
    assert isinstance(error, InvalidInput) and error.field == field, error
    assert "odd" not in {plan.name for plan in await studio.list_plans.execute()}


@pytest.mark.parametrize("monthly", [Limit(1.5), Limit(2**63), Limit(True)])  # type: ignore[arg-type]
async def test_a_budget_takes_whole_micro_dollars_a_column_holds(monthly: Limit) -> None:
    studio = await ImageStudio.connect(**PRICED)

    result = await studio.set_budget.execute(OperatorBudget(provider="offline", monthly=monthly))

    assert isinstance(result, Failure), result
    error = result.failure()
    assert isinstance(error, InvalidInput) and error.field == "monthly", error
    assert await studio.list_budgets.execute() == ()


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (96, 64), (200, 120, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


async def nothing_recorded(studio: ImageStudio) -> None:
    usage = (await studio.usage.execute("local")).unwrap()
    assert [row.name for row in usage.rows if row.held or row.used] == []
    assert (await studio.list_operations.execute("local")).unwrap().items == ()


@pytest.mark.parametrize(
    "image",
    [
        ImageInput(data="not bytes"),  # type: ignore[arg-type]
        ImageInput(asset_id=5),  # type: ignore[arg-type]
    ],
)
async def test_an_input_image_of_the_wrong_type_is_invalid_input(image: ImageInput) -> None:
    studio = await ImageStudio.connect(**PRICED)

    edited = await studio.edit.execute(EditRequest(user_id="local", image=image, prompt="blue"))
    compressed = await studio.compress.execute("local", image, CompressSpec(quality=50))

    for result in (edited, compressed):
        assert isinstance(result, Failure), result
        error = result.failure()
        assert isinstance(error, InvalidInput) and error.field.startswith("image"), error
    await nothing_recorded(studio)


@pytest.mark.parametrize(
    ("field", "spec"),
    [
        ("quality", CompressSpec(quality=50.5)),  # type: ignore[arg-type]
        ("quality", CompressSpec(quality="50")),  # type: ignore[arg-type]
        ("target_bytes", CompressSpec(target_bytes=1000.5)),  # type: ignore[arg-type]
        ("media_type", CompressSpec(quality=50, media_type="image/webp")),  # type: ignore[arg-type]
        ("metadata", CompressSpec(quality=50, metadata="keep")),  # type: ignore[arg-type]
        ("media_type", ConvertSpec(media_type="image/webp")),  # type: ignore[arg-type]
        ("quality", ConvertSpec(media_type=MediaType.JPEG, quality="9")),  # type: ignore[arg-type]
        ("background", ConvertSpec(media_type=MediaType.JPEG, background=(1, 2))),  # type: ignore[arg-type]
        ("background", ConvertSpec(media_type=MediaType.JPEG, background=(255, 255, 255, 0))),  # type: ignore[arg-type]
        ("background", ConvertSpec(media_type=MediaType.JPEG, background=(1.5, 2, 3))),  # type: ignore[arg-type]
    ],
)
async def test_a_local_spec_of_the_wrong_type_is_invalid_input(
    field: str, spec: CompressSpec | ConvertSpec
) -> None:
    studio = await ImageStudio.connect(**PRICED)
    image = ImageInput(data=png())

    if isinstance(spec, CompressSpec):
        result = await studio.compress.execute("local", image, spec)
    else:
        result = await studio.convert.execute("local", image, spec)

    assert isinstance(result, Failure), result
    error = result.failure()
    assert isinstance(error, InvalidInput) and error.field == field, error
    await nothing_recorded(studio)
