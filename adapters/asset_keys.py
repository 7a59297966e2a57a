"""Where an asset's bytes live in a store: `<owner>/<asset_id>.<extension of its media type>`,
and its thumbnails beside them: `<owner>/<asset_id>~thumb<size>.<extension>`."""

from __future__ import annotations

from dataclasses import dataclass

from imagestudio.adapters.asset_ids import checked_name
from imagestudio.domain.media import MediaType

_MEDIA_TYPES = {media.extension: media for media in MediaType}
THUMBNAIL_MARK = "~thumb"
"""`~` is in no safe name, so no asset id can end in this mark: the two layouts never meet."""


@dataclass(frozen=True, slots=True)
class AssetKey:
    """One asset's bytes (or, with `thumbnail`, its thumbnail of that size), named by owner, id
    and media type; ValueError for an unsafe name."""

    owner: str
    asset_id: str
    media_type: MediaType
    thumbnail: int | None = None

    def __post_init__(self) -> None:
        checked_name("owner", self.owner)
        checked_name("asset id", self.asset_id)
        if self.thumbnail is not None and not 1 <= self.thumbnail <= 99_999:
            raise ValueError(f"thumbnail size {self.thumbnail} is not a size")

    @property
    def path(self) -> str:
        """The key relative to a store's root or prefix: two segments joined by `/`."""
        mark = "" if self.thumbnail is None else f"{THUMBNAIL_MARK}{self.thumbnail}"
        return f"{self.owner}/{self.asset_id}{mark}.{self.media_type.extension}"

    @classmethod
    def parsed(cls, path: str) -> AssetKey | None:
        """The key whose `path` this is; None for any name a store did not write this way."""
        owner, slash, name = path.partition("/")
        stem, dot, extension = name.rpartition(".")
        # Only the exact extension written: `remove` must find the very object inventory names.
        media_type = _MEDIA_TYPES.get(extension)
        if not slash or not dot or media_type is None:
            return None
        asset_id, mark, size = stem.partition(THUMBNAIL_MARK)
        thumbnail: int | None = None
        if mark:
            # Only the digits `path` writes: no sign, no leading zero, no other digits.
            if not (size.isascii() and size.isdigit()) or size != str(int(size)):
                return None
            thumbnail = int(size)
        try:
            return cls(owner, asset_id, media_type, thumbnail)
        except ValueError:
            return None
