"""The command a newcomer types after `make demo` to carry on with the demo's own library."""

from __future__ import annotations

import shlex
import shutil
import sys
from pathlib import Path

from imagestudio.entrypoints.settings import Profile, Settings


def cli_command(cwd: Path | None = None) -> str:
    """How to call `imagestudio` from `cwd`: by name when that name on the PATH is this
    installation's script, else by the script's path (`.venv/bin/imagestudio` after `make demo`:
    the virtual environment is not activated), else through this interpreter."""
    here = Path.cwd() if cwd is None else cwd
    script = Path(sys.executable).parent / "imagestudio"
    if not script.exists():
        return f"{shlex.quote(sys.executable)} -m imagestudio.entrypoints.cli.main"
    on_path = shutil.which("imagestudio")
    if on_path is not None and Path(on_path).resolve() == script.resolve():
        return "imagestudio"
    return shlex.quote(_shown(script, here))


def continue_lines(settings: Settings, cwd: Path | None = None) -> list[str]:
    """What the demo prints last: where its data is, and the command that lists it."""
    if settings.effective_database_url is None:
        return [
            f"the {settings.profile} profile kept the demo's books in this process: they are gone "
            "(the default local profile keeps them)"
        ]
    here = Path.cwd() if cwd is None else cwd
    command = cli_command(here)
    data_dir = settings.data_dir
    profile = (
        "" if settings.profile is Profile.LOCAL else f"IMAGESTUDIO_PROFILE={settings.profile} "
    )
    lines = [
        f"continue where the demo left off (its data is in {settings.profile_dir}):",
        f"  {profile}IMAGESTUDIO_DATA_DIR={shlex.quote(str(data_dir))} {command} assets list",
    ]
    if command != "imagestudio":
        activate = Path(sys.executable).parent / "activate"
        if activate.exists():
            lines.append(
                f"  (or `. {shlex.quote(_shown(activate, here))}` once: then `imagestudio` is on "
                "the PATH)"
            )
    return lines


def _shown(path: Path, here: Path) -> str:
    """`path` from `here` when it lies below it (what `make demo`'s reader can type), else whole."""
    whole = path.absolute()
    below = here.absolute()
    return str(whole.relative_to(below)) if whole.is_relative_to(below) else str(whole)
