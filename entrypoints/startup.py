"""Getting state ready before the first use case runs: schema checked, plans and user seeded."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import make_url

from imagestudio.adapters.sql import schema
from imagestudio.adapters.sql.engine import refuse_new_connections
from imagestudio.adapters.sql.quota_store import SqlQuotaStore
from imagestudio.adapters.sql.unit_of_work import SqlUnitOfWork
from imagestudio.entrypoints.builders import no_such_plan, state_kind
from imagestudio.entrypoints.container import Container
from imagestudio.entrypoints.settings import SettingsError

CLOSED = "this ImageStudio is closed: build a new ImageStudio"


async def start(container: Container) -> None:
    """Refuse an out-of-date schema (a brand-new SQLite file is created on the spot, with the
    reference plans), then make sure the default user exists. In-memory state needs nothing.

    The reference plans are seeded when the database is created (`schema.upgrade`), never
    again: a plan the operator deleted stays deleted."""
    settings = container.settings()
    if state_kind(settings) == "memory":
        return
    engine = container.engine()
    if _is_new_sqlite_file(settings.effective_database_url):
        await schema.upgrade(engine)
    elif _is_sqlite(settings.effective_database_url) and await schema.is_empty(engine):
        # A file with nothing in it is as new: SQLite makes one as soon as anything connects
        # (a call made before `start`), and an empty file must not stop the database being made.
        await schema.upgrade(engine)
    await schema.require_current(engine)
    quota = container.quota()
    if not isinstance(quota, SqlQuotaStore):
        return  # the host app's own user store (`adapters=`): its plans and users are its own
    names = sorted(plan.name for plan in await quota.plans())
    if settings.default_plan not in names:
        raise SettingsError(no_such_plan(names))
    await quota.add_user_if_missing(settings.default_user, settings.default_plan)


def _is_sqlite(url: str | None) -> bool:
    return url is not None and url.startswith("sqlite")


def _is_new_sqlite_file(url: str | None) -> bool:
    # Nothing to migrate in a database that does not exist yet: create it rather than refuse.
    if url is None or not _is_sqlite(url):
        return False
    database = make_url(url).database
    return bool(database) and database != ":memory:" and not Path(str(database)).exists()


async def stop(container: Container) -> None:
    """Close what the container opened (the database pool, the providers' HTTP pools)."""
    for client in (container.wavespeed_http(), container.stability_http()):
        if client is not None:
            await client.aclose()
    if state_kind(container.settings()) == "sql":
        await container.engine().dispose()
        refuse_new_connections(container.engine(), CLOSED)
        unit_of_work = container.unit_of_work()
        if isinstance(unit_of_work, SqlUnitOfWork):
            await unit_of_work.aclose()
