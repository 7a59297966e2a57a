"""What each profile presets lives in entrypoints/profiles.py, and architecture.md's profile
table says the same: a profile whose preset changes without the table (or the other way round)
fails here. `Profile` and `StorageKind` are still importable from settings.py, where their many
importers found them first."""

from __future__ import annotations

from pathlib import Path

import pytest

from imagestudio.entrypoints import profiles, settings
from imagestudio.entrypoints.profiles import (
    OFFLINE_PROVIDER_BY_DEFAULT,
    PRESET_STORAGE,
    SQLITE_PROFILES,
    Profile,
    StorageKind,
)
from imagestudio.entrypoints.settings import Settings, SettingsError

ARCHITECTURE = Path(__file__).resolve().parents[2] / "architecture.md"


def profile_table() -> dict[str, list[str]]:
    """Each profile's row of the table: its state, assets and providers cells."""
    text = ARCHITECTURE.read_text()
    section = text[text.index("## Container profiles") :]
    table = section[section.index("\n| profile |") + 1 :].split("\n\n", 1)[0]
    rows = {}
    for line in table.splitlines()[2:]:
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        rows[cells[0].split("`")[1]] = cells[1:4]
    return rows


def test_settings_re_exports_the_profile_names_it_used_to_define() -> None:
    assert settings.Profile is profiles.Profile
    assert settings.StorageKind is profiles.StorageKind
    assert set(settings.__all__) == {"Profile", "Settings", "SettingsError", "StorageKind"}


def test_the_architecture_table_names_this_module_and_says_what_each_profile_presets() -> None:
    assert "`entrypoints/profiles.py`" in ARCHITECTURE.read_text()
    table = profile_table()
    assert set(table) == {profile.value for profile in Profile}
    for profile in Profile:
        state, assets, providers = table[profile.value]
        assert ("SQLite file" in state) is (profile in SQLITE_PROFILES), profile
        assert (assets == "in memory") is (PRESET_STORAGE[profile] is StorageKind.MEMORY), profile
        offers_offline = providers.startswith("offline")
        assert offers_offline is (profile in OFFLINE_PROVIDER_BY_DEFAULT), profile


@pytest.mark.parametrize("profile", list(Profile))
def test_each_profile_comes_to_its_presets(profile: Profile, tmp_path: Path) -> None:
    chosen = Settings(profile=profile, data_dir=tmp_path)

    assert chosen.effective_storage is PRESET_STORAGE[profile]
    assert chosen.offline_provider_enabled is (profile in OFFLINE_PROVIDER_BY_DEFAULT)
    assert chosen.profile_dir == (tmp_path if profile is Profile.LOCAL else tmp_path / profile)
    if profile is Profile.POSTGRES:
        with pytest.raises(SettingsError, match="IMAGESTUDIO_DATABASE_URL"):
            _ = chosen.effective_database_url
    elif profile in SQLITE_PROFILES:
        assert chosen.effective_database_url == f"sqlite:///{chosen.profile_dir}/imagestudio.db"
    else:
        assert chosen.effective_database_url is None
