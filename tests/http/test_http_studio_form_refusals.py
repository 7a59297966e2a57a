"""A refused run's form over real HTTP: a field far too long is refused at its field, and the
form comes back filled with a bounded part of it, not all that was sent; one past what a form
field may hold is the error page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from imagestudio.adapters.sandbox.runner import ServedApp
from imagestudio.entrypoints.http.app import create_app
from imagestudio.entrypoints.http.pages.form_refusals import KEPT_CHARS
from imagestudio.entrypoints.settings import Profile, Settings

ADMIN = "admin-secret-for-form-refusals"
CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data_dir: Path = tmp_path_factory.mktemp("form-refusals")
    settings = Settings(profile=Profile.LOCAL, data_dir=data_dir, admin_key=ADMIN)
    with ServedApp(create_app(settings), lifespan="on", name="form-refusals") as served:
        yield served.base_url


def signed_in(base_url: str) -> httpx.Client:
    with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {ADMIN}"}) as admin:
        made = admin.post("/v1/admin/users", json={"user_id": "tess", "plan": "pro"})
        assert made.status_code == 201, made.text
    client = httpx.Client(base_url=base_url, timeout=60)
    token = CSRF.search(client.get("/sign-in").text)
    assert token is not None
    key = made.json()["api_key"]
    client.post("/sign-in", data={"csrf_token": token.group(1), "api_key": key, "next": "/"})
    return client


def test_a_prompt_megabytes_long_is_refused_at_its_field_and_not_echoed_whole(
    base_url: str,
) -> None:
    client = signed_in(base_url)
    try:
        page = client.get("/create")
        token = CSRF.search(page.text)
        assert token is not None
        prompt = "a fox " * 100_000  # 600 kB
        refused = client.post(
            "/create", data={"csrf_token": token.group(1), "prompt": prompt, "model": "auto"}
        )
        assert refused.status_code in (413, 422), refused.status_code
        assert 'id="prompt-error"' in refused.text and 'aria-invalid="true"' in refused.text
        kept = re.search(r"<textarea id=\"prompt\"[^>]*>([^<]*)</textarea>", refused.text)
        assert kept is not None and prompt.startswith(kept.group(1))
        assert len(kept.group(1)) == KEPT_CHARS
        assert len(refused.content) < KEPT_CHARS * 4
        # Past the 1 MiB the form parser once refused (its bare 400): refused at the field too.
        past = client.post(
            "/create",
            data={"csrf_token": token.group(1), "prompt": prompt * 2, "model": "auto"},
            headers={"accept": "text/html"},
        )
        assert past.status_code in (413, 422) and "text/html" in past.headers["content-type"]
        assert 'id="prompt-error"' in past.text and len(past.content) < KEPT_CHARS * 4
        assert "No operations yet" in client.get("/operations").text
    finally:
        client.close()
