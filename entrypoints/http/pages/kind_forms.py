"""The form of each kind's page, built from the catalog entry of the chosen model: its input
images, modes, required fields (`requires`), prompt length, clip lengths and resolutions. A new
catalog model gets its form from its entry; no template names a model."""

from __future__ import annotations

from dataclasses import dataclass

from imagestudio.application.input_rules import PROMPTED_KINDS, PROMPTLESS_MODES
from imagestudio.domain.model import Model
from imagestudio.domain.operation_kind import OperationKind as K
from imagestudio.domain.seed import MAX_SEED
from imagestudio.entrypoints.http.pages.form_field import FormField, Target, Widget

MAX_SCALE = 8
MAX_FACE_INDEX = 10
MASKED_MODES = ("erase", "inpaint")
"""Edit modes that act where a mask is painted."""
OUTPAINT_SIDES = ("left", "right", "up", "down")
OUTPAINT_DEFAULT = 128
"""What the edit adds on a side left empty (the operation's own default)."""


@dataclass(frozen=True, slots=True)
class KindPage:
    slug: str
    """The page's path: `/<slug>` (the Create page's send-on links name these)."""
    kind: K
    title: str
    summary: str


KIND_PAGES = (
    KindPage("edit", K.IMAGE_EDIT, "Edit", "Inpaint, erase, outpaint and other edit modes."),
    KindPage("upscale", K.UPSCALE, "Upscale", "Enlarge an image by a factor or to a resolution."),
    KindPage(
        "control", K.CONTROL, "Control", "A new picture guided by a sketch, structure or style."
    ),
    KindPage("face-swap", K.FACE_SWAP, "Face swap", "The face of one image onto another."),
    KindPage("to-3d", K.IMAGE_TO_3D, "Image to 3D", "A 3D model (GLB) built from an image."),
    KindPage(
        "to-video", K.IMAGE_TO_VIDEO, "Image to video", "A short clip animated from an image."
    ),
)
PAGE_OF = {page.slug: page for page in KIND_PAGES}


def _image(name: str, label: str, hint: str, modes: tuple[str, ...] = ()) -> FormField:
    """An input image (required unless only some modes use it)."""
    widget = Widget.MASK if name == "mask" else Widget.IMAGE
    return FormField(
        name=name,
        label=label,
        widget=widget,
        target=Target.IMAGE,
        required=not modes,
        hint=hint,
        modes=modes,
    )


def _images(kind: K, model: Model) -> list[FormField]:
    formats = ", ".join(media.extension for media in model.limits.input_formats)
    hint = f"{formats}; at most {model.limits.max_input_bytes // (1024 * 1024)} MiB"
    if kind is K.FACE_SWAP:
        return [
            _image("face", "Face image", hint),
            _image("target", "Base image (its face is replaced)", hint),
        ]
    fields = [_image("image", "Input image", hint)]
    if kind is K.CONTROL and "style-transfer" in model.modes:
        fields.append(
            _image("style", "Style image", f"for style-transfer; {hint}", ("style-transfer",))
        )
    masked = tuple(mode for mode in model.modes if mode in MASKED_MODES)
    if kind is K.IMAGE_EDIT and masked:
        mask_hint = "paint where the edit applies (white); none: the centre"
        fields.append(_image("mask", "Mask", mask_hint, masked))
    return fields


def _prompt(kind: K, model: Model) -> FormField | None:
    prompted = kind in PROMPTED_KINDS or kind in (K.UPSCALE, K.IMAGE_TO_VIDEO)
    if not prompted and "prompt" not in model.requires:
        return None
    every_mode_needs_it = all(mode not in PROMPTLESS_MODES for mode in model.modes)
    required = "prompt" in model.requires or (kind in PROMPTED_KINDS and every_mode_needs_it)
    promptless = [mode for mode in model.modes if mode in PROMPTLESS_MODES]
    hint = f"not needed for {', '.join(promptless)}" if promptless and not required else ""
    return FormField(
        name="prompt",
        label="Prompt",
        widget=Widget.TEXTAREA,
        target=Target.PROMPT,
        required=required,
        max_length=model.limits.max_prompt_chars,
        hint=hint,
    )


def _choice(name: str, label: str, choices: tuple[str, ...]) -> FormField:
    """A parameter chosen from a list, always sent."""
    return FormField(
        name=name,
        label=label,
        widget=Widget.SELECT,
        target=Target.PARAMETER,
        required=True,
        choices=choices,
    )


def _number(
    name: str,
    label: str,
    low: int,
    high: int,
    hint: str,
    *,
    target: Target = Target.PARAMETER,
    modes: tuple[str, ...] = (),
) -> FormField:
    """An optional whole number from `low` to `high`."""
    return FormField(
        name=name,
        label=label,
        widget=Widget.NUMBER,
        target=target,
        low=low,
        high=high,
        hint=hint,
        modes=modes,
    )


def _parameters(kind: K, model: Model) -> list[FormField]:
    limits = model.limits
    fields: list[FormField] = []
    if model.modes:
        fields.append(_choice("mode", "Mode", model.modes))
    for name in sorted(model.requires - {"prompt"}):
        fields.append(
            FormField(
                name=name,
                label=name.replace("_", " ").capitalize(),
                widget=Widget.TEXT,
                target=Target.PARAMETER,
                required=True,
                max_length=limits.max_prompt_chars,
            )
        )
    if "outpaint" in model.modes:
        fields.extend(
            _number(
                side,
                f"Add {side} (px)",
                0,
                limits.max_side,
                f"default {OUTPAINT_DEFAULT}",
                modes=("outpaint",),
            )
            for side in OUTPAINT_SIDES
        )
    if kind is K.UPSCALE:
        scaled = f"at most {limits.max_output_pixels:,} pixels out"
        fields.append(_number("scale", "Scale", 1, MAX_SCALE, scaled))
    if kind is K.IMAGE_TO_VIDEO:
        durations = tuple(str(seconds) for seconds in limits.durations or (5,))
        fields.append(_choice("duration", "Duration (seconds)", durations))
    if limits.resolutions and kind in (K.IMAGE_TO_VIDEO, K.UPSCALE):
        fields.append(_choice("resolution", "Resolution", limits.resolutions))
    if kind is K.FACE_SWAP:
        which = "Which face in the base image"
        fields.append(
            _number("target_index", which, 0, MAX_FACE_INDEX, "0 is the first face found")
        )
    return fields


def form_for(kind: K, model: Model) -> tuple[FormField, ...]:
    """Every field the page shows for running `kind` on `model`, in the order shown."""
    fields = _images(kind, model)
    prompt = _prompt(kind, model)
    if prompt is not None:
        fields.append(prompt)
    fields.extend(_parameters(kind, model))
    if kind not in (K.IMAGE_TO_3D, K.FACE_SWAP):
        fields.append(_number("seed", "Seed", 0, MAX_SEED, "optional", target=Target.SEED))
    return tuple(sorted(fields, key=_place))


def _place(field: FormField) -> int:
    """Inputs first, then the mode (it decides which fields show), the prompt, the mask."""
    if field.widget is Widget.IMAGE:
        return 0
    order = {"mode": 1, "prompt": 2, "mask": 3}
    return order.get(field.name, 4)
