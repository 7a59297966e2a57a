"""The guides of problems with who the caller is: no key, a wrong key, another user's things."""

from __future__ import annotations

from imagestudio.entrypoints.http.problem_guides.guide import NOT_CHARGED, ProblemGuide

IDENTITY_GUIDES: dict[str, ProblemGuide] = {
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
        + NOT_CHARGED,
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
}
