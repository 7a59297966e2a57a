"""Reading a page's POSTed form. Starlette refuses a text field over 1 MiB while it parses, with
a bare 400 that no page shows (it was answered as JSON); here the bound is the request body's own
(IMAGESTUDIO_HTTP_MAX_REQUEST_BYTES, enforced before any route), so a long field reaches the
form's own rules and is refused at that field, the form shown again with the rest kept (a prompt
longer than its model takes, a label or a plan name too long). A form that cannot be read at all
(malformed, too many fields) is the error page, with the parser's reason."""

from __future__ import annotations

from fastapi import Request
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException  # what the parser raises (FastAPI's is a subclass)

from imagestudio.entrypoints.http.pages.page_errors import PageProblem
from imagestudio.entrypoints.http.problems import NO_RETRY, Problem
from imagestudio.entrypoints.http.state import app_state


async def read_form(request: Request) -> FormData:
    """The form, each text field as long as the body may be."""
    longest = app_state(request).settings.http_max_request_bytes
    try:
        return await request.form(max_part_size=longest)
    except HTTPException as error:
        raise PageProblem(
            Problem(
                status=error.status_code,
                slug="bad-request",
                title="Bad request",
                detail=f"{error.detail} Nothing was done: reload the page and send it again",
                headers=NO_RETRY,
            )
        ) from None
