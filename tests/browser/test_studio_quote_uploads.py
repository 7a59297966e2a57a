"""A kind page's live quote is sent the chosen picture once: the quotes after it (one after each
pause in typing) name it by its digest (quote_uploads.py, kinds.js), and price it the same. It
was uploaded again at every pause. (Chromium does not report the size of a body holding a file,
so what the server was sent is counted where it keeps it: the studio serves in this process.)"""

from __future__ import annotations

import io
import random

import pytest
from browser_support import Studio, check_page, sign_in
from PIL import Image
from playwright.sync_api import Page, Request, expect

from imagestudio.entrypoints.http.pages.quote_uploads import QuoteUploads


def noise_png(side: int = 384) -> bytes:
    """A picture that does not compress: hundreds of kilobytes."""
    noise = random.Random(7).randbytes(side * side * 3)
    buffer = io.BytesIO()
    Image.frombytes("RGB", (side, side), noise).save(buffer, "PNG")
    return buffer.getvalue()


def test_the_picture_goes_to_the_quote_once_and_is_priced_the_same(
    page: Page, studio: Studio, monkeypatch: pytest.MonkeyPatch
) -> None:
    uploaded: list[int] = []
    keep = QuoteUploads.keep

    def counted(self: QuoteUploads, owner: str, data: bytes) -> str:
        uploaded.append(len(data))
        return keep(self, owner, data)

    monkeypatch.setattr(QuoteUploads, "keep", counted)
    sign_in(page, studio, studio.add_user("quin"))
    page.goto(studio.url("/upscale"))
    picture = noise_png()
    quotes: list[Request] = []

    def record(request: Request) -> None:
        if request.method == "POST" and request.url.endswith("/upscale/quote"):
            quotes.append(request)

    page.on("requestfinished", record)
    quote = page.locator("#quote")
    with page.expect_response(lambda answer: answer.url.endswith("/upscale/quote")):
        page.locator("input[type=file][name=image]").set_input_files(
            files=[{"name": "noise.png", "mimeType": "image/png", "buffer": picture}]
        )
    expect(quote).not_to_contain_text("Choose")
    priced_with_the_file = " ".join((quote.text_content() or "").split())
    for words in ("a", "a sharper", "a sharper picture"):
        with page.expect_response(lambda answer: answer.url.endswith("/upscale/quote")):
            page.locator("textarea[name=prompt], input[name=prompt]").first.fill(words)
        expect(quote).to_have_text(priced_with_the_file)

    assert uploaded == [len(picture)]  # the first quote's, and no other
    sent = [request.sizes()["requestBodySize"] for request in quotes]
    assert len(sent) >= 4 and all(0 < size < 4096 for size in sent[1:]), sent
    check_page(page, "quote-upload-once")
