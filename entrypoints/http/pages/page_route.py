"""The route class of every studio page: the API's `StudioRoute`, but a query or path
parameter FastAPI refuses (`/library?limit=abc`, a tag longer than the filter takes) is answered
with the error page in the page's words, as every other refusal on a page is, never the API's
problem JSON."""

from __future__ import annotations

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError

from imagestudio.entrypoints.http.invalid_requests import invalid_request
from imagestudio.entrypoints.http.pages.page_errors import render_problem
from imagestudio.entrypoints.http.studio_route import Handler, StudioRoute


class PageRoute(StudioRoute):
    def get_route_handler(self) -> Handler:
        handle = super().get_route_handler()

        async def shown(request: Request) -> Response:
            try:
                return await handle(request)
            except RequestValidationError as invalid:
                return render_problem(request, invalid_request(invalid.errors()))

        return shown
