"""The README's embedding example runs as written."""

from __future__ import annotations

import re
import runpy
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"


def embedding_example() -> str:
    text = README.read_text()
    found = re.search(r"<!-- embedding-example -->\s*```python\n(.*?)```", text, re.DOTALL)
    assert found, "README lost its embedding example"
    return found.group(1)


def test_the_readme_embedding_example_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = tmp_path / "example.py"
    script.write_text(embedding_example())
    runpy.run_path(str(script), run_name="__main__")
    printed = capsys.readouterr().out
    assert "2 images, charged 0 micro-dollars" in printed
    assert "used 2 of 10" in printed
