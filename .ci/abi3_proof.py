"""The stable-ABI switch of setup.py (``RIVER_LITE_LIMITED_API``), proven on this machine.

.ci/packaging_proof.py calls :func:`prove` with its sdist, its CPythons and its build, repair
and test steps:

1. An unsupported value stops the build at once, naming the allowed values, before anything
   is compiled.
2. ``RIVER_LITE_LIMITED_API=3.12`` on the oldest local CPython >= 3.12 builds a wheel tagged
   ``cp312-abi3`` whose every extension module is an ``.abi3.so``, with its SBOM; ``auditwheel
   repair`` keeps the tag; ``abi3audit --strict`` finds no symbol outside the 3.12 stable ABI.
3. The repaired wheel is installed on every local CPython >= 3.12 and the full suite runs.

A free-threaded interpreter ignores the variable (setup.py says so); there is none on this
machine, so that path is proven by the release's cp314t/cp315t wheels, whose tags
.ci/release_guard.py checks.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import tomllib

sys.path.insert(0, str(Path(__file__).resolve().parent))
import sbom_check

ROOT = Path(__file__).resolve().parent.parent
VARIABLE = "RIVER_LITE_LIMITED_API"
FLOOR = (3, 12)


def version_of(python: Path) -> tuple[int, int]:
    out = subprocess.run(
        [str(python), "-c", "import sys; print(*sys.version_info[:2])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    major, minor = out.split()
    return int(major), int(minor)


def check_bad_value_fails_fast(python: Path, sdist: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="abi3-bad-value-") as tmp:
        venv = Path(tmp) / "venv"
        subprocess.run([str(python), "-m", "venv", str(venv)], check=True)
        with open(ROOT / "pyproject.toml", "rb") as f:
            requires = tomllib.load(f)["build-system"]["requires"]
        pip = [str(venv / "bin" / "python"), "-m", "pip"]
        subprocess.run([*pip, "install", "--quiet", *requires], check=True)
        started = time.perf_counter()
        result = subprocess.run(
            [*pip, "wheel", "--no-deps", "--no-build-isolation", "--wheel-dir", tmp, str(sdist)],
            env={**os.environ, VARIABLE: "3.9"},
            check=False,
            capture_output=True,
            text=True,
        )
        output = result.stdout + result.stderr
        assert result.returncode != 0, f"{VARIABLE}=3.9 built a wheel"
        assert f"{VARIABLE}='3.9' is not supported" in output and "3.12" in output, output[-3000:]
        assert "gcc" not in output and "Compiling" not in output, "it compiled before refusing"
        print(
            f"{VARIABLE}=3.9 is refused at once ({time.perf_counter() - started:.1f} s), "
            "naming the allowed values"
        )


def check_abi3_wheel(wheel: Path, floor: str) -> None:
    python, abi = wheel.name.split("-")[2:4]
    assert (python, abi) == (floor, "abi3"), f"{wheel.name} is not tagged {floor}-abi3"
    with zipfile.ZipFile(wheel) as archive:
        native = [n for n in archive.namelist() if n.endswith((".so", ".pyd"))]
    not_abi3 = [n for n in native if not n.endswith(".abi3.so")]
    assert native and not not_abi3, f"{wheel.name}: modules not built for abi3: {not_abi3}"
    abi3audit = Path(sys.executable).parent / "abi3audit"
    subprocess.run([str(abi3audit), "--strict", "--verbose", str(wheel)], check=True)
    print(f"{wheel.name}: {len(native)} .abi3.so modules, abi3audit --strict clean")


def prove(
    sdist: Path,
    pythons: list[Path],
    *,
    build_wheel: Callable[[Path, Path, Path, dict], Path],
    repair: Callable[[Path, Path], Path],
    test: Callable[[Path, Path], None],
) -> Path:
    """Returns the repaired abi3 wheel (kept out of wheelhouse/: releases do not ship it)."""
    eligible = [p for p in pythons if version_of(p) >= FLOOR]
    assert eligible, f"no local CPython >= {FLOOR[0]}.{FLOOR[1]} to build the abi3 wheel with"
    floor = f"cp{FLOOR[0]}{FLOOR[1]}"
    check_bad_value_fails_fast(eligible[0], sdist)
    out = ROOT / "build" / "abi3"
    with tempfile.TemporaryDirectory(prefix="abi3-") as tmp:
        env = {**os.environ, VARIABLE: f"{FLOOR[0]}.{FLOOR[1]}"}
        wheel = build_wheel(eligible[0], sdist, Path(tmp), env)
        check_abi3_wheel(wheel, floor)
        print(sbom_check.check_wheel(wheel))
        for old in out.glob("*.whl"):
            old.unlink()
        repaired = repair(wheel, out)
    assert re.search(rf"-{floor}-abi3-manylinux", repaired.name), repaired.name
    check_abi3_wheel(repaired, floor)
    print(sbom_check.check_wheel(repaired))
    for python in eligible:
        print(f"\nthe abi3 wheel on CPython {'.'.join(map(str, version_of(python)))}:")
        test(python, repaired)
    return repaired
