"""Predictions as the emulated service keeps them, and the JSON object polls answer with."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum

POLL_PATH = "/api/v3/predictions/{id}/result"


class Status(StrEnum):
    CREATED = "created"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"


@dataclass(slots=True, eq=False)
class Prediction:
    """One task. Changed only on the server's event loop, so it needs no lock."""

    model: str
    base_url: str
    """The sandbox's address as the submitting client used it: outputs and `urls.get` use it."""
    price: Decimal = Decimal(0)
    """What a success will be billed."""
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    created_at: str = field(default_factory=lambda: iso_now())
    status: Status = Status.CREATED
    outputs: list[str] = field(default_factory=list)
    has_nsfw_contents: list[bool] = field(default_factory=list)
    error: str = ""
    inference_ms: int = 0
    finished: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def poll_url(self) -> str:
        return self.base_url + POLL_PATH.format(id=self.id)

    @property
    def running(self) -> bool:
        return self.status in (Status.CREATED, Status.PROCESSING)

    def complete(self, outputs: list[str], nsfw: bool, inference_ms: int) -> None:
        self.outputs = outputs
        self.has_nsfw_contents = [nsfw] * len(outputs)
        self.inference_ms = inference_ms
        self.status = Status.COMPLETED
        self.finished.set()

    def fail(self, error: str, inference_ms: int) -> None:
        self.error = error
        self.inference_ms = inference_ms
        self.status = Status.FAILED
        self.finished.set()

    def as_json(self) -> dict[str, object]:
        """The prediction object of contract §1.3 (`data` of submit and poll replies)."""
        return {
            "id": self.id,
            "model": self.model,
            "status": self.status.value,
            "outputs": list(self.outputs),
            "urls": {"get": self.poll_url},
            "has_nsfw_contents": list(self.has_nsfw_contents),
            "created_at": self.created_at,
            "error": self.error,
            "timings": {"inference": self.inference_ms},
        }


class PredictionBook:
    """Every prediction by id, and the background tasks running them (kept from the GC)."""

    def __init__(self) -> None:
        self._predictions: dict[str, Prediction] = {}
        self._unfinished: dict[str, Prediction] = {}
        self._running: set[asyncio.Task[None]] = set()

    def add(self, prediction: Prediction) -> None:
        self._predictions[prediction.id] = prediction
        self._unfinished[prediction.id] = prediction

    def get(self, prediction_id: str) -> Prediction | None:
        return self._predictions.get(prediction_id)

    def unfinished(self) -> list[Prediction]:
        """The predictions still running; only those are looked at, however many finished."""
        for finished in [key for key, found in self._unfinished.items() if not found.running]:
            del self._unfinished[finished]
        return list(self._unfinished.values())

    def keep_running(self, task: asyncio.Task[None]) -> None:
        self._running.add(task)
        task.add_done_callback(self._running.discard)


def iso_now() -> str:
    """Now in UTC as ISO-8601 with milliseconds and a Z, as WaveSpeed writes `created_at`."""
    now = datetime.now(UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"
