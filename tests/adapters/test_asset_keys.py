"""Asset keys: the one layout every byte store writes, and reads back in its inventory."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from imagestudio.adapters.asset_keys import AssetKey
from imagestudio.domain.media import MediaType

safe_names = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.@-]{0,127}", fullmatch=True)


@given(owner=safe_names, asset_id=safe_names, media_type=st.sampled_from(MediaType))
def test_every_key_reads_back_from_its_path(
    owner: str, asset_id: str, media_type: MediaType
) -> None:
    key = AssetKey(owner, asset_id, media_type)

    assert AssetKey.parsed(key.path) == key


@given(path=st.text(max_size=40))
def test_whatever_parses_is_written_back_the_same(path: str) -> None:
    key = AssetKey.parsed(path)

    assert key is None or key.path == path


def test_the_path_is_owner_slash_id_dot_extension() -> None:
    assert AssetKey("alice", "ast_1", MediaType.JPEG).path == "alice/ast_1.jpg"


@pytest.mark.parametrize(
    "path",
    [
        "alice/ast_1.jpeg",
        "alice/ast_1.PNG",
        "alice/ast_1.json",
        "alice/ast_1",
        "alice/.png",
        "alice/.ast_1.png",
        "ast_1.png",
        "alice/nested/ast_1.png",
        "../ast_1.png",
        "/alice/ast_1.png",
        "alice/",
        "",
    ],
)
def test_names_no_store_writes_do_not_parse(path: str) -> None:
    assert AssetKey.parsed(path) is None


@pytest.mark.parametrize(("owner", "asset_id"), [("..", "ast_1"), ("alice", "a/b"), ("", "x")])
def test_an_unsafe_name_makes_no_key(owner: str, asset_id: str) -> None:
    with pytest.raises(ValueError, match="not a safe name"):
        AssetKey(owner, asset_id, MediaType.PNG)


@given(
    owner=safe_names,
    asset_id=safe_names,
    size=st.integers(min_value=1, max_value=99_999),
    media_type=st.sampled_from(MediaType),
)
def test_every_thumbnail_key_reads_back_and_never_reads_as_an_asset(
    owner: str, asset_id: str, size: int, media_type: MediaType
) -> None:
    key = AssetKey(owner, asset_id, media_type, size)

    assert AssetKey.parsed(key.path) == key
    assert key.path == f"{owner}/{asset_id}~thumb{size}.{media_type.extension}"


@pytest.mark.parametrize(
    "path", ["alice/ast_1~thumb.webp", "alice/ast_1~thumb012.webp", "alice/ast_1~thumb+1.webp"]
)
def test_a_thumbnail_size_not_written_so_is_no_key(path: str) -> None:
    assert AssetKey.parsed(path) is None
