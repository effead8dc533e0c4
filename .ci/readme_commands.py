"""Runs the README's Quick start commands as a new user would, and fails if any fails.

The commands are read from the README itself (the first ``bash`` block under "## Quick start"),
so there is no copy that can drift. Each command runs with ``bash -e -o pipefail`` in its own
fresh virtualenv (first on PATH, as after ``source venv/bin/activate``), from the root of its own
fresh ``git clone`` of this repository's HEAD (commit first: uncommitted changes are not in
it). Afterwards, in the virtualenv of the last command, .ci/stubtest.py checks every native
module's ``.pyi`` stub against the installed module.

Usage: python .ci/readme_commands.py [--list]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
SECTION = "## Quick start"


def quick_start_commands(readme: str) -> list[str]:
    """The command lines of the first ``bash`` block under the Quick start heading."""
    section = readme.partition(f"\n{SECTION}\n")[2]
    if not section:
        raise SystemExit(f"README.md has no '{SECTION}' section")
    block = re.search(r"^```bash\n(.*?)^```", section, flags=re.MULTILINE | re.DOTALL)
    if block is None:
        raise SystemExit(f"README.md's '{SECTION}' section has no ```bash block")
    lines = [line.strip() for line in block.group(1).splitlines()]
    commands = [line for line in lines if line and not line.startswith("#")]
    if not commands:
        raise SystemExit(f"README.md's '{SECTION}' bash block holds no command")
    return commands


def run(command: list[str] | str, **kwargs) -> None:
    print("+", command if isinstance(command, str) else " ".join(map(str, command)), flush=True)
    subprocess.run(command, check=True, **kwargs)


def venv_environment(venv: Path) -> dict[str, str]:
    """What ``source venv/bin/activate`` sets, on a copy of this process's environment."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(venv)
    return env


def run_fresh(command: str, workdir: Path) -> dict[str, str]:
    """Runs one README command in a fresh clone and venv; returns the venv's environment."""
    clone, venv = workdir / "clone", workdir / "venv"
    run(["git", "clone", "--quiet", "--no-hardlinks", str(ROOT), str(clone)])
    run([sys.executable, "-m", "venv", str(venv)])
    env = venv_environment(venv)
    print(f"\n=== README command, in {clone}: {command}", flush=True)
    started = time.monotonic()
    run(["bash", "-e", "-o", "pipefail", "-c", command], cwd=clone, env=env)
    print(f"=== passed in {time.monotonic() - started:.0f} s: {command}\n", flush=True)
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", action="store_true", help="print the commands and stop")
    args = parser.parse_args()
    commands = quick_start_commands(README.read_text(encoding="utf-8"))
    if args.list:
        print("\n".join(commands))
        return
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    print(f"README Quick start, {len(commands)} commands, on fresh clones of {head}:")
    print("\n".join(f"  {c}" for c in commands), flush=True)
    with tempfile.TemporaryDirectory(prefix="readme-") as tmp:
        for number, command in enumerate(commands, 1):
            env = run_fresh(command, Path(tmp) / f"command{number}")
        # The stubs, checked against what the last command installed.
        run(["python", str(ROOT / ".ci" / "stubtest.py")], env=env)
    print(f"readme: all {len(commands)} README commands passed")


if __name__ == "__main__":
    main()
