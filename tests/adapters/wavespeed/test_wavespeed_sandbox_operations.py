"""Every operation kind the WaveSpeed catalog offers, run against the sandbox's emulator."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from wavespeed_sandbox_support import provider_on
from wavespeed_test_support import RecordingReport, input_image, job

from imagestudio.adapters.sandbox.config import SandboxConfig
from imagestudio.adapters.sandbox.runner import RunningSandbox
from imagestudio.application.ports.provider import ProviderJob, ProviderSuccess
from imagestudio.domain.media import MediaType


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    """One sandbox for the module: each test finds its own task in the book by its id."""
    with RunningSandbox(SandboxConfig()) as running:
        yield running


async def run_on_sandbox(sandbox: RunningSandbox, the_job: ProviderJob) -> ProviderSuccess:
    """Runs the job, checks the report and the book agree with the outcome, returns it."""
    async with provider_on(sandbox) as provider:
        report = RecordingReport()
        outcome = await provider.run(the_job, report)
    assert isinstance(outcome, ProviderSuccess), outcome
    assert report.events == ["sending", "accepted"]
    assert report.task_ids == [outcome.task_id]
    billed = sandbox.state.book.find("wavespeed", report.task_ids[0])
    assert billed is not None
    assert billed.route == the_job.model.provider_path.split("?")[0]
    return outcome


async def test_text_to_image_returns_an_image_of_the_asked_size(sandbox: RunningSandbox) -> None:
    outcome = await run_on_sandbox(
        sandbox, job("wavespeed/qwen-image", width=1024, height=768, seed=5)
    )

    (artifact,) = outcome.artifacts
    assert (artifact.media_type, artifact.width, artifact.height) == (MediaType.JPEG, 1024, 768)
    assert artifact.seed == 5


async def test_an_aspect_ratio_model_returns_the_nearest_ratio(sandbox: RunningSandbox) -> None:
    outcome = await run_on_sandbox(
        sandbox, job("wavespeed/ideogram-v3-turbo", width=1280, height=720)
    )

    (artifact,) = outcome.artifacts
    assert artifact.width is not None and artifact.height is not None
    assert artifact.width / artifact.height == pytest.approx(16 / 9, rel=0.02)


async def test_flux_dev_returns_several_outputs_from_one_billed_call(
    sandbox: RunningSandbox,
) -> None:
    outcome = await run_on_sandbox(
        sandbox, job("wavespeed/flux-dev", width=512, height=512, outputs=3)
    )

    assert len(outcome.artifacts) == 3
    assert all(artifact.width == 512 for artifact in outcome.artifacts)


@pytest.mark.parametrize(
    ("model_id", "images"),
    [
        ("wavespeed/qwen-image-edit", 1),
        ("wavespeed/qwen-image-edit-plus", 2),
        ("wavespeed/seedream-v4-edit", 2),
        ("wavespeed/flux-kontext-pro-edit", 1),
        ("wavespeed/nano-banana-pro-edit-ultra-4k", 1),
    ],
)
async def test_editors_take_one_or_several_images(
    sandbox: RunningSandbox, model_id: str, images: int
) -> None:
    inputs = tuple(input_image(width=96, height=64, color=(i * 40, 9, 9)) for i in range(images))

    outcome = await run_on_sandbox(
        sandbox, job(model_id, prompt="make it blue", inputs=inputs, width=96, height=64)
    )

    (artifact,) = outcome.artifacts
    assert artifact.media_type is MediaType.JPEG


async def test_upscale_reaches_the_target_the_output_size_needs(sandbox: RunningSandbox) -> None:
    outcome = await run_on_sandbox(
        sandbox,
        job(
            "wavespeed/image-upscaler",
            prompt="",
            inputs=(input_image(width=128, height=96),),
            width=256,
            height=192,
            parameters={"scale": 2},
        ),
    )

    (artifact,) = outcome.artifacts
    assert (artifact.width, artifact.height) == (2048, 1536)


@pytest.mark.parametrize("model_id", ["wavespeed/image-face-swap", "wavespeed/akool-face-swap"])
async def test_face_swap_returns_the_target_with_the_new_face(
    sandbox: RunningSandbox, model_id: str
) -> None:
    face = input_image("face", width=64, height=64, color=(250, 200, 150))
    target = input_image("target", width=120, height=90, color=(20, 30, 40))

    outcome = await run_on_sandbox(
        sandbox, job(model_id, prompt="", inputs=(face, target), width=120, height=90)
    )

    (artifact,) = outcome.artifacts
    assert (artifact.width, artifact.height) == (120, 90)


@pytest.mark.parametrize(
    "model_id",
    ["wavespeed/hunyuan3d-v3", "wavespeed/hunyuan3d-v2.1", "wavespeed/hunyuan3d-v2-multi-view"],
)
async def test_image_to_3d_uploads_the_image_and_returns_a_glb(
    sandbox: RunningSandbox, model_id: str
) -> None:
    outcome = await run_on_sandbox(
        sandbox,
        job(model_id, prompt="", inputs=(input_image(width=96, height=96),), width=96, height=96),
    )

    (artifact,) = outcome.artifacts
    assert artifact.media_type is MediaType.GLB
    assert artifact.data[:4] == b"glTF"


async def test_image_to_video_returns_an_mp4_of_the_asked_length(sandbox: RunningSandbox) -> None:
    outcome = await run_on_sandbox(
        sandbox,
        job(
            "wavespeed/wan-2.5-image-to-video",
            prompt="the fox turns its head",
            inputs=(input_image(width=96, height=64),),
            width=96,
            height=64,
            parameters={"duration": 5, "resolution": "480p"},
        ),
    )

    (artifact,) = outcome.artifacts
    assert artifact.media_type is MediaType.MP4
    assert (artifact.duration_seconds, artifact.resolution) == (5, "480p")
