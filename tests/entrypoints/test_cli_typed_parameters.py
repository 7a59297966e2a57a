"""A `--param` of the wrong type for its field is exit 2 naming the field, like any invalid
input; a video `duration` of 5.0 once reached an assertion in pricing ("unexpected", exit 1)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from imagestudio.entrypoints.cli.main import app


@pytest.mark.parametrize("duration", ["5.0", "True", "7"])
def test_a_duration_that_is_not_a_listed_whole_number_is_exit_2(
    picture: Path, duration: str
) -> None:
    done = CliRunner().invoke(
        app, ["to-video", str(picture), "waves", "--param", f"duration={duration}"]
    )

    assert done.exit_code == 2, done.output
    assert "duration" in done.output
