"""river_lite.stats against River, in one process, on the origin write-up's benchmark.

The nine statistics of the River + Rust write-up (plus Mean and Var), fed 1,000,000 values
(the rolling ones: window 1,000,000 over 2,000,000 values), three ways:

* River's public class, one ``update(x)`` call per value (the peer);
* river_lite, one ``update(x)`` call per value;
* river_lite, one ``update_many(array)`` call.

Times are seconds per run, the best of several: ``--repeat`` runs of each per-value loop and
five times as many of ``update_many`` (milliseconds each), which keeps a burst of load on a
shared machine out of the table; for the rolling statistics three runs of river_lite and one
of River (minutes each). Ratios are what to read: absolute times move by up to 3x between runs
on shared machines. Writes its table between the ``stats`` markers of
benchmarks/RESULTS.md and a bar chart to benchmarks/stats.png.

    python benchmarks/stats.py            # the full benchmark (~10 minutes, River's rolling
                                          # quantiles take ~3.5 minutes each)
    python benchmarks/stats.py --quick    # 100,000 values, window 10,000: seconds, for CI

The stable-ABI build (``RIVER_LITE_LIMITED_API``, RELEASING.md) is compared with the running,
version-specific one when ``--abi3-python`` names an interpreter of the same CPython version
that has the abi3 wheel installed: each per-value ``update`` is timed in both (in alternating
rounds, so that load on the machine hits both alike) and against River.

    python benchmarks/stats.py --abi3-python /path/to/abi3-venv/bin/python

It then times the scale-out pattern (its own section, ``stats-dask``): every mergeable statistic
of 20,000,000 values, in one process with ``update_many``, and on a local dask.distributed
cluster of two worker processes, ``update_many`` per chunk and a tree of ``+`` merges. Wall
time and CPU time (of every process involved) are reported side by side.

    python benchmarks/stats.py --part dask   # the dask section alone (a minute)
"""

from __future__ import annotations

import argparse
import gc
import json
import operator
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from _results import write_section  # benchmarks/_results.py, beside this script

from river_lite import __version__
from river_lite import stats as lite

HERE = Path(__file__).resolve().parent


def statistics(window: int):
    """(name, River factory, river_lite factory, rolling?) for every benchmarked statistic."""
    from river import stats as river

    return [
        ("Quantile", lambda: river.Quantile(0.5), lambda: lite.Quantile(0.5), False),
        ("PeakToPeak", river.PeakToPeak, lite.PeakToPeak, False),
        ("EWMean", river.EWMean, lite.EWMean, False),
        ("EWVar", river.EWVar, lite.EWVar, False),
        ("IQR", river.IQR, lite.IQR, False),
        ("Kurtosis", river.Kurtosis, lite.Kurtosis, False),
        ("Skew", river.Skew, lite.Skew, False),
        ("Mean", river.Mean, lite.Mean, False),
        ("Var", river.Var, lite.Var, False),
        (
            "RollingQuantile",
            lambda: river.RollingQuantile(0.5, window),
            lambda: lite.RollingQuantile(0.5, window),
            True,
        ),
        ("RollingIQR", lambda: river.RollingIQR(window), lambda: lite.RollingIQR(window), True),
    ]


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


def time_update_many(make, values: np.ndarray) -> float:
    stat = make()
    started = time.perf_counter()
    stat.update_many(values)
    return time.perf_counter() - started


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
        "",
        "### Stable ABI (abi3) against the version-specific build",
        "",
        (
            f"`python benchmarks/stats.py --abi3-python ...` — {len(values):,} `update(x)` calls "
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


def write_results(rows, args, n: int, rolling_n: int, window: int, extra: str = "") -> None:
    import river

    lines = [
        "## Online statistics: river_lite vs River",
        "",
        (
            f"`python benchmarks/stats.py{' --quick' if args.quick else ''}` — {n:,} updates "
            f"(rolling: window {window:,} over {rolling_n:,} updates); River {river.__version__}, "
            f"river_lite {__version__}, NumPy {np.__version__}, Python {platform.python_version()}, "
            f"{platform.machine()}. Seconds per run, best of {args.repeat} (`update_many`: of "
            f"{5 * args.repeat}; rolling: River once, river_lite best of 3); ratios are river_lite "
            "/ River (lower is better) except the last column."
        ),
        "",
        (
            "| statistic | River `update` | river_lite `update` | ratio | river_lite `update_many` "
            "| ratio | per-value / `update_many` |"
        ),
        "|---|---|---|---|---|---|---|",
    ]
    for name, river_s, lite_s, many_s in rows:
        lines.append(
            f"| {name} | {river_s:.3f} | {lite_s:.3f} | {lite_s / river_s:.2f} | {many_s:.4f} "
            f"| {many_s / river_s:.4f} | {lite_s / many_s:.1f}x |"
        )
    lines.append("")
    lines.append("![river_lite vs River, time per update (log scale)](stats.png)")
    section = "\n".join(lines) + extra

    write_section("stats", section)


def plot(rows, n: int, rolling_n: int, window: int) -> None:
    import matplotlib as mpl

    mpl.use("Agg")
    import matplotlib.pyplot as plt

    names = [row[0] for row in rows]
    counts = [rolling_n if name.startswith("Rolling") else n for name in names]
    series = {
        "River update(x)": [row[1] for row in rows],
        "river_lite update(x)": [row[2] for row in rows],
        "river_lite update_many": [row[3] for row in rows],
    }
    x = np.arange(len(names))
    fig, ax = plt.subplots(figsize=(11, 4.5))
    for i, (label, seconds) in enumerate(series.items()):
        ns = [s / c * 1e9 for s, c in zip(seconds, counts, strict=True)]
        ax.bar(x + (i - 1) * 0.27, ns, width=0.27, label=label)
    ax.set_yscale("log")
    ax.set_ylabel("ns per update (log)")
    ax.set_xticks(x, names, rotation=30, ha="right")
    ax.set_title(f"{n:,} updates; rolling: window {window:,} over {rolling_n:,} updates")
    ax.legend()
    fig.tight_layout()
    fig.savefig(HERE / "stats.png", dpi=110)
    print(f"wrote {HERE / 'stats.png'}")


# The statistics that merge with `+` (docs/scaling_out.md), with their constructors.
MERGEABLE = {
    "Count": lite.Count,
    "Mean": lite.Mean,
    "Var": lite.Var,
    "Min": lite.Min,
    "Max": lite.Max,
    "PeakToPeak": lite.PeakToPeak,
    "Skew": lite.Skew,
    "Kurtosis": lite.Kurtosis,
}


def summaries(values: np.ndarray) -> tuple:
    """Every mergeable statistic of ``values``: one chunk's share of the work."""
    made = tuple(make() for make in MERGEABLE.values())
    for stat in made:
        stat.update_many(values)
    return made


def merged(a: tuple, b: tuple) -> tuple:
    return tuple(map(operator.add, a, b))


def tree_of_merges(parts: list):
    """``parts`` (dask delayed values) merged pairwise, level by level."""
    import dask

    while len(parts) > 1:
        evens, odds = parts[0::2], parts[1::2]
        pairs = [dask.delayed(merged)(a, b) for a, b in zip(evens, odds, strict=False)]
        parts = pairs + parts[len(pairs) * 2 :]
    return parts[0]


def cpu_seconds() -> float:
    """CPU time of this process, all threads (the client and, for a local cluster, the
    scheduler, which runs here)."""
    return time.process_time()


def scale_out(args) -> None:
    """The dask section: one process against a local cluster of two worker processes."""
    import dask
    import dask.array as da
    import distributed

    n, chunks = (2_000_000, 8) if args.quick else (20_000_000, 16)
    repeat = args.repeat
    with (
        distributed.LocalCluster(
            n_workers=2,
            processes=True,
            threads_per_worker=1,
            host="127.0.0.1",
            dashboard_address=None,
            scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        # The data lives on the workers, as in a scale-out; a copy comes here for one process.
        x = 1e9 + da.random.default_rng(0).standard_gamma(2.0, n, chunks=n // chunks)
        x = x.persist()
        distributed.wait(x)
        values = x.compute()
        graph = tree_of_merges([dask.delayed(summaries)(b) for b in x.to_delayed().ravel()])

        def one_process():
            return summaries(values)

        def on_the_cluster():
            return graph.compute()

        rows = {}
        results = {}
        for label, run in (("one process", one_process), ("dask, 2 workers", on_the_cluster)):
            timings = []
            for _ in range(repeat):
                workers_before = client.run(cpu_seconds)
                cpu, wall = cpu_seconds(), time.perf_counter()
                results[label] = run()
                wall = time.perf_counter() - wall
                cpu = cpu_seconds() - cpu
                workers_after = client.run(cpu_seconds)
                worker_cpu = sum(workers_after[w] - workers_before[w] for w in workers_after)
                timings.append((wall, cpu, worker_cpu))
            rows[label] = min(timings)  # the fastest wall time, with its CPU times
            wall, cpu, worker_cpu = rows[label]
            print(
                f"{label:16s} wall {wall:7.3f} s  CPU here {cpu:7.3f} s  CPU in workers "
                f"{worker_cpu:7.3f} s  CPU/wall {(cpu + worker_cpu) / wall:4.2f}",
                flush=True,
            )
        # Both ways give the same statistics (exactly for counts and extremes, to 1e-12 for
        # the moments): a benchmark of wrong answers would be worthless.
        for name, a, b in zip(MERGEABLE, *results.values(), strict=True):
            assert a.n == b.n == n and abs(a.get() - b.get()) <= 1e-12 * abs(b.get()), name
        # What merging itself costs: the chunks' summaries, merged here.
        parts = [summaries(chunk) for chunk in np.array_split(values[: n // 10], chunks)]
        started = time.perf_counter()
        for _ in range(100):
            total = parts[0]
            for part in parts[1:]:
                total = merged(total, part)
        merge_s = (time.perf_counter() - started) / 100 / (len(parts) - 1)
        workers = len(client.scheduler_info()["workers"])
    if not args.no_write:
        write_scale_out(rows, args, n, chunks, workers, merge_s)


def write_scale_out(rows, args, n: int, chunks: int, workers: int, merge_s: float) -> None:
    import dask

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    one_wall = rows["one process"][0]
    lines = [
        "## Scale-out: the statistics of a dask array, merged with `+`",
        "",
        (
            f"`python benchmarks/stats.py{' --quick' if args.quick else ''}` (or `--part dask`) — "
            f"every mergeable statistic ({', '.join(MERGEABLE)}) of {n:,} values (1e9 + Gamma(2) "
            f"noise), in one process with `update_many`, and on a local dask.distributed cluster "
            f"of {workers} single-threaded worker processes: `update_many` on each of {chunks} "
            f"chunks already in the workers' memory, then a tree of `+` merges. dask "
            f"{dask.__version__}, river_lite {__version__}, NumPy {np.__version__}, Python "
            f"{platform.python_version()}, {platform.machine()}, {os.cpu_count()} vCPUs, load "
            f"average {load:.1f} at the end. Best wall time of {args.repeat}, with its CPU time "
            "(this process: client and scheduler; the workers, read through the client)."
        ),
        "",
        "| way | wall s | CPU s (here + workers) | CPU / wall | wall / one process |",
        "|---|---|---|---|---|",
    ]
    for label, (wall, cpu, worker_cpu) in rows.items():
        lines.append(
            f"| {label} | {wall:.3f} | {cpu + worker_cpu:.3f} ({cpu:.3f} + {worker_cpu:.3f}) "
            f"| {(cpu + worker_cpu) / wall:.2f} | {wall / one_wall:.2f} |"
        )
    lines += [
        "",
        (
            f"One `+` of the {len(MERGEABLE)} statistics costs {merge_s * 1e6:.1f} µs, so merging "
            f"is nothing next to the {n // chunks:,} values of a chunk. The two ways give the same "
            "statistics (counts and extremes exactly, moments to 1e-12; the script checks). "
            "CPU / wall is the average number of busy processes (in the first row the workers' "
            "CPU is their idle heartbeat). These machines' two vCPUs share one physical core (two "
            "busy processes each run ~1.7x slower), so no speed-up is claimed from this table: "
            "the dask line shows what the scheduling, the transfers and the merges cost on top "
            "of the same work."
        ),
    ]
    write_section("stats-dask", "\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for CI")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each per-value loop")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument(
        "--abi3-python", help="an interpreter with the abi3 build installed, to compare with"
    )
    parser.add_argument("--per-call-json", type=int, help=argparse.SUPPRESS)  # the abi3 child
    parser.add_argument(
        "--part",
        choices=("all", "river", "dask"),
        default="all",
        help="the River comparison, the dask scale-out, or both (default)",
    )
    args = parser.parse_args()
    if args.per_call_json:
        values = np.random.default_rng(0).normal(size=args.per_call_json).tolist()
        seconds = per_call_seconds(values, 1)
        json.dump({"build": build_kind(), "seconds": seconds}, sys.stdout)
        return
    if args.part in ("all", "river"):
        against_river(args)
    if args.part in ("all", "dask"):
        scale_out(args)


def against_river(args) -> None:
    n, window = (100_000, 10_000) if args.quick else (1_000_000, 1_000_000)
    rolling_n = 2 * window
    rng = np.random.default_rng(0)
    array = rng.normal(size=max(n, rolling_n))
    values = array.tolist()

    rows = []
    for name, make_river, make_lite, rolling in statistics(window):
        count = rolling_n if rolling else n
        river_repeat, lite_repeat, many_repeat = (
            (1, 3, 3) if rolling else (args.repeat, args.repeat, 5 * args.repeat)
        )
        river_s = best(time_per_value, make_river, values[:count], river_repeat)
        lite_s = best(time_per_value, make_lite, values[:count], lite_repeat)
        many_s = best(time_update_many, make_lite, array[:count], many_repeat)
        rows.append((name, river_s, lite_s, many_s))
        print(
            f"{name:16s} River {river_s:9.3f} s  river_lite {lite_s:8.3f} s "
            f"({lite_s / river_s:5.2f}x)  update_many {many_s:8.4f} s "
            f"({lite_s / many_s:6.1f}x faster than per-value)",
            flush=True,
        )
    extra = ""
    if args.abi3_python:
        river = {name: river_s for name, river_s, _, _ in rows}
        extra = compare_abi3(args.abi3_python, values[:n], river, args)
    if not args.no_write:
        write_results(rows, args, n, rolling_n, window, extra)
        plot(rows, n, rolling_n, window)
    elif extra:
        print(extra)


if __name__ == "__main__":  # the guard matters: dask's worker processes import this file
    main()
