"""Faults for a soak: drawn at rates per route and counted, and the kinds a scripted test of one
call did not need — a reset before the request is read, broken bodies, 429 with Retry-After,
tasks that run long."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from decimal import Decimal

import httpx
import pytest
from stability_fixtures import client as stability_client
from stability_fixtures import image_part, picture, post
from typer.testing import CliRunner
from wavespeed_fixtures import client, submit

from imagestudio.adapters.sandbox.config import SandboxConfig
from imagestudio.adapters.sandbox.faults import Fault, FaultRate, FaultScript, Route
from imagestudio.adapters.sandbox.runner import RunningSandbox
from imagestudio.entrypoints.cli.main import app

FLUX_DEV = "wavespeed-ai/flux-dev"
SMALL = {"prompt": "a lighthouse at dusk", "size": "256*256"}
CORE = "stable-image/generate/core"
CREATIVE = "stable-image/upscale/creative"
LATENCY = 0.05


@pytest.fixture
def sandbox() -> Iterator[RunningSandbox]:
    with RunningSandbox(SandboxConfig(latency_seconds=LATENCY, slow_task_seconds=0.6)) as running:
        yield running


def billed_after(sandbox: RunningSandbox, provider: str, seconds: float) -> int:
    time.sleep(seconds)
    return len(sandbox.state.book.billed(provider))


# -- rates and the tally ---------------------------------------------------------------------


def test_rates_strike_about_their_share_of_a_routes_requests_and_the_tally_counts_them() -> None:
    rates = [
        FaultRate(Route.WAVESPEED_SUBMIT, Fault.HTTP_503, 0.2),
        FaultRate(Route.WAVESPEED_SUBMIT, Fault.DROP, 0.1),
    ]
    script = FaultScript(rates=rates, seed=7)

    met = [script.take(Route.WAVESPEED_SUBMIT) for _ in range(2000)]
    untouched = [script.take(Route.WAVESPEED_POLL) for _ in range(50)]

    assert 320 <= met.count(Fault.HTTP_503) <= 480
    assert 140 <= met.count(Fault.DROP) <= 260
    assert set(met) == {Fault.HTTP_503, Fault.DROP, None}
    assert untouched == [None] * 50
    assert script.tally() == {
        "requests": {"wavespeed.poll": 50, "wavespeed.submit": 2000},
        "faults": {
            "wavespeed.submit": {
                "503": met.count(Fault.HTTP_503),
                "drop": met.count(Fault.DROP),
            }
        },
    }


def test_the_same_seed_draws_the_same_faults() -> None:
    rates = [FaultRate(Route.STABILITY_SUBMIT, Fault.RESET, 0.3)]
    first, second = FaultScript(rates=rates, seed=3), FaultScript(rates=rates, seed=3)
    assert [first.take(Route.STABILITY_SUBMIT) for _ in range(100)] == [
        second.take(Route.STABILITY_SUBMIT) for _ in range(100)
    ]


def test_scripted_faults_come_before_the_rates() -> None:
    script = FaultScript(rates=[FaultRate(Route.WAVESPEED_POLL, Fault.HTTP_500, 1.0)])
    script.add(Route.WAVESPEED_POLL, Fault.SLOW)
    assert [script.take(Route.WAVESPEED_POLL) for _ in range(2)] == [Fault.SLOW, Fault.HTTP_500]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("wavespeed.submit:503=0.02", FaultRate(Route.WAVESPEED_SUBMIT, Fault.HTTP_503, 0.02)),
        ("files.download:truncated=1", FaultRate(Route.FILE_DOWNLOAD, Fault.TRUNCATED, 1.0)),
    ],
)
def test_a_rate_reads_route_fault_and_share(text: str, expected: FaultRate) -> None:
    assert FaultRate.parse(text) == expected


@pytest.mark.parametrize(
    "text", ["wavespeed.submit:503", "nowhere:503=0.1", "wavespeed.submit:boom=0.1", "x", ":=", ""]
)
def test_a_rate_that_cannot_be_read_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="ROUTE:FAULT=RATE"):
        FaultRate.parse(text)


@pytest.mark.parametrize("rate", [-0.1, 1.5])
def test_a_share_outside_zero_to_one_is_refused(rate: float) -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        FaultRate(Route.WAVESPEED_SUBMIT, Fault.HTTP_500, rate)


def test_a_routes_shares_adding_up_past_one_are_refused() -> None:
    rates = (
        FaultRate(Route.WAVESPEED_SUBMIT, Fault.HTTP_500, 0.6),
        FaultRate(Route.WAVESPEED_SUBMIT, Fault.DROP, 0.5),
    )
    with pytest.raises(ValueError, match=r"wavespeed\.submit add up to more than 1"):
        SandboxConfig(fault_rates=rates)


def test_the_command_refuses_a_fault_it_cannot_read_with_exit_2() -> None:
    said = CliRunner().invoke(app, ["sandbox", "--fault", "wavespeed.submit:boom=0.1"])
    assert said.exit_code == 2
    assert "ROUTE:FAULT=RATE" in said.output


def test_the_tally_is_served_and_a_configured_rate_applies_over_http() -> None:
    config = SandboxConfig(
        latency_seconds=LATENCY,
        fault_rates=(FaultRate(Route.WAVESPEED_BALANCE, Fault.HTTP_502, 1.0),),
    )
    with RunningSandbox(config) as sandbox, client(sandbox.base_url) as http:
        assert http.get("/api/v3/balance").status_code == 502
        tally = http.get("/_sandbox/faults").json()
    assert tally == {
        "requests": {"wavespeed.balance": 1},
        "faults": {"wavespeed.balance": {"502": 1}},
    }


# -- the kinds of fault ----------------------------------------------------------------------


def test_a_429_says_when_to_retry_on_both_services(sandbox: RunningSandbox) -> None:
    sandbox.state.faults.add(Route.WAVESPEED_SUBMIT, Fault.HTTP_429)
    sandbox.state.faults.add(Route.STABILITY_SUBMIT, Fault.HTTP_429)
    with client(sandbox.base_url) as http:
        wavespeed = http.post(f"/api/v3/{FLUX_DEV}", json=SMALL)
    with stability_client(sandbox) as http:
        stability = post(http, CORE, {"prompt": "a cat"})
    for reply in (wavespeed, stability):
        assert reply.status_code == 429
        assert reply.headers["retry-after"] == "1"


CUT = (httpx.RemoteProtocolError, httpx.ReadError)
"""A connection closed with no reply, as the client may read it."""


def test_a_reset_submit_answers_nothing_creates_nothing_and_bills_nothing(
    sandbox: RunningSandbox,
) -> None:
    sandbox.state.faults.add(Route.WAVESPEED_SUBMIT, Fault.RESET)
    sandbox.state.faults.add(Route.STABILITY_SUBMIT, Fault.RESET)
    # The request's body is left unread, so the kernel may answer the close with a RST: the
    # client then reads ECONNRESET instead of an end of stream. Either way nothing came back.
    with client(sandbox.base_url) as http, pytest.raises(CUT) as cut:
        http.post(f"/api/v3/{FLUX_DEV}", json=SMALL)
    assert isinstance(cut.value, httpx.ReadError) or "without sending a response" in str(cut.value)
    with stability_client(sandbox) as http, pytest.raises(CUT):
        post(http, CORE, {"prompt": "a cat"})

    assert billed_after(sandbox, "wavespeed", 10 * LATENCY) == 0
    assert billed_after(sandbox, "stability", 0) == 0
    with client(sandbox.base_url) as http:  # the server itself goes on
        assert submit(http, FLUX_DEV, SMALL)["status"] == "created"


def test_a_malformed_submit_reply_hides_a_task_that_is_billed(sandbox: RunningSandbox) -> None:
    sandbox.state.faults.add(Route.WAVESPEED_SUBMIT, Fault.MALFORMED)
    with client(sandbox.base_url) as http:
        reply = http.post(f"/api/v3/{FLUX_DEV}", json=SMALL)

    assert reply.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        reply.json()
    assert billed_after(sandbox, "wavespeed", 10 * LATENCY) == 1


def test_a_truncated_reply_is_honest_about_its_length_and_stops_half_way(
    sandbox: RunningSandbox,
) -> None:
    with client(sandbox.base_url) as http:
        created = submit(http, FLUX_DEV, SMALL)
        whole = http.get(created["urls"]["get"])
        sandbox.state.faults.add(Route.WAVESPEED_POLL, Fault.TRUNCATED)
        cut = http.get(created["urls"]["get"])

    assert cut.status_code == 200
    assert int(cut.headers["content-length"]) == len(cut.content) == len(whole.content) // 2
    assert whole.content.startswith(cut.content[:20])
    with pytest.raises(json.JSONDecodeError):
        cut.json()


def test_a_truncated_image_download_is_half_the_picture(sandbox: RunningSandbox) -> None:
    with client(sandbox.base_url) as http:
        created = submit(http, FLUX_DEV, SMALL)
        time.sleep(10 * LATENCY)
        done = http.get(created["urls"]["get"]).json()["data"]
        url = done["outputs"][0]
        whole = http.get(url)
        sandbox.state.faults.add(Route.FILE_DOWNLOAD, Fault.TRUNCATED)
        half = http.get(url)
    assert half.status_code == 200
    assert half.headers["content-type"] == whole.headers["content-type"]
    assert half.content == whole.content[: len(whole.content) // 2]


def test_a_slow_task_is_accepted_at_once_and_completes_late(sandbox: RunningSandbox) -> None:
    sandbox.state.faults.add(Route.WAVESPEED_SUBMIT, Fault.SLOW_TASK)
    with client(sandbox.base_url) as http:
        created = submit(http, FLUX_DEV, SMALL)
        time.sleep(10 * LATENCY)
        running = http.get(created["urls"]["get"]).json()["data"]["status"]
        assert billed_after(sandbox, "wavespeed", 0) == 0
        time.sleep(0.6)
        done = http.get(created["urls"]["get"]).json()["data"]["status"]
    assert (running, done) == ("processing", "completed")
    [task] = sandbox.state.book.billed("wavespeed")
    assert (task.task_id, task.amount) == (created["id"], Decimal("0.012"))


def test_a_slow_stability_generation_stays_in_progress_past_the_usual_latency(
    sandbox: RunningSandbox,
) -> None:
    sandbox.state.faults.add(Route.STABILITY_SUBMIT, Fault.SLOW_TASK)
    with stability_client(sandbox) as http:
        accepted = post(http, CREATIVE, {"prompt": "a cat"}, {"image": image_part(picture(96, 96))})
        generation = accepted.json()["id"]
        time.sleep(10 * LATENCY)
        early = http.get(f"/v2beta/results/{generation}", headers={"accept": "image/*"})
        time.sleep(0.6)
        late = http.get(f"/v2beta/results/{generation}", headers={"accept": "image/*"})
    assert (early.status_code, late.status_code) == (202, 200)
    assert billed_after(sandbox, "stability", 0) == 1
