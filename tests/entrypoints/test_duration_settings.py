"""Every duration setting (`…_seconds`, `…_hours`) is bounded: `inf`, `nan` and `1e300` are a
settings error (exit 2, one line), not an "unexpected OverflowError" from the date arithmetic of
whichever command first used them; the longest taken still works in that arithmetic."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from imagestudio.entrypoints.durations import MOST_HOURS, MOST_SECONDS
from imagestudio.entrypoints.settings import Settings

DURATIONS = sorted(name for name in Settings.model_fields if name.endswith(("_seconds", "_hours")))
TOO_LONG = ("inf", "nan", "1e300", "100000000000000000000")


def test_the_durations_are_found() -> None:
    assert {"lease_seconds", "gc_margin_seconds", "idempotency_hours"} <= set(DURATIONS)


@pytest.mark.parametrize("name", DURATIONS)
def test_a_duration_too_long_for_a_date_is_refused(name: str) -> None:
    for value in TOO_LONG:
        with pytest.raises(ValidationError):
            Settings(**{name: value})
    longest = Settings.model_fields[name].metadata
    bound = max(getattr(rule, "le", 0) or 0 for rule in longest)
    assert 0 < bound <= (MOST_HOURS if name.endswith("_hours") else MOST_SECONDS)
    unit = timedelta(hours=1) if name.endswith("_hours") else timedelta(seconds=1)
    assert datetime.now(UTC) + unit * bound > datetime.now(UTC)  # no overflow at the bound


def run(tmp_path: Path, *args: str, **environment: str) -> subprocess.CompletedProcess[str]:
    settings = {k: v for k, v in os.environ.items() if not k.startswith("IMAGESTUDIO_")}
    settings |= {"IMAGESTUDIO_DATA_DIR": str(tmp_path / "data"), **environment}
    return subprocess.run(
        [sys.executable, "-c", "from imagestudio.entrypoints.cli.main import run; run()", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=settings,
    )


@pytest.mark.parametrize(
    ("args", "environment", "said"),
    [
        (["storage", "gc"], {"IMAGESTUDIO_GC_MARGIN_SECONDS": "inf"}, "settings: IMAGESTUDIO_"),
        (["db", "sweep"], {"IMAGESTUDIO_LEASE_SECONDS": "1e300"}, "settings: IMAGESTUDIO_"),
        (["reconcile"], {"IMAGESTUDIO_RECONCILE_AFTER_SECONDS": "nan"}, "settings: IMAGESTUDIO_"),
        (["storage", "gc", "--margin-seconds", "inf"], {}, "invalid value for '--margin"),
        (["storage", "gc", "--margin-seconds", "1e300"], {}, "invalid value for '--margin"),
    ],
    ids=["gc-margin", "lease", "reconcile-after", "margin-option-inf", "margin-option-huge"],
)
def test_the_command_line_says_it_in_one_line(
    args: list[str], environment: dict[str, str], said: str, tmp_path: Path
) -> None:
    done = run(tmp_path, *args, **environment)
    assert done.returncode == 2, done.stderr
    (line,) = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert line.startswith(f"error: {said}"), line
    assert "Overflow" not in done.stderr
