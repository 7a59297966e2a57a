"""The Stability v2beta adapter: one multipart POST per job, sent exactly once.

Every request (submit, result poll, retry, balance) is first admitted by the account limiter:
Stability counts them all toward 150 per 10 s and locks the account out for 60 s past that.
A submit is never retried; after it left, running out of time is an unknown outcome, kept for
reconciliation, never a reason to send it again.
"""

from __future__ import annotations

import asyncio
import logging

import httpx

from imagestudio.adapters.providers.closed_client import CLOSED
from imagestudio.adapters.providers.deadline import WHOLE_REPLY_GRACE, Deadline, DeadlinePassed
from imagestudio.adapters.providers.limiter import AccountLimiter
from imagestudio.adapters.stability.balance import (
    BalanceUnread,
    Trouble,
    described,
    read_credits,
    shown,
)
from imagestudio.adapters.stability.endpoints import Endpoint, endpoint_for
from imagestudio.adapters.stability.errors import PROVIDER, submit_refused
from imagestudio.adapters.stability.forms import MissingImage, StabilityForm, build_form
from imagestudio.adapters.stability.redaction import redacted
from imagestudio.adapters.stability.replies import (
    IMAGE_ACCEPT,
    JSON_ACCEPT,
    Unreadable,
    read_artifact,
)
from imagestudio.adapters.stability.result_polling import ResultPolling
from imagestudio.adapters.stability.settings import StabilitySettings
from imagestudio.adapters.stability.task_lookup import look_up
from imagestudio.application.ports.provider import (
    AccountStatus,
    LookupOutcome,
    ProviderJob,
    ProviderOutcome,
    SubmissionReport,
    SubmitUnknown,
)
from imagestudio.domain.errors import ProviderErrorKind, ProviderFailed

logger = logging.getLogger(__name__)

# Failures that happen before a byte of the request left: safe to report as "not sent".
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)


class StabilityProvider:
    """The `ImageProvider`, `TaskLookup` and `AccountCheck` ports on Stability's REST API."""

    name = PROVIDER

    def __init__(
        self,
        settings: StabilitySettings,
        client: httpx.AsyncClient,
        limiter: AccountLimiter | None = None,
    ) -> None:
        self._settings = settings
        self._client = client
        self._limiter = limiter or AccountLimiter(settings.limits)
        self._results = ResultPolling(
            client,
            self._limiter,
            base_url=settings.base_url,
            accept=self._accept,
            read_timeout=settings.request_timeout,
            poll_interval=settings.poll_interval,
        )

    def __repr__(self) -> str:
        return f"StabilityProvider({self._settings!r})"

    @property
    def _accept(self) -> str:
        return JSON_ACCEPT if self._settings.accept_json else IMAGE_ACCEPT

    async def run(self, job: ProviderJob, report: SubmissionReport) -> ProviderOutcome:
        return redacted(await self._run(job, report), self._settings.api_key)

    async def lookup(self, job: ProviderJob, task_id: str) -> LookupOutcome:
        return redacted(await self._lookup(job, task_id), self._settings.api_key)

    async def check_account(self) -> AccountStatus:
        return redacted(await self._check_account(), self._settings.api_key)

    async def _run(self, job: ProviderJob, report: SubmissionReport) -> ProviderOutcome:
        if self._client.is_closed:
            return _failed(ProviderErrorKind.UNAVAILABLE, CLOSED)
        target = endpoint_for(job.model.provider_path)
        if target is None:
            return _failed(
                ProviderErrorKind.NOT_SUPPORTED,
                f"no Stability endpoint is known for {job.model.provider_path!r}",
            )
        try:
            form = build_form(job, target)
        except MissingImage as missing:
            return _failed(ProviderErrorKind.INVALID_INPUT, str(missing))
        deadline = Deadline(self._settings.task_deadline)
        admitted = False
        try:
            async with self._limiter.task(deadline):
                await self._limiter.admit(deadline)
                admitted = True
                return await self._submit_once(job, target.endpoint, form, report, deadline)
        except DeadlinePassed as late:
            if admitted:  # past this point the submit may have left: never call it a refusal
                return SubmitUnknown(task_id=None, detail=f"the deadline passed ({late})")
            return _failed(ProviderErrorKind.RATE_LIMITED, f"queued past the deadline ({late})")

    async def _submit_once(
        self,
        job: ProviderJob,
        endpoint: Endpoint,
        form: StabilityForm,
        report: SubmissionReport,
        deadline: Deadline,
    ) -> ProviderOutcome:
        allowed = min(self._settings.request_timeout, max(deadline.remaining(), 0.01))
        request = self._client.build_request(
            "POST", self._url(endpoint.path), files=form.multipart(), timeout=allowed
        )
        if endpoint.glb:
            request.headers.pop("accept", None)
        else:
            # An async submit answers `{id}` whatever is asked; its result honours our accept.
            request.headers["accept"] = JSON_ACCEPT if endpoint.asynchronous else self._accept
        await report.sending()
        try:
            # httpx's timeouts are per read: a reply dripping a byte at a time would outlast
            # them, so the whole submit is bounded too.
            async with asyncio.timeout(allowed + WHOLE_REPLY_GRACE):
                response = await self._client.send(request)
        except _NOT_SENT as error:
            return _failed(ProviderErrorKind.UNAVAILABLE, f"could not connect: {described(error)}")
        except httpx.RequestError as error:  # a reply cut short, undecodable, a redirect loop
            return SubmitUnknown(
                task_id=None,
                detail=f"{described(error)} after sending {endpoint.path}: it may have been billed",
            )
        except TimeoutError:
            return SubmitUnknown(
                task_id=None,
                detail=f"the reply to {endpoint.path} still came after {allowed:g} s: "
                "it may have been billed",
            )
        logger.info("stability POST %s: HTTP %s", endpoint.path, response.status_code)
        if not response.is_success:
            return submit_refused(response)
        if not endpoint.asynchronous:
            if response.status_code != httpx.codes.OK:
                return SubmitUnknown(
                    task_id=None, detail=f"unexpected HTTP {response.status_code} to a submit"
                )
            answered = read_artifact(response, job.model.output)
            if isinstance(answered, Unreadable):
                # Billed with no task id to fetch it again by: held, then released with its
                # price kept as a possible provider cost (`unknown_unresolved`).
                return SubmitUnknown(task_id=None, detail=f"{answered.detail}, though billed")
            return answered
        task_id = _task_id(response)
        if task_id is None:
            return SubmitUnknown(task_id=None, detail="accepted without a readable task id")
        await report.accepted(task_id)
        logger.info("stability accepted %s as task %s", endpoint.path, task_id)
        return await self._results.wait(task_id, job.model.output, deadline, report.progressed)

    async def _lookup(self, job: ProviderJob, task_id: str) -> LookupOutcome:
        deadline = Deadline(self._settings.request_timeout)
        return await look_up(self._results, job.model.output, task_id, deadline)

    async def _check_account(self) -> AccountStatus:
        deadline = Deadline(self._settings.request_timeout)
        credits = await read_credits(
            self._client,
            self._settings.base_url,
            deadline,
            read_timeout=self._settings.request_timeout,
            before_attempt=lambda: self._limiter.admit(deadline),
        )
        if not isinstance(credits, BalanceUnread):
            return AccountStatus(provider=PROVIDER, key_works=True, balance=shown(credits))
        if credits.trouble is Trouble.UNREACHABLE:
            detail = f"unreachable: {credits.detail}"
            return AccountStatus(provider=PROVIDER, key_works=False, detail=detail)
        # A refusal says the key does not work; an unreadable 200 says it does.
        works = credits.trouble is Trouble.UNREADABLE
        return AccountStatus(provider=PROVIDER, key_works=works, detail=credits.detail)

    def _url(self, path: str) -> str:
        return f"{self._settings.base_url.rstrip('/')}/{path.lstrip('/')}"


def _failed(kind: ProviderErrorKind, detail: str) -> ProviderFailed:
    return ProviderFailed(provider=PROVIDER, kind=kind, detail=detail)


def _task_id(response: httpx.Response) -> str | None:
    try:
        task_id = response.json()["id"]
    except (ValueError, KeyError, TypeError):
        return None
    return task_id if isinstance(task_id, str) and task_id else None
