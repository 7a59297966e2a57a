"""Every way of calling a command wrongly ends like every other failure: one `error: …` line on
stderr and exit code 2; a bad `--mode` and a bad input image are named as the person wrote them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cli_tree import leaf_commands
from typer.testing import CliRunner

from imagestudio.entrypoints.cli.main import app

runner = CliRunner()
COMMANDS = leaf_commands()


def one_error_line(result: Any) -> str:
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in result.output
    assert "Value error" not in lines[0]  # pydantic's wrapping, never shown
    return str(lines[0])


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_an_unknown_option_of_any_command_is_one_line(path: tuple[str, ...]) -> None:
    line = one_error_line(runner.invoke(app, [*path, "--no-such-option"]))

    assert "--no-such-option" in line
    assert f"imagestudio {' '.join(path)} --help" in line


REQUIRED = {
    path: [parameter.name for parameter in command.params if parameter.required]
    for path, command in COMMANDS.items()
    if any(parameter.required for parameter in command.params)
}


@pytest.mark.parametrize("path", REQUIRED, ids=" ".join)
def test_a_missing_argument_or_option_of_any_command_is_one_line(path: tuple[str, ...]) -> None:
    line = one_error_line(runner.invoke(app, list(path)))

    assert "missing" in line


def test_every_command_that_takes_something_required_was_tried() -> None:
    assert {"generate", "edit", "face-swap", "quote"} <= {path[-1] for path in REQUIRED}


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["no-such-command"], "no such command 'no-such-command'"),
        (["--no-such-option"], "no such option: --no-such-option"),
        (["generate", "a fox", "-n", "many"], "'--variations'"),
        (["generate", "a fox", "--size", "big"], "size must look like 1024x768, not 'big'"),
        (["models", "--kind", "painting"], "'painting' is not one of"),
        (["quote", "generate"], "invalid value for 'kind': 'generate' is not one of"),
        (["assets", "no-such-command"], "no such command 'no-such-command'"),
    ],
)
def test_bad_words_and_values_are_one_line(args: list[str], said: str) -> None:
    assert said in one_error_line(runner.invoke(app, args))


def test_the_installed_command_prints_one_line_too() -> None:
    done = subprocess.run(
        [sys.executable, "-c", "from imagestudio.entrypoints.cli.main import run; run()", "edit"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr == "error: missing argument 'image' (see imagestudio edit --help)\n"


def test_the_command_alone_still_shows_its_help() -> None:
    result = runner.invoke(app, [])
    assert "Usage: imagestudio" in result.output
    assert "generate" in result.output


@pytest.mark.parametrize(
    ("args", "modes"),
    [
        (["edit", "{p}", "night", "--mode", "nightify"], ["inpaint", "remove-background"]),
        (["control", "{p}", "a castle", "--mode", "nightify"], ["sketch", "style-transfer"]),
        (["quote", "image-edit", "--mode", "nightify"], ["inpaint", "outpaint"]),
    ],
)
def test_an_unknown_mode_is_named_with_the_modes_there_are(
    picture: Path, args: list[str], modes: list[str]
) -> None:
    line = one_error_line(runner.invoke(app, [a.replace("{p}", str(picture)) for a in args]))

    assert "'nightify' is not one of" in line
    assert "cannot do" not in line
    assert all(mode in line for mode in modes)
    usage = json.loads(runner.invoke(app, ["usage", "--json"]).stdout)
    assert all(row["used"] == 0 and row["held"] == 0 for row in usage["rows"])


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["edit", "{p}", "fill", "--mode", "inpaint", "--mask", "{bad}"], "mask {bad}"),
        (["face-swap", "{p}", "{bad}"], "target {bad}"),
        (["face-swap", "{bad}", "{p}"], "face {bad}"),
        (["upscale", "{bad}"], "image {bad}"),
        (["compress", "{bad}", "--quality", "50"], "image {bad}"),
        (["quote", "upscale", "--image", "{bad}"], "image {bad}"),
    ],
)
def test_a_bad_input_image_is_named_by_its_file(
    picture: Path, tmp_path: Path, args: list[str], named: str
) -> None:
    bad = tmp_path / "notes.png"
    bad.write_bytes(b"this is not a picture")

    def filled(text: str) -> str:
        return text.replace("{p}", str(picture)).replace("{bad}", str(bad))

    line = one_error_line(runner.invoke(app, [filled(a) for a in args]))

    assert f"invalid {filled(named)}: " in line
    assert "images[" not in line
