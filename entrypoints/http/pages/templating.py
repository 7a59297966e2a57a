"""Rendering the pages' Jinja2 templates (shipped in the package), with what every page needs:
the root path the app is mounted at (every link is built from it), the CSRF token of the
visit, and who is signed in."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from imagestudio.domain.money import format_usd
from imagestudio.entrypoints.http.pages.run_tokens import new_token
from imagestudio.entrypoints.http.pages.usage_bars import byte_text

ENVIRONMENT = Environment(
    loader=PackageLoader("imagestudio.entrypoints.http.pages", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
ENVIRONMENT.filters["usd"] = format_usd
ENVIRONMENT.filters["byte_text"] = byte_text
# A run form's token (`run_tokens`): new at each rendering.
ENVIRONMENT.globals["run_token"] = new_token


def root(request: Request) -> str:
    """Where the app is mounted ('' at the top of the host)."""
    return str(request.scope.get("root_path", "")).rstrip("/")


def link(request: Request, path: str) -> str:
    """`path` (starting with '/') under the app's root: links stay inside a mounted app."""
    return root(request) + path


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """The template as a whole page or a fragment; `request.state` carries the visit (set by
    the session dependencies) so every template sees `csrf` and `visit`."""
    base = {
        "root": root(request),
        "csrf": getattr(request.state, "csrf", ""),
        "visit": getattr(request.state, "visit", None),
        "path": request.url.path.removeprefix(root(request)) or "/",
    }
    html = ENVIRONMENT.get_template(template).render(**base, **context)
    return HTMLResponse(html, status_code=status, headers=_NO_STORE)


_NO_STORE = {
    "cache-control": "no-store",
    "x-frame-options": "DENY",
    "content-security-policy": "default-src 'self'; img-src 'self' data: blob:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
    "referrer-policy": "same-origin",
}
"""Pages hold a user's data and a CSRF token: never cached, never framed (clickjacking), and
nothing runs or loads from elsewhere (every script and style is this app's own file)."""
