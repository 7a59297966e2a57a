"""What the service refuses to draw (403, 422) and what it draws but blurs (CONTENT_FILTERED)."""

from __future__ import annotations

from collections.abc import Iterable

from imagestudio.adapters.sandbox.config import SandboxConfig
from imagestudio.adapters.sandbox.stability_errors import MODERATED, NOT_ENGLISH, Refusal

_LATIN_END = 0x24F
"""Letters up to Latin Extended-B count as English-looking (accents and all)."""


def screened(prompts: Iterable[str], config: SandboxConfig) -> bool:
    """Whether the output must be filtered; raises a 403 or 422 Refusal for a refused prompt."""
    texts = [text.lower() for text in prompts]
    if _mentioned(config.moderation_word, texts):
        raise Refusal(403, "content_moderation", MODERATED)
    if any(_mostly_foreign(text) for text in texts):
        raise Refusal(422, "invalid_language", NOT_ENGLISH)
    return _mentioned(config.filter_word, texts)


def _mentioned(word: str, texts: list[str]) -> bool:
    return bool(word) and any(word.lower() in text for text in texts)


def _mostly_foreign(text: str) -> bool:
    letters = [char for char in text if char.isalpha()]
    foreign = sum(1 for char in letters if ord(char) > _LATIN_END)
    return foreign * 2 > len(letters)
