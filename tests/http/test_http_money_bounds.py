"""Every amount of money the admin API takes is bounded where it comes in, and every admin write
answers what really happened: an adjustment that would overflow the spend counter (once: 201,
then the user's usage 500 for ever, and a later adjustment written yet answered 500) is a 422
with nothing written, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from http_support import migrated, serving

TOO_LARGE = [
    "9223372036854.775807",  # the 64-bit counter's own maximum, in micro-dollars
    "1000000000.000001",  # a micro-dollar past what one adjustment may move
    "-1000000000.000001",
    "99999999999999999999999999999",
]


def lines(admin: httpx.Client) -> list[dict[str, Any]]:
    found = admin.get("/v1/admin/usage/export", params={"since": "2000-01-01", "format": "json"})
    assert found.status_code == 200, found.text
    rows: list[dict[str, Any]] = found.json()
    return rows


def test_an_adjustment_too_large_is_422_and_writes_nothing(
    database_url: str, tmp_path: Path
) -> None:
    with (
        serving(tmp_path, **migrated(database_url, tmp_path)) as api,
        api.admin() as admin,
        api.client("alice") as alice,
    ):
        before = lines(admin)
        refused = [
            admin.post(
                "/v1/admin/adjustments",
                json={"user_id": "alice", "amount": amount, "reason": "typo"},
            )
            for amount in TOO_LARGE
        ]
        after_refusals = lines(admin)
        usage = alice.get("/v1/usage")
        largest = admin.post(
            "/v1/admin/adjustments",
            json={"user_id": "alice", "amount": "1000000000", "reason": "the largest correction"},
        )
        then = admin.post(
            "/v1/admin/adjustments",
            json={"user_id": "alice", "amount": "-1.50", "reason": "a refund after it"},
        )
        usage_after = alice.get("/v1/usage")
        written = lines(admin)

    for answer in refused:
        assert answer.status_code == 422, answer.text
        assert answer.json()["field"] == "amount"
    assert after_refusals == before
    assert usage.status_code == 200
    assert (largest.status_code, then.status_code) == (201, 201), (largest.text, then.text)
    assert then.json()["spend_used_micros"] == 10**15 - 1_500_000
    assert usage_after.status_code == 200, usage_after.text
    spend = next(row for row in usage_after.json()["rows"] if row["name"] == "spend")
    assert spend["used"] == "$999999998.50"
    assert [line["reason"] for line in written[len(before) :]] == [
        "the largest correction",
        "a refund after it",
    ]


def test_limits_and_budgets_beyond_a_64_bit_column_are_422(tmp_path: Path) -> None:
    huge = "9" * 20
    with serving(tmp_path) as api, api.admin() as admin:
        plans = [
            admin.put(
                "/v1/admin/plans/giant",
                json={
                    "spend_cap": "10.00",
                    "requests_per_minute": 60,
                    "concurrent_operations": 4,
                    **{field: value},
                },
            )
            for field, value in (
                ("spend_cap", huge),
                ("requests_per_minute", huge),
                ("concurrent_operations", huge),
                ("storage", huge),
                ("storage", "9999999999TB"),
                ("calls", {"image-generation": huge}),
            )
        ]
        budget = admin.put("/v1/admin/budgets/offline", json={"monthly": huge})
        listed = admin.get("/v1/admin/plans")

    for answer in plans:
        assert answer.status_code == 422, answer.text
    assert budget.status_code == 422, budget.text
    assert "giant" not in [plan["name"] for plan in listed.json()]
