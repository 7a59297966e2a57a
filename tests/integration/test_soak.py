"""The soak's short form (`bench/soak.py --smoke`, as the README runs it): two servers on one
PostgreSQL and one on SQLite, under load, provider faults and 3 SIGKILLs in all, then recovery;
every check of the books passes, and the figures it prints say what was proven."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from support.postgres_server import PostgresUnavailable, find_bin_dir, may_skip_without_postgres

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = "bench/soak.py"
FIGURES = (
    "operations run",
    "provider calls faulted",
    "faults: ",
    "server kills survived",
    "users over limit | 0 |",
    "double charges | 0 |",
    "lost charges | 0 |",
    "held after recovery | 0 |",
    "unsettled after recovery | 0 |",
    "differences with the provider's book | 0 |",
    "p50 / p99 latency under load",
)


def variants() -> list[str]:
    """Both, unless this machine may go without PostgreSQL (never on CI)."""
    try:
        find_bin_dir()
    except PostgresUnavailable:
        if may_skip_without_postgres():
            return ["--variant", "sqlite"]
        raise
    return []


@pytest.fixture(scope="module")
def soak(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, list[dict[str, Any]]]:
    results = tmp_path_factory.mktemp("soak") / "results.json"
    env = {name: value for name, value in os.environ.items() if not name.startswith("IMAGESTUDIO_")}
    command = [sys.executable, SCRIPT, "--smoke", "--json", str(results), *variants()]
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, f"{done.stdout[-6000:]}\n{done.stderr[-3000:]}"
    return done.stdout, json.loads(results.read_text())


def test_the_readme_runs_the_soak_as_this_test_does() -> None:
    assert f".venv/bin/python {SCRIPT}" in (ROOT / "README.md").read_text()


def test_every_check_of_the_books_passes_after_the_kills(
    soak: tuple[str, list[dict[str, Any]]],
) -> None:
    _, results = soak
    for result in results:
        broken = {name: check for name, check in result["checks"].items() if check["broken"]}
        assert result["passed"] and not broken, (result["name"], broken)
        assert not result["unexpected"] and not result["idempotency"], result["name"]
        assert result["users_over"] == [] and result["samples"] > 3, result["name"]
        assert result["recovered_in"] is not None, result["name"]
        assert result["audit"] == {"exit_code": 0, "differences": 0}, result["name"]


def test_the_short_form_kills_at_most_three_times_and_drives_every_kind_of_load(
    soak: tuple[str, list[dict[str, Any]]],
) -> None:
    _, results = soak
    assert 1 <= sum(result["kills"] for result in results) <= 3
    assert all(result["kills"] >= 1 for result in results)
    for result in results:
        assert result["accepted"] > 20, result
        answers = result["answers"]
        assert answers.get("200", 0) > 0 and answers.get("202", 0) > 0, answers
        faulted, calls = result["faulted"]
        assert faulted >= 0.05 * calls > 0, result["faulted"]
        assert result["book"]["by_task_id"] > 0, result["book"]
    kinds = {kind for result in results for kind in result["faults"]}
    assert len(kinds) >= 6, kinds
    assert sum(result["moderated_prompts"] for result in results) > 0


def test_it_prints_the_figures_table(soak: tuple[str, list[dict[str, Any]]]) -> None:
    printed, results = soak
    lines = printed.splitlines()
    assert lines[0].startswith("## ") and lines[0].endswith("(--smoke)")
    table = [line for line in lines if line.startswith("| ")]
    for figure in FIGURES:
        assert any(figure in line for line in table), figure
    assert "every check passed" in lines[-1] and "(run took" in lines[-1]
    assert len(results) == len(table[0].split("|")) - 3  # one column per variant
