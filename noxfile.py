"""Task runner: ``nox -l`` lists the sessions, ``nox -s NAME`` runs one.

``.ci/run`` runs the default sessions in order on a fresh clone; each session is also what a
developer runs by hand. Sessions install what they need into their own virtualenvs.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import nox

ROOT = Path(__file__).resolve().parent
nox.options.default_venv_backend = "venv"
nox.options.reuse_existing_virtualenvs = False
nox.options.sessions = ["rust", "readme", "docs", "packaging", "release_checks", "rehearsal", "template"]


@nox.session(python=False)
def rust(session: nox.Session) -> None:
    """The Rust engine on its own: formatting, lints (with and without bindings), unit tests."""
    session.run("cargo", "fmt", "--check", external=True)
    session.run(
        "cargo", "clippy", "--locked", "--all-targets", "--", "-D", "warnings", external=True
    )
    session.run(
        "cargo",
        "clippy",
        "--locked",
        "--all-targets",
        "--features",
        "python",
        "--",
        "-D",
        "warnings",
        external=True,
    )
    session.run("cargo", "test", "--locked", external=True)


@nox.session
def tests(session: nox.Session) -> None:
    """The README's test command in this session's virtualenv (quicker than `readme`), then the
    native modules' stubs checked against the installed modules (mypy's stubtest)."""
    session.run("python", "-m", "pip", "install", ".[test]")
    session.run("pytest", *session.posargs)
    session.run("python", str(ROOT / ".ci" / "stubtest.py"))


@nox.session(python=False)
def readme(session: nox.Session) -> None:
    """The README's Quick start commands, read from README.md, each run verbatim in a fresh
    virtualenv from the root of a fresh clone of HEAD; then the stubs (stubtest)."""
    session.run(sys.executable, str(ROOT / ".ci" / "readme_commands.py"), *session.posargs)


@nox.session(python=False)
def packaging(session: nox.Session) -> None:
    """sdist -> wheel per local CPython -> auditwheel -> checks -> clean-venv tests."""
    session.run(sys.executable, str(ROOT / ".ci" / "packaging_proof.py"), *session.posargs)


@nox.session
def release_checks(session: nox.Session) -> None:
    """Offline release checks: actionlint, zizmor, JSON schemas, validate-pyproject, wheel matrix."""
    session.install("-r", str(ROOT / ".ci" / "requirements-tools.txt"))
    session.run("python", str(ROOT / ".ci" / "release_checks.py"))


@nox.session
def rehearsal(session: nox.Session) -> None:
    """Release rehearsal: twine upload to a local index, install from it alone, run the tests.

    Uses dist/ and wheelhouse/ from the `packaging` session; the index listens on 127.0.0.1."""
    session.install("-r", str(ROOT / ".ci" / "requirements-tools.txt"))
    session.run("python", str(ROOT / ".ci" / "release_rehearsal.py"), *session.posargs)


@nox.session(python=False)
def rename(session: nox.Session) -> None:
    """Renames a fresh fork (TEMPLATE.md): nox -s rename -- NEW_NAME --dist-name NEW-NAME
    [--author "Name <email>"] [--url URL] [--dry-run]."""
    session.run(sys.executable, str(ROOT / ".ci" / "rename.py"), *session.posargs)


@nox.session
def template(session: nox.Session) -> None:
    """The template proof: the rename script's tests (refusals, TEMPLATE.md recipes), then a
    renamed copy with TEMPLATE.md's example built (sdist -> wheel), tested and linted."""
    session.install("-r", str(ROOT / ".ci" / "requirements-tools.txt"), "pytest>=8")
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
    tag = session.run(
        "python", "-c", "import sys; print('cp%d%d' % sys.version_info[:2])", silent=True
    ).strip()
    (wheel,) = (ROOT / "wheelhouse").glob(f"*-{tag}-{tag}-*.whl")
    return str(wheel)


@nox.session
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
    pages = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "docs").rglob("*.md") if "_build" not in p.parts)
    # `pytest`, not `python -m pytest`: that would put the checkout first on sys.path.
    session.run("pytest", "-p", "no:cacheprovider", "-q", "--doctest-glob=*.md", *pages)


@nox.session
def benchmarks(session: nox.Session) -> None:
    """Benchmarks against River, NumPy, bottleneck and pandas; rewrites benchmarks/RESULTS.md
    (slow)."""
    session.install("--upgrade", "pip>=25.1")  # reads [dependency-groups]
    session.install(".[test]", "--group", "bench")
    for script in sorted((ROOT / "benchmarks").glob("[!_]*.py")):  # _*.py are helpers
        session.run("python", str(script), *session.posargs)


@nox.session(python=False)
def clean(session: nox.Session) -> None:
    """Removes build outputs."""
    for name in ("build", "dist", "wheelhouse", "target"):
        shutil.rmtree(ROOT / name, ignore_errors=True)
    for generated in ROOT.glob("river_lite/**/*.c"):
        os.remove(generated)
