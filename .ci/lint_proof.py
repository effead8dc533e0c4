"""Proof that the lint fails on a lint error and names the file and the line.

A copy of the tracked files (a fresh git repository in a temporary directory) gets one new
Python module, one new Cython file and one new Rust module, each with a known error on a known
line; .ci/lint.py then runs on the copy (ruff, mypy, cython-lint, codespell and cargo) and must
fail, naming each file:line. The Rust probe is an `unwrap()` in engine code: it shows that the
deny lints of rust_src/lib.rs still refuse a panic outside tests. Runs in `nox -s lint` after the
lint itself, with the same tools (and its cargo build cache).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHECKS = ["ruff", "mypy", "cython-lint", "codespell", "cargo"]

PROBE_PY = "river_lite/_lint_probe.py"
PROBE_PYX = "river_lite/_lint_probe.pyx"  # the package root: every fork keeps it
PROBE_RS = "rust_src/engine/lint_probe.rs"  # engine/common and this folder: every fork keeps them
# Each error and where each tool must report it (path:line).
PYTHON = '''"""A module with lint errors on purpose."""

import os


def half(value: int) -> int:
    return value / 2


# {typo} spelling checker reads comments too.
'''.format(typo="t" + "eh")  # not spelled out here, where codespell would find it
CYTHON = "def too_long():\n    return " + "1 + " * 30 + "1\n"
RUST = """//! A module with a lint error on purpose.
pub fn first(values: &[f64]) -> f64 {
    *values.first().unwrap()
}
"""
EXPECTED = {
    "ruff (F401 unused import)": f"{PROBE_PY}:3:",
    "mypy (a float returned as int)": f"{PROBE_PY}:7:",
    "codespell": f"{PROBE_PY}:10:",
    "cython-lint (E501 line too long)": f"{PROBE_PYX}:2:",
    "clippy (unwrap_used, denied outside tests)": f"{PROBE_RS}:3:",
}


def git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def main() -> int:
    files = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split("\0")
    with tempfile.TemporaryDirectory(prefix="lint-proof-") as tmp:
        copy = Path(tmp)
        for name in filter(None, files):
            if (ROOT / name).is_file():
                (copy / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(ROOT / name, copy / name)
        (copy / PROBE_PY).write_text(PYTHON)
        (copy / PROBE_PYX).write_text(CYTHON)
        (copy / PROBE_RS).write_text(RUST)
        with open(copy / "rust_src" / "engine" / "mod.rs", "a") as f:
            f.write("pub mod lint_probe;\n")
        git("init", "-q", cwd=copy)
        git("add", "-A", cwd=copy)
        done = subprocess.run(
            [sys.executable, str(ROOT / ".ci" / "lint.py"), "--root", str(copy), *CHECKS],
            # The checkout's build cache: only the copy's own crate is compiled again.
            env={**os.environ, "CARGO_TARGET_DIR": str(ROOT / "target")},
            capture_output=True,
            text=True,
            check=False,
        )
    output = done.stdout + done.stderr
    missing = [what for what, place in EXPECTED.items() if place not in output]
    if done.returncode == 0 or missing:
        print(output)
        print(f"lint proof FAILED: exit status {done.returncode}; not reported: {missing}")
        return 1
    for what, place in EXPECTED.items():
        line = next(line for line in output.splitlines() if place in line)
        print(f"reported, {what}: {line.strip()}")
    print(f"lint proof passed: the lint failed (exit {done.returncode}) and named every error")
    return 0


if __name__ == "__main__":
    sys.exit(main())
