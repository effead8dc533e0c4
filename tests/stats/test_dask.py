"""Statistics of a dask array on a real dask.distributed cluster: ``update_many`` per chunk on
the workers, a tree of ``+`` merges, and the result equals one process's."""

from __future__ import annotations

import operator

import numpy as np
import pytest
from dask_cluster import import_distributed, local_cluster, tree_reduction
from docs_examples import run_blocks
from stats_catalog import EXACT_MERGES, FACTORIES, MERGEABLE, made_from

distributed = import_distributed()
dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")

VALUES = 10_000_000
CHUNKS = 16


@pytest.fixture(scope="module")
def client():
    with local_cluster() as client:
        yield client


def test_every_mergeable_statistic_of_a_dask_array_equals_one_process(client):
    # 10**7 values far from zero, drawn on the workers in 16 chunks (and gathered here for the
    # single-process reference).
    x = 1e9 + da.random.default_rng(2024).standard_gamma(2.0, VALUES, chunks=VALUES // CHUNKS)
    assert x.npartitions == CHUNKS
    per_chunk = [dask.delayed(made_from)(MERGEABLE, block) for block in x.to_delayed().ravel()]
    on_the_cluster, values = dask.compute(tree_reduction(per_chunk), x)
    assert values.shape == (VALUES,)
    in_one_process = made_from(MERGEABLE, values)
    for name, ours, reference in zip(MERGEABLE, on_the_cluster, in_one_process, strict=True):
        assert type(ours) is type(reference) and ours.n == reference.n == VALUES, name
        if name in EXACT_MERGES:
            assert ours.get() == reference.get(), name
        else:
            assert ours.get() == pytest.approx(reference.get(), rel=1e-12, abs=0), name
        # What came back from the workers is a working statistic.
        ours.update(1e9)
        reference.update(1e9)
        assert ours.get() == pytest.approx(reference.get(), rel=1e-12, abs=0), name


@pytest.mark.parametrize("name", MERGEABLE)
def test_statistics_cross_process_boundaries_by_pickle(client, name):
    values = np.random.default_rng(5).normal(size=2000)
    here = [FACTORIES[name]() for _ in range(2)]
    here[0].update_many(values[:700])
    here[1].update_many(values[700:])
    # Sent to a worker, merged there, sent back: the very state merging here gives.
    sent = client.scatter(here)
    back = client.submit(operator.add, *sent).result()
    expected = here[0] + here[1]
    assert type(back) is type(expected)
    assert back.__reduce__() == expected.__reduce__(), name


def test_the_scaling_out_page_runs(client):
    namespace = run_blocks("scaling_out.md", "stats", client=client)
    (in_one_process,) = made_from(["Var"], namespace["x"].compute())
    assert namespace["var"].get() == pytest.approx(in_one_process.get(), rel=1e-12, abs=0)
