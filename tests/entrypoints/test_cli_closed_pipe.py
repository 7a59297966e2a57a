"""Output piped to a reader that goes away (`imagestudio models | head -1`), and Ctrl-C.

A closed pipe ends every command the same way: exit 141 (128 + SIGPIPE, as a shell reports a
command SIGPIPE killed), nothing on stderr, and whatever the command did stands (an operation
is settled and charged once). It was a silent exit 1 from click or rich, or 0 when the output
happened to fit the pipe before the reader left. A failure keeps its own line and exit code.
Ctrl-C ends any command with 130 and one `error: interrupted` line. The commands are walked
from the typer app, so a new one is covered without editing this file."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cli_tree import commands

CLI = [sys.executable, "-c", "from imagestudio.entrypoints.cli.main import run; run()"]


def environment(tmp_path: Path) -> dict[str, str]:
    settings = {k: v for k, v in os.environ.items() if not k.startswith("IMAGESTUDIO_")}
    return settings | {
        "IMAGESTUDIO_DATA_DIR": str(tmp_path / "data"),
        "IMAGESTUDIO_SIGNING_KEY": "k" * 32,
        "IMAGESTUDIO_PROFILE": "local",
        "IMAGESTUDIO_OFFLINE_PRICE_USD": "0.02",
    }


def closed_reader(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The command with its stdout a pipe whose reader is already gone."""
    reading, writing = os.pipe()
    os.close(reading)
    try:
        return subprocess.run(
            [*CLI, *args],
            stdout=writing,
            stderr=subprocess.PIPE,
            env=environment(tmp_path),
            text=True,
            timeout=120,
            check=False,
            cwd=tmp_path,
        )
    finally:
        os.close(writing)


def cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args],
        capture_output=True,
        env=environment(tmp_path),
        text=True,
        timeout=120,
        check=False,
        cwd=tmp_path,
    )


# Every command's help, each with its own closed pipe, in one process (one per command would
# take a minute); the exit codes come back through a file, stdout being the pipe.
EVERY_HELP = """
import json, os, sys
from imagestudio.entrypoints.cli.main import app
codes = {}
for path in json.loads(sys.argv[1]):
    reading, writing = os.pipe()
    os.close(reading)
    os.dup2(writing, 1)
    os.close(writing)
    sys.stdout = open(1, "w", closefd=False)
    try:
        app([*path, "--help"], prog_name="imagestudio")
    except SystemExit as ending:
        codes[" ".join(path)] = ending.code
with open(sys.argv[2], "w") as answer:
    json.dump(codes, answer)
"""


def test_every_commands_help_to_a_closed_pipe_exits_141_quietly(tmp_path: Path) -> None:
    paths = [list(path) for path in commands()]
    answer = tmp_path / "codes.json"
    done = subprocess.run(
        [sys.executable, "-c", EVERY_HELP, json.dumps(paths), str(answer)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=environment(tmp_path),
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    codes = json.loads(answer.read_text())
    assert len(codes) == len(paths) > 40
    assert {path: code for path, code in codes.items() if code != 141} == {}


@pytest.mark.parametrize(
    "command",
    [["models"], ["models", "--json"], ["plans", "list"], ["social-formats"], ["usage"]],
)
def test_a_listing_to_a_closed_pipe_exits_141_quietly(tmp_path: Path, command: list[str]) -> None:
    done = closed_reader(tmp_path, *command)
    assert (done.returncode, done.stderr) == (141, "")


@pytest.mark.parametrize("output", [[], ["--json"]])
def test_an_operation_to_a_closed_pipe_is_settled_and_charged_once(
    tmp_path: Path, output: list[str]
) -> None:
    done = closed_reader(tmp_path, "generate", "a kite", "-n", "2", *output)
    assert (done.returncode, done.stderr) == (141, "")
    usage = json.loads(cli(tmp_path, "usage", "--json").stdout)
    spend = next(row for row in usage["rows"] if row["name"] == "spend")
    assert (spend["used"], spend["held"]) == (40_000, 0)


def test_a_failure_to_a_closed_pipe_keeps_its_line_and_its_code(tmp_path: Path) -> None:
    done = closed_reader(tmp_path, "assets", "show", "ast_none", "--json")
    assert done.returncode == 7
    assert done.stderr == "error: no asset 'ast_none'\n"


def test_ctrl_c_of_a_command_that_waits_is_one_line_and_130(tmp_path: Path) -> None:
    waiting = subprocess.Popen(
        [*CLI, "mcp"],  # waits for its client on stdin, which stays open
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=environment(tmp_path),
        text=True,
        cwd=tmp_path,
    )
    time.sleep(3)
    waiting.send_signal(signal.SIGINT)
    _, err = waiting.communicate(timeout=30)
    assert (waiting.returncode, err) == (130, "error: interrupted\n")
