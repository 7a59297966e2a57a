"""`--json` answers JSON however the command ends: a failure that stops it before its own output
(a bad setting, a mistyped option, a database it cannot use) is `{"error": {"type", "message"}}`
on stdout too, beside its one `error:` line on stderr and its exit code. Those printed nothing
on stdout, so a program reading it found no JSON at all. Every command taking `--json` is
walked from the typer app, so a new one is covered without editing this file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cli_tree import leaf_commands, option_names

from imagestudio.entrypoints.cli.output import asked_for_json

CLI = [sys.executable, "-c", "from imagestudio.entrypoints.cli.main import run; run()"]

# Each command in turn, in one process (a process each would take a minute), its stdout and
# stderr in files of its own.
EVERY_COMMAND = """
import json, os, sys
from imagestudio.entrypoints.cli.main import run
paths, folder = json.loads(sys.argv[1]), sys.argv[2]
codes = {}
for path in paths:
    name = "_".join(path)
    for fd, suffix in ((1, "out"), (2, "err")):
        target = os.open(os.path.join(folder, f"{name}.{suffix}"), os.O_WRONLY | os.O_CREAT)
        os.dup2(target, fd)
        os.close(target)
    sys.stdout = open(1, "w", closefd=False)
    sys.stderr = open(2, "w", closefd=False)
    sys.argv = ["imagestudio", *path, "--json"]
    try:
        run()
    except SystemExit as ending:
        codes[name] = ending.code
    sys.stdout.flush()
    sys.stderr.flush()
with open(os.path.join(folder, "codes.json"), "w") as answer:
    json.dump(codes, answer)
"""


def environment(tmp_path: Path, **settings: str) -> dict[str, str]:
    chosen = {k: v for k, v in os.environ.items() if not k.startswith("IMAGESTUDIO_")}
    return chosen | {
        "IMAGESTUDIO_DATA_DIR": str(tmp_path / "data"),
        "IMAGESTUDIO_SIGNING_KEY": "k" * 32,
        **settings,
    }


def test_every_json_command_with_a_bad_setting_answers_a_json_error(tmp_path: Path) -> None:
    paths = [
        list(path) for path, command in leaf_commands().items() if "--json" in option_names(command)
    ]
    assert len(paths) > 30
    done = subprocess.run(
        [sys.executable, "-c", EVERY_COMMAND, json.dumps(paths), str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=environment(tmp_path, IMAGESTUDIO_PROFILE="bogus"),
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    codes = json.loads((tmp_path / "codes.json").read_text())
    for path in paths:
        name = "_".join(path)
        said = (tmp_path / f"{name}.err").read_text()
        answer = json.loads((tmp_path / f"{name}.out").read_text())  # JSON, whatever went wrong
        error = answer["error"]
        assert codes[name] == 2, (name, said)
        assert error["type"] in {"BadSetting", "UsageError"}, (name, error)
        assert said == f"error: {error['message']}\n", name
        if error["type"] == "BadSetting":
            assert error["message"].startswith("settings: IMAGESTUDIO_PROFILE: "), name


def test_a_database_that_cannot_be_used_is_a_json_error_too(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "imagestudio.db").write_bytes(b"no database " * 500)
    done = subprocess.run(
        [*CLI, "usage", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=environment(tmp_path, IMAGESTUDIO_PROFILE="local"),
        cwd=tmp_path,
    )
    assert done.returncode == 1
    error = json.loads(done.stdout)["error"]
    assert error["type"] == "DatabaseUnavailable"
    assert done.stderr == f"error: {error['message']}\n"


@pytest.mark.parametrize(
    ("words", "asked"),
    [
        (["usage", "--json"], True),
        (["usage"], False),
        (["assets", "tag", "ast_1", "--", "--json"], False),  # a tag named --json
        (["usage", "export", "--format", "json"], False),  # its output is the export itself
    ],
)
def test_json_is_asked_by_the_flag_before_any_double_dash(words: list[str], asked: bool) -> None:
    assert asked_for_json(words) is asked
