"""The Library page's filters: the query string of its GET form (so a filtered view is a
shareable URL) read into the `AssetQuery` that `GET /v1/assets` runs, with the same meaning.

An empty field means "any" (a GET form sends every field, filled or not)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlencode

from imagestudio.domain.asset_query import AssetQuery
from imagestudio.domain.errors import InvalidInput
from imagestudio.domain.errors.echo import echoed
from imagestudio.domain.operation_kind import OperationKind
from imagestudio.entrypoints.cli.limits import export_moment

DEFAULT_PAGE_SIZE = 24
MAX_PAGE_SIZE = 200
FAVOURITE_CHOICES = (("", "Any"), ("true", "Favourites"), ("false", "Not favourites"))


@dataclass(frozen=True, slots=True, kw_only=True)
class LibraryFilters:
    """The form's fields as sent (each "" when not given)."""

    kind: str = ""
    model: str = ""
    tag: str = ""
    collection: str = ""
    favourite: str = ""
    created_from: str = ""
    created_before: str = ""
    q: str = ""
    limit: int = DEFAULT_PAGE_SIZE

    def query(self) -> AssetQuery | InvalidInput:
        """The query these fields ask for, or why one of them cannot be read."""
        kind = None
        if self.kind:
            try:
                kind = OperationKind(self.kind)
            except ValueError:
                return InvalidInput("kind", f"{echoed(self.kind)} is not an operation kind")
        if self.favourite not in ("", "true", "false"):
            return InvalidInput("favourite", "must be true, false or empty")
        if self.model and not self.model.isprintable():
            return InvalidInput("model", "must not contain control characters")
        if not 1 <= self.limit <= MAX_PAGE_SIZE:
            return InvalidInput("limit", f"must be from 1 to {MAX_PAGE_SIZE}")
        moments: dict[str, datetime | None] = {}
        for field, text in (
            ("created_from", self.created_from),
            ("created_before", self.created_before),
        ):
            moment = _moment(field, text)
            if isinstance(moment, InvalidInput):
                return moment
            moments[field] = moment
        return AssetQuery(
            kind=kind,
            model_id=self.model or None,
            tag=self.tag or None,
            collection=self.collection or None,
            favourite=None if not self.favourite else self.favourite == "true",
            created_from=moments["created_from"],
            created_before=moments["created_before"],
            text=self.q.strip() or None,
        )

    @property
    def active(self) -> bool:
        """Whether any filter narrows the listing."""
        return any(value for name, value in self.fields().items() if name != "limit")

    def fields(self) -> dict[str, str]:
        """The filled fields, as the form sends them (the page size only when not the default)."""
        named = {
            "kind": self.kind,
            "model": self.model,
            "tag": self.tag,
            "collection": self.collection,
            "favourite": self.favourite,
            "created_from": self.created_from,
            "created_before": self.created_before,
            "q": self.q,
            "limit": "" if self.limit == DEFAULT_PAGE_SIZE else str(self.limit),
        }
        return {name: value for name, value in named.items() if value}

    def query_string(self, cursor: str | None = None) -> str:
        """These filters (and a cursor) as a URL's query: the next page keeps the filters."""
        fields = self.fields()
        if cursor:
            fields["cursor"] = cursor
        return urlencode(fields)


def _moment(field: str, text: str) -> datetime | InvalidInput | None:
    """Read as `GET /v1/assets` reads it: a day (from its midnight UTC) or an ISO 8601 time."""
    if not text:
        return None
    moment = export_moment(field, text)
    if isinstance(moment, InvalidInput):
        return moment
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        return InvalidInput(field, f"{echoed(text)} is outside the calendar")
