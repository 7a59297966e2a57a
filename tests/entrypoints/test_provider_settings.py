"""Which providers a profile enables, from which settings, and that keys never leak."""

from __future__ import annotations

from pathlib import Path

import pytest

from imagestudio.adapters.sandbox.config import SANDBOX_KEY
from imagestudio.application.routing import RoutingPolicy
from imagestudio.domain.model import ModelTier
from imagestudio.entrypoints.container import build_container
from imagestudio.entrypoints.provider_wiring import stability_settings, wavespeed_settings
from imagestudio.entrypoints.settings import Profile, Settings

SECRET = "ws-secret-0123456789"


def enabled(settings: Settings) -> frozenset[str]:
    return build_container(settings).provider_directory().names()


def test_no_key_means_only_the_offline_provider_in_the_local_offline_and_test_profiles(
    tmp_path: Path,
) -> None:
    for profile in (Profile.LOCAL, Profile.OFFLINE, Profile.TEST):
        assert enabled(Settings(profile=profile, data_dir=tmp_path)) == {"offline"}


def test_a_key_enables_its_provider_next_to_the_offline_one(tmp_path: Path) -> None:
    settings = Settings(profile=Profile.TEST, data_dir=tmp_path, wavespeed_api_key=SECRET)
    assert enabled(settings) == {"wavespeed", "offline"}
    settings = Settings(profile=Profile.TEST, data_dir=tmp_path, stability_api_key="sk-1")
    assert enabled(settings) == {"stability", "offline"}


def test_the_postgres_profile_has_no_offline_provider_unless_asked(tmp_path: Path) -> None:
    url = "postgresql://nobody@127.0.0.1:1/none"
    base = Settings(profile=Profile.POSTGRES, database_url=url, data_dir=tmp_path)
    assert enabled(base) == frozenset()
    assert enabled(base.model_copy(update={"offline_provider": True})) == {"offline"}


def test_the_sandbox_profile_points_both_adapters_at_the_sandbox_with_its_key(
    tmp_path: Path,
) -> None:
    settings = Settings(
        profile=Profile.SANDBOX,
        data_dir=tmp_path,
        sandbox_url="http://127.0.0.1:9999",
        wavespeed_api_key=SECRET,
    )

    assert enabled(settings) == {"wavespeed", "stability"}
    for adapter in (wavespeed_settings(settings), stability_settings(settings)):
        assert adapter is not None
        # A real key must never be sent to a local stand-in.
        assert (adapter.api_key, adapter.base_url) == (SANDBOX_KEY, "http://127.0.0.1:9999")


def test_the_providers_conventional_variables_are_accepted(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("WAVESPEED_API_KEY", "plain")
    monkeypatch.setenv("STABILITY_API_KEY", "sk-plain")
    settings = Settings(profile=Profile.TEST, data_dir=tmp_path)
    assert enabled(settings) == {"wavespeed", "stability", "offline"}
    monkeypatch.setenv("IMAGESTUDIO_WAVESPEED_API_KEY", "prefixed")
    chosen = wavespeed_settings(Settings(profile=Profile.TEST, data_dir=tmp_path))
    assert chosen is not None and chosen.api_key in {"plain", "prefixed"}


def test_keys_never_show_in_settings_or_adapters_text(tmp_path: Path) -> None:
    settings = Settings(
        profile=Profile.TEST, data_dir=tmp_path, wavespeed_api_key=SECRET, stability_api_key=SECRET
    )
    container = build_container(settings)
    shown = [repr(settings), str(settings), repr(settings.model_dump())]
    shown += [repr(provider) for provider in container.provider_directory().all()]
    shown += [repr(wavespeed_settings(settings)), repr(stability_settings(settings))]
    assert not [text for text in shown if SECRET in text]


def test_a_disabled_provider_says_what_would_enable_it(tmp_path: Path) -> None:
    directory = build_container(
        Settings(profile=Profile.TEST, data_dir=tmp_path)
    ).provider_directory()

    assert directory.why_unavailable("offline") is None
    reason = directory.why_unavailable("wavespeed")
    assert reason is not None and "IMAGESTUDIO_WAVESPEED_API_KEY" in reason


def test_routing_settings_become_rules(tmp_path: Path) -> None:
    settings = Settings(
        profile=Profile.TEST,
        data_dir=tmp_path,
        routing=RoutingPolicy.PREFERENCE,
        routing_preference=" stability , wavespeed/flux-dev,",
        routing_tier=ModelTier.PREMIUM,
    )
    rules = build_container(settings).ports().routing

    assert rules.policy is RoutingPolicy.PREFERENCE
    assert rules.preference == ("stability", "wavespeed/flux-dev")
    assert rules.tier is ModelTier.PREMIUM


@pytest.mark.parametrize("key", ["x", "k" * 31])
def test_a_short_signing_key_is_refused_in_characters_not_items(key: str, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="signing_key") as refused:
        Settings(profile=Profile.TEST, data_dir=tmp_path, signing_key=key)
    said = str(refused.value)
    assert "at least 32 characters" in said
    assert "items" not in said
    assert key not in said.replace("signing_key", "")  # the secret is never echoed


def test_no_settings_error_echoes_the_value_given(tmp_path: Path) -> None:
    secret = "ws-" + "s3cr3t" * 4
    with pytest.raises(ValueError, match="wavespeed_poll_seconds") as refused:
        Settings(
            profile=Profile.TEST,
            data_dir=tmp_path,
            wavespeed_api_key=secret,
            wavespeed_poll_seconds=secret,  # a key pasted into the wrong setting
        )
    assert secret not in str(refused.value)


def test_a_signing_key_of_32_characters_is_taken(tmp_path: Path) -> None:
    settings = Settings(profile=Profile.TEST, data_dir=tmp_path, signing_key="k" * 32)
    assert settings.signing_key is not None
    assert settings.signing_key.get_secret_value() == "k" * 32
