"""Something named that is not there: an asset (or its thumbnail), an operation, a user, a plan,
an API key (or a reference matching more than one)."""

from __future__ import annotations

from dataclasses import dataclass

from imagestudio.domain.errors.echo import echoed


@dataclass(frozen=True, slots=True)
class AssetNotFound:
    asset_id: str

    @property
    def message(self) -> str:
        return f"no asset {echoed(self.asset_id)}"


@dataclass(frozen=True, slots=True)
class NoThumbnail:
    """The asset exists but is not an image (a 3D model, a video): it has no thumbnail."""

    asset_id: str
    media_type: str

    @property
    def message(self) -> str:
        return (
            f"asset {echoed(self.asset_id)} is {self.media_type}: only images have thumbnails "
            "(fetch the asset itself, or show a placeholder)"
        )


@dataclass(frozen=True, slots=True)
class OperationNotFound:
    operation_id: str

    @property
    def message(self) -> str:
        return f"no operation {echoed(self.operation_id)}"


@dataclass(frozen=True, slots=True)
class UnknownUser:
    user_id: str

    @property
    def message(self) -> str:
        return f"unknown user {echoed(self.user_id)}"


@dataclass(frozen=True, slots=True)
class UnknownPlan:
    name: str

    @property
    def message(self) -> str:
        return f"no plan named {echoed(self.name)} (see `imagestudio plans list`)"


@dataclass(frozen=True, slots=True)
class UnknownApiKey:
    reference: str
    """The key's id or displayed prefix; never a whole key, which must not be echoed."""

    @property
    def message(self) -> str:
        return f"no API key matches {echoed(self.reference)}"


@dataclass(frozen=True, slots=True)
class AmbiguousApiKey:
    reference: str
    key_ids: tuple[str, ...]

    @property
    def message(self) -> str:
        return (
            f"{len(self.key_ids)} API keys match {echoed(self.reference)}: name one by its id "
            f"({', '.join(self.key_ids)})"
        )
