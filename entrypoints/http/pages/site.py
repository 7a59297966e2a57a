"""Putting the studio pages into the HTTP app: their routes, their static files (shipped in
the package: no CDN) and their error pages."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from imagestudio.entrypoints.http.pages import (
    admin_money_pages,
    admin_pages,
    admin_user_pages,
    asset_actions,
    asset_pages,
    create_routes,
    file_routes,
    kind_pages,
    library_pages,
    local_pages,
    operation_pages,
    page_errors,
    sign_in_routes,
    usage_pages,
)

ROUTERS = (
    sign_in_routes.router,
    create_routes.router,
    operation_pages.router,
    file_routes.router,
    kind_pages.router,
    local_pages.router,
    library_pages.router,
    asset_pages.router,
    asset_actions.router,
    usage_pages.router,
    admin_pages.router,
    admin_user_pages.router,
    admin_money_pages.router,
)
"""Every page router; a new page's router is added here."""


def install(app: FastAPI) -> None:
    for router in ROUTERS:
        app.include_router(router)
    app.mount(
        "/static",
        # An editable install links the package's files to the source tree: follow the links
        # (the folder holds only the files shipped with the package).
        StaticFiles(
            packages=[("imagestudio.entrypoints.http.pages", "static")], follow_symlink=True
        ),
        name="studio-static",
    )
    page_errors.install(app)
