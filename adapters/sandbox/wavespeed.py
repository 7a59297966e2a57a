"""WaveSpeed v3 emulator (provider_contracts.md §1 and §3): routes, auth, faults, sync mode.

Submit, poll, upload (in one step, and the SDK's two-step ticket) and balance routes answer in
WaveSpeed's envelope. A submit that passes validation, the rate limits and the balance check
creates a prediction whose life runs on the server's loop (wavespeed_lifecycle); a retried POST
is always a new prediction.
"""

from __future__ import annotations

import asyncio
import json
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute
from starlette.routing import Route as HttpRoute

from imagestudio.adapters.sandbox.faults import Fault, Route
from imagestudio.adapters.sandbox.http_faults import after_work, before_work, faulted
from imagestudio.adapters.sandbox.state import SandboxState
from imagestudio.adapters.sandbox.wavespeed_envelope import (
    failure,
    fault_failure,
    success,
    unauthorized,
)
from imagestudio.adapters.sandbox.wavespeed_fields import BadRequest, Body, flag
from imagestudio.adapters.sandbox.wavespeed_images import InputImages
from imagestudio.adapters.sandbox.wavespeed_lifecycle import PROVIDER, Verdict, run_prediction
from imagestudio.adapters.sandbox.wavespeed_limits import SubmitLimiter
from imagestudio.adapters.sandbox.wavespeed_models import rules_for
from imagestudio.adapters.sandbox.wavespeed_predictions import Prediction, PredictionBook
from imagestudio.adapters.sandbox.wavespeed_requests import TaskOrder, read_order
from imagestudio.adapters.sandbox.wavespeed_upload_tickets import TICKETS_PATH, UploadTickets
from imagestudio.adapters.sandbox.wavespeed_uploads import receive_upload

API = "/api/v3"
MODERATED = "Content policy violation: the prompt was flagged by the safety checker"
FAILED_AFTER_ACCEPT = "Internal error: the prediction failed during inference"
SYNC_TIMED_OUT = 5004


class WaveSpeedEmulator:
    def __init__(self, state: SandboxState) -> None:
        self._state = state
        self._predictions = PredictionBook()
        self._limiter = SubmitLimiter(state.config.wavespeed, lambda: self._state.clock())
        self._tickets = UploadTickets(state.files)

    def routes(self) -> list[BaseRoute]:
        """Fixed routes first: the submit route's path would otherwise swallow them."""
        return [
            HttpRoute(API + "/predictions/{prediction_id}/result", self._poll, methods=["GET"]),
            HttpRoute(API + "/predictions/{prediction_id}", self._poll, methods=["GET"]),
            HttpRoute(API + "/media/upload/binary", self._upload_binary, methods=["POST"]),
            HttpRoute(API + "/upload", self._upload, methods=["POST"]),
            HttpRoute(API + "/media/uploads", self._upload_ticket, methods=["POST"]),
            HttpRoute(TICKETS_PATH + "/{token}", self._tickets.receive, methods=["PUT"]),
            HttpRoute(API + "/balance", self._balance, methods=["GET"]),
            HttpRoute(API + "/account/balance", self._account_balance, methods=["GET"]),
            HttpRoute(API + "/{model_path:path}", self._submit, methods=["POST"]),
            HttpRoute(API + "/{unknown:path}", self._not_found, methods=["GET"]),
        ]

    # -- submit --------------------------------------------------------------------------------

    async def _submit(self, request: Request) -> Response:
        if not self._authorized(request):
            return unauthorized()
        faults = self._state.faults
        fault = faults.take(Route.WAVESPEED_SUBMIT)
        instead = await before_work(fault, fault_failure)
        if instead is not None:
            return instead
        reply = await self._accept(request, fault)
        # The others strike after the task exists: the client cannot know it was created.
        return await after_work(fault, faults, reply, fault_failure)

    async def _accept(self, request: Request, fault: Fault | None) -> Response:
        model_path = request.path_params["model_path"]
        rules = rules_for(model_path)
        if rules is None:
            return failure(404, f"Model not found: {model_path}")
        base_url = str(request.base_url).rstrip("/")
        try:
            body = await _json_body(request)
            order = read_order(rules, body, InputImages(self._state.files, urlsplit(base_url)))
            sync, base64_output = flag(body, "enable_sync_mode"), flag(body, "enable_base64_output")
        except BadRequest as bad:
            return failure(400, bad.message)
        running = self._predictions.unfinished()
        refusal = self._limiter.refusal(len(running))
        if refusal is not None:
            return failure(429, refusal)
        # The real service takes the price at the submit (refunding failures later), so tasks
        # still running already spoke for their share of the balance.
        committed = sum((prediction.price for prediction in running), order.amount)
        if not self._state.book.can_afford(PROVIDER, committed):
            return failure(403, "Insufficient balance")
        prediction = Prediction(model=model_path, base_url=base_url, price=order.amount)
        self._start(prediction, order, self._verdict(order, fault, base64_output))
        if sync:
            return success(await self._waited(prediction))
        return success(prediction.as_json())

    def _verdict(self, order: TaskOrder, fault: Fault | None, base64_output: bool) -> Verdict:
        prompt = order.prompt.lower()
        config = self._state.config
        if config.moderation_word and config.moderation_word.lower() in prompt:
            reason: str | None = MODERATED
        elif fault is Fault.FAIL_AFTER_ACCEPT or self._state.should_fail():
            reason = FAILED_AFTER_ACCEPT
        else:
            reason = None
        nsfw = bool(config.filter_word) and config.filter_word.lower() in prompt
        slow = fault is Fault.SLOW_TASK
        return Verdict(
            failure=reason,
            nsfw=nsfw,
            base64_output=base64_output,
            latency_seconds=self._state.faults.slow_task_seconds
            if slow
            else config.latency_seconds,
        )

    def _start(self, prediction: Prediction, order: TaskOrder, verdict: Verdict) -> None:
        self._predictions.add(prediction)
        self._limiter.accepted()
        task = asyncio.create_task(run_prediction(prediction, order, verdict, self._state))
        self._predictions.keep_running(task)

    async def _waited(self, prediction: Prediction) -> dict[str, object]:
        """Sync mode: the finished prediction, or after the time-out WaveSpeed's 5004 answer."""
        limit = self._state.config.sync_timeout_seconds
        try:
            await asyncio.wait_for(prediction.finished.wait(), timeout=limit)
        except TimeoutError:
            return {
                **prediction.as_json(),
                "status": "processing",
                "code": SYNC_TIMED_OUT,
                "error": f"Sync mode timed out after {limit:g} seconds. "
                "The prediction is still processing asynchronously.",
            }
        return prediction.as_json()

    # -- reads ---------------------------------------------------------------------------------

    async def _poll(self, request: Request) -> Response:
        if not self._authorized(request):
            return unauthorized()

        async def answer() -> Response:
            prediction = self._predictions.get(request.path_params["prediction_id"])
            if prediction is None:
                return failure(404, "Prediction not found")
            return success(prediction.as_json())

        return await faulted(self._state.faults, Route.WAVESPEED_POLL, fault_failure, answer)

    async def _balance(self, request: Request) -> Response:
        return await self._balance_reply(request, with_currency=False)

    async def _account_balance(self, request: Request) -> Response:
        return await self._balance_reply(request, with_currency=True)

    async def _balance_reply(self, request: Request, *, with_currency: bool) -> Response:
        if not self._authorized(request):
            return unauthorized()

        async def answer() -> Response:
            balance = float(self._state.book.balance(PROVIDER))
            return success(
                {"balance": balance, "currency": "USD"} if with_currency else {"balance": balance}
            )

        return await faulted(self._state.faults, Route.WAVESPEED_BALANCE, fault_failure, answer)

    async def _not_found(self, request: Request) -> Response:
        if not self._authorized(request):
            return unauthorized()
        return failure(404, f"Not found: {request.url.path}")

    # -- uploads -------------------------------------------------------------------------------

    async def _upload_binary(self, request: Request) -> Response:
        return await self._upload_reply(request, documented=True)

    async def _upload(self, request: Request) -> Response:
        return await self._upload_reply(request, documented=False)

    async def _upload_reply(self, request: Request, *, documented: bool) -> Response:
        """The documented route answers `download_url`; the variant page's route, `url`."""
        if not self._authorized(request):
            return unauthorized()

        async def answer() -> Response:
            base_url = str(request.base_url).rstrip("/")
            try:
                upload = await receive_upload(request, self._state.files, base_url)
            except BadRequest as bad:
                return failure(400, bad.message)
            return success(
                {
                    "download_url" if documented else "url": upload.url,
                    "type": upload.type,
                    "filename": upload.filename,
                    "size": upload.size,
                }
            )

        return await faulted(self._state.faults, Route.WAVESPEED_UPLOAD, fault_failure, answer)

    async def _upload_ticket(self, request: Request) -> Response:
        """The SDK 2.x's first step: a ticket saying where to PUT the bytes."""
        if not self._authorized(request):
            return unauthorized()

        async def answer() -> Response:
            try:
                ticket = self._tickets.issue(
                    await _json_body(request), str(request.base_url).rstrip("/")
                )
            except BadRequest as bad:
                return failure(400, bad.message)
            return success(ticket)

        return await faulted(self._state.faults, Route.WAVESPEED_UPLOAD, fault_failure, answer)

    def _authorized(self, request: Request) -> bool:
        return self._state.authorized(request.headers.get("authorization"))


async def _json_body(request: Request) -> Body:
    raw = await request.body()
    try:
        body = json.loads(raw) if raw.strip() else {}
    except ValueError:
        raise BadRequest("the request body must be JSON") from None
    if not isinstance(body, dict):
        raise BadRequest("the request body must be a JSON object")
    return body
