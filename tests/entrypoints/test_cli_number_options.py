"""Every number option of every command takes only numbers it can use: NaN, infinities and
absurd magnitudes are one `error:` line and exit 2, before anything runs. `imagestudio sandbox
--latency nan` (or `-1`) served with it, and `reconcile --limit 99999999999999999999` ended as
an "unexpected OverflowError" from the database. The options are walked from the typer app, so
a new one is covered without editing this file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from cli_tree import leaf_commands

ABSURD = {float: ["nan", "inf", "-inf", "-1e300", "1e300"], int: ["99999999999999999999"]}

# Each case in one process (a server accepting its value would serve, not return: the alarm
# ends that case as a failure).
EVERY_CASE = """
import json, signal, sys
from typer.testing import CliRunner
from imagestudio.entrypoints.cli.main import app
signal.signal(signal.SIGALRM, lambda *_: (_ for _ in ()).throw(TimeoutError("it ran")))
answers = []
for args in json.loads(sys.argv[1]):
    signal.alarm(20)
    result = CliRunner().invoke(app, args)
    signal.alarm(0)
    answers.append([args, result.exit_code, result.stderr, repr(result.exception)])
print(json.dumps(answers))
"""


def number_cases() -> list[list[str]]:
    """Each number option without a required argument beside it, with each absurd value."""
    cases = []
    for path, command in leaf_commands().items():
        if any(parameter.required for parameter in command.params):
            continue
        for parameter in command.params:
            if parameter.name == "seed":
                continue  # any whole number seeds the sandbox's draws
            kind = getattr(parameter, "type_descriptor", None)
            for value in ABSURD.get(getattr(kind, "annotation", None), []):
                cases.append([*path, parameter.opts[0], value])
    return cases


def test_every_number_option_refuses_what_no_number_there_can_be(tmp_path: Path) -> None:
    cases = number_cases()
    assert ["reconcile", "--limit", "99999999999999999999"] in cases
    assert ["sandbox", "--latency", "nan"] in cases
    environment = {k: v for k, v in os.environ.items() if not k.startswith("IMAGESTUDIO_")}
    environment |= {
        "IMAGESTUDIO_DATA_DIR": str(tmp_path / "data"),
        "IMAGESTUDIO_SIGNING_KEY": "k" * 32,
        "IMAGESTUDIO_PROFILE": "local",
    }
    done = subprocess.run(
        [sys.executable, "-c", EVERY_CASE, json.dumps(cases)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env=environment,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    for args, code, said, raised in json.loads(done.stdout):
        assert code == 2, (args, code, said, raised)
        assert said.startswith("error: invalid "), (args, said)
        assert said.count("\n") == 1, (args, said)
