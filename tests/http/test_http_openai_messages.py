"""A refusal on OpenAI's routes names the field in its message as the request sent it: the
`param` said `mask` while the message said `invalid images[1]: …`, a name the `openai`
client's user never wrote."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openai
import pytest
from http_support import png
from test_http_openai import serving

from imagestudio.entrypoints.http.openai_errors import _PARAMS

TINY = ("tiny.png", png(8, 8), "image/png")
EMPTY = ("empty.png", b"", "image/png")
REFUSED: dict[str, dict[str, Any]] = {
    "image": {"image": EMPTY},
    "mask": {"image": ("in.png", png(256, 192), "image/png"), "mask": TINY},
}


def test_every_renamed_field_is_tried() -> None:
    assert {"image", "mask"} <= set(_PARAMS.values())


@pytest.mark.parametrize("param", sorted(REFUSED))
def test_the_message_names_the_field_the_request_sent(tmp_path: Path, param: str) -> None:
    with serving(tmp_path) as served:
        client = served.openai("alice", max_retries=0)
        with pytest.raises(openai.APIStatusError) as refused:
            client.images.edit(prompt="a kite", **REFUSED[param])

    error = refused.value
    assert error.param == param
    assert isinstance(error.body, dict)
    assert error.body["message"].startswith(f"invalid {param}: "), error.body["message"]
    assert "images[" not in error.body["message"]
