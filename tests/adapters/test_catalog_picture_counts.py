"""Every model in the catalog refuses more pictures (a mask aside) than its adapter sends, and
images of a role it does not send: the Stability form has one field per role, WaveSpeed's 3D
models one URL field per view, its editors as many `images` as the contract and the sandbox take
(and a `mask_image`). More, or a role the form has no field for (a mask to outpaint), used to be
accepted, charged, and dropped on the way (the HTTP side: tests/http/test_http_input_counts.py)."""

from __future__ import annotations

import pytest

from imagestudio.adapters.catalog import load_catalog
from imagestudio.adapters.sandbox.wavespeed_models import rules_for
from imagestudio.adapters.stability.endpoints import endpoint_for
from imagestudio.adapters.wavespeed.model_fields import split_path, takes_image_list, upload_fields
from imagestudio.application.image_roles import KIND_ROLES
from imagestudio.application.input_rules import IMAGE_COUNTS
from imagestudio.domain.model import Model
from imagestudio.domain.operation_kind import OperationKind

MODELS = [model for model in load_catalog().all() if model.provider != "offline"]


def pictures_sent(model: Model) -> int:
    """How many pictures, a mask aside, the adapter puts in the provider's request."""
    (kind,) = model.kinds
    if model.provider == "stability":
        target = endpoint_for(model.provider_path)
        assert target is not None, model.provider_path
        return sum(1 for role in target.endpoint.images if role != "mask")
    route = split_path(model.provider_path)[0]
    if kind is OperationKind.IMAGE_TO_3D:
        return len(upload_fields(kind, route))
    if kind is OperationKind.IMAGE_EDIT:
        rules = rules_for(route)
        assert rules is not None, route
        return rules.shape.max_input_images if takes_image_list(route) else 1
    return IMAGE_COUNTS[kind][1]  # face swap: target and face; the others: one or none


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.id)
def test_a_model_takes_no_more_pictures_than_its_adapter_sends(model: Model) -> None:
    (kind,) = model.kinds
    kind_most = IMAGE_COUNTS[kind][1]
    model_most = model.limits.max_input_images
    taken = kind_most if model_most is None else min(kind_most, model_most)

    assert taken == min(kind_most, pictures_sent(model))


def roles_sent(model: Model) -> frozenset[str]:
    """The input roles the adapter puts in the provider's request."""
    (kind,) = model.kinds
    if model.provider == "stability":
        target = endpoint_for(model.provider_path)
        assert target is not None, model.provider_path
        return KIND_ROLES[kind] & frozenset(target.endpoint.images)
    return KIND_ROLES[kind]  # WaveSpeed: every picture, and a mask as `mask_image`


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.id)
def test_a_model_takes_only_the_roles_its_adapter_sends(model: Model) -> None:
    (kind,) = model.kinds
    taken = frozenset(model.limits.input_roles) or KIND_ROLES[kind]

    assert taken == roles_sent(model)
