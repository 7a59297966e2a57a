"""The WaveSpeed v3 provider: submit once, poll, download; look tasks up; check the account.

The money rule: once the submit may have left the machine it is never sent again, and an
outcome that cannot be seen (a timeout, a dropped reply, a poll or download that gives up) is
`SubmitUnknown`, so the reservation stays held until reconciliation finds out.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from typing import TypeVar

import httpx

from imagestudio.adapters.providers.deadline import Deadline, DeadlinePassed
from imagestudio.adapters.providers.limiter import AccountLimiter, AccountLimits
from imagestudio.adapters.providers.read_retries import get_with_retries
from imagestudio.adapters.wavespeed.errors import (
    PROVIDER,
    failed,
    reply_message,
    submit_refusal,
    task_failure,
    without_secret,
)
from imagestudio.adapters.wavespeed.outputs import OutputUnavailable, collect_outputs
from imagestudio.adapters.wavespeed.polling import PollGaveUp, fetch_prediction, poll_until_done
from imagestudio.adapters.wavespeed.predictions import Prediction, read_prediction
from imagestudio.adapters.wavespeed.requests import Body, build_body, route_of, uploads_needed
from imagestudio.adapters.wavespeed.settings import WaveSpeedSettings
from imagestudio.adapters.wavespeed.uploads import upload_input
from imagestudio.application.ports.provider import (
    AccountStatus,
    LookupOutcome,
    ProviderJob,
    ProviderOutcome,
    ProviderSuccess,
    SubmissionReport,
    SubmitUnknown,
    TaskMissing,
    TaskPending,
)
from imagestudio.domain.errors import OutputFiltered, ProviderErrorKind, ProviderFailed

logger = logging.getLogger(__name__)

CONNECT_TIMEOUT = 10.0
ACCOUNT_CHECK_SECONDS = 30.0
WINDOW_SECONDS = 60.0
_NOTHING_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
"""Transport errors raised before a byte of the request left this machine."""

K = ProviderErrorKind
Outcome = TypeVar("Outcome", ProviderOutcome, LookupOutcome, ProviderFailed)


def new_client(settings: WaveSpeedSettings) -> httpx.AsyncClient:
    """The pooled client one provider shares across all its operations.

    Every request has an explicit timeout, so the client's own is only a backstop. The key is
    a default header for WaveSpeed's own host only: output URLs live on other hosts (CDNs),
    and a request hook keeps the key off them.
    """
    home = httpx.URL(settings.base_url)

    async def keep_key_home(request: httpx.Request) -> None:
        url = request.url
        if (url.scheme, url.host, url.port) != (home.scheme, home.host, home.port):
            request.headers.pop("Authorization", None)

    connections = min(max(20, settings.concurrent_tasks * 4), 200)
    return httpx.AsyncClient(
        base_url=settings.base_url,
        headers={
            "Authorization": f"Bearer {settings.api_key}",
            "User-Agent": "imagestudio-wavespeed",
            "X-Client-Name": "imagestudio",
        },
        limits=httpx.Limits(
            max_connections=connections,
            max_keepalive_connections=connections // 2,
            # Shorter than common server idle time-outs (uvicorn's 5 s, many proxies' 60 s): a
            # submit sent on a connection the server is just closing fails after sending, and a
            # billable submit is never retried, so it would end as an unknown outcome.
            keepalive_expiry=4.0,
        ),
        timeout=httpx.Timeout(settings.submit_timeout, connect=CONNECT_TIMEOUT),
        follow_redirects=True,
        event_hooks={"request": [keep_key_home]},
    )


def limiter_for(settings: WaveSpeedSettings) -> AccountLimiter:
    """The account's tier: concurrent tasks, and submits per minute."""
    return AccountLimiter(
        AccountLimits(
            concurrent_tasks=settings.concurrent_tasks,
            requests_per_window=settings.submits_per_minute,
            window_seconds=WINDOW_SECONDS,
        )
    )


class WaveSpeedProvider:
    """ImageProvider, TaskLookup and AccountCheck over WaveSpeed's REST API v3."""

    name = PROVIDER

    def __init__(
        self,
        settings: WaveSpeedSettings,
        client: httpx.AsyncClient,
        limiter: AccountLimiter | None = None,
    ) -> None:
        self._settings = settings
        self._client = client
        self._limiter = limiter or limiter_for(settings)
        self._api = settings.api_root
        # Sent explicitly when the client does not carry the key already (one built elsewhere,
        # without `new_client`'s defaults): merging a header into every request costs lookups.
        auth = f"Bearer {settings.api_key}"
        carried = client.headers.get("Authorization") == auth
        self._auth: dict[str, str] = {} if carried else {"Authorization": auth}

    def __repr__(self) -> str:
        return f"WaveSpeedProvider(base_url={self._settings.base_url!r})"

    async def run(self, job: ProviderJob, report: SubmissionReport) -> ProviderOutcome:
        """Upload what must be hosted, queue for the account's slots, submit once, follow up."""
        if not job.model.serves(job.kind):
            return failed(K.NOT_SUPPORTED, f"model {job.model.id!r} cannot do {job.kind}")
        deadline = Deadline(self._settings.task_deadline)
        uploaded: dict[str, str] = {}
        for upload in uploads_needed(job):
            url = await upload_input(
                self._client,
                self._api,
                upload.image,
                headers=self._auth,
                deadline=deadline,
                attempt_timeout=self._settings.download_timeout,
            )
            if isinstance(url, ProviderFailed):
                return self._clean(url)
            uploaded[upload.field] = url
        body = build_body(job, uploaded=uploaded, sync_mode=self._settings.sync_mode)
        try:
            async with self._limiter.task(deadline):
                await self._limiter.admit(deadline)
                outcome = await self._submit(job, body, report, deadline)
        except DeadlinePassed:  # only the queue raises it: `_submit` turns its own into values
            return failed(K.RATE_LIMITED, "queued past the deadline")
        return self._clean(outcome)

    async def lookup(self, job: ProviderJob, task_id: str) -> LookupOutcome:
        """What became of `task_id`; fetches its outputs when it completed. Never re-submits."""
        deadline = Deadline(self._settings.task_deadline)
        try:
            response = await fetch_prediction(
                self._client, self._api, task_id, headers=self._auth, deadline=deadline
            )
        except (httpx.TransportError, DeadlinePassed) as trouble:
            # No verdict on the task: the reconciler asks again later (a failure would release
            # what WaveSpeed may have completed and billed).
            logger.warning("wavespeed lookup of %s: %s; asking later", task_id, _named(trouble))
            return TaskPending(task_id)
        if response.status_code == 404:
            return TaskMissing(task_id, f"WaveSpeed has no task {task_id}")
        prediction = read_prediction(response) if response.status_code == 200 else None
        if prediction is None:
            logger.warning(
                "wavespeed lookup of %s: HTTP %s; asking later", task_id, response.status_code
            )
            return TaskPending(task_id)
        if prediction.failed:
            return self._clean(task_failure(prediction.error, prediction.status))
        if not prediction.completed:
            return TaskPending(task_id)
        try:
            return await self._outputs(job, prediction, deadline)
        except OutputUnavailable as lost:
            # Completed and billed, but not fetched yet: fetch again on the next round.
            detail = without_secret(str(lost), self._settings.api_key)
            logger.warning("wavespeed lookup of %s: %s; asking later", task_id, detail)
            return TaskPending(task_id)

    async def check_account(self) -> AccountStatus:
        """Whether the key works, and the balance in USD (`GET /api/v3/balance`)."""
        deadline = Deadline(min(ACCOUNT_CHECK_SECONDS, self._settings.task_deadline))
        try:
            response = await get_with_retries(
                self._client, f"{self._api}/balance", deadline=deadline, headers=self._auth
            )
        except (httpx.TransportError, DeadlinePassed) as trouble:
            return self._account(False, detail=f"WaveSpeed is unreachable: {_named(trouble)}")
        if response.status_code != 200:
            detail = f"HTTP {response.status_code}: {reply_message(response)}"
            return self._account(False, detail=detail)
        return self._account(True, balance=_balance(response))

    async def _submit(
        self, job: ProviderJob, body: Body, report: SubmissionReport, deadline: Deadline
    ) -> ProviderOutcome:
        route = route_of(job)
        await report.sending()
        try:
            response = await self._client.post(
                f"{self._api}/{route}",
                json=body,
                headers=self._auth,
                timeout=httpx.Timeout(
                    min(self._settings.submit_timeout, max(1.0, deadline.remaining())),
                    connect=CONNECT_TIMEOUT,
                ),
                follow_redirects=False,
            )
        except _NOTHING_SENT as trouble:
            return failed(K.UNAVAILABLE, f"could not reach WaveSpeed: {_named(trouble)}")
        except httpx.TransportError as trouble:
            logger.warning(
                "wavespeed submit to %s: outcome unknown (%s)", route, type(trouble).__name__
            )
            return SubmitUnknown(
                task_id=None, detail=f"the submit may have been received: {_named(trouble)}"
            )
        if not response.is_success:
            return submit_refusal(response)
        prediction = read_prediction(response)
        if prediction is None:
            return SubmitUnknown(task_id=None, detail="the submit's reply held no task id")
        await report.accepted(prediction.id)
        logger.info("wavespeed task %s accepted for %s", prediction.id, route)
        try:
            return await self._follow(job, prediction, deadline, report.progressed)
        except DeadlinePassed as late:  # never let it reach `run`, which reads it as "queued"
            return SubmitUnknown(task_id=prediction.id, detail=str(late))

    async def _follow(
        self,
        job: ProviderJob,
        prediction: Prediction,
        deadline: Deadline,
        progressed: Callable[[str], None],
    ) -> ProviderOutcome:
        """From an accepted task to its outcome; every failure to see it is SubmitUnknown."""
        task_id = prediction.id
        if not (prediction.completed or prediction.failed):
            polled = await poll_until_done(
                self._client,
                self._api,
                task_id,
                headers=self._auth,
                deadline=deadline,
                interval=self._settings.poll_interval,
                interval_max=self._settings.poll_interval_max,
                progressed=progressed,
            )
            if isinstance(polled, PollGaveUp):
                logger.warning("wavespeed task %s: outcome unknown (%s)", task_id, polled.detail)
                return SubmitUnknown(task_id=task_id, detail=polled.detail)
            prediction = polled
        if prediction.failed:
            return task_failure(prediction.error, prediction.status)
        try:
            return await self._outputs(job, prediction, deadline)
        except OutputUnavailable as lost:
            logger.warning("wavespeed task %s: outputs unavailable (%s)", task_id, lost)
            return SubmitUnknown(task_id=task_id, detail=str(lost))

    async def _outputs(
        self, job: ProviderJob, prediction: Prediction, deadline: Deadline
    ) -> ProviderSuccess | OutputFiltered:
        return await collect_outputs(
            self._client,
            prediction.raw,
            job,
            deadline=deadline,
            download_timeout=self._settings.download_timeout,
        )

    def _account(
        self, works: bool, *, balance: str | None = None, detail: str = ""
    ) -> AccountStatus:
        return AccountStatus(
            provider=PROVIDER,
            key_works=works,
            balance=balance,
            detail=without_secret(detail, self._settings.api_key),
        )

    def _clean(self, outcome: Outcome) -> Outcome:
        """The outcome with the key masked out of its detail, wherever the text came from."""
        key = self._settings.api_key
        if isinstance(outcome, ProviderFailed | SubmitUnknown | OutputFiltered | TaskMissing):
            detail = without_secret(outcome.detail, key)
            if detail != outcome.detail:
                return replace(outcome, detail=detail)
        return outcome


def _balance(response: httpx.Response) -> str | None:
    """`data.balance` as "12.34 USD" (more decimals only when the provider gives them)."""
    try:
        envelope = response.json()
    except ValueError:
        return None
    data = envelope.get("data", envelope) if isinstance(envelope, dict) else None
    value = data.get("balance") if isinstance(data, dict) else data
    currency = data.get("currency", "USD") if isinstance(data, dict) else "USD"
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return None
    cents = amount.quantize(Decimal("0.01"))
    return f"{cents if cents == amount else amount} {currency}"


def _named(trouble: Exception) -> str:
    text = str(trouble)
    return f"{type(trouble).__name__}: {text}" if text else type(trouble).__name__
