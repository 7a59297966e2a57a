"""The caller's own ledger over real HTTP: lines by page and period, the export in the CLI's
columns, spend per day as JSON and as an SVG chart, and nobody else's lines anywhere."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from http_support import serving

from imagestudio.entrypoints.ledger_columns import EXPORT_FIELDS

PROBLEM = "application/problem+json"


def refused(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    return body


def test_a_users_ledger_pages_exports_and_sums_per_day_their_own_lines(tmp_path: Path) -> None:
    today = datetime.now(UTC).date().isoformat()
    with (
        serving(tmp_path, offline_price_usd="0.50") as api,
        api.client("alice") as alice,
        api.client("bob") as bob,
        api.admin() as admin,
    ):
        for prompt in ("a fox", "a kite"):
            made = alice.post("/v1/operations", json={"kind": "text-to-image", "prompt": prompt})
            assert made.status_code == 200, made.text
        refund = {"user_id": "alice", "amount": "-0.25", "reason": "a <late> render"}
        assert admin.post("/v1/admin/adjustments", json=refund).status_code == 201
        assert bob.post("/v1/operations", json={"kind": "text-to-image", "prompt": "x"}).is_success

        first = alice.get("/v1/usage/ledger", params={"limit": 2}).json()
        rest = alice.get("/v1/usage/ledger", params={"cursor": first["next_cursor"]}).json()
        current = alice.get("/v1/usage/ledger", params={"period": "current"}).json()
        by_day = alice.get("/v1/usage/ledger", params={"period": today}).json()
        long_ago = alice.get("/v1/usage/ledger", params={"period": "2001-01-01"}).json()
        csv_text = alice.get("/v1/usage/export", params={"since": today}).text
        as_json = alice.get("/v1/usage/export", params={"since": today, "format": "json"}).json()
        daily = alice.get("/v1/usage/daily").json()
        chart = alice.get("/v1/usage/daily.svg", params={"period": today})
        bobs_daily = bob.get("/v1/usage/daily").json()

        for bad in ("2026-13-01", "last", "20261115", "9999-12-31"):
            for path in ("/v1/usage/ledger", "/v1/usage/daily", "/v1/usage/daily.svg"):
                assert refused(alice.get(path, params={"period": bad}), 422)["field"] == "period"
        assert refused(alice.get("/v1/usage/ledger", params={"cursor": "!!"}), 422)["field"] == (
            "cursor"
        )
        assert refused(alice.get("/v1/usage/ledger", params={"limit": 0}), 400)
        assert refused(alice.get("/v1/usage/export", params={"since": "soon"}), 422)
        assert refused(httpx.get(f"{api.base_url}/v1/usage/daily"), 401)

    lines = first["items"] + rest["items"]
    assert [line["outcome"] for line in lines] == ["adjustment", "succeeded", "succeeded"]
    assert {line["user_id"] for line in lines} == {"alice"}
    assert rest["next_cursor"] is None and first["period_start"] is None
    assert lines[1]["provider_task_ids"] and lines[1]["unconfirmed_cost_micros"] == 0
    assert [line["line_id"] for line in current["items"]] == [line["line_id"] for line in lines]
    assert current["period_start"] is not None and by_day["period_start"] == current["period_start"]
    assert long_ago["items"] == [] and long_ago["period_start"].startswith("2001-01-01")

    header, *rows = list(csv.reader(io.StringIO(csv_text)))
    assert header == EXPORT_FIELDS and len(rows) == 3
    assert [line["line_id"] for line in as_json] == [line["line_id"] for line in reversed(lines)]
    assert as_json[2]["reason"] == "a <late> render"

    (day,) = [day for day in daily["days"] if day["day"] == today]
    assert (day["charge_micros"], day["charge_usd"], day["lines"]) == (750_000, "$0.75", 3)
    assert daily["total_micros"] == 750_000 and daily["plan"] == "pro"
    assert sum(d["charge_micros"] for d in daily["days"]) == daily["total_micros"]
    assert daily["days"][0]["day"] == daily["period_start"][:10]
    assert bobs_daily["total_micros"] == 500_000

    assert chart.status_code == 200 and chart.headers["content-type"].startswith("image/svg+xml")
    svg = ET.fromstring(chart.text)
    titles = [e.text for e in svg.iter("{http://www.w3.org/2000/svg}title")]
    assert titles[0].startswith("Spend per day") and f"{today}: $0.75 (3 lines)" in titles


def test_an_export_span_at_the_ends_of_the_calendar_is_refused_by_name(tmp_path: Path) -> None:
    """A time whose zone carries it past year 1 or 9999 in UTC is a 422 naming `since` or
    `until`, as the asset and operation listings answer — it was a 500 from the database
    layer, on the user's export and the admin's alike."""
    early, late = "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00"
    with serving(tmp_path) as api, api.client("alice") as alice, api.admin() as admin:
        answers = {
            (path, field): client.get(path, params={"since": "2026-01-01", field: value})
            for client, path in ((alice, "/v1/usage/export"), (admin, "/v1/admin/usage/export"))
            for field, value in (("since", early), ("until", late))
        }

    for (path, field), answer in answers.items():
        body = refused(answer, 422)
        assert (body["field"], body["type"]) == (field, "/problems/invalid-input/invalid"), path
