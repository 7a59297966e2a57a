"""Stability v2beta emulator (provider_contracts.md §2 and §3): routes and the request lifecycle.

Every request passes the same gate: bearer key (401), then the account's rate limit (429),
then any scripted fault. A submission is then read (413, 400), validated (400), screened
(403, 422), priced (402) and either run now (sync) or started as a generation (async).
Credits are taken only when an output is delivered or completed; a failed task costs nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from decimal import Decimal

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute
from starlette.routing import Route as HttpRoute

from imagestudio.adapters.sandbox.billing import BilledTask
from imagestudio.adapters.sandbox.faults import Fault, Route
from imagestudio.adapters.sandbox.http_faults import after_work, before_work, faulted
from imagestudio.adapters.sandbox.rendering import RenderRefused
from imagestudio.adapters.sandbox.stability_account import PROVIDER, account_reply, balance_reply
from imagestudio.adapters.sandbox.stability_body import read_form
from imagestudio.adapters.sandbox.stability_endpoints import ENDPOINTS, Endpoint
from imagestudio.adapters.sandbox.stability_errors import (
    INTERNAL,
    NO_CREDITS,
    NOT_FOUND,
    RATE_LIMITED,
    Refusal,
    bad_request,
    rate_limit_message,
    v1_error,
    v1_fault,
    v2beta_error,
    v2beta_fault,
)
from imagestudio.adapters.sandbox.stability_generations import Generation, Generations
from imagestudio.adapters.sandbox.stability_moderation import screened
from imagestudio.adapters.sandbox.stability_outputs import Outcome, produce
from imagestudio.adapters.sandbox.stability_rate_limit import RequestWindow
from imagestudio.adapters.sandbox.stability_replies import (
    Accept,
    accepted_reply,
    artifact_reply,
    in_progress_reply,
    negotiated,
    new_request_id,
)
from imagestudio.adapters.sandbox.stability_request import (
    ValidRequest,
    check_client_headers,
    validated,
)
from imagestudio.adapters.sandbox.state import SandboxState

V2BETA = "/v2beta/"
RESULT_PATHS = ("/v2beta/results/{id}", "/v2beta/stable-image/upscale/creative/result/{id}")
BALANCE_PATH = "/v1/user/balance"
ACCOUNT_PATH = "/v1/user/account"
_ANY_METHOD = ["GET", "POST", "PUT", "PATCH", "DELETE"]

Handler = Callable[[Request], Awaitable[Response]]
Answer = Callable[[Request, str, Fault | None], Awaitable[Response]]
"""Answers a request from this key, told the fault it meets (some act on the task itself)."""


class StabilityEmulator:
    def __init__(self, state: SandboxState) -> None:
        self._state = state
        # Through a lambda: tests swap `state.clock` after the app is built.
        self._window = RequestWindow(state.config.stability, lambda: state.clock())
        self._generations = Generations(state.config.result_ttl_seconds)
        self._due: set[asyncio.Task[None]] = set()

    def routes(self) -> list[BaseRoute]:
        """Every §2.2 endpoint (POST), both result paths, and the two v1 account reads."""
        return [
            *(
                HttpRoute(V2BETA + endpoint.path, self._submitting(endpoint), methods=["POST"])
                for endpoint in ENDPOINTS
            ),
            *(HttpRoute(path, self._result, methods=["GET"]) for path in RESULT_PATHS),
            HttpRoute(BALANCE_PATH, self._balance, methods=["GET"]),
            HttpRoute(ACCOUNT_PATH, self._account, methods=["GET"]),
            # Last: anything else under /v2beta is a JSON 404, as the service answers it.
            HttpRoute(V2BETA + "{rest:path}", self._unknown, methods=_ANY_METHOD),
        ]

    # -- the gate every request passes -----------------------------------------------------

    def _admit(self, request: Request, *, v1: bool) -> tuple[str, Response | None]:
        """The caller's key, or the 401/429 that turns the request away."""
        header = request.headers.get("authorization")
        if header is None or not self._state.authorized(header):
            message = "missing authorization header" if not header else "invalid API key"
            if v1:
                return "", v1_error(401, "unauthorized", message)
            return "", v2beta_error(401, "unauthorized", f"authorization: {message}")
        key = header[len("bearer ") :].strip()
        if self._window.admit(key):
            return key, None
        limits = self._state.config.stability
        message = rate_limit_message(
            limits.requests_per_window, limits.window_seconds, limits.lockout_seconds
        )
        if v1:
            return key, v1_error(429, RATE_LIMITED, message)
        return key, v2beta_error(429, RATE_LIMITED, message)

    async def _faulted(self, route: Route, request: Request, key: str, answer: Answer) -> Response:
        """`answer` under the route's next fault: an error instead, or a late, cut or broken
        reply after the work (and its billing) is done."""
        fault = self._state.faults.take(route)
        instead = await before_work(fault, v2beta_fault)
        if instead is not None:
            return instead
        try:
            reply = await answer(request, key, fault)
        except Refusal as refusal:
            reply = refusal.response()
        return await after_work(fault, self._state.faults, reply, v2beta_fault)

    # -- submissions ----------------------------------------------------------------------

    def _submitting(self, endpoint: Endpoint) -> Handler:
        async def submit(request: Request) -> Response:
            key, turned_away = self._admit(request, v1=False)
            if turned_away is not None:
                return turned_away

            async def answer(request: Request, key: str, fault: Fault | None) -> Response:
                return await self._submission(request, endpoint, key, fault)

            return await self._faulted(Route.STABILITY_SUBMIT, request, key, answer)

        return submit

    async def _submission(
        self, request: Request, endpoint: Endpoint, key: str, fault: Fault | None
    ) -> Response:
        check_client_headers(request.headers)
        form = await read_form(request)
        try:
            accept = Accept.IMAGE
            if not (endpoint.is_async or endpoint.returns_model):
                accept = negotiated(request.headers.get("accept"))
            valid = await validated(endpoint, form)
        finally:
            await form.close()
        filtered = screened(valid.prompts, self._state.config)
        cost = endpoint.cost(valid.values)
        if not self._state.book.can_afford(PROVIDER, cost):
            raise Refusal(402, "payment_required", NO_CREDITS)
        fails = fault is Fault.FAIL_AFTER_ACCEPT or self._state.should_fail()
        latency = self._state.config.latency_seconds
        if fault is Fault.SLOW_TASK:
            latency = self._state.faults.slow_task_seconds
        if endpoint.is_async:
            return self._started(valid, key, cost, filtered=filtered, fails=fails, latency=latency)
        return await self._run(valid, accept, cost, filtered=filtered, fails=fails, latency=latency)

    async def _run(
        self,
        valid: ValidRequest,
        accept: Accept,
        cost: Decimal,
        *,
        filtered: bool,
        fails: bool,
        latency: float,
    ) -> Response:
        loop = asyncio.get_running_loop()
        started = loop.time()
        outcome = await self._rendered(valid, filtered)
        await asyncio.sleep(max(0.0, latency - (loop.time() - started)))
        if fails:
            return v2beta_error(500, "internal_error", INTERNAL)
        request_id = new_request_id()
        self._bill(request_id, valid, cost, filtered)
        return artifact_reply(outcome, accept, request_id)

    def _started(
        self,
        valid: ValidRequest,
        key: str,
        cost: Decimal,
        *,
        filtered: bool,
        fails: bool,
        latency: float,
    ) -> Response:
        async def work(generation_id: str) -> Outcome | None:
            if fails:
                return None
            try:
                outcome = await self._rendered(valid, filtered)
            except Refusal:
                return None
            self._bill(generation_id, valid, cost, filtered)
            return outcome

        now = self._state.clock()
        generation = Generation(key, now, now + latency, work)
        self._generations.add(generation)
        task = asyncio.get_running_loop().create_task(self._finish_when_due(generation, latency))
        self._due.add(task)
        task.add_done_callback(self._due.discard)
        return accepted_reply(generation.id, new_request_id())

    async def _finish_when_due(self, generation: Generation, latency: float) -> None:
        """Completes (and bills) the generation on time even if nobody polls for it."""
        await asyncio.sleep(latency)
        await generation.finish()

    async def _rendered(self, valid: ValidRequest, filtered: bool) -> Outcome:
        try:
            return await produce(valid, filtered=filtered)
        except RenderRefused as refused:
            raise bad_request(f"image: {refused}") from None

    def _bill(self, task_id: str, valid: ValidRequest, cost: Decimal, filtered: bool) -> None:
        self._state.book.charge(
            BilledTask(PROVIDER, task_id, valid.endpoint.path, cost, filtered=filtered)
        )

    # -- async results ---------------------------------------------------------------------

    async def _result(self, request: Request) -> Response:
        key, turned_away = self._admit(request, v1=False)
        if turned_away is not None:
            return turned_away
        return await self._faulted(Route.STABILITY_RESULT, request, key, self._generation_state)

    async def _generation_state(self, request: Request, key: str, fault: Fault | None) -> Response:
        del fault  # a failure is decided when the generation is accepted
        accept = negotiated(request.headers.get("accept"))
        generation_id = request.path_params["id"]
        now = self._state.clock()
        generation = self._generations.find(generation_id, key, now)
        if generation is None:
            raise Refusal(404, "generation_not_found", NOT_FOUND)
        if now < generation.ready_at:
            return in_progress_reply(generation_id)
        outcome = await generation.finish()
        if outcome is None:
            raise Refusal(500, "internal_error", INTERNAL)
        return artifact_reply(outcome, accept, new_request_id())

    async def _unknown(self, request: Request) -> Response:
        return v2beta_error(
            404, "not_found", f"path: {request.method} {request.url.path} does not exist"
        )

    # -- v1 account ------------------------------------------------------------------------

    async def _balance(self, request: Request) -> Response:
        def balance(key: str) -> Response:
            del key  # one book for the whole sandbox
            return balance_reply(self._state.book)

        return await self._v1(request, balance)

    async def _account(self, request: Request) -> Response:
        return await self._v1(request, account_reply)

    async def _v1(self, request: Request, reply: Callable[[str], Response]) -> Response:
        key, turned_away = self._admit(request, v1=True)
        if turned_away is not None:
            return turned_away

        async def answer() -> Response:
            return reply(key)

        return await faulted(self._state.faults, Route.STABILITY_BALANCE, v1_fault, answer)
