"""The providers a profile configures, looked up by name."""

from __future__ import annotations

from collections.abc import Iterable

from imagestudio.application.ports.provider import ImageProvider


class StaticProviderDirectory:
    """A fixed set of provider adapters, chosen once when the container is built."""

    def __init__(self, providers: Iterable[ImageProvider]) -> None:
        self._providers = {provider.name: provider for provider in providers}

    def get(self, provider: str) -> ImageProvider | None:
        return self._providers.get(provider)

    def names(self) -> frozenset[str]:
        return frozenset(self._providers)
