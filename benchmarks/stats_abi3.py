"""The per-call cost of the stable ABI: river_lite.stats built for abi3 against the
version-specific build, and both against River.

Run with the Python of a venv holding the version-specific build, and name the Python of a venv
of the same CPython version holding the abi3 build (``RIVER_LITE_LIMITED_API=3.12``,
RELEASING.md). Each per-value ``update`` is timed in both builds in alternating rounds (so that
load on the machine hits both alike) and River's in this process. Writes the ``stats-abi3``
section of benchmarks/RESULTS.md; RELEASING.md's decision on abi3 quotes it.

    python benchmarks/stats_abi3.py /path/to/abi3-venv/bin/python
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from _results import write_section  # benchmarks/_results.py, beside this script

from river_lite import stats as lite


def time_per_value(make, values: list[float]) -> float:
    stat = make()
    update = stat.update
    gc.disable()
    started = time.perf_counter()
    for x in values:
        update(x)
    elapsed = time.perf_counter() - started
    gc.enable()
    return elapsed


def best(measure, make, values, repeat: int) -> float:
    return min(measure(make, values) for _ in range(repeat))


# The per-value statistics whose update is one Cython method call (the rolling ones spend
# their time in Rust): where the stable ABI's slower calls would show.
PER_CALL = ["Quantile", "PeakToPeak", "EWMean", "EWVar", "IQR", "Kurtosis", "Skew", "Mean", "Var"]


def lite_factories() -> dict:
    return {name: getattr(lite, name) for name in PER_CALL} | {
        "Quantile": lambda: lite.Quantile(0.5)
    }


def build_kind() -> str:
    """'abi3' or 'version-specific': how the installed native modules were built."""
    from river_lite.stats import _moments

    return "abi3" if ".abi3." in Path(_moments.__file__).name else "version-specific"


def per_call_seconds(values: list[float], rounds: int) -> dict[str, float]:
    factories = lite_factories()
    return {name: best(time_per_value, factories[name], values, rounds) for name in PER_CALL}


def compare_abi3(abi3_python: str, values: list[float], river: dict[str, float], args) -> str:
    """The abi3 table: per-value update in this (version-specific) build and in the abi3 build
    installed for ``abi3_python``, in alternating rounds; the best of each."""
    here = platform.python_version()
    there = subprocess.run(
        [abi3_python, "-c", "import platform; print(platform.python_version())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert here == there, f"compare like with like: this is Python {here}, {abi3_python} is {there}"
    assert build_kind() == "version-specific", "run this script with the version-specific build"
    specific: dict[str, list[float]] = {name: [] for name in PER_CALL}
    abi3: dict[str, list[float]] = {name: [] for name in PER_CALL}
    for _ in range(args.repeat):
        for name, seconds in per_call_seconds(values, 1).items():
            specific[name].append(seconds)
        child = subprocess.run(
            [abi3_python, __file__, "--per-call-json", str(len(values))],
            capture_output=True,
            text=True,
            check=True,
        )
        report = json.loads(child.stdout)
        assert report["build"] == "abi3", f"{abi3_python} does not have the abi3 build installed"
        for name, seconds in report["seconds"].items():
            abi3[name].append(seconds)
    lines = [
        "## Online statistics: the stable-ABI (abi3) build against the version-specific one",
        "",
        (
            f"`python benchmarks/stats_abi3.py ABI3_PYTHON` — {len(values):,} `update(x)` calls "
            f"per run, best of {args.repeat} alternating rounds, Python {here}; the abi3 build was "
            "made with `RIVER_LITE_LIMITED_API=3.12` (wheel tag `cp312-abi3`). The target is "
            "0.6 x River or less per value."
        ),
        "",
        (
            "| statistic | River `update` | version-specific | abi3 | abi3 / version-specific "
            "| abi3 / River | target <= 0.6 |"
        ),
        "|---|---|---|---|---|---|---|",
    ]
    for name in PER_CALL:
        own, stable = min(specific[name]), min(abi3[name])
        print(f"{name:16s} version-specific {own:.4f} s  abi3 {stable:.4f} s ({stable / own:.2f}x)")
        ratio = stable / river[name]
        lines.append(
            f"| {name} | {river[name]:.3f} | {own:.4f} | {stable:.4f} | {stable / own:.2f} "
            f"| {ratio:.2f} | {'met' if ratio <= 0.6 else 'MISSED'} |"
        )
    return "\n".join(lines)


def river_seconds(values: list[float], repeat: int) -> dict[str, float]:
    from river import stats as river

    makers = {
        "Quantile": lambda: river.Quantile(0.5),
        "PeakToPeak": river.PeakToPeak,
        "EWMean": river.EWMean,
        "EWVar": river.EWVar,
        "IQR": river.IQR,
        "Kurtosis": river.Kurtosis,
        "Skew": river.Skew,
        "Mean": river.Mean,
        "Var": river.Var,
    }
    return {name: best(time_per_value, makers[name], values, repeat) for name in PER_CALL}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("abi3_python", nargs="?", help="the Python of a venv with the abi3 build")
    parser.add_argument("--n", type=int, default=1_000_000, help="update calls per run")
    parser.add_argument("--quick", action="store_true", help="100,000 calls per run")
    parser.add_argument("--repeat", type=int, default=5, help="alternating rounds")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--per-call-json", type=int, help=argparse.SUPPRESS)  # the abi3 child
    args = parser.parse_args()
    if args.per_call_json:
        values = np.random.default_rng(0).normal(size=args.per_call_json).tolist()
        json.dump({"build": build_kind(), "seconds": per_call_seconds(values, 1)}, sys.stdout)
        return
    if not args.abi3_python:
        # `nox -s benchmarks` runs every script: this one needs a second build to compare with.
        print("stats_abi3: skipped, no abi3 build named (RELEASING.md says how to make one)")
        return
    values = np.random.default_rng(0).normal(size=100_000 if args.quick else args.n).tolist()
    river = river_seconds(values, args.repeat)
    table = compare_abi3(args.abi3_python, values, river, args)
    print(table)
    if not args.no_write:
        write_section("stats-abi3", table.strip())


if __name__ == "__main__":
    main()
