"""Settings a host application builds in code, with keyword overrides on top: the overrides are
checked as the settings themselves are, and a name that is no setting is refused, when the
studio is built."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from imagestudio.entrypoints.api import ImageStudio, Profile, Settings
from imagestudio.entrypoints.settings import SettingsError


def test_overrides_on_settings_are_validated_as_the_settings_are(tmp_path: Path) -> None:
    studio = ImageStudio.open(Settings(profile=Profile.TEST), profile="local", data_dir=tmp_path)

    settings = studio.container.settings()
    assert settings.profile is Profile.LOCAL  # not the string, which broke every path
    assert settings.profile_dir == tmp_path


@pytest.mark.parametrize(
    "overrides",
    [{"offline_price_usd": 0.02}, {"offline_price_usd": Decimal("-1")}, {"profile": "nope"}],
)
def test_a_bad_override_on_settings_is_refused_when_built(overrides: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        ImageStudio.open(Settings(profile=Profile.TEST), **overrides)


@pytest.mark.parametrize("base", [None, Settings(profile=Profile.TEST)])
def test_a_keyword_that_is_no_setting_is_refused(base: Settings | None) -> None:
    with pytest.raises(SettingsError, match=r"no setting 'offline_price' .*offline_price_usd"):
        ImageStudio.open(base, profile=Profile.TEST, offline_price=Decimal("0.02"))


def test_every_setting_survives_being_validated_again() -> None:
    settings = Settings(profile=Profile.TEST, signing_key="k" * 32, wavespeed_api_key="ws-key")
    assert Settings.model_validate(settings.model_dump()) == settings


def test_every_model_id_and_provider_of_the_catalog_is_a_routing_preference() -> None:
    models = ImageStudio.open(profile=Profile.TEST).container.catalog().all()
    names = sorted({model.id for model in models} | {model.provider for model in models})

    studio = ImageStudio.open(profile=Profile.TEST, routing_preference=" , ".join(names))

    assert studio.container.ports().routing.preference == tuple(names)


@pytest.mark.parametrize("preference", ["stabilty", "stability,wavespeed/flux-dve", "auto"])
def test_a_routing_preference_naming_nothing_is_refused_when_built(preference: str) -> None:
    """A misspelt name ranked nothing: `auto` silently routed by price, as if it were unset."""
    with pytest.raises(SettingsError, match="IMAGESTUDIO_ROUTING_PREFERENCE: entry"):
        ImageStudio.open(profile=Profile.TEST, routing="preference", routing_preference=preference)
