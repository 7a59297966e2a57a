"""The admin plan form reads back every plan it is filled with (edit, save: the same plan), and
the usage bars write each row's amounts in its own unit."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from starlette.datastructures import FormData

from imagestudio.application.use_cases.usage import STORAGE, UsageRow
from imagestudio.domain.limit import Limit
from imagestudio.domain.plan import Plan
from imagestudio.domain.quota import CONCURRENCY, SPEND
from imagestudio.domain.reference_plans import LOCAL, PRO, REFERENCE_PLANS
from imagestudio.entrypoints.http.pages.admin_forms import plan_from, plan_summary, plan_values
from imagestudio.entrypoints.http.pages.usage_bars import byte_text, usage_bar

AT = datetime(2026, 3, 1, tzinfo=UTC)


@pytest.mark.parametrize("plan", REFERENCE_PLANS, ids=lambda plan: plan.name)
def test_a_plans_form_saves_back_the_same_plan(plan: Plan) -> None:
    read = plan_from(FormData(plan_values(plan)))
    # The price a plan costs its subscriber is informational and not on the form.
    assert read == Plan(**{**_fields(plan), "monthly_price": 0})


def test_an_empty_form_field_is_unlimited_and_a_bad_one_is_named() -> None:
    read = plan_from(FormData({"name": "open"}))
    assert read == Plan(name="open")
    for field, value in (("spend_cap", "lots"), ("anchor_day", "32"), ("retention_days", "x")):
        refused = plan_from(FormData({"name": "p", field: value}))
        assert not isinstance(refused, Plan), field
        # Named as the API names it ("spend cap", "anchor_day").
        assert refused.field.replace(" ", "_") == field, refused


def test_bars_write_money_bytes_and_counts_with_their_limit() -> None:
    def row(name: str, used: int, held: int, maximum: int | None) -> UsageRow:
        return UsageRow(name=name, used=used, held=held, limit=Limit(maximum), resets_at=AT)

    spend = usage_bar(row(SPEND, 20_000, 10_000, 100_000_000))
    assert (spend.used, spend.held, spend.limit, spend.remaining) == (
        "$0.02",
        "$0.01",
        "$100.00",
        "$99.97",
    )
    assert (spend.value, spend.maximum, spend.percent) == (30_000, 100_000_000, 0)
    calls = usage_bar(row("image-generation", 7, 1, 10))
    assert (calls.title, calls.used, calls.percent, calls.remaining) == (
        "Image generation",
        "7",
        80,
        "2",
    )
    assert usage_bar(row(CONCURRENCY, 1, 0, None)).limit == "unlimited"
    assert usage_bar(row("video", 1, 0, 0)).percent == 100
    assert usage_bar(row(STORAGE, 1_500_000, 0, None)).used == "1.5 MB"
    assert [byte_text(n) for n in (999, 1000, 2_500_000_000, 10**13)] == [
        "999 B",
        "1.0 kB",
        "2.5 GB",
        "10000.0 GB",
    ]


def _fields(plan: Plan) -> dict[str, object]:
    return {name: getattr(plan, name) for name in Plan.__dataclass_fields__}


def test_the_plans_table_writes_dollars_bytes_and_only_the_limited_categories() -> None:
    pro = plan_summary(PRO)
    assert (pro["spend_cap"], pro["storage"]) == ("$100.00", "10.7 GB")
    assert pro["calls"].startswith("image-generation 100, ") and "local" not in pro["calls"]
    assert plan_summary(LOCAL) == {
        "spend_cap": "unlimited",
        "calls": "unlimited",
        "storage": "unlimited",
    }
