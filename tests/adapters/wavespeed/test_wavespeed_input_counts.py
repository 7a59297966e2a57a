"""Every WaveSpeed editor in the catalog says how many pictures it reads, as the contract
(§1.9: qwen `edit` one `image`, `edit-plus` at most 3 `images`…) and the sandbox state it: more
used to be accepted and then dropped silently (one-image models) or turned down by WaveSpeed's
400 after the operation had started (the HTTP side: tests/http/test_http_input_counts.py)."""

from __future__ import annotations

import pytest

from imagestudio.adapters.catalog import load_catalog
from imagestudio.adapters.sandbox.wavespeed_models import rules_for
from imagestudio.adapters.wavespeed.model_fields import split_path
from imagestudio.domain.model import Model
from imagestudio.domain.operation_kind import OperationKind

EDITORS = [
    model
    for model in load_catalog().all()
    if model.provider == "wavespeed" and OperationKind.IMAGE_EDIT in model.kinds
]


@pytest.mark.parametrize("model", EDITORS, ids=lambda model: model.id)
def test_each_editor_reads_as_many_pictures_as_the_sandbox_takes(model: Model) -> None:
    rules = rules_for(split_path(model.provider_path)[0])
    assert rules is not None, model.provider_path
    assert model.limits.max_input_images == rules.shape.max_input_images
