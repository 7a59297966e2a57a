"""Where a visit whose session has ended goes back to once signed in again."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import Request

from imagestudio.entrypoints.http.pages.form_fields import local_path
from imagestudio.entrypoints.http.pages.templating import root


def return_path(request: Request) -> str:
    """A page's GET is itself, its query too (`/upscale?asset=…`). A fragment htmx asked for or
    a form's POST is the page it came from (htmx's `HX-Current-URL`, else the Referer): never
    the fragment or the POST's action, which the browser would then open with a GET (a bare
    fragment, or a 405). `/` when that page is unknown; always a path of this app."""
    if request.method in ("GET", "HEAD") and not request.headers.get("hx-request"):
        return _within(request, request.url.path, request.url.query)
    source = request.headers.get("hx-current-url") or request.headers.get("referer") or ""
    parts = urlsplit(source)
    return _within(request, parts.path, parts.query)


def _within(request: Request, path: str, query: str) -> str:
    prefix = root(request)
    if prefix and path != prefix and not path.startswith(prefix + "/"):
        return "/"
    inside = path.removeprefix(prefix) or "/"
    return local_path(inside + (f"?{query}" if query else ""), "/")
