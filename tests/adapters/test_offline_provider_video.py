"""Image to video offline: a short MP4 encoded with PyAV, decoded back here."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageDraw

from imagestudio.adapters.offline_provider import OfflineProvider, video
from imagestudio.application.ports.provider import (
    InputImage,
    ProviderJob,
    ProviderOutcome,
    ProviderSuccess,
)
from imagestudio.domain.errors import ProviderErrorKind, ProviderFailed
from imagestudio.domain.media import MediaType
from imagestudio.domain.model import InputLimits, Model
from imagestudio.domain.operation import ParameterValue
from imagestudio.domain.operation_kind import OperationKind
from imagestudio.domain.pricing import FlatPerOutput

requires_pyav = pytest.mark.skipif(video.load_av() is None, reason="PyAV is not installed")


class RecordingReport:
    def __init__(self) -> None:
        self.events: list[str] = []

    async def sending(self, task_id: str | None = None) -> None:

        del task_id  # told up front by the offline provider only; not what this records
        self.events.append("sending")

    async def accepted(self, task_id: str) -> None:
        self.events.append(f"accepted {task_id}")

    def progressed(self, detail: str) -> None:
        self.events.append(f"progressed {detail}")


def still() -> InputImage:
    image = Image.new("RGB", (400, 300), (30, 90, 160))
    ImageDraw.Draw(image).ellipse((150, 100, 250, 200), fill=(250, 220, 40))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return InputImage(data=buffer.getvalue(), media_type=MediaType.PNG, width=400, height=300)


def job(limits: InputLimits | None = None, **parameters: ParameterValue) -> ProviderJob:
    model = Model(
        id="offline-video",
        provider="offline",
        provider_path="offline/video",
        kinds=frozenset({OperationKind.IMAGE_TO_VIDEO}),
        pricing=FlatPerOutput(0),
        output=MediaType.MP4,
        limits=limits or InputLimits(),
    )
    return ProviderJob(
        model=model,
        kind=OperationKind.IMAGE_TO_VIDEO,
        prompt="the sun rises",
        inputs=(still(),),
        width=400,
        height=300,
        outputs=1,
        seed=None,
        parameters=parameters,
    )


async def outcome_of(given: ProviderJob) -> tuple[ProviderOutcome, RecordingReport]:
    report = RecordingReport()
    return await OfflineProvider().run(given, report), report


async def clip(given: ProviderJob) -> ProviderSuccess:
    outcome, _ = await outcome_of(given)
    assert isinstance(outcome, ProviderSuccess), outcome
    return outcome


def decoded_frames(data: bytes) -> tuple[str, float, list[Image.Image]]:
    av = pytest.importorskip("av")
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.video[0]
        codec = stream.codec_context.name
        duration = float(stream.duration * stream.time_base)
        frames = [frame.to_image() for frame in container.decode(stream)]
    return codec, duration, frames


@requires_pyav
async def test_image_to_video_gives_an_mp4_of_five_seconds_by_default() -> None:
    success = await clip(job())

    [artifact] = success.artifacts
    codec, duration, frames = decoded_frames(artifact.data)
    assert artifact.media_type is MediaType.MP4
    assert artifact.data[4:8] == b"ftyp"
    assert codec in ("h264", "mpeg4")
    assert duration == pytest.approx(5.0)
    assert len(frames) == 5 * video.FRAMES_PER_SECOND


@requires_pyav
async def test_the_duration_parameter_sets_the_length() -> None:
    success = await clip(job(duration=2))

    _, duration, frames = decoded_frames(success.artifacts[0].data)
    assert duration == pytest.approx(2.0)
    assert len(frames) == 2 * video.FRAMES_PER_SECOND


@requires_pyav
async def test_the_artifact_reports_the_requested_duration_and_resolution() -> None:
    success = await clip(job(duration=3, resolution="720p"))

    artifact = success.artifacts[0]
    assert (artifact.duration_seconds, artifact.resolution) == (3, "720p")


@requires_pyav
async def test_the_resolution_defaults_to_480p() -> None:
    success = await clip(job(duration=1))

    assert success.artifacts[0].resolution == "480p"


@requires_pyav
async def test_frames_are_rendered_small_at_the_inputs_aspect_ratio() -> None:
    success = await clip(job(duration=1))

    artifact = success.artifacts[0]
    _, _, frames = decoded_frames(artifact.data)
    assert frames[0].size == (artifact.width, artifact.height) == (320, 240)


@requires_pyav
async def test_the_frames_move_slowly_over_the_still() -> None:
    success = await clip(job(duration=2))

    _, _, frames = decoded_frames(success.artifacts[0].data)
    first, last = frames[0].convert("L"), frames[-1].convert("L")
    assert first.tobytes() != last.tobytes()
    yellow = (250, 220, 40)
    centre = frames[len(frames) // 2].convert("RGB").getpixel((160, 120))
    assert isinstance(centre, tuple)
    assert all(abs(a - b) < 40 for a, b in zip(centre, yellow, strict=True))


@requires_pyav
async def test_the_same_job_gives_the_same_video() -> None:
    first = await clip(job(duration=1))
    second = await clip(job(duration=1))

    assert first.artifacts == second.artifacts


@requires_pyav
async def test_without_h264_it_falls_back_to_mpeg4(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(video, "CODEC_PREFERENCE", ("no-such-encoder", "mpeg4"))

    success = await clip(job(duration=1))

    codec, _, frames = decoded_frames(success.artifacts[0].data)
    assert codec == "mpeg4"
    assert len(frames) == video.FRAMES_PER_SECOND


async def test_without_pyav_it_is_not_supported_and_nothing_is_sent(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(video, "load_av", lambda: None)

    outcome, report = await outcome_of(job())

    assert isinstance(outcome, ProviderFailed)
    assert outcome.kind is ProviderErrorKind.NOT_SUPPORTED
    assert outcome.detail == (
        "image-to-video is not supported offline: install imagestudio[video] (PyAV)"
    )
    assert report.events == []


@requires_pyav
async def test_without_any_encoder_it_is_not_supported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(video, "CODEC_PREFERENCE", ("no-such-encoder",))

    outcome, _ = await outcome_of(job(duration=1))

    assert isinstance(outcome, ProviderFailed)
    assert outcome.kind is ProviderErrorKind.NOT_SUPPORTED


@requires_pyav
async def test_an_unknown_resolution_fails_as_invalid_input() -> None:
    outcome, _ = await outcome_of(job(resolution="8k"))

    assert isinstance(outcome, ProviderFailed)
    assert outcome.kind is ProviderErrorKind.INVALID_INPUT


@requires_pyav
async def test_a_duration_the_model_does_not_offer_fails_as_invalid_input() -> None:
    outcome, _ = await outcome_of(job(limits=InputLimits(durations=(5, 10)), duration=7))

    assert isinstance(outcome, ProviderFailed)
    assert outcome.kind is ProviderErrorKind.INVALID_INPUT
    assert "duration" in outcome.detail


@requires_pyav
async def test_a_zero_duration_fails_as_invalid_input() -> None:
    outcome, _ = await outcome_of(job(duration=0))

    assert isinstance(outcome, ProviderFailed)
    assert outcome.kind is ProviderErrorKind.INVALID_INPUT


@requires_pyav
async def test_the_render_says_it_is_a_preview_size_next_to_what_was_asked(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level("WARNING", logger="imagestudio.offline"):
        success = await clip(job(duration=1, resolution="720p"))

    artifact = success.artifacts[0]
    _, _, frames = decoded_frames(artifact.data)
    said = [record.getMessage() for record in caplog.records]
    assert said == [
        f"offline image-to-video renders a preview size: {artifact.width}×{artifact.height} at "
        f"{video.FRAMES_PER_SECOND} fps (720p asked; a real provider's model renders the full "
        "resolution)"
    ]
    assert frames[0].size == (artifact.width, artifact.height) == (video.RENDER_WIDTH, 240)
