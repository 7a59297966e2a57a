"""The providers a profile configures, looked up by name, and why the others are not."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from imagestudio.application.ports.provider import ImageProvider


class StaticProviderDirectory:
    """A fixed set of provider adapters, chosen once when the container is built.

    `disabled` names the providers this profile leaves out, with the reason a user can act on
    ("set IMAGESTUDIO_WAVESPEED_API_KEY").
    """

    def __init__(
        self, providers: Iterable[ImageProvider], disabled: Mapping[str, str] | None = None
    ) -> None:
        self._providers = {provider.name: provider for provider in providers}
        self._disabled = dict(disabled or {})

    def get(self, provider: str) -> ImageProvider | None:
        return self._providers.get(provider)

    def names(self) -> frozenset[str]:
        return frozenset(self._providers)

    def why_unavailable(self, provider: str) -> str | None:
        if provider in self._providers:
            return None
        return self._disabled.get(provider, f"this profile does not configure {provider}")

    def all(self) -> tuple[ImageProvider, ...]:
        return tuple(self._providers.values())
