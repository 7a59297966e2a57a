"""An output image whose body stops before its end (cut with an honest length, as the sandbox's
`truncated` fault and a misbehaving CDN do) is no success to charge for: its header still reads,
so the size alone took it for whole. Both providers hold such a billed call as unknown."""

from __future__ import annotations

import io
from collections.abc import Awaitable, Callable, Iterator

import pytest
from PIL import Image

from imagestudio.adapters.catalog import load_catalog
from imagestudio.adapters.providers.output_media import cut_short
from imagestudio.adapters.sandbox.config import SANDBOX_KEY
from imagestudio.adapters.sandbox.faults import Fault, Route
from imagestudio.adapters.sandbox.runner import RunningSandbox
from imagestudio.adapters.stability.client import new_client as stability_client
from imagestudio.adapters.stability.provider import StabilityProvider
from imagestudio.adapters.stability.settings import StabilitySettings
from imagestudio.adapters.wavespeed.client import new_client as wavespeed_client
from imagestudio.adapters.wavespeed.provider import WaveSpeedProvider
from imagestudio.adapters.wavespeed.settings import WaveSpeedSettings
from imagestudio.application.ports.provider import ProviderJob, ProviderOutcome, SubmitUnknown
from imagestudio.domain.media import MediaType

FORMATS = {MediaType.PNG: "PNG", MediaType.JPEG: "JPEG", MediaType.WEBP: "WEBP"}
VARIANTS: dict[str, tuple[str, dict[str, object]]] = {
    "rgb": ("RGB", {}),
    "rgba": ("RGBA", {}),
    "grey": ("L", {}),
    "progressive": ("RGB", {"progressive": True}),
    "lossless": ("RGBA", {"lossless": True}),
    "with exif": ("RGB", {"exif": b"Exif\0\0MM\0*\0\0\0\x08\0\0\0\0\0\0"}),
}
"""Each variant's mode and the save options that shape its bytes (each format ignores the
options it has no use for)."""


def encoded(media_type: MediaType, variant: str) -> bytes:
    mode, options = VARIANTS[variant]
    image = Image.effect_noise((96, 64), 60).convert(mode)
    if media_type is MediaType.JPEG and image.mode == "RGBA":
        image = image.convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, FORMATS[media_type], **options)
    return buffer.getvalue()


@pytest.mark.parametrize("variant", sorted(VARIANTS))
@pytest.mark.parametrize("media_type", list(FORMATS), ids=lambda m: m.extension)
def test_a_whole_image_is_not_cut_short(media_type: MediaType, variant: str) -> None:
    assert not cut_short(encoded(media_type, variant), media_type)


@pytest.mark.parametrize("variant", sorted(VARIANTS))
@pytest.mark.parametrize("media_type", list(FORMATS), ids=lambda m: m.extension)
def test_an_image_cut_anywhere_after_its_header_is_cut_short(
    media_type: MediaType, variant: str
) -> None:
    whole = encoded(media_type, variant)
    for end in range(32, len(whole)):
        assert cut_short(whole[:end], media_type), f"cut at {end} of {len(whole)}"


def catalog_job(model_id: str) -> ProviderJob:
    model = load_catalog().get(model_id)
    assert model is not None
    (kind,) = model.kinds
    return ProviderJob(
        model=model,
        kind=kind,
        prompt="a kite",
        inputs=(),
        width=512,
        height=512,
        outputs=1,
        seed=3,
    )


class Report:
    async def sending(self, task_id: str | None = None) -> None:
        del task_id

    async def accepted(self, task_id: str) -> None:
        del task_id

    def progressed(self, detail: str) -> None:
        del detail


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    with RunningSandbox() as running:
        yield running


async def run_wavespeed(base_url: str) -> ProviderOutcome:
    settings = WaveSpeedSettings(
        api_key=SANDBOX_KEY, base_url=base_url, poll_interval=0.02, task_deadline=10.0
    )
    async with wavespeed_client(settings) as client:
        provider = WaveSpeedProvider(settings, client)
        return await provider.run(catalog_job("wavespeed/qwen-image"), Report())


async def run_stability(base_url: str) -> ProviderOutcome:
    settings = StabilitySettings(api_key=SANDBOX_KEY, base_url=base_url, task_deadline=10.0)
    async with stability_client(settings) as client:
        provider = StabilityProvider(settings, client)
        return await provider.run(catalog_job("stability/generate-core"), Report())


@pytest.mark.parametrize(
    ("route", "run"),
    [(Route.FILE_DOWNLOAD, run_wavespeed), (Route.STABILITY_SUBMIT, run_stability)],
    ids=["wavespeed download", "stability submit"],
)
async def test_the_sandboxs_truncated_output_is_held_never_charged_as_a_success(
    sandbox: RunningSandbox, route: Route, run: Callable[[str], Awaitable[ProviderOutcome]]
) -> None:
    sandbox.state.faults.add(route, Fault.TRUNCATED)
    outcome = await run(sandbox.base_url)

    assert isinstance(outcome, SubmitUnknown), outcome
    assert "before its end" in outcome.detail
