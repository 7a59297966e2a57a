"""The synchronous facade's use cases: each waits on the facade's loop for its result."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable, Coroutine, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, ParamSpec, TypeVar

from returns.result import Result

from imagestudio.application.use_cases.follow_operation import FollowError, FollowOperation, Idle
from imagestudio.application.use_cases.webhook_secrets import WebhookSecrets
from imagestudio.domain.operation_history import OperationEvent

if TYPE_CHECKING:
    from imagestudio.entrypoints.sync_api import SyncImageStudio

Told = OperationEvent | Idle
P = ParamSpec("P")
R = TypeVar("R")


class BlockingUseCase(Generic[P, R]):
    """One use case whose `execute` runs on the facade's loop and waits for the result."""

    def __init__(
        self, owner: SyncImageStudio, execute: Callable[P, Coroutine[Any, Any, R]]
    ) -> None:
        self._owner = owner
        self._execute = execute

    def execute(self, *args: P.args, **kwargs: P.kwargs) -> R:
        return self._owner.call(self._execute(*args, **kwargs))


@dataclass(frozen=True, slots=True, kw_only=True)
class BlockingFollowing:
    operation_id: str
    heard_all: bool
    events: Iterator[Told]
    """As `Following.events`, each `next` waiting on the facade's loop."""


class BlockingFollow:
    """`FollowOperation` without an event loop: the same answer, its events a plain iterator."""

    def __init__(self, owner: SyncImageStudio, follow: FollowOperation) -> None:
        self._owner = owner
        self._follow = follow

    def execute(
        self, user_id: str, operation_id: str, last_event_id: str | None = None
    ) -> Result[BlockingFollowing, FollowError]:
        followed = self._owner.call(self._follow.execute(user_id, operation_id, last_event_id))
        return followed.map(
            lambda following: BlockingFollowing(
                operation_id=following.operation_id,
                heard_all=following.heard_all,
                events=self._each(following.events),
            )
        )

    def _each(self, events: AsyncGenerator[Told, None]) -> Iterator[Told]:
        async def following() -> Told | None:
            return await anext(events, None)

        async def closing() -> None:
            await events.aclose()

        try:
            while (item := self._owner.call(following())) is not None:
                yield item
        finally:  # left before the end: the stream stops reading on the loop too
            if not self._owner.closed:  # else the loop, and the stream with it, is gone
                self._owner.call(closing())


class BlockingWebhookSecrets:
    """`ImageStudio.webhook_secrets`, blocking: each user's `whsec_…` secret."""

    def __init__(self, facade: SyncImageStudio, secrets: WebhookSecrets) -> None:
        self._facade = facade
        self._secrets = secrets

    def secret_for(self, user_id: str) -> str:
        return self._facade.call(self._secrets.secret_for(user_id))

    def rotate(self, user_id: str) -> str:
        return self._facade.call(self._secrets.rotate(user_id))
