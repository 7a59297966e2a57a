"""The admin API's erasure and storage upkeep: erase a user, sweep assets, collect garbage."""

from __future__ import annotations

from datetime import timedelta

from fastapi import Request
from returns.result import Failure

from imagestudio.domain.errors import UnknownUser
from imagestudio.entrypoints.http.admin_refusals import ADMIN_RESPONSES, admin_router, refuse
from imagestudio.entrypoints.http.auth import ProblemError
from imagestudio.entrypoints.http.problems import Problem
from imagestudio.entrypoints.http.state import app_state
from imagestudio.entrypoints.http.storage_schemas import (
    GarbageIn,
    GarbageOut,
    StorageSweepOut,
    UserDeletionOut,
)

router = admin_router()


@router.delete("/users/{user_id}", response_model=UserDeletionOut, responses=ADMIN_RESPONSES)
async def delete_user(user_id: str, request: Request) -> UserDeletionOut:
    """Erase a user: their assets (rows and bytes), keys, operations and quota go at once; their
    ledger lines stay under a fresh tombstone id, so every total still adds up. Refused (409
    `user-busy`) while one of their operations is unsettled, and (422) for the default user,
    whom the next start would make again; running it again after a failure finishes the job."""
    if not user_id.isprintable():
        # No user has such an id, and PostgreSQL cannot even compare text holding a NUL.
        raise refuse(UnknownUser(user_id))
    deleted = await app_state(request).studio.delete_user.execute(user_id)
    if isinstance(deleted, Failure):
        raise refuse(deleted.failure())
    return UserDeletionOut.of(deleted.unwrap())


@router.post("/storage/sweep", response_model=StorageSweepOut, responses=ADMIN_RESPONSES)
async def sweep_storage(request: Request) -> StorageSweepOut:
    """Delete every asset older than its owner's plan keeps assets (`retention_days`), now
    (the server also does it every IMAGESTUDIO_STORAGE_SWEEP_SECONDS)."""
    return StorageSweepOut.of(await app_state(request).studio.sweep_storage.execute())


@router.post("/storage/gc", response_model=GarbageOut, responses=ADMIN_RESPONSES)
async def collect_garbage(request: Request, body: GarbageIn | None = None) -> GarbageOut:
    """Remove stored bytes no asset names (left by a crash) once older than the margin, and
    report assets whose bytes are missing. Refused (409) where the asset library lives only in
    this process while the bytes are on disk or in S3."""
    state = app_state(request)
    settings = state.settings
    if settings.effective_database_url is None and settings.effective_storage.value != "memory":
        # Every stored file would look orphaned to a library that started empty with the process.
        raise ProblemError(
            Problem(
                status=409,
                slug="storage-gc-unavailable",
                title="Storage gc needs the asset library in a database",
                detail="this server keeps the asset library in its own memory but the bytes in "
                f"{settings.effective_storage.value} storage: every stored file would look "
                "orphaned; run it with a database profile",
                headers={"x-should-retry": "false"},
            )
        )
    chosen = body or GarbageIn()
    seconds = settings.gc_margin_seconds if chosen.margin_seconds is None else chosen.margin_seconds
    report = await state.studio.collect_garbage.execute(
        margin=timedelta(seconds=seconds), dry_run=chosen.dry_run
    )
    return GarbageOut.of(report)
