"""mypy's stubtest of every native module's ``.pyi`` stub against the installed package.

Run with the Python of the environment the package is installed in (mypy is installed into it
if missing). It works from a temporary directory, so that the source tree is never imported.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = next(p.parent.name for p in ROOT.glob("*/_native.py"))


def main() -> None:
    with tempfile.TemporaryDirectory() as outside:

        def python(*args: str, **kwargs) -> subprocess.CompletedProcess:
            print("+ python", " ".join(args), flush=True)
            return subprocess.run([sys.executable, *args], cwd=outside, check=True, **kwargs)

        python("-m", "pip", "install", "--quiet", "mypy>=1.18")
        native = python(
            "-c",
            f"import {PACKAGE}._native as n; print(' '.join(n.native_modules()))",
            capture_output=True,
            text=True,
        ).stdout.split()
        allowlist = ROOT / ".ci" / "stubtest-allowlist.txt"
        python(
            "-m",
            "mypy.stubtest",
            "--allowlist",
            str(allowlist),
            *(f"{PACKAGE}.{name}" for name in native),
        )


if __name__ == "__main__":
    main()
