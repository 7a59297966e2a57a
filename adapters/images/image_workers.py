"""The `ImageWorkers` port: image work in a thread (tests, embedding) or, in servers, in a child
process per piece of work, a bounded number at a time and stopped at a time limit.

A child process, not a thread, because Pillow's work holds the GIL for long stretches and a
thread cannot be stopped; one process per piece, not a pool, so an overdue one is killed alone.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import threading
import weakref
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from returns.result import Failure, Result

from imagestudio.application.ports.image_processor import ProcessedImage
from imagestudio.application.ports.image_workers import ImageWork
from imagestudio.domain.errors import InputProblem, InvalidInput

Outcome = Result[ProcessedImage, InvalidInput]
COULD_NOT_PROCESS = InvalidInput("image", "could not be processed here")
CHILD_NOT_STARTED = (
    "an image worker's child process failed while importing the main module (its error is "
    'above): a script\'s code must be under `if __name__ == "__main__":`, as for any '
    "multiprocessing program, or ThreadImageWorkers keeps image work in the process"
)
Slots = weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore]


class ThreadImageWorkers:
    """Work in the event loop's default threads, `workers` at a time, with no time limit."""

    def __init__(self, workers: int = 2) -> None:
        if workers < 1:
            raise ValueError("at least one image worker is needed")
        self._workers = workers
        self._slots: Slots = weakref.WeakKeyDictionary()

    async def run(self, work: ImageWork, data: bytes) -> Outcome:
        async with _slot(self._slots, self._workers):
            return await asyncio.to_thread(work, data)


class ProcessImageWorkers:
    """Each piece of work in its own child process (forked from a clean server process),
    `workers` at a time; one still running after `seconds` is killed and refused."""

    def __init__(self, workers: int, seconds: float) -> None:
        if workers < 1:
            raise ValueError("at least one image worker is needed")
        if seconds <= 0:
            raise ValueError("image work needs some time")
        self._workers = workers
        self._seconds = seconds
        self._slots: Slots = weakref.WeakKeyDictionary()
        self._context = multiprocessing.get_context("forkserver")
        # Forked children then start with Pillow and the processors already imported.
        self._context.set_forkserver_preload(["imagestudio.adapters.images.pillow_processor"])

    async def run(self, work: ImageWork, data: bytes) -> Outcome:
        async with _slot(self._slots, self._workers):
            # Starting, waiting and reaping block: one thread per running piece, at most
            # `workers` of them, never the event loop.
            running = _Running()
            try:
                return await asyncio.to_thread(self._in_child, work, data, running)
            except asyncio.CancelledError:
                # Its caller is gone (Ctrl-C, a client that hung up): the child is stopped
                # now, not left working out its time with its thread and slot, and holding up
                # the loop's exit, which waits for that thread.
                running.stop()
                raise

    def _in_child(self, work: ImageWork, data: bytes, running: _Running) -> Outcome:
        receiving, sending = self._context.Pipe(duplex=False)
        child = self._context.Process(target=_work_in_child, args=(work, data, sending))
        child.daemon = True
        child.start()
        sending.close()
        running.started(child)
        try:
            if not receiving.poll(self._seconds):
                return Failure(
                    InvalidInput(
                        "image",
                        f"took more than the {self._seconds:g} s of image work allowed "
                        "(IMAGESTUDIO_IMAGE_SECONDS); try a smaller image or a simpler request",
                        InputProblem.TOO_LARGE,
                    )
                )
            outcome: Outcome = receiving.recv()
            return outcome
        except EOFError:  # the child died without an answer (out of memory, killed)
            child.join()
            if child.exitcode == 1:  # it raised before the work: `_work_in_child` answers all
                raise RuntimeError(CHILD_NOT_STARTED) from None
            return Failure(COULD_NOT_PROCESS)
        finally:
            receiving.close()
            if child.is_alive():
                child.kill()
            child.join()


class _Running:
    """The child of one piece of work, for its caller to stop from the event loop's thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._child: BaseProcess | None = None
        self._stopped = False

    def started(self, child: BaseProcess) -> None:
        with self._lock:
            self._child = child
            if self._stopped:
                child.kill()

    def stop(self) -> None:
        """Kill the child (its pipe then ends, and the waiting thread with it)."""
        with self._lock:
            self._stopped = True
            if self._child is not None and self._child.is_alive():
                self._child.kill()


def _work_in_child(work: ImageWork, data: bytes, sending: Connection) -> None:
    try:
        outcome = work(data)
    except Exception:  # answered, so that a child ending without an answer did not start
        outcome = Failure(COULD_NOT_PROCESS)
    try:
        sending.send(outcome)
    finally:
        sending.close()


def _slot(slots: Slots, workers: int) -> asyncio.Semaphore:
    # A semaphore belongs to one event loop; an embedding app may run one loop after another.
    loop = asyncio.get_running_loop()
    slot = slots.get(loop)
    if slot is None:
        slot = slots[loop] = asyncio.Semaphore(workers)
    return slot
