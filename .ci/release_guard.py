"""The checks that stand between built artifacts and a package index.

release.yml runs them (and .ci/release_checks.py tests them offline):

* ``version DIST`` prints the distribution name, version and whether it is a pre-release, read
  from the sdist's PKG-INFO (as ``key=value`` lines for ``$GITHUB_OUTPUT``).
* ``tag TAG DIST``: a release tag must be ``v`` + the PEP 440 version that was built, exactly as
  setuptools-scm normalised it (``v1.2.0`` builds ``1.2.0``), with no local part (indexes
  refuse those) and no dev part (a tag push that builds ``.devN`` was built from the wrong commit).
* ``artifacts DIST --expected FILE``: exactly one sdist and exactly one wheel per cibuildwheel
  build identifier listed in FILE, all of the same name and version: a missing wheel from any
  matrix job, an extra one, or a stray file stops the release. The final tag of each wheel
  counts, not the job that built it: a ``cp312-abi3`` wheel does not stand for ``cp312``,
  nor the other way round. Every wheel must carry its SBOM (``.dist-info/sboms/*.cdx.json``,
  listed in RECORD; .ci/sbom_check.py checks what it says).
* ``unpublished DIST``: the version must not be on the default package index yet. A re-run of a
  release fails here with a message instead of reaching the upload (which would also refuse:
  indexes never let a file be overwritten, and the upload is not told to skip existing files).

Only the standard library and ``packaging`` (a dependency of twine) are needed.
"""

from __future__ import annotations

import argparse
import email.parser
import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

from packaging.utils import canonicalize_name, parse_wheel_filename
from packaging.version import InvalidVersion, Version


class ReleaseError(Exception):
    """A check failed; the message says what is wrong and what to do."""


def sdist_of(dist: Path) -> Path:
    sdists = sorted(dist.glob("*.tar.gz"))
    if len(sdists) != 1:
        raise ReleaseError(
            f"expected exactly one sdist in {dist}, found {[p.name for p in sdists]}"
        )
    return sdists[0]


def sdist_metadata(dist: Path) -> tuple[str, str]:
    """(name, version) from the PKG-INFO at the top of the sdist."""
    sdist = sdist_of(dist)
    with tarfile.open(sdist) as archive:
        member = next(
            (
                m
                for m in archive.getmembers()
                if m.name.count("/") == 1 and m.name.endswith("/PKG-INFO")
            ),
            None,
        )
        if member is None:
            raise ReleaseError(f"{sdist.name} has no top-level PKG-INFO")
        content = archive.extractfile(member)
        if content is None:
            raise ReleaseError(f"{sdist.name}: {member.name} is not a regular file")
        text = content.read().decode()
    headers = email.parser.Parser().parsestr(text, headersonly=True)
    return headers["Name"], headers["Version"]


def check_tag(tag: str, version: str) -> None:
    if not tag.startswith("v"):
        raise ReleaseError(
            f"release tag {tag!r} must be 'v' followed by a PEP 440 version, e.g. v1.2.0"
        )
    try:
        tagged = Version(tag[1:])
    except InvalidVersion:
        raise ReleaseError(
            f"release tag {tag!r} is not 'v' + a PEP 440 version (e.g. v1.2.0, v1.2.0rc1): "
            "delete it and push a valid one"
        ) from None
    built = Version(version)
    if built.local or built.is_devrelease:
        raise ReleaseError(
            f"the build from tag {tag!r} has version {version}: the checkout was not exactly at the "
            "tag (or was dirty), so it is not a release build"
        )
    if tagged != built or str(tagged) != version:
        raise ReleaseError(
            f"release tag {tag!r} does not match the built version {version} "
            f"(expected tag v{version}): nothing is published"
        )


def identifier_matches(identifier: str, interpreter: str, abi: str, platform: str) -> bool:
    """Whether a wheel tag (interpreter, abi, platform) is what cibuildwheel builds for an
    identifier such as cp314t-manylinux_aarch64 or cp312-win_amd64: a version-specific wheel
    (the releases ship no abi3 wheel: RELEASING.md says why)."""
    python, _, target = identifier.partition("-")
    if interpreter != python.rstrip("t") or abi != python:
        return False
    family, _, arch = target.partition("_")
    if family in ("manylinux", "musllinux", "macosx"):
        return re.fullmatch(rf"{family}(_\d+_\d+|\d+)_{re.escape(arch)}", platform) is not None
    return platform == target


AUDITWHEEL_SBOM = "auditwheel.cdx.json"


def has_sbom(wheel: Path) -> bool:
    """Whether the wheel carries an SBOM of its own (not only auditwheel's) listed in RECORD."""
    try:
        with zipfile.ZipFile(wheel) as archive:
            names = archive.namelist()
            records = [n for n in names if re.fullmatch(r"[^/]+\.dist-info/RECORD", n)]
            record = archive.read(records[0]).decode() if len(records) == 1 else ""
    except zipfile.BadZipFile:
        return False
    sboms = [
        n
        for n in names
        if re.fullmatch(r"[^/]+\.dist-info/sboms/[^/]+\.cdx\.json", n)
        and not n.endswith("/" + AUDITWHEEL_SBOM)
    ]
    listed = {line.split(",", 1)[0] for line in record.splitlines()}
    return bool(sboms) and all(n in listed for n in sboms)


def read_expected(path: Path) -> list[str]:
    lines = (line.split("#", 1)[0].strip() for line in path.read_text().splitlines())
    return [line for line in lines if line]


def check_artifacts(dist: Path, expected: list[str]) -> tuple[str, str]:
    name, version = sdist_metadata(dist)
    wheels = sorted(dist.glob("*.whl"))
    others = sorted(
        p.name for p in dist.iterdir() if p.is_file() and not p.name.endswith((".whl", ".tar.gz"))
    )
    problems = []
    if others:
        problems.append(f"unexpected files: {others}")
    found: dict[str, list[str]] = {identifier: [] for identifier in expected}
    for wheel in wheels:
        wheel_name, wheel_version, _, tags = parse_wheel_filename(wheel.name)
        if wheel_name != canonicalize_name(name) or str(wheel_version) != version:
            problems.append(f"{wheel.name} is not {name} {version}")
        matches = {
            identifier
            for identifier in expected
            for tag in tags
            if identifier_matches(identifier, tag.interpreter, tag.abi, tag.platform)
        }
        if len(matches) != 1:
            problems.append(
                f"{wheel.name} matches {len(matches)} expected build identifiers "
                f"{sorted(matches)}, not one"
            )
        for identifier in matches:
            found[identifier].append(wheel.name)
        if not has_sbom(wheel):
            problems.append(f"{wheel.name} carries no SBOM (.dist-info/sboms/*.cdx.json in RECORD)")
    missing = [identifier for identifier, names in found.items() if not names]
    if missing:
        problems.append(
            f"no wheel for {len(missing)} expected build(s): {missing} "
            "(a matrix job failed or its artifact is missing)"
        )
    duplicated = {identifier: names for identifier, names in found.items() if len(names) > 1}
    if duplicated:
        problems.append(f"more than one wheel for {duplicated}")
    if problems:
        raise ReleaseError("the artifacts are not a complete release:\n  " + "\n  ".join(problems))
    print(f"{name} {version}: 1 sdist + {len(wheels)} wheels, one per expected build identifier")
    return name, version


def published_versions(name: str) -> set[str]:
    """Versions of `name` on pip's configured index (its default unless configured otherwise)."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "index",
            "versions",
            name,
            "--pre",
            "--disable-pip-version-check",
            "--no-cache-dir",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    output = result.stdout + result.stderr
    if result.returncode != 0:
        if "No matching distribution found" in output:
            return set()  # the project is not on the index yet
        raise ReleaseError(f"could not ask the package index for {name}'s versions:\n{output}")
    match = re.search(r"^Available versions:(.*)$", output, re.MULTILINE)
    if match is None:
        raise ReleaseError(f"unexpected answer from `pip index versions {name}`:\n{output}")
    return {v.strip() for v in match.group(1).split(",") if v.strip()}


def check_unpublished(name: str, version: str, published: set[str]) -> None:
    if any(Version(v) == Version(version) for v in published):
        raise ReleaseError(
            f"{name} {version} is already published: a release never overwrites files. "
            "Tag a new version to release again."
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("version").add_argument("dist", type=Path)
    tag = commands.add_parser("tag")
    tag.add_argument("tag")
    tag.add_argument("dist", type=Path)
    artifacts = commands.add_parser("artifacts")
    artifacts.add_argument("dist", type=Path)
    artifacts.add_argument("--expected", type=Path, required=True)
    commands.add_parser("unpublished").add_argument("dist", type=Path)
    args = parser.parse_args(argv)
    try:
        if args.command == "version":
            name, version = sdist_metadata(args.dist)
            prerelease = str(Version(version).is_prerelease).lower()
            print(f"name={name}\nversion={version}\nprerelease={prerelease}")
        elif args.command == "tag":
            _, version = sdist_metadata(args.dist)
            check_tag(args.tag, version)
            print(f"tag {args.tag} matches the built version {version}")
        elif args.command == "artifacts":
            check_artifacts(args.dist, read_expected(args.expected))
        elif args.command == "unpublished":
            name, version = sdist_metadata(args.dist)
            check_unpublished(name, version, published_versions(name))
            print(f"{name} {version} is not published yet")
    except ReleaseError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
