"""The spend chart: well-formed SVG, accessible, escaped, and honest at the edges."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from imagestudio.domain.daily_spend import DayCharge
from imagestudio.entrypoints.spend_chart import HEIGHT, spend_chart_svg

SVG = "{http://www.w3.org/2000/svg}"
START = date(2026, 12, 1)


def days(*charges: int) -> list[DayCharge]:
    return [
        DayCharge(day=START + timedelta(days=n), charge=c, lines=1 if c else 0)
        for n, c in enumerate(charges)
    ]


def parsed(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def bars(root: ET.Element) -> list[ET.Element]:
    return root.findall(f"{SVG}rect")


def test_the_chart_names_itself_for_screen_readers() -> None:
    root = parsed(spend_chart_svg(days(1_000_000, 2_500_000), title="Spend in December"))

    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "spend-title spend-desc"
    assert root.find(f"{SVG}title").text == "Spend in December"  # type: ignore[union-attr]
    desc = root.find(f"{SVG}desc").text  # type: ignore[union-attr]
    assert desc == "$3.50 spent from 2026-12-01 to 2026-12-02; the most on 2026-12-02: $2.50."
    tips = [bar.find(f"{SVG}title").text for bar in bars(root)]  # type: ignore[union-attr]
    assert tips == ["2026-12-01: $1.00 (1 line)", "2026-12-02: $2.50 (1 line)"]
    labels = [text.text for text in root.findall(f"{SVG}text")]
    assert "$2.50" in labels and "$0.00" in labels and "1" in labels and "2" in labels


def test_every_text_given_is_escaped() -> None:
    hostile = '<script>alert("x")</script> & </svg>'
    svg = spend_chart_svg(days(5), title=hostile, description=hostile, id_prefix='a" onload="x')

    root = parsed(svg)
    assert root.find(f"{SVG}title").text == hostile  # type: ignore[union-attr]
    assert "<script>" not in svg and 'onload="' not in svg
    assert root.get("aria-labelledby") == "aonloadx-title aonloadx-desc"


def test_an_empty_period_says_so_instead_of_drawing_bars() -> None:
    for empty in ([], days(0, 0, 0)):
        root = parsed(spend_chart_svg(empty, title="Nothing"))

        assert bars(root) == []
        assert [text.text for text in root.findall(f"{SVG}text")] == ["No spend in this period"]


def test_one_huge_day_fills_the_height_and_a_cent_beside_it_still_shows() -> None:
    root = parsed(spend_chart_svg(days(10_000, 0, 500_000_000_000), title="t"))

    heights = [float(bar.get("height", "0")) for bar in bars(root)]
    assert heights[1] == 0.0
    assert heights[0] >= 1.0
    assert heights[2] > HEIGHT / 2


def test_a_refund_day_hangs_below_the_zero_line() -> None:
    root = parsed(spend_chart_svg(days(2_000_000, -1_000_000), title="t"))

    up, down = bars(root)
    zero = next(float(line.get("y1", "0")) for line in root.findall(f"{SVG}line"))
    assert float(up.get("y", "0")) + float(up.get("height", "0")) == zero
    assert float(down.get("y", "0")) == zero and down.get("fill") != up.get("fill")


@given(st.lists(st.integers(min_value=-(10**12), max_value=10**12), max_size=62))
def test_any_days_make_well_formed_svg_with_bars_inside_the_picture(charges: list[int]) -> None:
    root = parsed(spend_chart_svg(days(*charges), title="t"))

    for bar in bars(root):
        y, height = float(bar.get("y", "0")), float(bar.get("height", "0"))
        assert y >= 0 and y + height <= HEIGHT + 1
    day_labels = [t for t in root.findall(f"{SVG}text") if t.get("text-anchor") == "middle"]
    assert len(day_labels) <= 16 or charges == [] or not any(charges)
