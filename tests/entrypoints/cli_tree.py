"""Every command of the `imagestudio` app, found by walking the command tree typer builds, so a
test over "every command" covers a command added later without being edited."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from typer.main import get_command

from imagestudio.entrypoints.cli.main import app


def commands() -> dict[tuple[str, ...], Any]:
    """Each command path (`("assets", "list")`) and its click command; groups included."""
    return dict(_walk(get_command(app), ()))


def leaf_commands() -> dict[tuple[str, ...], Any]:
    """The commands that do something (a group with its own callback, `usage`, counts too)."""
    return {
        path: command
        for path, command in commands().items()
        if path and (not hasattr(command, "commands") or command.invoke_without_command)
    }


def option_names(command: Any) -> set[str]:
    return {name for parameter in command.params for name in getattr(parameter, "opts", [])}


def _walk(command: Any, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], Any]]:
    yield path, command
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        yield from _walk(sub, (*path, name))
