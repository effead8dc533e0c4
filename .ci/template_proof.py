"""Proof that a fork of this template, renamed and stripped, still builds, tests and packages.

Three forks, one per way TEMPLATE.md section 1 offers (``--minimal``; ``--keep stats``;
``--keep classifier,sampler``). For each:

1. Copy the repository (the files of HEAD, or with --worktree the working tree's) to a temporary
   directory and make it a fresh git repository: a fork.
2. Rename and strip it with .ci/rename.py, to names used nowhere in the project, with a
   distribution name that differs from the import name (as pypa/sampleproject teaches).
3. ``git grep`` finds no old name (except the LICENSE line marked "Derived from") and nothing of
   the removed modules: their import paths, Rust module paths, and public names (those that are
   also plain English words, like ``Mean``, only where qualified); Cargo.lock holds exactly the
   crates the remaining dependencies reach, and cargo accepts it as it is, offline.
4. Build the sdist and a wheel from that sdist (``python -m build``), and check both name only
   the new package.
5. Install the wheel into a fresh venv, run the remaining tests from a directory outside the
   copy, the console script's ``info`` and ``demo``, and mypy's stubtest of every native module.
6. ``cargo test`` and clippy (with and without the bindings), ruff and ``cargo fmt``, and the
   fork's own .ci/release_checks.py (workflow linters, cibuildwheel matrix, consistency rules).

Run from anywhere with a Python that has the tools of .ci/requirements-tools.txt (``nox -s
template`` runs it after the rename script's own tests, .ci/test_rename.py). The forks share one
CARGO_TARGET_DIR, so the dependencies are compiled once.
"""

from __future__ import annotations

import argparse
import ast
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
from dataclasses import dataclass
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / ".ci"))
import rename
import strip

AUTHOR = "Acme Maintainers <maintainers@example.com>"
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "template proof",
    "GIT_AUTHOR_EMAIL": "proof@example.com",
    "GIT_COMMITTER_NAME": "template proof",
    "GIT_COMMITTER_EMAIL": "proof@example.com",
}


@dataclass
class Variant:
    """One fork: its rename arguments and the names it gets (used by no test of the project,
    checked below; the distribution name differs from the import name)."""

    label: str
    strip_args: list[str]
    package: str
    dist: str

    @property
    def url(self) -> str:
        return f"https://github.com/acme/{self.dist}"


# The template's own checks of the rename and the strip: they name its modules on purpose.
TEMPLATE_OWN = [":!.ci/test_rename.py", ":!.ci/template_proof.py"]

VARIANTS = [
    Variant("--minimal", ["--minimal"], "acme_quokka", "acme-quokka-kit"),
    Variant("--keep stats", ["--keep", "stats"], "acme_wombat", "acme-wombat-stats"),
    Variant(
        "--keep classifier,sampler",
        ["--keep", "classifier,sampler"],
        "acme_numbat",
        "acme-numbat-learn",
    ),
]


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


def leftovers(fork: Path, old: rename.Names, variant: Variant) -> list[str]:
    """Lines of tracked files that still name the old package, except "Derived from" lines."""
    pattern = rename.Spellings(old, variant.package, variant.dist).leftover.pattern
    result = subprocess.run(
        ["git", "grep", "-n", "-I", "-i", "-P", pattern],
        cwd=fork,
        capture_output=True,
        text=True,
        check=False,
    )
    lines = result.stdout.splitlines()
    binary = subprocess.run(
        ["git", "grep", "-l", "-i", "-P", pattern],
        cwd=fork,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split()
    text_files = {line.split(":", 1)[0] for line in lines}
    return [line for line in lines if not line.split(":", 2)[2].startswith(rename.DERIVED)] + [
        f"{path}: binary file" for path in binary if path not in text_files
    ]


def public_names(root: Path, package: str, module: str) -> list[str]:
    """The ``__all__`` of a module, read from its source."""
    tree = ast.parse((root / package / module / "__init__.py").read_text())
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets)
            and isinstance(node.value, ast.List | ast.Tuple)
        ):
            return [ast.literal_eval(e) for e in node.value.elts]
    return []


def traces_of(fork: Path, package: str, module: str, names: list[str]) -> list[str]:
    """Lines of the fork that still refer to a removed module."""
    # A public name that is also an English word ("Mean", "Count") is looked for only where it
    # is qualified; the others (RollingQuantile, SGDClassifier, scaled_t_gibbs...) anywhere.
    words = [n for n in names if re.fullmatch(r"[A-Z][a-z]+", n)]
    distinct = [n for n in names if n not in words and n not in ("model", "result")]
    patterns = [
        rf"\b{package}[./]{module}\b",  # its import path
        rf"\b(engine|bindings)::{module}\b",  # its Rust module paths
        rf"\bmod {module}\b",
        rf"rust_src/(engine|bindings)/{module}\b",
        rf"(^|[^\w.]){module}\.({'|'.join(names)})\b" if names else None,
        rf"\b({'|'.join(map(re.escape, distinct))})\b" if distinct else None,
    ]
    found = []
    for pattern in filter(None, patterns):
        result = subprocess.run(
            # Not the template's own tests of the strip, which name its modules on purpose
            # (they skip in a renamed fork: `nox -s template`).
            ["git", "grep", "-n", "-I", "-P", pattern, "--", ".", *TEMPLATE_OWN],
            cwd=fork,
            capture_output=True,
            text=True,
            check=False,
        )
        found += result.stdout.splitlines()
    return sorted(set(found))


def lock_crates(lock_text: str) -> dict[str, set[str]]:
    """Cargo.lock as {crate: the crates it depends on}."""
    packages = tomllib.loads(lock_text)["package"]
    return {p["name"]: {d.split()[0] for d in p.get("dependencies", [])} for p in packages}


def expected_crates(original_lock: str, manifest: str) -> set[str]:
    """The crates the manifest's dependencies reach in the original lock's graph (all
    features: the bindings' optional ones included). A crate outside it was used only by what
    was removed; the pruned lock may hold fewer (a feature only a removed crate turned on can
    drop a dependency of a kept one), and cargo checks that it is complete."""
    graph = lock_crates(original_lock)
    config = tomllib.loads(manifest)
    roots = {config["package"]["name"]}
    for table in ("dependencies", "dev-dependencies", "build-dependencies"):
        roots |= set(config.get(table, {}))
    reached, todo = set(), list(roots)
    while todo:
        crate = todo.pop()
        if crate not in reached:
            reached.add(crate)
            todo += graph.get(crate, ())
    return reached


def check_artifact_names(
    members: dict[str, bytes], what: str, old: rename.Names, variant: Variant
) -> None:
    spell = rename.Spellings(old, variant.package, variant.dist)
    bad = []
    for name, data in members.items():
        if spell.leftover.search(name):
            bad.append(name)
            continue
        for line in data.decode("latin-1").splitlines():
            if spell.leftover.search(line) and not line.startswith(rename.DERIVED):
                bad.append(f"{name}: {line.strip()[:100]}")
                break
    assert not bad, f"{what} still names {old.package}/{old.dist}:\n  " + "\n  ".join(bad)


def sdist_members(sdist: Path) -> dict[str, bytes]:
    with tarfile.open(sdist) as archive:
        members = {}
        for member in archive.getmembers():
            content = archive.extractfile(member) if member.isfile() else None
            if content is not None:
                members[member.name] = content.read()
        return members


def wheel_members(wheel: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(wheel) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def lines_of_code(fork: Path) -> int:
    files = rename.tracked_files(fork)
    source = [f for f in files if f.endswith((".py", ".pyx", ".pxi", ".pyi", ".rs"))]
    return sum(len((fork / f).read_text(errors="replace").splitlines()) for f in source)


def prove(variant: Variant, tmp: Path, ref: str | None, env: dict[str, str]) -> dict[str, object]:
    """Makes, renames, strips and checks one fork; returns its figures."""
    report: dict[str, object] = {}
    timings: dict[str, float] = {}
    step = time.perf_counter()
    fork = tmp / "fork"
    make_fork(fork, ref)
    files = rename.tracked_files(fork)
    old = rename.current_names(fork, files)
    used = subprocess.run(
        ["git", "grep", "-l", "-i", "-E", variant.package.replace("_", ".?")],
        cwd=fork,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split()
    assert not [p for p in used if not p.startswith(".ci/")], (
        f"the proof's names are used by the project itself: {used}"
    )
    before = strip.present_modules(fork, old.package)
    names = {m: public_names(fork, old.package, m) for m in before}
    original_lock = (fork / "Cargo.lock").read_text()
    report["lines before"] = lines_of_code(fork)

    # 2. rename and strip, as TEMPLATE.md says
    output = run(
        sys.executable,
        fork / ".ci" / "rename.py",
        variant.package,
        "--dist-name",
        variant.dist,
        "--author",
        AUTHOR,
        "--url",
        variant.url,
        *variant.strip_args,
        cwd=fork,
        capture=True,
    )
    print(output)
    report["deleted"] = len(re.findall(r"^  deleted  ", output, re.MULTILINE))
    report["edited by the strip"] = len(re.findall(r"^  edited   ", output, re.MULTILINE))
    report["added"] = len(re.findall(r"^  added    ", output, re.MULTILINE))
    run(
        "git",
        "commit",
        "-q",
        "-m",
        f"Rename to {variant.package} {variant.label}",
        cwd=fork,
        env={**os.environ, **GIT_IDENTITY},
    )
    status = run("git", "status", "--porcelain", "--untracked-files=all", cwd=fork, capture=True)
    assert not status, f"the rename left files out of the commit:\n{status}"
    after = strip.present_modules(fork, variant.package)
    removed = [m for m in before if m not in after]
    report["modules"] = ", ".join(after)

    # 3. nothing left behind: the old name, the removed modules, their crates
    left = leftovers(fork, old, variant)
    assert not left, "the old names remain:\n  " + "\n  ".join(left)
    traces = [t for m in removed for t in traces_of(fork, variant.package, m, names[m])]
    assert not traces, "the removed modules remain:\n  " + "\n  ".join(traces)
    lock = lock_crates((fork / "Cargo.lock").read_text())
    reachable = expected_crates(original_lock, (fork / "Cargo.toml").read_text())
    only_removed = set(lock_crates(original_lock)) - reachable
    assert not (set(lock) & only_removed), (
        f"Cargo.lock keeps crates only removed modules used: {sorted(set(lock) & only_removed)}"
    )
    run(
        "cargo",
        "metadata",
        "--locked",
        "--offline",
        "--format-version",
        "1",
        cwd=fork,
        capture=True,
    )
    report["crates pruned"] = len(lock_crates(original_lock)) - len(lock)
    print(
        f"{variant.label}: kept {after}, removed {removed}; nothing of them is left; Cargo.lock "
        f"holds the {len(lock)} crates the remaining dependencies reach "
        f"({report['crates pruned']} pruned), cargo accepts it offline"
    )
    timings["fork, rename, strip, checks"] = time.perf_counter() - step

    # 4. sdist, and a wheel from it
    step = time.perf_counter()
    run(sys.executable, "-m", "build", "--outdir", fork / "dist", fork, env=env)
    stem = re.sub(r"[-_.]+", "_", variant.dist).lower()
    (sdist,) = (fork / "dist").glob("*.tar.gz")
    (wheel,) = (fork / "dist").glob("*.whl")
    assert sdist.name.startswith(f"{stem}-") and wheel.name.startswith(f"{stem}-"), (sdist, wheel)
    check_artifact_names(sdist_members(sdist), sdist.name, old, variant)
    members = wheel_members(wheel)
    check_artifact_names(members, wheel.name, old, variant)
    native = sorted(n for n in members if n.endswith(".so"))
    assert any(n.startswith(f"{variant.package}/_core.") for n in native), native
    timings["sdist + wheel from it"] = time.perf_counter() - step

    # 5. install, test from outside the copy, the console script, stubtest
    step = time.perf_counter()
    venv = tmp / "venv"
    run(sys.executable, "-m", "venv", venv)
    python = venv / "bin" / "python"
    run(python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", f"{wheel}[test]")
    outside = tmp / "outside"
    shutil.copytree(fork / "tests", outside / "tests")
    with open(fork / "pyproject.toml", "rb") as f:
        pytest_config = tomllib.load(f)["tool"]["pytest"]["ini_options"]
    tests = run(
        python,
        "-m",
        "pytest",
        "-p",
        "no:cacheprovider",
        "-q",
        *pytest_config["addopts"],
        "tests",
        cwd=outside,
        capture=True,
    )
    print(tests[-3000:])
    report["tests"] = re.findall(
        r"^=*\s*(\d+ passed.*?)(?: in [\d.]+s)?\s*=*$", tests, re.MULTILINE
    )[-1]
    script = venv / "bin" / variant.dist
    info = run(script, "info", cwd=fork, capture=True)  # from the fork's root: immune
    print(info)
    assert info.startswith(f"{variant.package} ") and f"{variant.package}._core: Rust" in info, info
    demo = run(script, "demo", cwd=outside, capture=True)
    print(demo)
    assert demo.strip(), "the demo printed nothing"
    run(python, fork / ".ci" / "stubtest.py")
    timings["install, tests, info, demo, stubtest"] = time.perf_counter() - step

    # 6. the engine's tests and lints, and the fork's own release checks
    step = time.perf_counter()
    cargo_env = {**os.environ, "CARGO_TARGET_DIR": env["CARGO_TARGET_DIR"] + "-debug"}
    run("cargo", "fmt", "--check", cwd=fork)
    for features in ([], ["--features", "python"]):
        run(
            "cargo",
            "clippy",
            "--locked",
            "--quiet",
            "--all-targets",
            *features,
            "--",
            "-D",
            "warnings",
            cwd=fork,
            env=cargo_env,
        )
    run("cargo", "test", "--locked", "--quiet", cwd=fork, env=cargo_env)
    bindir = Path(sys.executable).parent
    run(bindir / "ruff", "check", "--quiet", ".", cwd=fork)
    run(bindir / "ruff", "format", "--check", "--quiet", ".", cwd=fork)
    run(sys.executable, fork / ".ci" / "release_checks.py", cwd=fork)
    timings["cargo test + clippy, linters"] = time.perf_counter() - step
    report["lines after"] = lines_of_code(fork)
    report["timings"] = timings
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ref", default="HEAD", help="fork this commit (default: HEAD)")
    parser.add_argument(
        "--worktree",
        action="store_true",
        help="fork the working tree instead, uncommitted changes and untracked files included",
    )
    parser.add_argument(
        "--variant",
        action="append",
        choices=[v.label for v in VARIANTS],
        help="run only this variant (repeatable; default: all)",
    )
    parser.add_argument("--keep-tmp", action="store_true", help="keep the temporary directory")
    parser.add_argument(
        "--full-profile",
        action="store_true",
        help="build with the release profile as wheels are (fat LTO, one codegen "
        "unit); by default this proof relaxes both to build faster",
    )
    args = parser.parse_args()
    started = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="template-proof-"))
    env = {**os.environ, "CARGO_TARGET_DIR": str(tmp / "target")}
    if not args.full_profile:
        env.update(CARGO_PROFILE_RELEASE_LTO="off", CARGO_PROFILE_RELEASE_CODEGEN_UNITS="16")
    reports = {}
    try:
        for variant in VARIANTS:
            if args.variant and variant.label not in args.variant:
                continue
            print(f"\n===== template proof: {variant.label} ({variant.package}, {variant.dist})")
            (tmp / variant.package).mkdir()
            reports[variant.label] = prove(
                variant, tmp / variant.package, None if args.worktree else args.ref, env
            )
    finally:
        if args.keep_tmp:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    print("\nTemplate proof passed: each fork renamed, stripped, built, installed, tested, linted")
    for label, report in reports.items():
        print(
            f"  {label}: modules {report['modules']}; {report['deleted']} files deleted, "
            f"{report['edited by the strip']} edited by the strip, {report['added']} added; "
            f"{report['lines before']} -> {report['lines after']} lines of code; "
            f"{report['crates pruned']} crates pruned from Cargo.lock; tests: {report['tests']}"
        )
        timings = report["timings"]
        assert isinstance(timings, dict)
        for what, seconds in timings.items():
            print(f"      {what:40s} {seconds:6.0f} s")
    print(f"  {'total':44s} {time.perf_counter() - started:6.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
