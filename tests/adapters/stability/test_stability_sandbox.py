"""The adapter against the sandbox's Stability emulator: every catalog model, over loopback."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Iterator
from decimal import Decimal
from fractions import Fraction

import pytest
import stamina
from PIL import Image
from stability_test_support import (
    NewBills,
    RecordingReport,
    fresh_faults,
    image_input,
    job,
    model,
    provider_at,
    settings_for,
    shared_sandbox,
    stability_models,
)

from imagestudio.adapters.sandbox.config import SANDBOX_KEY, SandboxConfig
from imagestudio.adapters.sandbox.runner import RunningSandbox
from imagestudio.adapters.stability.settings import StabilitySettings
from imagestudio.application.ports.provider import InputImage, ProviderJob, ProviderSuccess
from imagestudio.domain.errors import OutputFiltered, ProviderErrorKind, ProviderFailed
from imagestudio.domain.media import MediaType
from imagestudio.domain.pricing import PerCredit

MODEL_IDS = sorted(model_id.removeprefix("stability/") for model_id in stability_models())


@pytest.fixture(autouse=True)
def fast_retries() -> Iterator[None]:
    with stamina.set_testing(True, attempts=3):
        yield


@pytest.fixture(scope="module")
def module_sandbox() -> Iterator[RunningSandbox]:
    with shared_sandbox() as sandbox:
        yield sandbox


@pytest.fixture
def sb(module_sandbox: RunningSandbox) -> Iterator[RunningSandbox]:
    with fresh_faults(module_sandbox) as sandbox:
        yield sandbox


@pytest.fixture
def bills(sb: RunningSandbox) -> NewBills:
    return NewBills(sb)


def sandbox_settings(sandbox: RunningSandbox, **overrides: object) -> StabilitySettings:
    return settings_for(sandbox.base_url, **{"api_key": SANDBOX_KEY, **overrides})


def _inputs(model_id: str) -> tuple[InputImage, ...]:
    if model_id.startswith("generate") or model_id.startswith("sd3"):
        return ()
    if model_id in ("edit-erase", "edit-inpaint"):
        return (image_input(), image_input("mask", color="white"))
    if model_id == "control-style-transfer":
        return (image_input(), image_input("style", color="orange"))
    return (image_input(),)


_PARAMETERS: dict[str, dict[str, str | int | float | bool]] = {
    "edit-outpaint": {"mode": "outpaint", "left": 64, "up": 32},
    "edit-search-and-replace": {"mode": "search-and-replace", "search_prompt": "the boat"},
    "edit-search-and-recolor": {"mode": "search-and-recolor", "select_prompt": "the roof"},
    "edit-inpaint": {"mode": "inpaint", "grow_mask": 8},
    "control-sketch": {"mode": "sketch", "control_strength": 0.5},
    "upscale-fast": {"scale": 4},
    "upscale-conservative": {"scale": 2, "creativity": 0.3},
    "upscale-creative": {"scale": 2, "creativity": 0.2},
    "stable-fast-3d": {"texture_resolution": "512", "remesh": "triangle"},
}


def sandbox_job(model_id: str, **changes: object) -> ProviderJob:
    made = job(
        model_id,
        inputs=_inputs(model_id),
        parameters=_PARAMETERS.get(model_id, {}),
        width=1344 if model_id.startswith(("generate", "sd3")) else 256,
        height=768 if model_id.startswith(("generate", "sd3")) else 256,
    )
    return dataclasses.replace(made, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize("model_id", MODEL_IDS)
async def test_every_catalog_model_runs_once_and_is_billed_its_catalog_price(
    sb: RunningSandbox, bills: NewBills, model_id: str
) -> None:
    report = RecordingReport()
    async with provider_at(sandbox_settings(sb)) as provider:
        outcome = await provider.run(sandbox_job(model_id), report)
    assert isinstance(outcome, ProviderSuccess), outcome
    (artifact,) = outcome.artifacts
    chosen = model(model_id)
    assert artifact.media_type is chosen.output
    if chosen.output.is_image:
        assert artifact.width and artifact.height
    else:
        assert artifact.data.startswith(b"glTF")
    (billed,) = bills()
    assert f"v2beta/{billed.route}" == chosen.provider_path.partition("?")[0]
    assert isinstance(chosen.pricing, PerCredit)
    assert Fraction(billed.amount) == chosen.pricing.credits
    assert report.events[0] == ("sending",)
    if outcome.task_id is not None:
        assert report.events == [("sending",), ("accepted", outcome.task_id)]


@pytest.mark.parametrize("model_id", ["generate-core", "upscale-creative", "edit-inpaint"])
async def test_json_accept_gives_the_same_artifacts(sb: RunningSandbox, model_id: str) -> None:
    async with provider_at(sandbox_settings(sb, accept_json=True)) as provider:
        outcome = await provider.run(sandbox_job(model_id), RecordingReport())
    assert isinstance(outcome, ProviderSuccess)
    assert outcome.artifacts[0].media_type is MediaType.PNG
    assert outcome.artifacts[0].seed


async def test_the_seed_is_sent_and_echoed(sb: RunningSandbox) -> None:
    async with provider_at(sandbox_settings(sb)) as provider:
        outcome = await provider.run(sandbox_job("generate-core", seed=31337), RecordingReport())
    assert isinstance(outcome, ProviderSuccess)
    assert outcome.artifacts[0].seed == 31337


@pytest.mark.parametrize("accept_json", [False, True])
@pytest.mark.parametrize("model_id", ["generate-ultra", "upscale-creative"])
async def test_a_filtered_output_is_billed_but_not_delivered(
    sb: RunningSandbox, bills: NewBills, accept_json: bool, model_id: str
) -> None:
    filtered = sandbox_job(model_id, prompt=f"a {sb.state.config.filter_word} scene")
    async with provider_at(sandbox_settings(sb, accept_json=accept_json)) as provider:
        outcome = await provider.run(filtered, RecordingReport())
    assert isinstance(outcome, OutputFiltered)
    (billed,) = bills()
    assert billed.filtered


@pytest.mark.parametrize(
    ("changes", "kind"),
    [
        ({"parameters": {"style_preset": "not-a-style"}}, ProviderErrorKind.INVALID_INPUT),
        ({"prompt": "a forbidden thing"}, ProviderErrorKind.MODERATION),
        ({"prompt": "Дом у моря на закате"}, ProviderErrorKind.INVALID_INPUT),
    ],
)
async def test_refused_requests_map_to_their_kind_and_cost_nothing(
    sb: RunningSandbox, bills: NewBills, changes: dict[str, object], kind: ProviderErrorKind
) -> None:
    async with provider_at(sandbox_settings(sb)) as provider:
        outcome = await provider.run(sandbox_job("generate-core", **changes), RecordingReport())
    assert isinstance(outcome, ProviderFailed)
    assert outcome.kind is kind
    assert bills() == ()


async def test_a_wrong_key_is_an_auth_failure(sb: RunningSandbox) -> None:
    async with provider_at(sandbox_settings(sb, api_key="sk-wrong")) as provider:
        outcome = await provider.run(sandbox_job("generate-core"), RecordingReport())
        status = await provider.check_account()
    assert isinstance(outcome, ProviderFailed)
    assert outcome.kind is ProviderErrorKind.AUTH
    assert "sk-wrong" not in outcome.detail
    assert not status.key_works


async def test_too_few_credits_is_out_of_credit() -> None:
    with RunningSandbox(SandboxConfig(stability_credits=Decimal("5"))) as poor:
        async with provider_at(sandbox_settings(poor)) as provider:
            outcome = await provider.run(sandbox_job("generate-ultra"), RecordingReport())
    assert isinstance(outcome, ProviderFailed)
    assert outcome.kind is ProviderErrorKind.OUT_OF_CREDIT


async def test_a_body_over_10_mib_is_invalid_input(sb: RunningSandbox) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (2000, 1900), "gray").save(buffer, "PNG", compress_level=0)
    huge = InputImage(data=buffer.getvalue(), media_type=MediaType.PNG, width=2000, height=1900)
    assert len(huge.data) > 10 * 1024 * 1024
    async with provider_at(sandbox_settings(sb)) as provider:
        outcome = await provider.run(
            sandbox_job("upscale-conservative", inputs=(huge,)), RecordingReport()
        )
    assert isinstance(outcome, ProviderFailed)
    assert outcome.kind is ProviderErrorKind.INVALID_INPUT
    assert "10 MiB" in outcome.detail
