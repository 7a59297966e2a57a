"""The offline provider looks its tasks up by rendering them again, as reconcile asks it to."""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import sys
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from PIL import Image, ImageDraw

from imagestudio.adapters.offline_provider import FaultMarker, OfflineProvider
from imagestudio.adapters.offline_provider.faults import fault_in
from imagestudio.application.ports.provider import (
    InputImage,
    ProviderJob,
    ProviderSuccess,
    SubmitUnknown,
    TaskLookup,
    TaskMissing,
)
from imagestudio.domain.errors import OutputFiltered
from imagestudio.domain.media import MediaType
from imagestudio.domain.model import InputLimits, Model
from imagestudio.domain.operation import ParameterValue
from imagestudio.domain.operation_kind import OperationKind
from imagestudio.domain.pricing import FlatPerOutput


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


def model(kind: OperationKind, output: MediaType = MediaType.PNG) -> Model:
    return Model(
        id="offline-test",
        provider="offline",
        provider_path="offline/test",
        kinds=frozenset({kind}),
        pricing=FlatPerOutput(0),
        output=output,
        limits=InputLimits(outputs_per_call=4),
        default_size=(64, 64),
    )


def job(
    prompt: str = "a lighthouse at dusk",
    *,
    kind: OperationKind = OperationKind.TEXT_TO_IMAGE,
    output: MediaType = MediaType.PNG,
    size: tuple[int, int] = (48, 32),
    outputs: int = 1,
    seed: int | None = 7,
    inputs: tuple[InputImage, ...] = (),
    parameters: dict[str, ParameterValue] | None = None,
) -> ProviderJob:
    return ProviderJob(
        model=model(kind, output),
        kind=kind,
        prompt=prompt,
        inputs=inputs,
        width=size[0],
        height=size[1],
        outputs=outputs,
        seed=seed,
        parameters=parameters or {},
    )


def as_reconcile_rebuilds(sent: ProviderJob) -> ProviderJob:
    """What reconcile passes: no inputs, no seed, and an output count that may be another."""
    return replace(sent, inputs=(), seed=None, outputs=1)


def picture(role: str = "image") -> InputImage:
    image = Image.new("RGB", (40, 30), (200, 200, 200))
    ImageDraw.Draw(image).ellipse((12, 8, 28, 22), fill=(220, 30, 30))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return InputImage(
        data=buffer.getvalue(), media_type=MediaType.PNG, width=40, height=30, role=role
    )


def an_edit(mode: str = "general", prompt: str = "in autumn colours") -> ProviderJob:
    return job(
        prompt,
        kind=OperationKind.IMAGE_EDIT,
        size=(40, 30),
        inputs=(picture(),),
        parameters={"mode": mode},
    )


async def ran(provider: OfflineProvider, sent: ProviderJob) -> ProviderSuccess:
    outcome = await provider.run(sent, RecordingReport())
    assert isinstance(outcome, ProviderSuccess), outcome
    assert outcome.task_id is not None
    return outcome


prompts = st.text(max_size=60).filter(lambda prompt: fault_in(prompt) is None)
seeds = st.none() | st.integers(min_value=0, max_value=2**64)
sides = st.integers(min_value=8, max_value=72)
parameters = st.dictionaries(
    st.text(min_size=1, max_size=8),
    st.integers(-1000, 1000) | st.text(max_size=8) | st.booleans(),
    max_size=3,
)


def test_it_is_a_task_lookup() -> None:
    lookup: TaskLookup = OfflineProvider()

    assert callable(lookup.lookup)


@given(
    prompt=prompts,
    seed=seeds,
    size=st.tuples(sides, sides),
    outputs=st.integers(min_value=1, max_value=3),
    output=st.sampled_from([MediaType.PNG, MediaType.JPEG, MediaType.WEBP]),
    asked_with=parameters,
)
async def test_a_lookup_gives_what_the_run_gave(
    prompt: str,
    seed: int | None,
    size: tuple[int, int],
    outputs: int,
    output: MediaType,
    asked_with: dict[str, ParameterValue],
) -> None:
    provider = OfflineProvider()
    sent = job(prompt, seed=seed, size=size, outputs=outputs, output=output, parameters=asked_with)
    success = await ran(provider, sent)
    assert success.task_id is not None

    found = await provider.lookup(as_reconcile_rebuilds(sent), success.task_id)

    assert found == success


async def test_a_fresh_provider_looks_up_a_task_another_one_ran() -> None:
    sent = job(outputs=2, seed=None)
    success = await ran(OfflineProvider(), sent)
    assert success.task_id is not None

    found = await OfflineProvider().lookup(as_reconcile_rebuilds(sent), success.task_id)

    assert found == success


async def test_another_process_looks_up_a_task_with_the_same_bytes() -> None:
    sent = job("a harbour at noon", outputs=2, seed=11)
    success = await ran(OfflineProvider(), sent)
    assert success.task_id is not None
    script = f"""
import asyncio, hashlib, json
from imagestudio.adapters.offline_provider import OfflineProvider
from imagestudio.application.ports.provider import ProviderJob
from imagestudio.domain.model import InputLimits, Model
from imagestudio.domain.media import MediaType
from imagestudio.domain.operation_kind import OperationKind
from imagestudio.domain.pricing import FlatPerOutput
kind = OperationKind.TEXT_TO_IMAGE
model = Model(id="offline-test", provider="offline", provider_path="offline/test",
    kinds=frozenset({{kind}}), pricing=FlatPerOutput(0), output=MediaType.PNG,
    limits=InputLimits(outputs_per_call=4), default_size=(64, 64))
job = ProviderJob(model=model, kind=kind, prompt="a harbour at noon", inputs=(), width=64,
    height=64, outputs=1, seed=None, parameters={{}})
found = asyncio.run(OfflineProvider().lookup(job, {success.task_id!r}))
print(json.dumps([hashlib.sha256(a.data).hexdigest() for a in found.artifacts]))
"""

    child = await asyncio.create_subprocess_exec(
        sys.executable, "-c", script, stdout=asyncio.subprocess.PIPE
    )
    answer, _ = await asyncio.wait_for(child.communicate(), timeout=60)

    assert child.returncode == 0
    assert json.loads(answer) == [
        hashlib.sha256(artifact.data).hexdigest() for artifact in success.artifacts
    ]


async def test_the_task_says_how_many_outputs_it_gave_not_the_rebuilt_job() -> None:
    sent = job(outputs=3)
    success = await ran(OfflineProvider(), sent)
    assert success.task_id is not None

    found = await OfflineProvider().lookup(replace(sent, outputs=1), success.task_id)

    assert isinstance(found, ProviderSuccess)
    assert len(found.artifacts) == 3


async def test_a_task_id_is_short_and_url_safe_even_for_long_prompts_and_seeds() -> None:
    success = await ran(OfflineProvider(), job("word " * 2000, seed=2**128, outputs=4))
    assert success.task_id is not None

    assert success.task_id.startswith("offline-")
    assert len(success.task_id) < 120
    assert set(success.task_id) <= set("abcdefghijklmnopqrstuvwxyz0123456789-._")


async def test_a_seed_too_long_for_an_id_is_a_task_it_cannot_look_up() -> None:
    sent = job(seed=10**60)
    success = await ran(OfflineProvider(), sent)
    assert success.task_id is not None

    found = await OfflineProvider().lookup(as_reconcile_rebuilds(sent), success.task_id)

    assert isinstance(found, TaskMissing)
    assert len(success.task_id) < 120


async def test_a_task_issued_for_another_job_is_missing() -> None:
    success = await ran(OfflineProvider(), job("a lighthouse at dusk"))
    assert success.task_id is not None

    found = await OfflineProvider().lookup(job("a lighthouse at dawn"), success.task_id)

    assert isinstance(found, TaskMissing)


async def test_a_task_with_inputs_is_looked_up_from_the_kept_inputs(tmp_path: Path) -> None:
    sent = an_edit()
    success = await ran(OfflineProvider(folder=tmp_path), sent)
    assert success.task_id is not None

    found = await OfflineProvider(folder=tmp_path).lookup(
        as_reconcile_rebuilds(sent), success.task_id
    )

    assert found == success


async def test_every_input_is_kept_with_its_role(tmp_path: Path) -> None:
    sent = replace(
        an_edit("inpaint"), inputs=(picture(), picture("mask")), parameters={"mode": "inpaint"}
    )
    success = await ran(OfflineProvider(folder=tmp_path), sent)
    assert success.task_id is not None

    found = await OfflineProvider(folder=tmp_path).lookup(
        as_reconcile_rebuilds(sent), success.task_id
    )

    assert found == success


async def test_without_a_folder_a_task_with_inputs_is_missing() -> None:
    sent = an_edit()
    success = await ran(OfflineProvider(), sent)
    assert success.task_id is not None

    found = await OfflineProvider().lookup(as_reconcile_rebuilds(sent), success.task_id)

    assert isinstance(found, TaskMissing)


async def test_kept_inputs_are_forgotten_after_keep_for(tmp_path: Path) -> None:
    provider = OfflineProvider(folder=tmp_path, keep_for=timedelta(0))
    old, new = an_edit(prompt="old"), an_edit(prompt="new")
    old_success = await ran(provider, old)
    new_success = await ran(provider, new)
    assert old_success.task_id is not None and new_success.task_id is not None

    forgotten = await provider.lookup(as_reconcile_rebuilds(old), old_success.task_id)
    kept = await provider.lookup(as_reconcile_rebuilds(new), new_success.task_id)

    assert isinstance(forgotten, TaskMissing)
    assert kept == new_success


async def test_a_kept_input_that_changed_on_disk_makes_the_task_missing(tmp_path: Path) -> None:
    sent = an_edit()
    success = await ran(OfflineProvider(folder=tmp_path), sent)
    assert success.task_id is not None
    for kept in (tmp_path / "inputs").iterdir():
        kept.write_bytes(b"not the picture")

    found = await OfflineProvider(folder=tmp_path).lookup(
        as_reconcile_rebuilds(sent), success.task_id
    )

    assert isinstance(found, TaskMissing)


async def test_a_lookup_sends_nothing() -> None:
    provider = OfflineProvider()
    sent = job()
    report = RecordingReport()
    outcome = await provider.run(sent, report)
    assert isinstance(outcome, ProviderSuccess) and outcome.task_id is not None
    reported = list(report.events)

    await provider.lookup(as_reconcile_rebuilds(sent), outcome.task_id)
    await provider.lookup(as_reconcile_rebuilds(sent), "offline-v1.nonsense")

    assert report.events == reported == ["sending", f"accepted {outcome.task_id}"]


async def test_a_filtered_task_is_looked_up_as_filtered() -> None:
    sent = job(f"a cat {FaultMarker.FILTER}")
    report = RecordingReport()
    outcome = await OfflineProvider().run(sent, report)
    assert isinstance(outcome, OutputFiltered)
    task_id = report.events[1].removeprefix("accepted ")

    found = await OfflineProvider().lookup(as_reconcile_rebuilds(sent), task_id)

    assert isinstance(found, OutputFiltered)


async def test_a_lost_result_names_its_task_and_the_lookup_finds_it() -> None:
    sent = job(f"a cat {FaultMarker.LOST}", outputs=2)
    report = RecordingReport()
    outcome = await OfflineProvider().run(sent, report)
    assert isinstance(outcome, SubmitUnknown)
    assert outcome.task_id is not None
    assert report.events == ["sending", f"accepted {outcome.task_id}"]

    found = await OfflineProvider().lookup(as_reconcile_rebuilds(sent), outcome.task_id)

    assert isinstance(found, ProviderSuccess)
    assert len(found.artifacts) == 2
    assert found.task_id == outcome.task_id


@pytest.mark.parametrize("fault", [FaultMarker.FAIL, FaultMarker.MODERATE, FaultMarker.UNKNOWN])
async def test_a_job_whose_submission_was_never_accepted_has_no_task(fault: FaultMarker) -> None:
    sent = job(f"a cat {fault}")
    issued = await ran(OfflineProvider(honour_fault_markers=False), sent)
    assert issued.task_id is not None

    found = await OfflineProvider().lookup(as_reconcile_rebuilds(sent), issued.task_id)

    assert isinstance(found, TaskMissing)


async def test_a_job_the_model_cannot_do_has_no_task() -> None:
    sent = job()
    success = await ran(OfflineProvider(), sent)
    assert success.task_id is not None
    upscaler = replace(sent, model=model(OperationKind.UPSCALE))

    found = await OfflineProvider().lookup(as_reconcile_rebuilds(upscaler), success.task_id)

    assert isinstance(found, TaskMissing)


@pytest.mark.parametrize(
    "garbled",
    [
        "",
        "offline-",
        "offline-0123456789abcdef0123",
        "offline-v1",
        "offline-v1.7.1.48x32",
        "offline-v1.7.1.48x32.0123",
        "offline-v1.7.1.48x32.0123456789abcdef0123456789abcdef",
        "offline-v1.007.1.48x32.0123456789abcdef0123456789abcdef",
        "offline-v1.٧.1.48x32.0123456789abcdef0123456789abcdef",
        "offline-v1.7.1.48x32./etc/passwd",
        "offline-v1.7.1.48x32.../../../../../../etc/passwd",
        "offline-v1.7.-1.48x-32.0123456789abcdef0123456789abcdef",
        "offline-v1.7.0.0x0.0123456789abcdef0123456789abcdef",
        "offline-v1." + "9" * 5000 + ".1.48x32.0123456789abcdef0123456789abcdef",
        "wavespeed-task-42",
    ],
)
async def test_an_id_it_never_issued_is_missing(garbled: str, tmp_path: Path) -> None:
    found = await OfflineProvider(folder=tmp_path).lookup(an_edit(), garbled)

    assert isinstance(found, TaskMissing)
    assert found.task_id == garbled


@given(text=st.text(max_size=120))
async def test_no_text_makes_a_lookup_raise(text: str) -> None:
    found = await OfflineProvider().lookup(job(), text)

    assert isinstance(found, TaskMissing)


@given(position=st.integers(min_value=0), character=st.characters(codec="utf-8"))
async def test_an_issued_id_changed_anywhere_is_missing(position: int, character: str) -> None:
    sent = job()
    success = await ran(OfflineProvider(), sent)
    task_id = success.task_id
    assert task_id is not None
    index = position % len(task_id)
    assume(task_id[index] != character)
    changed = task_id[:index] + character + task_id[index + 1 :]

    found = await OfflineProvider().lookup(as_reconcile_rebuilds(sent), changed)

    assert isinstance(found, TaskMissing)
