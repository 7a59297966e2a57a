"""Which roles an operation's input images may have, by kind: checked with the request, before
anything is reserved. A role the kind has no use for (a lone `mask` for an upscale), or a second
image of a role the provider takes one of (two `face`s), used to reach the provider, which
refused it after the operation was accepted: a failed operation and a ledger line for a request
that was wrong from the start."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from imagestudio.domain.errors import InvalidInput
from imagestudio.domain.errors.echo import echoed
from imagestudio.domain.operation_kind import OperationKind as K

KIND_ROLES: Mapping[K, frozenset[str]] = {
    K.TEXT_TO_IMAGE: frozenset(),
    K.IMAGE_EDIT: frozenset({"image", "mask", "style"}),
    K.UPSCALE: frozenset({"image"}),
    K.CONTROL: frozenset({"image", "style"}),
    K.IMAGE_TO_3D: frozenset({"image"}),
    # Plain images are taken in order (the face, then the target) where roles are not given.
    K.FACE_SWAP: frozenset({"image", "face", "target"}),
    K.IMAGE_TO_VIDEO: frozenset({"image"}),
}
"""The roles each kind's models read; `image` is the picture worked on."""
ONE_EACH = frozenset({"mask", "style", "face", "target"})
"""Roles a provider takes one image of."""
MODE_NEEDS: Mapping[tuple[K, str], str] = {(K.CONTROL, "style-transfer"): "style"}
"""The role a mode cannot work without."""


def check_image_roles(kind: K, roles: Sequence[str], mode: str | None) -> InvalidInput | None:
    """The first input image whose role `kind` cannot use, or the role `mode` needs and was
    not given; None when the images fit."""
    taken = KIND_ROLES[kind]
    for index, role in enumerate(roles):
        field = f"images[{index}]"
        if role not in taken:
            named = ", ".join(sorted(taken))
            return InvalidInput(field, f"{kind} takes no {echoed(role)} image (its roles: {named})")
        if role in ONE_EACH and role in roles[:index]:
            return InvalidInput(field, f"a second {echoed(role)} image; {kind} takes one")
    if kind is K.FACE_SWAP and "image" in roles and len(set(roles)) > 1:
        # Which plain image would be the face, which the target? Providers guess differently.
        return InvalidInput("images", "give a 'face' and a 'target', or two plain images")
    if kind is not K.FACE_SWAP and roles and "image" not in roles:
        return InvalidInput("images", f"{kind} needs the image to work on (role 'image')")
    needed = MODE_NEEDS.get((kind, mode or ""))
    if needed is not None and needed not in roles:
        return InvalidInput("images", f"{mode} needs a {echoed(needed)} image")
    return None
