"""The guides of problems with the request itself: unreadable, invalid, too large, in a format
or at a route the API does not take."""

from __future__ import annotations

from imagestudio.entrypoints.http.problem_guides.guide import (
    CHECK_THE_FIELD,
    NOT_CHARGED,
    ProblemGuide,
)

REQUEST_GUIDES: dict[str, ProblemGuide] = {
    "bad-request": ProblemGuide(
        400,
        "Bad request",
        "The request could not be read: a body that is not the JSON or form the route takes, a "
        "missing or mistyped field, or a parameter out of range. " + NOT_CHARGED,
        "Read `detail` (it names the field), fix the request and send it again. The schema of "
        "every route is at /openapi.json.",
    ),
    "invalid-input/invalid": ProblemGuide(
        422,
        "Invalid input",
        "The request was read but one of its values breaks a rule: a size a model does not "
        "take, an empty prompt, an unknown mode, an unreadable image. " + NOT_CHARGED,
        CHECK_THE_FIELD,
    ),
    "invalid-input/too-large": ProblemGuide(
        413,
        "Input too large",
        "The request body, or an image in it, is larger than this server or the model accepts "
        "(IMAGESTUDIO_HTTP_MAX_REQUEST_BYTES for bodies). " + NOT_CHARGED,
        "Send a smaller image (compress or resize it first: `/v1/local/compress`), or pass a "
        "stored asset by `asset_id` instead of its bytes.",
    ),
    "invalid-input/unsupported-format": ProblemGuide(
        415,
        "Unsupported format",
        "An input is in a format the operation cannot read, or the model cannot return the "
        "format asked for. " + NOT_CHARGED,
        "Send PNG, JPEG or WebP (`/v1/local/convert` converts), or ask for another output format.",
    ),
    "unsupported-media-type": ProblemGuide(
        415,
        "Unsupported media type",
        "The body's `content-type` is not one the route takes: JSON routes take "
        "`application/json` (or any `application/*+json`), upload routes `multipart/form-data`. "
        + NOT_CHARGED,
        "Send the body with the content type `detail` names, e.g. curl's "
        "`-H 'content-type: application/json'` (curl's `-d` alone sends a form type).",
    ),
    "request-timeout": ProblemGuide(
        408,
        "Request time-out",
        "The body stopped arriving before the `Content-Length` it announced was read, within "
        "IMAGESTUDIO_HTTP_READ_SECONDS. The connection is closed. " + NOT_CHARGED,
        "Send the whole body, with a `Content-Length` that matches it, on a new connection.",
    ),
    "not-found": ProblemGuide(
        404,
        "Not found",
        "No route answers this path.",
        "Check the path and the method against /openapi.json.",
    ),
    "not-offered": ProblemGuide(
        404,
        "Not offered",
        "The call is one of OpenAI's images API that this service does not offer "
        "(`images.create_variation`); the message says what to use instead.",
        "Use `images.edit` with a prompt (`POST /v1/images/edits`), or `n` > 1 on "
        "`images.generate`.",
    ),
    "http-error": ProblemGuide(
        None,
        "HTTP error",
        "The request failed before reaching a route, for the HTTP reason in `title` (a method "
        "the route does not take, for example); the status is that error's.",
        "Check the method and headers against /openapi.json.",
    ),
}
