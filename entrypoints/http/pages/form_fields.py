"""Reading a page form's fields as text (a file where text is expected reads as empty)."""

from __future__ import annotations

from starlette.datastructures import FormData


def text(form: FormData, name: str, default: str = "") -> str:
    value = form.get(name)
    return value if isinstance(value, str) else default


def local_path(path: str, default: str) -> str:
    """`path` if it is a path of this app ('/…', never '//host' or a scheme), else `default`:
    the page a sign-in returns to can never be another site."""
    if path.startswith("/") and not path.startswith("//") and "\\" not in path:
        return path
    return default
