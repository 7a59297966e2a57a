"""A studio is never built by a script's top-level code run again in a child process: local
image work runs in forkserver children, which import their parent's main module first, so a
script without `if __name__ == "__main__":` ran again, whole, in every child that did a piece of
local image work, and ran (and charged) each operation it made before it a second time."""

from __future__ import annotations

import inspect
from multiprocessing import process

UNGUARDED_SCRIPT = (
    "an ImageStudio cannot be built by the main module's code run again in a child process of "
    'the image workers: put the script\'s code under `if __name__ == "__main__":`, or give '
    "adapters={'image_workers': ThreadImageWorkers()}"
)
_RUN_AGAIN = "__mp_main__"
"""The name multiprocessing runs the parent's main module under in a child."""


def refuse_in_a_starting_child() -> None:
    """RuntimeError when called, in a multiprocessing child still starting (the flag
    multiprocessing itself reads to refuse starting a process there), by the top-level code of
    the parent's main module run again. A studio built by the top-level code of a module being
    imported (`studio = SyncImageStudio()` in the host's own module) is left alone: it runs
    nothing, and refusing it would stop every child importing that module."""
    if not getattr(process.current_process(), "_inheriting", False):
        return
    frame = inspect.currentframe()
    while frame is not None:
        if frame.f_code.co_name == "<module>":  # the nearest module's top-level code decides
            if frame.f_globals.get("__name__") == _RUN_AGAIN:
                raise RuntimeError(UNGUARDED_SCRIPT)
            return
        frame = frame.f_back
