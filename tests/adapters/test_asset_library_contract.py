"""One contract for every AssetLibrary: what a use case may rely on, whether the library lives in
memory, in SQLite or in PostgreSQL. `AssetQuery.matches` and `newest_first` are the meaning."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imagestudio.adapters.memory.asset_library import InMemoryAssetLibrary
from imagestudio.adapters.sql import schema
from imagestudio.adapters.sql.asset_library import SqlAssetLibrary
from imagestudio.adapters.sql.engine import create_engine
from imagestudio.application.ports.asset_library import AssetLibrary
from imagestudio.domain.asset import Asset, AssetCursor, newest_first
from imagestudio.domain.asset_query import MAX_LABEL_CHARS, AssetQuery, Relabel
from imagestudio.domain.media import MediaType
from imagestudio.domain.operation_kind import OperationKind

T0 = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
_owners = itertools.count(1)

# Each example of a property test is a few real transactions: few examples keep the run short.
FEW = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def an_asset(asset_id: str = "ast_1", **changes: object) -> Asset:
    asset = Asset(
        id=asset_id,
        owner="alice",
        operation_id="op_1",
        model_id="flux-schnell",
        kind=OperationKind.TEXT_TO_IMAGE,
        media_type=MediaType.PNG,
        size_bytes=1000,
        created_at=T0,
        prompt="a lighthouse in the fog",
    )
    return replace(asset, **changes)  # type: ignore[arg-type]


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def ids(assets: tuple[Asset, ...]) -> list[str]:
    return [asset.id for asset in assets]


@pytest.fixture(
    params=[
        pytest.param("memory", id="memory"),
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    ]
)
async def library(request: pytest.FixtureRequest) -> AsyncIterator[AssetLibrary]:
    if request.param == "memory":
        yield InMemoryAssetLibrary()
        return
    url = str(
        request.getfixturevalue(f"{'sqlite' if request.param == 'sqlite' else 'postgres'}_url")
    )
    engine = create_engine(url)
    try:
        await schema.upgrade(engine)  # the schema the application runs on, full text included
        yield SqlAssetLibrary(engine)
    finally:
        await engine.dispose()


async def added(library: AssetLibrary, *assets: Asset) -> AssetLibrary:
    for asset in assets:
        await library.add(asset)
    return library


async def found(
    library: AssetLibrary,
    query: AssetQuery = AssetQuery(),  # noqa: B008
    *,
    owner: str = "alice",
    after: AssetCursor | None = None,
    limit: int = 100,
) -> list[str]:
    return ids(await library.find(owner, query, after=after, limit=limit))


# -- round trip ---------------------------------------------------------------------------------


async def test_an_asset_comes_back_with_every_field(library: AssetLibrary) -> None:
    asset = an_asset(
        "ast_full",
        operation_id="op_9",
        model_id="trellis",
        kind=OperationKind.IMAGE_TO_3D,
        media_type=MediaType.GLB,
        size_bytes=5_000_000_000,
        width=1024,
        height=768,
        duration_seconds=1 / 3,
        prompt="une nuit étoilée — «brume» sur Zürich \u2603 雾中的灯塔",
        cost=9_000_000_000,
        vertex_count=123_456,
        derived_from=("ast_p2", "ast_p1", "ast_p3"),
        tags=frozenset({"landscape", "nuit étoilée", "x" * MAX_LABEL_CHARS}),
        favourite=True,
        collections=frozenset({"portfolio", "🌙"}),
    )
    await library.add(asset)

    assert await library.get("alice", "ast_full") == asset


async def test_an_asset_without_optional_fields_comes_back_without_them(
    library: AssetLibrary,
) -> None:
    asset = an_asset(prompt="")
    await library.add(asset)

    back = await library.get("alice", "ast_1")

    assert back == asset
    assert back is not None
    assert (back.width, back.height, back.duration_seconds, back.vertex_count) == (None,) * 4
    assert (back.derived_from, back.tags, back.collections, back.favourite) == (
        (),
        frozenset(),
        frozenset(),
        False,
    )


async def test_the_creation_time_comes_back_in_utc_as_the_same_instant(
    library: AssetLibrary,
) -> None:
    india = timezone(timedelta(hours=5, minutes=30))
    await library.add(an_asset(created_at=datetime(2026, 3, 4, 17, 31, 2, 345678, tzinfo=india)))

    back = await library.get("alice", "ast_1")

    assert back is not None
    assert back.created_at == datetime(2026, 3, 4, 12, 1, 2, 345678, tzinfo=UTC)
    assert back.created_at.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    "seconds", [0.0, 0.1, 0.1 + 0.2, 1 / 3, 2.5, 1e-9, 86_400.000_001, 1.7976931348623157e308]
)
async def test_a_duration_comes_back_exactly(library: AssetLibrary, seconds: float) -> None:
    await library.add(an_asset(media_type=MediaType.MP4, duration_seconds=seconds))

    back = await library.get("alice", "ast_1")

    assert back is not None
    assert back.duration_seconds == seconds


async def test_adding_an_id_again_replaces_the_asset_its_labels_and_lineage(
    library: AssetLibrary,
) -> None:
    await library.add(
        an_asset(
            prompt="a red fox",
            tags=frozenset({"old"}),
            collections=frozenset({"old"}),
            derived_from=("ast_0",),
            favourite=True,
        )
    )
    newer = an_asset(prompt="a blue whale", tags=frozenset({"new"}), size_bytes=7)

    await library.add(newer)

    assert await library.get("alice", "ast_1") == newer
    assert await found(library, AssetQuery(text="fox")) == []
    assert await found(library, AssetQuery(text="whale")) == ["ast_1"]
    assert await found(library, AssetQuery(tag="old")) == []
    assert await found(library, AssetQuery(collection="old")) == []
    assert await found(library, AssetQuery(favourite=True)) == []
    assert await library.bytes_used("alice") == 7


# -- owners -------------------------------------------------------------------------------------


async def test_another_owners_asset_is_not_found(library: AssetLibrary) -> None:
    await added(library, an_asset("ast_b", owner="bob"))

    assert await library.get("alice", "ast_b") is None
    assert await found(library) == []
    assert await found(library, AssetQuery(text="lighthouse")) == []
    assert await library.known("alice", ["ast_b"]) == frozenset()
    assert await library.bytes_used("alice") == 0


async def test_another_owners_asset_is_neither_relabelled_nor_removed(
    library: AssetLibrary,
) -> None:
    bobs = an_asset("ast_b", owner="bob")
    await library.add(bobs)

    assert await library.relabel("alice", "ast_b", Relabel(add_tags=frozenset({"x"}))) is None
    assert await library.remove("alice", "ast_b") is None
    assert await library.get("bob", "ast_b") == bobs


async def test_each_owner_sees_only_their_own_assets(library: AssetLibrary) -> None:
    await added(
        library,
        an_asset("ast_a1", size_bytes=10),
        an_asset("ast_b1", owner="bob", size_bytes=200, created_at=at(1)),
        an_asset("ast_a2", size_bytes=20, created_at=at(2)),
    )

    assert await found(library) == ["ast_a2", "ast_a1"]
    assert await found(library, owner="bob") == ["ast_b1"]
    assert await library.bytes_used("alice") == 30
    assert await library.bytes_used("bob") == 200
    assert await library.known("bob", ["ast_a1", "ast_b1"]) == frozenset({"ast_b1"})


# -- filters ------------------------------------------------------------------------------------


@pytest.fixture
async def catalogue(library: AssetLibrary) -> AssetLibrary:
    """Five assets of alice's (and one of bob's), one second apart, newest last."""
    return await added(
        library,
        an_asset(
            "ast_1",
            created_at=at(1),
            prompt="A red fox at dawn!",
            tags=frozenset({"animal", "red"}),
            collections=frozenset({"wild"}),
        ),
        an_asset(
            "ast_2",
            created_at=at(2),
            kind=OperationKind.UPSCALE,
            model_id="esrgan",
            prompt="red-fox, upscaled",
            tags=frozenset({"animal"}),
            favourite=True,
            derived_from=("ast_1",),
        ),
        an_asset(
            "ast_3",
            created_at=at(3),
            prompt="Foxes in the snow",
            collections=frozenset({"wild", "winter"}),
        ),
        an_asset(
            "ast_4",
            created_at=at(4),
            kind=OperationKind.IMAGE_EDIT,
            prompt="la nuit — «étoilée» à Zürich",
            tags=frozenset({"red"}),
            favourite=True,
            derived_from=("ast_3", "ast_1"),
        ),
        an_asset("ast_5", created_at=at(5), prompt="", tags=frozenset({"animal"})),
        an_asset(
            "ast_bob",
            owner="bob",
            created_at=at(6),
            prompt="a red fox",
            tags=frozenset({"red"}),
            derived_from=("ast_1",),
        ),
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (AssetQuery(), ["ast_5", "ast_4", "ast_3", "ast_2", "ast_1"]),
        (AssetQuery(kind=OperationKind.UPSCALE), ["ast_2"]),
        (AssetQuery(kind=OperationKind.CONTROL), []),
        (AssetQuery(model_id="esrgan"), ["ast_2"]),
        (AssetQuery(model_id="flux-schnell"), ["ast_5", "ast_4", "ast_3", "ast_1"]),
        (AssetQuery(tag="animal"), ["ast_5", "ast_2", "ast_1"]),
        (AssetQuery(tag="anim"), []),
        (AssetQuery(collection="wild"), ["ast_3", "ast_1"]),
        (AssetQuery(collection="winter"), ["ast_3"]),
        (AssetQuery(favourite=True), ["ast_4", "ast_2"]),
        (AssetQuery(favourite=False), ["ast_5", "ast_3", "ast_1"]),
        (AssetQuery(created_from=at(2)), ["ast_5", "ast_4", "ast_3", "ast_2"]),
        (AssetQuery(created_from=at(2.5)), ["ast_5", "ast_4", "ast_3"]),
        (AssetQuery(created_before=at(2)), ["ast_1"]),
        (AssetQuery(created_from=at(2), created_before=at(4)), ["ast_3", "ast_2"]),
        (AssetQuery(created_from=at(4), created_before=at(4)), []),
        (AssetQuery(tag="animal", favourite=False), ["ast_5", "ast_1"]),
        (AssetQuery(tag="red", collection="wild"), ["ast_1"]),
        (AssetQuery(tag="animal", kind=OperationKind.UPSCALE, favourite=True), ["ast_2"]),
        (AssetQuery(tag="animal", text="fox", created_before=at(2)), ["ast_1"]),
        (AssetQuery(tag="red", text="fox"), ["ast_1"]),
        (AssetQuery(derived_from="ast_1"), ["ast_4", "ast_2"]),  # never another owner's
        (AssetQuery(derived_from="ast_3"), ["ast_4"]),
        (AssetQuery(derived_from="ast_5"), []),
        (AssetQuery(derived_from="ast_1", kind=OperationKind.UPSCALE), ["ast_2"]),
    ],
    ids=repr,
)
async def test_a_filter_keeps_exactly_the_matching_assets(
    catalogue: AssetLibrary, query: AssetQuery, expected: list[str]
) -> None:
    assert await found(catalogue, query) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("fox", ["ast_2", "ast_1"]),  # whole words: not "Foxes"
        ("foxes", ["ast_3"]),
        ("FOX", ["ast_2", "ast_1"]),  # case does not matter
        ("red fox", ["ast_2", "ast_1"]),
        ("fox red", ["ast_2", "ast_1"]),  # nor does order
        ("red fox dawn", ["ast_1"]),  # every word is needed
        ("red-fox!", ["ast_2", "ast_1"]),  # nor does punctuation
        ("«fox»,  (red)…", ["ast_2", "ast_1"]),
        ("étoilée", ["ast_4"]),
        ("ÉTOILÉE zürich", ["ast_4"]),
        ("etoilee", []),  # accents count
        ("nuit", ["ast_4"]),
        ("fo", []),
        ("", ["ast_5", "ast_4", "ast_3", "ast_2", "ast_1"]),  # no words: no condition
        ("!!! — ...", ["ast_5", "ast_4", "ast_3", "ast_2", "ast_1"]),
    ],
)
async def test_text_search_finds_whole_words_in_the_prompt(
    catalogue: AssetLibrary, text: str, expected: list[str]
) -> None:
    assert await found(catalogue, AssetQuery(text=text)) == expected


@pytest.mark.parametrize(
    "text",
    [
        '"',
        'fox"',
        "fox OR snow",
        "fox AND NOT red",
        "NEAR(red fox)",
        "fox*",
        "-fox",
        "^fox",
        "words: fox",
        "prompt_words:fox",
        "{words}: fox",
        "fox & !red | snow",
        "fox:*",
        "'fox'",
        "fox\x00red",
        "%fox_",
        "a" * 3000,
        "red " * 500,
    ],
)
async def test_text_that_looks_like_query_syntax_is_only_words(
    catalogue: AssetLibrary, text: str
) -> None:
    mine = await catalogue.find("alice", AssetQuery(), after=None, limit=100)
    query = AssetQuery(text=text)

    assert await found(catalogue, query) == ids(tuple(a for a in mine if query.matches(a)))


# -- paging -------------------------------------------------------------------------------------


async def test_an_empty_library_has_an_empty_page(library: AssetLibrary) -> None:
    assert await found(library) == []
    assert await found(library, after=AssetCursor(created_at=T0, asset_id="ast_1")) == []


@pytest.mark.parametrize("limit", [0, -1])
async def test_a_limit_below_one_gives_nothing(catalogue: AssetLibrary, limit: int) -> None:
    assert await found(catalogue, limit=limit) == []


async def test_a_page_of_exactly_every_asset_is_followed_by_an_empty_one(
    catalogue: AssetLibrary,
) -> None:
    page = await catalogue.find("alice", AssetQuery(), after=None, limit=5)

    assert ids(page) == ["ast_5", "ast_4", "ast_3", "ast_2", "ast_1"]
    assert await found(catalogue, after=AssetCursor.at(page[-1]), limit=5) == []


async def test_pages_walk_every_asset_once_newest_first(catalogue: AssetLibrary) -> None:
    walked: list[str] = []
    after = None
    while page := await catalogue.find("alice", AssetQuery(), after=after, limit=2):
        walked += ids(page)
        after = AssetCursor.at(page[-1])

    assert walked == ["ast_5", "ast_4", "ast_3", "ast_2", "ast_1"]


async def test_assets_created_at_the_same_time_are_ordered_by_id(library: AssetLibrary) -> None:
    await added(library, *(an_asset(asset_id) for asset_id in ("ast_b", "ast_c", "ast_a")))

    first = await library.find("alice", AssetQuery(), after=None, limit=2)
    rest = await found(library, after=AssetCursor.at(first[-1]), limit=2)

    assert ids(first) == ["ast_c", "ast_b"]
    assert rest == ["ast_a"]


async def test_a_cursor_between_ties_resumes_at_the_next_id(library: AssetLibrary) -> None:
    await added(library, *(an_asset(asset_id) for asset_id in ("ast_a", "ast_c")))
    await library.add(an_asset("ast_x", created_at=at(-1)))

    after = AssetCursor(created_at=T0, asset_id="ast_b")  # no such asset

    assert await found(library, after=after) == ["ast_a", "ast_x"]


async def test_a_cursor_survives_removals_and_newer_assets_between_pages(
    catalogue: AssetLibrary,
) -> None:
    first = await catalogue.find("alice", AssetQuery(), after=None, limit=2)
    await catalogue.remove("alice", "ast_4")  # the cursor's own asset
    await catalogue.add(an_asset("ast_6", created_at=at(10)))

    rest = await found(catalogue, after=AssetCursor.at(first[-1]))

    assert ids(first) == ["ast_5", "ast_4"]
    assert rest == ["ast_3", "ast_2", "ast_1"]


async def test_filtered_pages_follow_the_same_order(catalogue: AssetLibrary) -> None:
    first = await catalogue.find("alice", AssetQuery(text="fox"), after=None, limit=1)

    assert ids(first) == ["ast_2"]
    assert await found(catalogue, AssetQuery(text="fox"), after=AssetCursor.at(first[0])) == [
        "ast_1"
    ]


# -- relabel ------------------------------------------------------------------------------------


async def test_relabelling_adds_and_removes_labels_and_sets_the_favourite(
    library: AssetLibrary,
) -> None:
    asset = an_asset(tags=frozenset({"a", "b"}), collections=frozenset({"x"}))
    await library.add(asset)
    change = Relabel(
        add_tags=frozenset({"c"}),
        remove_tags=frozenset({"a", "missing"}),
        add_collections=frozenset({"y"}),
        remove_collections=frozenset({"x"}),
        favourite=True,
    )

    changed = await library.relabel("alice", "ast_1", change)

    assert changed == change.apply(asset)
    assert changed == replace(
        asset, tags=frozenset({"b", "c"}), collections=frozenset({"y"}), favourite=True
    )
    assert await library.get("alice", "ast_1") == changed
    assert await found(library, AssetQuery(tag="a")) == []
    assert await found(library, AssetQuery(tag="c")) == ["ast_1"]
    assert await found(library, AssetQuery(collection="y", favourite=True)) == ["ast_1"]


async def test_a_label_both_added_and_removed_is_added(library: AssetLibrary) -> None:
    await library.add(an_asset(tags=frozenset({"a"})))
    both = frozenset({"a", "b"})

    changed = await library.relabel(
        "alice", "ast_1", Relabel(add_tags=both, remove_tags=both, remove_collections=both)
    )

    assert changed is not None
    assert changed.tags == both


async def test_the_favourite_is_kept_unless_set(library: AssetLibrary) -> None:
    await library.add(an_asset(favourite=True))

    kept = await library.relabel("alice", "ast_1", Relabel(add_tags=frozenset({"t"})))
    unset = await library.relabel("alice", "ast_1", Relabel(favourite=False))

    assert kept is not None and kept.favourite
    assert unset is not None and not unset.favourite
    assert await found(library, AssetQuery(favourite=False)) == ["ast_1"]


async def test_relabelling_a_missing_asset_finds_nothing(library: AssetLibrary) -> None:
    assert await library.relabel("alice", "ast_1", Relabel(favourite=True)) is None
    assert await found(library) == []


async def test_concurrent_relabels_of_one_asset_all_survive(library: AssetLibrary) -> None:
    await library.add(an_asset())
    changes = [
        Relabel(add_tags=frozenset({f"t{n}"}), add_collections=frozenset({f"c{n % 3}"}))
        for n in range(8)
    ]

    await asyncio.gather(*(library.relabel("alice", "ast_1", change) for change in changes))

    asset = await library.get("alice", "ast_1")
    assert asset is not None
    assert asset.tags == {f"t{n}" for n in range(8)}
    assert asset.collections == {"c0", "c1", "c2"}


async def test_relabelling_keeps_everything_else(library: AssetLibrary) -> None:
    asset = an_asset(prompt="a red fox", derived_from=("ast_0",), duration_seconds=1.5)
    await library.add(asset)

    await library.relabel("alice", "ast_1", Relabel(add_tags=frozenset({"t"})))

    assert await library.get("alice", "ast_1") == replace(asset, tags=frozenset({"t"}))
    assert await found(library, AssetQuery(text="fox", tag="t")) == ["ast_1"]


# -- remove -------------------------------------------------------------------------------------


async def test_removing_gives_back_the_asset_as_it_was_once(library: AssetLibrary) -> None:
    asset = an_asset(
        prompt="a red fox",
        tags=frozenset({"t"}),
        collections=frozenset({"c"}),
        derived_from=("ast_0",),
        favourite=True,
    )
    await added(library, asset, an_asset("ast_2", created_at=at(1)))

    assert await library.remove("alice", "ast_1") == asset
    assert await library.remove("alice", "ast_1") is None
    assert await library.get("alice", "ast_1") is None
    assert await found(library) == ["ast_2"]
    assert await found(library, AssetQuery(text="fox")) == []
    assert await found(library, AssetQuery(tag="t")) == []
    assert await library.known("alice", ["ast_1", "ast_2"]) == frozenset({"ast_2"})


async def test_a_removed_id_can_be_added_again_without_its_old_labels(
    library: AssetLibrary,
) -> None:
    await library.add(an_asset(tags=frozenset({"old"}), derived_from=("ast_0",)))
    await library.remove("alice", "ast_1")
    again = an_asset(prompt="fresh start")

    await library.add(again)

    assert await library.get("alice", "ast_1") == again
    assert await found(library, AssetQuery(text="fresh")) == ["ast_1"]


async def test_removing_a_parent_keeps_the_lineage_of_its_children(library: AssetLibrary) -> None:
    child = an_asset("ast_child", derived_from=("ast_parent",), created_at=at(1))
    await added(library, an_asset("ast_parent"), child)

    await library.remove("alice", "ast_parent")

    assert await library.get("alice", "ast_child") == child


# -- totals -------------------------------------------------------------------------------------


async def test_an_owner_without_assets_uses_no_bytes(library: AssetLibrary) -> None:
    assert await library.bytes_used("alice") == 0


async def test_bytes_used_follows_adds_replacements_and_removals(library: AssetLibrary) -> None:
    await added(
        library, an_asset("ast_1", size_bytes=3_000_000_000), an_asset("ast_2", size_bytes=5)
    )
    await library.add(an_asset("ast_2", size_bytes=7))
    assert await library.bytes_used("alice") == 3_000_000_007

    await library.remove("alice", "ast_1")

    assert await library.bytes_used("alice") == 7


async def test_owners_lists_everyone_with_an_asset_once_sorted(library: AssetLibrary) -> None:
    assert await library.owners() == ()
    await added(
        library,
        an_asset("ast_1", owner="carol"),
        an_asset("ast_2", owner="alice"),
        an_asset("ast_3", owner="Bob"),
        an_asset("ast_4", owner="alice"),
    )
    assert await library.owners() == ("Bob", "alice", "carol")

    await library.remove("carol", "ast_1")

    assert await library.owners() == ("Bob", "alice")


async def test_known_names_the_owners_ids_among_those_asked(library: AssetLibrary) -> None:
    # More ids than one `IN (…)` takes, the owner's spread over all of them.
    await added(library, *(an_asset(f"ast_{n:04}") for n in range(0, 1200, 100)))
    asked = [f"ast_{n:04}" for n in range(1200)] + ["ast_0000", "nope"]

    assert await library.known("alice", asked) == {f"ast_{n:04}" for n in range(0, 1200, 100)}
    assert await library.known("alice", []) == frozenset()
    assert await library.known("bob", asked) == frozenset()


# -- the reference meaning ----------------------------------------------------------------------

_KINDS = [OperationKind.TEXT_TO_IMAGE, OperationKind.UPSCALE]
_VOCABULARY = ["red", "Fox", "fox", "dawn", "snow", "étoilée", "Zürich", "12", "a1"]
_GLUE = [" ", ", ", "-", "!", " — ", "_", "«", "»", "."]


@st.composite
def prompts(draw: st.DrawFn) -> str:
    chosen = draw(st.lists(st.sampled_from(_VOCABULARY), max_size=5))
    glue = draw(st.lists(st.sampled_from(_GLUE), min_size=len(chosen), max_size=len(chosen)))
    return "".join(word + between for word, between in zip(chosen, glue, strict=True))


@st.composite
def libraries(draw: st.DrawFn) -> list[Asset]:
    count = draw(st.integers(min_value=0, max_value=8))
    return [
        an_asset(
            f"ast_{n}",
            owner=draw(st.sampled_from(["me", "me", "me", "other"])),
            kind=draw(st.sampled_from(_KINDS)),
            model_id=draw(st.sampled_from(["m1", "m2"])),
            created_at=at(draw(st.integers(min_value=0, max_value=3))),
            prompt=draw(prompts()),
            tags=frozenset(draw(st.sets(st.sampled_from(["a", "b"])))),
            collections=frozenset(draw(st.sets(st.sampled_from(["x", "y"])))),
            favourite=draw(st.booleans()),
        )
        for n in range(count)
    ]


queries = st.builds(
    AssetQuery,
    kind=st.none() | st.sampled_from(_KINDS),
    model_id=st.none() | st.sampled_from(["m1", "m2"]),
    tag=st.none() | st.sampled_from(["a", "b"]),
    collection=st.none() | st.sampled_from(["x", "y"]),
    favourite=st.none() | st.booleans(),
    created_from=st.none() | st.integers(min_value=0, max_value=4).map(at),
    created_before=st.none() | st.integers(min_value=0, max_value=4).map(at),
    text=st.none() | prompts(),
)
cursors = st.none() | st.builds(
    AssetCursor,
    created_at=st.integers(min_value=0, max_value=3).map(at),
    asset_id=st.sampled_from(["ast_0", "ast_3", "ast_5", "ast_9"]),
)


def owned_by(owner: str, assets: list[Asset]) -> list[Asset]:
    """The same assets under fresh owners, so each example has a library of its own."""
    return [
        replace(a, owner=owner if a.owner == "me" else f"{owner}-other", id=f"{owner}-{a.id}")
        for a in assets
    ]


@FEW
@given(assets=libraries(), query=queries, after=cursors, limit=st.integers(0, 6))
async def test_find_is_newest_first_over_matches(
    library: AssetLibrary,
    assets: list[Asset],
    query: AssetQuery,
    after: AssetCursor | None,
    limit: int,
) -> None:
    owner = f"o{next(_owners)}"
    mine = owned_by(owner, assets)
    await added(library, *mine)
    if after is not None:
        after = replace(after, asset_id=f"{owner}-{after.asset_id}")

    page = await library.find(owner, query, after=after, limit=limit)

    owned = [a for a in mine if a.owner == owner and query.matches(a)]
    assert page == newest_first(owned, after=after, limit=limit)


storable_text = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"))


@FEW
@given(prompt_texts=st.lists(storable_text, max_size=4), data=st.data())
async def test_any_text_searches_as_matches_says(
    library: AssetLibrary, prompt_texts: list[str], data: st.DataObject
) -> None:
    owner = f"o{next(_owners)}"
    mine = [an_asset(f"{owner}-{n}", owner=owner, prompt=p) for n, p in enumerate(prompt_texts)]
    await added(library, *mine)
    # Any text at all, or a piece of a prompt so that the search finds something.
    pieces = [p[start:] for p in prompt_texts for start in range(0, len(p), 3)]
    text = data.draw(st.text() | (st.sampled_from(pieces) if pieces else st.text()))
    query = AssetQuery(text=text)

    page = await library.find(owner, query, after=None, limit=10)

    assert page == newest_first([a for a in mine if query.matches(a)], after=None, limit=10)


async def test_the_owners_totals_follow_every_add_replace_and_remove(
    library: AssetLibrary,
) -> None:
    await library.add(an_asset("ast_1", size_bytes=100))
    await library.add(an_asset("ast_2", size_bytes=50))
    await library.add(an_asset("ast_1", size_bytes=30))  # a retried save, smaller this time
    await library.add(an_asset("ast_3", owner="bob", size_bytes=7))
    assert (await library.bytes_used("alice"), await library.owners()) == (80, ("alice", "bob"))

    await library.remove("alice", "ast_1")
    await library.remove("alice", "ast_1")  # nothing left to remove: totals stay
    assert await library.bytes_used("alice") == 50
    await library.remove("alice", "ast_2")

    assert await library.bytes_used("alice") == 0
    assert await library.owners() == ("bob",)
    assert await library.bytes_used("bob") == 7
