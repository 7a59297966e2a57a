"""An asset from the Python API: its bytes (`read_asset`) and where they are (`asset_location`),
on the blocking studio, which runs the async one's methods."""

from __future__ import annotations

from pathlib import Path

import pytest

from imagestudio.entrypoints.api import GenerateRequest, Profile
from imagestudio.entrypoints.sync_api import SyncImageStudio

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_an_assets_bytes_are_read_by_the_asset_or_its_id(tmp_path: Path) -> None:
    with SyncImageStudio(profile=Profile.LOCAL, data_dir=tmp_path) as studio:
        done = studio.generate.execute(GenerateRequest(user_id="local", prompt="a fox"))
        asset = done.unwrap().assets[0]
        data = studio.read_asset(asset)
        stored = Path(studio.asset_location(asset))

        assert data == studio.read_asset(asset.id) == stored.read_bytes()
        assert len(data) == asset.size_bytes and data.startswith(PNG_SIGNATURE)
        assert stored.is_relative_to(tmp_path / "assets")
        with pytest.raises(LookupError, match=asset.id):
            studio.read_asset(asset.id, user_id="somebody-else")
        with pytest.raises(LookupError, match=asset.id):  # no user, not the default one
            studio.read_asset(asset.id, user_id="")
        studio.delete_asset.execute("local", asset.id).unwrap()
        with pytest.raises(LookupError, match=asset.id):
            studio.read_asset(asset)
        assert not stored.exists()
