"""The sampler's part of the Rust extension's build facts (``river-lite info``)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile


def info(env: dict[str, str] | None = None) -> str:
    # From outside any checkout: `python -m` puts the working directory first on sys.path.
    return subprocess.run(
        [sys.executable, "-m", "river_lite", "info"],
        capture_output=True,
        text=True,
        check=True,
        cwd=tempfile.gettempdir(),
        env=env,
    ).stdout


def test_info_names_the_sampler_vector_instructions_and_obeys_the_cap():
    assert re.search(r"vector_instructions (baseline|avx2|avx512)\b", info())
    capped = info(env={**os.environ, "RIVER_LITE_VECTOR_INSTRUCTIONS": "baseline"})
    assert "vector_instructions baseline" in capped
