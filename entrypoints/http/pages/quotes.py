"""The live quote (`_quote.html`) every form page shows: what running the form's request would
reserve now (nothing is reserved or called), or why it cannot run. The page comes with it priced
(so it reads without JavaScript too), and htmx prices it again as the form changes."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response
from returns.result import Failure
from starlette.datastructures import FormData

from imagestudio.application.requests import OperationRequest
from imagestudio.domain.errors import InvalidInput
from imagestudio.entrypoints.http.pages.form_fields import text
from imagestudio.entrypoints.http.pages.templating import render
from imagestudio.entrypoints.http.problems import problem_for
from imagestudio.entrypoints.http.state import app_state


async def priced(request: Request, wanted: OperationRequest | InvalidInput) -> dict[str, Any]:
    """`_quote.html`'s context: the quote, or the problem that keeps the request from running."""
    if isinstance(wanted, InvalidInput):
        return {"quote": None, "problem": problem_for(wanted)}
    quoted = await app_state(request).studio.quote.execute(wanted)
    if isinstance(quoted, Failure):
        return {"quote": None, "problem": problem_for(quoted.failure())}
    return {"quote": quoted.unwrap(), "problem": None}


async def quote_fragment(
    request: Request, wanted: OperationRequest | InvalidInput, form: FormData
) -> Response:
    """The quote again for the changed `form`; its summary is announced only if it is not the
    one the page shows (the form's `quote_was`)."""
    return render(
        request, "_quote.html", was=text(form, "quote_was"), **await priced(request, wanted)
    )
