"""Every provider error kind, through the real adapters against the sandbox: mapped to the
right domain error, nothing charged, nothing held, one zero-cost ledger line, nothing billed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pytest

from imagestudio.adapters.sandbox.config import SANDBOX_KEY, SandboxConfig
from imagestudio.adapters.sandbox.faults import Fault, Route
from imagestudio.adapters.sandbox.runner import RunningSandbox
from imagestudio.application.use_cases.generate import GenerateRequest
from imagestudio.domain.errors import ProviderErrorKind, ProviderFailed
from imagestudio.domain.usage_record import Outcome
from imagestudio.entrypoints.api import ImageStudio
from imagestudio.entrypoints.settings import Profile

K = ProviderErrorKind
MODELS = {"wavespeed": "wavespeed/flux-dev", "stability": "stability/generate-core"}
SUBMIT = {"wavespeed": Route.WAVESPEED_SUBMIT, "stability": Route.STABILITY_SUBMIT}


@dataclass(frozen=True)
class Case:
    kind: ProviderErrorKind
    prompt: str = "a quiet harbour"
    key: str = SANDBOX_KEY
    config: SandboxConfig = field(default_factory=lambda: SandboxConfig(latency_seconds=0.02))
    fault: Fault | None = None


CASES: dict[str, Callable[[], Case]] = {
    "auth": lambda: Case(K.AUTH, key="not-the-key"),
    "out-of-credit": lambda: Case(
        K.OUT_OF_CREDIT,
        config=SandboxConfig(wavespeed_balance_usd=Decimal(0), stability_credits=Decimal(0)),
    ),
    "moderation": lambda: Case(K.MODERATION, prompt="a forbidden scene"),
    "rate-limited": lambda: Case(K.RATE_LIMITED, fault=Fault.HTTP_429),
    "unavailable": lambda: Case(K.UNAVAILABLE, fault=Fault.HTTP_503),
}


@pytest.mark.parametrize("provider", ["wavespeed", "stability"])
@pytest.mark.parametrize("case_name", list(CASES))
async def test_a_provider_refusal_costs_nothing(
    provider: str, case_name: str, tmp_path: Path
) -> None:
    case = CASES[case_name]()
    with RunningSandbox(case.config) as sandbox:
        if case.fault is not None:
            sandbox.state.faults.add(SUBMIT[provider], case.fault)
        studio = await ImageStudio.connect(
            profile=Profile.LOCAL,
            data_dir=tmp_path,
            offline_provider=False,
            wavespeed_api_key=case.key,
            wavespeed_base_url=sandbox.base_url,
            stability_api_key=case.key,
            stability_base_url=sandbox.base_url,
        )
        try:
            result = await studio.generate.execute(
                GenerateRequest(user_id="local", prompt=case.prompt, model_id=MODELS[provider])
            )

            error = result.failure()
            assert isinstance(error, ProviderFailed), error
            assert (error.provider, error.kind) == (provider, case.kind)
            assert case.key not in error.message or case.key == SANDBOX_KEY
            usage = (await studio.usage.execute("local")).unwrap()
            assert all((row.used, row.held) == (0, 0) for row in usage.rows if row.limit), usage
            lines = await studio.container.ledger().for_user("local")
            assert [(line.outcome, line.user_charge, line.provider_cost) for line in lines] == [
                (Outcome.FAILED, 0, 0)
            ]
            assert sandbox.state.book.billed() == ()
        finally:
            await studio.aclose()


async def test_invalid_input_the_provider_refuses_costs_nothing(tmp_path: Path) -> None:
    # Stability serves English prompts only (422 invalid_language): our validation cannot know.
    with RunningSandbox(SandboxConfig(latency_seconds=0.02)) as sandbox:
        studio = await ImageStudio.connect(
            profile=Profile.SANDBOX, sandbox_url=sandbox.base_url, data_dir=tmp_path
        )
        try:
            error = (
                await studio.generate.execute(
                    GenerateRequest(
                        user_id="local",
                        prompt="夕暮れの灯台",
                        model_id=MODELS["stability"],
                    )
                )
            ).failure()

            assert isinstance(error, ProviderFailed) and error.kind is K.INVALID_INPUT
            assert sandbox.state.book.billed() == ()
            line = (await studio.container.ledger().for_user("local"))[0]
            assert (line.user_charge, line.provider_cost) == (0, 0)
        finally:
            await studio.aclose()
