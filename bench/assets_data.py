"""The assets: one owner's N among 10 owners, made as a studio makes them (operations of 1–4
outputs, Zipf prompts, tags, collections, favourites, lineage), spread over the same span."""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from assets_settings import LATE

from imagestudio.domain.asset import Asset, newest_first
from imagestudio.domain.media import MediaType
from imagestudio.domain.operation_kind import OperationKind

OWNER = "owner-0"
OTHERS = tuple(f"owner-{index}" for index in range(1, 10))
END = datetime(2026, 3, 1, tzinfo=UTC)
MEAN_GAP_SECONDS = 300.0  # between one owner's operations

_TAG_NAMES = (
    "landscape client final wip draft print social moodboard reference hero banner avatar "
    "texture concept product poster cover thumbnail sticker logo pattern background character "
    "scene icon card flyer mockup study variant"
)
TAGS = _TAG_NAMES.split()
TAG = "client"  # the second commonest tag: on about 1 asset in 6
COLLECTIONS = tuple(f"collection {index:02d}" for index in range(20))
COLLECTION = "collection 07"  # on about 1 asset in 25

KINDS = {  # how often each kind is made, and what it makes
    OperationKind.TEXT_TO_IMAGE: (60, MediaType.PNG),
    OperationKind.IMAGE_EDIT: (10, MediaType.PNG),
    OperationKind.UPSCALE: (8, MediaType.PNG),
    OperationKind.CONTROL: (5, MediaType.PNG),
    OperationKind.IMAGE_TO_VIDEO: (5, MediaType.MP4),
    OperationKind.IMAGE_TO_3D: (2, MediaType.GLB),
    OperationKind.FACE_SWAP: (2, MediaType.JPEG),
    OperationKind.COMPRESS: (3, MediaType.WEBP),
    OperationKind.CONVERT: (3, MediaType.AVIF),
    OperationKind.SOCIAL: (2, MediaType.JPEG),
}
VIDEO = OperationKind.IMAGE_TO_VIDEO  # favourite + video: about 1 asset in 80
MODELS = ("wavespeed/flux-dev", "wavespeed/flux-schnell", "stability/sd3", "stability/ultra")


@dataclass
class Generator:
    """Assets as a studio makes them: operations of 1–4 outputs, prompts, labels, lineage."""

    rng: random.Random
    words: tuple[str, ...]
    _weights: list[float] = field(init=False)
    _kinds: list[OperationKind] = field(init=False)
    _kind_weights: list[int] = field(init=False)
    _tag_weights: list[float] = field(init=False)
    _made: dict[str, list[str]] = field(default_factory=dict)  # ids per owner, for lineage

    def __post_init__(self) -> None:
        self._weights = list(
            itertools.accumulate(1 / rank for rank in range(1, len(self.words) + 1))
        )
        self._kinds = list(KINDS)
        self._kind_weights = [weight for weight, _ in KINDS.values()]
        self._tag_weights = [1 / rank for rank in range(1, len(TAGS) + 1)]

    def prompt(self) -> str:
        drawn = self.rng.choices(self.words, cum_weights=self._weights, k=self.rng.randint(8, 20))
        for index in range(5, len(drawn), 6):
            drawn[index] += ","
        return " ".join(drawn).capitalize()

    def operation(self, owner: str, at: datetime) -> list[Asset]:
        rng = self.rng
        kind = rng.choices(self._kinds, weights=self._kind_weights)[0]
        media_type = KINDS[kind][1]
        prompt = self.prompt() if kind is not OperationKind.COMPRESS else ""
        earlier = self._made.setdefault(owner, [])
        parents = {OperationKind.TEXT_TO_IMAGE: 0, OperationKind.FACE_SWAP: 2}.get(kind, 1)
        derived_from = tuple(rng.choice(earlier) for _ in range(parents)) if earlier else ()
        operation_id = f"op_{rng.getrandbits(64):016x}"
        outputs = rng.choices((1, 2, 4), weights=(60, 20, 20))[0]
        made = []
        for _ in range(outputs):
            video = media_type is MediaType.MP4
            asset = Asset(
                id=f"ast_{rng.getrandbits(64):016x}",
                owner=owner,
                operation_id=operation_id,
                model_id=rng.choice(MODELS),
                kind=kind,
                media_type=media_type,
                size_bytes=rng.randint(2_000_000, 40_000_000) if video else rng.randint(1, 6) << 19,
                created_at=at,
                width=None if media_type is MediaType.GLB else 1024,
                height=None if media_type is MediaType.GLB else rng.choice((768, 1024, 1536)),
                duration_seconds=5.0 if video else None,
                prompt=prompt,
                cost=rng.choice((0, 3_000, 30_000, 55_000)),
                vertex_count=rng.randint(10_000, 200_000) if media_type is MediaType.GLB else None,
                derived_from=derived_from,
                tags=frozenset(
                    rng.choices(TAGS, weights=self._tag_weights, k=rng.choice((0, 1, 1, 2, 3)))
                ),
                favourite=rng.random() < 0.25,
                collections=frozenset(rng.sample(COLLECTIONS, rng.choice((0, 0, 1, 1, 1, 2)))),
            )
            made.append(asset)
            earlier.append(asset.id)
        return made


@dataclass(frozen=True)
class Dataset:
    size: int
    assets: tuple[Asset, ...]  # every owner's, oldest first: the order they are added
    mine: tuple[Asset, ...]  # OWNER's, newest first
    late: tuple[Asset, ...]  # OWNER's next assets, for timing add() into the full library


def dataset(size: int, words: tuple[str, ...]) -> Dataset:
    generator = Generator(random.Random(size), words)
    rng = generator.rng
    mine: list[Asset] = []
    at = END - timedelta(seconds=MEAN_GAP_SECONDS * size / 2)  # about 2 assets an operation
    while len(mine) < size:
        at += timedelta(seconds=rng.expovariate(1 / MEAN_GAP_SECONDS))
        mine.extend(generator.operation(OWNER, at)[: size - len(mine)])
    start, stop = mine[0].created_at, mine[-1].created_at
    operations: list[list[Asset]] = []  # the others', spread over the same span below
    made = 0
    while made < size:
        operations.append(generator.operation(rng.choice(OTHERS), start))
        made += len(operations[-1])
    moments = sorted(start + (stop - start) * rng.random() for _ in operations)
    theirs = [
        replace(asset, created_at=moment)
        for operation, moment in zip(operations, moments, strict=True)
        for asset in operation
    ][:size]
    late = []
    for _ in range(LATE):
        stop += timedelta(seconds=1)
        late.append(generator.operation(OWNER, stop)[0])
    everything = sorted(mine + theirs, key=lambda asset: (asset.created_at, asset.id))
    newest = newest_first(mine, after=None, limit=len(mine))
    return Dataset(size, tuple(everything), newest, tuple(late))
