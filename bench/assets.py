"""Benchmark: the asset library (`SqlAssetLibrary`) on SQLite and PostgreSQL, memory alongside.

    .venv/bin/python bench/assets.py [--quick | --smoke]

Prints markdown tables (no timing thresholds: this is for people to read, not a test); about
2 minutes on 2 cores, `--quick` (owners of 1,000 and 20,000 assets, shorter cells) under one,
`--smoke` (owners of 200 and 1,000, one short round) seconds, to show it runs.

One owner holds N assets (1,000 and 100,000) among 10 owners; the 9 others share another N, so
the owner's rows are half the table. Prompts are 8–20 words drawn from a vocabulary of 2,000
(Zipf: the commonest words appear in most prompts, the rarest in a handful); each asset has 0–3
of 30 tags, 0–2 of 20 collections, a quarter are favourites, an operation makes 1–4 assets at
one instant, and derived kinds (edits, upscales, videos …) name an earlier asset as their input.

1. add(): the first 1,000 assets (all owners, oldest first) go through `add` one by one, timed;
   the rest are inserted in batches of rows exactly as `add` writes them (the adapter's own row
   encoding, labels, lineage and, on SQLite, the FTS5 rows), then every query below is checked
   against `AssetQuery.matches` over the generated assets, with a sample of other words.
2. One call, median and p95 ms, at both sizes, timed in alternating rounds so that drift in
   the machine's speed cancels out; and how it grows: the ratio of the medians, large ÷ small.
   The finds are pages of 50 newest first: the first page, a deep page (a cursor 90% of the way
   down), a tag, a collection, favourite + a kind, a date range (5% of the owner's span), and
   prompt search for a common word, a rare word and two words. Then bytes_used(), relabel()
   (adds or removes one tag) and add() into the full library.

SQLite is a temp file in WAL mode, set up as the application sets it up (no ANALYZE: the
application never runs it); PostgreSQL is a throwaway server from Debian's binaries
(tests/support/postgres_server.py, fsync and synchronous_commit off), ANALYZEd after the fill as
autovacuum would soon do. Both schemas come from the migrations (`schema.upgrade`). The memory
library scans every asset on each call: the reference for what a missing index looks like.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from bench_support import (
    chosen_mode,
    load,
    mode_label,
    percentile,
    print_machine_facts,
    progress,
    start_postgres,
)
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from imagestudio.adapters.memory.asset_library import InMemoryAssetLibrary
from imagestudio.adapters.sql import schema
from imagestudio.adapters.sql import tables as t
from imagestudio.adapters.sql.asset_library import SqlAssetLibrary
from imagestudio.adapters.sql.asset_rows import asset_row
from imagestudio.adapters.sql.engine import create_engine
from imagestudio.application.ports.asset_library import AssetLibrary
from imagestudio.domain.asset import Asset, AssetCursor, newest_first
from imagestudio.domain.asset_query import AssetQuery, Relabel
from imagestudio.domain.media import MediaType
from imagestudio.domain.operation_kind import OperationKind


@dataclass(frozen=True)
class Settings:
    sizes: tuple[int, int]  # the owner's assets, small and large
    seconds: float  # per cell (both sizes together), split over the rounds
    rounds: int  # alternations between the two sizes


FULL = Settings(sizes=(1_000, 100_000), seconds=2.0, rounds=4)
QUICK = Settings(sizes=(1_000, 20_000), seconds=0.6, rounds=3)
SMOKE = Settings(sizes=(200, 1_000), seconds=0.05, rounds=1)

ONE_BY_ONE = 1_000  # assets added through `add`, the rest in batches
BATCH = 10_000  # rows per transaction of the fill
PAGE = 50
AT_LEAST = 2  # calls per size per round, however slow
AT_MOST = 400  # calls per size per round
LATE = AT_MOST * FULL.rounds + 1  # fresh assets for timing add() into the full library

# -- the data ---------------------------------------------------------------------------------

OWNER = "owner-0"
OTHERS = tuple(f"owner-{index}" for index in range(1, 10))
END = datetime(2026, 3, 1, tzinfo=UTC)
MEAN_GAP_SECONDS = 300.0  # between one owner's operations

# The head of the vocabulary, commonest first; made-up words fill it up to 2,000.
_HEAD = (
    "a of the portrait in with and light cinematic style detailed on at woman city forest "
    "night man soft golden hour sky old dark blue red morning mountain lake street girl cat dog "
    "house garden sea ocean sunset fog rain snow winter summer autumn spring flowers tree river "
    "bridge castle robot dragon ship car train window room table coffee book painting oil "
    "watercolor sketch photo realistic 35mm lens bokeh studio lighting neon vintage retro "
    "futuristic fantasy illustration minimal abstract colorful warm cold moody bright shadows "
    "reflections glass gold silver wooden stone ancient modern tiny giant smiling standing "
    "sitting walking flying under above beside through behind field desert island village "
    "market crowd child face eyes hands hair dress hat mask wings stars moon sun clouds waves "
    "beach"
)
COMMON_WORDS = _HEAD.split()
VOCABULARY_SIZE = 2_000
COMMON = "portrait"  # rank 4: in about a third of prompts
TWO_WORDS = "cinematic forest"  # ranks 9 and 16: each in 1 prompt of 6–10, together 1 of 60
RARE_RANK = 1_800  # in about 1 prompt of 1,300

_TAG_NAMES = (
    "landscape client final wip draft print social moodboard reference hero banner avatar "
    "texture concept product poster cover thumbnail sticker logo pattern background character "
    "scene icon card flyer mockup study variant"
)
TAGS = _TAG_NAMES.split()
TAG = "client"  # the second commonest tag: on about 1 asset in 6
COLLECTIONS = tuple(f"collection {index:02d}" for index in range(20))
COLLECTION = "collection 07"  # on about 1 asset in 25

KINDS = {  # how often each kind is made, and what it makes
    OperationKind.TEXT_TO_IMAGE: (60, MediaType.PNG),
    OperationKind.IMAGE_EDIT: (10, MediaType.PNG),
    OperationKind.UPSCALE: (8, MediaType.PNG),
    OperationKind.CONTROL: (5, MediaType.PNG),
    OperationKind.IMAGE_TO_VIDEO: (5, MediaType.MP4),
    OperationKind.IMAGE_TO_3D: (2, MediaType.GLB),
    OperationKind.FACE_SWAP: (2, MediaType.JPEG),
    OperationKind.COMPRESS: (3, MediaType.WEBP),
    OperationKind.CONVERT: (3, MediaType.AVIF),
    OperationKind.SOCIAL: (2, MediaType.JPEG),
}
VIDEO = OperationKind.IMAGE_TO_VIDEO  # favourite + video: about 1 asset in 80
MODELS = ("wavespeed/flux-dev", "wavespeed/flux-schnell", "stability/sd3", "stability/ultra")


def vocabulary(rng: random.Random) -> tuple[str, ...]:
    onsets = [
        "b",
        "br",
        "d",
        "f",
        "g",
        "k",
        "l",
        "m",
        "n",
        "p",
        "pr",
        "r",
        "s",
        "st",
        "t",
        "v",
        "z",
    ]
    vowels = ["a", "e", "i", "o", "u", "ai", "ea", "ou"]
    codas = ["", "", "n", "r", "l", "s", "th"]
    made = dict.fromkeys(COMMON_WORDS)
    while len(made) < VOCABULARY_SIZE:
        syllables = rng.randint(2, 4)
        word = "".join(
            rng.choice(onsets) + rng.choice(vowels) + rng.choice(codas) for _ in range(syllables)
        )
        made.setdefault(word, None)
    return tuple(made)


WORDS = vocabulary(random.Random(2_000))
RARE = WORDS[RARE_RANK - 1]


@dataclass
class Generator:
    """Assets as a studio makes them: operations of 1–4 outputs, prompts, labels, lineage."""

    rng: random.Random
    words: tuple[str, ...]
    _weights: list[float] = field(init=False)
    _kinds: list[OperationKind] = field(init=False)
    _kind_weights: list[int] = field(init=False)
    _tag_weights: list[float] = field(init=False)
    _made: dict[str, list[str]] = field(default_factory=dict)  # ids per owner, for lineage

    def __post_init__(self) -> None:
        self._weights = list(
            itertools.accumulate(1 / rank for rank in range(1, len(self.words) + 1))
        )
        self._kinds = list(KINDS)
        self._kind_weights = [weight for weight, _ in KINDS.values()]
        self._tag_weights = [1 / rank for rank in range(1, len(TAGS) + 1)]

    def prompt(self) -> str:
        drawn = self.rng.choices(self.words, cum_weights=self._weights, k=self.rng.randint(8, 20))
        for index in range(5, len(drawn), 6):
            drawn[index] += ","
        return " ".join(drawn).capitalize()

    def operation(self, owner: str, at: datetime) -> list[Asset]:
        rng = self.rng
        kind = rng.choices(self._kinds, weights=self._kind_weights)[0]
        media_type = KINDS[kind][1]
        prompt = self.prompt() if kind is not OperationKind.COMPRESS else ""
        earlier = self._made.setdefault(owner, [])
        parents = {OperationKind.TEXT_TO_IMAGE: 0, OperationKind.FACE_SWAP: 2}.get(kind, 1)
        derived_from = tuple(rng.choice(earlier) for _ in range(parents)) if earlier else ()
        operation_id = f"op_{rng.getrandbits(64):016x}"
        outputs = rng.choices((1, 2, 4), weights=(60, 20, 20))[0]
        made = []
        for _ in range(outputs):
            video = media_type is MediaType.MP4
            asset = Asset(
                id=f"ast_{rng.getrandbits(64):016x}",
                owner=owner,
                operation_id=operation_id,
                model_id=rng.choice(MODELS),
                kind=kind,
                media_type=media_type,
                size_bytes=rng.randint(2_000_000, 40_000_000) if video else rng.randint(1, 6) << 19,
                created_at=at,
                width=None if media_type is MediaType.GLB else 1024,
                height=None if media_type is MediaType.GLB else rng.choice((768, 1024, 1536)),
                duration_seconds=5.0 if video else None,
                prompt=prompt,
                cost=rng.choice((0, 3_000, 30_000, 55_000)),
                vertex_count=rng.randint(10_000, 200_000) if media_type is MediaType.GLB else None,
                derived_from=derived_from,
                tags=frozenset(
                    rng.choices(TAGS, weights=self._tag_weights, k=rng.choice((0, 1, 1, 2, 3)))
                ),
                favourite=rng.random() < 0.25,
                collections=frozenset(rng.sample(COLLECTIONS, rng.choice((0, 0, 1, 1, 1, 2)))),
            )
            made.append(asset)
            earlier.append(asset.id)
        return made


@dataclass(frozen=True)
class Dataset:
    size: int
    assets: tuple[Asset, ...]  # every owner's, oldest first: the order they are added
    mine: tuple[Asset, ...]  # OWNER's, newest first
    late: tuple[Asset, ...]  # OWNER's next assets, for timing add() into the full library


def dataset(size: int, words: tuple[str, ...]) -> Dataset:
    generator = Generator(random.Random(size), words)
    rng = generator.rng
    mine: list[Asset] = []
    at = END - timedelta(seconds=MEAN_GAP_SECONDS * size / 2)  # about 2 assets an operation
    while len(mine) < size:
        at += timedelta(seconds=rng.expovariate(1 / MEAN_GAP_SECONDS))
        mine.extend(generator.operation(OWNER, at)[: size - len(mine)])
    start, stop = mine[0].created_at, mine[-1].created_at
    operations: list[list[Asset]] = []  # the others', spread over the same span below
    made = 0
    while made < size:
        operations.append(generator.operation(rng.choice(OTHERS), start))
        made += len(operations[-1])
    moments = sorted(start + (stop - start) * rng.random() for _ in operations)
    theirs = [
        replace(asset, created_at=moment)
        for operation, moment in zip(operations, moments, strict=True)
        for asset in operation
    ][:size]
    late = []
    for _ in range(LATE):
        stop += timedelta(seconds=1)
        late.append(generator.operation(OWNER, stop)[0])
    everything = sorted(mine + theirs, key=lambda asset: (asset.created_at, asset.id))
    newest = newest_first(mine, after=None, limit=len(mine))
    return Dataset(size, tuple(everything), newest, tuple(late))


# -- the calls --------------------------------------------------------------------------------


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


# -- filling ----------------------------------------------------------------------------------


async def add_one_by_one(library: AssetLibrary, assets: Sequence[Asset]) -> float:
    began = time.perf_counter()
    for asset in assets:
        await library.add(asset)
    return len(assets) / (time.perf_counter() - began)


async def insert_rows(engine: AsyncEngine, assets: Sequence[Asset]) -> None:
    """Rows exactly as `SqlAssetLibrary.add` writes them (its own `asset_row`), in batches; on
    SQLite the schema's triggers index each row's words as it is inserted."""
    sqlite = engine.dialect.name == "sqlite"
    for start in range(0, len(assets), BATCH):
        batch = assets[start : start + BATCH]
        async with engine.begin() as connection:
            await connection.execute(t.assets.insert(), [asset_row(asset) for asset in batch])
            tags = [{"asset_id": a.id, "tag": tag} for a in batch for tag in a.tags]
            collections = [
                {"asset_id": a.id, "collection": c} for a in batch for c in a.collections
            ]
            lineage = [
                {"asset_id": a.id, "position": position, "parent_id": parent}
                for a in batch
                for position, parent in enumerate(a.derived_from)
            ]
            for table, values in (
                (t.asset_tags, tags),
                (t.asset_collections, collections),
                (t.asset_lineage, lineage),
            ):
                if values:
                    await connection.execute(table.insert(), values)
            # The owners' running totals, as add() keeps them.
            totals: dict[str, list[int]] = {}
            for a in batch:
                total = totals.setdefault(a.owner, [0, 0])
                total[0] += a.size_bytes
                total[1] += 1
            for owner, (size, count) in totals.items():
                await SqlAssetLibrary(engine)._count(connection, owner, size, count)
    if not sqlite:
        async with engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(text("ANALYZE"))


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


Opener = Callable[[str], Awaitable[tuple[AssetLibrary, AsyncEngine | None]]]


async def fill(name: str, open_library: Opener, data: Dataset) -> tuple[Filled, AsyncEngine | None]:
    library, engine = await open_library(f"n{data.size}")
    first, rest = data.assets[:ONE_BY_ONE], data.assets[ONE_BY_ONE:]
    rate = await add_one_by_one(library, first)
    began = time.perf_counter()
    if engine is None:
        for asset in rest:
            await library.add(asset)
    else:
        await insert_rows(engine, rest)
    seconds = time.perf_counter() - began
    checked = 0 if engine is None else await check(library, data)  # memory is the reference
    progress(
        f"{name}: {len(data.assets):,} assets ({data.size:,} the owner's), first {len(first):,} "
        f"at {rate:,.0f}/s, the rest in {seconds:.1f} s; "
        + (f"{checked} calls agree with matches" if checked else "the reference")
    )
    return Filled(library, data, rate, seconds, checked), engine


# -- timing -----------------------------------------------------------------------------------


async def timed(call: Callable[[], Awaitable[object]], seconds: float) -> list[float]:
    samples: list[float] = []
    deadline = time.perf_counter() + seconds
    while len(samples) < AT_LEAST or (len(samples) < AT_MOST and time.perf_counter() < deadline):
        began = time.perf_counter()
        await call()
        samples.append(time.perf_counter() - began)
    return samples


@dataclass(frozen=True)
class Cell:
    samples: tuple[list[float], ...]  # seconds per call, small and large

    def shown(self, size: int) -> str:
        values = self.samples[size]
        return f"{statistics.median(values) * 1000:.2f} / {percentile(values, 95) * 1000:.2f}"

    def growth(self) -> float:
        small, large = (statistics.median(values) for values in self.samples)
        return large / small


async def measure(name: str, filled: Sequence[Filled], settings: Settings) -> dict[str, Cell]:
    """Each call on both sizes in alternating rounds; relabel() and add() last (they write)."""
    cells = {}
    per_round = settings.seconds / settings.rounds / len(filled)
    for label in [find.label for find in FINDS] + list(OTHER_CALLS):
        calls = [one.call(label) for one in filled]
        for call in calls:  # warm up
            await call()
        samples: tuple[list[float], ...] = tuple([] for _ in filled)
        for _ in range(settings.rounds):
            for call, kept in zip(calls, samples, strict=True):
                kept.extend(await timed(call, per_round))
        cells[label] = Cell(samples)
    progress(f"{name}: calls timed")
    return cells


# -- the report -------------------------------------------------------------------------------


def matching(label: str, data: Dataset) -> str:
    labels = [find.label for find in FINDS]
    return f"{expected(data)[labels.index(label)].matching:,}" if label in labels else "-"


def print_fill(results: Sequence[tuple[str, Sequence[Filled]]]) -> None:
    print("\n### filling\n")
    print(
        f"The first {ONE_BY_ONE:,} assets (every owner's, oldest first) through add() one by "
        f"one on an empty library; the rest in transactions of {BATCH:,} assets (through add() "
        "for memory). Checked: queries answered as `AssetQuery.matches` says.\n"
    )
    print(
        "| library | owner's assets | assets in all | add(), first 1,000 | the rest in | checked |"
    )
    print("|---|---|---|---|---|---|")
    for name, filled in results:
        for one in filled:
            print(
                f"| {name} | {one.data.size:,} | {len(one.data.assets):,} "
                f"| {one.add_rate:,.0f}/s | {one.fill_seconds:.1f} s "
                f"| {f'{one.checked} queries' if one.checked else 'the reference'} |"
            )


def print_calls(name: str, filled: Sequence[Filled], cells: dict[str, Cell]) -> None:
    small, large = (f"{one.data.size:,}" for one in filled)
    print(f"\n### one call, {name}\n")
    print(
        f"Median / p95 ms per call for an owner of {small} and of {large} assets, and the ratio "
        f"of the medians. Pages hold {PAGE}; matching: the owner's assets the query selects.\n"
    )
    print(f"| call | matching ({small} / {large}) | {small} | {large} | {large} ÷ {small} |")
    print("|---|---|---|---|---|")
    for label, cell in cells.items():
        found = " / ".join(matching(label, one.data) for one in filled)
        print(
            f"| {label} | {found} | {cell.shown(0)} | {cell.shown(1)} | **{cell.growth():.1f}×** |"
        )
    sys.stdout.flush()


def print_growth(results: Sequence[tuple[str, dict[str, Cell]]], sizes: tuple[int, int]) -> None:
    print(f"\n### how each call grows: median at {sizes[1]:,} assets ÷ median at {sizes[0]:,}\n")
    print("| call | " + " | ".join(name for name, _ in results) + " |")
    print("|---" * (len(results) + 1) + "|")
    for label in results[0][1]:
        print(
            f"| {label} | "
            + " | ".join(f"{cells[label].growth():.1f}×" for _, cells in results)
            + " |"
        )


# -- the run ----------------------------------------------------------------------------------


async def postgres_version(url: str) -> str:
    engine = create_engine(url)
    async with engine.connect() as connection:
        found = str(await connection.scalar(text("show server_version")))
    await engine.dispose()
    return found


async def main(settings: Settings, mode: str) -> None:
    began = time.perf_counter()
    datasets = [dataset(size, WORDS) for size in settings.sizes]
    progress(f"generated {sum(len(data.assets) for data in datasets):,} assets")
    server = start_postgres()
    with tempfile.TemporaryDirectory(prefix="imagestudio-bench-") as folder:
        try:
            pg_version = await postgres_version(server.url) if server else "not available"
            print(f"## Asset library benchmark{mode_label(mode)}\n")
            print_machine_facts(pg_version)
            print(
                f"- one owner of N assets among 10 owners, the other 9 sharing another N; "
                f"prompts of 8–20 words from {len(WORDS):,} (Zipf); a rare word is rank "
                f"{RARE_RANK:,} (`{WORDS[RARE_RANK - 1]}`); {settings.seconds:g} s per cell "
                f"over {settings.rounds} alternating rounds"
            )
            sys.stdout.flush()

            async def memory(_: str) -> tuple[AssetLibrary, AsyncEngine | None]:
                return InMemoryAssetLibrary(), None

            async def sqlite_library(name: str) -> tuple[AssetLibrary, AsyncEngine | None]:
                engine = create_engine(f"sqlite:///{folder}/{name}.db")
                await schema.upgrade(engine)
                return SqlAssetLibrary(engine), engine

            async def postgres_library(name: str) -> tuple[AssetLibrary, AsyncEngine | None]:
                engine = create_engine(server.create_database(name))
                await schema.upgrade(engine)
                return SqlAssetLibrary(engine), engine

            openers: list[tuple[str, Opener]] = [("memory", memory), ("SQLite", sqlite_library)]
            if server:
                openers.append(("PostgreSQL", postgres_library))
            fills, timings = [], []
            for name, opener in openers:
                pairs = [await fill(name, opener, data) for data in datasets]
                filled = [one for one, _ in pairs]
                cells = await measure(name, filled, settings)
                for _, engine in pairs:
                    if engine is not None:
                        await engine.dispose()
                fills.append((name, filled))
                timings.append((name, cells))
            print_fill(fills)
            for (name, filled), (_, cells) in zip(fills, timings, strict=True):
                print_calls(name, filled, cells)
            print_growth(timings, settings.sizes)
        finally:
            if server:
                server.stop()
    print(f"\n(run took {time.perf_counter() - began:.0f} s; load average after: {load()})")


if __name__ == "__main__":
    mode = chosen_mode(__doc__.splitlines()[0], "owners of 1k and 20k, short cells")
    asyncio.run(main({"full": FULL, "quick": QUICK, "smoke": SMOKE}[mode], mode))
