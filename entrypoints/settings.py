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
    LOCAL = "local"
    """The default: a SQLite file and asset files in the data directory; the offline provider."""
    POSTGRES = "postgres"
    """State in PostgreSQL (IMAGESTUDIO_DATABASE_URL), shared by every process that uses it."""
    OFFLINE = "offline"
    """State in the process, asset files under the data directory."""
    TEST = "test"
    """Everything in memory, nothing on disk: for tests and throw-away runs."""


class StorageKind(StrEnum):
    LOCAL = "local"
    MEMORY = "memory"
    S3 = "s3"


_PRESET_STORAGE = {
    Profile.LOCAL: StorageKind.LOCAL,
    Profile.POSTGRES: StorageKind.LOCAL,
    Profile.OFFLINE: StorageKind.LOCAL,
    Profile.TEST: StorageKind.MEMORY,
}


def _default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("imagestudio", appauthor=False))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="IMAGESTUDIO_", extra="ignore")

    profile: Profile = Profile.LOCAL
    data_dir: Path = Field(default_factory=_default_data_dir)
    database_url: str | None = None
    """Overrides the profile's database: `sqlite:///path` or `postgresql://user@host/db`."""
    storage: StorageKind | None = None
    """Overrides the profile's asset storage."""
    database_pool: bool = True
    """Keep database connections open between calls; the CLI, one event loop per command, turns
    it off."""
    s3_bucket: str | None = None
    s3_prefix: str = ""
    s3_endpoint_url: str | None = None
    """For S3-compatible servers (MinIO, Ceph…); AWS when unset."""
    s3_region: str | None = None
    s3_allow_http: bool = False
    default_user: str = "local"
    """A user who exists from the start, so a newcomer can run every command with no set-up."""
    default_plan: str = "local"
    offline_price_usd: Decimal | None = None
    """A flat price per output for the offline models (free when unset)."""
    micros_per_credit: int = 10_000
    """What one Stability credit costs, in micro-dollars ($0.01)."""
    idempotency_hours: int = Field(default=24, gt=0)
    lease_seconds: float = Field(default=60, gt=0)
    """How long an operation stays leased to its process without renewal (renewed every third)."""

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
    def effective_database_url(self) -> str | None:
        """Where state lives: None keeps it in the process (offline and test profiles)."""
        if self.database_url:
            return self.database_url
        if self.profile is Profile.LOCAL:
            return f"sqlite:///{self.data_dir / 'imagestudio.db'}"
        if self.profile is Profile.POSTGRES:
            raise SettingsError("the postgres profile needs IMAGESTUDIO_DATABASE_URL")
        return None

    @property
    def assets_dir(self) -> Path:
        return self.data_dir / "assets"
