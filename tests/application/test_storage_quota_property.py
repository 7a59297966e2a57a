"""The storage limit as a property: whatever the order of operations and deletions, an
operation runs exactly when the user's stored bytes are below the plan's limit, and a refused
one leaves no trace in the ledger, the quota or the library."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fakes import text_to_image
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from returns.result import Failure, Success

from imagestudio.domain.asset_query import AssetQuery
from imagestudio.domain.errors import StorageQuotaExceeded
from imagestudio.domain.limit import Limit
from imagestudio.domain.plan import Plan

if TYPE_CHECKING:
    from conftest import Studio, StudioFactory

Step = tuple[str, int]
steps = st.lists(
    st.one_of(
        st.tuples(st.just("run"), st.integers(min_value=1, max_value=3)),
        st.tuples(st.just("delete"), st.integers(min_value=0, max_value=20)),
    ),
    max_size=12,
)


async def stored(studio: Studio) -> list[tuple[str, int]]:
    page = await studio.assets.page("ada", after=None, limit=1000, query=AssetQuery())
    return [(asset.id, asset.size_bytes) for asset in page]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(plan_steps=steps, limit=st.integers(min_value=0, max_value=60_000))
async def test_an_operation_runs_exactly_while_stored_bytes_are_below_the_limit(
    make_studio: StudioFactory, plan_steps: list[Step], limit: int
) -> None:
    studio = make_studio()
    await studio.quota.define_plan(Plan(name="capped", storage_bytes=Limit.of(limit)))
    await studio.quota.assign("ada", "capped")
    for action, number in plan_steps:
        before = await stored(studio)
        used = sum(size for _, size in before)
        assert await studio.assets.library.bytes_used("ada") == used
        if action == "delete":
            if before:
                await studio.assets.delete("ada", before[number % len(before)][0])
            continue
        lines = len(await studio.lines("ada"))
        result = await studio.run.execute(text_to_image(outputs=number, width=64, height=64))
        if used >= limit:
            assert result == Failure(StorageQuotaExceeded(user_id="ada", used=used, limit=limit))
            assert len(await studio.lines("ada")) == lines
            assert await stored(studio) == before
        else:
            assert isinstance(result, Success)
            made = sum(asset.size_bytes for asset in result.unwrap().assets)
            assert sum(size for _, size in await stored(studio)) == used + made
        await studio.assert_nothing_held("ada")
    await studio.assert_used_matches_ledger("ada")
