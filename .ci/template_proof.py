"""Proof that a renamed fork of this template still builds, tests and packages.

1. Copy the repository (the files of HEAD, or with --worktree the working tree's) to a
   temporary directory and make it a fresh git repository: a fork. Add to it the example of TEMPLATE.md
   (a Rust class and a Cython function in a new subpackage, with stubs and tests), from the
   blocks of TEMPLATE.md.
2. Rename it with .ci/rename.py to names used nowhere in the project's tests, with a
   distribution name that differs from the import name (as pypa/sampleproject teaches).
3. ``git grep`` finds no old name, except the LICENSE line marked "Derived from".
4. Build the sdist and a wheel from that sdist (``python -m build``), and check both name only
   the new package.
5. Install the wheel into a fresh venv, run the renamed test suite from a directory outside the
   copy, ``python -m <new package> info``, and mypy stubtest on every native module.
6. Lint the renamed workflows: the copy's own .ci/release_checks.py (actionlint with
   shellcheck, the cibuildwheel matrix, the release guard), else actionlint and check-jsonschema
   directly.

Run from anywhere with a Python that has the tools of .ci/requirements-tools.txt (``nox -s
template`` runs it after the rename script's own tests, .ci/test_rename.py). The Rust build gets
its own CARGO_TARGET_DIR inside the temporary directory.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / ".ci"))
import rename

# The fork's names: in no test of the project (checked below), and a distribution name other
# than the import name, so that every place that needs one and not the other is exercised.
PACKAGE = "acme_quokka"
DIST = "acme-quokka-stats"
AUTHOR = "Acme Quokka Maintainers <quokka@example.com>"
URL = "https://github.com/acme/acme-quokka-stats"
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "template proof",
    "GIT_AUTHOR_EMAIL": "proof@example.com",
    "GIT_COMMITTER_NAME": "template proof",
    "GIT_COMMITTER_EMAIL": "proof@example.com",
}


def run(*command, cwd=None, env=None, capture=False) -> str:
    print("+", " ".join(str(c) for c in command), flush=True)
    result = subprocess.run(
        [str(c) for c in command], cwd=cwd, env=env, text=True, capture_output=capture, check=False
    )
    if result.returncode != 0:
        if capture:
            print(result.stdout + result.stderr)
        raise SystemExit(
            f"template proof FAILED: {' '.join(map(str, command))} exited {result.returncode}"
        )
    return result.stdout if capture else ""


def source_files() -> list[str]:
    listed = rename.git("ls-files", "-z", "--cached", "--others", "--exclude-standard")
    return sorted({p for p in listed.split("\0") if p and (ROOT / p).is_file()})


def make_fork(destination: Path, ref: str | None = "HEAD") -> None:
    """A fresh git repository holding the repository's files, committed once: those of commit
    ``ref``, or with ``ref=None`` the working tree's (tracked and untracked-but-not-ignored
    files, uncommitted changes included)."""
    destination.mkdir(parents=True)
    if ref:
        archive = subprocess.run(["git", "archive", ref], cwd=ROOT, capture_output=True, check=True)
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(destination, filter="tar")
    else:
        for path in source_files():
            target = destination / path
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / path, target)
    git_env = {**os.environ, **GIT_IDENTITY}
    for command in (
        ["init", "-q", "-b", "main"],
        ["add", "-A"],
        ["commit", "-q", "-m", "the template, as forked"],
    ):
        subprocess.run(["git", *command], cwd=destination, env=git_env, check=True)


def add_template_example(fork: Path, package: str) -> list[str]:
    """Adds the example of TEMPLATE.md sections 2-3 (a Rust class, a Cython function, their stubs,
    a subpackage and tests) to ``fork`` from the blocks of TEMPLATE.md, as a reader would. Each
    block says where it goes on its first line: ``new file: PATH``, ``append to: PATH``, or
    ``in PATH, after: LINE``. Returns the paths touched."""
    text = (fork / "TEMPLATE.md").read_text()
    header = re.compile(
        r"^(?://|#) (?:new file: (?P<new>\S+)|append to: (?P<append>\S+)|"
        r"in (?P<file>\S+), after: (?P<anchor>.+))$"
    )
    touched = []
    for block in re.findall(r"^```\w*\n(.*?)^```$", text, re.MULTILINE | re.DOTALL):
        first, _, body = block.partition("\n")
        match = header.match(first)
        if not match:
            continue
        if match["new"]:
            target = fork / match["new"]
            assert not target.exists(), f"TEMPLATE.md: {match['new']} exists already"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(body)
        elif match["append"]:
            target = fork / match["append"]
            target.write_text(target.read_text().rstrip("\n") + "\n" + body)
        else:
            target = fork / match["file"]
            lines = target.read_text().splitlines(keepends=True)
            (at,) = [i for i, line in enumerate(lines) if line.strip() == match["anchor"].strip()]
            lines[at + 1 : at + 1] = [body]
            target.write_text("".join(lines))
        touched.append(str(target.relative_to(fork)))
    # Section 3, step 3, in prose: the new extension joins NATIVE_MODULES.
    native = fork / package / "_native.py"
    source, count = re.subn(
        r"^(NATIVE_MODULES = \([^)]*?),?\s*\)",
        r'\1, "tally._kernels")',
        native.read_text(),
        count=1,
        flags=re.MULTILINE,
    )
    assert count == 1, "NATIVE_MODULES not found in _native.py"
    native.write_text(source)
    touched.append(str(native.relative_to(fork)))
    expected = {"new file": 6, "append to": 1, "after": 3}
    assert len(touched) == sum(expected.values()) + 1, f"TEMPLATE.md example blocks: {touched}"
    return touched


def leftovers(fork: Path, old: rename.Names) -> list[str]:
    """Lines of tracked files that still name the old package, except "Derived from" lines."""
    pattern = rename.Spellings(old, PACKAGE, DIST).leftover.pattern
    result = subprocess.run(
        ["git", "grep", "-n", "-I", "-i", "-P", pattern],
        cwd=fork,
        capture_output=True,
        text=True,
        check=False,  # git grep exits 1 when nothing matches
    )
    lines = result.stdout.splitlines()
    binary = subprocess.run(
        ["git", "grep", "-l", "-i", "-P", pattern],
        cwd=fork,
        capture_output=True,
        text=True,
        check=False,  # git grep exits 1 when nothing matches
    ).stdout.split()
    text_files = {line.split(":", 1)[0] for line in lines}
    return [line for line in lines if not line.split(":", 2)[2].startswith(rename.DERIVED)] + [
        f"{path}: binary file" for path in binary if path not in text_files
    ]


def check_artifact_names(archive_names: dict[str, bytes], what: str, old: rename.Names) -> None:
    spell = rename.Spellings(old, PACKAGE, DIST)
    bad = []
    for name, data in archive_names.items():
        if spell.leftover.search(name):
            bad.append(name)
            continue
        text = data.decode("latin-1")
        for line in text.splitlines():
            if spell.leftover.search(line) and not line.startswith(rename.DERIVED):
                bad.append(f"{name}: {line.strip()[:100]}")
                break
    assert not bad, f"{what} still names {old.package}/{old.dist}:\n  " + "\n  ".join(bad)


def sdist_members(sdist: Path) -> dict[str, bytes]:
    members = {}
    with tarfile.open(sdist) as archive:
        for member in archive.getmembers():
            content = archive.extractfile(member) if member.isfile() else None
            if content is not None:
                members[member.name] = content.read()
    return members


def wheel_members(wheel: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(wheel) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--ref",
        default="HEAD",
        help="fork this commit (default: HEAD, which in CI's fresh clone is the working tree)",
    )
    parser.add_argument(
        "--worktree",
        action="store_true",
        help="fork the working tree instead, uncommitted changes and untracked files included",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument(
        "--full-profile",
        action="store_true",
        help="build with the release profile as wheels are (fat LTO, one codegen "
        "unit); by default this proof relaxes both to build faster",
    )
    args = parser.parse_args()
    timings: dict[str, float] = {}
    started = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="template-proof-"))
    try:
        fork = tmp / "fork"
        # 1. the fork
        step = time.perf_counter()
        make_fork(fork, None if args.worktree else args.ref)
        files = rename.tracked_files(fork)
        old = rename.current_names(fork, files)
        used = subprocess.run(
            ["git", "grep", "-l", "-i", "-E", "acme.?quokka"],
            cwd=fork,
            capture_output=True,
            text=True,
            check=False,  # git grep exits 1 when nothing matches
        ).stdout.split()
        assert not [p for p in used if not p.startswith(".ci/") and p != "TEMPLATE.md"], (
            f"the proof's names are used by the project itself: {used}"
        )
        print(f"fork of {old.package} ({old.dist}): {len(files)} files in {fork}")

        # The TEMPLATE.md example added before the rename, like any file added to the template
        # later: the rename must cover it with no change to the script.
        touched = add_template_example(fork, old.package)
        print("TEMPLATE.md example added:", ", ".join(touched))
        run("cargo", "fmt", "--check", cwd=fork)
        run("git", "add", "-A", cwd=fork)
        run(
            "git",
            "commit",
            "-q",
            "-m",
            "the TEMPLATE.md example",
            cwd=fork,
            env={**os.environ, **GIT_IDENTITY},
        )

        # 2. the rename, as TEMPLATE.md says
        run(
            sys.executable,
            fork / ".ci" / "rename.py",
            PACKAGE,
            "--dist-name",
            DIST,
            "--author",
            AUTHOR,
            "--url",
            URL,
            cwd=fork,
        )
        run(
            "git",
            "commit",
            "-q",
            "-m",
            f"Rename to {PACKAGE}",
            cwd=fork,
            env={**os.environ, **GIT_IDENTITY},
        )
        status = run(
            "git", "status", "--porcelain", "--untracked-files=all", cwd=fork, capture=True
        )
        assert not status, f"the rename left files out of the commit:\n{status}"
        # 3. nothing left behind
        left = leftovers(fork, old)
        assert not left, "the old names remain:\n  " + "\n  ".join(left)
        derived = run(
            "git",
            "grep",
            "-n",
            "-i",
            "-P",
            rename.Spellings(old, PACKAGE, DIST).leftover.pattern,
            cwd=fork,
            capture=True,
        )
        print(
            f"git grep: no {old.package} / {old.dist} left except the marked line:\n  "
            + derived.strip()
        )
        timings["copy + rename + checks"] = time.perf_counter() - step

        # 4. sdist, and a wheel from it
        step = time.perf_counter()
        env = {**os.environ, "CARGO_TARGET_DIR": str(tmp / "target")}
        if not args.full_profile:
            env.update(CARGO_PROFILE_RELEASE_LTO="off", CARGO_PROFILE_RELEASE_CODEGEN_UNITS="16")
        run(sys.executable, "-m", "build", "--outdir", fork / "dist", fork, env=env)
        stem = re.sub(r"[-_.]+", "_", DIST).lower()
        (sdist,) = (fork / "dist").glob("*.tar.gz")
        (wheel,) = (fork / "dist").glob("*.whl")
        assert sdist.name.startswith(f"{stem}-") and wheel.name.startswith(f"{stem}-"), (
            sdist.name,
            wheel.name,
        )
        check_artifact_names(sdist_members(sdist), sdist.name, old)
        members = wheel_members(wheel)
        check_artifact_names(members, wheel.name, old)
        native = sorted(n for n in members if n.endswith(".so"))
        assert any(n.startswith(f"{PACKAGE}/_core.") for n in native), native
        assert all(n.startswith(f"{PACKAGE}/") for n in native), native
        print(
            f"built {sdist.name} and, from it, {wheel.name}: {len(native)} native modules "
            f"under {PACKAGE}/, no old name in any file"
        )
        timings["build sdist + wheel"] = time.perf_counter() - step

        # 5. install, test from outside the copy, info
        step = time.perf_counter()
        venv = tmp / "venv"
        run(sys.executable, "-m", "venv", venv)
        python = venv / "bin" / "python"
        run(
            python,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            f"{wheel}[test]",
        )
        timings["install wheel + test extras"] = time.perf_counter() - step
        step = time.perf_counter()
        outside = tmp / "outside"
        shutil.copytree(fork / "tests", outside / "tests")
        with open(fork / "pyproject.toml", "rb") as f:
            addopts = tomllib.load(f)["tool"]["pytest"]["ini_options"]["addopts"]
        run(python, "-m", "pytest", "-p", "no:cacheprovider", "-q", *addopts, "tests", cwd=outside)
        info = run(python, "-m", PACKAGE, "info", cwd=outside, capture=True)
        print(info)
        assert info.startswith(f"{PACKAGE} ") and f"{PACKAGE}._core: Rust" in info, info
        # A broken install names the distribution to reinstall, not the package.
        broken = tmp / "broken"
        shutil.copytree(
            Path(
                run(
                    python,
                    "-c",
                    f"import {PACKAGE}; print({PACKAGE}.__path__[0])",
                    cwd=outside,
                    capture=True,
                ).strip()
            ),
            broken / PACKAGE,
        )
        for extension in (broken / PACKAGE / "stats").glob("_moments.*.so"):
            extension.unlink()
        failed = subprocess.run(
            [python, "-c", f"import {PACKAGE}.stats"],
            cwd=broken,
            capture_output=True,
            text=True,
            check=False,
        )
        assert f"pip install --force-reinstall {DIST}'" in failed.stderr, failed.stderr[-2000:]
        print(f"a missing extension says: pip install --force-reinstall {DIST}")
        run(python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "mypy>=1.18")
        modules = run(
            python,
            "-c",
            f"import {PACKAGE}._native as n; print(*n.NATIVE_MODULES)",
            cwd=outside,
            capture=True,
        ).split()
        assert "tally._kernels" in modules, modules
        # stubtest on every native module; only the example's stubs must pass here (the
        # project's own are the `tests` session's business, which runs the same check).
        stubtest = subprocess.run(
            [python, "-m", "mypy.stubtest", *(f"{PACKAGE}.{m}" for m in modules)],
            cwd=outside,
            capture_output=True,
            text=True,
            check=False,
        )
        print(stubtest.stdout + stubtest.stderr)
        errors = [line for line in stubtest.stdout.splitlines() if line.startswith("error: ")]
        example = [line for line in errors if re.search(r"\.tally\b|\.Tally\b", line)]
        assert not example, "the TEMPLATE.md example's stubs fail stubtest:\n" + "\n".join(example)
        print(f"stubtest: the example's stubs pass ({len(errors)} other finding(s) above)")
        timings["renamed test suite + info + stubtest"] = time.perf_counter() - step

        # 6. the renamed workflows still lint clean
        step = time.perf_counter()
        checks = fork / ".ci" / "release_checks.py"
        if checks.exists():
            run(sys.executable, checks, cwd=fork)
        else:
            bindir = Path(sys.executable).parent
            workflows = sorted((fork / ".github" / "workflows").glob("*.yml"))
            run(bindir / "actionlint", cwd=fork)
            run(
                bindir / "check-jsonschema",
                "--builtin-schema",
                "vendor.github-workflows",
                *workflows,
                cwd=fork,
            )
        timings["workflow and release checks"] = time.perf_counter() - step
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    print(
        f"\nTemplate proof passed: {old.package} ({old.dist}) renamed to {PACKAGE} ({DIST}), "
        "built, installed, tested, linted"
    )
    for what, seconds in timings.items():
        print(f"  {what:32s} {seconds:6.0f} s")
    print(f"  {'total':32s} {time.perf_counter() - started:6.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
