"""What an operation does, and which quota category it spends."""

from __future__ import annotations

from enum import StrEnum


class QuotaCategory(StrEnum):
    IMAGE_GENERATION = "image-generation"
    IMAGE_EDIT = "image-edit"
    UPSCALE = "upscale"
    CONTROL = "control"
    IMAGE_TO_3D = "image-to-3d"
    FACE_SWAP = "face-swap"
    VIDEO = "video"
    LOCAL = "local"
    """Work done on this machine (compress, convert, social): counted, never charged."""


class OperationKind(StrEnum):
    TEXT_TO_IMAGE = "text-to-image"
    IMAGE_EDIT = "image-edit"
    UPSCALE = "upscale"
    CONTROL = "control"
    IMAGE_TO_3D = "image-to-3d"
    FACE_SWAP = "face-swap"
    IMAGE_TO_VIDEO = "image-to-video"
    COMPRESS = "compress"
    CONVERT = "convert"
    SOCIAL = "social"

    @property
    def is_local(self) -> bool:
        """Done here without a provider: no charge, but still counted and recorded."""
        return _CATEGORY_OF[self] is QuotaCategory.LOCAL

    @property
    def category(self) -> QuotaCategory:
        return _CATEGORY_OF[self]


_CATEGORY_OF = {
    OperationKind.TEXT_TO_IMAGE: QuotaCategory.IMAGE_GENERATION,
    OperationKind.IMAGE_EDIT: QuotaCategory.IMAGE_EDIT,
    OperationKind.UPSCALE: QuotaCategory.UPSCALE,
    OperationKind.CONTROL: QuotaCategory.CONTROL,
    OperationKind.IMAGE_TO_3D: QuotaCategory.IMAGE_TO_3D,
    OperationKind.FACE_SWAP: QuotaCategory.FACE_SWAP,
    OperationKind.IMAGE_TO_VIDEO: QuotaCategory.VIDEO,
    OperationKind.COMPRESS: QuotaCategory.LOCAL,
    OperationKind.CONVERT: QuotaCategory.LOCAL,
    OperationKind.SOCIAL: QuotaCategory.LOCAL,
}
