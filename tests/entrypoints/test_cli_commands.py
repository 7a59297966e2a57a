"""`--version`, shell completion, `--json` on every command that prints a result, `users list`,
`plans delete`, and settings from a `.env` file."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from cli_tree import leaf_commands, option_names

from imagestudio.entrypoints.settings import Settings

if TYPE_CHECKING:
    from conftest import Cli

NO_RESULT = {
    ("serve",): "serves the HTTP API until stopped",
    ("sandbox",): "serves the provider sandbox until stopped",
    ("mcp",): "serves the MCP tools over stdin/stdout, where JSON-RPC is the only output",
    ("usage", "export"): "prints the ledger as --format csv or json",
}
"""The commands that print no result of their own to give as JSON, and why."""


RUN = "from imagestudio.entrypoints.cli.main import run; run()"


def imagestudio(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The command as a shell runs it: its own process, its own name."""
    return subprocess.run(
        [sys.executable, "-c", RUN, *args],
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_every_command_that_prints_a_result_takes_json() -> None:
    without = {
        path for path, command in leaf_commands().items() if "--json" not in option_names(command)
    }
    assert without == set(NO_RESULT)


def test_version_prints_the_installed_version(cli: Cli) -> None:
    assert cli.ok("--version") == f"imagestudio {version('imagestudio')}\n"


def test_the_shell_completion_script_is_shown_for_bash() -> None:
    # `--show-completion` is for the shell it runs in (found from the parent processes): run it
    # from bash, as a user does, whatever shell runs the tests (make's is sh).
    command = f"{shlex.quote(sys.executable)} -c {shlex.quote(RUN)} --show-completion; exit $?"
    shown = subprocess.run(
        ["bash", "-c", command], capture_output=True, text=True, timeout=60, check=False
    )
    assert shown.returncode == 0, shown.stderr
    assert "_IMAGESTUDIO_COMPLETE=complete_bash" in shown.stdout


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("imagestudio ass", {"assets"}),
        ("imagestudio assets l", {"list"}),
        ("imagestudio plans d", {"delete"}),
        ("imagestudio generate fox --si", {"--size"}),
    ],
)
def test_the_shell_completes_commands_and_options(words: str, expected: set[str]) -> None:
    env = {
        "_IMAGESTUDIO_COMPLETE": "complete_bash",
        "COMP_WORDS": words,
        "COMP_CWORD": str(len(words.split()) - 1),
    }
    done = imagestudio(env=env)
    assert done.returncode == 0, done.stderr
    assert set(done.stdout.split()) == expected


def test_db_current_and_upgrade_answer_in_json(local_cli: Cli) -> None:
    local_cli.ok("usage")  # creates the database
    current = local_cli.json("db", "current")
    assert current["current"] is True and current["database"] == current["needed"]

    upgraded = local_cli.json("db", "upgrade")
    assert upgraded == {"before": current["needed"], "now": current["needed"], "upgraded": False}


@pytest.mark.parametrize("command", ["current", "upgrade"])
def test_db_commands_on_a_profile_without_a_database_are_one_json_error(
    cli: Cli, command: str
) -> None:
    refused = cli.invoke("db", command, "--json")
    assert refused.exit_code == 2
    assert "in memory" in json.loads(refused.stdout)["error"]["message"]


def test_users_list_shows_each_user_and_plan(local_cli: Cli) -> None:
    local_cli.ok("users", "add", "alice", "--plan", "pro")
    local_cli.ok("users", "add", "bob", "--plan", "free")

    local_cli.ok("keys", "rotate", "bob")

    listed = local_cli.json("users", "list")

    assert [(user["user"], user["plan"]) for user in listed] == [
        ("alice", "pro"),
        ("bob", "free"),
        ("local", "local"),
    ]
    assert [(user["keys"], user["live_keys"]) for user in listed[:2]] == [(1, 1), (2, 1)]
    assert all(user["spend_micros"] == 0 and user["created_at"] for user in listed)
    lines = local_cli.ok("users", "list").splitlines()
    assert lines[0] == "user\tplan\tadded\tkeys\tspend this period"
    assert any(line.startswith("bob\tfree\t") and "\t1 of 2\t$0.00" in line for line in lines)


def test_a_plan_nobody_is_on_is_deleted_and_stays_deleted(local_cli: Cli) -> None:
    deleted = local_cli.json("plans", "delete", "enterprise")
    assert deleted["deleted"]["name"] == "enterprise"

    # A new process on the same database: the reference plans are not seeded again.
    names = {plan["name"] for plan in local_cli.json("plans", "list")}
    assert names == {"free", "basic", "pro", "local"}
    refused = local_cli.invoke("users", "add", "carol", "--plan", "enterprise")
    assert refused.exit_code == 7


def test_a_plan_with_users_is_refused_naming_them(local_cli: Cli) -> None:
    local_cli.ok("users", "add", "alice", "--plan", "pro")

    refused = local_cli.invoke("plans", "delete", "pro")
    assert refused.exit_code == 2
    assert "alice" in refused.stderr and "users set-plan" in refused.stderr

    local_cli.ok("users", "set-plan", "alice", "basic")
    assert "deleted plan pro" in local_cli.ok("plans", "delete", "pro")


@pytest.mark.parametrize(("plan", "code"), [("local", 2), ("gold", 7)])
def test_the_default_plan_and_an_unknown_plan_are_not_deleted(
    local_cli: Cli, plan: str, code: int
) -> None:
    local_cli.ok("users", "set-plan", "local", "pro")  # nobody is on `local` now

    refused = local_cli.invoke("plans", "delete", plan)

    assert refused.exit_code == code
    assert plan in refused.stderr
    assert len(local_cli.json("plans", "list")) == 5


def test_settings_come_from_a_dotenv_file_in_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Cli
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text(
        "# the operator's settings\n"
        "IMAGESTUDIO_DEFAULT_USER=bob\n"
        "IMAGESTUDIO_ROUTING=quality\n"
        "WAVESPEED_API_KEY=ws-from-dotenv\n"
        "SOMETHING_ELSE=ignored\n"
    )

    settings = Settings()
    assert settings.default_user == "bob"
    assert settings.routing.value == "quality"
    assert settings.wavespeed_api_key is not None
    assert settings.wavespeed_api_key.get_secret_value() == "ws-from-dotenv"
    assert cli.json("usage")["user"] == "bob"


def test_the_environment_wins_over_the_dotenv_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("IMAGESTUDIO_DEFAULT_USER=bob\nIMAGESTUDIO_PROFILE=local\n")
    monkeypatch.setenv("IMAGESTUDIO_DEFAULT_USER", "carol")

    settings = Settings()
    assert settings.default_user == "carol"
    assert settings.profile.value == "test"  # the tests' environment says test


def test_without_a_dotenv_file_nothing_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert Settings().default_user == "local"
