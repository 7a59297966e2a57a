"""The guides of problems with operations, idempotency keys and records: unknown outcomes,
cancellations, keys in use, things not found."""

from __future__ import annotations

from imagestudio.entrypoints.http.problem_guides.guide import NOT_CHARGED, ProblemGuide

RECORD_GUIDES: dict[str, ProblemGuide] = {
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
    "form-already-sent": ProblemGuide(
        409,
        "This form was already sent",
        "A studio form that acts once (issuing a user a new key) came again after what it acts "
        "on had changed: the page answering it was reloaded, or shown again with Back, or "
        "another admin acted first. It was not done twice: the key shown the first time stands.",
        "Open the page the form is on (the user's keys) for how things stand now, and send a "
        "fresh form from there if you mean to do it again.",
    ),
    "not-cancellable": ProblemGuide(
        409,
        "Not cancellable",
        "The operation has already ended, or runs in another server process "
        "(`operation_status` says which state it is in).",
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
        "(`reason` says which). " + NOT_CHARGED,
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
