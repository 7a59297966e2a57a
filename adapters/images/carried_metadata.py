"""What of an input's metadata an output carries over (all of it optional)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class IccProfile:
    data: bytes
    grey: bool
    """A grey profile describes one channel: it must not be attached to colour pixels."""


@dataclass(frozen=True, slots=True)
class CarriedMetadata:
    exif: bytes | None = None
    """With its "Exif\\0\\0" header, and no orientation to apply (the pixels are upright)."""
    xmp: bytes | None = None
    icc: IccProfile | None = None


NOTHING = CarriedMetadata()
