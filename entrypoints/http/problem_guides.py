"""What each problem `type` of the API means and what to do about it: the text of the pages at
`/problems/<slug>` (problem_pages.py). Every slug the API answers with has an entry here, with
the status it is answered with (None where it follows the HTTP error it reports); a test checks
both against the problems the routes and `problems.problem_for` really build."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ProblemGuide:
    status: int | None
    title: str
    meaning: str
    action: str


_CHECK_THE_FIELD = "Correct the field the problem names (`field`, `reason`) and send it again."
_NOT_CHARGED = "Nothing was reserved or charged."

GUIDES: dict[str, ProblemGuide] = {
    # -- the request itself ---------------------------------------------------------------
    "bad-request": ProblemGuide(
        400,
        "Bad request",
        "The request could not be read: a body that is not the JSON or form the route takes, a "
        "missing or mistyped field, or a parameter out of range. " + _NOT_CHARGED,
        "Read `detail` (it names the field), fix the request and send it again. The schema of "
        "every route is at /openapi.json.",
    ),
    "invalid-input/invalid": ProblemGuide(
        422,
        "Invalid input",
        "The request was read but one of its values breaks a rule: a size a model does not "
        "take, an empty prompt, an unknown mode, an unreadable image. " + _NOT_CHARGED,
        _CHECK_THE_FIELD,
    ),
    "invalid-input/too-large": ProblemGuide(
        413,
        "Input too large",
        "The request body, or an image in it, is larger than this server or the model accepts "
        "(IMAGESTUDIO_HTTP_MAX_REQUEST_BYTES for bodies). " + _NOT_CHARGED,
        "Send a smaller image (compress or resize it first: `/v1/local/compress`), or pass a "
        "stored asset by `asset_id` instead of its bytes.",
    ),
    "invalid-input/unsupported-format": ProblemGuide(
        415,
        "Unsupported format",
        "An input is in a format the operation cannot read, or the model cannot return the "
        "format asked for. " + _NOT_CHARGED,
        "Send PNG, JPEG or WebP (`/v1/local/convert` converts), or ask for another output format.",
    ),
    "unsupported-media-type": ProblemGuide(
        415,
        "Unsupported media type",
        "The body's `content-type` is not one the route takes: JSON routes take "
        "`application/json` (or any `application/*+json`), upload routes `multipart/form-data`. "
        + _NOT_CHARGED,
        "Send the body with the content type `detail` names, e.g. curl's "
        "`-H 'content-type: application/json'` (curl's `-d` alone sends a form type).",
    ),
    "request-timeout": ProblemGuide(
        408,
        "Request time-out",
        "The body stopped arriving before the `Content-Length` it announced was read, within "
        "IMAGESTUDIO_HTTP_READ_SECONDS. The connection is closed. " + _NOT_CHARGED,
        "Send the whole body, with a `Content-Length` that matches it, on a new connection.",
    ),
    "not-found": ProblemGuide(
        404,
        "Not found",
        "No route answers this path.",
        "Check the path and the method against /openapi.json.",
    ),
    "http-error": ProblemGuide(
        None,
        "HTTP error",
        "The request failed before reaching a route, for the HTTP reason in `title` (a method "
        "the route does not take, for example); the status is that error's.",
        "Check the method and headers against /openapi.json.",
    ),
    # -- who you are ------------------------------------------------------------------------
    "unauthorized": ProblemGuide(
        401,
        "Unauthorized",
        "The request carries no API key, or one that is not (or no longer) valid. Keys are "
        "sent as `Authorization: Bearer <key>`.",
        "Send a valid key; an operator issues one (`imagestudio users add`, `keys rotate`). "
        "Retrying the same key will not help.",
    ),
    "csrf-refused": ProblemGuide(
        403,
        "This form cannot be accepted",
        "A studio page's form was sent without the CSRF token bound to this browser's session "
        "(or with another session's): a page of another site cannot send forms as you. "
        + _NOT_CHARGED,
        "Reload the studio page (it carries a fresh token) and send the form again; sign in "
        "again if the session has ended.",
    ),
    "forbidden": ProblemGuide(
        403,
        "Not for this session",
        "A studio page for users was opened in a session of the admin key, or an admin page "
        "in a user's session.",
        "Sign out and sign in with the key the page needs: a user's API key for the user "
        "pages, the operator's admin key for the admin pages.",
    ),
    "admin-disabled": ProblemGuide(
        403,
        "Admin API disabled",
        "The operator routes under /v1/admin are off because this server has no admin key.",
        "Start the server with IMAGESTUDIO_ADMIN_KEY set, and send that key.",
    ),
    "link-expired": ProblemGuide(
        410,
        "Link expired",
        "A signed asset link (`/v1/signed-assets/…`) is past its expiry "
        "(IMAGESTUDIO_SIGNED_URL_SECONDS).",
        "Ask for the image again (with your key) for a fresh link, or fetch it as "
        "`GET /v1/assets/{id}` with your key.",
    ),
    "link-invalid": ProblemGuide(
        403,
        "Link invalid",
        "A signed asset link was altered, or was signed by another server (each process draws "
        "its own signing key unless IMAGESTUDIO_SIGNING_KEY is set).",
        "Use the link exactly as given, from the server that gave it; operators set one "
        "IMAGESTUDIO_SIGNING_KEY for every process.",
    ),
    # -- your plan --------------------------------------------------------------------------
    "quota-exceeded": ProblemGuide(
        402,
        "Your plan's limit for this period is reached",
        "The operation would take one of your plan's limits (`limit_name`: calls of a "
        "category, or the spend cap) past what it allows this billing period; `used`, `held`, "
        "`limit` and `requested` say by how much. " + _NOT_CHARGED,
        "Wait until `resets_at`, ask for fewer outputs, or move to a larger plan. Retrying "
        "before then is refused the same way.",
    ),
    "storage-quota-exceeded": ProblemGuide(
        402,
        "Your plan's storage is full",
        "Your stored assets take all the bytes your plan keeps (`used`, `limit`). " + _NOT_CHARGED,
        "Delete assets you no longer need (`DELETE /v1/assets/{id}`) or move to a larger plan.",
    ),
    "rate-limited": ProblemGuide(
        429,
        "Too many requests for your plan",
        "You sent more requests per minute, or ran more operations at once, than your plan "
        "allows (`limit_name`, `limit`). " + _NOT_CHARGED,
        "Wait the `Retry-After` seconds and send it again; run fewer at once.",
    ),
    "refund-too-large": ProblemGuide(
        422,
        "Refund too large",
        "An adjustment would refund more than the user spent this billing period.",
        "Refund at most this period's spend (see the user's usage).",
    ),
    # -- the service and its providers --------------------------------------------------
    "service-budget-exhausted": ProblemGuide(
        503,
        "The service's provider budget is exhausted (not your quota)",
        "The operator's monthly budget at this provider is used up; your own quota is "
        "untouched. " + _NOT_CHARGED,
        "Try another model (of another provider), or after `resets_at`; the operator can raise "
        "the budget (`imagestudio budget set`). Retrying soon will not help.",
    ),
    "provider-rejected-input": ProblemGuide(
        422,
        "The provider rejected the input",
        "The provider refused the request as invalid (a field or an image it does not take). "
        "Nothing was charged.",
        "Read `detail` for the provider's reason, fix the input and send it again.",
    ),
    "content-moderated": ProblemGuide(
        422,
        "Refused by moderation",
        "The provider's safety checker refused the prompt or an input image. Nothing was charged.",
        "Change the prompt or the image. The same request is refused again.",
    ),
    "not-supported": ProblemGuide(
        422,
        "Not supported by the provider",
        "The provider cannot do this with this model (a mode, size or option it lacks). "
        "Nothing was charged.",
        "Choose another model (`GET /v1/models`) or option.",
    ),
    "provider-auth-failed": ProblemGuide(
        502,
        "The service's provider key was refused",
        "The provider refused the operator's API key: a fault of this service's set-up, not "
        "of your request. Nothing was charged.",
        "Tell the operator (`imagestudio providers check`); try another model meanwhile.",
    ),
    "provider-out-of-credit": ProblemGuide(
        503,
        "The provider account is out of credit",
        "The operator's account at the provider has no credit left. Nothing was charged.",
        "Try another model (of another provider); the operator tops the account up.",
    ),
    "provider-rate-limited": ProblemGuide(
        503,
        "The provider is rate-limiting this service",
        "The provider refused the request for the service's account rate. Nothing was charged.",
        "Send it again after the `Retry-After` seconds.",
    ),
    "provider-unavailable": ProblemGuide(
        503,
        "The provider is unavailable",
        "The provider failed or could not be reached before the request was accepted there. "
        "Nothing was charged.",
        "Send it again after the `Retry-After` seconds, or choose another model.",
    ),
    "model-unavailable": ProblemGuide(
        422,
        "Model unavailable",
        "The model's provider is not enabled on this server (no key is set for it).",
        "Choose a model that `GET /v1/models` lists as usable, or `auto`.",
    ),
    "unsupported-kind": ProblemGuide(
        422,
        "Model cannot do this",
        "The model does not do this kind of operation (an upscaler asked to generate, say).",
        "Choose a model of that kind (`GET /v1/models?kind=…`) or `auto`.",
    ),
    "output-filtered": ProblemGuide(
        422,
        "The provider withheld the output",
        "The provider made the image but its safety filter withheld it; providers bill for "
        "this, so the operation is charged as the provider charged.",
        "Change the prompt or the input; the same request may be withheld again.",
    ),
    "output-lost": ProblemGuide(
        503,
        "The result could not be stored",
        "The provider's output could not be downloaded or stored here; the operation is "
        "settled as its outcome says (see the operation).",
        "Send it again after the `Retry-After` seconds.",
    ),
    "outcome-unknown": ProblemGuide(
        504,
        "The outcome at the provider is unknown",
        "The request reached the provider but its answer did not come back (a time-out or a "
        "dropped connection). The reservation stays held until reconciliation looks the task "
        "up: charged if it completed, released if not, never twice.",
        "Do not resend it: poll `GET /v1/operations/{operation_id}` until it settles. A retry "
        "with the same Idempotency-Key is safe.",
    ),
    "not-recorded": ProblemGuide(
        503,
        "The operation could not be recorded",
        "This service could not write its own records (its database); nothing was sent to a "
        "provider and nothing was charged.",
        "Send it again after the `Retry-After` seconds.",
    ),
    "shutting-down": ProblemGuide(
        503,
        "Shutting down",
        "This server is stopping and takes no new operations. " + _NOT_CHARGED,
        "Send it again, to another server or after the restart.",
    ),
    "busy": ProblemGuide(
        503,
        "Busy",
        "The operation was accepted but had not started after the wait: the server is overloaded.",
        "Send it again with the same Idempotency-Key: it is run once.",
    ),
    "internal": ProblemGuide(
        500,
        "Internal error",
        "An unexpected error in this service; the server's log has its details (never sent "
        "to clients).",
        "Send it again; if it keeps failing, tell the operator the time and the path.",
    ),
    # -- operations, idempotency and records -------------------------------------------
    "idempotency-conflict": ProblemGuide(
        409,
        "Idempotency key reused",
        "This Idempotency-Key was first used with a different request; a key replays only the "
        "request it was first sent with.",
        "Use a new key for a new request.",
    ),
    "idempotency-in-progress": ProblemGuide(
        409,
        "Request still in progress",
        "The first request with this Idempotency-Key is still running.",
        "Wait, then send it again with the same key: it answers the first request's outcome.",
    ),
    "cancelled": ProblemGuide(
        409,
        "Cancelled",
        "The operation was cancelled before it finished; what had not been sent was released.",
        "Send a new request if you still want the result.",
    ),
    "not-cancellable": ProblemGuide(
        409,
        "Not cancellable",
        "The operation has already ended, or runs in another server process (`status` says "
        "which state it is in).",
        "Nothing to do: poll `GET /v1/operations/{id}` for its outcome.",
    ),
    "operation-not-found": ProblemGuide(
        404,
        "Operation not found",
        "No operation of yours has this id (another user's ids are not found either).",
        "Check the id (from the 202's `Location`).",
    ),
    "asset-not-found": ProblemGuide(
        404,
        "Asset not found",
        "No asset of yours has this id (it may have been deleted, or swept after your plan's "
        "retention).",
        "List your assets with `GET /v1/assets`.",
    ),
    "no-thumbnail": ProblemGuide(
        404,
        "No thumbnail",
        "The asset is yours but is not an image (a 3D model or a video), so it has no "
        "thumbnail; `media_type` says what it is.",
        "Show a placeholder for its media type, or fetch the asset itself "
        "(`GET /v1/assets/{asset_id}`).",
    ),
    "unknown-model": ProblemGuide(
        404,
        "Unknown model",
        "No model has this id.",
        "Use an id from `GET /v1/models`, or `auto`.",
    ),
    "unknown-plan": ProblemGuide(
        404,
        "Unknown plan",
        "No plan has this name.",
        "List the plans (`GET /v1/admin/plans`) or define it first.",
    ),
    "unknown-user": ProblemGuide(
        404,
        "Unknown user",
        "No user has this id.",
        "Check the id, or add the user (`POST /v1/admin/users`).",
    ),
    "unknown-api-key": ProblemGuide(
        404,
        "Unknown API key",
        "No key matches this key, key id or prefix.",
        "List the user's keys (`GET /v1/admin/users/{id}/keys`).",
    ),
    "ambiguous-api-key": ProblemGuide(
        409,
        "Ambiguous API key",
        "The prefix given matches more than one key (`detail` lists them).",
        "Give the key id or the whole key.",
    ),
    "user-exists": ProblemGuide(
        409,
        "User exists",
        "A user with this id exists already.",
        "Choose another id, or change the existing user's plan.",
    ),
    "user-busy": ProblemGuide(
        409,
        "The user has operations not settled yet",
        "The user cannot be deleted while operations of theirs (`operation_ids`) are unsettled.",
        "Wait the `Retry-After` seconds (reconciliation settles them) and delete again.",
    ),
    "storage-gc-unavailable": ProblemGuide(
        409,
        "Storage gc needs the asset library in a database",
        "This server keeps its asset library in memory but the bytes on disk or S3: every "
        "stored file would look orphaned, so garbage collection is refused.",
        "Run storage gc on a server with a database profile (`local`, `postgres`).",
    ),
    "webhook-refused": ProblemGuide(
        422,
        "Webhook destination refused",
        "The `webhook` URL may not receive webhooks: not https, credentials in it, or its name "
        "resolves to a loopback, private, link-local, carrier-grade NAT, multicast or metadata "
        "address "
        "(`reason` says which). " + _NOT_CHARGED,
        "Give an https URL on a public address. For development the server's operator may set "
        "IMAGESTUDIO_WEBHOOK_ALLOW_HTTP and IMAGESTUDIO_WEBHOOK_ALLOW_PRIVATE.",
    ),
    "delivery-not-found": ProblemGuide(
        404,
        "Webhook delivery not found",
        "No webhook delivery has this id (deliveries are kept 30 days).",
        "List deliveries with `GET /v1/webhooks/deliveries` (as their owner).",
    ),
}
