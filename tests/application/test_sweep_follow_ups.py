"""A process killed between settling a failure that moves the request on (`auto`'s fallback)
and accepting the next provider's operation: the sweep ends the request at the failure once the
grace is over, through the real run path."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
from fakes import Fail, ScriptedProvider, text_to_image

from imagestudio.adapters.memory.unit_of_work import InMemoryUnitOfWork
from imagestudio.application.ports.unit_of_work import Unit, UnitOfWork
from imagestudio.application.use_cases.run_operation import RunOperation
from imagestudio.application.use_cases.show_operation import FOLLOW_UP_GRACE, ShowOperation
from imagestudio.application.use_cases.sweep import SweepAbandoned
from imagestudio.domain.errors import ProviderErrorKind, QuotaRefusal
from imagestudio.domain.operation import OperationStatus
from imagestudio.domain.operation_event import OperationEventKind
from imagestudio.domain.webhook import WebhookSubscription, delivery_id

if TYPE_CHECKING:
    from conftest import Studio, StudioFactory

HOOK = WebhookSubscription(url="https://hooks.example.com/in")


class Killed(BaseException):
    """The process dies here (nothing after it runs, nothing catches it)."""


class DiesAtHandOver:
    """A unit of work whose process dies as the follow-up's accept hands the key over."""

    def __init__(self, inner: UnitOfWork) -> None:
        self._inner = inner

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[Unit]:
        async with self._inner.begin() as unit:
            yield _Dying(unit)  # type: ignore[misc]


class _Dying:
    """A unit whose process dies as it hands the key over or adds the follow-up (whichever the
    follow-up's accept writes first: a request without a key only adds it)."""

    def __init__(self, inner: Unit) -> None:
        self._inner = inner
        self.idempotency = self
        self.operations = self

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def hand_over(self, *_: str) -> None:
        raise Killed

    async def claim(self, *args: Any) -> Any:
        return await self._inner.idempotency.claim(*args)

    async def add(self, operation: Any, lease: Any) -> None:
        if operation.id != "op_first":
            raise Killed
        await self._inner.operations.add(operation, lease)

    async def advance(self, *args: Any, **changes: Any) -> None:
        await self._inner.operations.advance(*args, **changes)


async def killed_before_the_follow_up(make_studio: StudioFactory, key: str | None = "k1") -> Studio:
    ghost = ScriptedProvider("ghost")
    studio = make_studio(others=(ghost,))
    ghost.script(Fail(ProviderErrorKind.RATE_LIMITED, "429"))
    dying = replace(studio.ports, unit_of_work=DiesAtHandOver(studio.ports.unit_of_work))
    request = text_to_image(
        model_id="auto", operation_id="op_first", idempotency_key=key, webhook=HOOK
    )
    with pytest.raises(Killed):
        await RunOperation(dying).execute(request)
    return studio


def final_delivery(studio: Studio) -> object:
    inner = studio.operations.inner
    assert isinstance(inner, InMemoryUnitOfWork)
    return inner._outbox._deliveries.get(  # type: ignore[attr-defined]
        delivery_id("op_first", OperationEventKind.SETTLED, 0)
    )


async def test_the_sweep_ends_a_request_whose_follow_up_never_came(
    make_studio: StudioFactory,
) -> None:
    studio = await killed_before_the_follow_up(make_studio)
    first = await studio.operation("op_first")
    assert first.status is OperationStatus.FAILED and first.continued_by is not None
    assert final_delivery(studio) is None  # owed by the follow-up, so far
    sweep = SweepAbandoned(studio.ports, claims=studio.keys)
    show = ShowOperation(studio.ports.operations, studio.quota, studio.clock)

    assert (await sweep.execute()).ended == ()  # within the grace: it may still come
    assert (await show.execute("ada", "op_first")).unwrap().operation.status.value == "requested"

    studio.clock.advance(FOLLOW_UP_GRACE + timedelta(seconds=1))
    report = await sweep.execute()

    assert report.ended == ("op_first",)
    ended = await studio.operation("op_first")
    assert (ended.status, ended.continued_by) == (OperationStatus.FAILED, None)
    assert await studio.keys.running(studio.clock.now(), 10) == ()
    assert final_delivery(studio) is not None
    assert (await show.execute("ada", "op_first")).unwrap().operation.status.value == "failed"
    await studio.assert_nothing_held("ada")
    assert (await sweep.execute()).ended == ()


async def test_a_request_without_a_key_is_ended_too(make_studio: StudioFactory) -> None:
    # No key to find it by: the failure itself is listed as awaiting its follow-up.
    studio = await killed_before_the_follow_up(make_studio, key=None)
    first = await studio.operation("op_first")
    assert first.status is OperationStatus.FAILED and first.continued_by is not None
    assert final_delivery(studio) is None
    sweep = SweepAbandoned(studio.ports)  # the keys are not even needed
    show = ShowOperation(studio.ports.operations, studio.quota, studio.clock)
    assert (await sweep.execute()).ended == ()

    studio.clock.advance(FOLLOW_UP_GRACE + timedelta(seconds=1))
    report = await sweep.execute()

    assert report.ended == ("op_first",)
    ended = await studio.operation("op_first")
    assert (ended.status, ended.continued_by) == (OperationStatus.FAILED, None)
    assert final_delivery(studio) is not None
    shown = (await show.execute("ada", "op_first")).unwrap().operation
    assert (shown.id, shown.status, shown.error) == (
        "op_first",
        OperationStatus.FAILED,
        ended.error,
    )
    assert ended.error is not None and "429" in ended.error
    await studio.assert_nothing_held("ada")
    assert (await sweep.execute()).ended == ()


async def test_a_follow_up_refused_at_its_accept_ends_the_request_at_once(
    make_studio: StudioFactory,
) -> None:
    ghost = ScriptedProvider("ghost")
    studio = make_studio(others=(ghost,))
    (await studio.run.execute(text_to_image("dan"))).unwrap()  # 40,000 of dan's 50,000 spent
    ghost.script(Fail(ProviderErrorKind.RATE_LIMITED, "429"))
    request = text_to_image(
        "dan", model_id="auto", operation_id="op_first", idempotency_key="k1", webhook=HOOK
    )

    refused = (await studio.run.execute(request)).failure()

    assert isinstance(refused, QuotaRefusal)  # acme's 40,000 no longer fit the spend cap
    ended = await studio.operation("op_first")
    assert (ended.status, ended.continued_by) == (OperationStatus.FAILED, None)
    assert await studio.keys.running(studio.clock.now() + timedelta(seconds=1), 10) == ()
    assert final_delivery(studio) is not None
    await studio.assert_nothing_held("dan")
