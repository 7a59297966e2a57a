"""Text no database can hold (a NUL, a lone surrogate) handed to any use case of the Python API
on PostgreSQL, in any text parameter (a use case added later is covered without editing this
file): a typed answer — nothing found, or invalid input — never the driver's error."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from returns.result import Failure

from imagestudio.adapters.sql import schema
from imagestudio.application.use_cases.audit_provider import AuditRequest
from imagestudio.domain.errors import UnknownApiKey, UnknownPlan, UnknownUser
from imagestudio.entrypoints.api import GenerateRequest, ImageStudio, Profile, UsageExport

UNSTORABLE = ("a\x00b", "a\ud800b")
SINCE = datetime(2020, 1, 1, tzinfo=UTC)


def text_parameters(execute: Any) -> list[str]:
    return [
        name
        for name, parameter in inspect.signature(execute).parameters.items()
        if parameter.annotation in ("str", "str | None")
    ]


def coroutine_methods(use_case: object) -> list[str]:
    """The public async methods of a use case (`execute`, and those of the few with more)."""
    if isinstance(use_case, type) or type(use_case).__module__.startswith(
        "imagestudio.entrypoints"
    ):
        return []  # the container and the studio's own helpers are not use cases
    return [
        name
        for name in dir(use_case)
        if not name.startswith("_") and inspect.iscoroutinefunction(getattr(use_case, name))
    ]


def requests_with_text() -> dict[str, Any]:
    """The request objects of the readers whose text fields name what to read."""
    return {
        "export_usage": lambda bad: UsageExport(since=SINCE, user_id=bad),
        "audit_provider": lambda bad: AuditRequest(since=SINCE, provider=bad),
    }


async def answer_of(call: Awaitable[object]) -> object:
    """What the call answered, or what it raised."""
    try:
        return await call
    except Exception as error:
        return error


@pytest.mark.postgres
async def test_no_use_case_lets_unstorable_text_reach_the_driver(
    postgres_url: str, tmp_path: Path
) -> None:
    studio = ImageStudio.open(
        profile=Profile.POSTGRES,
        database_url=postgres_url,
        data_dir=tmp_path,
        offline_provider=True,
    )
    await schema.upgrade(studio.container.engine())
    await studio.start()
    await studio.add_user.execute("alice", "pro")
    done = (
        await studio.generate.execute(GenerateRequest(user_id="alice", prompt="a fox"))
    ).unwrap()
    real = {
        "user_id": "alice",
        "owner": "alice",
        "plan_name": "pro",
        "name": "pro",
        "asset_id": done.assets[0].id,
        "operation_id": done.operation.id,
        "size": 256,
    }
    answered: dict[str, object] = {}
    try:
        for attribute, use_case in vars(studio).items():
            for method in coroutine_methods(use_case):
                run = getattr(use_case, method)
                call = attribute if method == "execute" else f"{attribute}.{method}"
                required = [
                    name
                    for name, parameter in inspect.signature(run).parameters.items()
                    if parameter.default is inspect.Parameter.empty
                ]
                for field in text_parameters(run):
                    if any(name not in real and name != field for name in required):
                        continue
                    for bad in UNSTORABLE:
                        arguments = {name: real[name] for name in required if name != field}
                        answered[f"{call}({field}={bad!r})"] = await answer_of(
                            run(**{**arguments, field: bad})
                        )
            if attribute in requests_with_text():
                for bad in UNSTORABLE:
                    answered[f"{attribute}(request with {bad!r})"] = await answer_of(
                        use_case.execute(requests_with_text()[attribute](bad))
                    )
    finally:
        await studio.aclose()

    assert len(answered) > 40, sorted(answered)
    raised = {call: answer for call, answer in answered.items() if isinstance(answer, Exception)}
    assert not raised, "\n".join(sorted(raised))
    for call, answer in answered.items():
        if isinstance(answer, Failure):
            assert isinstance(answer.failure().message, str), (call, answer)
    # Nothing stored can be named by it: not found, as for any id that names nothing.
    for bad in UNSTORABLE:
        assert answered[f"usage(user_id={bad!r})"] == Failure(UnknownUser(bad))
        assert answered[f"delete_plan(name={bad!r})"] == Failure(UnknownPlan(bad))
        assert answered[f"list_operations(user_id={bad!r})"] == Failure(UnknownUser(bad))
        assert answered[f"export_usage(request with {bad!r})"].unwrap() == ()  # type: ignore[attr-defined]
        refused = answered[f"authenticate(secret={bad!r})"]
        assert isinstance(refused, Failure) and isinstance(refused.failure(), UnknownApiKey)
        # A place to list from, not an id: text no id can be is a wrong one.
        listed = answered[f"list_users(after={bad!r})"]
        assert isinstance(listed, Failure) and listed.failure().field == "after"
