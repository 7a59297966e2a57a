"""Ids no database can hold (a NUL, a lone surrogate) on PostgreSQL, in every id a GET route of
the OpenAPI document takes (a route added later is covered without editing this file) and in a
JSON body: a typed 4xx problem, never a 5xx."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from http_support import ADMIN, migrated, serving

UNSTORABLE_IN_URLS = ("a%00b", "a%ED%A0%80b")
"""Percent-encoded: a NUL, and the UTF-8 form a lone surrogate would have (not UTF-8 at all)."""


@pytest.mark.postgres
def test_no_unstorable_id_is_a_server_error(postgres_url: str, tmp_path: Path) -> None:
    with serving(tmp_path, **migrated(postgres_url, tmp_path)) as api, api.client() as client:
        document = client.get("/openapi.json").json()
        routes = [
            path
            for path, operations in document["paths"].items()
            if "get" in operations and "{" in path
        ]
        answers = {}
        for template in routes:
            key = ADMIN if template.startswith("/v1/admin") else api.keys["alice"]
            for bad in UNSTORABLE_IN_URLS:
                path = re.sub(r"\{[^}]+\}", bad, template)
                answers[template, bad] = client.get(
                    path, headers={"Authorization": f"Bearer {key}"}
                )
        with api.admin() as admin:
            answers["a plan named in a body", "\\u0000"] = admin.post(
                "/v1/admin/users", json={"user_id": "carol", "plan": "pro\u0000"}
            )

    assert len(routes) >= 8
    for (where, bad), answer in answers.items():
        assert 400 <= answer.status_code < 500, (where, bad, answer.status_code, answer.text)
        assert answer.headers["content-type"] == "application/problem+json", (where, bad)
