"""The options many commands share, each written once."""

from __future__ import annotations

from typing import Annotated

import typer

Json = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
Out = Annotated[
    str | None,
    typer.Option(
        "--out",
        "-o",
        help="Also copy the output(s) here: a file (named after its content's type, numbered "
        "for several), or a folder if it ends with / or exists.",
    ),
]
