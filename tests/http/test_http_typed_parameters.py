"""A parameter of the wrong type (a video `duration` of 5.0, `true`, "5") is a refusal naming
the field — 422 on `POST /v1/operations` and `POST /v1/quotes` (exit 2 in the CLI:
tests/entrypoints/test_cli_typed_parameters.py) — before anything is reserved or charged; it
once reached an assertion in pricing (503 and 500)."""

from __future__ import annotations

import base64
from pathlib import Path

from http_support import png, serving

WRONG_DURATIONS = [5.0, True, "5", 7, -5, 10**30]


def test_a_duration_that_is_not_a_whole_listed_number_is_422_naming_it(tmp_path: Path) -> None:
    image = base64.b64encode(png()).decode()
    answers = []
    with serving(tmp_path) as api, api.client("alice") as alice:
        for duration in WRONG_DURATIONS:
            body = {
                "kind": "image-to-video",
                "prompt": "waves",
                "parameters": {"duration": duration},
                "images": [{"base64": image}],
            }
            answers.append(alice.post("/v1/operations", json=body))
            answers.append(alice.post("/v1/quotes", json=body))
        fine = alice.post("/v1/quotes", json={**body, "parameters": {"duration": 5}})
        usage = alice.get("/v1/usage").json()

    for answer in answers:
        assert answer.status_code == 422, answer.text
        assert answer.json()["field"] == "duration"
        assert "whole seconds" in answer.json()["reason"]
    assert fine.status_code == 200, fine.text
    assert all(row["held"] in (0, "$0.00") for row in usage["rows"])
    assert all(row["used"] in (0, "$0.00") for row in usage["rows"]), usage
