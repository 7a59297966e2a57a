"""Every model of the shipped catalog describes the parameters it takes, and every one it
describes reaches its provider: a parameter listed but dropped on the way would be charged for
and ignored, which is what refusing the unlisted ones is for."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from imagestudio.adapters.catalog.catalog_error import CatalogError
from imagestudio.adapters.catalog.entry_parsing import parse_models
from imagestudio.adapters.catalog.toml_catalog import load_catalog
from imagestudio.adapters.offline_provider import OfflineProvider
from imagestudio.adapters.stability.endpoints import endpoint_for
from imagestudio.adapters.stability.forms import build_form
from imagestudio.adapters.wavespeed.requests import build_body
from imagestudio.application.parameter_rules import accepted_parameters, our_parameters
from imagestudio.application.ports.provider import InputImage, ProviderJob, ProviderSuccess
from imagestudio.application.routing import RoutingRules, route
from imagestudio.domain.media import MediaType
from imagestudio.domain.model import Model
from imagestudio.domain.model_parameters import ModelParameter, ParameterKind
from imagestudio.domain.operation import ParameterValue
from imagestudio.domain.operation_kind import OperationKind

MODELS = load_catalog().all()
ROLES = ("image", "mask", "style", "face", "target", "back", "left", "right")


def sample(parameter: ModelParameter) -> ParameterValue:
    """A value the parameter takes, away from any default (its last choice, its maximum)."""
    match parameter.kind:
        case ParameterKind.CHOICE:
            return parameter.choices[-1]
        case ParameterKind.FLAG:
            return True
        case ParameterKind.TEXT:
            return "a quiet harbour"
        case ParameterKind.INTEGER:
            return 3 if parameter.maximum is None else int(parameter.maximum)
    return 2.5 if parameter.maximum is None else parameter.maximum


def job(model: Model, parameters: dict[str, ParameterValue]) -> ProviderJob:
    (kind,) = model.kinds
    images = tuple(
        InputImage(data=b"png", media_type=MediaType.PNG, width=512, height=512, role=role)
        for role in ROLES
    )
    return ProviderJob(
        model=model,
        kind=kind,
        prompt="a lighthouse",
        inputs=images,
        width=1024,
        height=1024,
        outputs=1,
        seed=None,
        parameters=parameters,
    )


def test_every_model_in_the_catalog_describes_its_parameters() -> None:
    assert MODELS
    undescribed = [model.id for model in MODELS if model.parameters is None]
    assert undescribed == []
    for model in MODELS:
        for kind in model.kinds:
            ours = our_parameters(model, kind)
            assert not ours & {"prompt", "seed", "model"}, model.id


@pytest.mark.parametrize(
    "model", [m for m in MODELS if m.provider == "stability"], ids=lambda model: model.id
)
def test_each_parameter_a_stability_model_takes_is_sent_in_its_form(model: Model) -> None:
    endpoint = endpoint_for(model.provider_path)
    assert endpoint is not None
    for parameter in model.parameters or ():
        value = sample(parameter)
        form = build_form(job(model, {parameter.name: value}), endpoint)
        sent = form.fields.get(parameter.name)
        expected = str(value).lower() if isinstance(value, bool) else str(value)
        assert sent == expected, (model.id, parameter.name, form.fields)


@pytest.mark.parametrize(
    "model", [m for m in MODELS if m.provider == "wavespeed"], ids=lambda model: model.id
)
def test_each_parameter_a_wavespeed_model_takes_is_sent_in_its_body(model: Model) -> None:
    for parameter in model.parameters or ():
        value = sample(parameter)
        body = build_body(job(model, {parameter.name: value}))
        # The upscaler's `resolution` is ours (priced), sent as its `target_resolution`.
        name = "target_resolution" if parameter.name == "resolution" else parameter.name
        assert body.get(name) == value, (model.id, parameter.name, body)


class SilentReport:
    async def sending(self, task_id: str | None = None) -> None:
        pass

    async def accepted(self, task_id: str) -> None:
        pass

    def progressed(self, detail: str) -> None:
        del detail


OFFLINE_MODE_OF = {
    "hue_shift": "search-and-recolor",
    "light_source": "replace-background-and-relight",
}
"""The offline editor's mode that reads each of its parameters."""


async def made(model: Model, parameters: dict[str, ParameterValue]) -> bytes:
    (kind,) = model.kinds
    buffer = io.BytesIO()
    Image.new("RGB", (96, 64), (40, 120, 200)).save(buffer, "PNG")
    picture = InputImage(data=buffer.getvalue(), media_type=MediaType.PNG, width=96, height=64)
    given = ProviderJob(
        model=model,
        kind=kind,
        prompt="a lighthouse",
        inputs=() if kind is OperationKind.TEXT_TO_IMAGE else (picture,),
        width=96,
        height=64,
        outputs=1,
        seed=5,
        parameters=parameters,
    )
    outcome = await OfflineProvider().run(given, SilentReport())
    assert isinstance(outcome, ProviderSuccess), outcome
    return outcome.artifacts[0].data


@pytest.mark.parametrize(
    "model",
    [m for m in MODELS if m.provider == "offline" and m.parameters],
    ids=lambda model: model.id,
)
async def test_each_parameter_an_offline_model_takes_changes_what_it_makes(model: Model) -> None:
    for parameter in model.parameters or ():
        mode = OFFLINE_MODE_OF.get(parameter.name)
        base: dict[str, ParameterValue] = {} if mode is None else {"mode": mode}
        first, other = (
            (parameter.choices[0], parameter.choices[-1])
            if parameter.kind is ParameterKind.CHOICE
            else ("rust", "fog")
            if parameter.kind is ParameterKind.TEXT
            else (30, 200)
        )
        one = await made(model, {**base, parameter.name: first})
        assert one == await made(model, {**base, parameter.name: first}), "deterministic"
        assert one != await made(model, {**base, parameter.name: other}), parameter.name


@pytest.mark.parametrize(
    ("table", "reason"),
    [
        ('seed = "integer"', "a field of the request itself"),
        ('steps = "count"', "is not one of"),
        ("steps = { integer = [5, 1] }", "a range is"),
        ("steps = { integer = [0.5, 1] }", "a range is"),
        ("steps = { number = [0, 1], integer = [0, 1] }", "must be a kind"),
        ("style = { choice = [] }", "at least one value"),
    ],
)
def test_a_parameter_described_wrongly_is_refused_naming_it(table: str, reason: str) -> None:
    text = f"""
[[models]]
id = "offline/x"
provider = "offline"
provider_path = "text-to-image"
kinds = ["text-to-image"]
output = "png"
price = {{ usd = "0" }}
price_source = "vendor"
[models.parameters]
{table}
"""
    with pytest.raises(CatalogError, match=reason) as refused:
        parse_models(text, micros_per_credit=10_000)
    assert "offline/x" in str(refused.value) and "parameters." in str(refused.value)


def test_auto_routes_to_the_models_that_take_the_parameters_asked_for() -> None:
    real = frozenset({"wavespeed", "stability", "offline"})
    kind = OperationKind.TEXT_TO_IMAGE
    cheapest = route(MODELS, real, kind, RoutingRules())[0]
    styled = route(MODELS, real, kind, RoutingRules(), takes=frozenset({"style_preset"}))
    nobodys = route(MODELS, real, kind, RoutingRules(), takes=frozenset({"fps"}))

    assert "style_preset" not in accepted_parameters(cheapest, kind)
    assert styled and all("style_preset" in accepted_parameters(m, kind) for m in styled)
    assert {m.provider for m in styled} == {"stability"}
    # No real model takes it: the usual order, whose first refuses it naming its own.
    assert nobodys == route(MODELS, real, kind, RoutingRules())
    # A parameter only the stand-in takes never sends a request with a real key to it.
    hue = frozenset({"hue_shift"})
    edits = route(MODELS, real, OperationKind.IMAGE_EDIT, RoutingRules(), takes=hue)
    assert edits and "offline" not in {m.provider for m in edits}
