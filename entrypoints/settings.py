"""Settings from IMAGESTUDIO_* variables: a profile is a preset, single settings override it."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from pathlib import Path

import platformdirs
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class SettingsError(ValueError):
    """The settings name something that does not exist (a plan, a profile, …)."""


class Profile(StrEnum):
    OFFLINE = "offline"
    """In-process adapters, the offline provider, asset files under the data directory."""
    TEST = "test"
    """Everything in memory, nothing on disk: for tests and throw-away runs."""


class StorageKind(StrEnum):
    LOCAL = "local"
    MEMORY = "memory"


_PRESET_STORAGE = {Profile.OFFLINE: StorageKind.LOCAL, Profile.TEST: StorageKind.MEMORY}


def _default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("imagestudio", appauthor=False))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="IMAGESTUDIO_", extra="ignore")

    profile: Profile = Profile.OFFLINE
    data_dir: Path = Field(default_factory=_default_data_dir)
    storage: StorageKind | None = None
    """Overrides the profile's asset storage."""
    default_user: str = "local"
    """A user who exists from the start, so a newcomer can run every command with no set-up."""
    default_plan: str = "local"
    offline_price_usd: Decimal | None = None
    """A flat price per output for the offline models (free when unset)."""
    micros_per_credit: int = 10_000
    """What one Stability credit costs, in micro-dollars ($0.01)."""
    idempotency_hours: int = Field(default=24, gt=0)

    @field_validator("offline_price_usd", mode="before")
    @classmethod
    def _no_float_money(cls, value: object) -> object:
        if isinstance(value, float):
            raise ValueError("give money as a string such as '0.02', never a float")
        return value

    @property
    def effective_storage(self) -> StorageKind:
        return self.storage or _PRESET_STORAGE[self.profile]

    @property
    def assets_dir(self) -> Path:
        return self.data_dir / "assets"
