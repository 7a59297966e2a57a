"""No id, path, name or cursor is ever broken across lines: on a terminal 80 or 120 columns
wide, and piped (where lines used to be cut at 80), over every command that lists or reports.

The rule tested: every cell of a command's piped (tab-separated) output that holds no space —
ids, paths, names, numbers — and every word of those that do appears whole on one line of what
the same command shows on a terminal; the `more: --cursor …` hint and an operation's summary
line are never broken."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from conftest import Cli

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
WIDTHS = (80, 120)
PROMPT = "a lighthouse at dusk over a harbour full of fishing boats and gulls"
# Every command that prints rows (the operations' results are checked below).
LISTINGS = [
    ["assets", "list", "--limit", "2"],
    ["assets", "search", "lighthouse", "--limit", "2"],
    ["models"],
    ["plans", "list"],
    ["usage"],
    ["keys", "list", "alice"],
    ["users", "list"],
    ["operations", "list"],
    ["plans", "set", "team", "--spend-cap", "25.00", "--rate", "60/min", "--concurrency", "4"],
    ["storage", "gc", "--dry-run"],
    ["budget", "list"],
    ["social-formats"],
    ["providers", "check"],
]


@pytest.fixture
def library(local_cli: Cli, tmp_path: Path) -> Cli:
    local_cli.ok("generate", PROMPT, "-n", "3", "--size", "256x256")
    first, *_, last = (item["id"] for item in local_cli.json("assets", "list")["items"])
    local_cli.ok("assets", "tag", first, "harbour", "evening-light", "campaign-2026-spring")
    # Bytes gone from under an asset: `storage gc` lists it in a table of its own.
    next((tmp_path / "data" / "assets").rglob(f"{last}.*")).unlink()
    local_cli.ok("users", "add", "alice", "--plan", "pro")
    local_cli.ok("budget", "set", "--provider", "wavespeed", "--monthly", "500.00")
    return local_cli


def on_terminal(cli: Cli, monkeypatch: pytest.MonkeyPatch, width: int, *args: str) -> list[str]:
    monkeypatch.setenv("TTY_COMPATIBLE", "1")  # rich then draws as on a terminal
    monkeypatch.setenv("COLUMNS", str(width))
    try:
        shown = cli.ok(*args)
    finally:
        monkeypatch.delenv("TTY_COMPATIBLE")
        monkeypatch.delenv("COLUMNS")
    return [ANSI.sub("", line) for line in shown.splitlines()]


def whole_cells(piped: str) -> set[str]:
    """What must stay whole: the cells of tab-separated output (its header too) that hold no
    space, and the words of those that do (up to 32 characters: a setting's name in a sentence)."""
    cells = {cell for line in piped.splitlines() if "\t" in line for cell in line.split("\t")}
    words = {word for cell in cells if " " in cell for word in cell.split() if len(word) <= 32}
    return {cell for cell in cells if cell and " " not in cell} | words


def assert_whole(lines: list[str], words: set[str]) -> None:
    broken = {word for word in words if not any(word in line for line in lines)}
    assert not broken, f"broken over lines: {sorted(broken)}\n" + "\n".join(lines)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("args", LISTINGS, ids=" ".join)
def test_no_listing_breaks_an_id_a_name_or_a_number(
    library: Cli, monkeypatch: pytest.MonkeyPatch, args: list[str], width: int
) -> None:
    words = whole_cells(library.ok(*args))
    assert words, "the listing showed nothing to check"

    assert_whole(on_terminal(library, monkeypatch, width, *args), words)


def test_the_asset_listing_holds_ids_long_enough_to_be_broken(library: Cli) -> None:
    ids = [item["id"] for item in library.json("assets", "list")["items"]]
    assert len(ids) == 3
    assert all(len(asset_id) > 30 for asset_id in ids)


@pytest.mark.parametrize("width", [*WIDTHS, None])
def test_the_cursor_hint_is_one_line_piped_and_on_a_terminal(
    library: Cli, monkeypatch: pytest.MonkeyPatch, width: int | None
) -> None:
    cursor = library.json("assets", "list", "--limit", "1")["next_cursor"]
    assert cursor and len(cursor) > 80

    args = ("assets", "list", "--limit", "1")
    lines = (
        library.ok(*args).splitlines()
        if width is None
        else (on_terminal(library, monkeypatch, width, *args))
    )
    assert f"more: --cursor {cursor}" in lines


@pytest.mark.parametrize("width", [*WIDTHS, None])
@pytest.mark.parametrize(
    "args",
    [
        ["generate", PROMPT, "-n", "2", "--size", "256x256"],
        ["upscale", "{p}", "--scale", "2"],
        ["compress", "{p}", "--quality", "50"],
    ],
    ids=lambda args: args[0],
)
def test_an_operations_summary_ids_and_paths_are_never_broken(
    library: Cli,
    monkeypatch: pytest.MonkeyPatch,
    picture: Path,
    width: int | None,
    args: list[str],
) -> None:
    args = [arg.replace("{p}", str(picture)) for arg in args]
    lines = (
        library.ok(*args).splitlines()
        if width is None
        else (on_terminal(library, monkeypatch, width, *args))
    )

    made = newest_assets(library, 2 if args[0] == "generate" else 1)
    paths = {library.json("assets", "show", asset["id"])["location"] for asset in made}
    assert_whole(lines, {asset["id"] for asset in made} | paths)
    operation = made[0]["operation_id"]
    if width is not None:
        assert any(line.startswith(f"{made[0]['kind']} {operation} with ") for line in lines)


def newest_assets(cli: Cli, count: int) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = cli.json("assets", "list", "--limit", str(count))["items"]
    return items


def test_a_real_terminal_80_columns_wide_breaks_no_id(library: Cli) -> None:
    ids = {item["id"] for item in library.json("assets", "list")["items"]}
    shown = run_in_terminal(["assets", "list"], columns=80)

    assert_whole(shown, ids)
    assert "│" not in "".join(shown)  # too wide for a table at 80: one block per asset


def run_in_terminal(args: list[str], *, columns: int) -> list[str]:
    """`imagestudio ARGS` with its output on a pseudo-terminal of that width."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "TTY_COMPATIBLE")}
    child = subprocess.Popen(
        [sys.executable, "-c", "from imagestudio.entrypoints.cli.main import run; run()", *args],
        stdout=follower,
        stderr=follower,
        env=env,
    )
    os.close(follower)
    output = b""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        output += chunk
    os.close(leader)
    assert child.wait(timeout=60) == 0, output.decode(errors="replace")
    return [ANSI.sub("", line) for line in output.decode().replace("\r", "").splitlines()]
