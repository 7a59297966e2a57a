"""The profiles IMAGESTUDIO_PROFILE names, and what each one presets: where state and asset
bytes live, and whether the offline provider is offered. A single setting overrides its part of
the preset (`Settings`, settings.py)."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType

import platformdirs


class Profile(StrEnum):
    LOCAL = "local"
    """The default: a SQLite file and asset files in the data directory; the offline provider."""
    POSTGRES = "postgres"
    """State in PostgreSQL (IMAGESTUDIO_DATABASE_URL), shared by every process that uses it."""
    OFFLINE = "offline"
    """State in the process, asset files under the data directory."""
    TEST = "test"
    """Everything in memory, nothing on disk: for tests and throw-away runs."""
    SANDBOX = "sandbox"
    """Like local, but the real WaveSpeed and Stability adapters talk to a local sandbox
    (`imagestudio sandbox`, at IMAGESTUDIO_SANDBOX_URL) instead of the offline provider."""


class StorageKind(StrEnum):
    LOCAL = "local"
    MEMORY = "memory"
    S3 = "s3"


PRESET_STORAGE: Mapping[Profile, StorageKind] = MappingProxyType(
    {
        Profile.LOCAL: StorageKind.LOCAL,
        Profile.POSTGRES: StorageKind.LOCAL,
        Profile.OFFLINE: StorageKind.LOCAL,
        Profile.TEST: StorageKind.MEMORY,
        Profile.SANDBOX: StorageKind.LOCAL,
    }
)
"""Where each profile keeps asset bytes, unless IMAGESTUDIO_STORAGE says."""
OFFLINE_PROVIDER_BY_DEFAULT = frozenset({Profile.LOCAL, Profile.OFFLINE, Profile.TEST})
"""The profiles that offer the offline provider, unless IMAGESTUDIO_OFFLINE_PROVIDER says."""
SQLITE_PROFILES = frozenset({Profile.LOCAL, Profile.SANDBOX})
"""The profiles that keep state in a SQLite file in their folder, unless
IMAGESTUDIO_DATABASE_URL names a database; `postgres` needs one named, the others keep state in
the process."""


def default_data_dir() -> Path:
    """IMAGESTUDIO_DATA_DIR when unset: the platform's folder for a user's application data."""
    return Path(platformdirs.user_data_dir("imagestudio", appauthor=False))


def profile_folder_in(data_dir: Path, profile: Profile) -> Path:
    """Where `profile` keeps its files: the data directory itself for `local`, and a folder named
    after the profile inside it for every other. A sandbox run's charges, ledger and assets never
    land in the local library, nor does one profile's `storage gc` take another's files as its
    own leftovers, even with one IMAGESTUDIO_DATA_DIR for all."""
    if profile is Profile.LOCAL:
        return data_dir
    return data_dir / profile.value
