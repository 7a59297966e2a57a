"""Stability v2beta emulator (provider_contracts.md §2 and §3): routes and the request lifecycle.

Every request passes the same gate: bearer key (401), then the account's rate limit (429),
then any scripted fault; a submission is then stability_submissions.py's.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute
from starlette.routing import Route as HttpRoute

from imagestudio.adapters.sandbox.faults import Fault, Route
from imagestudio.adapters.sandbox.http_faults import after_work, before_work, faulted
from imagestudio.adapters.sandbox.stability_account import account_reply, balance_reply
from imagestudio.adapters.sandbox.stability_endpoints import ENDPOINTS, Endpoint
from imagestudio.adapters.sandbox.stability_errors import (
    INTERNAL,
    NOT_FOUND,
    RATE_LIMITED,
    Refusal,
    rate_limit_message,
    v1_error,
    v1_fault,
    v2beta_error,
    v2beta_fault,
)
from imagestudio.adapters.sandbox.stability_generations import Generations
from imagestudio.adapters.sandbox.stability_rate_limit import RequestWindow
from imagestudio.adapters.sandbox.stability_replies import (
    artifact_reply,
    in_progress_reply,
    negotiated,
    new_request_id,
)
from imagestudio.adapters.sandbox.stability_submissions import StabilitySubmissions
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
        self._submissions = StabilitySubmissions(state, self._generations)

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
                return await self._submissions.answer(request, endpoint, key, fault)

            return await self._faulted(Route.STABILITY_SUBMIT, request, key, answer)

        return submit

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
