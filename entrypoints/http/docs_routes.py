"""`/docs` (Swagger UI) and `/redoc` with their scripts and styles served by this app, not a
CDN, so both work offline. The assets are the ones the `fastapi-offline` package ships and
keeps current; the pages themselves are FastAPI's own, under the app's root path."""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from imagestudio.entrypoints.http.studio_route import StudioRoute

ASSETS = "/docs-assets"
OFFLINE = {
    "content-security-policy": "img-src 'self' data: blob:; font-src 'self' data:; "
    "connect-src 'self'; style-src 'self' 'unsafe-inline'"
}
"""Nothing of these pages reaches outside: ReDoc's footer shows its maker's logo from their CDN,
which offline is a failed request, online a call home; the browser is told not to try."""
router = APIRouter(include_in_schema=False, route_class=StudioRoute)


def _root(request: Request) -> str:
    return str(request.scope.get("root_path", "")).rstrip("/")


@router.get("/docs")
async def swagger_ui(request: Request) -> HTMLResponse:
    root = _root(request)
    page = get_swagger_ui_html(
        openapi_url=f"{root}{request.app.openapi_url}",
        title=f"{request.app.title} - Swagger UI",
        swagger_js_url=f"{root}{ASSETS}/swagger-ui-bundle.js",
        swagger_css_url=f"{root}{ASSETS}/swagger-ui.css",
        swagger_favicon_url=f"{root}{ASSETS}/favicon.png",
    )
    page.headers.update(OFFLINE)
    return page


@router.get("/redoc")
async def redoc(request: Request) -> HTMLResponse:
    root = _root(request)
    page = get_redoc_html(
        openapi_url=f"{root}{request.app.openapi_url}",
        title=f"{request.app.title} - ReDoc",
        redoc_js_url=f"{root}{ASSETS}/redoc.standalone.js",
        redoc_favicon_url=f"{root}{ASSETS}/favicon.png",
        with_google_fonts=False,
    )
    page.headers.update(OFFLINE)
    return page


def install(app: FastAPI) -> None:
    """The two pages and their assets (the app must be made with `docs_url=None` and
    `redoc_url=None`, so FastAPI's CDN pages are not there too)."""
    static = Path(fastapi_offline.__file__).parent / "static"
    app.mount(ASSETS, StaticFiles(directory=static), name="docs-assets")
    app.include_router(router)
