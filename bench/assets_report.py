"""The asset benchmark's tables: filling, one call per library, and how each call grows."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from assets_calls import FINDS, Filled
from assets_data import Dataset
from assets_expected import expected
from assets_settings import BATCH, ONE_BY_ONE, PAGE
from assets_timing import Cell


def matching(label: str, data: Dataset) -> str:
    labels = [find.label for find in FINDS]
    return f"{expected(data)[labels.index(label)].matching:,}" if label in labels else "-"


def print_fill(results: Sequence[tuple[str, Sequence[Filled]]]) -> None:
    print("\n### filling\n")
    print(
        f"The first {ONE_BY_ONE:,} assets (every owner's, oldest first) through add() one by "
        f"one on an empty library; the rest in transactions of {BATCH:,} assets (through add() "
        "for memory). Checked: queries answered as `AssetQuery.matches` says.\n"
    )
    print(
        "| library | owner's assets | assets in all | add(), first 1,000 | the rest in | checked |"
    )
    print("|---|---|---|---|---|---|")
    for name, filled in results:
        for one in filled:
            print(
                f"| {name} | {one.data.size:,} | {len(one.data.assets):,} "
                f"| {one.add_rate:,.0f}/s | {one.fill_seconds:.1f} s "
                f"| {f'{one.checked} queries' if one.checked else 'the reference'} |"
            )


def print_calls(name: str, filled: Sequence[Filled], cells: dict[str, Cell]) -> None:
    small, large = (f"{one.data.size:,}" for one in filled)
    print(f"\n### one call, {name}\n")
    print(
        f"Median / p95 ms per call for an owner of {small} and of {large} assets, and the ratio "
        f"of the medians. Pages hold {PAGE}; matching: the owner's assets the query selects.\n"
    )
    print(f"| call | matching ({small} / {large}) | {small} | {large} | {large} ÷ {small} |")
    print("|---|---|---|---|---|")
    for label, cell in cells.items():
        found = " / ".join(matching(label, one.data) for one in filled)
        print(
            f"| {label} | {found} | {cell.shown(0)} | {cell.shown(1)} | **{cell.growth():.1f}×** |"
        )
    sys.stdout.flush()


def print_growth(results: Sequence[tuple[str, dict[str, Cell]]], sizes: tuple[int, int]) -> None:
    print(f"\n### how each call grows: median at {sizes[1]:,} assets ÷ median at {sizes[0]:,}\n")
    print("| call | " + " | ".join(name for name, _ in results) + " |")
    print("|---" * (len(results) + 1) + "|")
    for label in results[0][1]:
        print(
            f"| {label} | "
            + " | ".join(f"{cells[label].growth():.1f}×" for _, cells in results)
            + " |"
        )
