"""The code of a docs page, for the tests that run it: the ``python`` blocks of one module's
part of the page (between its ``begin module``/``end module`` markers)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"


def python_blocks(page: str, module: str) -> list[str]:
    """The Python code blocks of ``docs/<page>`` inside ``module``'s markers. Skips the calling
    test where the docs are not beside the tests (cibuildwheel copies tests/ alone)."""
    path = DOCS / page
    if not path.is_file():
        pytest.skip(f"{path} is not here: the tests run from a copy without the docs")
    text = path.read_text(encoding="utf-8")
    begin, end = f"<!-- begin module: {module} -->", f"<!-- end module: {module} -->"
    assert text.count(begin) == text.count(end) == 1, f"{page} must have one {module} part"
    part = text[text.index(begin) : text.index(end)]
    blocks = re.findall(r"^```python\n(.*?)^```$", part, flags=re.DOTALL | re.MULTILINE)
    assert blocks, f"{page} shows no Python code for {module}"
    return blocks


def run_blocks(page: str, module: str, **names) -> dict:
    """Runs the blocks of ``python_blocks`` in one namespace that starts with ``names``."""
    namespace = {"__name__": f"docs_{Path(page).stem}", **names}
    for block in python_blocks(page, module):
        # Running the page's code as a reader would is the point of this helper.
        exec(compile(block, str(DOCS / page), "exec"), namespace)  # noqa: S102
    return namespace
