"""Reading JSON from a request: any syntax error, a nesting too deep for the parser, or text that
is not Unicode (a lone surrogate, which JSON's `\\ud800` escape can smuggle in and nothing can
store or encode) is a 400 naming where it is, never an error of the server."""

from __future__ import annotations

import json
from typing import Any

from imagestudio.entrypoints.http.invalid_requests import BodyRefused, malformed


def loads(raw: bytes | str, field: str = "body") -> Any:
    """The JSON value of `raw` (the whole body, or a form part named `field`)."""
    try:
        value = json.loads(raw)
    except RecursionError:
        raise BodyRefused(malformed(field, "is nested too deeply to read")) from None
    except ValueError as error:  # JSONDecodeError, and UnicodeDecodeError for bytes not UTF-8
        raise BodyRefused(malformed(field, f"is not JSON: {error}")) from None
    where = _first_lone_surrogate(value, field)
    if where is not None:
        raise BodyRefused(malformed(where, "is not Unicode text: it holds a lone surrogate"))
    return value


def _first_lone_surrogate(value: Any, root: str) -> str | None:
    """Where the first string (key or value) holding a lone surrogate is, or None. A loop, not
    recursion: the value may be nested almost as deep as the parser reaches."""
    stack: list[tuple[str, Any]] = [("" if root == "body" else root, value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, str):
            if not _encodable(item):
                return path or "body"
        elif isinstance(item, dict):
            for key, inner in item.items():
                named = f"{path}.{key}" if path else str(key)
                if not _encodable(key):
                    return path or "body"  # the key itself cannot be written back
                stack.append((named, inner))
        elif isinstance(item, list):
            stack.extend((f"{path}[{index}]", inner) for index, inner in enumerate(item))
    return None


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
