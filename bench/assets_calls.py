"""The calls timed: the finds (a page of `PAGE`: the query and cursor for a dataset) and the
other calls (bytes_used, relabel, add), and a library filled with one dataset, ready to time."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from assets_data import COLLECTION, OWNER, TAG, VIDEO, Dataset
from assets_settings import PAGE
from assets_words import COMMON, RARE, TWO_WORDS

from imagestudio.application.ports.asset_library import AssetLibrary
from imagestudio.domain.asset import AssetCursor
from imagestudio.domain.asset_query import AssetQuery, Relabel


@dataclass(frozen=True)
class Find:
    """A page of `PAGE`: the query and cursor for a given dataset."""

    label: str
    query: Callable[[Dataset], AssetQuery]
    after: Callable[[Dataset], AssetCursor | None] = lambda _: None


def _date_range(data: Dataset) -> AssetQuery:
    newer, older = data.mine[int(0.40 * data.size)], data.mine[int(0.45 * data.size)]
    return AssetQuery(created_from=older.created_at, created_before=newer.created_at)


FINDS = (
    Find("first page", lambda _: AssetQuery()),
    Find(
        "deep page (after 90%)",
        lambda _: AssetQuery(),
        lambda data: AssetCursor.at(data.mine[int(0.9 * data.size)]),
    ),
    Find(f"tag `{TAG}`", lambda _: AssetQuery(tag=TAG)),
    Find(f"collection `{COLLECTION}`", lambda _: AssetQuery(collection=COLLECTION)),
    Find(f"favourite + {VIDEO.value}", lambda _: AssetQuery(favourite=True, kind=VIDEO)),
    Find("date range (5% of the span)", _date_range),
    Find(f"text `{COMMON}`", lambda _: AssetQuery(text=COMMON)),
    Find(f"text `{RARE}` (rare)", lambda _: AssetQuery(text=RARE)),
    Find(f"text `{TWO_WORDS}`", lambda _: AssetQuery(text=TWO_WORDS)),
)
OTHER_CALLS = ("bytes_used()", "relabel() (one tag)", "add() into the full library")


@dataclass
class Filled:
    """One library holding one dataset, ready to be timed."""

    library: AssetLibrary
    data: Dataset
    add_rate: float  # assets per second through add(), the first ONE_BY_ONE
    fill_seconds: float  # the rest
    checked: int  # queries compared with AssetQuery.matches
    calls: int = 0  # relabel()/add() calls made so far: which asset the next one takes

    def call(self, label: str) -> Callable[[], Awaitable[object]]:
        library, data = self.library, self.data
        for find in FINDS:
            if find.label == label:
                query, after = find.query(data), find.after(data)
                return lambda: library.find(OWNER, query, after=after, limit=PAGE)
        if label == OTHER_CALLS[0]:
            return lambda: library.bytes_used(OWNER)
        if label == OTHER_CALLS[1]:
            return self._relabel
        return self._add

    async def _relabel(self) -> None:
        index, self.calls = self.calls, self.calls + 1
        target = self.data.mine[(index // 2 * 7919) % self.data.size]  # spread over the listing
        tag = frozenset({"relabelled"})
        change = Relabel(add_tags=tag) if index % 2 == 0 else Relabel(remove_tags=tag)
        assert await self.library.relabel(OWNER, target.id, change) is not None

    async def _add(self) -> None:
        index, self.calls = self.calls, self.calls + 1
        await self.library.add(self.data.late[index % len(self.data.late)])
