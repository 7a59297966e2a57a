"""Every number a setting takes is bounded both ways, and every value between the bounds works:
past them the CLI says which setting and what it takes (exit 2), inside them nothing overflows
later. Found by trying the extremes from outside: `IMAGESTUDIO_MICROS_PER_CREDIT=0` ended as an
"unexpected CatalogError" (exit 1) and `IMAGESTUDIO_OFFLINE_PRICE_USD=1e30` as an "unexpected
OverflowError" at the first `generate`, after the settings had taken it. The fields are read
from the settings model, so a new number setting is covered without editing this file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import types
import typing
from decimal import Decimal
from pathlib import Path
from typing import Any

import annotated_types
import pytest
from pydantic import ValidationError

from imagestudio.entrypoints.cli.main import _first_line
from imagestudio.entrypoints.settings import Settings

NUMBERS = (int, float, Decimal)


def _number_type(annotation: Any) -> type | None:
    """int, float or Decimal for a number setting (also when optional or annotated)."""
    if typing.get_origin(annotation) is typing.Annotated:
        return _number_type(typing.get_args(annotation)[0])
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        found = [_number_type(arg) for arg in typing.get_args(annotation)]
        return next((kind for kind in found if kind is not None), None)
    return annotation if annotation in NUMBERS else None


def _bounds(name: str) -> tuple[Any, Any]:
    """The lowest and highest value a number setting takes (None: no such bound)."""
    low = high = None
    for rule in Settings.model_fields[name].metadata:
        if isinstance(rule, annotated_types.Ge | annotated_types.Gt):
            low = rule
        if isinstance(rule, annotated_types.Le | annotated_types.Lt):
            high = rule
    return low, high


NUMBER_SETTINGS = sorted(
    name
    for name, field in Settings.model_fields.items()
    if _number_type(field.annotation) is not None
)


def test_the_number_settings_are_found() -> None:
    assert {"micros_per_credit", "offline_price_usd", "lease_seconds"} <= set(NUMBER_SETTINGS)


@pytest.mark.parametrize("name", NUMBER_SETTINGS)
def test_every_number_setting_is_bounded_both_ways(name: str) -> None:
    low, high = _bounds(name)
    assert low is not None and high is not None, f"IMAGESTUDIO_{name.upper()} is unbounded"


def _past(name: str) -> list[str]:
    """Values just outside the setting's bounds, and ones no number setting takes."""
    low, high = _bounds(name)
    below = getattr(low, "ge", None)
    below = below - 1 if below is not None else low.gt
    above = getattr(high, "le", None)
    above = above * 2 + 1 if above is not None else high.lt
    return [str(below), str(above), "1e30", "nan", "-inf"]


@pytest.mark.parametrize("name", NUMBER_SETTINGS)
def test_a_number_setting_past_its_bounds_is_named_with_what_it_takes(name: str) -> None:
    for value in _past(name):
        with pytest.raises(ValidationError) as refused:
            Settings(**{name: value})
        said = _first_line(refused.value)
        assert said.startswith(f"settings: IMAGESTUDIO_{name.upper()}: "), (value, said)
        assert not said.endswith(": "), said


def test_a_price_finer_than_a_micro_dollar_is_refused() -> None:
    with pytest.raises(ValidationError) as refused:
        Settings(offline_price_usd="0.0000001")
    assert "IMAGESTUDIO_OFFLINE_PRICE_USD" in _first_line(refused.value)


def _cli(
    tmp_path: Path, environment: dict[str, str], *args: str
) -> subprocess.CompletedProcess[str]:
    settings = {k: v for k, v in os.environ.items() if not k.startswith("IMAGESTUDIO_")}
    settings |= {
        "IMAGESTUDIO_DATA_DIR": str(tmp_path / "data"),
        "IMAGESTUDIO_SIGNING_KEY": "k" * 32,
        "IMAGESTUDIO_PROFILE": "local",
    }
    return subprocess.run(
        [sys.executable, "-c", "from imagestudio.entrypoints.cli.main import run; run()", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=settings | environment,
        cwd=tmp_path,  # no .env of the checkout's
    )


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("IMAGESTUDIO_MICROS_PER_CREDIT", "0"),
        ("IMAGESTUDIO_MICROS_PER_CREDIT", "-5"),
        ("IMAGESTUDIO_OFFLINE_PRICE_USD", "1e30"),
    ],
)
def test_the_cli_refuses_them_in_one_line_with_exit_2(
    variable: str, value: str, tmp_path: Path
) -> None:
    done = _cli(tmp_path, {variable: value}, "generate", "a kite")
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(f"error: settings: {variable}: "), done.stderr
    assert len(done.stderr.splitlines()) == 1, done.stderr
    assert "unexpected" not in done.stderr


def test_every_number_setting_at_its_highest_runs_and_charges(tmp_path: Path) -> None:
    """All at once at their highest (the durations too): an operation on SQLite runs and its
    price is charged exactly, with nothing overflowing."""
    highest = {}
    for name in NUMBER_SETTINGS:
        high = _bounds(name)[1]
        value = getattr(high, "le", None)
        if value is not None:
            highest[f"IMAGESTUDIO_{name.upper()}"] = str(value)
    done = _cli(tmp_path, highest, "generate", "a kite", "-n", "10", "--json")
    assert done.returncode == 0, done.stderr
    charged = json.loads(done.stdout)["charged_micros"]
    price = Settings(**{"offline_price_usd": highest["IMAGESTUDIO_OFFLINE_PRICE_USD"]})
    assert price.offline_price_usd is not None
    assert charged == 10 * int(price.offline_price_usd * 1_000_000)
    usage = _cli(tmp_path, highest, "usage", "--json")
    assert usage.returncode == 0, usage.stderr
    spend = next(row for row in json.loads(usage.stdout)["rows"] if row["name"] == "spend")
    assert (spend["used"], spend["held"]) == (charged, 0)
