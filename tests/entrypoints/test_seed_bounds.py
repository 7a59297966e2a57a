"""A seed past what every provider takes (2**31 - 1, WaveSpeed's largest; domain/seed.py) is
refused by the CLI (exit 2, one line), the Python API (`InvalidInput` on `seed`) and the MCP tools
(a tool error, and the bound in each tool's schema), before anything is reserved: `--seed` had no
upper bound, so a seed WaveSpeed would refuse was reserved and sent. The CLI's commands and the
MCP tools that take a seed are found by walking them, so a new one is held to the same bound.
(The HTTP routes: tests/http/test_http_seed_bounds.py.)"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cli_tree import leaf_commands
from mcp import Client
from PIL import Image

from imagestudio.application.use_cases.generate import GenerateRequest
from imagestudio.domain.errors import InvalidInput
from imagestudio.domain.seed import MAX_SEED
from imagestudio.entrypoints.api import ImageStudio
from imagestudio.entrypoints.http.jobs import OperationJobs
from imagestudio.entrypoints.mcp.acting import Acting, Links
from imagestudio.entrypoints.mcp.server import build_server
from imagestudio.entrypoints.settings import Profile, Settings

if TYPE_CHECKING:
    from conftest import Cli

PAST = MAX_SEED + 1
SEEDS_THE_SANDBOX = {("sandbox",)}
"""Its `--seed` seeds the sandbox's own random draws, not a provider's."""


def filled(command: Any, picture: Path) -> list[str]:
    """The command's arguments and required options, each given something it takes (an edit
    without its prompt would be refused for that first)."""
    given = {"prompt": "a fox", "image": str(picture), "mode": "sketch"}
    args = []
    for parameter in command.params:
        flag = parameter.opts[0] if parameter.opts[0].startswith("-") else None
        if flag is None:
            args.append(given[parameter.name])
        elif parameter.required:
            args += [flag, given[parameter.name]]
    return args


def test_every_command_that_takes_a_seed_refuses_one_past_the_bound_and_runs_nothing(
    local_cli: Cli, tmp_path: Path
) -> None:
    picture = tmp_path / "a.png"
    Image.new("RGB", (512, 512), (200, 120, 40)).save(picture)
    seeded = {
        path: command
        for path, command in leaf_commands().items()
        if any(parameter.name == "seed" for parameter in command.params)
        and path not in SEEDS_THE_SANDBOX
    }
    assert set(seeded) >= {("generate",), ("edit",), ("upscale",), ("control",), ("to-video",)}
    before = local_cli.json("usage")

    for path, command in seeded.items():
        for seed in (str(PAST), str(2**64)):
            refused = local_cli.invoke(*path, *filled(command, picture), "--seed", seed)
            assert refused.exit_code == 2, (path, refused.output)
            assert refused.stderr == f"error: invalid seed: must be from 0 to {MAX_SEED}\n"

    assert local_cli.json("operations", "list")["items"] == []
    assert local_cli.json("usage") == before
    largest = local_cli.json("generate", "a fox", "--seed", str(MAX_SEED))
    assert largest["status"] == "succeeded"


async def test_the_python_api_refuses_a_seed_past_the_bound_before_reserving(
    tmp_path: Path,
) -> None:
    studio = await ImageStudio.connect(Settings(profile=Profile.TEST, data_dir=tmp_path))
    try:
        refused = await studio.generate.execute(
            GenerateRequest(user_id="local", prompt="a fox", seed=PAST)
        )
        error = refused.failure()
        assert isinstance(error, InvalidInput) and error.field == "seed", error
        assert (await studio.list_operations.execute("local")).unwrap().items == ()
        ran = await studio.generate.execute(
            GenerateRequest(user_id="local", prompt="a fox", seed=MAX_SEED)
        )
        assert ran.unwrap().operation.status.value == "succeeded"
    finally:
        await studio.aclose()


async def test_every_mcp_tool_that_takes_a_seed_states_the_bound_and_refuses_past_it(
    tmp_path: Path,
) -> None:
    studio = await ImageStudio.connect(Settings(profile=Profile.TEST, data_dir=tmp_path))
    container = studio.container
    jobs = OperationJobs(container.run_operation(), container.operations())
    acting = Acting(studio, jobs, "local", Links.below(None, None), 30)
    try:
        async with Client(build_server(lambda _ctx: acting)) as client:
            tools = (await client.list_tools()).tools
            seeded = {
                tool.name: tool
                for tool in tools
                if "seed" in tool.input_schema.get("properties", {})
            }
            assert {"generate", "edit", "upscale", "control"} <= set(seeded), set(seeded)
            for name, tool in seeded.items():
                bound = tool.input_schema["properties"]["seed"]
                schema = next(
                    (option for option in bound.get("anyOf", [bound]) if "maximum" in option), {}
                )
                assert schema.get("maximum") == MAX_SEED, (name, bound)
            refused = await client.call_tool("generate", {"prompt": "a fox", "seed": PAST})
            assert refused.is_error
            assert "seed" in json.dumps([part.model_dump() for part in refused.content])
            # An explicit null is no seed, as leaving it out is (the bounds once met None too).
            quoted = await client.call_tool("quote", {"kind": "text-to-image", "seed": None})
            assert not quoted.is_error, quoted.content
        assert (await studio.list_operations.execute("local")).unwrap().items == ()
    finally:
        await studio.aclose()
