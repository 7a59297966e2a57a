"""A studio is never built while a child process of the image workers imports its parent's main
module: a script without `if __name__ == "__main__":` ran again, whole, in every child that did a
piece of local image work, and so ran (and charged) each operation it made before it again."""

from __future__ import annotations

from multiprocessing import process

UNGUARDED_SCRIPT = (
    "an ImageStudio cannot be built while a child process of the image workers imports the "
    'main module: put the script\'s code under `if __name__ == "__main__":`, or give '
    "adapters={'image_workers': ThreadImageWorkers()}"
)


def refuse_in_a_starting_child() -> None:
    """RuntimeError in a multiprocessing child still importing its parent's main module (the
    flag multiprocessing itself reads to refuse starting a process there)."""
    if getattr(process.current_process(), "_inheriting", False):
        raise RuntimeError(UNGUARDED_SCRIPT)
