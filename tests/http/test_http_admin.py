"""The operator's routes under /v1/admin over real HTTP: plans, users, keys, budgets, ledger
adjustments and the usage export, each with its refusals, and the admin key guarding them."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from http_support import ADMIN, serving

from imagestudio.adapters.sandbox.runner import ServedApp
from imagestudio.entrypoints.http.app import create_app
from imagestudio.entrypoints.ledger_columns import EXPORT_FIELDS
from imagestudio.entrypoints.settings import Profile, Settings

PROBLEM = "application/problem+json"
TEAM = {
    "spend_cap": "25.00",
    "requests_per_minute": "60/min",
    "concurrent_operations": 4,
    "calls": {"image-generation": 100, "video": "unlimited"},
}


def problem(response: httpx.Response, status: int) -> str:
    """The problem type of a refusal, after checking its status and media type."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    kind: str = response.json()["type"]
    return kind.removeprefix("/problems/")


def generate(client: httpx.Client) -> httpx.Response:
    return client.post("/v1/operations", json={"kind": "text-to-image", "prompt": "a fox"})


@contextmanager
def serving_without_admin_key(tmp_path: Path) -> Iterator[str]:
    """The API with IMAGESTUDIO_ADMIN_KEY unset (said explicitly: the environment may set it)."""
    settings = Settings(profile=Profile.TEST, data_dir=tmp_path, admin_key=None)
    with ServedApp(create_app(settings), lifespan="on", name="http-no-admin") as served:
        yield served.base_url


# -- plans -------------------------------------------------------------------------------


def test_a_plan_is_created_then_replaced_and_read_back(tmp_path: Path) -> None:
    with serving(tmp_path) as api, api.admin() as admin:
        created = admin.put("/v1/admin/plans/team", json=TEAM)
        replaced = admin.put(
            "/v1/admin/plans/team",
            json={**TEAM, "spend_cap": "unlimited", "concurrent_operations": "unlimited"},
        )
        one = admin.get("/v1/admin/plans/team")
        every = admin.get("/v1/admin/plans")

    assert created.status_code == 201, created.text
    assert created.json()["spend_cap_micros"] == 25_000_000
    assert created.json()["spend_cap_usd"] == "$25.00"
    assert created.json()["requests_per_minute"] == 60
    assert created.json()["calls"]["image-generation"] == 100
    assert created.json()["calls"]["video"] is None  # unlimited
    assert created.json()["calls"]["upscale"] is None  # left out: unlimited
    assert replaced.status_code == 200, replaced.text
    assert one.json() == replaced.json()
    assert one.json()["spend_cap_usd"] == "unlimited"
    assert one.json()["concurrent_operations"] is None
    assert {"free", "pro", "team"} <= {plan["name"] for plan in every.json()}


def test_a_plan_definition_is_refused_as_the_cli_refuses_it(tmp_path: Path) -> None:
    with serving(tmp_path) as api, api.admin() as admin:

        def define(name: str = "team", **changes: object) -> httpx.Response:
            return admin.put(f"/v1/admin/plans/{name}", json={**TEAM, **changes})

        not_money = define(spend_cap="lots")
        a_float = define(spend_cap=25.0)
        negative = define(spend_cap="-1")
        no_category = define(calls={"painting": 3})
        no_rate = define(requests_per_minute="fast")
        below_zero = define(concurrent_operations=-1)
        not_ascii = define(calls={"video": "²"})
        too_many = define(requests_per_minute=2**64)
        bad_name = define(name="-team")
        unknown = admin.get("/v1/admin/plans/nope")
        listed = admin.get("/v1/admin/plans").json()

    assert problem(not_money, 422) == "invalid-input/invalid"
    assert not_money.json()["field"] == "spend cap"
    assert problem(a_float, 400) == "bad-request"  # money is never a JSON number
    assert problem(negative, 422) == "invalid-input/invalid"
    assert problem(no_category, 422) == "invalid-input/invalid"
    assert problem(no_rate, 422) == "invalid-input/invalid"
    assert problem(below_zero, 422) == "invalid-input/invalid"
    assert problem(not_ascii, 422) == "invalid-input/invalid"
    assert problem(too_many, 422) == "invalid-input/invalid"
    assert problem(bad_name, 422) == "invalid-input/invalid"
    assert problem(unknown, 404) == "unknown-plan"
    assert "team" not in {plan["name"] for plan in listed}


# -- users and keys ----------------------------------------------------------------------


def test_a_new_user_key_works_at_once_and_stops_when_revoked(tmp_path: Path) -> None:
    with serving(tmp_path) as api, api.admin() as admin:
        added = admin.post("/v1/admin/users", json={"user_id": "carol", "plan": "pro"})
        key = added.json()["api_key"]
        carol = httpx.Client(base_url=api.base_url, headers={"Authorization": f"Bearer {key}"})
        before = carol.get("/v1/usage")
        listed = admin.get("/v1/admin/users/carol/keys")
        key_id = listed.json()[0]["id"]
        revoked = admin.delete(f"/v1/admin/keys/{key_id}")
        after = carol.get("/v1/usage")
        again = admin.delete(f"/v1/admin/keys/{key_id}")
        carol.close()

    assert added.status_code == 201, added.text
    assert set(added.json()) == {"user_id", "api_key"}
    assert before.status_code == 200, before.text
    assert listed.json()[0]["prefix"] == key[:12] and listed.json()[0]["live"]
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    assert not revoked.json()["live"]
    assert after.status_code == 401
    assert again.status_code == 200 and again.json() == revoked.json()  # nothing changes
    assert key not in listed.text + revoked.text  # never echoed again


def test_a_key_is_revoked_by_its_prefix_or_by_itself_without_echoing_it(tmp_path: Path) -> None:
    with serving(tmp_path) as api, api.admin() as admin:
        bob_key = api.keys["bob"]
        by_prefix = admin.delete(f"/v1/admin/keys/{api.keys['alice'][:12]}")
        by_key = admin.delete(f"/v1/admin/keys/{bob_key}")
        unknown = admin.delete("/v1/admin/keys/key_nope")
        with api.client("alice") as alice, api.client("bob") as bob:
            refused = [alice.get("/v1/usage").status_code, bob.get("/v1/usage").status_code]

    assert by_prefix.status_code == 200 and by_prefix.json()["user_id"] == "alice"
    assert by_key.status_code == 200 and by_key.json()["user_id"] == "bob"
    assert bob_key not in by_key.text
    assert problem(unknown, 404) == "unknown-api-key"
    assert refused == [401, 401]


def test_rotation_issues_one_new_key_and_the_old_one_stops(tmp_path: Path) -> None:
    with serving(tmp_path) as api, api.admin() as admin:
        old_key = api.keys["alice"]
        rotated = admin.post("/v1/admin/users/alice/keys/rotate")
        api.keys["alice"] = rotated.json()["api_key"]
        with api.client("alice") as alice:
            works = alice.get("/v1/usage")
        api.keys["alice"] = old_key
        with api.client("alice") as alice:
            stopped = alice.get("/v1/usage")
        keys = admin.get("/v1/admin/users/alice/keys").json()
        unknown = admin.post("/v1/admin/users/nobody/keys/rotate")
        unknown_keys = admin.get("/v1/admin/users/nobody/keys")

    assert rotated.status_code == 200, rotated.text
    assert rotated.json()["api_key"] != old_key
    assert rotated.json()["key"]["prefix"] == rotated.json()["api_key"][:12]
    assert [key["prefix"] for key in rotated.json()["revoked"]] == [old_key[:12]]
    assert works.status_code == 200 and stopped.status_code == 401
    assert [key["live"] for key in keys] == [False, True]
    assert problem(unknown, 404) == "unknown-user"
    assert problem(unknown_keys, 404) == "unknown-user"


def test_adding_a_user_is_refused_when_they_exist_or_the_plan_does_not(
    tmp_path: Path,
) -> None:
    with serving(tmp_path) as api, api.admin() as admin:
        exists = admin.post("/v1/admin/users", json={"user_id": "alice", "plan": "free"})
        no_plan = admin.post("/v1/admin/users", json={"user_id": "dave", "plan": "gold"})
        bad_id = admin.post("/v1/admin/users", json={"user_id": "../dave", "plan": "pro"})

    assert problem(exists, 409) == "user-exists"
    assert problem(no_plan, 404) == "unknown-plan"
    assert problem(bad_id, 422) == "invalid-input/invalid"


def test_a_plan_change_binds_the_user_at_once(tmp_path: Path) -> None:
    with serving(tmp_path) as api, api.admin() as admin, api.client("alice") as alice:
        admin.put("/v1/admin/plans/one", json={**TEAM, "calls": {"image-generation": 1}})
        changed = admin.put("/v1/admin/users/alice/plan", json={"plan": "one"})
        first, second = generate(alice), generate(alice)
        no_user = admin.put("/v1/admin/users/nobody/plan", json={"plan": "one"})
        no_plan = admin.put("/v1/admin/users/alice/plan", json={"plan": "gold"})

    assert changed.status_code == 200 and changed.json() == {"user_id": "alice", "plan": "one"}
    assert first.status_code == 200, first.text
    assert problem(second, 402) == "quota-exceeded"
    assert problem(no_user, 404) == "unknown-user"
    assert problem(no_plan, 404) == "unknown-plan"


# -- operator budgets --------------------------------------------------------------------


def test_budgets_are_set_per_provider_and_listed_with_the_month_spend(tmp_path: Path) -> None:
    with serving(tmp_path) as api, api.admin() as admin:
        capped = admin.put("/v1/admin/budgets/wavespeed", json={"monthly": "500.00"})
        unlimited = admin.put("/v1/admin/budgets/offline", json={"monthly": "unlimited"})
        listed = admin.get("/v1/admin/budgets")

    assert capped.status_code == 200, capped.text
    assert capped.json()["monthly_micros"] == 500_000_000
    assert capped.json()["remaining_usd"] == "$500.00" and capped.json()["used_usd"] == "$0.00"
    assert unlimited.json()["monthly_micros"] is None
    assert unlimited.json()["monthly_usd"] == "unlimited"
    assert {budget["provider"] for budget in listed.json()} == {"wavespeed", "offline"}


def test_a_budget_is_refused_for_an_unknown_provider_or_bad_money(tmp_path: Path) -> None:
    with serving(tmp_path) as api, api.admin() as admin:
        no_provider = admin.put("/v1/admin/budgets/acme", json={"monthly": "5"})
        negative = admin.put("/v1/admin/budgets/wavespeed", json={"monthly": "-5"})
        a_number = admin.put("/v1/admin/budgets/wavespeed", json={"monthly": 5})
        huge = admin.put("/v1/admin/budgets/wavespeed", json={"monthly": "1e30"})
        listed = admin.get("/v1/admin/budgets")

    assert problem(no_provider, 422) == "invalid-input/invalid"
    assert no_provider.json()["field"] == "provider"
    assert problem(negative, 422) == "invalid-input/invalid"
    assert problem(a_number, 400) == "bad-request"
    assert problem(huge, 422) == "invalid-input/invalid"
    assert listed.json() == []


# -- the ledger --------------------------------------------------------------------------


def test_adjustments_charge_and_refund_but_never_below_zero(tmp_path: Path) -> None:
    with serving(tmp_path) as api, api.admin() as admin:

        def adjust(amount: object, user: str = "alice", reason: str = "goodwill") -> httpx.Response:
            body = {"user_id": user, "amount": amount, "reason": reason}
            return admin.post("/v1/admin/adjustments", json=body)

        charged = adjust("2.00", reason="manual render")
        refunded = adjust("-1.50")
        too_large = adjust("-1.00")
        unknown = adjust("1.00", user="nobody")
        not_money = adjust("two dollars")
        a_float = adjust(-1.5)
        no_reason = adjust("1.00", reason="  ")
        nothing = adjust("0.00")
        exponent = adjust("1e20000000")  # refused by its shape, not computed

    assert charged.status_code == 201, charged.text
    assert charged.json()["line_id"].startswith("adj")
    assert charged.json()["spend_used_usd"] == "$2.00"
    assert refunded.json()["amount_micros"] == -1_500_000
    assert refunded.json()["spend_used_micros"] == 500_000
    assert problem(too_large, 422) == "refund-too-large"
    assert problem(unknown, 404) == "unknown-user"
    assert problem(not_money, 422) == "invalid-input/invalid"
    assert not_money.json()["field"] == "amount"
    assert problem(a_float, 400) == "bad-request"
    assert problem(no_reason, 422) == "invalid-input/invalid"
    assert no_reason.json()["field"] == "reason"
    assert problem(nothing, 422) == "invalid-input/invalid"
    assert problem(exponent, 422) == "invalid-input/invalid"


def test_the_usage_export_is_csv_with_the_cli_columns_or_json(tmp_path: Path) -> None:
    today = datetime.now(UTC).date().isoformat()
    with serving(tmp_path) as api, api.admin() as admin, api.client("alice") as alice:
        assert generate(alice).status_code == 200
        adjustment = {"user_id": "bob", "amount": "1.25", "reason": "a render by hand"}
        assert admin.post("/v1/admin/adjustments", json=adjustment).status_code == 201
        as_csv = admin.get("/v1/admin/usage/export", params={"since": today})
        as_json = admin.get(
            "/v1/admin/usage/export", params={"since": today, "until": today, "format": "json"}
        )
        bobs = admin.get(
            "/v1/admin/usage/export", params={"since": today, "user": "bob", "format": "json"}
        )
        tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
        later = admin.get(
            "/v1/admin/usage/export",
            params={"since": tomorrow, "until": tomorrow, "format": "json"},
        )
        unbounded = admin.get("/v1/admin/usage/export", params={"since": tomorrow})

    assert as_csv.status_code == 200, as_csv.text
    assert as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert as_csv.text.splitlines()[0].split(",") == EXPORT_FIELDS
    assert [row["outcome"] for row in rows] == ["succeeded", "adjustment"]
    assert rows[1]["user_charge_usd"] == "$1.25" and rows[1]["kind"] == ""
    assert [line["user_id"] for line in as_json.json()] == ["alice", "bob"]
    assert [line["reason"] for line in bobs.json()] == ["a render by hand"]
    assert later.json() == []
    # Open to now and starting after it: a mistake, not "nothing happened then".
    assert unbounded.status_code == 422 and unbounded.json()["field"] == "since"


def test_the_usage_export_refuses_a_span_it_cannot_read(tmp_path: Path) -> None:
    with serving(tmp_path) as api, api.admin() as admin:
        export = "/v1/admin/usage/export"
        unreadable = admin.get(export, params={"since": "last week"})
        reversed_span = admin.get(export, params={"since": "2026-03-02", "until": "2026-03-01"})
        no_since = admin.get(export)
        no_format = admin.get(export, params={"since": "2026-03-01", "format": "xml"})
        past_the_calendar = admin.get(export, params={"since": "2026-03-01", "until": "9999-12-31"})

    assert problem(unreadable, 422) == "invalid-input/invalid"
    assert unreadable.json()["field"] == "since"
    assert problem(reversed_span, 422) == "invalid-input/invalid"
    assert reversed_span.json()["field"] == "until"
    assert problem(no_since, 400) == "bad-request"
    assert problem(no_format, 400) == "bad-request"
    assert problem(past_the_calendar, 422) == "invalid-input/invalid"


# -- the admin key -----------------------------------------------------------------------

EVERY_ROUTE = [
    ("GET", "/v1/admin/plans", None),
    ("GET", "/v1/admin/plans/pro", None),
    ("PUT", "/v1/admin/plans/team", TEAM),
    ("POST", "/v1/admin/users", {"user_id": "eve", "plan": "pro"}),
    ("PUT", "/v1/admin/users/alice/plan", {"plan": "free"}),
    ("GET", "/v1/admin/users/alice/keys", None),
    ("POST", "/v1/admin/users/alice/keys/rotate", None),
    ("DELETE", "/v1/admin/keys/key_nope", None),
    ("GET", "/v1/admin/budgets", None),
    ("PUT", "/v1/admin/budgets/offline", {"monthly": "1.00"}),
    ("POST", "/v1/admin/adjustments", {"user_id": "bob", "amount": "1", "reason": "x"}),
    ("GET", "/v1/admin/usage/export?since=2026-01-01", None),
]


def test_every_admin_route_refuses_a_user_key_and_no_key(tmp_path: Path) -> None:
    with serving(tmp_path) as api, api.client("alice") as alice, api.client() as anonymous:
        as_user = [alice.request(m, path, json=body) for m, path, body in EVERY_ROUTE]
        as_nobody = [anonymous.request(m, path, json=body) for m, path, body in EVERY_ROUTE]
        with api.admin() as admin:
            plans = admin.get("/v1/admin/plans").json()

    assert {problem(answer, 401) for answer in as_user + as_nobody} == {"unauthorized"}
    assert "team" not in {plan["name"] for plan in plans}  # nothing was done


def test_the_admin_api_is_off_without_an_admin_key(tmp_path: Path) -> None:
    with serving_without_admin_key(tmp_path) as base_url:
        headers = {"Authorization": f"Bearer {ADMIN}"}
        with httpx.Client(base_url=base_url, headers=headers) as client:
            answers = [client.request(m, path, json=body) for m, path, body in EVERY_ROUTE]
            health = client.get("/healthz")

    assert {problem(answer, 403) for answer in answers} == {"admin-disabled"}
    assert health.status_code == 200
