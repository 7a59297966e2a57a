"""The input images of accepted tasks, kept on disk so any process can render a task again.

``inputs/<sha256>`` holds each image once, by content; ``tasks/<digest>.json`` lists a task's
inputs (role, hash, media type, size) under the task id's digest. Files are written to a
temporary name and renamed, so a process killed mid-write leaves no half file under a kept
name (no fsync: a killed process loses nothing the kernel already has; a power cut may).
Whatever was last written or used `keep_for` ago is deleted, now and then, while keeping.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
import uuid
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from imagestudio.adapters.offline_provider.task_ids import input_hash
from imagestudio.application.ports.provider import InputImage
from imagestudio.domain.media import MediaType

_PRUNE_EVERY = timedelta(hours=1)
_SHA256 = re.compile(r"[0-9a-f]{64}")


class KeptInputs:
    def __init__(self, folder: Path, keep_for: timedelta) -> None:
        self._inputs = folder / "inputs"
        self._tasks = folder / "tasks"
        self._keep_for = keep_for
        self._pruned_at: float | None = None

    def keep(self, digest: str, inputs: tuple[InputImage, ...]) -> None:
        """Remember `inputs` under `digest`; raises OSError when the disk refuses."""
        self._prune_now_and_then()
        self._inputs.mkdir(parents=True, exist_ok=True)
        self._tasks.mkdir(parents=True, exist_ok=True)
        listed = []
        for given in inputs:
            content = input_hash(given)
            _write_once(self._inputs / content, given.data)
            listed.append(
                {
                    "role": given.role,
                    "sha256": content,
                    "media_type": given.media_type.value,
                    "width": given.width,
                    "height": given.height,
                }
            )
        _replace(self._tasks / f"{digest}.json", json.dumps({"inputs": listed}).encode())

    def recall(self, digest: str) -> tuple[InputImage, ...] | None:
        """The inputs kept under `digest`; None when they are gone or were never kept.

        Raises OSError when the disk cannot be read (not the same as "gone").
        """
        try:
            record = json.loads((self._tasks / f"{digest}.json").read_bytes())
            return tuple(self._input(entry) for entry in record["inputs"])
        except FileNotFoundError:
            return None
        except (ValueError, KeyError, TypeError):
            return None  # a record or an input that is not what was kept

    def _input(self, entry: Mapping[str, Any]) -> InputImage:
        content = str(entry["sha256"])
        if not _SHA256.fullmatch(content):
            raise ValueError(f"{content!r} is not a SHA-256")
        data = (self._inputs / content).read_bytes()
        if hashlib.sha256(data).hexdigest() != content:
            raise ValueError(f"kept input {content} does not match its hash")
        return InputImage(
            data=data,
            media_type=MediaType(entry["media_type"]),
            width=int(entry["width"]),
            height=int(entry["height"]),
            role=str(entry["role"]),
        )

    def _prune_now_and_then(self) -> None:
        now = time.monotonic()
        every = min(_PRUNE_EVERY, self._keep_for).total_seconds()
        if self._pruned_at is not None and now - self._pruned_at < every:
            return
        self._pruned_at = now
        oldest = time.time() - self._keep_for.total_seconds()
        for folder in (self._tasks, self._inputs):
            for path in folder.iterdir() if folder.is_dir() else ():
                try:
                    if path.stat().st_mtime < oldest:
                        path.unlink()
                except FileNotFoundError:
                    continue  # pruned by another process meanwhile


def _write_once(path: Path, data: bytes) -> None:
    """Content-addressed: an existing file is already right; touching it keeps it from pruning."""
    try:
        os.utime(path)
    except FileNotFoundError:
        _replace(path, data)


def _replace(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
    try:
        temporary.write_bytes(data)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
