"""The TOML catalog read into domain Models: one `[[models]]` entry each, anything doubtful refused.

`provider_path` is the provider's route, optionally followed by `?field=value&...`: request fields
fixed for this catalog model (Stability's sd3 `model`, say), which the provider adapter adds to
the request body rather than to the URL.
"""

from __future__ import annotations

import tomllib
from urllib.parse import parse_qsl, urlsplit

from imagestudio.adapters.catalog.catalog_error import CatalogError
from imagestudio.adapters.catalog.entry_fields import EntryFields
from imagestudio.adapters.catalog.limits_parsing import parse_limits
from imagestudio.adapters.catalog.parameter_parsing import parse_parameters
from imagestudio.adapters.catalog.price_parsing import parse_price
from imagestudio.domain.media import MediaType
from imagestudio.domain.model import InputLimits, Model, ModelTier
from imagestudio.domain.money import Micros
from imagestudio.domain.operation_kind import OperationKind
from imagestudio.domain.pricing import PerVideoSecond

OFFLINE = "offline"
PROVIDERS = frozenset({"wavespeed", "stability", OFFLINE})
PRICE_SOURCES = frozenset({"vendor", "estimate"})
_FIELDS = (
    *("id", "provider", "provider_path", "kinds", "output", "price", "price_source"),
    *("description", "default_size", "modes", "limits", "tier", "requires", "parameters"),
)
_OUTPUT_OF_KIND = {
    OperationKind.IMAGE_TO_3D: MediaType.GLB,
    OperationKind.IMAGE_TO_VIDEO: MediaType.MP4,
}
_DEFAULT_SIZE = [1024, 1024]


def parse_models(text: str, *, micros_per_credit: Micros) -> tuple[Model, ...]:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise CatalogError(f"not valid TOML: {error}") from None
    for key in document:
        if key != "models":
            raise CatalogError(f"unknown top-level key {key!r}: each model is a [[models]] entry")
    entries = document.get("models")
    if not isinstance(entries, list) or not entries:
        raise CatalogError("no [[models]] entries")
    return tuple(
        parse_model(entry, position=position, micros_per_credit=micros_per_credit)
        for position, entry in enumerate(entries, start=1)
    )


def parse_model(entry: object, *, position: int, micros_per_credit: Micros) -> Model:
    if not isinstance(entry, dict):
        raise CatalogError(f"[[models]] entry #{position} is not a table")
    fields = EntryFields(entry, _model_id(entry, position))
    fields.refuse_unknown(_FIELDS)
    provider = fields.choice("provider", PROVIDERS)
    kinds = _kinds(fields)
    limits = parse_limits(fields.sub_table("limits"))
    model = Model(
        id=fields.model_id,
        provider=provider,
        provider_path=_provider_path(fields),
        kinds=kinds,
        pricing=parse_price(
            entry.get("price"),
            model_id=fields.model_id,
            micros_per_credit=micros_per_credit,
            allow_zero=provider == OFFLINE,
        ),
        output=_output(fields, kinds),
        limits=limits,
        price_source=fields.choice("price_source", PRICE_SOURCES),
        description=fields.text("description", default=""),
        default_size=_default_size(fields, limits),
        modes=fields.texts("modes"),
        requires=frozenset(fields.texts("requires")),
        parameters=parse_parameters(fields),
        tier=ModelTier(
            fields.choice("tier", [t.value for t in ModelTier])
            if "tier" in entry
            else ModelTier.STANDARD
        ),
    )
    _check_video_rates(fields, model)
    return model


def _model_id(entry: dict[str, object], position: int) -> str:
    model_id = entry.get("id")
    if not isinstance(model_id, str) or not model_id.strip() or model_id != model_id.strip():
        raise CatalogError(
            f"[[models]] entry #{position} needs an id: a non-empty string without spaces",
            field="id",
        )
    return model_id


def _kinds(fields: EntryFields) -> frozenset[OperationKind]:
    names = fields.texts("kinds")
    if not names:
        raise fields.error("kinds", "empty: a model serves at least one kind")
    known = sorted(kind.value for kind in OperationKind)
    for name in names:
        if name not in known:
            raise fields.error("kinds", f"unknown kind {name!r} (one of {', '.join(known)})")
    return frozenset(OperationKind(name) for name in names)


def _provider_path(fields: EntryFields) -> str:
    path = fields.text("provider_path")
    parts = urlsplit(path)
    if path.startswith("/") or any(c.isspace() for c in path) or parts.scheme or parts.fragment:
        raise fields.error("provider_path", f"{path!r} is not a route relative to the API base")
    if parts.query:
        try:
            parse_qsl(parts.query, keep_blank_values=False, strict_parsing=True)
        except ValueError:
            raise fields.error(
                "provider_path", f"fixed fields must read ?field=value&..., not {parts.query!r}"
            ) from None
    return path


def _output(fields: EntryFields, kinds: frozenset[OperationKind]) -> MediaType:
    output = fields.media("output")
    wanted = {_OUTPUT_OF_KIND.get(kind) for kind in kinds}
    fits = wanted == {output} if wanted != {None} else output.is_image
    if not fits:
        raise fields.error("output", f"{output.extension} does not fit kinds {sorted(kinds)}")
    return output


def _default_size(fields: EntryFields, limits: InputLimits) -> tuple[int, int]:
    value = fields.table.get("default_size", _DEFAULT_SIZE)
    size = [side for side in value if type(side) is int] if isinstance(value, list) else []
    if len(size) != 2 or size != value:
        raise fields.error("default_size", f"must be [width, height] in pixels, not {value!r}")
    width, height = size
    sides_fit = all(limits.min_side <= side <= limits.max_side for side in size)
    if not sides_fit or width * height > limits.max_output_pixels:
        raise fields.error("default_size", f"{width}x{height} is outside the model's limits")
    return width, height


def _check_video_rates(fields: EntryFields, model: Model) -> None:
    if not isinstance(model.pricing, PerVideoSecond):
        return
    for resolution in model.limits.resolutions:
        if resolution not in model.pricing.micros_per_second:
            raise fields.error("price.usd_per_second", f"has no rate for {resolution!r}")
