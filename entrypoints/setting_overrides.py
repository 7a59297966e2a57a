"""Settings with keyword overrides, as `ImageStudio.open(**overrides)` takes them (the
counterpart of adapter_overrides.py for settings)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from imagestudio.entrypoints.settings import Settings, SettingsError


def with_overrides(settings: Settings | None, overrides: Mapping[str, Any]) -> Settings:
    """`settings` (or the environment's) with `overrides`, checked as settings are: a name
    that is no setting is refused (a typo would be ignored), and a value as in `Settings`
    (model_copy took a profile as a string and a float price as they were, to fail deep in
    a call)."""
    check_settings(settings)
    unknown = sorted(set(overrides) - set(Settings.model_fields))
    if unknown:
        names = ", ".join(repr(name) for name in unknown)
        raise SettingsError(
            f"no setting {names} (settings: {', '.join(sorted(Settings.model_fields))})"
        )
    if settings is None:
        return Settings(**overrides)
    if not overrides:
        return settings
    return type(settings).model_validate({**settings.model_dump(), **overrides})


def check_settings(settings: object) -> None:
    """TypeError unless `settings` is a `Settings` (or None: the environment's)."""
    if settings is not None and not isinstance(settings, Settings):
        raise TypeError(f"settings must be a Settings, not {type(settings).__name__}")
