"""A parameter the model does not take, or a value out of the range its catalog entry gives, is
refused before anything is reserved: for every model of the catalog through the Python API (a
quote prices any catalog model, configured here or not), and a run of the CLI's (exit 2) and the
Python API's costs nothing. HTTP and MCP: tests/http/test_http_model_parameters.py."""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from returns.result import Failure, Success

from imagestudio.application.parameter_rules import accepted_parameters
from imagestudio.application.requests import OperationRequest
from imagestudio.domain.errors import InvalidInput
from imagestudio.domain.model import Model
from imagestudio.domain.model_parameters import ModelParameter, ParameterKind
from imagestudio.domain.operation import ParameterValue
from imagestudio.domain.operation_kind import OperationKind
from imagestudio.entrypoints.api import GenerateRequest, ImageStudio, Profile

if TYPE_CHECKING:
    from conftest import Cli

UNKNOWN = {"foo": "bar", "fps": 1_000_000}


def outside(parameter: ModelParameter) -> list[ParameterValue]:
    """Values the parameter does not take (no parameter takes a number JSON cannot hold: NaN
    or an infinity was an unexpected ValueError or OverflowError for a whole-number one)."""
    wrong: list[ParameterValue] = [math.nan, math.inf, -math.inf]
    if parameter.maximum is not None:
        wrong.append(parameter.maximum + 1)
    if parameter.minimum is not None:
        wrong.append(parameter.minimum - 1)
    match parameter.kind:
        case ParameterKind.CHOICE:
            wrong += ["none-of-these", 7]
        case ParameterKind.FLAG:
            wrong += ["yes", 1]
        case ParameterKind.TEXT:
            wrong += [3, True]
        case ParameterKind.INTEGER:
            wrong += [2.5, "3", True]
        case ParameterKind.NUMBER:
            wrong += ["0.5", False]
    return wrong


def inside(parameter: ModelParameter) -> ParameterValue:
    match parameter.kind:
        case ParameterKind.CHOICE:
            return parameter.choices[-1]
        case ParameterKind.FLAG:
            return False
        case ParameterKind.TEXT:
            return "soft light"
        case ParameterKind.INTEGER:
            return int(parameter.minimum if parameter.minimum is not None else 2)
    return parameter.maximum if parameter.maximum is not None else 1.5


@pytest.fixture
async def studio(tmp_path: Path) -> AsyncIterator[ImageStudio]:
    opened = await ImageStudio.connect(
        profile=Profile.TEST, data_dir=tmp_path, offline_price_usd=Decimal("0.02")
    )
    try:
        yield opened
    finally:
        await opened.aclose()


def quoted(model: Model, kind: OperationKind, parameters: dict[str, ParameterValue]) -> object:
    return OperationRequest(
        user_id="local", kind=kind, model_id=model.id, prompt="a lighthouse", parameters=parameters
    )


async def refusal(
    studio: ImageStudio, model: Model, kind: OperationKind, parameters: dict[str, ParameterValue]
) -> InvalidInput | None:
    request = quoted(model, kind, parameters)
    assert isinstance(request, OperationRequest)
    answer = await studio.quote.execute(request)
    if isinstance(answer, Success):
        return None
    failure = answer.failure()
    assert isinstance(failure, InvalidInput), (model.id, parameters, failure)
    return failure


async def test_every_catalog_model_refuses_what_it_does_not_take(studio: ImageStudio) -> None:
    models = studio.container.catalog().all()
    assert len(models) >= 40
    checked = 0
    for model in models:
        for kind in sorted(model.kinds):
            accepted = accepted_parameters(model, kind)
            for name, value in UNKNOWN.items():
                refused = await refusal(studio, model, kind, {name: value})
                assert refused is not None, (model.id, name)
                assert refused.field == f"parameters.{name}"
                assert refused.accepted == accepted
                assert model.id in refused.reason and all(a in refused.reason for a in accepted)
            for parameter in model.parameters or ():
                for value in outside(parameter):
                    refused = await refusal(studio, model, kind, {parameter.name: value})
                    assert refused is not None, (model.id, parameter.name, value)
                    assert refused.field == f"parameters.{parameter.name}", refused
                fine = await refusal(studio, model, kind, {parameter.name: inside(parameter)})
                assert fine is None, (model.id, parameter.name, fine)
                checked += 1
    assert checked > 60


async def test_a_refused_parameter_costs_nothing_through_the_python_api(
    studio: ImageStudio,
) -> None:
    before = (await studio.usage.execute("local")).unwrap().rows

    answer = await studio.generate.execute(
        GenerateRequest(user_id="local", prompt="a kite", parameters={"fps": 1_000_000})
    )

    assert isinstance(answer, Failure)
    assert isinstance(answer.failure(), InvalidInput)
    assert answer.failure().field == "parameters.fps"
    assert (await studio.usage.execute("local")).unwrap().rows == before
    assert (await studio.list_operations.execute("local")).unwrap().items == ()


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["generate", "a fox", "-p", "foo=bar"], "foo"),
        (["generate", "a fox", "-p", "fps=1000000"], "fps"),
    ],
)
def test_the_cli_refuses_an_unknown_parameter_with_exit_2(
    local_cli: Cli, args: list[str], named: str
) -> None:
    before = local_cli.json("usage")

    refused = local_cli.invoke(*args)

    assert refused.exit_code == 2, refused.output
    assert f"parameters.{named}" in refused.stderr
    assert "offline/text-to-image takes no parameter" in refused.stderr
    assert local_cli.json("usage") == before


def test_the_cli_refuses_a_value_out_of_the_models_range(local_cli: Cli, picture: Path) -> None:
    refused = local_cli.invoke(
        "edit", str(picture), "a red hat", "--mode", "search-and-recolor", "-p", "hue_shift=1000"
    )

    assert refused.exit_code == 2, refused.output
    assert "parameters.hue_shift" in refused.stderr and "between 0 and 360" in refused.stderr
    done = local_cli.invoke(
        "edit", str(picture), "a red hat", "--mode", "search-and-recolor", "-p", "hue_shift=90"
    )
    assert done.exit_code == 0, done.output


@pytest.mark.parametrize("kind", [ParameterKind.INTEGER, ParameterKind.NUMBER])
def test_a_number_parameter_says_why_nan_or_an_infinity_is_refused(kind: ParameterKind) -> None:
    """Asked directly, as a host's own checks may (int() of one raised for a whole number)."""
    parameter = ModelParameter(name="steps", kind=kind, minimum=0, maximum=50)
    for number in (math.nan, math.inf, -math.inf):
        assert parameter.problem(number) == "must be a finite number"
