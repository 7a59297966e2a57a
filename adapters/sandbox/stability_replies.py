"""Success replies and `accept` negotiation (§2.1): raw bytes with headers, or base64 JSON.

`accept` may be absent, `image/*`, `*/*` (what generic HTTP clients send) or
`application/json`, alone or in a comma list (the first usable entry wins, q-values ignored).
Anything else, `image/png` included, is a 400: the format is chosen by `output_format`, and
the vendor documents only those two values.
"""

from __future__ import annotations

import base64
import uuid
from enum import Enum

from starlette.responses import JSONResponse, Response

from imagestudio.adapters.sandbox.stability_errors import bad_request
from imagestudio.adapters.sandbox.stability_outputs import Outcome

REQUEST_ID = "x-request-id"


class Accept(Enum):
    IMAGE = "image/*"
    JSON = "application/json"


_ACCEPTED = {
    "": Accept.IMAGE,
    "image/*": Accept.IMAGE,
    "*/*": Accept.IMAGE,
    "application/json": Accept.JSON,
}


def negotiated(header: str | None) -> Accept:
    """What the `accept` header asks for; raises a 400 Refusal for anything unusable."""
    entries = [entry.split(";")[0].strip().lower() for entry in (header or "").split(",")]
    for entry in entries:
        if entry in _ACCEPTED:
            return _ACCEPTED[entry]
    raise bad_request("accept: must be image/* or application/json")


def new_request_id() -> str:
    return uuid.uuid4().hex


def artifact_reply(outcome: Outcome, accept: Accept, request_id: str) -> Response:
    """The output in the negotiated form; a 3D model is always bare GLB bytes."""
    if not outcome.media.is_image:
        return Response(
            outcome.data, media_type=outcome.media.value, headers={REQUEST_ID: request_id}
        )
    if accept is Accept.JSON:
        body = {
            "image": base64.b64encode(outcome.data).decode("ascii"),
            "finish_reason": outcome.finish_reason,
            "seed": outcome.seed,
        }
        return JSONResponse(
            body,
            headers={REQUEST_ID: request_id},
            media_type=f"application/json; type={outcome.media.value}",
        )
    headers = {
        REQUEST_ID: request_id,
        "finish-reason": outcome.finish_reason,
        "seed": str(outcome.seed),
    }
    return Response(outcome.data, media_type=outcome.media.value, headers=headers)


def accepted_reply(generation_id: str, request_id: str) -> Response:
    """An async POST's answer: 200 with the id to poll (not 202, §2.3)."""
    return JSONResponse({"id": generation_id}, headers={REQUEST_ID: request_id})


def in_progress_reply(generation_id: str) -> Response:
    return JSONResponse({"id": generation_id, "status": "in-progress"}, status_code=202)
