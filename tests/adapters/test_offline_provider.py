"""The offline provider as an ImageProvider: text to image, determinism, reporting, faults."""

from __future__ import annotations

import asyncio
import io

import pytest
from PIL import Image

from imagestudio.adapters.offline_provider import FaultMarker, OfflineProvider
from imagestudio.application.ports.provider import (
    ImageProvider,
    InputImage,
    ProviderJob,
    ProviderOutcome,
    ProviderSuccess,
    SubmitUnknown,
)
from imagestudio.domain.errors import OutputFiltered, ProviderErrorKind, ProviderFailed
from imagestudio.domain.media import MediaType
from imagestudio.domain.model import InputLimits, Model
from imagestudio.domain.operation import ParameterValue
from imagestudio.domain.operation_kind import OperationKind
from imagestudio.domain.pricing import FlatPerOutput


class RecordingReport:
    def __init__(self) -> None:
        self.events: list[str] = []
        self.sent = asyncio.Event()

    async def sending(self, task_id: str | None = None) -> None:

        del task_id  # told up front by the offline provider only; not what this records
        self.events.append("sending")
        self.sent.set()

    async def accepted(self, task_id: str) -> None:
        self.events.append(f"accepted {task_id}")

    def progressed(self, detail: str) -> None:
        self.events.append(f"progressed {detail}")


def model(
    kind: OperationKind = OperationKind.TEXT_TO_IMAGE,
    output: MediaType = MediaType.PNG,
    limits: InputLimits | None = None,
) -> Model:
    return Model(
        id="offline-test",
        provider="offline",
        provider_path="offline/test",
        kinds=frozenset({kind}),
        pricing=FlatPerOutput(0),
        output=output,
        limits=limits or InputLimits(),
    )


def job(
    prompt: str = "a lighthouse at dusk",
    *,
    kind: OperationKind = OperationKind.TEXT_TO_IMAGE,
    served_by: Model | None = None,
    size: tuple[int, int] = (96, 64),
    outputs: int = 1,
    seed: int | None = 7,
    inputs: tuple[InputImage, ...] = (),
    parameters: dict[str, ParameterValue] | None = None,
) -> ProviderJob:
    return ProviderJob(
        model=served_by or model(kind),
        kind=kind,
        prompt=prompt,
        inputs=inputs,
        width=size[0],
        height=size[1],
        outputs=outputs,
        seed=seed,
        parameters=parameters or {},
    )


async def run(
    given: ProviderJob, provider: OfflineProvider | None = None
) -> tuple[ProviderOutcome, RecordingReport]:
    report = RecordingReport()
    outcome = await (provider or OfflineProvider()).run(given, report)
    return outcome, report


async def succeeded(given: ProviderJob) -> ProviderSuccess:
    outcome, _ = await run(given)
    assert isinstance(outcome, ProviderSuccess), outcome
    return outcome


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_it_is_an_image_provider_named_offline() -> None:
    provider: ImageProvider = OfflineProvider()

    assert provider.name == "offline"


async def test_text_to_image_is_a_png_of_exactly_the_requested_size() -> None:
    success = await succeeded(job(size=(200, 120)))

    [artifact] = success.artifacts
    image = opened(artifact.data)
    assert (image.format, image.size) == ("PNG", (200, 120))
    assert artifact.media_type is MediaType.PNG
    assert (artifact.width, artifact.height) == (200, 120)


@pytest.mark.parametrize(
    ("media_type", "pillow_format"),
    [(MediaType.PNG, "PNG"), (MediaType.JPEG, "JPEG"), (MediaType.WEBP, "WEBP")],
)
async def test_outputs_are_encoded_as_the_models_output_type(
    media_type: MediaType, pillow_format: str
) -> None:
    success = await succeeded(job(served_by=model(output=media_type)))

    assert success.artifacts[0].media_type is media_type
    assert opened(success.artifacts[0].data).format == pillow_format


async def test_text_to_image_draws_something_rather_than_a_flat_colour() -> None:
    success = await succeeded(job(size=(128, 128)))

    colours = opened(success.artifacts[0].data).convert("RGB").getcolors(maxcolors=1 << 16)
    assert colours is None or len(colours) > 50


async def test_each_requested_output_is_a_different_image() -> None:
    success = await succeeded(job(outputs=3))

    assert len(success.artifacts) == 3
    assert len({artifact.data for artifact in success.artifacts}) == 3


async def test_the_same_job_gives_the_same_bytes() -> None:
    first = await succeeded(job(outputs=2))
    second = await succeeded(job(outputs=2))

    assert first.artifacts == second.artifacts


async def test_another_seed_gives_another_image() -> None:
    first = await succeeded(job(seed=1))
    second = await succeeded(job(seed=2))

    assert first.artifacts[0].data != second.artifacts[0].data


async def test_another_prompt_gives_another_image() -> None:
    first = await succeeded(job("a red barn"))
    second = await succeeded(job("a blue boat"))

    assert first.artifacts[0].data != second.artifacts[0].data


async def test_each_output_reports_the_seed_that_reproduces_it() -> None:
    many = await succeeded(job(seed=40, outputs=3))
    third_alone = await succeeded(job(seed=42, outputs=1))

    assert [artifact.seed for artifact in many.artifacts] == [40, 41, 42]
    assert many.artifacts[2].data == third_alone.artifacts[0].data


async def test_without_a_seed_the_seed_derives_from_the_prompt() -> None:
    first = await succeeded(job("a quiet harbour", seed=None))
    again = await succeeded(job("a quiet harbour", seed=None))
    other = await succeeded(job("a noisy market", seed=None))

    assert first.artifacts[0].seed is not None
    assert first.artifacts == again.artifacts
    assert other.artifacts[0].seed != first.artifacts[0].seed


async def test_it_reports_sending_then_accepted_under_the_task_id_it_returns() -> None:
    outcome, report = await run(job())

    assert isinstance(outcome, ProviderSuccess)
    assert outcome.task_id is not None
    assert report.events == ["sending", f"accepted {outcome.task_id}"]


async def test_the_task_id_is_deterministic_and_names_the_offline_provider() -> None:
    first = await succeeded(job())
    again = await succeeded(job())
    other = await succeeded(job(seed=8))

    assert first.task_id is not None
    assert first.task_id.startswith("offline-")
    assert first.task_id == again.task_id
    assert other.task_id != first.task_id


async def test_a_kind_the_model_lacks_fails_as_invalid_input_before_sending() -> None:
    upscaler = model(OperationKind.UPSCALE)

    outcome, report = await run(job(served_by=upscaler))

    assert isinstance(outcome, ProviderFailed)
    assert outcome.kind is ProviderErrorKind.INVALID_INPUT
    assert "cannot do text-to-image" in outcome.detail
    assert report.events == []


async def test_an_undecodable_input_fails_as_invalid_input() -> None:
    broken = InputImage(data=b"\x89PNG not really", media_type=MediaType.PNG, width=8, height=8)

    outcome, report = await run(job(kind=OperationKind.UPSCALE, inputs=(broken,)))

    assert isinstance(outcome, ProviderFailed)
    assert outcome.kind is ProviderErrorKind.INVALID_INPUT
    assert "not a decodable image" in outcome.detail
    assert report.events == ["sending"]


async def test_a_missing_input_image_fails_as_invalid_input() -> None:
    outcome, _ = await run(job(kind=OperationKind.IMAGE_EDIT))

    assert isinstance(outcome, ProviderFailed)
    assert outcome.kind is ProviderErrorKind.INVALID_INPUT
    assert "needs an input image" in outcome.detail


async def test_a_size_beyond_the_models_limits_fails_as_invalid_input() -> None:
    small = model(limits=InputLimits(max_output_pixels=64 * 64))

    outcome, _ = await run(job(served_by=small, size=(128, 128)))

    assert isinstance(outcome, ProviderFailed)
    assert outcome.kind is ProviderErrorKind.INVALID_INPUT


async def test_rendering_leaves_the_event_loop_free() -> None:
    ticks = 0
    big = job(size=(2048, 2048), outputs=2)

    async def tick() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.005)

    ticker = asyncio.create_task(tick())
    await succeeded(big)
    ticker.cancel()

    assert ticks >= 3


async def test_fail_marker_is_a_definite_unavailable_failure_after_sending() -> None:
    outcome, report = await run(job(f"a cat {FaultMarker.FAIL}"))

    assert isinstance(outcome, ProviderFailed)
    assert outcome.kind is ProviderErrorKind.UNAVAILABLE
    assert report.events == ["sending"]


async def test_moderate_marker_is_a_moderation_failure() -> None:
    outcome, report = await run(job(f"a cat {FaultMarker.MODERATE}"))

    assert isinstance(outcome, ProviderFailed)
    assert outcome.kind is ProviderErrorKind.MODERATION
    assert report.events == ["sending"]


async def test_filter_marker_is_output_filtered_after_being_accepted() -> None:
    outcome, report = await run(job(f"a cat {FaultMarker.FILTER}"))

    assert isinstance(outcome, OutputFiltered)
    assert outcome.provider == "offline"
    assert report.events[0] == "sending"
    assert report.events[1].startswith("accepted offline-")


async def test_unknown_marker_is_an_unknown_submission_after_sending() -> None:
    outcome, report = await run(job(f"a cat {FaultMarker.UNKNOWN}"))

    assert isinstance(outcome, SubmitUnknown)
    assert outcome.task_id is None
    assert report.events == ["sending"]


async def test_slow_marker_succeeds_after_the_configured_delay() -> None:
    provider = OfflineProvider(slow_seconds=0.05)
    loop = asyncio.get_running_loop()
    started = loop.time()

    outcome, _ = await run(job(f"a cat {FaultMarker.SLOW}"), provider)

    assert isinstance(outcome, ProviderSuccess)
    assert loop.time() - started >= 0.05


async def test_slow_marker_lets_a_caller_cancel_after_sending() -> None:
    report = RecordingReport()
    call = asyncio.create_task(
        OfflineProvider(slow_seconds=5).run(job(f"a cat {FaultMarker.SLOW}"), report)
    )
    await report.sent.wait()

    call.cancel()

    with pytest.raises(asyncio.CancelledError):
        await call
    assert report.events == ["sending", "progressed rendering"]  # told while it works


async def test_markers_are_ignored_unless_honoured() -> None:
    provider = OfflineProvider(honour_fault_markers=False)

    outcome, _ = await run(job(f"a cat {FaultMarker.FAIL}"), provider)

    assert isinstance(outcome, ProviderSuccess)
