"""Check providers: does each configured provider's key work, and what balance is left."""

from __future__ import annotations

from imagestudio.application.ports.provider import AccountStatus, ProviderDirectory


class CheckProviders:
    """Asks every configured provider about its account (read-only; costs nothing)."""

    def __init__(self, providers: ProviderDirectory) -> None:
        self._providers = providers

    async def execute(self) -> tuple[AccountStatus, ...]:
        """One status per configured provider, by name; one that cannot say is reported so."""
        statuses = []
        for provider in sorted(self._providers.all(), key=lambda p: p.name):
            check = getattr(provider, "check_account", None)
            if check is None:
                statuses.append(
                    AccountStatus(
                        provider=provider.name,
                        key_works=True,
                        detail="runs locally: no account, no key, no balance",
                    )
                )
                continue
            statuses.append(await check())
        return tuple(statuses)
