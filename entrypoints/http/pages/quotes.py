"""The live quote fragment (`_quote.html`) every form page shows: what running the form's
request would reserve now (nothing is reserved or called), or why it cannot run."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response
from returns.result import Failure

from imagestudio.application.requests import OperationRequest
from imagestudio.domain.errors import InvalidInput
from imagestudio.entrypoints.http.pages.templating import render
from imagestudio.entrypoints.http.problems import problem_for
from imagestudio.entrypoints.http.state import app_state


async def quote_fragment(request: Request, wanted: OperationRequest | InvalidInput) -> Response:
    if isinstance(wanted, InvalidInput):
        return render(request, "_quote.html", quote=None, problem=problem_for(wanted))
    priced = await app_state(request).studio.quote.execute(wanted)
    if isinstance(priced, Failure):
        return render(request, "_quote.html", quote=None, problem=problem_for(priced.failure()))
    return render(request, "_quote.html", quote=priced.unwrap(), problem=None)
