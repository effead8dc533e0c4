"""A real dask.distributed cluster for the scale-out tests (tests/*/test_dask.py): two worker
processes on 127.0.0.1, so that every statistic and sampler result that comes back has crossed a
process boundary by pickle. The tests skip, saying why, where dask is not installed."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

import pytest

REASON = (
    "dask.distributed is not installed (pip install 'river-lite[dask]'; the test extra has it "
    "where its dependencies publish wheels): the scale-out tests need a real cluster"
)


def import_distributed():
    """``distributed``, or a skip of the calling test module that says why."""
    pytest.importorskip("dask", reason=REASON)
    return pytest.importorskip("distributed", reason=REASON)


@contextlib.contextmanager
def local_cluster() -> Iterator:
    """A client of a fresh local cluster of two single-threaded worker processes.

    Functions that run on the workers must live in helper modules (like this one): the worker
    processes start with this process's ``sys.path`` (multiprocessing's spawn), where
    tests/conftest.py put the helper folders, but cannot import a test file, which pytest
    imports by path.
    """
    distributed = import_distributed()
    with (
        distributed.LocalCluster(
            n_workers=2,
            processes=True,
            threads_per_worker=1,
            host="127.0.0.1",
            dashboard_address=None,  # no dashboard (it would need bokeh)...
            # ... but the scheduler still serves its HTTP routes, by default on port 8787,
            # and warns (an error here) when another cluster holds it: any free port.
            scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        worker_pids = set(client.run(os.getpid).values())
        # Two worker processes, neither of them this one: results really travel.
        assert len(worker_pids) == 2 and os.getpid() not in worker_pids, worker_pids
        yield client


def merged(a: tuple, b: tuple) -> tuple:
    """Two tuples of statistics merged item by item (``+``): a step of a tree reduction."""
    return tuple(x + y for x, y in zip(a, b, strict=True))


def tree_reduction(parts: list):
    """``parts`` (dask delayed values) merged pairwise, level by level, as dask's own
    reductions do: log2(len(parts)) levels of ``merged``."""
    import dask

    while len(parts) > 1:
        # An odd part out waits for the next level.
        evens, odds = parts[0::2], parts[1::2]
        pairs = [dask.delayed(merged)(a, b) for a, b in zip(evens, odds, strict=False)]
        parts = pairs + parts[len(pairs) * 2 :]
    return parts[0]
