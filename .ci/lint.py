"""Every linter of the project, offline: what .pre-commit-config.yaml runs, from PyPI and crates.

Pre-commit fetches its hooks from their repositories, which CI here cannot reach; this script
runs the same tools, installed from the ``lint`` dependency group of pyproject.toml at the
versions the hooks pin (``nox -s lint`` installs them and runs this script):

* ruff check and ruff format --check (Python), mypy (the package, its stubs and noxfile.py;
  then the .ci scripts), cython-lint (.pyx/.pxi/.pxd), codespell (every tracked file);
* check-yaml and check-toml (pre-commit-hooks: the hooks of it that only check);
* cargo fmt --check, and cargo clippy -D warnings without and with the ``python`` feature;
* zizmor --offline (no finding at all), check-jsonschema (workflows, Dependabot, Read the Docs),
  validate-pyproject with the schema store;
* repo-review (sp-repo-review): no failed check, beyond those ignored in [tool.repo-review];
* pins: each hook's rev in .pre-commit-config.yaml is the version the ``lint`` group installs.

Every check runs; each failure is reported with the tool's own output, which names the file and
the line; the exit status is non-zero if any failed. ``python .ci/lint.py ruff mypy`` runs only
the named checks (``--list`` names them); ``--root DIR`` lints another copy of the project.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parent.parent
# The PyPI package each remote pre-commit hook installs (hook repositories without one, such as
# pygrep-hooks, are not listed).
HOOK_PACKAGES = {
    "https://github.com/pre-commit/pre-commit-hooks": "pre-commit-hooks",
    "https://github.com/astral-sh/ruff-pre-commit": "ruff",
    "https://github.com/MarcoGorelli/cython-lint": "cython-lint",
    "https://github.com/pre-commit/mirrors-mypy": "mypy",
    "https://github.com/codespell-project/codespell": "codespell",
    "https://github.com/abravalheri/validate-pyproject": "validate-pyproject",
    "https://github.com/python-jsonschema/check-jsonschema": "check-jsonschema",
    "https://github.com/zizmorcore/zizmor-pre-commit": "zizmor",
}

Check = Callable[[Path], list[list[str]]]
CHECKS: dict[str, Check] = {}


def check(name: str) -> Callable[[Check], Check]:
    """Registers a check: a function of the root giving the commands to run there, in order."""

    def register(function: Check) -> Check:
        CHECKS[name] = function
        return function

    return register


def tool(name: str) -> str:
    """A tool installed beside the Python running this script (the lint venv), else on PATH."""
    local = Path(sys.executable).parent / name
    return str(local) if local.exists() else name


def tracked(root: Path, *patterns: str) -> list[str]:
    """The tracked files of the copy at ``root`` (all, or those matching git pathspecs)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--", *patterns],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return sorted(p for p in listed.split("\0") if p and (root / p).is_file())


@check("ruff")
def ruff(root: Path) -> list[list[str]]:
    return [
        [tool("ruff"), "check", "--no-cache", "--output-format=full", "."],
        [tool("ruff"), "format", "--no-cache", "--check", "--diff", "."],
    ]


@check("mypy")
def mypy(root: Path) -> list[list[str]]:
    # [tool.mypy] names the package, its stubs and noxfile.py (Python 3.10, strict); the CI
    # scripts use tomllib and are checked as Python 3.11.
    common = [tool("mypy"), "--no-incremental", "--cache-dir", os.devnull]
    return [common, [*common, "--python-version", "3.11", ".ci"]]


@check("cython-lint")
def cython_lint(root: Path) -> list[list[str]]:
    files = tracked(root, "*.pyx", "*.pxi", "*.pxd")
    return [[tool("cython-lint"), *files]] if files else []


@check("codespell")
def codespell(root: Path) -> list[list[str]]:
    return [[tool("codespell"), *tracked(root)]]


@check("yaml-toml")
def yaml_toml(root: Path) -> list[list[str]]:
    return [
        [tool("check-yaml"), *tracked(root, "*.yml", "*.yaml")],
        [tool("check-toml"), *tracked(root, "*.toml")],
    ]


@check("cargo")
def cargo(root: Path) -> list[list[str]]:
    clippy = ["cargo", "clippy", "--locked", "--all-targets"]
    return [
        ["cargo", "fmt", "--check"],
        [*clippy, "--", "-D", "warnings"],
        [*clippy, "--features", "python", "--", "-D", "warnings"],
    ]


@check("zizmor")
def zizmor(root: Path) -> list[list[str]]:
    return [[tool("zizmor"), "--offline", "--no-progress", "--color=never", "."]]


@check("check-jsonschema")
def jsonschema(root: Path) -> list[list[str]]:
    schemas = {
        "vendor.github-workflows": tracked(root, ".github/workflows/*.yml"),
        "vendor.dependabot": tracked(root, ".github/dependabot.yml"),
        "vendor.readthedocs": tracked(root, ".readthedocs.yaml"),
    }
    return [
        [tool("check-jsonschema"), "--builtin-schema", schema, *files]
        for schema, files in schemas.items()
        if files
    ]


@check("validate-pyproject")
def validate_pyproject(root: Path) -> list[list[str]]:
    # The schema-store plugin (installed with it) validates [tool.cibuildwheel], [tool.ruff]...
    return [[tool("validate-pyproject"), "pyproject.toml"]]


@check("repo-review")
def repo_review(root: Path) -> list[list[str]]:
    return [[tool("repo-review"), "--show", "err", "."]]


@check("pins")
def pins(root: Path) -> list[list[str]]:
    """The hooks' revs against the `lint` group's pins: a command that prints and fails."""
    config = (root / ".pre-commit-config.yaml").read_text()
    revs = dict(re.findall(r"^\s*-\s*repo:\s*(\S+)\s*\n\s*rev:\s*(\S+)", config, re.MULTILINE))
    with open(root / "pyproject.toml", "rb") as f:
        group = tomllib.load(f)["dependency-groups"]["lint"]
    pinned = dict(
        re.findall(r"^([A-Za-z0-9_.-]+)(?:\[[^]]*\])?==(\S+)$", "\n".join(group), re.MULTILINE)
    )
    problems = []
    for repo, package in HOOK_PACKAGES.items():
        rev, version = revs.get(repo, "").removeprefix("v"), pinned.get(package)
        if rev != version:
            problems.append(
                f"{package}: .pre-commit-config.yaml rev {rev or '(none)'}, lint group {version}"
            )
    report = "; ".join(problems) or f"{len(HOOK_PACKAGES)} hook revs = lint group pins"
    return [
        [sys.executable, "-c", f"import sys; print({report!r}); sys.exit({int(bool(problems))})"]
    ]


def run_check(name: str, root: Path) -> bool:
    """Runs one check's commands (all of them, even after a failure); True when all passed."""
    # cython-lint runs pycodestyle, and check-jsonschema its own tools, from PATH.
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    env["NO_COLOR"] = "1"
    passed = True
    for command in CHECKS[name](root):
        shown = " ".join(command if len(command) < 12 else [*command[:11], "..."])
        print(f"+ {shown}", flush=True)
        if subprocess.run(command, cwd=root, env=env, check=False).returncode != 0:
            passed = False
    return passed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("checks", nargs="*", help="checks to run (default: all)")
    parser.add_argument("--root", type=Path, default=ROOT, help="the copy to lint")
    parser.add_argument("--list", action="store_true", help="name the checks and exit")
    args = parser.parse_args(argv)
    if args.list:
        print("\n".join(CHECKS))
        return 0
    unknown = [name for name in args.checks if name not in CHECKS]
    if unknown:
        parser.error(f"unknown check(s) {unknown}; the checks are: {', '.join(CHECKS)}")
    started = time.perf_counter()
    failed = []
    for name in args.checks or CHECKS:
        print(f"\n=== {name}", flush=True)
        began = time.perf_counter()
        if run_check(name, args.root.resolve()):
            print(f"ok: {name} ({time.perf_counter() - began:.1f} s)", flush=True)
        else:
            failed.append(name)
            print(f"FAILED: {name} (its output above names the files)", flush=True)
    elapsed = time.perf_counter() - started
    if failed:
        print(f"\nlint FAILED ({elapsed:.0f} s): {', '.join(failed)}")
        return 1
    print(f"\nlint passed: {len(args.checks or CHECKS)} checks in {elapsed:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
