"""How big an asset benchmark run is (full, `--quick`, `--smoke`), and the sizes every run shares:
assets added one by one, rows per transaction of the fill, the page, calls per cell."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    sizes: tuple[int, int]  # the owner's assets, small and large
    seconds: float  # per cell (both sizes together), split over the rounds
    rounds: int  # alternations between the two sizes


FULL = Settings(sizes=(1_000, 100_000), seconds=2.0, rounds=4)
QUICK = Settings(sizes=(1_000, 20_000), seconds=0.6, rounds=3)
SMOKE = Settings(sizes=(200, 1_000), seconds=0.05, rounds=1)

ONE_BY_ONE = 1_000  # assets added through `add`, the rest in batches
BATCH = 10_000  # rows per transaction of the fill
PAGE = 50
AT_LEAST = 2  # calls per size per round, however slow
AT_MOST = 400  # calls per size per round
LATE = AT_MOST * FULL.rounds + 1  # fresh assets for timing add() into the full library
