"""The social media presets, read from a TOML file and refused whole if any entry is wrong."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from importlib.resources import files
from pathlib import Path

from imagestudio.application.ports.image_processor import SocialFormat
from imagestudio.domain.media import MediaType

PACKAGED_FORMATS = "social_formats.toml"

_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*")
_FIELDS = frozenset({"platform", "name", "width", "height", "type", "max_bytes", "description"})


class SocialFormatsError(ValueError):
    """A presets file that cannot be trusted: refused when loaded, naming the entry at fault."""


def load_social_formats(source: Path | None = None) -> tuple[SocialFormat, ...]:
    """The presets in `source`, or the packaged ones, sorted by key."""
    if source is None:
        name = PACKAGED_FORMATS
        text = (files("imagestudio.adapters.images") / PACKAGED_FORMATS).read_text("utf-8")
    else:
        name, text = str(source), source.read_text(encoding="utf-8")
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise SocialFormatsError(f"{name}: not valid TOML ({error})") from None
    entries = document.get("format")
    if not isinstance(entries, list) or not entries:
        raise SocialFormatsError(f"{name}: no [[format]] entries")
    formats: dict[str, SocialFormat] = {}
    for number, entry in enumerate(entries, start=1):
        social = _parsed(entry, f"{name}: format #{number}")
        if social.key in formats:
            raise SocialFormatsError(f"{name}: format {social.key!r} is listed twice")
        formats[social.key] = social
    return tuple(formats[key] for key in sorted(formats))


def _parsed(entry: Mapping[str, object], where: str) -> SocialFormat:
    platform = _name(entry, "platform", where)
    name = _name(entry, "name", where)
    where = f"{where} ({platform}/{name})"
    unknown = sorted(set(entry) - _FIELDS)
    if unknown:
        raise SocialFormatsError(f"{where}: unknown field {unknown[0]!r} (misspelt?)")
    max_bytes = entry.get("max_bytes")
    description = entry.get("description", "")
    if not isinstance(description, str):
        raise SocialFormatsError(f"{where}: description must be a string")
    return SocialFormat(
        platform=platform,
        name=name,
        width=_positive(entry.get("width"), "width", where),
        height=_positive(entry.get("height"), "height", where),
        media_type=_media_type(entry.get("type"), where),
        max_bytes=None if max_bytes is None else _positive(max_bytes, "max_bytes", where),
        description=description,
    )


def _name(entry: Mapping[str, object], field: str, where: str) -> str:
    value = entry.get(field)
    if not isinstance(value, str) or not _NAME.fullmatch(value):
        raise SocialFormatsError(
            f"{where}: {field} must be lowercase letters, digits, '-' or '_', not {value!r}"
        )
    return value


def _positive(value: object, field: str, where: str) -> int:
    # bool is an int to Python, never a size to a reader of the file.
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise SocialFormatsError(f"{where}: {field} must be a positive whole number, not {value!r}")
    return value


def _media_type(value: object, where: str) -> MediaType:
    try:
        media_type = MediaType.from_extension(value) if isinstance(value, str) else None
    except ValueError:
        media_type = None
    if media_type is None or not media_type.is_image:
        raise SocialFormatsError(
            f"{where}: type must be one of jpeg, png, webp or avif, not {value!r}"
        )
    return media_type
