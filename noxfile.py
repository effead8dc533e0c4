#!/usr/bin/env python3
# /// script
# requires-python = ">=3.10"
# dependencies = ["nox>=2025.2.9"]
#
# [tool.nox]
# script-venv-backend = "venv"
# ///
"""Task runner: ``nox -l`` lists the sessions, ``nox -s NAME`` runs one, ``nox`` the defaults.

``.ci/run`` runs the default sessions on a fresh clone; each session is also what a developer
runs by hand. Sessions install what they need into their own virtualenvs.

``./noxfile.py`` works too. The shebang is plain ``python3``, not ``uv run --script``: uv is not
on the machines this project's CI runs on, and nox itself reads the script block above: started
by a Python whose nox is missing or older, it makes a virtualenv with the nox the block asks for
(with ``venv``, which needs no uv) and runs there.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import nox

nox.needs_version = ">=2025.2.9"  # default=, the script block, nox.project.dependency_groups

ROOT = Path(__file__).resolve().parent
PYPROJECT = nox.project.load_toml(ROOT / "pyproject.toml")
# The standard library's venv: the sessions call `python -m pip`, which a uv virtualenv lacks.
nox.options.default_venv_backend = "venv"
nox.options.reuse_existing_virtualenvs = False


@nox.session(default=True)
def lint(session: nox.Session) -> None:
    """Every linter, offline (.ci/lint.py: what .pre-commit-config.yaml runs, from PyPI and
    crates, at its revs); `nox -s lint -- ruff mypy` runs some. Then the proof that a lint
    error fails the lint, naming its file and line (.ci/lint_proof.py)."""
    session.install(*nox.project.dependency_groups(PYPROJECT, "lint"))
    session.run("python", str(ROOT / ".ci" / "lint.py"), *session.posargs)
    if not session.posargs:
        session.run("python", str(ROOT / ".ci" / "lint_proof.py"))


@nox.session(python=False, default=True)
def rust(session: nox.Session) -> None:
    """The Rust engine's unit tests (cargo fmt and clippy run in `lint`)."""
    session.run("cargo", "test", "--locked", external=True)


@nox.session(default=False)
def tests(session: nox.Session) -> None:
    """The README's test command in this session's virtualenv (quicker than `readme`), then the
    native modules' stubs checked against the installed modules (mypy's stubtest)."""
    session.run("python", "-m", "pip", "install", ".[test]")
    session.run("pytest", *session.posargs)
    session.run("python", str(ROOT / ".ci" / "stubtest.py"))


@nox.session(python=False, default=True)
def readme(session: nox.Session) -> None:
    """The README's Quick start commands, read from README.md, each run verbatim in a fresh
    virtualenv from the root of a fresh clone of HEAD; then the stubs (stubtest)."""
    session.run(sys.executable, str(ROOT / ".ci" / "readme_commands.py"), *session.posargs)


@nox.session(python=False, default=True)
def packaging(session: nox.Session) -> None:
    """sdist -> wheel per local CPython -> auditwheel -> checks (SBOM against cargo tree) ->
    a second build elsewhere, byte-identical -> clean-venv tests; then the abi3 wheel, tested
    on every local CPython >= 3.12."""
    session.run(sys.executable, str(ROOT / ".ci" / "packaging_proof.py"), *session.posargs)


@nox.session(default=True)
def release_checks(session: nox.Session) -> None:
    """Offline release checks: actionlint, the wheel matrix, consistency, the release guard."""
    session.install("-r", str(ROOT / ".ci" / "requirements-tools.txt"))
    session.run("python", str(ROOT / ".ci" / "release_checks.py"))


@nox.session(default=True)
def rehearsal(session: nox.Session) -> None:
    """Release rehearsal: twine upload to a local index, install from it alone, run the tests.

    Uses dist/ and wheelhouse/ from the `packaging` session; the index listens on 127.0.0.1."""
    session.install("-r", str(ROOT / ".ci" / "requirements-tools.txt"))
    session.run("python", str(ROOT / ".ci" / "release_rehearsal.py"), *session.posargs)


@nox.session(python=False, default=False)
def rename(session: nox.Session) -> None:
    """Renames a fresh fork and keeps the modules it wants (TEMPLATE.md): nox -s rename --
    NEW_NAME --dist-name NEW-NAME [--keep MODULE,... | --minimal] [--author "Name <email>"]
    [--url URL] [--dry-run]; `nox -s rename -- --help` lists every option."""
    session.run(sys.executable, str(ROOT / ".ci" / "rename.py"), *session.posargs)


@nox.session(default=True)
def template(session: nox.Session) -> None:
    """The template proof: the rename script's tests (refusals, TEMPLATE.md recipes), then three
    forks (--minimal, --keep stats, --keep classifier,sampler) renamed, stripped, built (sdist ->
    wheel), installed, tested and linted (.ci/template_proof.py). The template's own check: in a
    renamed fork it has nothing to prove, and says so."""
    license_text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    if any(line.startswith("Derived from") for line in license_text.splitlines()):
        session.skip("this tree is a renamed fork: the template proof is the template's own check")
    # ruff lints the forks: the version `lint` runs (its pin in the lint dependency group).
    ruff = [r for r in nox.project.dependency_groups(PYPROJECT, "lint") if r.startswith("ruff==")]
    session.install("-r", str(ROOT / ".ci" / "requirements-tools.txt"), "pytest>=8", *ruff)
    session.run(
        "python",
        "-m",
        "pytest",
        "-p",
        "no:cacheprovider",
        "-q",
        str(ROOT / ".ci" / "test_rename.py"),
    )
    session.run("python", str(ROOT / ".ci" / "template_proof.py"), *session.posargs)


def docs_target(session: nox.Session) -> str:
    """What the docs session installs: the checkout (a build), or with DOCS_FROM_WHEELHOUSE=1
    (.ci/run sets it: the packaging session has just built and tested the wheels) this
    Python's wheel from wheelhouse/, which saves a second build of the same commit."""
    if os.environ.get("DOCS_FROM_WHEELHOUSE") != "1":
        return "."
    output = session.run(
        "python", "-c", "import sys; print('cp%d%d' % sys.version_info[:2])", silent=True
    )
    if output is None:  # nox --install-only: nothing runs, so nothing is installed from it
        return "."
    tag = output.strip()
    (wheel,) = (ROOT / "wheelhouse").glob(f"*-{tag}-{tag}-*.whl")
    return str(wheel)


@nox.session(default=True)
def docs(session: nox.Session) -> None:
    """The documentation site: the package and the `docs` dependency group installed, then
    Sphinx with warnings as errors (the examples gallery runs), the internal links and API
    pages checked (.ci/docs_checks.py), and the doctests of the guide's pages. Output:
    docs/_build/html (open index.html)."""
    session.install("--upgrade", "pip>=25.1")  # reads [dependency-groups]
    session.install(docs_target(session), "--group", "docs")
    html = ROOT / "docs" / "_build" / "html"
    shutil.rmtree(html, ignore_errors=True)
    session.run("sphinx-build", "-W", "--keep-going", "-b", "html", "docs", str(html))
    session.run("python", str(ROOT / ".ci" / "docs_checks.py"), str(html))
    pages = sorted(
        str(p.relative_to(ROOT)) for p in (ROOT / "docs").rglob("*.md") if "_build" not in p.parts
    )
    # `pytest`, not `python -m pytest`: that would put the checkout first on sys.path.
    session.run("pytest", "-p", "no:cacheprovider", "-q", "--doctest-glob=*.md", *pages)


@nox.session(default=False)
def benchmarks(session: nox.Session) -> None:
    """Benchmarks against River, NumPy, bottleneck and pandas; rewrites benchmarks/RESULTS.md
    (slow)."""
    session.install("--upgrade", "pip>=25.1")  # reads [dependency-groups]
    session.install(".[test]", "--group", "bench")
    for script in sorted((ROOT / "benchmarks").glob("[!_]*.py")):  # _*.py are helpers
        session.run("python", str(script), *session.posargs)


@nox.session(python=False, default=False)
def clean(session: nox.Session) -> None:
    """Removes build outputs."""
    for name in ("build", "dist", "wheelhouse", "target"):
        shutil.rmtree(ROOT / name, ignore_errors=True)
    for generated in ROOT.glob("river_lite/**/*.c"):
        os.remove(generated)


if __name__ == "__main__":
    nox.main()
