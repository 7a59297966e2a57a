"""Parsing sizes written as WxH."""

from __future__ import annotations

import typer


def parse_size(value: str | None) -> tuple[int | None, int | None]:
    if value is None:
        return None, None
    width, separator, height = value.lower().partition("x")
    if not separator or not width.isdigit() or not height.isdigit():
        raise typer.BadParameter(f"size must look like 1024x768, not {value!r}")
    return int(width), int(height)
