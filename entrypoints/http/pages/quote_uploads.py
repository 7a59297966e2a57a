"""The files a kind page's quote was sent, kept a while by their digest, so the quotes after it
(one after each pause in typing) name the file instead of sending it again: a 10 MiB picture was
uploaded once per keystroke pause. The page's script (`kinds.js`) sends `<field>_upload` (the
digest the server answered with) in place of a file it already sent; a digest no longer kept (the
process restarted, or it was pushed out) is answered as missing, and the script sends the file
again. Only quotes use them: a run is always sent its files."""

from __future__ import annotations

import hashlib
import io
import json
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from fastapi import Request
from fastapi.responses import Response
from starlette.datastructures import FormData, UploadFile

from imagestudio.entrypoints.http.pages.form_fields import text

UPLOAD_SUFFIX = "_upload"
"""`<field>_upload`: the digest of the file the field holds, sent to a quote before."""
IDENTITY_SUFFIX = "_identity"
"""`<field>_identity`: the browser's name for the file sent (name, size, time), said back with
its digest so a file chosen since is not taken for it."""
MOST_BYTES = 64 * 1024 * 1024
MOST_SECONDS = 30 * 60
EVENT = "quote-uploads"


class QuoteUploads:
    """Bytes by (owner, digest), the least recently used pushed out past `most_bytes` in all or
    once unused for `most_seconds`. One per process: a quote served by another process finds
    nothing and asks for the file."""

    def __init__(
        self,
        most_bytes: int = MOST_BYTES,
        most_seconds: float = MOST_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._most_bytes = most_bytes
        self._most_seconds = most_seconds
        self._clock = clock
        self._kept: OrderedDict[tuple[str, str], tuple[bytes, float]] = OrderedDict()
        self._bytes = 0

    def keep(self, owner: str, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        self._drop((owner, digest))
        if len(data) <= self._most_bytes:
            self._kept[(owner, digest)] = (data, self._clock())
            self._bytes += len(data)
        self._expire()
        return digest

    def find(self, owner: str, digest: str) -> bytes | None:
        self._expire()
        found = self._kept.get((owner, digest))
        if found is None:
            return None
        # Used again: the newest, so the order stays the order of last use.
        self._kept[(owner, digest)] = (found[0], self._clock())
        self._kept.move_to_end((owner, digest))
        return found[0]

    def _drop(self, key: tuple[str, str]) -> None:
        gone = self._kept.pop(key, None)
        if gone is not None:
            self._bytes -= len(gone[0])

    def _expire(self) -> None:
        oldest = self._clock() - self._most_seconds
        while self._kept:
            key, (_, kept_at) = next(iter(self._kept.items()))
            if self._bytes <= self._most_bytes and kept_at >= oldest:
                break
            self._drop(key)


@dataclass
class Resolved:
    """A quote's form with each file it named by digest put back, and what to tell the page."""

    form: FormData
    kept: dict[str, list[str]] = field(default_factory=dict)
    """Field: [the browser's identity of the file sent, its digest]."""
    missing: list[str] = field(default_factory=list)
    """Fields whose digest is no longer kept: the page sends their files again."""

    def told(self, answer: Response) -> Response:
        if self.kept or self.missing:
            answer.headers["HX-Trigger"] = json.dumps(
                {EVENT: {"kept": self.kept, "missing": self.missing}}
            )
        return answer


def quote_uploads(request: Request) -> QuoteUploads:
    """The app's kept uploads, made at first use."""
    found = getattr(request.app.state, "quote_uploads", None)
    if not isinstance(found, QuoteUploads):
        found = request.app.state.quote_uploads = QuoteUploads()
    return found


async def resolved(request: Request, owner: str, form: FormData, names: Sequence[str]) -> Resolved:
    """`form` with the files of `names` kept (those sent) or put back (those named by digest)."""
    uploads = quote_uploads(request)
    items: list[tuple[str, str | UploadFile]] = []
    answer = Resolved(FormData())
    for name, value in form.multi_items():
        if name in names and isinstance(value, UploadFile):
            data = await value.read()
            await value.seek(0)
            if data:
                identity = text(form, name + IDENTITY_SUFFIX)
                answer.kept[name] = [identity, uploads.keep(owner, data)]
        if name.removesuffix(UPLOAD_SUFFIX) in names and name.endswith(UPLOAD_SUFFIX):
            field_name = name.removesuffix(UPLOAD_SUFFIX)
            data_found = uploads.find(owner, str(value))
            if data_found is None:
                answer.missing.append(field_name)
            else:
                file = UploadFile(io.BytesIO(data_found), size=len(data_found), filename="kept")
                items.append((field_name, file))
            continue
        items.append((name, value))
    answer.form = FormData(items)
    return answer
