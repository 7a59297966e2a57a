"""The uploads a kind page's quote keeps by digest (quote_uploads.py): one user's never found by
another, the least recently used pushed out past the byte bound or once unused too long, and a
digest no longer kept answered as missing (the page then sends the file again) with the quote
priced as if no file were chosen, never with another's bytes."""

from __future__ import annotations

import json

import httpx
from http_support import png
from test_http_studio_account_pages import base_url as base_url  # the served studio
from test_http_studio_account_pages import new_user, sign_in

from imagestudio.entrypoints.http.pages.quote_uploads import EVENT, QuoteUploads


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_kept_uploads_are_the_owners_and_go_by_size_and_age() -> None:
    clock = Clock()
    uploads = QuoteUploads(most_bytes=10, most_seconds=60, clock=clock)
    first = uploads.keep("ann", b"12345")
    assert uploads.find("ann", first) == b"12345"
    assert uploads.find("bo", first) is None  # the same bytes, another user: not theirs

    second = uploads.keep("ann", b"abcde")
    clock.now = 30
    assert uploads.find("ann", first) == b"12345"  # used: now the newest
    uploads.keep("ann", b"xy")  # 12 bytes: the least recently used goes
    assert uploads.find("ann", second) is None
    assert uploads.find("ann", first) == b"12345"

    clock.now = 91  # first unused for 61 s
    assert uploads.find("ann", first) is None
    assert uploads.keep("ann", b"x" * 11) and uploads.find("ann", "none") is None


def test_a_digest_no_longer_kept_is_answered_missing_and_priced_without_it(
    base_url: str,
) -> None:
    key = new_user(base_url, "cleo")
    with httpx.Client(base_url=base_url) as client:
        token = sign_in(client, key)
        sent = client.post(
            "/upscale/quote",
            data={"csrf_token": token, "image_identity": "a.png|1|2|image/png"},
            files={"image": ("a.png", png(), "image/png")},
        )
        told = json.loads(sent.headers["hx-trigger"])[EVENT]
        named = client.post(
            "/upscale/quote", data={"csrf_token": token, "image_upload": told["kept"]["image"][1]}
        )
        unknown = client.post(
            "/upscale/quote", data={"csrf_token": token, "image_upload": "0" * 64}
        )
        nothing = client.post("/upscale/quote", data={"csrf_token": token})

    assert sent.status_code == named.status_code == 200
    assert told == {
        "kept": {"image": ["a.png|1|2|image/png", told["kept"]["image"][1]]},
        "missing": [],
    }
    assert "hx-trigger" not in named.headers
    assert named.text == sent.text  # priced the same, the file named instead of sent
    assert json.loads(unknown.headers["hx-trigger"])[EVENT] == {"kept": {}, "missing": ["image"]}
    assert unknown.text == nothing.text
