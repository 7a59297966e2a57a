"""What each query should answer, from `AssetQuery.matches` over the generated assets, and the
check that a filled library answers so."""

from __future__ import annotations

import random
from dataclasses import dataclass

from assets_calls import FINDS
from assets_data import OWNER, Dataset
from assets_words import VOCABULARY_SIZE, WORDS

from imagestudio.application.ports.asset_library import AssetLibrary
from imagestudio.domain.asset import Asset, AssetCursor
from imagestudio.domain.asset_query import AssetQuery


@dataclass(frozen=True)
class Expected:
    query: AssetQuery
    after: AssetCursor | None
    matching: int  # the owner's assets the query selects (after the cursor)
    page: tuple[Asset, ...]  # all of them if there are not too many, else the newest 200


_EXPECTED: dict[int, list[Expected]] = {}


def expected(data: Dataset) -> list[Expected]:
    """Every timed find, and a sample of words and pairs, answered by `AssetQuery.matches`."""
    if data.size not in _EXPECTED:
        rng = random.Random(1)
        asked = [(find.query(data), find.after(data)) for find in FINDS]
        for rank in sorted(rng.sample(range(1, VOCABULARY_SIZE + 1), 10)):
            asked.append((AssetQuery(text=WORDS[rank - 1]), None))
        for _ in range(5):
            pair = " ".join(WORDS[rank - 1] for rank in rng.sample(range(1, 300), 2))
            asked.append((AssetQuery(text=pair), None))
        answers = []
        for query, after in asked:
            wanted = [a for a in data.mine if query.matches(a)]
            wanted = [a for a in wanted if after is None or after.precedes(a)]
            limit = len(wanted) if len(wanted) <= 2_000 else 200
            answers.append(Expected(query, after, len(wanted), tuple(wanted[:limit])))
        _EXPECTED[data.size] = answers
    return _EXPECTED[data.size]


async def check(library: AssetLibrary, data: Dataset) -> int:
    """How many queries (and bytes_used) agree with the reference: all, or this raises."""
    answers = expected(data)
    for answer in answers:
        limit = max(len(answer.page), 1)
        got = await library.find(OWNER, answer.query, after=answer.after, limit=limit)
        if got != answer.page:
            raise AssertionError(f"{type(library).__name__} disagrees with matches: {answer}")
    if await library.bytes_used(OWNER) != sum(asset.size_bytes for asset in data.mine):
        raise AssertionError(f"{type(library).__name__}: bytes_used is wrong")
    return len(answers) + 1
