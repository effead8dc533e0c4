"""One run split into several (``first_chain``) and put back together (``SamplerResult.concat``):
the same draws bit for bit, the same diagnostics, and refusals of anything else."""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest
from sampler_posterior import talk_data

from river_lite import _core
from river_lite.sampler import BACKENDS, SamplerResult, ScaledTModel

MODEL = ScaledTModel(talk_data(60, seed=3), nu=6.0)
SMALL = dict(burn_in=20, sample_size=50)
DRAWS = ("mu", "sigma2", "tau2", "alpha2")


def assert_same_draws(a: SamplerResult, b: SamplerResult) -> None:
    for name in DRAWS:
        first, second = getattr(a, name), getattr(b, name)
        assert first.shape == second.shape, name
        # Bit for bit: compare the bytes, so that even -0.0 against 0.0 would count.
        assert first.tobytes() == second.tobytes(), name


@pytest.mark.parametrize("backend", BACKENDS)
def test_four_single_chain_runs_are_one_four_chain_run_bit_for_bit(backend):
    whole = MODEL.run(**SMALL, chains=4, seed=2024, backend=backend)
    parts = [
        MODEL.run(**SMALL, chains=1, seed=2024, first_chain=k, backend=backend) for k in range(4)
    ]
    merged = SamplerResult.concat(parts)
    assert_same_draws(merged, whole)
    assert merged.chain_ids == whole.chain_ids == (0, 1, 2, 3)
    for attribute in ("nu", "burn_in", "seed", "backend", "data_digest", "chains", "sample_size"):
        assert getattr(merged, attribute) == getattr(whole, attribute), attribute
    # The diagnostics of the recombined result are those of the whole run.
    assert merged.rhat() == whole.rhat()
    assert merged.ess() == whole.ess() and merged.ess("mean") == whole.ess("mean")
    assert merged.mcse() == whole.mcse()
    assert merged.summary() == whole.summary()


def test_uneven_parts_recombine_too():
    whole = MODEL.run(**SMALL, chains=5, seed=8)
    parts = [
        MODEL.run(**SMALL, chains=2, seed=8, first_chain=0),
        MODEL.run(**SMALL, chains=1, seed=8, first_chain=2),
        MODEL.run(**SMALL, chains=2, seed=8, first_chain=3, threads=1),
    ]
    assert_same_draws(SamplerResult.concat(parts), whole)


def test_concat_keeps_the_order_given_and_says_which_chain_is_which():
    parts = [MODEL.run(**SMALL, seed=8, first_chain=k) for k in (3, 0, 7)]
    merged = SamplerResult.concat(iter(parts))  # any iterable
    assert merged.chain_ids == (3, 0, 7)
    for row, part in enumerate(parts):
        np.testing.assert_array_equal(merged.mu[row], part.mu[0])
    assert repr(merged).endswith("chain_ids=(3, 0, 7))")
    assert repr(MODEL.run(**SMALL, seed=8)).endswith("seed=8)")  # a whole run: plain repr


def test_a_chain_does_not_depend_on_the_run_it_is_part_of():
    alone = MODEL.run(**SMALL, seed=5, first_chain=6)
    inside = MODEL.run(**SMALL, seed=5, chains=3, first_chain=5)
    np.testing.assert_array_equal(alone.sigma2[0], inside.sigma2[1])
    assert not np.array_equal(alone.mu[0], inside.mu[0])


def test_the_last_chains_of_the_stream_layout_are_reachable():
    # 2**64 - 2 jumps: composed by repeated squaring, milliseconds instead of centuries.
    last_two = MODEL.run(**SMALL, seed=1, chains=2, first_chain=2**64 - 2)
    assert last_two.chain_ids == (2**64 - 2, 2**64 - 1)
    singles = [MODEL.run(**SMALL, seed=1, first_chain=2**64 - 2 + k) for k in range(2)]
    assert_same_draws(SamplerResult.concat(singles), last_two)
    assert not np.array_equal(last_two.mu[0], MODEL.run(**SMALL, seed=1).mu[0])
    assert np.isfinite(last_two.mu).all()


@pytest.mark.parametrize(
    ("first_chain", "chains", "error", "message"),
    [
        (-1, 1, ValueError, "first_chain must be an int >= 0, got -1"),
        (2**64, 1, ValueError, r"first_chain \+ chains must be <= 2\*\*64"),
        (2**64 - 1, 2, ValueError, r"first_chain \+ chains .* first_chain=18446744073709551615"),
        (1.0, 1, TypeError, "first_chain must be an int, got float"),
        (True, 1, TypeError, "first_chain must be an int, got bool"),
        ("2", 1, TypeError, "first_chain must be an int, got str"),
    ],
)
@pytest.mark.parametrize("backend", BACKENDS)
def test_bad_first_chain_is_named(first_chain, chains, error, message, backend):
    with pytest.raises(error, match=message):
        MODEL.run(**SMALL, chains=chains, seed=1, first_chain=first_chain, backend=backend)


def test_numpy_integers_are_chain_indices():
    a = MODEL.run(**SMALL, seed=1, first_chain=np.uint64(2**64 - 1))
    b = MODEL.run(**SMALL, seed=1, first_chain=2**64 - 1)
    assert_same_draws(a, b)


@pytest.mark.parametrize(
    ("overrides", "error", "message"),
    [
        (dict(first_chain=-1), ValueError, r"first_chain must be an int in \[0, 2\*\*64\)"),
        (dict(first_chain=2**64), ValueError, r"first_chain must be an int in \[0, 2\*\*64\)"),
        (dict(first_chain=2**64 - 1, chains=2), ValueError, r"first_chain \+ chains must be"),
        (dict(first_chain=1.0), TypeError, "first_chain must be an int in .* got float"),
        (dict(first_chain=False), TypeError, "first_chain must be an int in .* got bool"),
    ],
)
def test_binding_checks_first_chain(overrides, error, message):
    args = {**dict(nu=3.0, burn_in=1, sample_size=2, chains=1, seed=0), **overrides}
    with pytest.raises(error, match=message):
        _core.scaled_t_gibbs(np.array([1.0, 2.0, 4.0]), **args)


def run_of(model=MODEL, **overrides) -> SamplerResult:
    return model.run(**{**SMALL, "seed": 4, "first_chain": 1, **overrides})


@pytest.mark.parametrize(
    ("other", "message"),
    [
        (lambda: run_of(ScaledTModel(talk_data(60, seed=4), nu=6.0)), "differs .* in data"),
        (lambda: run_of(ScaledTModel(MODEL.data, nu=5.0)), "differs .* in nu"),
        (lambda: run_of(burn_in=21), "differs .* in burn_in"),
        (lambda: run_of(sample_size=51), "differs .* in sample_size"),
        (lambda: run_of(seed=5), "differs .* in seed"),
        (lambda: run_of(backend="numpy"), "differs .* in backend"),
        (lambda: run_of(first_chain=0, chains=2), "chain 0 appears twice"),
    ],
    ids=["data", "nu", "burn_in", "sample_size", "seed", "backend", "same chain"],
)
def test_concat_refuses_results_of_other_runs(other, message):
    first = run_of(first_chain=0)
    with pytest.raises(ValueError, match=message):
        SamplerResult.concat([first, other()])


def test_concat_refuses_nothing_and_foreign_objects():
    with pytest.raises(ValueError, match="at least one SamplerResult, got none"):
        SamplerResult.concat([])
    with pytest.raises(TypeError, match=r"results\[1\] must be a SamplerResult, got dict"):
        SamplerResult.concat([run_of(), {"mu": 1}])
    hand_made = SamplerResult(
        *(np.zeros((1, 3)) for _ in DRAWS), nu=6.0, burn_in=0, seed=1, backend="rust"
    )
    assert hand_made.chain_ids == (0,) and hand_made.data_digest is None
    with pytest.raises(ValueError, match=r"results\[0\] has no data_digest"):
        SamplerResult.concat([hand_made])
    with pytest.raises(ValueError, match="one index per chain"):
        SamplerResult(
            *(np.zeros((2, 3)) for _ in DRAWS),
            nu=6.0,
            burn_in=0,
            seed=1,
            backend="rust",
            chain_ids=[0],
        )


def test_the_data_digest_is_of_the_values():
    same_values = ScaledTModel(MODEL.data.copy(), nu=2.0)
    assert same_values.data_digest == MODEL.data_digest
    assert ScaledTModel(MODEL.data[::-1], nu=6.0).data_digest != MODEL.data_digest
    assert run_of().data_digest == MODEL.data_digest


def test_results_pickle_and_copy_then_concat():
    parts = [run_of(first_chain=k) for k in range(3)]
    travelled = [pickle.loads(pickle.dumps(part)) for part in parts[:2]] + [copy.deepcopy(parts[2])]
    assert_same_draws(SamplerResult.concat(travelled), SamplerResult.concat(parts))
    assert SamplerResult.concat(travelled).chain_ids == (0, 1, 2)
