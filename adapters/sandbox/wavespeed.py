"""WaveSpeed v3 emulator (provider_contracts.md §1 and §3). Placeholder: routes to come."""

from __future__ import annotations

from starlette.routing import BaseRoute

from imagestudio.adapters.sandbox.state import SandboxState


class WaveSpeedEmulator:
    def __init__(self, state: SandboxState) -> None:
        self._state = state

    def routes(self) -> list[BaseRoute]:
        return []
