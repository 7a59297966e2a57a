"""A problem's guide: its status, title, what it means and what to do about it; and the phrases
several guides share."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ProblemGuide:
    status: int | None
    title: str
    meaning: str
    action: str


CHECK_THE_FIELD = "Correct the field the problem names (`field`, `reason`) and send it again."
NOT_CHARGED = "Nothing was reserved or charged."
