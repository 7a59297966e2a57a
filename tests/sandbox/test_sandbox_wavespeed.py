"""Contract tests of the WaveSpeed emulator: routes, envelopes, lifecycle, sync mode, base64,
uploads, rate limits, billing, moderation and faults (provider_contracts.md §1, §3 items 1-7)."""

from __future__ import annotations

import base64
import re
import time
from collections.abc import Iterator
from decimal import Decimal

import httpx
import pytest
from wavespeed_fixtures import (
    AUTH,
    client,
    data_uri,
    download,
    error_envelope,
    image_bytes,
    opened,
    poll,
    raw_base64,
    run_sync,
    statuses_in_order,
    submit,
    wait_done,
)

from imagestudio.adapters.sandbox.config import SandboxConfig, WaveSpeedLimits
from imagestudio.adapters.sandbox.faults import Fault, Route
from imagestudio.adapters.sandbox.runner import RunningSandbox

SEEDREAM = "bytedance/seedream-v4"
SEEDREAM_PRICE = Decimal("0.027")
FLUX_DEV = "wavespeed-ai/flux-dev"
UPSCALER = "wavespeed-ai/image-upscaler"
SMALL = {"prompt": "a lighthouse at dusk", "size": "256*256"}
HEX_ID = re.compile(r"^[0-9a-f]{32}$")
CREATED_AT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


@pytest.fixture(scope="module")
def shared() -> Iterator[RunningSandbox]:
    """One sandbox for the tests that neither read the balance nor change the configuration."""
    with RunningSandbox(SandboxConfig(latency_seconds=0.05)) as running:
        yield running


@pytest.fixture
def sandbox() -> Iterator[RunningSandbox]:
    """A sandbox of its own, for tests that read its books."""
    with RunningSandbox(SandboxConfig(latency_seconds=0.05)) as running:
        yield running


@pytest.fixture
def http(shared: RunningSandbox) -> Iterator[httpx.Client]:
    with client(shared.base_url) as opened_client:
        yield opened_client


@pytest.fixture
def own_http(sandbox: RunningSandbox) -> Iterator[httpx.Client]:
    with client(sandbox.base_url) as opened_client:
        yield opened_client


def balance(sandbox: RunningSandbox) -> Decimal:
    return sandbox.state.book.balance("wavespeed")


# -- routes, auth, envelopes ---------------------------------------------------------------------

ROUTES = [
    ("POST", f"/api/v3/{SEEDREAM}"),
    ("GET", "/api/v3/predictions/0123456789abcdef0123456789abcdef/result"),
    ("GET", "/api/v3/predictions/0123456789abcdef0123456789abcdef"),
    ("POST", "/api/v3/media/upload/binary"),
    ("POST", "/api/v3/upload"),
    ("POST", "/api/v3/media/uploads"),
    ("GET", "/api/v3/balance"),
    ("GET", "/api/v3/account/balance"),
]


@pytest.mark.parametrize(("method", "path"), ROUTES)
@pytest.mark.parametrize("header", [None, "Bearer wrong-key", "sandbox-key"])
def test_every_route_refuses_a_missing_or_wrong_key_with_a_401_envelope(
    shared: RunningSandbox, method: str, path: str, header: str | None
) -> None:
    headers = {} if header is None else {"Authorization": header}
    reply = httpx.request(method, shared.base_url + path, headers=headers, json=SMALL)
    error_envelope(reply, 401)


def test_submit_answers_200_with_a_created_prediction_object(
    shared: RunningSandbox, http: httpx.Client
) -> None:
    data = submit(http, SEEDREAM, SMALL)
    assert HEX_ID.match(data["id"])
    assert data["model"] == SEEDREAM
    assert data["status"] == "created"
    assert data["outputs"] == []
    assert data["urls"]["get"] == f"{shared.base_url}/api/v3/predictions/{data['id']}/result"
    assert data["has_nsfw_contents"] == []
    assert CREATED_AT.match(data["created_at"])
    assert data["error"] == ""
    assert isinstance(data["timings"]["inference"], int)


def test_both_poll_routes_answer_the_same_prediction(http: httpx.Client) -> None:
    created = submit(http, SEEDREAM, SMALL)
    done, _ = wait_done(http, created)
    for path in (
        f"/api/v3/predictions/{created['id']}/result",
        f"/api/v3/predictions/{created['id']}",
    ):
        reply = http.get(path)
        assert reply.status_code == 200
        assert reply.json() == {"code": 200, "message": "success", "data": done}


@pytest.mark.parametrize("suffix", ["/result", ""])
def test_an_unknown_prediction_id_is_a_404_envelope(http: httpx.Client, suffix: str) -> None:
    error_envelope(http.get(f"/api/v3/predictions/{'f' * 32}{suffix}"), 404)


def test_an_unknown_model_path_is_a_404_envelope(http: httpx.Client) -> None:
    error_envelope(http.post("/api/v3/nobody/no-such-model", json=SMALL), 404)


def test_a_missing_required_field_is_a_400_envelope_naming_it(http: httpx.Client) -> None:
    message = error_envelope(http.post(f"/api/v3/{SEEDREAM}", json={"size": "256*256"}), 400)
    assert "prompt" in message


def test_a_body_that_is_not_a_json_object_is_a_400_envelope(http: httpx.Client) -> None:
    error_envelope(http.post(f"/api/v3/{SEEDREAM}", content=b"not json"), 400)
    error_envelope(http.post(f"/api/v3/{SEEDREAM}", json=["a", "list"]), 400)


def test_both_balance_routes_report_the_balance_in_usd(own_http: httpx.Client) -> None:
    plain = own_http.get("/api/v3/balance").json()
    assert plain == {"code": 200, "message": "success", "data": {"balance": 100.0}}
    account = own_http.get("/api/v3/account/balance").json()
    assert account["data"] == {"balance": 100.0, "currency": "USD"}


# -- lifecycle -----------------------------------------------------------------------------------


def test_a_task_goes_created_then_processing_then_completed() -> None:
    with (
        RunningSandbox(SandboxConfig(latency_seconds=0.15)) as sandbox,
        client(sandbox.base_url) as http,
    ):
        created = submit(http, SEEDREAM, SMALL)
        done, seen = wait_done(http, created)
    assert statuses_in_order(seen) == ["created", "processing", "completed"]
    assert done["error"] == ""
    assert len(done["outputs"]) == 1
    assert done["has_nsfw_contents"] == [False]
    assert done["timings"]["inference"] > 0
    assert done["id"] == created["id"]
    assert done["created_at"] == created["created_at"]


def test_outputs_are_urls_the_sandbox_hosts_in_the_asked_format(
    shared: RunningSandbox, http: httpx.Client
) -> None:
    created = submit(http, SEEDREAM, {**SMALL, "size": "320*192", "output_format": "png"})
    done, _ = wait_done(http, created)
    url = done["outputs"][0]
    assert url.startswith(shared.base_url + "/")
    image = opened(download(url))
    assert (image.format, image.size) == ("PNG", (320, 192))


# -- sync mode -----------------------------------------------------------------------------------


def test_sync_mode_answers_the_completed_prediction(http: httpx.Client) -> None:
    done = run_sync(http, SEEDREAM, SMALL)
    assert done["status"] == "completed"
    assert opened(download(done["outputs"][0])).format == "JPEG"
    assert done["has_nsfw_contents"] == [False]


def test_sync_mode_past_its_limit_answers_5004_and_the_task_goes_on() -> None:
    config = SandboxConfig(latency_seconds=0.2, sync_timeout_seconds=0.05)
    with RunningSandbox(config) as sandbox, client(sandbox.base_url) as http:
        waiting = run_sync(http, SEEDREAM, SMALL)
        assert waiting["status"] == "processing"
        assert waiting["code"] == 5004
        assert waiting["error"] == (
            "Sync mode timed out after 0.05 seconds. "
            "The prediction is still processing asynchronously."
        )
        assert waiting["urls"]["get"].endswith(f"/api/v3/predictions/{waiting['id']}/result")
        done, _ = wait_done(http, waiting)
    assert done["status"] == "completed"
    assert len(done["outputs"]) == 1


# -- base64 outputs ------------------------------------------------------------------------------


def test_base64_outputs_can_be_data_uris() -> None:
    with (
        RunningSandbox(SandboxConfig(base64_data_uri=True)) as sandbox,
        client(sandbox.base_url) as http,
    ):
        done = run_sync(http, SEEDREAM, {**SMALL, "enable_base64_output": True})
    prefix, _, payload = done["outputs"][0].partition(",")
    assert prefix == "data:image/jpeg;base64"
    image = opened(base64.b64decode(payload))
    assert (image.format, image.size) == ("JPEG", (256, 256))


def test_base64_outputs_can_be_raw_base64() -> None:
    with (
        RunningSandbox(SandboxConfig(base64_data_uri=False)) as sandbox,
        client(sandbox.base_url) as http,
    ):
        body = {**SMALL, "output_format": "webp", "enable_base64_output": True}
        done = run_sync(http, SEEDREAM, body)
    output = done["outputs"][0]
    assert not output.startswith("data:")
    image = opened(base64.b64decode(output, validate=True))
    assert (image.format, image.size) == ("WEBP", (256, 256))


# -- uploads and input images --------------------------------------------------------------------


def test_a_binary_upload_answers_a_download_url_usable_as_an_input(
    shared: RunningSandbox, http: httpx.Client
) -> None:
    picture = image_bytes(96, 32)
    reply = http.post("/api/v3/media/upload/binary", files={"file": ("photo.png", picture)})
    assert reply.status_code == 200
    data = reply.json()["data"]
    assert data["type"] == "image"
    assert data["filename"] == "photo.png"
    assert data["size"] == len(picture)
    assert data["download_url"].startswith(shared.base_url + "/")
    assert download(data["download_url"]) == picture
    done = run_sync(http, UPSCALER, {"image": data["download_url"], "target_resolution": "2k"})
    assert done["status"] == "completed"
    assert opened(download(done["outputs"][0])).size == (2048, 683)


def test_the_upload_variant_route_answers_url(http: httpx.Client) -> None:
    picture = image_bytes(40, 40, "JPEG")
    reply = http.post("/api/v3/upload", files={"file": ("face.jpg", picture, "image/jpeg")})
    assert reply.status_code == 200
    url = reply.json()["data"]["url"]
    assert download(url) == picture


def test_an_upload_without_a_file_is_a_400_envelope(http: httpx.Client) -> None:
    message = error_envelope(http.post("/api/v3/media/upload/binary", data={"x": "1"}), 400)
    assert "file" in message


def test_an_output_url_can_be_fed_back_as_an_input(http: httpx.Client) -> None:
    generated = run_sync(http, SEEDREAM, SMALL)
    done = run_sync(http, UPSCALER, {"image": generated["outputs"][0], "target_resolution": "2k"})
    assert opened(download(done["outputs"][0])).size == (2048, 2048)


def test_an_image_url_the_sandbox_does_not_host_is_a_400_envelope(http: httpx.Client) -> None:
    body = {"image": "https://example.com/cat.png", "target_resolution": "2k"}
    message = error_envelope(http.post(f"/api/v3/{UPSCALER}", json=body), 400)
    assert "image" in message


@pytest.mark.parametrize("encode", [data_uri, raw_base64])
def test_an_input_may_be_a_data_uri_or_raw_base64(http: httpx.Client, encode: object) -> None:
    assert callable(encode)
    body = {"image": encode(image_bytes(64, 32)), "target_resolution": "2k"}
    done = run_sync(http, UPSCALER, body)
    assert opened(download(done["outputs"][0])).size == (2048, 1024)


def test_an_input_that_is_not_an_image_is_a_400_envelope(http: httpx.Client) -> None:
    body = {"image": raw_base64(b"certainly not a picture"), "target_resolution": "2k"}
    error_envelope(http.post(f"/api/v3/{UPSCALER}", json=body), 400)


# -- rate limits ---------------------------------------------------------------------------------


def test_more_submits_than_the_window_allows_are_429_until_it_slides() -> None:
    limits = WaveSpeedLimits(submits_per_window=2, window_seconds=60.0, concurrent_tasks=100)
    with (
        RunningSandbox(SandboxConfig(wavespeed=limits)) as sandbox,
        client(sandbox.base_url) as http,
    ):
        now = [1000.0]
        sandbox.state.clock = lambda: now[0]
        first, second = submit(http, SEEDREAM, SMALL), submit(http, SEEDREAM, SMALL)
        error_envelope(http.post(f"/api/v3/{SEEDREAM}", json=SMALL), 429)
        wait_done(http, first)
        wait_done(http, second)
        assert len(sandbox.state.book.billed("wavespeed")) == 2
        now[0] += 60.5
        submit(http, SEEDREAM, SMALL)


def test_more_running_tasks_than_allowed_are_429_until_one_ends() -> None:
    limits = WaveSpeedLimits(submits_per_window=100, window_seconds=60.0, concurrent_tasks=2)
    config = SandboxConfig(latency_seconds=0.15, wavespeed=limits)
    with RunningSandbox(config) as sandbox, client(sandbox.base_url) as http:
        first = submit(http, SEEDREAM, SMALL)
        submit(http, SEEDREAM, SMALL)
        error_envelope(http.post(f"/api/v3/{SEEDREAM}", json=SMALL), 429)
        wait_done(http, first)
        time.sleep(0.05)
        submit(http, SEEDREAM, SMALL)


# -- billing -------------------------------------------------------------------------------------


def test_a_completed_task_is_billed_its_price_and_the_balance_routes_show_it(
    sandbox: RunningSandbox, own_http: httpx.Client
) -> None:
    done, _ = wait_done(own_http, submit(own_http, SEEDREAM, SMALL))
    assert balance(sandbox) == Decimal("100") - SEEDREAM_PRICE
    [billed] = sandbox.state.book.billed("wavespeed")
    assert (billed.task_id, billed.route, billed.amount, billed.filtered) == (
        done["id"],
        SEEDREAM,
        SEEDREAM_PRICE,
        False,
    )
    assert own_http.get("/api/v3/balance").json()["data"]["balance"] == pytest.approx(99.973)
    assert own_http.get("/api/v3/account/balance").json()["data"]["balance"] == pytest.approx(
        99.973
    )


def test_a_task_is_not_billed_before_it_completes() -> None:
    with (
        RunningSandbox(SandboxConfig(latency_seconds=0.15)) as sandbox,
        client(sandbox.base_url) as http,
    ):
        created = submit(http, SEEDREAM, SMALL)
        assert balance(sandbox) == Decimal("100")
        wait_done(http, created)
        assert balance(sandbox) == Decimal("100") - SEEDREAM_PRICE


def test_flux_dev_bills_each_of_its_images(sandbox: RunningSandbox, own_http: httpx.Client) -> None:
    done = run_sync(
        own_http, FLUX_DEV, {"prompt": "three cats", "size": "256*256", "num_images": 3}
    )
    assert len(done["outputs"]) == 3
    assert balance(sandbox) == Decimal("100") - 3 * Decimal("0.012")


def test_video_is_billed_per_second_at_its_resolution(
    sandbox: RunningSandbox, own_http: httpx.Client
) -> None:
    body = {
        "image": data_uri(image_bytes()),
        "prompt": "pan",
        "resolution": "1080p",
        "duration": 10,
    }
    done = run_sync(own_http, "alibaba/wan-2.5/image-to-video", body)
    assert done["status"] == "completed"
    assert balance(sandbox) == Decimal("100") - Decimal("1.50")


def test_a_submit_the_balance_cannot_cover_is_a_403_and_creates_nothing() -> None:
    with (
        RunningSandbox(SandboxConfig(wavespeed_balance_usd=Decimal("0.02"))) as sandbox,
        client(sandbox.base_url) as http,
    ):
        message = error_envelope(http.post(f"/api/v3/{SEEDREAM}", json=SMALL), 403)
        assert "Insufficient balance" in message
        time.sleep(0.05)
        assert sandbox.state.book.billed() == ()
        assert balance(sandbox) == Decimal("0.02")
        done = run_sync(http, "wavespeed-ai/qwen-image/text-to-image", SMALL)
        assert done["status"] == "completed"
        assert balance(sandbox) == Decimal("0")


def test_running_tasks_count_against_the_balance_a_new_submit_needs() -> None:
    config = SandboxConfig(latency_seconds=0.15, wavespeed_balance_usd=Decimal("0.05"))
    with RunningSandbox(config) as sandbox, client(sandbox.base_url) as http:
        first = submit(http, SEEDREAM, SMALL)
        error_envelope(http.post(f"/api/v3/{SEEDREAM}", json=SMALL), 403)
        wait_done(http, first)
        assert balance(sandbox) == Decimal("0.05") - SEEDREAM_PRICE


# -- moderation ----------------------------------------------------------------------------------


def test_a_moderated_prompt_fails_after_acceptance_and_costs_nothing(
    sandbox: RunningSandbox, own_http: httpx.Client
) -> None:
    created = submit(own_http, SEEDREAM, {**SMALL, "prompt": "something forbidden here"})
    assert created["status"] == "created"
    done, _ = wait_done(own_http, created)
    assert done["status"] == "failed"
    assert "content policy violation" in done["error"].lower()
    assert done["outputs"] == []
    assert sandbox.state.book.billed() == ()
    assert balance(sandbox) == Decimal("100")


def test_a_filtered_prompt_completes_billed_with_nsfw_flags_and_outputs(
    sandbox: RunningSandbox, own_http: httpx.Client
) -> None:
    body = {"prompt": "a blurry-nsfw scene", "size": "256*256", "num_images": 2}
    done = run_sync(own_http, FLUX_DEV, body)
    assert done["status"] == "completed"
    assert done["has_nsfw_contents"] == [True, True]
    assert len(done["outputs"]) == 2
    opened(download(done["outputs"][0]))
    [billed] = sandbox.state.book.billed("wavespeed")
    assert billed.filtered
    assert billed.amount == 2 * Decimal("0.012")


# -- faults --------------------------------------------------------------------------------------

ERROR_FAULTS = [
    (Fault.HTTP_500, 500),
    (Fault.HTTP_502, 502),
    (Fault.HTTP_503, 503),
    (Fault.HTTP_429, 429),
]


@pytest.fixture(scope="module")
def one_slot() -> Iterator[RunningSandbox]:
    """At most one running task: had a faulty submit created one, the next would be a 429."""
    config = SandboxConfig(latency_seconds=0.1, wavespeed=WaveSpeedLimits(concurrent_tasks=1))
    with RunningSandbox(config) as running:
        yield running


@pytest.mark.parametrize(("fault", "status"), ERROR_FAULTS)
def test_an_error_fault_on_submit_replaces_the_reply_and_creates_no_task(
    one_slot: RunningSandbox, fault: Fault, status: int
) -> None:
    billed_before = len(one_slot.state.book.billed())
    with client(one_slot.base_url) as http:
        one_slot.state.faults.add(Route.WAVESPEED_SUBMIT, fault)
        error_envelope(http.post(f"/api/v3/{SEEDREAM}", json=SMALL), status)
        done, _ = wait_done(http, submit(http, SEEDREAM, SMALL))
    assert done["status"] == "completed"
    assert len(one_slot.state.book.billed()) == billed_before + 1


@pytest.mark.parametrize(("fault", "status"), ERROR_FAULTS)
def test_an_error_fault_on_poll_replaces_one_reply(
    shared: RunningSandbox, http: httpx.Client, fault: Fault, status: int
) -> None:
    created = submit(http, SEEDREAM, SMALL)
    shared.state.faults.add(Route.WAVESPEED_POLL, fault)
    error_envelope(http.get(created["urls"]["get"]), status)
    done, _ = wait_done(http, created)
    assert done["status"] == "completed"


@pytest.mark.parametrize(("fault", "status"), ERROR_FAULTS)
def test_an_error_fault_on_upload_or_balance_replaces_one_reply(
    shared: RunningSandbox, http: httpx.Client, fault: Fault, status: int
) -> None:
    shared.state.faults.add(Route.WAVESPEED_UPLOAD, fault)
    shared.state.faults.add(Route.WAVESPEED_BALANCE, fault)
    upload = {"file": ("a.png", image_bytes())}
    error_envelope(http.post("/api/v3/media/upload/binary", files=upload), status)
    error_envelope(http.get("/api/v3/balance"), status)
    assert http.post("/api/v3/media/upload/binary", files=upload).status_code == 200
    assert http.get("/api/v3/balance").status_code == 200


def test_a_slow_submit_leaves_a_real_billable_task_behind_a_client_time_out(
    sandbox: RunningSandbox,
) -> None:
    sandbox.state.faults.slow_seconds = 0.3
    sandbox.state.faults.add(Route.WAVESPEED_SUBMIT, Fault.SLOW)
    with client(sandbox.base_url, timeout=0.1) as impatient, pytest.raises(httpx.ReadTimeout):
        impatient.post(f"/api/v3/{SEEDREAM}", json=SMALL)
    time.sleep(0.3)
    [billed] = sandbox.state.book.billed("wavespeed")
    assert billed.route == SEEDREAM
    with client(sandbox.base_url) as http:
        assert (
            poll(http, {"urls": {"get": f"/api/v3/predictions/{billed.task_id}/result"}})["status"]
            == "completed"
        )


def test_a_slow_submit_still_answers_when_the_client_waits(
    shared: RunningSandbox, http: httpx.Client
) -> None:
    shared.state.faults.slow_seconds = 0.2
    shared.state.faults.add(Route.WAVESPEED_SUBMIT, Fault.SLOW)
    started = time.monotonic()
    created = submit(http, SEEDREAM, SMALL)
    assert time.monotonic() - started >= 0.2
    assert wait_done(http, created)[0]["status"] == "completed"


def test_a_dropped_submit_creates_the_task_then_cuts_the_reply(sandbox: RunningSandbox) -> None:
    sandbox.state.faults.add(Route.WAVESPEED_SUBMIT, Fault.DROP)
    with client(sandbox.base_url) as http:
        with pytest.raises(httpx.TransportError):
            http.post(f"/api/v3/{SEEDREAM}", json=SMALL)
        time.sleep(0.2)
    [billed] = sandbox.state.book.billed("wavespeed")
    assert billed.route == SEEDREAM


def test_slow_and_dropped_polls(shared: RunningSandbox, http: httpx.Client) -> None:
    created = submit(http, SEEDREAM, SMALL)
    shared.state.faults.slow_seconds = 0.2
    shared.state.faults.add(Route.WAVESPEED_POLL, Fault.SLOW)
    started = time.monotonic()
    poll(http, created)
    assert time.monotonic() - started >= 0.2
    shared.state.faults.add(Route.WAVESPEED_POLL, Fault.DROP)
    with pytest.raises(httpx.TransportError):
        http.get(created["urls"]["get"])
    assert wait_done(http, created)[0]["status"] == "completed"


def test_fail_after_accept_fails_an_accepted_task_with_an_error_and_no_charge(
    sandbox: RunningSandbox, own_http: httpx.Client
) -> None:
    sandbox.state.faults.add(Route.WAVESPEED_SUBMIT, Fault.FAIL_AFTER_ACCEPT)
    created = submit(own_http, SEEDREAM, SMALL)
    assert created["status"] == "created"
    done, _ = wait_done(own_http, created)
    assert done["status"] == "failed"
    assert done["error"]
    assert done["outputs"] == []
    assert balance(sandbox) == Decimal("100")


def test_a_500_after_the_work_hides_a_task_that_runs_and_is_billed(
    sandbox: RunningSandbox, own_http: httpx.Client
) -> None:
    sandbox.state.faults.add(Route.WAVESPEED_SUBMIT, Fault.HTTP_500_AFTER_WORK)
    reply = own_http.post(f"/api/v3/{SEEDREAM}", json=SMALL)
    assert reply.status_code == 500
    assert reply.json()["code"] == 500
    for _ in range(300):  # the task runs on, unseen, and is billed when it completes
        if sandbox.state.book.billed():
            break
        time.sleep(0.01)
    assert balance(sandbox) == Decimal("100") - SEEDREAM_PRICE


def test_a_fail_rate_fails_accepted_tasks() -> None:
    with RunningSandbox(SandboxConfig(fail_rate=1.0)) as sandbox, client(sandbox.base_url) as http:
        done = run_sync(http, SEEDREAM, SMALL)
        assert done["status"] == "failed"
        assert done["error"]
        assert sandbox.state.book.billed() == ()


def test_a_retried_post_is_a_new_task_billed_again(
    sandbox: RunningSandbox, own_http: httpx.Client
) -> None:
    first = run_sync(own_http, SEEDREAM, SMALL)
    second = run_sync(own_http, SEEDREAM, SMALL)
    assert first["id"] != second["id"]
    assert {task.task_id for task in sandbox.state.book.billed()} == {first["id"], second["id"]}
    assert balance(sandbox) == Decimal("100") - 2 * SEEDREAM_PRICE


def test_faults_scripted_over_http_reach_the_emulator(
    shared: RunningSandbox, http: httpx.Client
) -> None:
    control = httpx.post(
        shared.base_url + "/_sandbox/faults", json={"route": "wavespeed.balance", "fault": "503"}
    )
    assert control.status_code == 200
    error_envelope(http.get("/api/v3/balance", headers=AUTH), 503)
