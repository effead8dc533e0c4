"""Bad input gives a clear ValueError or TypeError, from the public API and from the Rust
binding alike; never a panic."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from river_lite import _core
from river_lite.sampler import ScaledTModel

GOOD = np.array([1.0, 2.5, -0.5, 4.0])


@pytest.mark.parametrize(
    ("data", "nu", "error", "message"),
    [
        ([], 3.0, ValueError, "at least 2 points, got 0"),
        ([1.0], 3.0, ValueError, "at least 2 points, got 1"),
        ([1.0, np.nan, 2.0], 3.0, ValueError, r"data\[1\] is nan"),
        ([1.0, 2.0, -np.inf], 3.0, ValueError, r"data\[2\] is -inf"),
        ([[1.0, 2.0], [3.0, 4.0]], 3.0, ValueError, r"1-D, got shape \(2, 2\)"),
        (5.0, 3.0, ValueError, r"1-D, got shape \(\)"),
        ([2.0, 2.0, 2.0], 3.0, ValueError, "must not all be equal"),
        ([1e200, -1e200], 3.0, ValueError, "rescale"),
        ([1e-300, -1e-300, 0.0], 3.0, ValueError, "too small to square"),
        ([0.0, 1.0, 2.0], 1e308, ValueError, "nu is too large for 3 points"),
        ([[1.0, 2.0], [3.0]], 3.0, TypeError, "real numbers"),
        (
            np.array(["2024-01-01", "2024-01-02"], dtype="datetime64[D]"),
            3.0,
            TypeError,
            "real numbers",
        ),
        (np.array([1, 2], dtype="timedelta64[s]"), 3.0, TypeError, "real numbers"),
        ("abc", 3.0, TypeError, "real numbers"),
        ([1 + 1j, 2.0], 3.0, TypeError, "real numbers"),
        ([1.0, "x"], 3.0, TypeError, "real numbers"),
        (GOOD, 0.0, ValueError, "nu must be a finite number > 0, got 0.0"),
        (GOOD, -2, ValueError, "nu must be a finite number > 0"),
        (GOOD, np.inf, ValueError, "nu must be a finite number > 0, got inf"),
        (GOOD, np.nan, ValueError, "nu must be"),
        (GOOD, "6", TypeError, "nu must be a real number, got str"),
        (GOOD, None, TypeError, "nu must be a real number"),
        (GOOD, True, TypeError, "nu must be a real number"),
    ],
)
def test_bad_model(data, nu, error, message):
    with pytest.raises(error, match=message):
        ScaledTModel(data, nu)


MODEL = ScaledTModel(GOOD, 3.0)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        (dict(sample_size=0), ValueError, "sample_size must be an int >= 1, got 0"),
        (dict(sample_size=-5), ValueError, "sample_size must be an int >= 1, got -5"),
        (dict(burn_in=-1), ValueError, "burn_in must be an int >= 0, got -1"),
        (dict(chains=0), ValueError, "chains must be an int >= 1, got 0"),
        (dict(sample_size=2.5), TypeError, "sample_size must be an int, got float"),
        (dict(chains="2"), TypeError, "chains must be an int, got str"),
        (dict(burn_in=True), TypeError, "burn_in must be an int, got bool"),
        (dict(sample_size=2**70), ValueError, "sample_size must be < 2"),
        (
            dict(backend="julia"),
            ValueError,
            r"backend must be one of \('rust', 'numpy', 'python'\), got 'julia'",
        ),
        (dict(backend=None), TypeError, "backend must be a str"),
        (dict(seed=-1), ValueError, r"seed must be an int in \[0, 2\*\*64\), got -1"),
        (dict(seed=2**64), ValueError, r"seed must be an int in \[0, 2\*\*64\)"),
        (dict(seed=1.5), TypeError, "seed must be an int in .* or None, got float"),
        (dict(seed="42"), TypeError, "got str"),
        (dict(seed=True), TypeError, "got bool"),
        (dict(threads=0), ValueError, "threads must be an int >= 1, got 0"),
        (dict(threads=2, backend="numpy"), ValueError, "threads applies to the rust backend only"),
    ],
)
def test_bad_run_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        MODEL.run(**{"burn_in": 1, "sample_size": 2, **kwargs})


def test_numpy_integers_and_floats_are_accepted():
    result = ScaledTModel(np.array([1, 2, 4], dtype=np.int32), np.float32(3.0)).run(
        burn_in=np.int64(2), sample_size=np.uint8(3), chains=np.int16(2), seed=np.uint64(2**63)
    )
    assert result.mu.shape == (2, 3)


def test_the_model_copies_its_data():
    data = np.array([1.0, 2.0, 5.0])
    model = ScaledTModel(data, 3.0)
    data[0] = np.nan
    assert np.isfinite(model.data).all() and not model.data.flags.writeable


# The binding, called directly: its own checks, with messages that say what is expected.
ARGS = dict(nu=3.0, burn_in=1, sample_size=2, chains=1, seed=0)


@pytest.mark.parametrize(
    ("data", "overrides", "error", "message"),
    [
        ([1.0, 2.0, 3.0], {}, TypeError, "must be a numpy.ndarray of float64, got list"),
        (GOOD.astype(np.float32), {}, TypeError, "dtype float64, got float32"),
        (GOOD.reshape(2, 2), {}, ValueError, r"must be 1-D, got an array of shape \[2, 2\]"),
        (np.arange(8.0)[::2], {}, TypeError, "C-contiguous"),
        (np.array([1.0, np.nan]), {}, ValueError, r"data\[1\] is NaN"),
        (np.array([1.0]), {}, ValueError, "at least 2 points"),
        (GOOD, dict(nu=-1.0), ValueError, "nu must be a finite number > 0"),
        (GOOD, dict(sample_size=0), ValueError, "sample_size must be an integer >= 1, got 0"),
        (GOOD, dict(burn_in=-3), ValueError, "burn_in must be an integer >= 0, got -3"),
        (GOOD, dict(chains=-1), ValueError, "chains must be an integer >= 1, got -1"),
        (GOOD, dict(seed=-1), ValueError, r"seed must be an int in \[0, 2\*\*64\), got -1"),
        (GOOD, dict(seed=2**64), ValueError, r"seed must be an int in \[0, 2\*\*64\)"),
        (GOOD, dict(seed=1.0), TypeError, "seed must be an int in .* got float"),
        (GOOD, dict(seed=False), TypeError, "got bool"),
        (GOOD, dict(threads=0), ValueError, "threads must be an integer >= 1, got 0"),
        (GOOD, dict(chains=2**40, sample_size=2**40), MemoryError, "cannot allocate"),
    ],
)
def test_binding_rejects_bad_input(data, overrides, error, message):
    with pytest.raises(error, match=message):
        _core.scaled_t_gibbs(data, **{**ARGS, **overrides})


def test_binding_floor_helper():
    assert _core.chi_squared_floor(1000, 7.0, 1) == pytest.approx(7000, rel=0.1)
    with pytest.raises(ValueError, match="dof must be finite and > 0"):
        _core.chi_squared_floor(10, -1.0, 1)
    with pytest.raises(ValueError, match="count must be an integer >= 0"):
        _core.chi_squared_floor(-1, 7.0, 1)


@settings(max_examples=60, deadline=None)
@given(
    data=hnp.arrays(
        np.float64, st.integers(0, 8), elements=st.floats(allow_nan=True, allow_infinity=True)
    ),
    nu=st.floats(allow_nan=True, allow_infinity=True),
)
def test_any_input_is_a_clean_error_or_finite_draws(data, nu):
    try:
        model = ScaledTModel(data, nu)
        result = model.run(burn_in=3, sample_size=5, chains=2, seed=1)
    except ValueError:
        return  # rejected with a message: fine (a PanicException is not a ValueError)
    assert np.isfinite(result.mu).all() and (result.sigma2 > 0).all()


@pytest.mark.parametrize("backend", ["rust", "numpy", "python"])
@pytest.mark.parametrize(
    ("data", "nu"),
    [
        ([1e-160, -1e-160, 0.0], 3.0),  # accepted data whose chain underflows to zero
        ([0.0, 1.0, 2.0], 1e-300),  # a nu so small that the latent scales overflow
    ],
)
def test_a_chain_leaving_the_float_range_is_a_value_error_on_every_backend(data, nu, backend):
    with pytest.raises(ValueError, match="improper or too diffuse"):
        ScaledTModel(data, nu).run(burn_in=10, sample_size=20, seed=1, backend=backend)


@pytest.mark.parametrize("backend", ["rust", "numpy", "python"])
def test_draws_too_large_to_allocate_fail_before_sampling(backend, monkeypatch):
    # 2**42 draws per chain (128 TiB): every backend refuses at once; the python backend
    # used to start sampling and grow its lists until memory ran out.
    from river_lite.sampler import python_reference

    def must_not_start(*args):
        raise AssertionError("sampling started")

    monkeypatch.setattr(python_reference, "sample", must_not_start)
    with pytest.raises(MemoryError):
        ScaledTModel(GOOD, 3.0).run(burn_in=1, sample_size=2**42, backend=backend)
