"""A process that runs one `generate` and dies (`os._exit`, no clean-up, like kill -9) at one step.

    python tests/support/crash_child.py '<json ChildConfig>'

Every side effect of the money path is counted where it crosses a port: a unit of work whose
`commit()` returned, output bytes stored, a provider request about to leave (`sending()`
returned), a task the provider named and we have not noted yet (`accepted` entered). With
`die_at = k` the process exits at step k; with 0 it runs to the end and prints the steps it saw
as JSON. Nothing here knows which steps the money path takes: it counts them. Each step, and
each operation a unit writes, is appended to the `journal` file as it happens.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import traceback
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

from dependency_injector import providers
from returns.result import Success

from imagestudio.application.ports.provider import ProviderJob, ProviderOutcome, SubmissionReport
from imagestudio.application.ports.unit_of_work import Unit
from imagestudio.domain.limit import Limit
from imagestudio.domain.money import usd_to_micros
from imagestudio.domain.operation import ImageOperation
from imagestudio.domain.operation_kind import QuotaCategory
from imagestudio.domain.plan import OperatorBudget, Plan
from imagestudio.entrypoints.api import GenerateRequest, ImageStudio, Profile, Settings
from imagestudio.entrypoints.container import Container, build_container

USER = "crash-user"
PROMPT = "a lighthouse in a storm"
KILLED = 137
PLAN = Plan(
    name="crash-points",
    calls={QuotaCategory.IMAGE_GENERATION: Limit.of(40)},
    spend_cap=Limit.of(usd_to_micros("5")),
    requests_per_minute=Limit.of(60),
    concurrent_operations=Limit.of(1),
    storage_bytes=Limit.of(256 * 1024 * 1024),
)
MODELS = {
    "offline": "offline/text-to-image",
    "wavespeed": "wavespeed/flux-dev",
    "stability": "stability/generate-core",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class ChildConfig:
    database_url: str
    data_dir: str
    provider: str
    """offline, wavespeed or stability (the last two through the sandbox at `sandbox_url`)."""
    outputs: int
    idempotency_key: str | None
    lease_seconds: float = 30.0
    sandbox_url: str | None = None
    die_at: int = 0
    journal: str

    def to_json(self) -> str:
        return json.dumps(asdict(self))


def settings_for(config: ChildConfig, **changes: Any) -> Settings:
    sandbox = config.provider != "offline"
    fields: dict[str, Any] = {
        "profile": Profile.SANDBOX if sandbox else Profile.LOCAL,
        "database_url": config.database_url,
        "data_dir": Path(config.data_dir),
        "lease_seconds": config.lease_seconds,
        "offline_price_usd": Decimal("0.01"),
    }
    if config.sandbox_url is not None:
        fields["sandbox_url"] = config.sandbox_url
    return Settings(**(fields | changes))


def request_for(
    config: ChildConfig, prompt: str = PROMPT, *, keyed: bool = True
) -> GenerateRequest:
    return GenerateRequest(
        user_id=USER,
        prompt=prompt,
        model_id=MODELS[config.provider],
        width=512 if config.provider == "wavespeed" else None,
        height=512 if config.provider == "wavespeed" else None,
        variations=config.outputs,
        idempotency_key=config.idempotency_key if keyed else None,
    )


async def prepare(studio: ImageStudio, provider: str) -> None:
    """The plan with finite limits (one operation at a time), the user, the operator budget."""
    assert isinstance(await studio.define_plan.execute(PLAN), Success)
    await studio.assign_plan(USER, PLAN.name)
    budget = OperatorBudget(provider=provider, monthly=Limit.of(usd_to_micros("50")))
    assert isinstance(await studio.set_budget.execute(budget), Success)


class Steps:
    """Counts side effects once armed, dies at step `die_at`; journals steps and operations."""

    def __init__(self, journal: str, die_at: int) -> None:
        self.seen: list[str] = []
        self.armed = False
        self._journal = journal
        self._die_at = die_at

    def note(self, entry: dict[str, object]) -> None:
        with open(self._journal, "a") as journal:  # closed, so in the kernel's hands at once
            journal.write(json.dumps(entry) + "\n")

    def step(self, label: str) -> None:
        if not self.armed:
            return
        self.seen.append(label)
        self.note({"step": len(self.seen), "label": label})
        if len(self.seen) == self._die_at:
            os._exit(KILLED)


def read_journal(path: Path) -> tuple[list[str], list[str]]:
    """The operations a process wrote and the steps it counted, as its journal says."""
    operations: dict[str, None] = {}
    steps: list[str] = []
    for line in path.read_text().splitlines() if path.exists() else ():
        entry = json.loads(line)
        if "operation" in entry:
            operations[entry["operation"]] = None
        else:
            steps.append(entry["label"])
    return list(operations), steps


class Forwarding:
    """Everything not overridden goes to the wrapped adapter unchanged."""

    def __init__(self, inner: Any, steps: Steps) -> None:
        self._inner = inner
        self._steps = steps

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class WatchedStore(Forwarding):
    """A store inside a unit: notes which methods were called, and every operation written."""

    def __init__(self, inner: Any, steps: Steps, name: str, calls: list[str]) -> None:
        super().__init__(inner, steps)
        self._name = name
        self._calls = calls

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._inner, name)
        if not callable(method):
            return method

        def called(*args: Any, **kwargs: Any) -> Any:
            self._calls.append(f"{self._name}.{name}")
            for given in (*args, *kwargs.values()):
                if isinstance(given, ImageOperation):
                    self._steps.note({"operation": given.id, "status": str(given.status)})
            return method(*args, **kwargs)

        return called


class CountedUnit(Forwarding):
    def __init__(self, inner: Any, steps: Steps) -> None:
        super().__init__(inner, steps)
        self._calls: list[str] = []

    def __getattr__(self, name: str) -> Any:
        return WatchedStore(getattr(self._inner, name), self._steps, name, self._calls)

    async def commit(self) -> None:
        await self._inner.commit()
        self._steps.step(f"commit({', '.join(dict.fromkeys(self._calls))})")


class CountedUnitOfWork(Forwarding):
    @asynccontextmanager
    async def begin(self) -> AsyncIterator[Unit]:
        async with self._inner.begin() as unit:
            yield cast(Unit, CountedUnit(unit, self._steps))


class CountedAssetBytes(Forwarding):
    async def put(self, owner: str, asset_id: str, media_type: Any, data: bytes) -> None:
        await self._inner.put(owner, asset_id, media_type, data)
        self._steps.step(f"put({asset_id})")


class CountedReport(Forwarding):
    async def sending(self, task_id: str | None = None) -> None:
        await self._inner.sending(task_id)
        self._steps.step("send")

    async def accepted(self, task_id: str) -> None:
        self._steps.step(f"task({task_id[:24]})")
        await self._inner.accepted(task_id)


class CountedProvider(Forwarding):
    async def run(self, job: ProviderJob, report: SubmissionReport) -> ProviderOutcome:
        outcome: ProviderOutcome = await self._inner.run(job, CountedReport(report, self._steps))
        return outcome


class CountedDirectory(Forwarding):
    def get(self, provider: str) -> Any:
        found = self._inner.get(provider)
        return None if found is None else CountedProvider(found, self._steps)

    def all(self) -> tuple[Any, ...]:
        return tuple(CountedProvider(found, self._steps) for found in self._inner.all())


def count_side_effects(container: Container, steps: Steps) -> None:
    """Wrap the adapters before any use case is built, so every use case gets the wrappers."""
    wrappers: dict[str, Callable[[Any, Steps], object]] = {
        "unit_of_work": CountedUnitOfWork,
        "asset_bytes": CountedAssetBytes,
        "provider_directory": CountedDirectory,
    }
    for name, wrapper in wrappers.items():
        provider = getattr(container, name)
        provider.override(providers.Object(wrapper(provider(), steps)))


async def main(config: ChildConfig) -> int:
    steps = Steps(config.journal, config.die_at)
    container = build_container(settings_for(config))
    count_side_effects(container, steps)
    studio = await ImageStudio(container).start()
    await prepare(studio, config.provider)
    steps.armed = True
    result = await studio.generate.execute(request_for(config))
    steps.armed = False
    await studio.aclose()
    outcome = "ok" if isinstance(result, Success) else repr(result.failure())
    print(json.dumps({"steps": steps.seen, "outcome": outcome}), flush=True)
    return 0 if config.die_at == 0 else 3  # 3: the step to die at never came


def serve() -> None:
    """`crash_child.py --serve`: fork one child per config line read on stdin, so the imports
    are paid once; answer each line with the child's exit code. A child's stdout and stderr go
    to `<journal>.out` and `<journal>.err`."""
    for line in sys.stdin:
        config = ChildConfig(**json.loads(line))
        child = os.fork()
        if child == 0:
            for fd, suffix in ((1, ".out"), (2, ".err")):
                os.dup2(os.open(config.journal + suffix, os.O_WRONLY | os.O_CREAT), fd)
            code = 1
            try:
                code = asyncio.run(main(config))
            except BaseException:
                traceback.print_exc()
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        print(os.waitstatus_to_exitcode(os.waitpid(child, 0)[1]), flush=True)


if __name__ == "__main__":
    if sys.argv[1:] == ["--serve"]:
        serve()
    else:
        sys.exit(asyncio.run(main(ChildConfig(**json.loads(sys.argv[1])))))
