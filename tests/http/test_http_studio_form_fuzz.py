"""Every form the studio shows, found by crawling its pages as a user and as the operator (so a
new form is covered without editing this file), sent with each field in turn (its CSRF token
too) set to a value that breaks a careless reader: empty, huge, negative, past a 64-bit column,
a NUL, non-ASCII; and each file field with an empty, a garbage and a cut-short image. Every
answer is below 500, and the server still answers afterwards. (The OpenAPI routes have
schemathesis for this; the pages are not in the OpenAPI document.)"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from io import BytesIO

import httpx
import pytest
from PIL import Image

from imagestudio.adapters.sandbox.runner import ServedApp
from imagestudio.entrypoints.http.app import create_app
from imagestudio.entrypoints.settings import Profile, Settings

ADMIN = "admin-secret-for-form-fuzzing-01"
CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')
BREAKING = ["", "x" * 20_000, "-1", "99999999999999999999999999", "\x00", "é🦊"]
NOT_FOLLOWED = ("sign-out", "/delete", "/export", "/files/")  # ends the session, or not a page
MOST_PAGES = 200


@dataclass
class Form:
    page: str
    action: str
    fields: dict[str, str] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)


class _Reader(HTMLParser):
    def __init__(self, page: str) -> None:
        super().__init__()
        self.page = page
        self.links: list[str] = []
        self.forms: list[Form] = []
        self._form: Form | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "a" and found.get("href", "").startswith("/"):
            self.links.append(found["href"].split("#")[0])
        elif tag == "form":
            post = found.get("method", "get").lower() == "post"
            self._form = Form(self.page, found.get("action") or self.page) if post else None
            if self._form is not None:
                self.forms.append(self._form)
        elif (
            self._form is not None and tag in ("input", "select", "textarea") and found.get("name")
        ):
            if found.get("type") == "file":
                self._form.files.append(found["name"])
            else:
                self._form.fields.setdefault(found["name"], found.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None


def crawl(client: httpx.Client) -> tuple[int, list[Form]]:
    """The pages reachable from `/` (up to MOST_PAGES) and the POST forms on them, one per
    action and set of fields."""
    seen: set[str] = set()
    forms: dict[tuple[str, tuple[str, ...]], Form] = {}
    waiting = ["/"]
    while waiting and len(seen) < MOST_PAGES:
        page = waiting.pop()
        if page in seen or any(part in page for part in NOT_FOLLOWED):
            continue
        seen.add(page)
        answer = client.get(page)
        assert answer.status_code < 500, (page, answer.status_code)
        if "text/html" not in answer.headers.get("content-type", ""):
            continue
        reader = _Reader(page)
        reader.feed(answer.text)
        for form in reader.forms:
            forms.setdefault((form.action, tuple(sorted(form.fields))), form)
        waiting.extend(link for link in reader.links if link not in seen)
    return len(seen), [form for form in forms.values() if "sign-out" not in form.action]


def image_bytes() -> bytes:
    out = BytesIO()
    Image.new("RGB", (64, 48), "teal").save(out, "PNG")
    return out.getvalue()


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data_dir = tmp_path_factory.mktemp("form-fuzz")
    settings = Settings(profile=Profile.LOCAL, data_dir=data_dir, admin_key=ADMIN)
    with ServedApp(create_app(settings), lifespan="on", name="form-fuzz") as served:
        yield served.base_url


def sign_in(client: httpx.Client, key: str) -> None:
    token = CSRF.search(client.get("/sign-in").text)
    assert token is not None
    client.post("/sign-in", data={"csrf_token": token.group(1), "api_key": key, "next": "/"})


def fuzz(client: httpx.Client, forms: list[Form]) -> Counter[tuple[str, int]]:
    picture = image_bytes()
    answers: Counter[tuple[str, int]] = Counter()
    for form in forms:
        token = CSRF.search(client.get(form.page).text)
        fields = {**form.fields, **({"csrf_token": token.group(1)} if token else {})}
        good_files = dict.fromkeys(form.files, ("in.png", picture, "image/png"))
        tries: list[tuple[dict[str, str], dict[str, tuple[str, bytes, str]]]] = [
            ({**fields, name: value}, good_files)
            for name in form.fields  # the CSRF token too: it is compared before anything
            for value in BREAKING
        ]
        tries += [
            (fields, {**good_files, name: ("in.png", content, "image/png")})
            for name in form.files
            for content in (b"", b"not an image", picture[:40])
        ]
        for data, files in tries:
            answer = client.post(form.action, data=data, files=files or None)
            answers[(form.action, answer.status_code)] += 1
    return answers


@pytest.mark.parametrize("who", ["user", "operator"])
def test_no_studio_form_answers_5xx_to_a_breaking_field(who: str, base_url: str) -> None:
    if who == "user":
        with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {ADMIN}"}) as admin:
            made = admin.post("/v1/admin/users", json={"user_id": "ben", "plan": "pro"})
            assert made.status_code == 201, made.text
            key = str(made.json()["api_key"])
    else:
        key = ADMIN
    with httpx.Client(base_url=base_url, timeout=60, follow_redirects=True) as client:
        sign_in(client, key)
        if who == "user":  # an asset to act on: the library's forms appear
            create = CSRF.search(client.get("/create").text)
            assert create is not None
            made = client.post(
                "/create", data={"csrf_token": create.group(1), "prompt": "a fox", "model": "auto"}
            )
            assert made.status_code == 200, made.text
        pages, forms = crawl(client)
        answers = fuzz(client, forms)

        assert pages > 5 and len(forms) >= (5 if who == "user" else 10), (pages, forms)
        broken = {sent: count for sent, count in answers.items() if sent[1] >= 500}
        assert broken == {}, broken
        refused = sum(count for (_, status), count in answers.items() if 400 <= status < 500)
        assert refused > len(answers) // 2, answers  # the forms were read, not all bounced
        assert client.get("/healthz").status_code == 200
