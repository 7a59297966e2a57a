"""Typed reads of one table of a catalog entry; each refusal names the model and the field."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from imagestudio.adapters.catalog.catalog_error import CatalogError
from imagestudio.domain.media import MediaType


@dataclass(frozen=True, slots=True)
class EntryFields:
    table: Mapping[str, object]
    model_id: str
    prefix: str = ""
    """"limits." for the limits table, so errors name the field as written."""

    def error(self, name: str, reason: str) -> CatalogError:
        return CatalogError(reason, model_id=self.model_id, field=self.prefix + name)

    def refuse_unknown(self, known: Iterable[str]) -> None:
        unknown = sorted(set(self.table) - set(known))
        if unknown:
            raise self.error(unknown[0], "unknown field (misspelt?)")

    def sub_table(self, name: str) -> EntryFields:
        value = self.table.get(name, {})
        if not isinstance(value, dict):
            raise self.error(name, "must be a table, e.g. limits = { max_side = 2048 }")
        return EntryFields(value, self.model_id, f"{self.prefix}{name}.")

    def text(self, name: str, *, default: str | None = None) -> str:
        value = self.table.get(name, default)
        if value is None:
            raise self.error(name, "missing")
        if not isinstance(value, str) or (default is None and not value.strip()):
            raise self.error(name, f"must be a non-empty string, not {value!r}")
        return value

    def choice(self, name: str, allowed: Iterable[str]) -> str:
        value = self.text(name)
        options = sorted(allowed)
        if value not in options:
            raise self.error(name, f"{value!r} is not one of {', '.join(options)}")
        return value

    def texts(self, name: str) -> tuple[str, ...]:
        values = self._list(name)
        strings = [value for value in values if isinstance(value, str) and value.strip()]
        if len(strings) != len(values):
            raise self.error(name, f"must be a list of non-empty strings, not {values!r}")
        return tuple(strings)

    def integer(self, name: str, default: int, *, least: int = 1) -> int:
        value = self.table.get(name, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(name, f"must be a whole number, not {value!r}")
        if value < least:
            raise self.error(name, f"must be at least {least}, not {value}")
        return value

    def integers(self, name: str) -> tuple[int, ...]:
        values = self._list(name)
        numbers = [value for value in values if type(value) is int and value > 0]
        if len(numbers) != len(values):
            raise self.error(name, f"must be a list of positive whole numbers, not {values!r}")
        return tuple(numbers)

    def media(self, name: str) -> MediaType:
        return self._media(name, self.text(name))

    def media_list(self, name: str, default: tuple[MediaType, ...]) -> tuple[MediaType, ...]:
        if name not in self.table:
            return default
        formats = tuple(self._media(name, value) for value in self.texts(name))
        if not formats:
            raise self.error(name, "must name at least one format")
        return formats

    def _list(self, name: str) -> list[object]:
        values = self.table.get(name, [])
        if not isinstance(values, list):
            raise self.error(name, f"must be a list, not {values!r}")
        if len(set(map(repr, values))) != len(values):
            raise self.error(name, f"lists a value twice: {values!r}")
        return values

    def _media(self, name: str, value: str) -> MediaType:
        try:
            return MediaType(value)
        except ValueError:
            pass
        try:
            return MediaType.from_extension(value)
        except ValueError:
            known = ", ".join(media.extension for media in MediaType)
            raise self.error(name, f"unknown media {value!r} (one of {known})") from None
