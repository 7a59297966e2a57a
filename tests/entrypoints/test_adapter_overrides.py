"""An object a host application puts in place of one of our adapters is checked when the studio
is built: one that could never serve its port is refused then, naming what is wrong, not at the
first call deep in an operation (where a clock's coroutine would be compared with a date)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from imagestudio.adapters.memory.asset_bytes import InMemoryAssetBytes
from imagestudio.entrypoints.adapter_overrides import ADAPTER_PORTS, check_adapter
from imagestudio.entrypoints.api import ImageStudio, Profile
from imagestudio.entrypoints.settings import SettingsError


class AsyncClock:
    async def now(self) -> datetime:
        return datetime.now(UTC)


def test_a_class_in_place_of_an_object_is_refused_when_built() -> None:
    with pytest.raises(SettingsError, match=r"'asset_bytes'.*class InMemoryAssetBytes.*instance"):
        ImageStudio.open(profile=Profile.TEST, adapters={"asset_bytes": InMemoryAssetBytes})


def test_a_coroutine_where_the_port_answers_at_once_is_refused_when_built() -> None:
    with pytest.raises(SettingsError, match=r"AsyncClock .* 'clock'.*now must not be async"):
        ImageStudio.open(profile=Profile.TEST, adapters={"clock": AsyncClock()})


@pytest.mark.parametrize("profile", [Profile.TEST, Profile.LOCAL])
def test_every_adapter_of_ours_passes_the_check(profile: Profile, tmp_path: Path) -> None:
    container = ImageStudio.open(profile=profile, data_dir=tmp_path).container
    for name in ADAPTER_PORTS:
        check_adapter(name, getattr(container, name)())


@pytest.mark.parametrize(
    ("arguments", "said"),
    [
        ({"adapters": [("clock", AsyncClock())]}, "adapters must be a mapping of names to objects"),
        ({"settings": "profile=test"}, "settings must be a Settings, not str"),
        ({"settings": {"profile": "test"}}, "settings must be a Settings, not dict"),
    ],
)
def test_arguments_of_the_wrong_shape_are_a_type_error_naming_the_argument(
    arguments: dict[str, object], said: str
) -> None:
    """They were dependency_injector's "… is not an instance of Settings" and a list's
    AttributeError, naming neither the argument nor what it takes."""
    with pytest.raises(TypeError, match=said):
        ImageStudio.open(**arguments)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=said):
        ImageStudio.open(profile=Profile.TEST, **arguments)  # type: ignore[arg-type]
