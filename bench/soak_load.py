"""The load: clients sending the mix to whichever server is up, one operation per user at a time
(client side), polling what answered 202, retrying a keyed request the kill of its server cut,
and checking what each answer says about idempotency. Everything seen is kept in `Records`."""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
from soak_requests import Mix, Request, SoakUser, send

EXPECTED = frozenset({200, 202, 402, 409, 422, 429, 503, 504})
"""Every answer the API may give this load: success, still running, quota, idempotency,
moderation or refusal, rate or concurrency, the provider's trouble, an unknown outcome."""
REFUSED = frozenset({402, 409, 429})
"""Answers that turn the request away before any operation exists."""
FINAL = frozenset({"succeeded", "failed", "cancelled", "abandoned"})
POLL_EVERY = 0.5
REUSE_SAME, REUSE_CHANGED, KEYED = 0.15, 0.10, 0.35
EXHAUSTED_AFTER = 3
"""Refusals (402) in a row after which a user is mostly passed over: its plan is spent."""


@dataclass(slots=True)
class Records:
    sent: int = 0
    accepted: int = 0
    """Requests answered with anything but a refusal (so an operation ran for each)."""
    answers: Counter[str] = field(default_factory=Counter)
    by_shape: Counter[tuple[str, str]] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    """Seconds from sending to the end of an operation that ran: its sync answer, or its
    final state polled after a 202."""
    refusal_latencies: list[float] = field(default_factory=list)
    polled_final: Counter[str] = field(default_factory=Counter)
    unexpected: list[str] = field(default_factory=list)
    idempotency: list[str] = field(default_factory=list)
    """Answers that break a key's promise (a changed body run, a replay of another operation)."""
    keyed: int = 0
    reused_same: int = 0
    reused_changed: int = 0
    cut_by_kills: int = 0
    retried_after_cut: int = 0
    polls_given_up: int = 0
    operation_ids: set[str] = field(default_factory=set)
    locations_disagree: list[str] = field(default_factory=list)
    """A 202's location answering one way on one server and another way on another (a failed
    check: every process must tell a request's outcome the same)."""


class Servers:
    """The servers' base URLs and which are up (the kill loop keeps `up`)."""

    def __init__(self, urls: list[str], is_up: Callable[[int], bool]) -> None:
        self.urls = urls
        self._is_up = is_up
        self._next = 0

    def up_besides(self, base: str) -> list[str]:
        return [url for n, url in enumerate(self.urls) if url != base and self._is_up(n)]

    def pick(self) -> str | None:
        """A server that is up, round robin; None while all are down."""
        for _ in range(len(self.urls)):
            self._next = (self._next + 1) % len(self.urls)
            if self._is_up(self._next):
                return self.urls[self._next]
        return None


@dataclass(slots=True)
class FirstAnswer:
    """What a key's first request got: its status and, for a native 200, its operation."""

    status: int
    operation_id: str | None


class Load:
    def __init__(
        self,
        users: list[SoakUser],
        servers: Servers,
        mix: Mix,
        records: Records,
        *,
        poll_limit: float,
    ) -> None:
        self.users = users
        self.servers = servers
        self.mix = mix
        self.records = records
        self.poll_limit = poll_limit
        self.random = random.Random(mix.random.random())
        self._first: dict[tuple[str, str], FirstAnswer] = {}
        self._keys = 0

    async def run(self, operations: int, clients: int, keep_going: Callable[[], bool]) -> None:
        """Until `operations` have run (answered with anything but a refusal) and
        `keep_going()` says no more (the kills are done)."""
        limits = httpx.Limits(max_connections=clients * 2, max_keepalive_connections=clients)
        timeout = httpx.Timeout(60.0, connect=2.0)

        def more() -> bool:
            return self.records.accepted < operations or keep_going()

        async with httpx.AsyncClient(limits=limits, timeout=timeout) as http:
            await asyncio.gather(*(self._client(http, more) for _ in range(clients)))

    async def _client(self, http: httpx.AsyncClient, more: Callable[[], bool]) -> None:
        while more():
            user = self._idle_user()
            if user is None:
                await asyncio.sleep(0.05)
                continue
            self.records.sent += 1
            user.busy = True
            try:
                await self._one(http, user)
            finally:
                user.busy = False

    def _idle_user(self) -> SoakUser | None:
        now = time.monotonic()
        idle = [user for user in self.users if not user.busy and user.not_before <= now]
        fresh = [user for user in idle if user.refusals_in_a_row < EXHAUSTED_AFTER]
        if fresh and (len(fresh) == len(idle) or self.random.random() < 0.9):
            return self.random.choice(fresh)
        return self.random.choice(idle) if idle else None

    async def _one(self, http: httpx.AsyncClient, user: SoakUser) -> None:
        request, key, reuse = self._draw(user)
        started = time.monotonic()
        answer = await self._send(http, user, request, key)
        if answer is None:
            return
        status = answer.status_code
        self.records.accepted += status not in REFUSED
        self.records.answers[str(status)] += 1
        self.records.by_shape[request.shape, str(status)] += 1
        user.refusals_in_a_row = user.refusals_in_a_row + 1 if status == 402 else 0
        if status == 429:
            user.not_before = time.monotonic() + float(answer.headers.get("retry-after", "1"))
        if status not in EXPECTED:
            self.records.unexpected.append(f"{request.shape}: HTTP {status} {answer.text[:300]}")
        operation_id = self._operation_id(request, answer)
        if key is not None:
            self._check_key(user, key, reuse, request, status, operation_id)
        if status == 202 and operation_id is not None:
            final = await self._poll(http, user, operation_id, started)
            first = self._first.get((user.id, key or ""))
            done = final is not None and final[0] == "succeeded"
            if done and first is not None and first.operation_id == operation_id:
                assert final is not None
                first.status, first.operation_id = 200, final[1]  # what the key now promises
        elif status in REFUSED:
            self.records.refusal_latencies.append(time.monotonic() - started)
        else:
            self.records.latencies.append(time.monotonic() - started)

    def _draw(self, user: SoakUser) -> tuple[Request, str | None, str]:
        """A request, its key if any, and how the key is used: new, same or changed."""
        roll = self.random.random()
        if user.keys and roll < KEYED * REUSE_SAME:
            key, request = self.random.choice(user.keys)
            self.records.reused_same += 1
            return request, key, "same"
        if user.keys and roll < KEYED * (REUSE_SAME + REUSE_CHANGED):
            key, request = self.random.choice(user.keys)
            self.records.reused_changed += 1
            return request.changed(), key, "changed"
        request = self.mix.next()
        if roll < KEYED:
            self._keys += 1
            key = f"soak-key-{self._keys}"
            user.keys.append((key, request))
            self.records.keyed += 1
            return request, key, "new"
        return request, None, "none"

    async def _send(
        self, http: httpx.AsyncClient, user: SoakUser, request: Request, key: str | None
    ) -> httpx.Response | None:
        """The answer; a request its server's kill cut is sent again once, with its key only."""
        for attempt in range(2):
            base = await self._server()
            try:
                return await send(http, base, user, request, key)
            except httpx.TransportError:
                if attempt == 0:
                    self.records.cut_by_kills += 1
                if key is None or attempt == 1:
                    self.records.answers["cut"] += 1
                    return None
                self.records.retried_after_cut += 1
                await asyncio.sleep(0.5)
        return None

    async def _server(self) -> str:
        # `up` is flipped by the restarts' threads: polling it is simpler than an event.
        while (base := self.servers.pick()) is None:  # noqa: ASYNC110
            await asyncio.sleep(0.2)
        return base

    def _operation_id(self, request: Request, answer: httpx.Response) -> str | None:
        if not request.native or answer.status_code not in (200, 202):
            return None
        operation_id = str(answer.json()["id"])
        self.records.operation_ids.add(operation_id)
        return operation_id

    def _check_key(
        self,
        user: SoakUser,
        key: str,
        reuse: str,
        request: Request,
        status: int,
        operation_id: str | None,
    ) -> None:
        first = self._first.get((user.id, key))
        if reuse == "new" or first is None:
            self._first[user.id, key] = FirstAnswer(status, operation_id)
            return
        if first.status != 200:
            return  # no outcome promised: the first may have been refused, cut, or unknown
        said = f"{request.shape}, key {key} of {user.id} first answered 200"
        if reuse == "changed" and status != 409:
            self.records.idempotency.append(f"{said}; a changed body got HTTP {status}")
        if reuse == "same" and status != 200:
            self.records.idempotency.append(f"{said}; a replay got HTTP {status}")
        if reuse == "same" and status == 200 and operation_id != first.operation_id:
            self.records.idempotency.append(
                f"{said} ({first.operation_id}); a replay answered {operation_id}"
            )

    async def _poll(
        self, http: httpx.AsyncClient, user: SoakUser, operation_id: str, started: float
    ) -> tuple[str, str] | None:
        """The final status and id the 202's location answers with, polled until
        `poll_limit`; None if it was not final by then. Once final, every other server up is
        asked too: each must say the same."""
        headers = {"authorization": f"Bearer {user.key}"}
        path = f"/v1/operations/{operation_id}"
        while time.monotonic() - started < self.poll_limit:
            await asyncio.sleep(POLL_EVERY)
            base = await self._server()
            try:
                answer = await http.get(base + path, headers=headers)
            except httpx.TransportError:
                continue
            if answer.status_code != 200:
                self.records.unexpected.append(f"GET {path}: HTTP {answer.status_code}")
                return None
            final = (str(answer.json()["status"]), str(answer.json()["id"]))
            if final[0] in FINAL:
                self.records.polled_final[final[0]] += 1
                self.records.latencies.append(time.monotonic() - started)
                await self._ask_the_others(http, base, path, headers, final)
                return final
        self.records.polls_given_up += 1
        return None

    async def _ask_the_others(
        self,
        http: httpx.AsyncClient,
        asked: str,
        path: str,
        headers: dict[str, str],
        final: tuple[str, str],
    ) -> None:
        for base in self.servers.up_besides(asked):
            try:
                answer = await http.get(base + path, headers=headers)
            except httpx.TransportError:
                continue  # killed meanwhile
            said = (str(answer.json().get("status")), str(answer.json().get("id")))
            if answer.status_code != 200 or said != final:
                self.records.locations_disagree.append(
                    f"GET {path}: one server says {final[0]} ({final[1]}), another "
                    f"HTTP {answer.status_code} {said[0]} ({said[1]})"
                )
