"""`to-video` on the offline provider says its clip is a preview size, next to what was asked."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from imagestudio.adapters.offline_provider import video

pytestmark = pytest.mark.skipif(video.load_av() is None, reason="PyAV is not installed")


def test_to_video_says_its_offline_clip_is_a_preview_size(picture: Path, tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "imagestudio.entrypoints.cli.main",
            "to-video",
            str(picture),
            "waves roll in",
            "--duration",
            "5",
            "--resolution",
            "720p",
            "--json",
        ],
        env={**os.environ, "IMAGESTUDIO_PROFILE": "test", "IMAGESTUDIO_DATA_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    [asset] = json.loads(done.stdout)["assets"]
    width, height = asset["width"], asset["height"]
    assert (width, height) == (video.RENDER_WIDTH, 240)
    assert (
        f"renders a preview size: {width}×{height} at {video.FRAMES_PER_SECOND} fps (720p asked;"
        in done.stderr
    )
