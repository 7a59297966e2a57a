"""The MCP server at `/mcp` of the HTTP API, mounted under a prefix in a host app and served
for real on loopback, driven by the official MCP client over streamable HTTP: each user's key
is their bearer token, alice's plan allows one generation, and bob's library is beside hers."""

from __future__ import annotations

import asyncio
import base64
import io
import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import httpx2
import pytest
from fastapi import FastAPI
from http_support import ADMIN
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp_types import CallToolResult, ImageContent, ResourceLink, TextContent
from PIL import Image

from imagestudio.adapters.sandbox.runner import ServedApp
from imagestudio.domain.errors.echo import ECHO_CHARS
from imagestudio.entrypoints.http.mounting import mountable_app
from imagestudio.entrypoints.settings import Profile, Settings

PREFIX = "/studio"
TIGHT = {
    "spend_cap": "unlimited",
    "requests_per_minute": "unlimited",
    "concurrent_operations": "unlimited",
    "calls": {"image-generation": 1},
}
NOTHING = {
    **TIGHT,
    "calls": dict.fromkeys(
        (
            "image-generation",
            "image-edit",
            "upscale",
            "control",
            "image-to-3d",
            "face-swap",
            "video",
            "local",
        ),
        0,
    ),
}
"""A plan that allows no call of any kind."""
FILLED = {"prompt": "a red fox", "format": "png", "preset": "instagram/story"}
"""What a tool's required arguments other than images are given below."""
FINAL = {"succeeded", "failed", "cancelled", "abandoned"}
TOOLS = {
    "quote",
    "generate",
    "edit",
    "upscale",
    "control",
    "image_to_3d",
    "face_swap",
    "image_to_video",
    "get_operation",
    "usage",
    "list_models",
    "list_assets",
    "search_assets",
    "get_asset",
    "compress",
    "convert",
    "social",
}


@dataclass
class Served:
    root: str
    keys: dict[str, str]

    def http(self, user: str | None = None) -> httpx.AsyncClient:
        headers = {"Authorization": f"Bearer {self.keys[user]}"} if user else {}
        return httpx.AsyncClient(base_url=self.root + PREFIX, headers=headers, timeout=30)

    @asynccontextmanager
    async def agent(self, user: str) -> AsyncIterator[Client]:
        headers = {"Authorization": f"Bearer {self.keys[user]}"}
        async with (
            httpx2.AsyncClient(headers=headers, timeout=30) as http,
            Client(streamable_http_client(f"{self.root}{PREFIX}/mcp", http_client=http)) as agent,
        ):
            yield agent


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    settings = Settings(
        profile=Profile.TEST,
        data_dir=tmp_path_factory.mktemp("mcp"),
        admin_key=ADMIN,
        offline_price_usd="0.02",
        # Runs longer than this answer while they still run; the tests follow them.
        http_wait_seconds=0.05,
    )
    studio = mountable_app(settings)
    host = FastAPI(lifespan=studio.lifespan)
    host.mount(PREFIX, studio.app)
    with ServedApp(host, lifespan="on", name="mcp-host") as app:
        admin = {"Authorization": f"Bearer {ADMIN}"}
        keys = {"admin": ADMIN}
        with httpx.Client(base_url=app.base_url + PREFIX, headers=admin, timeout=30) as client:
            assert client.put("/v1/admin/plans/tight", json=TIGHT).status_code == 201
            assert client.put("/v1/admin/plans/nothing", json=NOTHING).status_code == 201
            for user, plan in (("alice", "tight"), ("bob", "pro"), ("carol", "nothing")):
                made = client.post("/v1/admin/users", json={"user_id": user, "plan": plan})
                assert made.status_code == 201, made.text
                keys[user] = made.json()["api_key"]
        yield Served(app.base_url, keys)


def _body(result: CallToolResult) -> dict[str, Any]:
    assert not result.is_error, result.content
    assert isinstance(result.structured_content, dict)
    return result.structured_content


def _problem(result: CallToolResult) -> dict[str, Any]:
    assert result.is_error, result
    [text] = result.content
    assert isinstance(text, TextContent)
    fields: dict[str, Any] = json.loads(text.text.splitlines()[-1])
    return fields


async def _settled(agent: Client, answer: dict[str, Any]) -> dict[str, Any]:
    """The operation once final, followed with `get_operation` as an agent would."""
    for _ in range(400):
        if answer["status"] in FINAL:
            return answer
        await asyncio.sleep(0.05)
        answer = _body(await agent.call_tool("get_operation", {"operation_id": answer["id"]}))
    raise AssertionError(f"operation {answer['id']} still {answer['status']}")


async def _footprint(served: Served, user: str) -> tuple[Any, ...]:
    async with served.http(user) as client:
        usage = (await client.get("/v1/usage")).json()
        assets = (await client.get("/v1/assets")).json()
    return [(r["name"], r["used"], r["held"]) for r in usage["rows"]], assets["items"]


def test_only_a_users_api_key_opens_mcp(served: Served) -> None:
    hello = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
    wire = {"accept": "application/json, text/event-stream"}
    for key in (None, "not-a-key", ADMIN):
        headers = wire if key is None else {**wire, "Authorization": f"Bearer {key}"}
        with httpx.Client(base_url=served.root, timeout=30) as client:
            refused = client.post(f"{PREFIX}/mcp", json=hello, headers=headers)
        assert refused.status_code == 401, (key, refused.text)
        assert refused.json()["type"] == "/problems/unauthorized"


async def test_an_agent_over_http_holds_to_alices_plan(served: Served) -> None:
    asked = {"prompt": "a red fox", "width": 640, "height": 480}
    async with served.agent("alice") as agent:
        assert {tool.name for tool in (await agent.list_tools()).tools} == TOOLS
        quoted = _body(await agent.call_tool("quote", {"kind": "text-to-image", **asked}))
        async with served.http("alice") as client:
            over_http = await client.post("/v1/quotes", json={"kind": "text-to-image", **asked})
        answered = over_http.json()
        # The same answer in the same body, read a moment apart (the fit says when it was read).
        assert quoted["fit"].pop("at") <= answered["fit"].pop("at")
        assert quoted == answered

        started = _body(await agent.call_tool("generate", {**asked, "idempotency_key": "k-1"}))
        first = await _settled(agent, started)
        assert first["status"] == "succeeded" and first["charged_usd"] == "$0.02"
        [asset] = first["assets"]
        link = httpx.URL(asset["url"])
        assert link.path.startswith(f"{PREFIX}/v1/signed-assets/")
        async with served.http() as anyone:
            fetched = await anyone.get(asset["url"])  # no key: the link is the grant
        assert fetched.status_code == 200 and fetched.headers["content-type"] == "image/png"

        replayed = _body(await agent.call_tool("generate", {**asked, "idempotency_key": "k-1"}))
        assert (replayed["id"], replayed["status"]) == (first["id"], "succeeded")
        before = await _footprint(served, "alice")
        refusal = _problem(await agent.call_tool("generate", {**asked, "prompt": "another"}))
        assert refusal["type"] == "/problems/quota-exceeded"
        assert (refusal["limit_name"], refusal["used"], refusal["limit"]) == (
            "calls:image-generation",
            1,
            1,
        )
        assert "resets at" in refusal["detail"] and refusal["resets_at"]
        assert await _footprint(served, "alice") == before  # refused: nothing charged or held

        shown = await agent.call_tool("get_asset", {"asset_id": asset["id"]})
        assert isinstance(shown.content[0], ImageContent)
        picture = Image.open(io.BytesIO(base64.b64decode(shown.content[0].data)))
        assert picture.size == (512, 384)


async def test_one_users_agent_never_reads_anothers_library(served: Served) -> None:
    async with served.http("bob") as client:
        made = await client.post("/v1/local/convert", json={"image": _png(), "format": "webp"})
        assert made.status_code == 200, made.text
    [bobs] = made.json()["assets"]
    async with served.agent("alice") as agent:
        for tool, arguments in (
            ("get_asset", {"asset_id": bobs["id"]}),
            ("compress", {"image": {"asset_id": bobs["id"]}, "quality": 50}),
            ("upscale", {"image": {"asset_id": bobs["id"]}}),
        ):
            refused = _problem(await agent.call_tool(tool, arguments))
            assert refused["type"] == "/problems/asset-not-found", tool
        operation = await agent.call_tool("get_operation", {"operation_id": made.json()["id"]})
        assert _problem(operation)["type"] == "/problems/operation-not-found"
        library = _body(await agent.call_tool("list_assets", {}))
        assert bobs["id"] not in {item["id"] for item in library["items"]}
    async with served.agent("bob") as agent:
        library = _body(await agent.call_tool("list_assets", {}))
        assert [item["id"] for item in library["items"]] == [bobs["id"]]


def _png(width: int = 64, height: int = 48) -> str:
    buffer = io.BytesIO()
    Image.new("RGBA", (width, height), (10, 200, 30, 128)).save(buffer, "PNG")
    return base64.b64encode(buffer.getvalue()).decode()


async def test_a_long_run_answers_while_it_runs_and_is_followed_to_its_end(served: Served) -> None:
    picture = {"base64": _png(640, 480)}
    async with served.agent("bob") as agent:
        asked = {"image": picture, "prompt": "waves [offline:slow]", "duration": 5}
        running = _body(await agent.call_tool("image_to_video", asked))
        assert running["status"] not in FINAL and running["held"]["category"] == "video"
        assert running["assets"] == [] and running["charged_micros"] == 0
        done = await _settled(agent, running)
        assert done["status"] == "succeeded" and done["charged_usd"] == "$0.02"
        [clip] = done["assets"]
        assert clip["media_type"] == "video/mp4"
        shown = await agent.call_tool("get_asset", {"asset_id": clip["id"]})
        [described, link] = shown.content
        assert isinstance(link, ResourceLink) and link.uri == clip["url"]
        assert json.loads(described.text)["id"] == clip["id"]  # type: ignore[union-attr]


async def test_every_tool_that_spends_the_plan_is_refused_for_free_by_a_plan_of_nothing(
    served: Served,
) -> None:
    picture = {"base64": _png(640, 480)}
    before = await _footprint(served, "carol")
    async with served.agent("carol") as agent:
        tools = (await agent.list_tools()).tools
        spending = [
            t
            for t in tools
            if "Paid:" in (t.description or "") or "Free (" in (t.description or "")
        ]
        assert len(spending) == 10
        for tool in spending:
            schema = tool.input_schema
            arguments = {
                name: picture if "$ref" in schema["properties"][name] else FILLED[name]
                for name in schema["required"]
            }
            if "prompt" in schema["properties"]:  # some kinds need one, though it has a default
                arguments["prompt"] = FILLED["prompt"]
            refused = _problem(await agent.call_tool(tool.name, arguments))
            assert refused["type"] == "/problems/quota-exceeded", (tool.name, refused)
            assert (refused["limit"], refused["used"]) == (0, 0), tool.name
            assert "resets at" in refused["detail"], tool.name
    assert await _footprint(served, "carol") == before


async def test_every_tool_refuses_unknown_or_mistyped_arguments_as_a_typed_problem_for_free(
    served: Served,
) -> None:
    """An agent that misspells an argument (`modle`, `sed`) or gives one of the wrong type is
    told which and why, as the HTTP API tells a client — the problem's fields on the last line —
    and nothing runs: a misspelled argument must never be dropped while a paid run goes ahead
    without it."""
    before = await _footprint(served, "bob")
    async with served.agent("bob") as agent:
        tools = (await agent.list_tools()).tools
        for tool in tools:
            schema = tool.input_schema
            assert schema.get("additionalProperties") is False, tool.name
            misspelled = _problem(await agent.call_tool(tool.name, {"modle": "x", "sed": 1}))
            assert misspelled["type"] == "/problems/bad-request", (tool.name, misspelled)
            named = {error["field"] for error in misspelled["errors"]}
            assert {"modle", "sed"} <= named, (tool.name, misspelled)
            assert misspelled["field"] in named and misspelled["reason"], tool.name
            if not schema["properties"]:
                continue
            [first, *_] = schema["properties"]
            spec = schema["properties"][first]
            plain = "type" in spec and "object" not in str(spec)
            typed = {"nested": {"deep": 1}} if plain else 7
            mistyped = _problem(await agent.call_tool(tool.name, {first: typed}))
            assert mistyped["type"] == "/problems/bad-request", (tool.name, mistyped)
            assert mistyped["field"] == first and mistyped["reason"], (tool.name, mistyped)
        # A key PostgreSQL could not store crashed the run there ("failed before it was
        # accepted"): it is refused by name, as any invalid field.
        too_many = _problem(await agent.call_tool("generate", {"prompt": "a fox", "n": 11}))
        assert (too_many["status"], too_many["field"]) == (422, "n"), too_many
        # The local tools name a refused field as their arguments do (as over HTTP): a bad
        # preset is `preset`, not the use case's `format` — which is another argument here.
        picture = {"base64": _png(64, 64)}
        preset = _problem(await agent.call_tool("social", {"image": picture, "preset": "x/y"}))
        assert (preset["status"], preset["field"]) == (422, "preset"), preset
        # The paid tools too: an image is the argument that gave it, not `images[1]`.
        garbage = {"base64": base64.b64encode(b"not an image").decode()}
        for tool, arguments, named in (
            ("edit", {"image": picture, "mask": garbage, "prompt": "night"}, "mask"),
            ("edit", {"image": {"base64": "!!"}, "prompt": "night"}, "image"),
            ("face_swap", {"face": picture, "target": garbage}, "target"),
            ("control", {"image": picture, "style_image": garbage, "prompt": "x"}, "style_image"),
        ):
            broken = _problem(await agent.call_tool(tool, arguments))
            assert (broken["status"], broken["field"]) == (422, named), (tool, broken)
        nameless = _problem(await agent.call_tool("generate_image", {"prompt": "a fox"}))
        assert (nameless["type"], nameless["field"]) == ("/problems/bad-request", "name")
        nul_key = {"prompt": "a fox", "idempotency_key": "a\x00b"}
        refused = _problem(await agent.call_tool("generate", nul_key))
        assert (refused["status"], refused["field"]) == (422, "idempotency_key"), refused
        # An agent that fills the optional key with "" is told so, every time (never "reused").
        for prompt in ("a fox", "a cat"):
            blank = {"prompt": prompt, "idempotency_key": ""}
            refused = _problem(await agent.call_tool("generate", blank))
            assert (refused["status"], refused["field"]) == (422, "idempotency_key"), refused
    assert await _footprint(served, "bob") == before


def test_a_get_is_answered_at_once_this_stateless_server_offers_no_event_stream(
    served: Served,
) -> None:
    """The transport's GET opens a stream for server-initiated messages; a stateless server
    answering JSON never sends any, so it must say 405 (as the MCP transport allows) rather than
    hold the connection open, headers unsent, for ever."""
    wire = {"accept": "text/event-stream", "Authorization": f"Bearer {served.keys['alice']}"}
    with httpx.Client(base_url=served.root, timeout=5) as client:
        answer = client.get(f"{PREFIX}/mcp", headers=wire)
        anonymous = client.get(f"{PREFIX}/mcp", headers={"accept": "text/event-stream"})

    assert answer.status_code == 405, answer.text
    assert answer.headers["allow"] == "POST"
    assert anonymous.status_code == 401  # the key is still checked first


async def test_an_agent_is_told_which_parameters_a_model_takes_and_pays_nothing(
    served: Served,
) -> None:
    async with served.agent("bob") as agent:
        before = await _footprint(served, "bob")
        run = _problem(
            await agent.call_tool("generate", {"prompt": "a fox", "parameters": {"fps": 10**6}})
        )
        asked = {"kind": "upscale", "model": "stability/upscale-conservative"}
        quote = _problem(
            await agent.call_tool("quote", {**asked, "parameters": {"creativity": 0.9}})
        )
        unknown = _problem(await agent.call_tool("quote", {**asked, "parameters": {"foo": 1}}))
        after = await _footprint(served, "bob")

    assert (run["type"], run["field"]) == ("/problems/invalid-input/invalid", "parameters.fps")
    assert "offline/text-to-image takes no parameter 'fps'" in run["detail"]
    assert quote["field"] == "parameters.creativity" and "between 0.2 and 0.5" in quote["detail"]
    assert unknown["accepted"] == ["creativity", "negative_prompt", "scale"]
    assert after == before


async def test_a_quote_of_a_local_kind_names_the_tool_that_does_it(served: Served) -> None:
    """Compress, convert and social run through no model: a quote of one tells the agent which
    of its tools does it (it named only the CLI command and the HTTP route)."""
    local = ("compress", "convert", "social")
    async with served.agent("bob") as agent:
        tools = {tool.name for tool in (await agent.list_tools()).tools}
        refusals = [_problem(await agent.call_tool("quote", {"kind": kind})) for kind in local]

    for kind, refusal in zip(local, refusals, strict=True):
        assert kind in tools
        assert f"the MCP tool `{kind}`" in refusal["detail"], refusal


async def test_a_made_up_name_of_any_length_is_named_cut_in_the_refusal(served: Served) -> None:
    """A tool, an argument or a model parameter named with a long made-up name: each refusal
    names it cut, as a refused value is quoted (each came back whole, some twice or thrice)."""
    made_up = "k" * 100_000
    async with served.agent("bob") as agent:
        tools = (await agent.list_tools()).tools
        # The client sends a tool's name in a header too: 10,000 characters is what h11 takes.
        answers = [await agent.call_tool(made_up[:10_000], {})]
        for tool in tools:
            answers.append(await agent.call_tool(tool.name, {made_up: 1}))
            if "parameters" in tool.input_schema["properties"]:
                named = {"prompt": "a fox", "kind": "text-to-image", "parameters": {made_up: 1}}
                arguments = {k: v for k, v in named.items() if k in tool.input_schema["properties"]}
                answers.append(await agent.call_tool(tool.name, arguments))
    assert len(answers) > len(tools) + 7
    for answer in answers:
        [text] = answer.content
        assert answer.is_error and isinstance(text, TextContent), answer
        assert len(text.text) < 2000 and "k" * ECHO_CHARS not in text.text, text.text[:300]


async def test_true_or_false_is_no_whole_number_for_any_tool(served: Served) -> None:
    """Every integer argument of every tool refuses JSON's booleans by name, for free (`n: true`
    ran one output and `seed: false` was seed 0)."""
    before = await _footprint(served, "bob")
    checked = 0
    async with served.agent("bob") as agent:
        for tool in (await agent.list_tools()).tools:
            for name, spec in tool.input_schema["properties"].items():
                types = {spec.get("type")} | {
                    option.get("type") for option in spec.get("anyOf", [])
                }
                if "integer" not in types:
                    continue
                for value in (True, False):
                    refused = _problem(await agent.call_tool(tool.name, {name: value}))
                    assert refused["type"] == "/problems/bad-request", (tool.name, refused)
                    assert name in {error["field"] for error in refused["errors"]}, refused
                    checked += 1
    assert checked >= 30
    assert await _footprint(served, "bob") == before
