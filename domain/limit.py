"""A limit on one quota dimension: a number, or unlimited said explicitly (0 is a real zero)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Limit:
    maximum: int | None

    def __post_init__(self) -> None:
        if self.maximum is not None and self.maximum < 0:
            raise ValueError(f"a limit cannot be negative: {self.maximum}")

    @classmethod
    def of(cls, maximum: int) -> Limit:
        if maximum is None:
            raise ValueError("use Limit.unlimited() to say unlimited")
        return cls(maximum)

    @classmethod
    def unlimited(cls) -> Limit:
        return cls(None)

    @property
    def is_unlimited(self) -> bool:
        return self.maximum is None

    def admits(self, total: int) -> bool:
        return self.maximum is None or total <= self.maximum

    def remaining(self, used: int, held: int) -> int | None:
        if self.maximum is None:
            return None
        return max(0, self.maximum - used - held)

    def __str__(self) -> str:
        return "unlimited" if self.maximum is None else str(self.maximum)


UNLIMITED = Limit.unlimited()
