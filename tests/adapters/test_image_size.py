"""The plain JPEG header reader gives a size only where Pillow gives the same one."""

from __future__ import annotations

import io

from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from imagestudio.adapters.providers.image_size import image_size

MODES = {"L": 100, "RGB": (10, 20, 30), "CMYK": (1, 2, 3, 4)}


def jpeg(mode: str, width: int, height: int, **options: object) -> bytes:
    out = io.BytesIO()
    Image.new(mode, (width, height), MODES[mode]).save(out, "JPEG", **options)  # type: ignore[arg-type]
    return out.getvalue()


def pillow_size(data: bytes) -> tuple[int, int] | None:
    try:
        with Image.open(io.BytesIO(data)) as image:
            return image.size
    except Exception:  # whatever Pillow refuses with: not a size
        return None


jpegs = st.builds(
    jpeg,
    st.sampled_from(sorted(MODES)),
    st.integers(1, 2000),
    st.integers(1, 2000),
    progressive=st.booleans(),
    quality=st.integers(5, 100),
    icc_profile=st.sampled_from([None, b"p" * 300]),
    comment=st.sampled_from([b"", b"made by a provider"]),
)


@settings(max_examples=40, deadline=None)
@given(jpegs)
def test_every_jpeg_pillow_writes_is_read_plainly_at_pillows_size(data: bytes) -> None:
    assert image_size(data) == pillow_size(data)


@settings(max_examples=60, deadline=None)
@given(jpegs, st.data())
def test_a_damaged_header_is_read_only_where_pillow_reads_the_same(
    data: bytes, draw: st.DataObject
) -> None:
    header = min(len(data), 1200)
    cut = draw.draw(st.integers(0, header))
    at = draw.draw(st.integers(0, header - 1))
    byte = draw.draw(st.integers(0, 255))
    damaged = bytearray(data)
    damaged[at] = byte
    for variant in (data[:cut], bytes(damaged)):
        plain = image_size(variant)
        if plain is not None:
            assert plain == pillow_size(variant)


def test_other_formats_are_left_to_pillow() -> None:
    png = io.BytesIO()
    Image.new("RGB", (31, 17)).save(png, "PNG")
    assert image_size(png.getvalue()) is None
    assert image_size(b"") is None
    assert image_size(b"\xff\xd8\xff\xe0") is None  # a header cut short
