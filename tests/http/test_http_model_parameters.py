"""Over HTTP, a parameter the model does not take is a 422 problem naming it and listing the ones
the model takes, for every model of the catalog (`POST /v1/quotes` prices any), and on
`POST /v1/operations` it costs nothing; a value out of the model's range, or NaN or an infinity
(a 500 for a whole-number parameter), is refused alike."""

from __future__ import annotations

import json
import math
from pathlib import Path

from http_support import serving

from imagestudio.adapters.catalog.toml_catalog import load_catalog
from imagestudio.application.parameter_rules import accepted_parameters
from imagestudio.domain.model_parameters import ParameterKind

JSON = {"content-type": "application/json"}


def test_every_model_answers_an_unknown_parameter_with_a_422_listing_its_own(
    tmp_path: Path,
) -> None:
    models = load_catalog().all()
    with serving(tmp_path) as api, api.client("alice") as alice:
        for model in models:
            for kind in sorted(model.kinds):
                body = {
                    "kind": kind.value,
                    "model": model.id,
                    "prompt": "a lighthouse",
                    "parameters": {"fps": 1_000_000},
                }
                answer = alice.post("/v1/quotes", json=body)
                assert answer.status_code == 422, (model.id, answer.text)
                problem = answer.json()
                assert answer.headers["content-type"].startswith("application/problem+json")
                assert problem["type"] == "/problems/invalid-input/invalid"
                assert problem["field"] == "parameters.fps"
                assert problem.get("accepted", []) == list(accepted_parameters(model, kind))
                assert model.id in problem["detail"]
                ranged = [
                    p
                    for p in model.parameters or ()
                    if p.kind is ParameterKind.INTEGER and p.maximum is not None
                ]
                for parameter in model.parameters or ():
                    # JSON's non-standard NaN and Infinity, which Python's parser takes.
                    for number in (math.nan, math.inf, -math.inf):
                        odd = json.dumps({**body, "parameters": {parameter.name: number}})
                        refused = alice.post("/v1/quotes", content=odd, headers=JSON)
                        assert refused.status_code == 422, (model.id, parameter.name, number)
                        assert refused.json()["field"] == f"parameters.{parameter.name}"
                for parameter in ranged:
                    assert parameter.maximum is not None
                    over = {**body, "parameters": {parameter.name: int(parameter.maximum) + 1}}
                    refused = alice.post("/v1/quotes", json=over)
                    assert refused.status_code == 422, (model.id, parameter.name, refused.text)
                    assert refused.json()["field"] == f"parameters.{parameter.name}"


def test_an_operation_with_an_unknown_parameter_is_refused_and_costs_nothing(
    tmp_path: Path,
) -> None:
    with serving(tmp_path, offline_price_usd="0.02") as api, api.client("alice") as alice:
        before = alice.get("/v1/usage").json()
        answer = alice.post(
            "/v1/operations",
            json={"kind": "text-to-image", "prompt": "a fox", "parameters": {"foo": "bar"}},
        )
        after = alice.get("/v1/usage").json()
        listed = alice.get("/v1/operations").json()

    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == "parameters.foo"
    assert "offline/text-to-image takes no parameter 'foo'" in answer.json()["detail"]
    assert after["rows"] == before["rows"]
    assert listed["items"] == []
