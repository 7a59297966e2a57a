"""A host application reads its users' operations through the Python API, with or without an
event loop: what each holds of the plan and what it waits for."""

from __future__ import annotations

from decimal import Decimal

from imagestudio.entrypoints.api import (
    GenerateRequest,
    ImageStudio,
    OperationQuery,
    OperationStatus,
    Profile,
    WaitReason,
)
from imagestudio.entrypoints.sync_api import SyncImageStudio

PRICED = {"profile": Profile.TEST, "offline_price_usd": Decimal("0.02")}


def request(prompt: str) -> GenerateRequest:
    return GenerateRequest(user_id="local", prompt=prompt)


async def test_the_async_api_lists_and_shows_what_an_unknown_outcome_holds() -> None:
    studio = await ImageStudio.connect(**PRICED)
    lost = (await studio.generate.execute(request("a kite [offline:lost]"))).failure()
    await studio.generate.execute(request("a boat"))

    page = (
        await studio.list_operations.execute(
            "local", query=OperationQuery(statuses=frozenset({OperationStatus.UNKNOWN}))
        )
    ).unwrap()
    shown = (await studio.show_operation.execute("local", page.items[0].operation.id)).unwrap()
    elsewhere = await studio.show_operation.execute("someone-else", shown.operation.id)

    [view] = page.items
    assert view == shown
    assert view.operation.id == getattr(lost, "operation_id", None)
    assert view.held is not None and view.held.spend == 20_000
    assert view.wait is not None and view.wait.reason is WaitReason.PROVIDER_TASK
    assert elsewhere.failure().message == f"no operation {shown.operation.id!r}"
    await studio.aclose()


def test_the_sync_facade_lists_operations() -> None:
    with SyncImageStudio(**PRICED) as studio:
        studio.generate.execute(request("a kite")).unwrap()
        page = studio.list_operations.execute("local").unwrap()
        shown = studio.show_operation.execute("local", page.items[0].operation.id).unwrap()

    assert [view.operation.status for view in page.items] == [OperationStatus.SUCCEEDED]
    assert (shown.held, shown.wait) == (None, None)
    assert shown.operation.charged == 20_000


def test_the_blocking_api_follows_an_operations_events_to_its_end() -> None:
    with SyncImageStudio(**PRICED) as studio:
        done = studio.generate.execute(request("a heron")).unwrap().operation
        followed = studio.follow_operation.execute("local", done.id).unwrap()
        heard = [str(getattr(item, "id", None)) for item in followed.events]
        resumed = studio.follow_operation.execute("local", done.id, heard[0]).unwrap()
        first_only = next(iter(resumed.events))  # left early: the stream closes on the loop
        strangers = studio.follow_operation.execute("someone-else", done.id)

    assert heard == ["0.0.0", "0.1.1", "0.3.0"]
    assert str(getattr(first_only, "id", None)) == "0.1.1"
    assert not followed.heard_all and strangers.failure()
