"""The local operations' pages (social, compress, convert): done on this machine, free, recorded
like any operation. Their fields are the API's bodies (`local_schemas`), read the same way."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any, get_args

from starlette.datastructures import FormData, UploadFile

from imagestudio.domain.errors import InvalidInput
from imagestudio.entrypoints.http.local_schemas import Format
from imagestudio.entrypoints.http.pages.form_fields import text

FORMATS: tuple[str, ...] = tuple(name for name in get_args(Format) if name != "jpeg")
"""The output types offered (jpeg is jpg's other name)."""
KEPT_AS = {"metadata", "preset", "format", "quality", "target_bytes", "background"}
"""The text fields a local page sends on to the body, when filled in."""


@dataclass(frozen=True, slots=True)
class LocalPage:
    slug: str
    title: str
    summary: str


LOCAL_PAGES = (
    LocalPage("social", "Social", "Resize and crop to exactly a platform's format."),
    LocalPage("compress", "Compress", "Smaller, at a quality or within a number of bytes."),
    LocalPage("convert", "Convert", "Another file type: PNG, JPEG, WebP or AVIF."),
)
LOCAL_OF = {page.slug: page for page in LOCAL_PAGES}


async def local_body(form: FormData) -> dict[str, Any] | InvalidInput:
    """The body's fields: the image (uploaded, as base64, or an asset id) and the filled ones."""
    fields: dict[str, Any] = {
        name: text(form, name).strip() for name in KEPT_AS if text(form, name).strip()
    }
    upload = form.get("image")
    data = await upload.read() if isinstance(upload, UploadFile) else b""
    if data:
        fields["image"] = base64.b64encode(data).decode()
    elif asset_id := text(form, "image_asset").strip():
        fields["asset_id"] = asset_id
    else:
        return InvalidInput("image", "choose an image from your library or upload one")
    return fields
