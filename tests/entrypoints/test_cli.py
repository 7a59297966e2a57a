"""The `imagestudio` command: every operation, the read-only commands, and clean failures."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from typer.testing import CliRunner

from imagestudio.entrypoints.cli.main import app
from imagestudio.entrypoints.cli.operation_inputs import parse_parameter

runner = CliRunner()


def invoke(*args: str) -> Any:
    return runner.invoke(app, list(args))


def run_json(*args: str) -> dict[str, Any]:
    result = invoke(*args, "--json")
    assert result.exit_code == 0, result.output
    payload: dict[str, Any] = json.loads(result.stdout)
    return payload


def test_generate_stores_the_outputs_and_reports_them_as_json() -> None:
    payload = run_json("generate", "a red fox", "--size", "320x240", "-n", "2", "--seed", "3")
    assert payload["status"] == "succeeded"
    assert payload["model"] == "offline/text-to-image"
    assert payload["charged_usd"] == "$0.00"
    assert [(a["width"], a["height"]) for a in payload["assets"]] == [(320, 240), (320, 240)]


def test_generate_copies_the_output_to_out(tmp_path: Path) -> None:
    out = tmp_path / "fox.png"
    result = invoke("generate", "a red fox", "--size", "128x96", "--out", str(out))
    assert result.exit_code == 0, result.output
    with Image.open(out) as image:
        assert image.size == (128, 96)


def test_edit_accepts_a_stored_asset_as_its_input() -> None:
    generated = run_json("generate", "a harbour", "--size", "256x256")
    asset_id = generated["assets"][0]["id"]
    edited = run_json("edit", f"asset:{asset_id}", "make it night", "--mode", "general")
    assert edited["kind"] == "image-edit"
    assert edited["assets"][0]["width"] == 256


@pytest.mark.parametrize(
    ("command", "kind", "media"),
    [
        (["upscale", "{p}", "--scale", "2"], "upscale", "image/png"),
        (["to-3d", "{p}"], "image-to-3d", "model/gltf-binary"),
        (["face-swap", "{p}", "{p}"], "face-swap", "image/png"),
        (["control", "{p}", "a castle", "--mode", "sketch"], "control", "image/png"),
        (["to-video", "{p}", "waves", "--duration", "5"], "image-to-video", "video/mp4"),
        (["edit", "{p}", "", "--mode", "remove-background"], "image-edit", "image/png"),
    ],
)
def test_every_operation_runs_offline(
    picture: Path, command: list[str], kind: str, media: str
) -> None:
    payload = run_json(*(part.replace("{p}", str(picture)) for part in command))
    assert payload["kind"] == kind
    assert payload["assets"][0]["media_type"] == media


def test_upscale_doubles_the_size(picture: Path) -> None:
    payload = run_json("upscale", str(picture), "--scale", "2")
    assert (payload["assets"][0]["width"], payload["assets"][0]["height"]) == (512, 384)


def test_a_bad_request_is_one_line_and_exit_code_2() -> None:
    result = invoke("generate", "")
    assert result.exit_code == 2
    assert result.stderr.strip() == "error: invalid prompt: text-to-image needs a prompt"
    assert "Traceback" not in result.output


def test_an_unknown_model_exits_7_and_names_it() -> None:
    result = invoke("generate", "a fox", "--model", "no/such-model")
    assert result.exit_code == 7
    assert "no/such-model" in result.stderr


def test_a_missing_image_file_is_a_clear_error(tmp_path: Path) -> None:
    result = invoke("upscale", str(tmp_path / "absent.png"))
    assert result.exit_code == 2
    assert "no such file" in result.stderr


def test_a_file_that_is_not_an_image_is_refused_before_anything_is_spent(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.png"
    bogus.write_bytes(b"this is not a picture")
    result = invoke("upscale", str(bogus), "--json")
    assert result.exit_code == 2
    usage = run_json("usage")
    assert all(row["used"] == 0 and row["held"] == 0 for row in usage["rows"])


def test_a_quota_refusal_exits_3_with_the_numbers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMAGESTUDIO_DEFAULT_PLAN", "free")
    monkeypatch.setenv("IMAGESTUDIO_OFFLINE_PRICE_USD", "1.50")
    assert invoke("generate", "first").exit_code == 0
    refused = invoke("generate", "second", "--json")
    assert refused.exit_code == 3
    error = json.loads(refused.stdout)["error"]
    assert error["type"] == "QuotaExceeded"
    assert "spend" in error["message"] and "$1.50" in error["message"]


def test_usage_reports_every_category_with_its_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMAGESTUDIO_DEFAULT_PLAN", "basic")
    invoke("generate", "a fox", "-n", "3")
    rows = {row["name"]: row for row in run_json("usage")["rows"]}
    assert rows["image-generation"]["used"] == 3
    assert rows["image-generation"]["limit"] == 25
    assert rows["image-generation"]["remaining"] == 22
    assert rows["spend"]["unit"] == "micro-usd"
    assert rows["image-edit"]["resets_at"] is not None


def test_usage_of_an_unknown_user_is_an_error() -> None:
    result = invoke("usage", "--user", "nobody")
    assert result.exit_code == 7
    assert "nobody" in result.stderr


def test_models_lists_the_catalog_filtered_by_kind() -> None:
    result = invoke("models", "--kind", "image-to-3d", "--json")
    listed = json.loads(result.stdout)
    assert {m["id"] for m in listed} >= {"offline/image-to-3d", "stability/stable-fast-3d"}
    assert all("image-to-3d" in m["kinds"] for m in listed)
    assert any(
        m["price_source"] == "estimate" for m in json.loads(invoke("models", "--json").stdout)
    )


def test_plans_list_shows_the_reference_plans() -> None:
    result = invoke("plans", "list", "--json")
    plans = {plan["name"]: plan for plan in json.loads(result.stdout)}
    assert set(plans) == {"free", "basic", "pro", "enterprise", "local"}
    assert plans["free"]["calls"]["image-generation"] == 10
    assert plans["enterprise"]["calls"]["image-generation"] is None


def test_quote_prices_a_real_model_without_calling_it() -> None:
    payload = json.loads(
        invoke(
            "quote",
            "image-to-video",
            "--model",
            "wavespeed/wan-2.5-image-to-video",
            "--duration",
            "10",
            "--resolution",
            "1080p",
            "--json",
        ).stdout
    )
    assert payload["amount_usd"] == "$1.50"
    fit = payload["fit"]  # the body POST /v1/quotes answers in `fit`
    assert (fit["would_be_refused"], fit["refusal"]) == (False, None)
    spend = next(d for d in fit["dimensions"] if d["name"] == "spend")
    assert (spend["would_use"], spend["unit"], spend["whose"]) == (1_500_000, "micro-usd", "plan")


def test_quote_shows_the_plan_fit_to_people() -> None:
    result = invoke("quote", "text-to-image", "-n", "2")

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[1].split("\t") == [
        "limit",
        "whose",
        "would use",
        "used",
        "held",
        "limit of",
        "left after",
        "resets at",
    ]
    rows = {line.split("\t")[0]: line.split("\t") for line in lines[2:-1]}
    assert rows["calls:image-generation"][1:3] == ["plan", "2"]
    assert lines[-1] == "fits: running it now would be accepted"


def test_piped_tables_are_plain_tab_separated_lines() -> None:
    result = invoke("plans", "list")
    assert result.exit_code == 0
    assert "\x1b[" not in result.stdout
    assert result.stdout.splitlines()[0].startswith("plan\t")


@pytest.mark.parametrize(
    ("variable", "value", "said"),
    [
        ("IMAGESTUDIO_DEFAULT_PLAN", "gold", "IMAGESTUDIO_DEFAULT_PLAN: no such plan; give one of"),
        ("IMAGESTUDIO_PROFILE", "bogus", "IMAGESTUDIO_PROFILE"),
    ],
)
def test_bad_settings_are_one_line_and_exit_code_2(variable: str, value: str, said: str) -> None:
    env = {**os.environ, variable: value}
    done = subprocess.run(
        [sys.executable, "-c", "from imagestudio.entrypoints.cli.main import run; run()", "usage"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert said in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_param_values_are_typed_and_a_malformed_one_is_refused(picture: Path) -> None:
    assert parse_parameter("left=200") == ("left", 200)
    assert parse_parameter("creativity=0.4") == ("creativity", 0.4)
    assert parse_parameter("safe=True") == ("safe", True)
    assert parse_parameter("search_prompt=a=b") == ("search_prompt", "a=b")
    refused = CliRunner().invoke(app, ["edit", str(picture), "x", "--param", "no-equals-sign"])
    assert refused.exit_code == 2
    assert "--param" in refused.output


def test_a_param_given_twice_is_refused_before_anything_runs(picture: Path) -> None:
    # The last one silently won, and the operation ran (and was paid for) with it.
    twice = ["--param", "strength=0.2", "--param", "strength=0.9"]
    refused = CliRunner().invoke(app, ["edit", str(picture), "x", *twice, "--json"])
    assert refused.exit_code == 2
    assert refused.stderr == "error: invalid param: strength is given twice: give it once\n"
    listed = CliRunner().invoke(app, ["operations", "list", "--json"])
    assert json.loads(listed.stdout)["items"] == []
