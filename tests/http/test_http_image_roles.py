"""Every kind that takes images, with every assignment of roles to one or two images: each is
either run, or refused with a typed 422 naming the image before anything is reserved (no
operation, no ledger line, no usage). No role combination reaches the provider to be refused
there after the operation was accepted, as a lone `mask` or two `face`s used to."""

from __future__ import annotations

import base64
import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from http_support import Api, footprint, png, serving

from imagestudio.application.input_rules import IMAGE_COUNTS
from imagestudio.domain.operation_kind import OperationKind
from imagestudio.entrypoints.http.operation_bodies import IMAGE_ROLES

KINDS = [kind for kind, (least, _) in IMAGE_COUNTS.items() if least > 0]


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    folder: Path = tmp_path_factory.mktemp("roles")
    with serving(folder, users={"alice": "enterprise"}) as served:
        yield served


def role_tuples(kind: OperationKind) -> list[tuple[str, ...]]:
    least, most = IMAGE_COUNTS[kind]
    counts = range(least, min(most, 2) + 1)
    return [roles for n in counts for roles in itertools.product(IMAGE_ROLES, repeat=n)]


@pytest.mark.parametrize("kind", KINDS, ids=str)
def test_every_role_combination_runs_or_is_refused_for_free(api: Api, kind: OperationKind) -> None:
    picture = base64.b64encode(png(512, 512)).decode()
    refused = []
    with api.client("alice") as alice:
        for roles in role_tuples(kind):
            before = footprint(api, "alice")
            images = [{"base64": picture, "role": role} for role in roles]
            body = {"kind": kind.value, "prompt": "a fox", "images": images}
            if kind is OperationKind.CONTROL:
                body["parameters"] = {"mode": "style-transfer" if "style" in roles else "sketch"}
            answer = alice.post("/v1/operations", json=body)
            if answer.status_code == 200:
                assert answer.json()["status"] == "succeeded", (roles, answer.text)
                continue
            problem = answer.json()
            assert answer.status_code == 422, (roles, answer.text)
            assert problem["type"].startswith("/problems/invalid-input"), (roles, problem)
            assert footprint(api, "alice") == before, roles
            refused.append(roles)
    assert ("image",) not in refused
    assert len(refused) < len(role_tuples(kind))


@pytest.mark.parametrize("mode", ["sketch", "structure", "style", "style-transfer"])
def test_each_control_mode_is_run_or_refused_for_free_without_a_style_image(
    api: Api, mode: str
) -> None:
    """Style transfer without its style image used to fail at the provider, after acceptance."""
    picture = base64.b64encode(png(512, 512)).decode()
    before = footprint(api, "alice")
    body = {
        "kind": "control",
        "prompt": "a fox",
        "parameters": {"mode": mode},
        "images": [{"base64": picture}],
    }
    with api.client("alice") as alice:
        answer = alice.post("/v1/operations", json=body)

    if mode != "style-transfer":
        assert answer.status_code == 200, answer.text
        return
    assert answer.status_code == 422, answer.text
    assert answer.json()["type"].startswith("/problems/invalid-input"), answer.text
    assert "style" in answer.json()["detail"]
    assert footprint(api, "alice") == before
