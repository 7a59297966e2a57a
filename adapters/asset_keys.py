"""Where an asset's bytes live in a store: `<owner>/<asset_id>.<extension of its media type>`."""

from __future__ import annotations

from dataclasses import dataclass

from imagestudio.adapters.asset_ids import checked_name
from imagestudio.domain.media import MediaType

_MEDIA_TYPES = {media.extension: media for media in MediaType}


@dataclass(frozen=True, slots=True)
class AssetKey:
    """One asset's bytes, named by owner, id and media type; ValueError for an unsafe name."""

    owner: str
    asset_id: str
    media_type: MediaType

    def __post_init__(self) -> None:
        checked_name("owner", self.owner)
        checked_name("asset id", self.asset_id)

    @property
    def path(self) -> str:
        """The key relative to a store's root or prefix: two segments joined by `/`."""
        return f"{self.owner}/{self.asset_id}.{self.media_type.extension}"

    @classmethod
    def parsed(cls, path: str) -> AssetKey | None:
        """The key whose `path` this is; None for any name a store did not write this way."""
        owner, slash, name = path.partition("/")
        asset_id, dot, extension = name.rpartition(".")
        # Only the exact extension written: `remove` must find the very object inventory names.
        media_type = _MEDIA_TYPES.get(extension)
        if not slash or not dot or media_type is None:
            return None
        try:
            return cls(owner, asset_id, media_type)
        except ValueError:
            return None
