"""Completion webhooks over real HTTP: asked for on `POST /v1/operations` and the OpenAI route,
delivered by the server's own worker to a receiver on loopback, verified with the caller's
secret; refused destinations and unknown events cost nothing; each user sees their own secret
and deliveries; the operator retries one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import standardwebhooks
from http_support import Api, footprint, serving
from support.webhook_receiver import Receiver, receiving, verified

PUBLIC = "https://images.example.com"


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    with receiving() as receiving_now:
        yield receiving_now


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    folder: Path = tmp_path_factory.mktemp("webhooks")
    with serving(
        folder,
        public_url=PUBLIC,
        webhook_allow_http=True,
        webhook_allow_private=True,
        webhook_poll_seconds=0.2,
    ) as served:
        yield served


def secret_of(api: Api, user: str) -> str:
    with api.client(user) as client:
        answer = client.get("/v1/webhooks/secret")
    assert answer.status_code == 200, answer.text
    secret: str = answer.json()["secret"]
    return secret


def deliveries(client: httpx.Client, **params: Any) -> Any:
    answer = client.get("/v1/webhooks/deliveries", params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_an_operation_with_a_webhook_is_delivered_and_listed(api: Api, receiver: Receiver) -> None:
    seen = len(receiver.received)
    with api.client("alice") as alice:
        done = alice.post(
            "/v1/operations",
            json={"kind": "text-to-image", "prompt": "a fox", "webhook": receiver.url},
        )
        assert done.status_code == 200, done.text

        got = receiver.wait_for(seen + 1)[-1]
        payload: Any = verified(secret_of(api, "alice"), got)
        assert payload["type"] == "operation.settled"
        assert payload["data"]["operation_id"] == done.json()["id"]
        assert payload["data"]["assets"][0]["url"].startswith(f"{PUBLIC}/v1/signed-assets/")
        with pytest.raises(standardwebhooks.WebhookVerificationError):
            verified(secret_of(api, "bob"), got)

        listed = deliveries(alice)["items"]
        mine = next(item for item in listed if item["operation_id"] == done.json()["id"])
        assert mine["id"] == got.headers["webhook-id"]
        assert mine["state"] == "delivered" and mine["event"] == "operation.settled"
        assert [attempt["status_code"] for attempt in mine["attempts"]] == [200]
    with api.client("bob") as bob:
        assert all(item["operation_id"] != done.json()["id"] for item in deliveries(bob)["items"])


def test_the_openai_route_takes_the_webhook_as_an_extra_field(api: Api, receiver: Receiver) -> None:
    seen = len(receiver.received)
    with api.client("bob") as bob:
        done = bob.post(
            "/v1/images/generations",
            json={
                "prompt": "a heron",
                "webhook": receiver.url,
                "webhook_events": ["operation.accepted", "operation.settled"],
            },
        )
        assert done.status_code == 200, done.text

    got = receiver.wait_for(seen + 2)[seen:]
    secret = secret_of(api, "bob")
    kinds = sorted(payload["type"] for payload in (verified(secret, one) for one in got))  # type: ignore[index]
    assert kinds == ["operation.accepted", "operation.settled"]


@pytest.mark.parametrize(
    ("route", "fields", "status"),
    [
        ("/v1/operations", {"webhook": "http://169.254.169.254/latest"}, 422),
        ("/v1/operations", {"webhook": "ftp://127.0.0.1/x"}, 422),
        ("/v1/operations", {"webhook": "https://user:pw@x.test/"}, 422),
        ("/v1/operations", {"webhook": "not a url"}, 422),
        ("/v1/operations", {"webhook": "http://127.0.0.1/a\tb"}, 422),
        ("/v1/operations", {"webhook": "http://127.0.0.1/a\r\nx-forged: 1"}, 422),
        ("/v1/images/generations", {"webhook": "http://127.0.0.1/\x7f"}, 422),
        ("/v1/operations", {"webhook": "http://127.0.0.1:0/"}, 422),
        ("/v1/operations", {"webhook": "https://x.test/", "webhook_events": ["op.done"]}, 400),
        ("/v1/operations", {"webhook_events": ["operation.settled"]}, 422),
        ("/v1/images/generations", {"webhook": "https://[fd00:ec2::254]/"}, 422),
        ("/v1/quotes", {"webhook": "https://169.254.169.254/"}, 422),
    ],
)
def test_a_refused_webhook_costs_nothing(
    api: Api, route: str, fields: dict[str, Any], status: int
) -> None:
    before = footprint(api, "alice")
    body = {"prompt": "a fox", **fields}
    if route != "/v1/images/generations":
        body["kind"] = "text-to-image"
    with api.client("alice") as alice:
        refused = alice.post(route, json=body)

    assert refused.status_code == status, refused.text
    assert footprint(api, "alice") == before
    if status == 422:
        assert refused.headers["x-should-retry"] == "false"
        assert_webhook_refused(refused.json())


def assert_webhook_refused(body: dict[str, Any]) -> None:
    """The same answer whether the routes read the fields or the preparation checked the
    destination: the problem (or OpenAI's error) naming the field and the reason."""
    if "error" in body:  # the OpenAI-compatible routes
        error = body["error"]
        assert (error["code"], error["param"]) == ("webhook-refused", "webhook"), body
        assert error["message"].startswith("webhook: "), body
        return
    assert body["type"] == "/problems/webhook-refused", body
    assert (body["status"], body["field"]) == (422, "webhook"), body
    assert body["reason"] and body["detail"] == f"webhook: {body['reason']}", body


def test_a_refused_webhook_leaves_no_operation(api: Api) -> None:
    def operation_ids(client: httpx.Client) -> list[str]:
        return [item["id"] for item in client.get("/v1/operations").json()["items"]]

    with api.client("bob") as bob:
        before = operation_ids(bob)
        refused = bob.post(
            "/v1/operations",
            json={"kind": "text-to-image", "prompt": "a fox", "webhook": "https://u:p@x.test/"},
            headers={"prefer": "respond-async"},
        )
        after = operation_ids(bob)

    assert refused.status_code == 422, refused.text
    assert refused.json()["reason"] == "credentials in the URL are not taken"
    assert after == before


def test_secrets_are_each_users_own_and_rotate(api: Api) -> None:
    alice, bob = secret_of(api, "alice"), secret_of(api, "bob")
    assert alice != bob and alice.startswith("whsec_")
    assert secret_of(api, "alice") == alice  # made once
    with api.client("alice") as client:
        rotated = client.post("/v1/webhooks/secret/rotate").json()["secret"]
    assert rotated not in (alice, bob) and secret_of(api, "alice") == rotated
    assert secret_of(api, "bob") == bob
    with httpx.Client(base_url=api.base_url) as nobody:
        assert nobody.get("/v1/webhooks/secret").status_code == 401


def test_the_operator_retries_a_delivery_with_its_webhook_id(api: Api, receiver: Receiver) -> None:
    seen = len(receiver.received)
    with api.client("alice") as alice:
        alice.post(
            "/v1/operations",
            json={"kind": "text-to-image", "prompt": "an owl", "webhook": receiver.url},
        )
        first = receiver.wait_for(seen + 1)[-1]
        delivery_id = first.headers["webhook-id"]

        assert alice.post(f"/v1/admin/webhooks/deliveries/{delivery_id}/retry").status_code == 401
        with api.admin() as admin:
            again = admin.post(f"/v1/admin/webhooks/deliveries/{delivery_id}/retry")
            missing = admin.post("/v1/admin/webhooks/deliveries/msg_nope/retry")
        assert again.status_code == 200, again.text
        assert missing.status_code == 404 and missing.json()["type"].endswith("delivery-not-found")

        second = receiver.wait_for(seen + 2)[-1]
        assert second.headers["webhook-id"] == delivery_id
        verified(secret_of(api, "alice"), second)


def test_deliveries_page(api: Api) -> None:
    with api.client("alice") as alice:
        whole = deliveries(alice, limit=100)["items"]
        assert len(whole) >= 2
        first = deliveries(alice, limit=1)
        rest = deliveries(alice, limit=100, cursor=first["next_cursor"])
        assert [item["id"] for item in first["items"] + rest["items"]] == [
            item["id"] for item in whole
        ]
        assert alice.get("/v1/webhooks/deliveries", params={"cursor": "!"}).status_code == 422


def test_a_quote_with_an_allowed_webhook_is_priced(api: Api, receiver: Receiver) -> None:
    body = {"kind": "text-to-image", "prompt": "a fox", "webhook": receiver.url}
    with api.client("bob") as bob:
        quoted = bob.post("/v1/quotes", json=body)
        unhooked = bob.post("/v1/quotes", json={**body, "webhook": None})

    assert quoted.status_code == 200, quoted.text
    priced, plain = quoted.json(), unhooked.json()
    for answer in (priced, plain):
        answer["fit"].pop("at")  # when each was read
    assert priced == plain
