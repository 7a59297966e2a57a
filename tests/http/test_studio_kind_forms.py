"""The kind pages' forms come from the catalog: for every kind and every model that serves it, the
rendered form offers exactly the model's modes, clip lengths and resolutions, requires what the
model `requires`, limits the prompt to the model's length, takes the images the kind takes; and
the filled-in form becomes the request `POST /v1/operations` would make (same body, same
builder)."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from html.parser import HTMLParser
from types import SimpleNamespace
from typing import Any, TypeVar

import pytest
from starlette.datastructures import FormData, UploadFile

from imagestudio.adapters.catalog.toml_catalog import load_catalog
from imagestudio.application.input_rules import IMAGE_COUNTS
from imagestudio.application.model_choice import one_output_price
from imagestudio.application.use_cases.list_models import ModelListing
from imagestudio.domain.asset import Asset
from imagestudio.domain.errors import InvalidInput
from imagestudio.domain.media import MediaType
from imagestudio.domain.model import Model
from imagestudio.domain.operation_kind import OperationKind
from imagestudio.entrypoints.http.operation_routes import to_request
from imagestudio.entrypoints.http.pages.form_field import FormField, Target, Widget
from imagestudio.entrypoints.http.pages.kind_forms import KIND_PAGES, KindPage, form_for
from imagestudio.entrypoints.http.pages.kind_requests import ASSET_SUFFIX, kind_body
from imagestudio.entrypoints.http.pages.page_requests import page_request
from imagestudio.entrypoints.http.pages.templating import ENVIRONMENT
from imagestudio.entrypoints.http.problems import Problem
from imagestudio.entrypoints.http.schemas import OperationIn

T = TypeVar("T")
CATALOG = load_catalog()


def settled(work: Coroutine[Any, Any, T]) -> T:
    """The coroutine's result, from a thread of its own: a browser test's session may hold an
    event loop in this thread (Playwright's sync API) when the run reaches these tests."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, work).result()


CASES = [
    pytest.param(page, model, id=f"{page.slug}:{model.id}")
    for page in KIND_PAGES
    for model in CATALOG.for_kind(page.kind)
]


class Controls(HTMLParser):
    """The form controls of a page: each name with its attributes and (selects) options."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: dict[str, dict[str, str | None]] = {}
        self.options: dict[str, list[str]] = {}
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag in ("input", "textarea", "select") and found.get("name"):
            name = str(found["name"])
            self.controls[name] = found
            if tag == "select":
                self._select, self.options[name] = name, []
        elif tag == "option" and self._select is not None:
            self.options[self._select].append(str(found.get("value")))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def rendered(page: KindPage, model: Model) -> Controls:
    listing = ModelListing(model=model, price_of_one=one_output_price(model), available=True)
    html = ENVIRONMENT.get_template("kind.html").render(
        root="/studio",
        csrf="token",
        visit=None,
        path=f"/{page.slug}",
        page=page,
        listings=[listing],
        chosen=listing,
        fields=form_for(page.kind, model),
        library=[],
        preselected="",
        asset_suffix=ASSET_SUFFIX,
        refusal=None,
        kept={},
        quote=None,
        problem=Problem(status=422, slug="invalid-input/invalid", title="t", detail="d"),
    )
    parser = Controls()
    parser.feed(html)
    return parser


def test_every_kind_has_models_to_show() -> None:
    assert {page.kind for page in KIND_PAGES} == set(OperationKind) - {
        OperationKind.TEXT_TO_IMAGE,
        OperationKind.COMPRESS,
        OperationKind.CONVERT,
        OperationKind.SOCIAL,
    }
    assert len(CASES) == sum(len(CATALOG.for_kind(page.kind)) for page in KIND_PAGES) > 30


@pytest.mark.parametrize(("page", "model"), CASES)
def test_the_rendered_form_is_the_catalog_entry(page: KindPage, model: Model) -> None:
    controls = rendered(page, model)
    assert controls.controls["model"]["value"] == model.id
    assert controls.controls["csrf_token"]["value"] == "token"
    least, _ = IMAGE_COUNTS[page.kind]
    roles = ["face", "target"] if page.kind is OperationKind.FACE_SWAP else ["image"]
    assert len(roles) == least
    for role in roles:  # each required image: uploaded or from the library
        assert controls.controls[role]["type"] == "file"
        assert role + ASSET_SUFFIX in controls.options
    if model.modes:
        assert controls.options["mode"] == list(model.modes)
    else:
        assert "mode" not in controls.controls
    for name in model.requires - {"prompt"}:
        assert "required" in controls.controls[name]
    if "prompt" in model.requires:
        assert "required" in controls.controls["prompt"]
    if "prompt" in controls.controls:
        assert controls.controls["prompt"]["maxlength"] == str(model.limits.max_prompt_chars)
    if page.kind is OperationKind.IMAGE_TO_VIDEO:
        assert controls.options["duration"] == [str(s) for s in model.limits.durations or (5,)]
        assert controls.options["resolution"] == list(model.limits.resolutions)
    elif page.kind is OperationKind.UPSCALE and model.limits.resolutions:
        assert controls.options["resolution"] == list(model.limits.resolutions)
    else:
        assert "resolution" not in controls.controls and "duration" not in controls.controls
    masked = {"erase", "inpaint"} & set(model.modes)
    assert ("mask" in controls.controls) == (page.kind is OperationKind.IMAGE_EDIT and bool(masked))
    if "outpaint" in model.modes:
        for side in ("left", "right", "up", "down"):
            assert controls.controls[side]["max"] == str(model.limits.max_side)
    fields = {field.name for field in form_for(page.kind, model)}
    shown = {name.removesuffix(ASSET_SUFFIX) for name in controls.controls}
    assert fields <= shown
    assert shown - fields <= {"model", "csrf_token", "run_id", "asset", "quote_was"}


def filled(field: FormField) -> str:
    if field.widget is Widget.SELECT:
        return field.choices[-1]
    if field.widget is Widget.NUMBER:
        return "7" if field.name == "seed" else str(max(field.low or 0, 1))
    return f"a {field.name}"


@pytest.mark.parametrize(("page", "model"), CASES)
def test_the_filled_form_is_the_apis_request(page: KindPage, model: Model) -> None:
    fields = form_for(page.kind, model)
    mode = model.modes[-1] if model.modes else None
    items: list[tuple[str, str]] = [("model", model.id), ("csrf_token", "token")]
    for field in fields:
        if field.widget is Widget.IMAGE:
            items.append((field.name + ASSET_SUFFIX, f"ast_{field.name}"))
        elif field.widget is not Widget.MASK:
            items.append((field.name, filled(field)))
    body = settled(kind_body(FormData(items), page.kind, model))
    assert not isinstance(body, InvalidInput)
    made = page_request(body, "alice", "op_1")
    assert not isinstance(made, InvalidInput)
    assert made == to_request(OperationIn.model_validate(body), "alice", operation_id="op_1")
    assert made.kind is page.kind and made.model_id == model.id
    assert made.operation_id == "op_1" and made.user_id == "alice"
    used = [f for f in fields if f.applies(mode)]
    images = [f.name for f in used if f.widget is Widget.IMAGE]
    assert [(i.role, i.asset_id) for i in made.images] == [(n, f"ast_{n}") for n in images]
    for field in used:
        if field.target is Target.PARAMETER:
            expected = filled(field)
            value = made.parameters[field.name]
            assert str(value) == expected
            assert isinstance(value, int) == expected.isdigit()
        elif field.target is Target.PROMPT:
            assert made.prompt == "a prompt"
        elif field.target is Target.SEED:
            assert made.seed == 7
    skipped = {f.name for f in fields if not f.applies(mode)}
    assert not skipped & set(made.parameters)


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("seed", "-1", "seed"),
        ("seed", "4294967295", "seed"),
        ("mode", "teleport", "mode"),
        ("left", "9000", "left"),
    ],
)
def test_a_bad_field_is_named(field: str, value: str, problem: str) -> None:
    model = next(m for m in CATALOG.for_kind(OperationKind.IMAGE_EDIT) if "outpaint" in m.modes)
    items = [("image_asset", "ast_1"), ("mode", "outpaint"), (field, value)]
    body = settled(kind_body(FormData(items), OperationKind.IMAGE_EDIT, model))
    assert isinstance(body, InvalidInput)
    assert body.field == problem


def test_an_image_is_needed_to_run_but_not_to_quote() -> None:
    model = CATALOG.for_kind(OperationKind.UPSCALE)[0]
    missing = settled(kind_body(FormData([]), OperationKind.UPSCALE, model))
    assert isinstance(missing, InvalidInput) and missing.field == "image"
    quoted = settled(kind_body(FormData([]), OperationKind.UPSCALE, model, quoting=True))
    assert not isinstance(quoted, InvalidInput) and quoted["images"] == []


def test_an_uploaded_image_and_mask_are_sent_as_the_api_sends_them() -> None:
    model = next(m for m in CATALOG.for_kind(OperationKind.IMAGE_EDIT) if "inpaint" in m.modes)
    picture, mask = b"\x89PNG picture", b"\x89PNG mask"
    form = FormData(
        [
            ("image", UploadFile(io.BytesIO(picture), filename="in.png")),
            ("image_asset", "ast_ignored_when_a_file_is_given"),
            ("mask", UploadFile(io.BytesIO(mask), filename="mask.png")),
            ("mode", "inpaint"),
            ("prompt", "a boat"),
        ]
    )
    body = settled(kind_body(form, OperationKind.IMAGE_EDIT, model))
    assert not isinstance(body, InvalidInput)
    made = page_request(body, "alice")
    assert not isinstance(made, InvalidInput)
    assert [(i.role, i.data, i.asset_id) for i in made.images] == [
        ("image", picture, None),
        ("mask", mask, None),
    ]
    erased = FormData([("image_asset", "ast_1"), ("mode", "outpaint"), ("mask", "not a file")])
    outpaint = settled(kind_body(erased, OperationKind.IMAGE_EDIT, model))
    assert not isinstance(outpaint, InvalidInput)
    assert [image["role"] for image in outpaint["images"]] == ["image"]  # no mask for outpaint


def test_a_kind_with_no_configured_model_says_what_would_enable_one() -> None:
    page = KIND_PAGES[0]
    listed = [
        ModelListing(
            model=model,
            price_of_one=one_output_price(model),
            available=False,
            unavailable_reason=f"set the {model.provider} key",
        )
        for model in CATALOG.for_kind(page.kind)
    ]
    html = ENVIRONMENT.get_template("kind_unavailable.html").render(
        root="", csrf="", visit=None, path=f"/{page.slug}", page=page, listed=listed
    )
    for item in listed:
        assert f"{item.model.id}: set the {item.model.provider} key" in html
    assert 'name="model"' not in html  # no form to run what cannot run


def output_html(**fields: Any) -> str:
    asset = Asset(
        id="ast_out",
        owner="alice",
        operation_id="op_1",
        model_id="offline/x",
        created_at=datetime(2026, 12, 1, tzinfo=UTC),
        **{
            "kind": OperationKind.IMAGE_EDIT,
            "media_type": MediaType.PNG,
            "size_bytes": 1,
            **fields,
        },
    )
    template = ENVIRONMENT.from_string(
        '{% for asset in [asset] %}{% include "_output.html" %}{% endfor %}'
    )
    return template.render(root="/s", asset=asset, op=SimpleNamespace(prompt="p"))


def test_each_output_is_shown_as_what_it_is() -> None:
    edited = output_html(derived_from=("ast_in",))
    assert 'src="/s/files/ast_in" alt="Before' in edited and 'data-source="ast_in"' in edited
    assert "Before" not in output_html()  # nothing to compare with: the image alone
    glb = output_html(kind=OperationKind.IMAGE_TO_3D, media_type=MediaType.GLB, size_bytes=12_345)
    assert 'download="ast_out.glb"' in glb and 'GLB, <span data-size="12345">12,345 bytes' in glb
    video = output_html(kind=OperationKind.IMAGE_TO_VIDEO, media_type=MediaType.MP4)
    assert "<video controls" in video and 'src="/s/files/ast_out"' in video
    swapped = output_html(kind=OperationKind.FACE_SWAP, derived_from=("ast_face", "ast_base"))
    assert 'src="/s/files/ast_base" alt="Before' in swapped
    one_parent = output_html(kind=OperationKind.FACE_SWAP, derived_from=("ast_face",))
    assert "Before" not in one_parent  # the base was uploaded: no asset to show
