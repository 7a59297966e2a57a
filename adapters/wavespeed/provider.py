"""The WaveSpeed v3 provider: submit once, poll, download; look tasks up; check the account.

The money rule: once the submit may have left the machine it is never sent again, and an
outcome that cannot be seen (a timeout, a dropped reply, a poll or download that gives up) is
`SubmitUnknown`, so the reservation stays held until reconciliation finds out.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import TypeVar

import httpx

from imagestudio.adapters.providers.closed_client import CLOSED
from imagestudio.adapters.providers.deadline import Deadline, DeadlinePassed
from imagestudio.adapters.providers.limiter import AccountLimiter
from imagestudio.adapters.providers.read_retries import get_with_retries
from imagestudio.adapters.wavespeed.account_tier import limiter_for
from imagestudio.adapters.wavespeed.balance_reply import read_balance
from imagestudio.adapters.wavespeed.errors import (
    PROVIDER,
    failed,
    reply_message,
    task_failure,
    without_secret,
)
from imagestudio.adapters.wavespeed.outputs import OutputUnavailable
from imagestudio.adapters.wavespeed.polling import fetch_prediction
from imagestudio.adapters.wavespeed.predictions import read_prediction
from imagestudio.adapters.wavespeed.requests import build_body, uploads_needed
from imagestudio.adapters.wavespeed.settings import WaveSpeedSettings
from imagestudio.adapters.wavespeed.submission import Connection, fetch_outputs, submit_once
from imagestudio.adapters.wavespeed.transport_trouble import named
from imagestudio.adapters.wavespeed.uploads import upload_input
from imagestudio.application.ports.provider import (
    AccountStatus,
    LookupOutcome,
    ProviderJob,
    ProviderOutcome,
    SubmissionReport,
    SubmitUnknown,
    TaskMissing,
    TaskPending,
)
from imagestudio.domain.errors import OutputFiltered, ProviderErrorKind, ProviderFailed

logger = logging.getLogger(__name__)

ACCOUNT_CHECK_SECONDS = 30.0

K = ProviderErrorKind
Outcome = TypeVar("Outcome", ProviderOutcome, LookupOutcome, ProviderFailed)


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
        self._wire = Connection(settings, client, self._api, self._auth)

    def __repr__(self) -> str:
        return f"WaveSpeedProvider(base_url={self._settings.base_url!r})"

    async def run(self, job: ProviderJob, report: SubmissionReport) -> ProviderOutcome:
        """Upload what must be hosted, queue for the account's slots, submit once, follow up."""
        if not job.model.serves(job.kind):
            return failed(K.NOT_SUPPORTED, f"model {job.model.id!r} cannot do {job.kind}")
        if self._client.is_closed:
            return failed(K.UNAVAILABLE, CLOSED)
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
                outcome = await submit_once(self._wire, job, body, report, deadline)
        except DeadlinePassed:  # only the queue raises it: `submit_once` turns its own into values
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
            logger.warning("wavespeed lookup of %s: %s; asking later", task_id, named(trouble))
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
            return await fetch_outputs(self._wire, job, prediction, deadline)
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
            return self._account(False, detail=f"WaveSpeed is unreachable: {named(trouble)}")
        if response.status_code != 200:
            detail = f"HTTP {response.status_code}: {reply_message(response)}"
            return self._account(False, detail=detail)
        return self._account(True, balance=read_balance(response))

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
