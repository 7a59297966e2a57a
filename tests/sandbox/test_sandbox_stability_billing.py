"""Stability emulator: credits per §2.2 on success only, 402, the v1 account, the rate limit."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import httpx
import pytest
from stability_fixtures import (
    Files,
    ManualClock,
    assert_v2beta_error,
    client,
    eventually,
    image_part,
    picture,
    post,
)

from imagestudio.adapters.sandbox.config import SANDBOX_KEY, SandboxConfig, StabilityLimits
from imagestudio.adapters.sandbox.runner import RunningSandbox

_OTHER_KEY = "sk-other-account"


def _image(name: str = "image", width: int = 128, height: int = 128) -> Files:
    return {name: image_part(picture(width, height))}


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    config = SandboxConfig(
        latency_seconds=0.05,
        stability=StabilityLimits(requests_per_window=100_000),
        stability_credits=Decimal("100000"),
    )
    with RunningSandbox(config) as running:
        yield running


@pytest.fixture
def http(sandbox: RunningSandbox) -> Iterator[httpx.Client]:
    with client(sandbox) as http:
        yield http


# -- credits -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "form", "files", "credits"),
    [
        ("stable-image/generate/ultra", {"prompt": "a"}, None, "8"),
        ("stable-image/generate/core", {"prompt": "a"}, None, "3"),
        ("stable-image/generate/sd3", {"prompt": "a"}, None, "6.5"),
        ("stable-image/generate/sd3", {"prompt": "a", "model": "sd3.5-large-turbo"}, None, "4"),
        ("stable-image/generate/sd3", {"prompt": "a", "model": "sd3.5-medium"}, None, "3.5"),
        ("stable-image/upscale/fast", {}, _image(), "2"),
        ("stable-image/upscale/conservative", {"prompt": "a"}, _image(), "40"),
        ("stable-image/edit/erase", {}, _image(), "5"),
        ("stable-image/edit/inpaint", {"prompt": "a"}, _image(), "5"),
        ("stable-image/edit/outpaint", {"left": "8"}, _image(), "4"),
        (
            "stable-image/edit/search-and-replace",
            {"prompt": "a", "search_prompt": "b"},
            _image(),
            "5",
        ),
        (
            "stable-image/edit/search-and-recolor",
            {"prompt": "a", "select_prompt": "b"},
            _image(),
            "5",
        ),
        ("stable-image/edit/remove-background", {}, _image(), "5"),
        ("stable-image/control/sketch", {"prompt": "a"}, _image(), "5"),
        ("stable-image/control/structure", {"prompt": "a"}, _image(), "5"),
        ("stable-image/control/style", {"prompt": "a"}, _image(), "5"),
        (
            "stable-image/control/style-transfer",
            {},
            {**_image("init_image"), **_image("style_image")},
            "8",
        ),
        ("3d/stable-fast-3d", {}, _image(), "10"),
        ("3d/stable-point-aware-3d", {}, _image(), "4"),
    ],
)
def test_a_success_charges_the_endpoints_credits(
    sandbox: RunningSandbox,
    http: httpx.Client,
    path: str,
    form: dict[str, str],
    files: Files | None,
    credits: str,
) -> None:
    before = sandbox.state.book.balance("stability")

    reply = post(http, path, form, files)

    assert reply.status_code == 200, reply.text
    assert before - sandbox.state.book.balance("stability") == Decimal(credits)
    billed = sandbox.state.book.find("stability", reply.headers["x-request-id"])
    assert billed is not None
    assert (billed.route, billed.amount, billed.filtered) == (path, Decimal(credits), False)


@pytest.mark.parametrize(
    ("path", "form", "files", "credits"),
    [
        ("stable-image/upscale/creative", {"prompt": "a"}, _image(), "60"),
        (
            "stable-image/edit/replace-background-and-relight",
            {"background_prompt": "a"},
            _image("subject_image"),
            "8",
        ),
    ],
)
def test_an_async_generation_is_charged_when_it_completes(
    path: str, form: dict[str, str], files: Files, credits: str
) -> None:
    with RunningSandbox(SandboxConfig(latency_seconds=0.3)) as sandbox, client(sandbox) as http:
        before = sandbox.state.book.balance("stability")
        generation_id = post(http, path, form, files).json()["id"]
        charged_at_once = sandbox.state.book.balance("stability") != before

        assert eventually(lambda: sandbox.state.book.find("stability", generation_id) is not None)

        assert not charged_at_once
        assert before - sandbox.state.book.balance("stability") == Decimal(credits)


def test_a_refused_request_costs_nothing(sandbox: RunningSandbox, http: httpx.Client) -> None:
    before = sandbox.state.book.balance("stability")

    assert (
        post(http, "stable-image/generate/core", {"prompt": "a", "seed": "-5"}).status_code == 400
    )

    assert sandbox.state.book.balance("stability") == before


def test_a_balance_below_the_cost_is_payment_required() -> None:
    config = SandboxConfig(stability_credits=Decimal("5"))
    with RunningSandbox(config) as sandbox, client(sandbox) as http:
        ultra = post(http, "stable-image/generate/ultra", {"prompt": "a"})
        first_core = post(http, "stable-image/generate/core", {"prompt": "a"})
        second_core = post(http, "stable-image/generate/core", {"prompt": "a"})
        creative = post(http, "stable-image/upscale/creative", {"prompt": "a"}, _image())

        assert_v2beta_error(ultra, 402, "payment_required")
        assert first_core.status_code == 200
        assert_v2beta_error(second_core, 402, "payment_required")
        assert_v2beta_error(creative, 402, "payment_required")
        assert sandbox.state.book.balance("stability") == Decimal("2")


# -- v1 account --------------------------------------------------------------------------------


def test_the_balance_is_the_remaining_credits(sandbox: RunningSandbox, http: httpx.Client) -> None:
    post(http, "stable-image/generate/sd3", {"prompt": "a", "model": "sd3.5-medium"})

    reply = http.get("/v1/user/balance")

    assert reply.status_code == 200
    assert reply.json() == {"credits": float(sandbox.state.book.balance("stability"))}


def test_the_account_describes_the_keys_owner(http: httpx.Client) -> None:
    reply = http.get("/v1/user/account")

    body = reply.json()
    assert set(body) == {"id", "email", "profile_picture", "organizations"}
    assert {"id", "name", "role", "is_default"} <= set(body["organizations"][0])
    assert http.get("/v1/user/account").json()["id"] == body["id"]


# -- rate limit --------------------------------------------------------------------------------


@pytest.fixture
def limited() -> Iterator[tuple[RunningSandbox, ManualClock]]:
    config = SandboxConfig(
        api_keys=frozenset({SANDBOX_KEY, _OTHER_KEY}),
        stability=StabilityLimits(requests_per_window=3, window_seconds=10, lockout_seconds=60),
    )
    with RunningSandbox(config) as sandbox:
        clock = ManualClock()
        sandbox.state.clock = clock
        yield sandbox, clock


def _three_requests(http: httpx.Client) -> list[int]:
    """Three requests of different kinds: every Stability route counts."""
    return [
        http.get("/v1/user/balance").status_code,
        post(http, "stable-image/generate/core", {}).status_code,
        http.get(f"/v2beta/results/{'0' * 64}").status_code,
    ]


def test_the_request_past_the_limit_is_rate_limited_and_locks_the_account_out(
    limited: tuple[RunningSandbox, ManualClock],
) -> None:
    sandbox, clock = limited
    with client(sandbox) as http:
        assert _three_requests(http) == [200, 400, 404]
        over = post(http, "stable-image/generate/core", {"prompt": "a"})
        clock.advance(30)
        still_locked = http.get("/v1/user/balance")
        clock.advance(30)
        free_again = http.get("/v1/user/balance")

    assert_v2beta_error(over, 429, "rate_limit_exceeded")
    assert over.json()["id"] == "rate_limit_exceeded"
    assert still_locked.status_code == 429
    locked_body = still_locked.json()
    assert set(locked_body) == {"id", "name", "message"}
    assert locked_body["id"] == locked_body["name"] == "rate_limit_exceeded"
    assert free_again.status_code == 200


def test_the_window_slides(limited: tuple[RunningSandbox, ManualClock]) -> None:
    sandbox, clock = limited
    with client(sandbox) as http:
        http.get("/v1/user/balance")
        clock.advance(6)
        http.get("/v1/user/balance")
        http.get("/v1/user/balance")
        clock.advance(4.5)
        after_the_first_left = http.get("/v1/user/balance")
        over = http.get("/v1/user/balance")

    assert after_the_first_left.status_code == 200
    assert over.status_code == 429


def test_the_limit_is_per_account(limited: tuple[RunningSandbox, ManualClock]) -> None:
    sandbox, _ = limited
    with client(sandbox) as http, client(sandbox, _OTHER_KEY) as other:
        _three_requests(http)
        assert http.get("/v1/user/balance").status_code == 429

        assert other.get("/v1/user/balance").status_code == 200
