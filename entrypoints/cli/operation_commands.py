"""The CLI commands that run an operation (and may spend quota), in `--help`'s order."""

from __future__ import annotations

import typer

from imagestudio.entrypoints.cli.image_commands import control, edit, generate
from imagestudio.entrypoints.cli.image_retouch_commands import face_swap, upscale
from imagestudio.entrypoints.cli.image_to_media_commands import to_3d, to_video


def register(app: typer.Typer) -> None:
    app.command()(generate)
    app.command()(edit)
    app.command()(upscale)
    app.command()(control)
    app.command("to-3d")(to_3d)
    app.command("face-swap")(face_swap)
    app.command("to-video")(to_video)
