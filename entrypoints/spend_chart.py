"""Spend per day drawn as an SVG bar chart, on the server: no script, readable by a screen
reader (`<title>`, `<desc>`, a `<title>` on every bar) and with its numbers written as text.

A pure function of the days it is given, so a page embeds the result as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from imagestudio.domain.daily_spend import DayCharge
from imagestudio.domain.money import format_usd

WIDTH = 720
HEIGHT = 240
_LEFT, _RIGHT, _TOP, _BOTTOM = 72, 12, 16, 36
"""Room for the dollar labels on the left and the day labels below."""
_MAX_DAY_LABELS = 16


def spend_chart_svg(
    days: Sequence[DayCharge],
    *,
    title: str,
    description: str = "",
    id_prefix: str = "spend",
) -> str:
    """The days as bars from a zero line (refunds below it), each with its date and amount.

    `id_prefix` keeps the ids of two charts on one page apart; it is reduced to letters,
    digits, `-` and `_`. Every text given is escaped.
    """
    prefix = "".join(c for c in id_prefix if c.isascii() and (c.isalnum() or c in "-_")) or "c"
    total = sum(day.charge for day in days)
    summary = description or _summary(days, total)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="100%" role="img" aria-labelledby="{prefix}-title {prefix}-desc" '
        'font-family="sans-serif" font-size="11">',
        f'<title id="{prefix}-title">{escape(title)}</title>',
        f'<desc id="{prefix}-desc">{escape(summary)}</desc>',
    ]
    plot_width = WIDTH - _LEFT - _RIGHT
    plot_height = HEIGHT - _TOP - _BOTTOM
    highest = max((day.charge for day in days), default=0)
    lowest = min((day.charge for day in days), default=0)
    top, bottom = max(highest, 0), min(lowest, 0)
    span = top - bottom
    if not days or span == 0:
        parts.append(
            f'<text x="{WIDTH // 2}" y="{HEIGHT // 2}" text-anchor="middle" fill="#444">'
            "No spend in this period</text>"
        )
        parts.append("</svg>")
        return "".join(parts)

    def y_of(value: int) -> float:
        return _TOP + (top - value) / span * plot_height

    zero = y_of(0)
    parts.append(_axis_label(y_of(top), format_usd(top)))
    if bottom < 0:
        parts.append(_axis_label(y_of(bottom), format_usd(bottom)))
    parts.append(_axis_label(zero, "$0.00"))
    parts.append(
        f'<line x1="{_LEFT}" y1="{zero:.1f}" x2="{WIDTH - _RIGHT}" y2="{zero:.1f}" '
        'stroke="#555" stroke-width="1"/>'
    )
    slot = plot_width / len(days)
    bar = max(slot * 0.7, 1.0)
    label_every = -(-len(days) // _MAX_DAY_LABELS)
    for index, day in enumerate(days):
        x = _LEFT + index * slot + (slot - bar) / 2
        edge = y_of(day.charge)
        height = abs(edge - zero)
        if day.charge != 0:
            height = max(height, 1.0)  # a cent beside a huge day still shows
        y = min(edge, zero) if day.charge >= 0 else zero
        what = f"{day.day.isoformat()}: {format_usd(day.charge)} ({_lines(day.lines)})"
        colour = "#1f5fa8" if day.charge >= 0 else "#a83a1f"
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{height:.1f}" '
            f'fill="{colour}"><title>{escape(what)}</title></rect>'
        )
        if index % label_every == 0:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{HEIGHT - _BOTTOM + 14}" text-anchor="middle" '
                f'fill="#333">{day.day.day}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def _summary(days: Sequence[DayCharge], total: int) -> str:
    if not days:
        return "No days to show."
    first, last = days[0].day.isoformat(), days[-1].day.isoformat()
    busiest = max(days, key=lambda day: day.charge)
    spent = f"{format_usd(total)} spent from {first} to {last}"
    if busiest.charge <= 0:
        return f"{spent}."
    return f"{spent}; the most on {busiest.day.isoformat()}: {format_usd(busiest.charge)}."


def _axis_label(y: float, text: str) -> str:
    return (
        f'<text x="{_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#333">{escape(text)}</text>'
    )


def _lines(count: int) -> str:
    return f"{count} line" if count == 1 else f"{count} lines"
