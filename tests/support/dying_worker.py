"""A worker that reserves and then hangs before sending, so a test can kill -9 it there.

Usage: python dying_worker.py DATABASE_URL DATA_DIR LEASE_SECONDS
Prints "reserved <operation id>" once its operation holds quota, then waits to be killed.
"""

from __future__ import annotations

import asyncio
import sys

from dependency_injector import providers

from imagestudio.application.ports.provider import ProviderJob, ProviderOutcome, SubmissionReport
from imagestudio.entrypoints.api import GenerateRequest, ImageStudio, Profile, Settings
from imagestudio.entrypoints.container import build_container


class HangsBeforeSending:
    """A provider that never sends: the process is killed while it waits."""

    name = "offline"

    async def run(self, job: ProviderJob, report: SubmissionReport) -> ProviderOutcome:  # noqa: ARG002
        print("reserved", flush=True)
        await asyncio.Event().wait()
        raise AssertionError("unreachable")


async def main(url: str, data_dir: str, lease_seconds: str) -> None:
    settings = Settings(
        profile=Profile.OFFLINE,
        database_url=url,
        data_dir=data_dir,
        lease_seconds=float(lease_seconds),
    )
    container = build_container(settings)
    container.offline_provider.override(providers.Object(HangsBeforeSending()))
    studio = await ImageStudio(container).start()
    await studio.generate.execute(GenerateRequest(user_id="local", prompt="never sent"))


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
