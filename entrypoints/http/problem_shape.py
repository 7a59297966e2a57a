"""An RFC 9457 problem as this API answers it: its status, stable type, words and headers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PROBLEM_TYPES = "/problems/"
"""Problem types are relative URIs under this path (RFC 9457 §3.1.1)."""
NO_RETRY = {"x-should-retry": "false"}
RFC_MEMBERS = frozenset({"type", "title", "status", "detail", "instance"})


@dataclass(frozen=True, slots=True, kw_only=True)
class Problem:
    status: int
    slug: str
    title: str
    detail: str
    extra: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # RFC 9457's own members keep their meaning: an error's field of the same name (an
        # operation's `status`) is named otherwise, never written over them.
        clashing = RFC_MEMBERS & self.extra.keys()
        assert not clashing, f"problem {self.slug} has fields named as RFC 9457's: {clashing}"

    @property
    def type(self) -> str:
        return PROBLEM_TYPES + self.slug

    def body(self, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": self.type,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if instance is not None:
            body["instance"] = instance
        body.update(self.extra)
        return body
