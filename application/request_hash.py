"""The fingerprint an idempotency key's retries must match."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping

from imagestudio.application.model_choice import AUTO, is_auto
from imagestudio.application.requests import OperationRequest
from imagestudio.domain.model import Model
from imagestudio.domain.operation import ParameterValue


def request_hash(
    request: OperationRequest,
    model: Model,
    digests: tuple[str, ...],
    parameters: Mapping[str, ParameterValue],
) -> str:
    fields: dict[str, object] = {
        "kind": request.kind.value,
        # As asked: an `auto` request is the same request whichever model routing picks.
        "model": AUTO if is_auto(request.model_id) else model.id,
        "prompt": request.prompt,
        "inputs": list(digests),
        "roles": [image.role for image in request.images],
        "size": [request.width, request.height],
        "outputs": request.outputs,
        "seed": request.seed,
        "parameters": {key: parameters[key] for key in sorted(parameters)},
    }
    if request.webhook is not None:
        # A retry naming another webhook (or none) would replay, and that webhook never hear
        # of the operation. Only when given, so the hashes of keys stored before stay the same.
        events = sorted(str(event) for event in request.webhook.events)  # `settled` alike
        fields["webhook"] = [request.webhook.url, events]
    canonical = json.dumps(fields, sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()
