"""The scale-out pattern of river_lite.stats, timed: one process against a dask cluster.

Every mergeable statistic of 20,000,000 values (docs/scaling_out.md), in one process with
``update_many``, and on a local dask.distributed cluster of two worker processes:
``update_many`` per chunk and a tree of ``+`` merges. Wall time and CPU time (of every process
involved) are reported side by side, and the two ways' statistics are checked equal. Writes the
``stats-dask`` section of benchmarks/RESULTS.md.

    python benchmarks/stats_dask.py            # a minute
    python benchmarks/stats_dask.py --quick    # 2,000,000 values: seconds
"""

from __future__ import annotations

import argparse
import operator
import os
import platform
import time

import numpy as np
from _results import write_section  # benchmarks/_results.py, beside this script

from river_lite import __version__
from river_lite import stats as lite

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
            f"`python benchmarks/stats_dask.py{' --quick' if args.quick else ''}` — "
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
    parser.add_argument("--repeat", type=int, default=5, help="runs of each way")
    parser.add_argument("--no-write", action="store_true", help="print only")
    scale_out(parser.parse_args())


if __name__ == "__main__":
    main()
