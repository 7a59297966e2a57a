"""The Library page's filters and label forms, without a server: an empty field means any, each
filter means what `GET /v1/assets` means by it, and the next page's URL carries every filter."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qs

from hypothesis import given
from hypothesis import strategies as st
from starlette.datastructures import FormData

from imagestudio.domain.asset_query import AssetQuery, Relabel
from imagestudio.domain.errors import InvalidInput
from imagestudio.domain.operation_kind import OperationKind
from imagestudio.entrypoints.http.pages.asset_actions import relabel_of
from imagestudio.entrypoints.http.pages.library_filters import DEFAULT_PAGE_SIZE, LibraryFilters

TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=20)


def test_empty_fields_mean_any() -> None:
    assert LibraryFilters().query() == AssetQuery()
    assert LibraryFilters(q="   ").query() == AssetQuery()
    assert not LibraryFilters().active and LibraryFilters().query_string() == ""


def test_each_field_means_what_the_api_means() -> None:
    query = LibraryFilters(
        kind="upscale",
        model="offline/upscale",
        tag="cats",
        collection="winter",
        favourite="false",
        created_from="2026-11-01",
        created_before="2026-11-02T12:00:00+02:00",
        q="red fox",
    ).query()
    assert query == AssetQuery(
        kind=OperationKind.UPSCALE,
        model_id="offline/upscale",
        tag="cats",
        collection="winter",
        favourite=False,
        created_from=datetime(2026, 11, 1, tzinfo=UTC),
        created_before=datetime(2026, 11, 2, 10, tzinfo=UTC),
        text="red fox",
    )
    assert LibraryFilters(favourite="true").query() == AssetQuery(favourite=True)


def test_bad_fields_are_named() -> None:
    for filters, field in (
        (LibraryFilters(kind="painting"), "kind"),
        (LibraryFilters(favourite="yes"), "favourite"),
        (LibraryFilters(model="a\x00b"), "model"),
        (LibraryFilters(created_from="soon"), "created_from"),
        (LibraryFilters(created_before="9999-12-31T23:59:59-23:00"), "created_before"),
        (LibraryFilters(limit=0), "limit"),
    ):
        problem = filters.query()
        assert isinstance(problem, InvalidInput) and problem.field == field, filters


@given(
    fields=st.fixed_dictionaries(
        dict.fromkeys(
            ("kind", "model", "tag", "collection", "favourite", "created_from", "q"), TEXT
        )
    ),
    limit=st.integers(1, 200),
    cursor=st.none() | st.text(st.characters(codec="ascii"), min_size=1, max_size=30),
)
def test_the_next_pages_url_carries_every_filter(
    fields: dict[str, str], limit: int, cursor: str | None
) -> None:
    filters = LibraryFilters(**fields, limit=limit)
    sent = {name: values[0] for name, values in parse_qs(filters.query_string(cursor)).items()}
    expected = {name: value for name, value in fields.items() if value}
    if limit != DEFAULT_PAGE_SIZE:
        expected["limit"] = str(limit)
    if cursor:
        expected["cursor"] = cursor
    assert sent == expected
    assert filters.active == any(fields.values())


def test_a_label_form_asks_for_one_change() -> None:
    assert relabel_of(FormData({"add_tag": "cats"})) == Relabel(add_tags=frozenset({"cats"}))
    assert relabel_of(FormData({"remove_collection": "old"})) == Relabel(
        remove_collections=frozenset({"old"})
    )
    assert relabel_of(FormData({"favourite": "false"})) == Relabel(favourite=False)
    for form in ({}, {"add_tag": ""}, {"favourite": "maybe"}):
        assert isinstance(relabel_of(FormData(form)), InvalidInput), form
