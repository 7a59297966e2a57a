"""What the soak sends: the plans and users (through the admin API), and a random mix of
operations over both APIs — native JSON, sync and `Prefer: respond-async`, and the
OpenAI-compatible generations (JSON) and edits (multipart) — with and without idempotency keys."""

from __future__ import annotations

import base64
import io
import random
from dataclasses import dataclass, field
from typing import Any

import httpx
from PIL import Image

from imagestudio.domain.money import usd_to_micros

MODERATED_WORD = "forbidden"
"""The sandbox refuses a prompt with this word (its `moderation_word`)."""
FILTERED_WORD = "blurry-nsfw"
"""The sandbox bills a prompt with this word, then filters its outputs (`filter_word`)."""
WORDS = ("lighthouse", "fox", "harbour", "kite", "dune", "meadow", "castle", "lantern", "river")
PLANS: dict[str, dict[str, Any]] = {
    "soak-tight": {
        "spend_cap": "0.10",
        "requests_per_minute": 20,
        "concurrent_operations": 1,
        "calls": {"image-generation": 5, "image-edit": 3, "upscale": 2},
    },
    "soak-roomy": {
        "spend_cap": "4.00",
        "requests_per_minute": 120,
        "concurrent_operations": 1,
        "calls": {"image-generation": 80, "image-edit": 40, "upscale": 20},
    },
}
"""Tight call limits, spend caps and concurrency 1: the tight plan binds within a few calls."""
BUDGETS = {"wavespeed": "100000.00", "stability": "100000.00"}
"""The operator's budgets: finite, so their counters are kept (and checked against the ledger)."""


@dataclass(frozen=True, slots=True)
class Limits:
    """A plan's user limits as the quota counters count them (`calls:<category>`, `spend`)."""

    counters: dict[str, int]
    concurrency: int
    per_minute: int

    @classmethod
    def of(cls, plan: dict[str, Any]) -> Limits:
        counters = {f"calls:{name}": int(n) for name, n in plan["calls"].items()}
        counters["spend"] = usd_to_micros(plan["spend_cap"])
        return cls(counters, int(plan["concurrent_operations"]), int(plan["requests_per_minute"]))


@dataclass(slots=True)
class SoakUser:
    id: str
    key: str
    plan: str
    busy: bool = False
    not_before: float = 0.0
    """A 429's `Retry-After`, on the monotonic clock: a polite client waits that long."""
    refusals_in_a_row: int = 0
    keys: list[tuple[str, Request]] = field(default_factory=list)
    """Idempotency keys sent, with the request first sent under each."""


@dataclass(frozen=True, slots=True)
class Request:
    """One operation as sent: its shape's name, where, and the body."""

    shape: str
    path: str
    json: dict[str, Any] | None = None
    form: dict[str, str] | None = None
    files: dict[str, tuple[str, bytes, str]] | None = None
    respond_async: bool = False

    @property
    def native(self) -> bool:
        return self.path == "/v1/operations"

    def changed(self) -> Request:
        """The same request with another prompt: a reused key must refuse it."""
        if self.json is not None:
            return _replace(self, json={**self.json, "prompt": self.json["prompt"] + " again"})
        assert self.form is not None
        return _replace(self, form={**self.form, "prompt": self.form["prompt"] + " again"})


def _replace(request: Request, **changes: Any) -> Request:
    fields = {name: getattr(request, name) for name in Request.__slots__}
    return Request(**(fields | changes))


def picture() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 60, 30)).save(buffer, "PNG")
    return buffer.getvalue()


PICTURE = picture()
PICTURE_B64 = base64.b64encode(PICTURE).decode()


class Mix:
    """Draws operations: which shape, prompt, sync or async; seeded, so a run repeats."""

    def __init__(self, seed: int, moderation_rate: float, filter_rate: float) -> None:
        self.random = random.Random(seed)
        self.moderation_rate = moderation_rate
        self.filter_rate = filter_rate
        self.moderated = 0
        self.filtered = 0
        self._shapes = [
            (30, self._flux),
            (10, self._auto),
            (5, self._core),
            (10, self._edit),
            (8, self._upscale_fast),
            (3, self._upscale_creative),
            (20, self._openai_generation),
            (8, self._openai_edit),
        ]

    def next(self) -> Request:
        weights = [weight for weight, _ in self._shapes]
        [(_, make)] = self.random.choices(self._shapes, weights=weights)
        return make()

    def _prompt(self) -> str:
        words = self.random.sample(WORDS, 3)
        if self.random.random() < self.moderation_rate:
            words.append(MODERATED_WORD)
            self.moderated += 1
        elif self.random.random() < self.filter_rate:
            words.append(FILTERED_WORD)
            self.filtered += 1
        return " ".join(words)

    def _native(self, shape: str, body: dict[str, Any]) -> Request:
        return Request(shape, "/v1/operations", json=body, respond_async=self.random.random() < 0.5)

    def _flux(self) -> Request:
        n = self.random.choice((1, 1, 2))
        body = {"kind": "text-to-image", "model": "wavespeed/flux-dev", "n": n}
        return self._native("native flux-dev", body | self._square())

    def _auto(self) -> Request:
        body = {"kind": "text-to-image", "model": "auto"}
        return self._native("native auto", body | self._square())

    def _core(self) -> Request:
        body = {"kind": "text-to-image", "model": "stability/generate-core"}
        return self._native("native generate-core", body | {"prompt": self._prompt()})

    def _edit(self) -> Request:
        body = {"kind": "image-edit", "model": "wavespeed/qwen-image-edit"}
        return self._native("native qwen-edit", body | self._with_image())

    def _upscale_fast(self) -> Request:
        body = {"kind": "upscale", "model": "stability/upscale-fast"}
        return self._native("native upscale-fast", body | self._with_image())

    def _upscale_creative(self) -> Request:
        body = {"kind": "upscale", "model": "stability/upscale-creative"}
        return self._native("native upscale-creative", body | self._with_image())

    def _square(self) -> dict[str, Any]:
        return {"prompt": self._prompt(), "width": 256, "height": 256}

    def _with_image(self) -> dict[str, Any]:
        return {"prompt": self._prompt(), "images": [{"role": "image", "base64": PICTURE_B64}]}

    def _openai_generation(self) -> Request:
        body: dict[str, Any] = {
            "prompt": self._prompt(),
            "model": self.random.choice(("dall-e-3", "wavespeed/flux-dev")),
            "size": "256x256",
            "response_format": self.random.choice(("url", "b64_json")),
        }
        return Request("openai generations", "/v1/images/generations", json=body)

    def _openai_edit(self) -> Request:
        form = {"prompt": self._prompt(), "response_format": "url"}
        files = {"image": ("in.png", PICTURE, "image/png")}
        return Request("openai edits", "/v1/images/edits", form=form, files=files)


async def send(
    http: httpx.AsyncClient, base_url: str, user: SoakUser, request: Request, key: str | None
) -> httpx.Response:
    headers = {"authorization": f"Bearer {user.key}"}
    if key is not None:
        headers["idempotency-key"] = key
    if request.respond_async:
        headers["prefer"] = "respond-async"
    return await http.post(
        base_url + request.path,
        headers=headers,
        json=request.json,
        data=request.form,
        files=request.files,
    )


async def set_up(
    http: httpx.AsyncClient, base_url: str, admin_key: str, users: int
) -> list[SoakUser]:
    """The plans, the operator's budgets and `users` users (alternately tight and roomy)."""
    admin = {"authorization": f"Bearer {admin_key}"}
    for name, limits in PLANS.items():
        (
            await http.put(f"{base_url}/v1/admin/plans/{name}", json=limits, headers=admin)
        ).raise_for_status()
    for provider, monthly in BUDGETS.items():
        budget = {"monthly": monthly}
        (
            await http.put(f"{base_url}/v1/admin/budgets/{provider}", json=budget, headers=admin)
        ).raise_for_status()
    made = []
    plans = list(PLANS)
    for index in range(users):
        plan = plans[index % len(plans)]
        answer = await http.post(
            f"{base_url}/v1/admin/users",
            json={"user_id": f"soak-{index:04d}", "plan": plan},
            headers=admin,
        )
        answer.raise_for_status()
        made.append(SoakUser(answer.json()["user_id"], answer.json()["api_key"], plan))
    return made
