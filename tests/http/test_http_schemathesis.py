"""Schemathesis against the served `/openapi.json` (offline provider), every route the document
lists (admin included; a new route is fuzzed without editing this file): no 5xx, no hang, no
traceback, nothing charged or stored for a refused request, and every answer — status, content
type, headers, body — as the document declares it.

The pytest plugin's lazy loader (`schemathesis.pytest.from_fixture`) does not run under this
pytest (it sets `Function._nodeid`, which pytest 9 no longer has), so the server is started by a
fixture and each operation is driven through schemathesis's Python API, one subtest each.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from http_support import ADMIN, Api, footprint, png, serving
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

USER = "fuzz-user"
"""On the `local` plan (no limits), so 402s and 429s do not hide the rest of each route."""

ACCEPTED_WHEN_VALID = ["2xx", "401", "402", "403", "404", "409", "413", "415", "422", "429", "5xx"]
"""What a schema-valid request may still get: the schema cannot say a model's own limits (size,
prompt, images: 413/415/422), the plan (402/429), which ids exist (404) or a signature's
validity (403). 400 is left out: a request the document calls valid is never malformed."""

CONFIG = schemathesis.Config.from_dict(
    {"checks": {"positive_data_acceptance": {"expected-statuses": ACCEPTED_WHEN_VALID}}}
)
NOT_GENERATED = frozenset(
    {"prefer", "transfer-encoding", "content-length", "host", "connection", "upgrade", "te"}
)
"""Headers a generated example does not send (see `fuzz`)."""
REQUEST_SECONDS = 30
"""Longer than any request takes here: past it, the request hangs."""
EXAMPLES = settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    database=None,
    # Every example is a loopback round trip, and schema-driven bodies are large by design.
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with serving(tmp_path_factory.mktemp("schemathesis"), users={USER: "local"}) as served:
        yield served


@pytest.fixture(scope="module")
def schema(api: Api) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(f"{api.base_url}/openapi.json", config=CONFIG)


def bearer(api: Api, path: str) -> dict[str, str]:
    """The admin key on admin routes (else they would only ever answer 401), the user's on the
    rest."""
    key = ADMIN if path.startswith("/v1/admin") else api.keys[USER]
    return {"Authorization": f"Bearer {key}"}


def fuzz(api: Api, operation: schemathesis.APIOperation, mode: GenerationMode) -> None:
    """Each example answered as documented, within REQUEST_SECONDS, without a traceback, and,
    when refused, having charged and stored nothing."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @EXAMPLES
    def each(case: schemathesis.Case) -> None:
        # Without `Prefer: respond-async` an operation ends before its answer: nothing of an
        # earlier example is still running while the next one is measured.
        # Nor a framing header (a random `transfer-encoding`): the HTTP server (uvicorn) turns
        # such a message down with its own plain-text 400 before the application sees it.
        case.headers = {
            k: v for k, v in (case.headers or {}).items() if k.lower() not in NOT_GENERATED
        }
        before = None if case.method == "GET" else footprint(api, USER)
        response = case.call_and_validate(
            base_url=api.base_url, headers=bearer(api, operation.path), timeout=REQUEST_SECONDS
        )
        assert "Traceback" not in response.text
        if before is not None and response.status_code >= 400:
            assert footprint(api, USER) == before, (case.method, case.path, response.text)

    each()


def test_every_route_answers_as_documented(
    api: Api,
    schema: schemathesis.BaseSchema,
    subtests: pytest.Subtests,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.ERROR)
    for found in schema.get_all_operations():
        operation = found.ok()  # a route the document cannot describe fails here
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            with subtests.test(operation=operation.label, mode=mode.value):
                try:
                    fuzz(api, operation, mode)
                except Unsatisfiable:
                    if mode is GenerationMode.POSITIVE:
                        raise
                    pytest.skip("no request can violate this route's schema")
    # No request ended in an error of the server, even one answered cleanly.
    assert [record.getMessage() for record in caplog.records if record.exc_info] == []


def test_real_operations_and_their_refusals_answer_as_documented(
    api: Api, schema: schemathesis.BaseSchema
) -> None:
    """Random bodies rarely run an operation; these do, so the success bodies (200, 202, the
    asset bytes) and each provider fault's problem are checked against the document too."""
    run = schema["/v1/operations"]["POST"]
    auth = bearer(api, "/v1/operations")

    def json(body: dict[str, Any], **extra: Any) -> schemathesis.Case:
        return run.Case(body=body, media_type="application/json", **extra)

    def call(case: schemathesis.Case, **checks: Any) -> schemathesis.Response:
        return case.call_and_validate(base_url=api.base_url, headers=auth, **checks)

    done = call(json({"kind": "text-to-image", "prompt": "a lighthouse", "n": 2}))
    started = call(
        json(
            {"kind": "text-to-image", "prompt": "a kite [offline:slow]"},
            headers={"Prefer": "respond-async"},
        )
    )
    upscaled = call(
        run.Case(
            body={"kind": "upscale", "parameters": {"scale": 2}, "image": png()},
            media_type="multipart/form-data",
        )
    )
    malformed = call(  # a `parameters` part that is not JSON once answered 500
        run.Case(
            body={"kind": "upscale", "parameters": "{not json", "image": png()},
            media_type="multipart/form-data",
        )
    )
    faults = [
        call(
            json({"kind": "text-to-image", "prompt": f"a fox {fault}"}),
            excluded_checks=[not_a_server_error],  # a provider fault on purpose: 503/504
        )
        for fault in ("[offline:fail]", "[offline:unknown]", "[offline:filter]")
    ]
    operation_id = started.json()["id"]
    polled = call(
        schema["/v1/operations/{operation_id}"]["GET"].Case(
            path_parameters={"operation_id": operation_id}
        )
    )
    cancelled = call(
        schema["/v1/operations/{operation_id}/cancel"]["POST"].Case(
            path_parameters={"operation_id": operation_id}
        )
    )
    asset = call(
        schema["/v1/assets/{asset_id}"]["GET"].Case(
            path_parameters={"asset_id": done.json()["assets"][0]["id"]}
        )
    )

    assert (done.status_code, started.status_code, upscaled.status_code) == (200, 202, 200)
    assert malformed.status_code == 400
    assert [fault.status_code for fault in faults] == [503, 504, 422]
    assert polled.status_code == 200 and cancelled.status_code in (200, 409)
    assert asset.headers["content-type"] == ["image/png"]
