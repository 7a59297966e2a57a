"""Every operation of the OpenAPI document has a short, unique `operationId` (the route's function
name: `run_operation`), the name a client generated from the document gives its method; FastAPI's
default (`run_operation_v1_operations_post`) repeats the path and the method."""

from __future__ import annotations

import warnings
from pathlib import Path

from imagestudio.entrypoints.http.app import create_app
from imagestudio.entrypoints.settings import Profile, Settings


def test_operation_ids_are_unique_identifiers_without_the_path(tmp_path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # FastAPI warns of a duplicate operation id
        document = create_app(Settings(profile=Profile.TEST, data_dir=tmp_path)).openapi()
    found = [
        (path, method, operation["operationId"])
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
    ]
    ids = [operation_id for _, _, operation_id in found]
    assert len(found) > 40
    assert len(set(ids)) == len(ids), sorted(ids)
    for path, method, operation_id in found:
        assert operation_id.isidentifier(), (path, method, operation_id)
        assert not operation_id.endswith(f"_{method}"), (path, method, operation_id)
        assert "_v1_" not in operation_id, (path, method, operation_id)
