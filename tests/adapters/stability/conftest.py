"""A scripted Stability stand-in served once per test module, reset before each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import stamina
from stability_scripted_server import ScriptedStability
from stability_test_support import serving


@pytest.fixture(scope="module")
def stand_in() -> Iterator[tuple[ScriptedStability, str]]:
    script = ScriptedStability()
    with serving(script.app()) as base_url:
        yield script, base_url


@pytest.fixture
def script(stand_in: tuple[ScriptedStability, str]) -> ScriptedStability:
    stand_in[0].reset()
    return stand_in[0]


@pytest.fixture
def base_url(stand_in: tuple[ScriptedStability, str]) -> str:
    return stand_in[1]


@pytest.fixture(autouse=True)
def fast_retries() -> Iterator[None]:
    """Retries without their waits: the tests count attempts, not seconds."""
    with stamina.set_testing(True, attempts=3):
        yield
