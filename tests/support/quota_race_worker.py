"""One OS process of the quota race: runs `count` operations at once against a shared database.

Usage: python quota_race_worker.py DATABASE_URL DATA_DIR USER COUNT SEED [FAILING]
(FAILING: the share of requests marked to fail at the offline provider; 0.3 by default)
Prints one JSON line: how many operations succeeded, were refused, or failed at the provider.
"""

from __future__ import annotations

import asyncio
import json
import random
import sys

from returns.result import Success

from imagestudio.domain.errors import ProviderFailed, QuotaExceeded
from imagestudio.entrypoints.api import GenerateRequest, ImageStudio, Profile


async def main(url: str, data_dir: str, user: str, count: int, seed: int, failing: float) -> None:
    rng = random.Random(seed)
    studio = await ImageStudio.connect(
        profile=Profile.OFFLINE, database_url=url, data_dir=data_dir, offline_price_usd="0.01"
    )
    requests = [
        GenerateRequest(
            user_id=user,
            prompt=("[offline:fail] " if rng.random() < failing else "") + f"race {seed}-{index}",
            width=64,
            height=64,
        )
        for index in range(count)
    ]
    results = await asyncio.gather(*(studio.generate.execute(request) for request in requests))
    tally = {"succeeded": 0, "refused": 0, "failed": 0, "other": 0}
    for result in results:
        if isinstance(result, Success):
            tally["succeeded"] += 1
        elif isinstance(result.failure(), QuotaExceeded):
            tally["refused"] += 1
        elif isinstance(result.failure(), ProviderFailed):
            tally["failed"] += 1
        else:
            tally["other"] += 1
            print(result.failure(), file=sys.stderr)
    await studio.aclose()
    print(json.dumps(tally))


if __name__ == "__main__":
    url, data_dir, user, count, seed = sys.argv[1:6]
    failing = float(sys.argv[6]) if len(sys.argv) > 6 else 0.3
    asyncio.run(main(url, data_dir, user, int(count), int(seed), failing))
