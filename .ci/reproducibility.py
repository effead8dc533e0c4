"""Bit-identical rebuilds: the sdist and a wheel built a second time, elsewhere, must be the same
bytes as the first build.

.ci/packaging_proof.py calls :func:`rebuild_and_compare` with what it built from the checkout
(the sdist, a wheel built from it and the same wheel after ``auditwheel repair``). This module
builds them again from a fresh clone of HEAD at another path, with another CARGO_HOME (a copy
of the registry cache, so no download is needed), another RUSTUP_HOME (links to the same
toolchains), another TMPDIR and another working directory, and compares SHA-256. The first
build does not set SOURCE_DATE_EPOCH: setup.py takes it from the commit (sdist) and from the
sdist (wheel), its default; the second sets it to the commit's time, as release.yml does, so the
two ways must agree. auditwheel gets the epoch in both, as cibuildwheel passes the release's on.

It also compares any two artifacts for people rebuilding a release (RELEASING.md):

    python .ci/reproducibility.py compare A.whl B.whl     # same SHA-256, or what differs
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def members(path: Path) -> dict[str, tuple[str, bytes]]:
    """name -> (header facts, content) for the members of a wheel or a .tar.gz."""
    if path.name.endswith(".whl"):
        with zipfile.ZipFile(path) as archive:
            return {
                info.filename: (
                    f"date {info.date_time} attrs {info.external_attr:o}",
                    archive.read(info),
                )
                for info in archive.infolist()
            }
    found = {}
    with tarfile.open(path) as archive:
        for m in archive.getmembers():
            content = archive.extractfile(m) if m.isfile() else None
            found[m.name] = (
                f"mtime {m.mtime} mode {m.mode:o} owner {m.uid}:{m.gid} {m.uname}:{m.gname}",
                content.read() if content else b"",
            )
    return found


def differences(a: Path, b: Path) -> list[str]:
    """What differs between two archives, member by member (empty: only the container does)."""
    first, second = members(a), members(b)
    found = [f"only in the first: {n}" for n in sorted(first.keys() - second.keys())]
    found += [f"only in the second: {n}" for n in sorted(second.keys() - first.keys())]
    if list(first) != [n for n in second if n in first] and not found:
        found.append("members in another order")
    for name in sorted(first.keys() & second.keys()):
        (header_a, data_a), (header_b, data_b) = first[name], second[name]
        if header_a != header_b:
            found.append(f"{name}: {header_a} != {header_b}")
        if data_a != data_b:
            found.append(f"{name}: contents differ ({len(data_a)} and {len(data_b)} bytes)")
    return found


def compare(a: Path, b: Path) -> bool:
    same = sha256(a) == sha256(b)
    print(f"{'identical' if same else 'DIFFERENT'}: {a.name}")
    print(f"  {sha256(a)}  {a}\n  {sha256(b)}  {b}")
    if not same:
        for line in differences(a, b) or ["the members are the same: the compression differs"]:
            print(f"  {line}")
    return same


def other_cargo_home(tmp: Path) -> Path:
    """A new CARGO_HOME holding a copy of the current one's registry (index and .crate files:
    no network needed); cargo unpacks the sources there again, under the new path."""
    current = Path(os.environ.get("CARGO_HOME") or Path.home() / ".cargo")
    home = tmp / "another cargo home"
    for part in ("index", "cache"):
        if (current / "registry" / part).is_dir():
            shutil.copytree(current / "registry" / part, home / "registry" / part, symlinks=True)
    home.mkdir(parents=True, exist_ok=True)
    return home


def other_rustup_home(tmp: Path) -> Path | None:
    """A new RUSTUP_HOME whose entries link to the current one's (the same toolchains, found
    under another path), or None where rustup is not how Rust was installed."""
    current = Path(os.environ.get("RUSTUP_HOME") or Path.home() / ".rustup")
    if not (current / "toolchains").is_dir():
        return None
    home = tmp / "another-rustup-home"
    home.mkdir()
    for entry in current.iterdir():
        (home / entry.name).symlink_to(entry)
    return home


def clean_checkout() -> bool:
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return not status.stdout.strip()


def epoch_of(sdist: Path) -> int:
    """The SOURCE_DATE_EPOCH an sdist of this project carries (every member is dated with it)."""
    with tarfile.open(sdist) as archive:
        times = {m.mtime for m in archive.getmembers()}
    assert len(times) == 1, f"{sdist.name} members carry {len(times)} different times"
    return int(times.pop())


def check_dated(artifact: Path, epoch: int) -> None:
    """Every member of the artifact is dated with the epoch (zip: 2-second resolution, UTC)."""
    if artifact.name.endswith(".whl"):
        want = time.gmtime(epoch)[:6]
        want = (*want[:5], want[5] - want[5] % 2)
        with zipfile.ZipFile(artifact) as archive:
            dates = {info.date_time for info in archive.infolist()}
        assert dates == {want}, f"{artifact.name}: member dates {sorted(dates)}, not {want}"
    else:
        assert epoch_of(artifact) == epoch


def rebuild_and_compare(
    sdist: Path,
    wheel: Path,
    repaired: Path,
    build_sdist: Callable[[Path, Path, dict], Path],
    build_wheel: Callable[[Path, Path, dict], Path],
    repair: Callable[[Path, Path, dict], Path],
) -> dict[str, str]:
    """Builds sdist, wheel and repaired wheel again with the given functions (source or
    artifact, output directory, environment) in another place, and compares; returns the
    SHA-256 of each artifact (the same in both builds) or raises AssertionError."""
    if not clean_checkout():
        message = "the checkout has uncommitted changes: the rebuild (a clone of HEAD) differs"
        if os.environ.get("CI"):
            raise AssertionError(message)
        print(f"reproducibility check SKIPPED: {message}; commit, then run it again")
        return {}
    started = time.perf_counter()
    commit_time = int(
        subprocess.run(
            ["git", "log", "-1", "--format=%ct"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    epoch = epoch_of(sdist)
    assert epoch == commit_time, f"the sdist is dated {epoch}, HEAD was committed at {commit_time}"
    for artifact in (sdist, wheel, repaired):
        check_dated(artifact, epoch)
    print(f"first build: every member of the sdist and the wheels dated {epoch} (HEAD's time)")

    with tempfile.TemporaryDirectory(prefix="rebuild-") as name:
        tmp = Path(name)
        source = tmp / "some" / "other place" / ROOT.name
        subprocess.run(["git", "clone", "-q", "--no-local", str(ROOT), str(source)], check=True)
        env = {**os.environ, "SOURCE_DATE_EPOCH": str(commit_time)}
        env["CARGO_HOME"] = str(other_cargo_home(tmp))
        rustup = other_rustup_home(tmp)
        if rustup:
            env["RUSTUP_HOME"] = str(rustup)
        (tmp / "tmp").mkdir()
        env["TMPDIR"] = str(tmp / "tmp")
        print(
            "second build in",
            source,
            *(
                f"\n  {k}={env[k]}"
                for k in ("CARGO_HOME", "RUSTUP_HOME", "TMPDIR", "SOURCE_DATE_EPOCH")
                if k in env
            ),
            flush=True,
        )
        sdist_2 = build_sdist(source, tmp / "dist", env)
        wheel_2 = build_wheel(sdist_2, tmp / "wheel", env)
        repaired_2 = repair(wheel_2, tmp / "wheelhouse", env)
        pairs = [(sdist, sdist_2), (wheel, wheel_2), (repaired, repaired_2)]
        results = [compare(a, b) for a, b in pairs]
    assert all(results), "the second build is not byte-identical to the first (see above)"
    print(
        f"reproducibility: 3 artifacts rebuilt byte for byte ({time.perf_counter() - started:.0f} s)"
    )
    return {a.name: sha256(a) for a, _ in pairs}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    comparison = commands.add_parser("compare", help="compare two sdists or two wheels")
    comparison.add_argument("first", type=Path)
    comparison.add_argument("second", type=Path)
    args = parser.parse_args()
    return 0 if compare(args.first, args.second) else 1


if __name__ == "__main__":
    sys.exit(main())
