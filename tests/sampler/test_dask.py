"""Sampler chains on a real dask.distributed cluster: four single-chain runs on the workers,
recombined by ``SamplerResult.concat``, equal one local four-chain run bit for bit."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from dask_cluster import import_distributed, local_cluster
from docs_examples import run_blocks
from sampler_posterior import talk_data

from river_lite.sampler import SamplerResult, ScaledTModel

distributed = import_distributed()

MODEL = ScaledTModel(talk_data(500, seed=1), nu=6.0)
# Per backend: a run long enough to mean something, short enough for the pure-Python one.
SETTINGS = {
    "rust": dict(burn_in=1000, sample_size=5000),
    "numpy": dict(burn_in=200, sample_size=800),
    "python": dict(burn_in=20, sample_size=60),
}
DRAWS = ("mu", "sigma2", "tau2", "alpha2")


@pytest.fixture(scope="module")
def client():
    with local_cluster() as client:
        yield client


@pytest.mark.parametrize("backend", SETTINGS)
def test_chains_run_on_the_workers_recombine_bit_for_bit(client, backend):
    settings = dict(**SETTINGS[backend], seed=2024, backend=backend)
    futures = [
        client.submit(MODEL.run, chains=1, first_chain=k, **settings, pure=False) for k in range(4)
    ]
    distributed.wait(futures)
    # Every run was computed (and is held) by a worker process, not here.
    assert all(client.who_has(futures).values())
    recombined = SamplerResult.concat(client.gather(futures))
    local = MODEL.run(chains=4, **settings)
    for name in DRAWS:
        assert getattr(recombined, name).tobytes() == getattr(local, name).tobytes(), name
    assert recombined.chain_ids == (0, 1, 2, 3)
    assert recombined.rhat() == local.rhat() and recombined.ess() == local.ess()
    # And concatenated on a worker instead: the same again.
    on_a_worker = client.submit(SamplerResult.concat, futures).result()
    assert on_a_worker.mu.tobytes() == local.mu.tobytes()


def test_models_and_results_cross_process_boundaries_by_pickle(client):
    model = client.scatter(MODEL)
    result = client.submit(ScaledTModel.run, model, sample_size=300, seed=9, first_chain=2).result()
    assert result.data_digest == MODEL.data_digest and result.chain_ids == (2,)
    np.testing.assert_array_equal(result.mu, MODEL.run(sample_size=300, seed=9, first_chain=2).mu)
    # The model that travelled keeps its data read-only.
    travelled = pickle.loads(pickle.dumps(MODEL))
    assert not travelled.data.flags.writeable
    np.testing.assert_array_equal(travelled.data, MODEL.data)


def test_the_scaling_out_page_runs(client):
    namespace = run_blocks("scaling_out.md", "sampler", client=client)
    assert namespace["result"].chain_ids == (0, 1, 2, 3)
