"""The TOML model catalog: the packaged models, their prices, and every refusal of a bad entry."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

from imagestudio.adapters.catalog import CatalogError, TomlModelCatalog, load_catalog
from imagestudio.adapters.sandbox.stability_endpoints import ENDPOINTS as STABILITY_ENDPOINTS
from imagestudio.adapters.sandbox.stability_fields import Text
from imagestudio.application.ports.catalog import ModelCatalog
from imagestudio.domain.media import MediaType
from imagestudio.domain.model import Model
from imagestudio.domain.operation_kind import OperationKind
from imagestudio.domain.pricing import BillableUnits, FlatPerOutput, PerVideoSecond

PROVIDER_KINDS = [kind for kind in OperationKind if not kind.is_local]
"""Local operations (compress, convert, social) run here, through no model of the catalog."""
OFFLINE_IDS = {f"offline/{kind.value}" for kind in PROVIDER_KINDS}

BASE_ENTRY: dict[str, str] = {
    "id": '"test/one"',
    "provider": '"wavespeed"',
    "provider_path": '"test/one"',
    "kinds": '["text-to-image"]',
    "output": '"png"',
    "price": '{ usd = "0.02" }',
    "price_source": '"vendor"',
}


def entry(**fields: str | None) -> str:
    """A [[models]] entry: the valid base entry with `fields` replaced (None leaves one out)."""
    merged = {**BASE_ENTRY, **fields}
    lines = [f"{name} = {value}" for name, value in merged.items() if value is not None]
    return "[[models]]\n" + "\n".join(lines) + "\n"


def load_text(tmp_path: Path, text: str, **options: int) -> TomlModelCatalog:
    path = tmp_path / "models.toml"
    path.write_text(text, encoding="utf-8")
    return load_catalog(path, **options)


def refusal(tmp_path: Path, text: str) -> CatalogError:
    with pytest.raises(CatalogError) as raised:
        load_text(tmp_path, text)
    return raised.value


def model(catalog: TomlModelCatalog, model_id: str) -> Model:
    found = catalog.get(model_id)
    assert found is not None, model_id
    return found


@pytest.fixture(scope="module")
def catalog() -> TomlModelCatalog:
    return load_catalog()


# The packaged catalog


def test_the_packaged_catalog_loads(catalog: TomlModelCatalog) -> None:
    assert {m.provider for m in catalog.all()} == {"offline", "stability", "wavespeed"}
    assert {m.id for m in catalog.all()} >= OFFLINE_IDS


def test_models_are_listed_in_id_order(catalog: TomlModelCatalog) -> None:
    ids = [m.id for m in catalog.all()]
    assert ids == sorted(ids)


def test_get_returns_none_for_an_unknown_id(catalog: TomlModelCatalog) -> None:
    assert catalog.get("stability/no-such-model") is None


def test_the_catalog_serves_the_model_catalog_port(catalog: TomlModelCatalog) -> None:
    port: ModelCatalog = catalog
    assert port.get("offline/upscale") == model(catalog, "offline/upscale")


def test_for_kind_lists_exactly_the_models_serving_that_kind(catalog: TomlModelCatalog) -> None:
    upscalers = catalog.for_kind(OperationKind.UPSCALE)
    assert {m.id for m in upscalers} == {
        m.id for m in catalog.all() if OperationKind.UPSCALE in m.kinds
    }
    assert "stability/upscale-fast" in {m.id for m in upscalers}


@pytest.mark.parametrize("kind", PROVIDER_KINDS)
def test_every_kind_has_an_offline_model(catalog: TomlModelCatalog, kind: OperationKind) -> None:
    assert any(m.provider == "offline" for m in catalog.for_kind(kind))


@pytest.mark.parametrize("kind", PROVIDER_KINDS)
def test_every_kind_has_a_real_model(catalog: TomlModelCatalog, kind: OperationKind) -> None:
    assert any(m.provider in ("stability", "wavespeed") for m in catalog.for_kind(kind))


def test_offline_models_route_to_their_kind(catalog: TomlModelCatalog) -> None:
    for model_id in OFFLINE_IDS:
        offline = model(catalog, model_id)
        assert [kind.value for kind in offline.kinds] == [offline.provider_path]


@pytest.mark.parametrize("kind", [OperationKind.IMAGE_EDIT, OperationKind.CONTROL])
def test_offline_models_offer_every_mode_a_real_model_offers(
    catalog: TomlModelCatalog, kind: OperationKind
) -> None:
    real_modes = {
        mode for m in catalog.for_kind(kind) if m.provider != "offline" for mode in m.modes
    }
    assert real_modes <= set(model(catalog, f"offline/{kind.value}").modes)


def test_each_stability_edit_endpoint_is_one_model_with_its_mode(
    catalog: TomlModelCatalog,
) -> None:
    edits = [m for m in catalog.for_kind(OperationKind.IMAGE_EDIT) if m.provider == "stability"]
    assert len(edits) == 7
    for edit in edits:
        assert edit.provider_path == f"v2beta/stable-image/edit/{edit.modes[0]}"
        assert edit.id == f"stability/edit-{edit.modes[0]}"
        assert len(edit.modes) == 1


def test_each_stability_model_requires_exactly_the_text_fields_its_endpoint_requires(
    catalog: TomlModelCatalog,
) -> None:
    """The sandbox speaks Stability's documented contract: a field it requires that the catalog
    did not name would be refused at the provider, after reserving."""
    endpoints = {endpoint.path: endpoint for endpoint in STABILITY_ENDPOINTS}
    models = [model for model in catalog.all() if model.provider == "stability"]
    assert models
    for model in models:
        path = urlsplit(model.provider_path).path.removeprefix("v2beta/")
        required = {
            field.name
            for field in endpoints[path].fields
            if isinstance(field, Text) and field.required
        }
        assert model.requires == required, model.id


def test_a_model_may_name_the_fields_it_requires(tmp_path: Path) -> None:
    loaded = load_text(tmp_path, entry(requires='["prompt", "search_prompt"]'))

    assert model(loaded, "test/one").requires == {"prompt", "search_prompt"}
    assert model(load_text(tmp_path, entry()), "test/one").requires == frozenset()


def test_required_fields_must_be_a_list_of_names(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="requires"):
        load_text(tmp_path, entry(requires='"prompt"'))


def test_sd3_variants_share_the_endpoint_and_fix_the_model_field(
    catalog: TomlModelCatalog,
) -> None:
    for variant in ("sd3.5-large", "sd3.5-large-turbo", "sd3.5-medium"):
        route = urlsplit(model(catalog, f"stability/{variant}").provider_path)
        assert route.path == "v2beta/stable-image/generate/sd3"
        assert dict(parse_qsl(route.query)) == {"model": variant}


def test_offline_text_to_image_makes_up_to_ten_outputs_in_one_call(
    catalog: TomlModelCatalog,
) -> None:
    limits = model(catalog, "offline/text-to-image").limits
    assert (limits.outputs_per_call, limits.max_outputs) == (10, 10)
    assert (limits.min_side, limits.max_side) == (64, 2048)


def test_offline_video_offers_two_durations_at_three_resolutions(
    catalog: TomlModelCatalog,
) -> None:
    video = model(catalog, "offline/image-to-video")
    assert video.output is MediaType.MP4
    assert video.limits.durations == (5, 10)
    assert video.limits.resolutions == ("480p", "720p", "1080p")


def test_offline_3d_gives_a_glb(catalog: TomlModelCatalog) -> None:
    assert model(catalog, "offline/image-to-3d").output is MediaType.GLB


# Prices


def test_stability_ultra_costs_8_credits(catalog: TomlModelCatalog) -> None:
    ultra = model(catalog, "stability/generate-ultra")
    assert ultra.pricing.price(BillableUnits(outputs=1)) == 80_000


def test_sd3_5_large_costs_6_5_credits(catalog: TomlModelCatalog) -> None:
    large = model(catalog, "stability/sd3.5-large")
    assert large.pricing.price(BillableUnits(outputs=1)) == 65_000


def test_wan_2_5_ten_seconds_at_1080p_costs_a_dollar_fifty(catalog: TomlModelCatalog) -> None:
    wan = model(catalog, "wavespeed/wan-2.5-image-to-video")
    assert isinstance(wan.pricing, PerVideoSecond)
    units = BillableUnits(outputs=1, seconds=10, resolution="1080p")
    assert wan.pricing.price(units) == 1_500_000


def test_wavespeed_image_prices_are_per_output(catalog: TomlModelCatalog) -> None:
    seedream = model(catalog, "wavespeed/seedream-v4")
    assert seedream.pricing.price(BillableUnits(outputs=3)) == 81_000


@pytest.mark.parametrize(
    "model_id",
    [
        "wavespeed/qwen-image",
        "wavespeed/ideogram-v3-turbo",
        "wavespeed/flux-dev",
        "wavespeed/seedream-v4-edit",
        "wavespeed/wan-2.5-image-to-video",
        "stability/edit-inpaint",
        "stability/control-structure",
    ],
)
def test_unverified_prices_are_marked_as_estimates(
    catalog: TomlModelCatalog, model_id: str
) -> None:
    assert model(catalog, model_id).price_source == "estimate"


@pytest.mark.parametrize(
    "model_id",
    ["stability/generate-ultra", "stability/edit-remove-background", "wavespeed/seedream-v4"],
)
def test_documented_prices_are_marked_as_the_vendors(
    catalog: TomlModelCatalog, model_id: str
) -> None:
    assert model(catalog, model_id).price_source == "vendor"


def test_no_model_has_a_zero_price_except_offline_ones(catalog: TomlModelCatalog) -> None:
    for priced in catalog.all():
        width, height = priced.default_size
        resolutions = priced.limits.resolutions or (None,)
        for resolution in resolutions:
            units = BillableUnits(
                outputs=1, pixels=width * height, seconds=5, resolution=resolution
            )
            free = priced.pricing.price(units) == 0
            assert free == (priced.provider == "offline"), priced.id


def test_offline_models_are_free_by_default(catalog: TomlModelCatalog) -> None:
    for model_id in OFFLINE_IDS:
        assert model(catalog, model_id).pricing == FlatPerOutput(0)


def test_offline_price_sets_the_price_of_every_offline_model() -> None:
    priced = load_catalog(offline_price=5_000)
    for model_id in OFFLINE_IDS:
        assert model(priced, model_id).pricing == FlatPerOutput(5_000)


def test_offline_price_leaves_real_models_alone(catalog: TomlModelCatalog) -> None:
    priced = load_catalog(offline_price=5_000)
    real = [m for m in catalog.all() if m.provider != "offline"]
    assert [model(priced, m.id) for m in real] == real


def test_micros_per_credit_sets_the_value_of_a_credit() -> None:
    ultra = model(load_catalog(micros_per_credit=12_000), "stability/generate-ultra")
    assert ultra.pricing.price(BillableUnits(outputs=1)) == 96_000


# Loading other catalogs


def test_a_catalog_file_given_as_a_string_path_loads(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(entry(), encoding="utf-8")
    assert [m.id for m in load_catalog(str(path)).all()] == ["test/one"]


def test_each_price_form_reads_into_its_rule(tmp_path: Path) -> None:
    text = (
        entry(id='"a"', price='{ usd = "0.0275" }')
        + entry(id='"b"', price='{ credits = "6.5" }')
        + entry(id='"c"', price='{ usd_per_megapixel = "0.01" }')
        + entry(
            id='"d"',
            kinds='["image-to-video"]',
            output='"video/mp4"',
            price='{ usd_per_second = { "480p" = "0.05" } }',
        )
    )
    loaded = load_text(tmp_path, text)
    one = BillableUnits(outputs=1, pixels=2_000_000, seconds=10, resolution="480p")
    prices = [model(loaded, model_id).pricing.price(one) for model_id in "abcd"]
    assert prices == [27_500, 65_000, 20_000, 500_000]


# Refusals: each names the model and the field


def test_a_missing_price_is_an_error_never_zero(tmp_path: Path) -> None:
    error = refusal(tmp_path, entry(price=None))
    assert (error.model_id, error.field) == ("test/one", "price")
    assert "test/one" in str(error)
    assert "price" in str(error)


def test_a_float_price_is_an_error(tmp_path: Path) -> None:
    error = refusal(tmp_path, entry(price="{ usd = 0.02 }"))
    assert (error.model_id, error.field) == ("test/one", "price.usd")
    assert "never a float" in str(error)


def test_a_float_credit_price_is_an_error(tmp_path: Path) -> None:
    error = refusal(tmp_path, entry(price="{ credits = 6.5 }"))
    assert (error.model_id, error.field) == ("test/one", "price.credits")


def test_a_price_finer_than_a_micro_dollar_is_an_error(tmp_path: Path) -> None:
    error = refusal(tmp_path, entry(price='{ usd = "0.0000001" }'))
    assert (error.model_id, error.field) == ("test/one", "price.usd")


def test_a_zero_price_for_a_real_model_is_an_error(tmp_path: Path) -> None:
    error = refusal(tmp_path, entry(price='{ usd = "0" }'))
    assert (error.model_id, error.field) == ("test/one", "price.usd")


def test_a_price_in_two_forms_at_once_is_an_error(tmp_path: Path) -> None:
    error = refusal(tmp_path, entry(price='{ usd = "0.02", credits = "2" }'))
    assert (error.model_id, error.field) == ("test/one", "price")


def test_a_video_price_must_cover_every_resolution_offered(tmp_path: Path) -> None:
    text = entry(
        kinds='["image-to-video"]',
        output='"mp4"',
        price='{ usd_per_second = { "480p" = "0.05" } }',
        limits='{ resolutions = ["480p", "720p"] }',
    )
    error = refusal(tmp_path, text)
    assert (error.model_id, error.field) == ("test/one", "price.usd_per_second")


def test_an_unknown_kind_is_an_error(tmp_path: Path) -> None:
    error = refusal(tmp_path, entry(kinds='["text-to-poem"]'))
    assert (error.model_id, error.field) == ("test/one", "kinds")


def test_empty_kinds_are_an_error(tmp_path: Path) -> None:
    error = refusal(tmp_path, entry(kinds="[]"))
    assert (error.model_id, error.field) == ("test/one", "kinds")


def test_an_unknown_media_is_an_error(tmp_path: Path) -> None:
    error = refusal(tmp_path, entry(output='"gif"'))
    assert (error.model_id, error.field) == ("test/one", "output")


def test_an_output_that_does_not_fit_the_kind_is_an_error(tmp_path: Path) -> None:
    error = refusal(tmp_path, entry(output='"glb"'))
    assert (error.model_id, error.field) == ("test/one", "output")


def test_a_duplicate_id_is_an_error(tmp_path: Path) -> None:
    error = refusal(tmp_path, entry() + entry(price='{ usd = "0.03" }'))
    assert error.model_id == "test/one"
    assert "duplicate" in str(error)


def test_an_entry_without_an_id_is_an_error(tmp_path: Path) -> None:
    error = refusal(tmp_path, entry(id=None))
    assert error.field == "id"


def test_an_unknown_provider_is_an_error(tmp_path: Path) -> None:
    error = refusal(tmp_path, entry(provider='"openai"'))
    assert (error.model_id, error.field) == ("test/one", "provider")


def test_an_unknown_price_source_is_an_error(tmp_path: Path) -> None:
    error = refusal(tmp_path, entry(price_source='"rumour"'))
    assert (error.model_id, error.field) == ("test/one", "price_source")


def test_an_unknown_field_is_an_error(tmp_path: Path) -> None:
    error = refusal(tmp_path, entry(prise='{ usd = "0.02" }'))
    assert (error.model_id, error.field) == ("test/one", "prise")


@pytest.mark.parametrize(
    ("limits", "field"),
    [
        ("{ min_side = 512, max_side = 256 }", "limits.min_side"),
        ("{ max_side = 2048.0 }", "limits.max_side"),
        ("{ max_outputs = 0 }", "limits.max_outputs"),
        ("{ min_input_pixels = 10, max_input_pixels = 5 }", "limits.min_input_pixels"),
        ('{ aspect_ratios = ["wide"] }', "limits.aspect_ratios"),
        ('{ input_formats = ["bmp"] }', "limits.input_formats"),
        ("{ durations = [5, -1] }", "limits.durations"),
        ("{ max_sides = 2048 }", "limits.max_sides"),
        ('{ max_input_aspect = "1:2.5" }', "limits.max_input_aspect"),
        ('{ max_input_aspect = "long" }', "limits.max_input_aspect"),
        ("{ max_input_aspect = 2.5 }", "limits.max_input_aspect"),
        ("{ max_input_side = 0 }", "limits.max_input_side"),
        ("{ max_input_images = 0 }", "limits.max_input_images"),
        ('{ input_roles = ["image", ""] }', "limits.input_roles"),
        ('{ max_input_side = "1536" }', "limits.max_input_side"),
    ],
)
def test_bad_limits_are_an_error(tmp_path: Path, limits: str, field: str) -> None:
    error = refusal(tmp_path, entry(limits=limits))
    assert (error.model_id, error.field) == ("test/one", field)


def test_an_input_aspect_limit_is_read_as_long_side_over_short(tmp_path: Path) -> None:
    read = load_text(tmp_path, entry(limits='{ max_input_aspect = "5:2" }'))
    assert model(read, "test/one").limits.max_input_aspect == 2.5
    assert model(load_text(tmp_path, entry()), "test/one").limits.max_input_aspect is None


def test_a_default_size_outside_the_limits_is_an_error(tmp_path: Path) -> None:
    error = refusal(tmp_path, entry(default_size="[4096, 4096]", limits="{ max_side = 2048 }"))
    assert (error.model_id, error.field) == ("test/one", "default_size")


def test_a_malformed_provider_path_is_an_error(tmp_path: Path) -> None:
    error = refusal(tmp_path, entry(provider_path='"test/one?model"'))
    assert (error.model_id, error.field) == ("test/one", "provider_path")


def test_invalid_toml_is_an_error_naming_the_file(tmp_path: Path) -> None:
    error = refusal(tmp_path, "[[models]\nid = ")
    assert "not valid TOML" in str(error)
    assert str(tmp_path / "models.toml") in str(error)


def test_an_empty_catalog_is_an_error(tmp_path: Path) -> None:
    assert "no [[models]]" in str(refusal(tmp_path, ""))


def test_an_error_in_an_entry_names_the_catalog_file(tmp_path: Path) -> None:
    error = refusal(tmp_path, entry(price=None))
    assert error.source == str(tmp_path / "models.toml")
