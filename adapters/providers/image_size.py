"""An output image's width and height read from its header, without Pillow, where that is plain.

Reading every output's size through Pillow's JPEG plugin (which parses each header segment in
Python) cost more of a `generate` than the rest of the adapter's reading. This reads a baseline
or progressive JPEG's frame header, found by walking its segments up to the start of the scan
(a PNG's size is cheap for Pillow: it is in its first chunk). Anything it is not sure of —
another format, an odd segment, a header Pillow would refuse — is None and the caller asks
Pillow, so a size is only given where Pillow gives the same (tests/adapters/test_image_size.py).
"""

from __future__ import annotations

import struct

_SOF = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})
"""Start-of-frame markers (every coding process; not DHT 0xC4, JPG 0xC8, DAC 0xCC)."""
_HEADER = struct.Struct(">BBH")
"""A segment's header: 0xFF, its marker, its length (which counts itself, not the marker)."""
_SOS = 0xDA
_DQT = 0xDB
_PLAIN = frozenset({*range(0xE0, 0xF0), 0xC4, 0xCC, 0xDD, 0xFE})
"""Segments skipped by their length: application data, Huffman and arithmetic tables, the
restart interval, comments. Any other marker before the scan: not sure, so None."""


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) of a JPEG as Pillow reads it, or None when not plainly readable."""
    if data.startswith(b"\xff\xd8"):
        return _jpeg(data)
    return None


def _jpeg(data: bytes) -> tuple[int, int] | None:
    # Positions, not slices: one unpack per segment header and no copies of the segments.
    size: tuple[int, int] | None = None
    at, end = 2, len(data)
    header = _HEADER.unpack_from
    while at + 4 <= end:
        lead, marker, length = header(data, at)
        body, at = at + 4, at + 2 + length
        if lead != 0xFF or length < 2 or at > end:
            return None
        if marker in _PLAIN:
            continue
        if marker == _SOS:
            return size
        if marker == _DQT:
            if not _tables_fit(data, body, at):
                return None
        elif marker in _SOF and size is None:
            size = _frame(data[body:at])
            if size is None:
                return None
        else:
            return None
    return None


def _frame(segment: bytes) -> tuple[int, int] | None:
    if len(segment) < 6:
        return None
    bits, layers = segment[0], segment[5]
    height = int.from_bytes(segment[1:3], "big")
    width = int.from_bytes(segment[3:5], "big")
    if bits != 8 or layers not in (1, 3, 4) or len(segment) != 6 + 3 * layers:
        return None
    if not (width and height):
        return None
    return width, height


def _tables_fit(data: bytes, at: int, end: int) -> bool:
    """Quantization tables of 64 entries of 1 or 2 bytes each, filling data[at:end] exactly."""
    while at < end:
        precision = data[at] >> 4
        if precision > 1:
            return False
        at += 1 + 64 * (precision + 1)
    return at == end
