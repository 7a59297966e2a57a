"""List and search assets: a user's own stored results, filtered, newest first, by page."""

from __future__ import annotations

from dataclasses import dataclass

from returns.result import Failure, Result, Success

from imagestudio.application.asset_vault import AssetVault
from imagestudio.application.page_cursors import moment_problem, parsed_place, place_text
from imagestudio.application.time_spans import span_problem
from imagestudio.domain.asset import Asset, AssetCursor
from imagestudio.domain.asset_query import AssetQuery, label_problem
from imagestudio.domain.errors import InvalidInput

MAX_SEARCH_CHARS = 500
MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 50


@dataclass(frozen=True, slots=True, kw_only=True)
class AssetPage:
    items: tuple[Asset, ...]
    next_cursor: str | None
    """What to pass as `cursor` for the next page; None on the last page."""


class ListAssets:
    """Lists the caller's assets newest first, filtered (kind, model, tag, collection,
    favourite, dates, prompt words); another user's assets never appear."""

    def __init__(self, assets: AssetVault) -> None:
        self._assets = assets

    async def execute(
        self,
        owner: str,
        cursor: str | None = None,
        limit: int = DEFAULT_PAGE_SIZE,
        query: AssetQuery | None = None,
    ) -> Result[AssetPage, InvalidInput]:
        """Up to `limit` (1 to 200) assets matching `query` after `cursor` (a previous page's
        `next_cursor`, given with the same query).

        A cursor stays valid when assets are saved or deleted meanwhile: the listing resumes
        strictly after the asset it names, whether or not that asset still exists. `query.text`
        searches prompts by whole words (the database's full-text index where there is one).
        """
        if not 1 <= limit <= MAX_PAGE_SIZE:
            return Failure(InvalidInput("limit", f"must be from 1 to {MAX_PAGE_SIZE}, not {limit}"))
        query = query or AssetQuery()
        if (problem := query_problem(query)) is not None:
            return Failure(problem)
        after: AssetCursor | None = None
        if cursor is not None:
            if isinstance(parsed := parsed_cursor(cursor), Failure):
                return Failure(parsed.failure())
            after = parsed.unwrap()
        try:
            found = await self._assets.page(owner, after=after, limit=limit + 1, query=query)
        except ValueError:
            found = ()  # an owner that could not even name a folder has no assets
        if len(found) <= limit:
            return Success(AssetPage(items=found, next_cursor=None))
        items = found[:limit]
        return Success(AssetPage(items=items, next_cursor=cursor_text(AssetCursor.at(items[-1]))))


def query_problem(query: AssetQuery) -> InvalidInput | None:
    """Why `query` cannot be run, or None."""
    if query.model_id is not None and not query.model_id.isprintable():
        # No model id has one, and PostgreSQL cannot even compare text holding a NUL.
        return InvalidInput("model", "must not contain control characters")
    for field, label in (("tag", query.tag), ("collection", query.collection)):
        if label is not None and (problem := label_problem(label)) is not None:
            return InvalidInput(field, problem)
    for field, moment in (
        ("created_from", query.created_from),
        ("created_before", query.created_before),
    ):
        if (invalid := moment_problem(field, moment)) is not None:
            return invalid
    span = span_problem("created_from", query.created_from, "created_before", query.created_before)
    if span is not None:
        return span
    if query.text is not None and len(query.text) > MAX_SEARCH_CHARS:
        return InvalidInput("q", f"search text is limited to {MAX_SEARCH_CHARS} characters")
    return None


def cursor_text(cursor: AssetCursor) -> str:
    """The cursor as an opaque, URL-safe token (`page_cursors.place_text`)."""
    return place_text(cursor.created_at, cursor.asset_id)


def parsed_cursor(text: str) -> Result[AssetCursor, InvalidInput]:
    """The cursor `cursor_text` made, or why `text` is not one."""
    return parsed_place(text).map(lambda place: AssetCursor(created_at=place[0], asset_id=place[1]))
