"""Face swap: the face image's centre, cut as a soft ellipse, composited onto the target."""

from __future__ import annotations

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageStat

from imagestudio.adapters.offline_provider.encoding import image_artifact
from imagestudio.adapters.offline_provider.reading import decoded, input_for, int_parameter
from imagestudio.application.ports.provider import Artifact, ProviderJob

_FACE_CROP = 0.7
"""The share of the face image's shorter side taken, around its centre."""
_FACE_HEIGHT = 0.32
"""The pasted face's height as a share of the target's shorter side."""
_COLUMNS = (0.5, 0.25, 0.75)
_ROWS = (0.3, 0.62)
_COLOUR_MATCH = 0.35
"""How far the face's mean colour is moved toward the target's where it lands."""


def face_swap(job: ProviderJob) -> tuple[Artifact, ...]:
    """Input roles "face" and "target" (or else the first two inputs, in that order)."""
    face = decoded(input_for(job, "face", 0))
    target = decoded(input_for(job, "target", 1))
    index = int_parameter(job.parameters, "target_index", 0)
    result = swapped(face, target, face_centre(target.size, index))
    return (image_artifact(result, job.model.output),) * job.outputs


def face_centre(size: tuple[int, int], target_index: int) -> tuple[int, int]:
    """Where face `target_index` sits: centre, left, right of the upper third, then lower."""
    width, height = size
    column = _COLUMNS[target_index % len(_COLUMNS)]
    row = _ROWS[(target_index // len(_COLUMNS)) % len(_ROWS)]
    return (round(width * column), round(height * row))


def swapped(face: Image.Image, target: Image.Image, centre: tuple[int, int]) -> Image.Image:
    face_height = max(8, round(min(target.size) * _FACE_HEIGHT))
    face_size = (max(6, round(face_height * 0.78)), face_height)
    cut = _centre_crop(face, face_size).resize(face_size, Image.Resampling.LANCZOS)
    left, top = centre[0] - face_size[0] // 2, centre[1] - face_size[1] // 2
    landing = target.crop((left, top, left + face_size[0], top + face_size[1]))
    cut = _colour_matched(cut, landing)
    result = target.copy()
    result.paste(cut, (left, top), _soft_ellipse(face_size))
    return result


def _centre_crop(image: Image.Image, aspect: tuple[int, int]) -> Image.Image:
    side = min(image.size) * _FACE_CROP
    width, height = side * aspect[0] / aspect[1], side
    x, y = image.width / 2, image.height / 2
    return image.crop(
        (round(x - width / 2), round(y - height / 2), round(x + width / 2), round(y + height / 2))
    )


def _colour_matched(face: Image.Image, landing: Image.Image) -> Image.Image:
    """The face with its mean colour moved part of the way toward the landing spot's."""
    shifts = [
        round((want - have) * _COLOUR_MATCH)
        for have, want in zip(ImageStat.Stat(face).mean, ImageStat.Stat(landing).mean, strict=True)
    ]
    raise_by = Image.new("RGB", face.size, tuple(max(0, shift) for shift in shifts))
    lower_by = Image.new("RGB", face.size, tuple(max(0, -shift) for shift in shifts))
    return ImageChops.subtract(ImageChops.add(face, raise_by), lower_by)


def _soft_ellipse(size: tuple[int, int]) -> Image.Image:
    width, height = size
    margin = max(1, min(size) // 12)
    mask = Image.new("L", size, 0)
    ImageDraw.Draw(mask).ellipse((margin, margin, width - margin, height - margin), fill=255)
    return mask.filter(ImageFilter.GaussianBlur(margin / 2))
