"""Writes one benchmark's section of benchmarks/RESULTS.md, leaving the others untouched.

Each benchmark owns the text between ``<!-- NAME:start -->`` and ``<!-- NAME:end -->``; a
missing section is appended. (A module, not a benchmark: ``nox -s benchmarks`` skips ``_*.py``.)
"""

from __future__ import annotations

from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def write_section(name: str, section: str, results: Path = RESULTS) -> Path:
    """Replaces (or appends) the ``name`` section of ``results`` with ``section``."""
    text = results.read_text() if results.exists() else "# Benchmark results\n"
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    if start in text and end in text:
        before, rest = text.split(start, 1)
        after = rest.split(end, 1)[1]
        text = f"{before}{start}\n{section}\n{end}{after}"
    else:
        text = f"{text.rstrip()}\n\n{start}\n{section}\n{end}\n"
    results.write_text(text)
    print(f"wrote {results}")
    return results
