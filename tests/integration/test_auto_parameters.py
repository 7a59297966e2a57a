"""Model `auto` with a parameter the cheapest model does not take: the quote and the run both go
to the first model that takes it (a stability one for `style_preset`), never to one that would
drop it; against the sandbox, both real providers enabled."""

from __future__ import annotations

from pathlib import Path

from sandbox_studio import USER, sandbox_studio

from imagestudio.application.requests import OperationRequest
from imagestudio.application.use_cases.generate import GenerateRequest
from imagestudio.domain.operation_kind import OperationKind


async def test_auto_quotes_and_runs_a_model_that_takes_the_parameters(tmp_path: Path) -> None:
    styled = {"style_preset": "origami"}
    async with sandbox_studio(tmp_path) as (studio, _):
        plain = OperationRequest(user_id=USER, kind=OperationKind.TEXT_TO_IMAGE, prompt="a crane")
        cheapest = (await studio.quote.execute(plain)).unwrap()
        asked = OperationRequest(
            user_id=USER, kind=OperationKind.TEXT_TO_IMAGE, prompt="a crane", parameters=styled
        )
        quoted = (await studio.quote.execute(asked)).unwrap()
        ran = (
            await studio.generate.execute(
                GenerateRequest(user_id=USER, prompt="a crane", parameters=styled)
            )
        ).unwrap()

    assert cheapest.provider == "wavespeed"
    assert quoted.provider == "stability"
    assert ran.operation.model_id == quoted.model_id
    assert ran.operation.parameters["style_preset"] == "origami"
