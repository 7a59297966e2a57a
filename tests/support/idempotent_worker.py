"""One OS process sending the same idempotent request several times at once.

Usage: python idempotent_worker.py DATABASE_URL DATA_DIR KEY COPIES
Prints one JSON line: the outcome type of each copy.
"""

from __future__ import annotations

import asyncio
import json
import sys

from returns.result import Success

from imagestudio.entrypoints.api import GenerateRequest, ImageStudio, Profile


async def main(url: str, data_dir: str, key: str, copies: int) -> None:
    studio = await ImageStudio.connect(
        profile=Profile.OFFLINE, database_url=url, data_dir=data_dir, offline_price_usd="0.01"
    )
    request = GenerateRequest(
        user_id="local", prompt="once", width=64, height=64, idempotency_key=key
    )
    results = await asyncio.gather(*(studio.generate.execute(request) for _ in range(copies)))
    kinds = [
        "success:" + result.unwrap().operation.id
        if isinstance(result, Success)
        else type(result.failure()).__name__
        for result in results
    ]
    await studio.aclose()
    print(json.dumps(kinds))


if __name__ == "__main__":
    url, data_dir, key, copies = sys.argv[1:5]
    asyncio.run(main(url, data_dir, key, int(copies)))
