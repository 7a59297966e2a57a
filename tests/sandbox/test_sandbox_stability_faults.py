"""Stability emulator: scripted faults and failed tasks, and what each one costs (§3 item 7)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import httpx
import pytest
from stability_fixtures import (
    ManualClock,
    assert_v2beta_error,
    client,
    eventually,
    image_part,
    picture,
    post,
)

from imagestudio.adapters.sandbox.config import SandboxConfig
from imagestudio.adapters.sandbox.faults import Fault, Route
from imagestudio.adapters.sandbox.runner import RunningSandbox

_CORE = "stable-image/generate/core"
_CREATIVE = "stable-image/upscale/creative"
_SLOW_SECONDS = 0.4


@pytest.fixture
def sandbox() -> Iterator[RunningSandbox]:
    with RunningSandbox(SandboxConfig(latency_seconds=0.05)) as running:
        running.state.faults.slow_seconds = _SLOW_SECONDS
        yield running


@pytest.fixture
def http(sandbox: RunningSandbox) -> Iterator[httpx.Client]:
    with client(sandbox) as http:
        yield http


def _creative(http: httpx.Client) -> str:
    files = {"image": image_part(picture(96, 96))}
    accepted = post(http, _CREATIVE, {"prompt": "a cat"}, files)
    assert accepted.status_code == 200, accepted.text
    generation_id: str = accepted.json()["id"]
    return generation_id


def _nothing_billed(sandbox: RunningSandbox) -> bool:
    return sandbox.state.book.billed("stability") == ()


# -- submissions -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "status", "name"),
    [
        (Fault.HTTP_500, 500, "internal_error"),
        (Fault.HTTP_502, 502, "bad_gateway"),
        (Fault.HTTP_503, 503, "service_unavailable"),
        (Fault.HTTP_429, 429, "rate_limit_exceeded"),
    ],
)
def test_a_scripted_error_answers_in_the_v2beta_shape_and_costs_nothing(
    sandbox: RunningSandbox, http: httpx.Client, fault: Fault, status: int, name: str
) -> None:
    sandbox.state.faults.add(Route.STABILITY_SUBMIT, fault)

    failed = post(http, _CORE, {"prompt": "a cat"})
    retried = post(http, _CORE, {"prompt": "a cat"})

    assert_v2beta_error(failed, status, name)
    assert retried.status_code == 200
    assert len(sandbox.state.book.billed("stability")) == 1


def test_faults_can_be_scripted_over_the_control_route(http: httpx.Client) -> None:
    http.post("/_sandbox/faults", json={"route": "stability.submit", "fault": "503"})

    assert_v2beta_error(post(http, _CORE, {"prompt": "a cat"}), 503, "service_unavailable")


def test_a_slow_reply_comes_late_but_the_work_is_done_and_billed(
    sandbox: RunningSandbox, http: httpx.Client
) -> None:
    sandbox.state.faults.add(Route.STABILITY_SUBMIT, Fault.SLOW)

    with pytest.raises(httpx.ReadTimeout):
        post(http, _CORE, {"prompt": "a cat"}, timeout=_SLOW_SECONDS / 2)

    # On a loaded machine the sandbox may finish the work only after the client gave up.
    assert eventually(lambda: bool(sandbox.state.book.billed("stability")), timeout=30)
    billed = sandbox.state.book.billed("stability")
    assert [(task.route, task.amount) for task in billed] == [(_CORE, Decimal("3"))]


def test_a_patient_client_gets_the_slow_reply(sandbox: RunningSandbox, http: httpx.Client) -> None:
    sandbox.state.faults.add(Route.STABILITY_SUBMIT, Fault.SLOW)

    reply = post(http, _CORE, {"prompt": "a cat"})

    assert reply.status_code == 200
    assert reply.elapsed.total_seconds() >= _SLOW_SECONDS


def test_a_dropped_reply_is_billed_though_the_client_never_sees_it(
    sandbox: RunningSandbox, http: httpx.Client
) -> None:
    sandbox.state.faults.add(Route.STABILITY_SUBMIT, Fault.DROP)

    with pytest.raises(httpx.TransportError):
        post(http, _CORE, {"prompt": "a cat"})

    assert len(sandbox.state.book.billed("stability")) == 1


def test_a_sync_call_that_fails_after_acceptance_is_a_500_and_costs_nothing(
    sandbox: RunningSandbox, http: httpx.Client
) -> None:
    sandbox.state.faults.add(Route.STABILITY_SUBMIT, Fault.FAIL_AFTER_ACCEPT)

    reply = post(http, _CORE, {"prompt": "a cat"})

    assert_v2beta_error(reply, 500, "internal_error")
    assert _nothing_billed(sandbox)


def test_a_500_after_the_work_bills_the_generation_it_hides(
    sandbox: RunningSandbox, http: httpx.Client
) -> None:
    sandbox.state.faults.add(Route.STABILITY_SUBMIT, Fault.HTTP_500_AFTER_WORK, times=2)

    sync = post(http, _CORE, {"prompt": "a cat"})
    files = {"image": image_part(picture(96, 96))}
    started = post(http, _CREATIVE, {"prompt": "a cat"}, files)

    assert_v2beta_error(sync, 500, "internal_error")
    assert_v2beta_error(started, 500, "internal_error")
    # The sync generation is billed at once; the async one when its work is due.
    assert eventually(lambda: len(sandbox.state.book.billed("stability")) == 2)
    routes = sorted(task.route.strip("/") for task in sandbox.state.book.billed("stability"))
    assert routes == [_CORE, _CREATIVE]


def test_an_async_task_that_fails_answers_500_on_its_result_and_costs_nothing(
    sandbox: RunningSandbox, http: httpx.Client
) -> None:
    sandbox.state.faults.add(Route.STABILITY_SUBMIT, Fault.FAIL_AFTER_ACCEPT)
    clock = ManualClock()
    sandbox.state.clock = clock

    generation_id = _creative(http)
    pending = http.get(f"/v2beta/results/{generation_id}")
    clock.advance(1)
    failed = http.get(f"/v2beta/results/{generation_id}")

    assert pending.status_code == 202
    assert_v2beta_error(failed, 500, "internal_error")
    assert _nothing_billed(sandbox)


def test_the_fail_rate_fails_sync_and_async_tasks_alike() -> None:
    config = SandboxConfig(latency_seconds=0.05, fail_rate=1.0)
    with RunningSandbox(config) as sandbox, client(sandbox) as http:
        sync = post(http, _CORE, {"prompt": "a cat"})
        generation_id = _creative(http)

        assert eventually(lambda: http.get(f"/v2beta/results/{generation_id}").status_code != 202)
        result = http.get(f"/v2beta/results/{generation_id}")

        assert_v2beta_error(sync, 500, "internal_error")
        assert_v2beta_error(result, 500, "internal_error")
        assert _nothing_billed(sandbox)


# -- result polls ------------------------------------------------------------------------------


def test_a_failed_poll_can_be_retried(sandbox: RunningSandbox, http: httpx.Client) -> None:
    generation_id = _creative(http)
    assert eventually(lambda: sandbox.state.book.find("stability", generation_id) is not None)
    sandbox.state.faults.add(Route.STABILITY_RESULT, Fault.HTTP_503)

    failed = http.get(f"/v2beta/results/{generation_id}")
    retried = http.get(f"/v2beta/results/{generation_id}")

    assert_v2beta_error(failed, 503, "service_unavailable")
    assert retried.status_code == 200
    assert len(sandbox.state.book.billed("stability")) == 1


def test_a_dropped_poll_can_be_retried(sandbox: RunningSandbox, http: httpx.Client) -> None:
    generation_id = _creative(http)
    assert eventually(lambda: sandbox.state.book.find("stability", generation_id) is not None)
    sandbox.state.faults.add(Route.STABILITY_RESULT, Fault.DROP)

    with pytest.raises(httpx.TransportError):
        http.get(f"/v2beta/results/{generation_id}")

    assert http.get(f"/v2beta/results/{generation_id}").status_code == 200


# -- v1 account --------------------------------------------------------------------------------


def test_a_balance_fault_answers_in_the_v1_shape(
    sandbox: RunningSandbox, http: httpx.Client
) -> None:
    sandbox.state.faults.add(Route.STABILITY_BALANCE, Fault.HTTP_500)

    failed = http.get("/v1/user/balance")

    assert failed.status_code == 500
    assert set(failed.json()) == {"id", "name", "message"}
    assert failed.json()["name"] == "internal_error"
    assert http.get("/v1/user/balance").status_code == 200


def test_a_slow_or_dropped_balance_read(sandbox: RunningSandbox, http: httpx.Client) -> None:
    sandbox.state.faults.add(Route.STABILITY_BALANCE, Fault.SLOW)
    sandbox.state.faults.add(Route.STABILITY_BALANCE, Fault.DROP)

    with pytest.raises(httpx.ReadTimeout):
        http.get("/v1/user/balance", timeout=_SLOW_SECONDS / 2)
    with pytest.raises(httpx.TransportError):
        http.get("/v1/user/balance")
