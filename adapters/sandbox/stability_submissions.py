"""Stability submissions in the sandbox (provider_contracts.md §2): a submission is read (413,
400), validated (400), screened (403, 422), priced (402) and either run now (sync) or started
as a generation (async). Credits are taken only when an output is delivered or completed; a
failed task costs nothing."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from starlette.requests import Request
from starlette.responses import Response

from imagestudio.adapters.sandbox.billing import BilledTask
from imagestudio.adapters.sandbox.faults import Fault
from imagestudio.adapters.sandbox.rendering import RenderRefused
from imagestudio.adapters.sandbox.stability_account import PROVIDER
from imagestudio.adapters.sandbox.stability_body import read_form
from imagestudio.adapters.sandbox.stability_endpoints import Endpoint
from imagestudio.adapters.sandbox.stability_errors import (
    INTERNAL,
    NO_CREDITS,
    Refusal,
    bad_request,
    v2beta_error,
)
from imagestudio.adapters.sandbox.stability_generations import Generation, Generations
from imagestudio.adapters.sandbox.stability_moderation import screened
from imagestudio.adapters.sandbox.stability_outputs import Outcome, produce
from imagestudio.adapters.sandbox.stability_replies import (
    Accept,
    accepted_reply,
    artifact_reply,
    negotiated,
    new_request_id,
)
from imagestudio.adapters.sandbox.stability_request import (
    ValidRequest,
    check_client_headers,
    validated,
)
from imagestudio.adapters.sandbox.state import SandboxState


class StabilitySubmissions:
    """Answers the §2.2 endpoints' POSTs; an async one's generation goes to `generations`."""

    def __init__(self, state: SandboxState, generations: Generations) -> None:
        self._state = state
        self._generations = generations
        self._due: set[asyncio.Task[None]] = set()

    async def answer(
        self, request: Request, endpoint: Endpoint, key: str, fault: Fault | None
    ) -> Response:
        """The reply to one submission from `key`, under `fault` (some act on the task)."""
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
