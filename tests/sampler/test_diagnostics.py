"""The Cython diagnostics against ArviZ's definitions (tests/sampler_reference_diagnostics.py)
on fixed arrays, and against what they must say about chains we understand."""

from __future__ import annotations

import numpy as np
import pytest
import sampler_reference_diagnostics as ref
from scipy import special

from river_lite import sampler


def ar1(phi: float, chains: int, draws: int, seed: int) -> np.ndarray:
    """Stationary AR(1) chains x_t = phi x_(t-1) + e_t, a process with a known ESS."""
    rng = np.random.default_rng(seed)
    x = np.empty((chains, draws))
    x[:, 0] = rng.normal(size=chains) / np.sqrt(1 - phi**2)
    for t in range(1, draws):
        x[:, t] = phi * x[:, t - 1] + rng.normal(size=chains)
    return x


# Fixed arrays: (chains, draws, phi, seed), including odd lengths, one chain, strong and
# negative autocorrelation, and few draws.
# The sticky chains (phi 0.99 and 0.999) need more than DIRECT_LAGS lags: the FFT path.
CASES = [
    (4, 1000, 0.5, 1),
    (1, 501, 0.9, 2),
    (3, 7, 0.0, 3),
    (2, 2000, -0.3, 4),
    (4, 300, 0.99, 5),
    (2, 4, 0.2, 6),
    (2, 20_000, 0.999, 7),
]
IDS = [f"{c}x{d}-phi{p}" for c, d, p, _ in CASES]


@pytest.fixture(params=CASES, ids=IDS)
def draws(request):
    chains, n, phi, seed = request.param
    return ar1(phi, chains, n, seed)


def test_ess_bulk(draws):
    assert sampler.ess(draws) == pytest.approx(ref.ess_bulk(draws), rel=1e-9)


def test_ess_mean(draws):
    assert sampler.ess(draws, method="mean") == pytest.approx(ref.ess_mean(draws), rel=1e-9)


def test_rhat(draws):
    assert sampler.rhat(draws, method="rank") == pytest.approx(ref.rhat_rank(draws), rel=1e-12)
    assert sampler.rhat(draws, method="split") == pytest.approx(ref.rhat_split(draws), rel=1e-12)


def test_mcse_mean(draws):
    assert sampler.mcse_mean(draws) == pytest.approx(ref.mcse_mean(draws), rel=1e-9)


def test_rank_normalize_with_ties():
    values = np.array([[3.0, 1.0, 2.0, 2.0], [5.0, 1.0, 0.5, 2.0]])
    np.testing.assert_allclose(
        sampler.rank_normalize(values), ref.z_scale(values), rtol=1e-13, atol=1e-15
    )
    np.testing.assert_allclose(
        sampler.rank_normalize(ar1(0.3, 3, 999, 9)), ref.z_scale(ar1(0.3, 3, 999, 9)), rtol=1e-12
    )


def test_the_normal_quantile_function_is_accurate():
    # rank_normalize uses its own Φ⁻¹; Blom scores of 200,000 values reach p = 3e-6.
    n = 200_000
    z = sampler.rank_normalize(np.arange(n, dtype=float))
    p = (np.arange(1, n + 1) - 0.375) / (n + 0.25)
    np.testing.assert_allclose(z, special.ndtri(p), rtol=1e-13, atol=1e-15)


def test_the_ess_of_a_sticky_chain_needs_the_fft_path():
    # Guards the case above: Geyer's sequence of this chain runs past the direct sums.
    x = ar1(0.999, 2, 20_000, 7)
    assert sampler.autocorrelation(x[0], max_lag=sampler._diagnostics.DIRECT_LAGS)[-1] > 0.5


@pytest.mark.parametrize("n", [1, 2, 50, 1001])
def test_autocovariance_and_autocorrelation(n):
    x = ar1(0.7, 1, n, n)[0]
    np.testing.assert_allclose(sampler.autocovariance(x), ref.autocov(x), rtol=1e-10, atol=1e-12)
    if n > 1:
        np.testing.assert_allclose(
            sampler.autocorrelation(x, max_lag=n // 2),
            (ref.autocov(x) / ref.autocov(x)[0])[: n // 2 + 1],
            atol=1e-12,
        )


def test_direct_sums_and_fft_give_the_same_autocovariance():
    x = ar1(0.8, 1, 5000, 14)[0]
    direct_lags = sampler._diagnostics.DIRECT_LAGS
    by_fft = sampler.autocovariance(x, max_lag=direct_lags)  # one lag past the direct sums
    direct = sampler.autocovariance(x, max_lag=direct_lags - 1)
    np.testing.assert_allclose(by_fft[:-1], direct, rtol=1e-12, atol=1e-14 * direct[0])


def test_the_fft_path_does_not_overflow_before_the_direct_sums():
    # A slowly moving chain at 1e150: its squared spectrum overflowed (inf, then NaN ESS).
    x = np.linspace(-1.0, 1.0, 10_000) * 1e150
    by_fft = sampler.autocovariance(x, max_lag=sampler._diagnostics.DIRECT_LAGS)
    direct = sampler.autocovariance(x, max_lag=sampler._diagnostics.DIRECT_LAGS - 1)
    np.testing.assert_allclose(by_fft[:-1], direct, rtol=1e-12)
    walk = np.cumsum(np.random.default_rng(3).normal(size=(2, 5000)), axis=1)
    assert sampler.ess(walk * 1e149, method="mean") == pytest.approx(
        sampler.ess(walk, method="mean"), rel=1e-9
    )


def test_ess_of_an_ar1_process_is_near_its_theoretical_value():
    # ESS of the mean of AR(1) = N (1 - phi) / (1 + phi).
    phi, chains, n = 0.6, 4, 20_000
    expected = chains * n * (1 - phi) / (1 + phi)
    assert sampler.ess(ar1(phi, chains, n, 10), method="mean") == pytest.approx(expected, rel=0.1)


def test_rhat_flags_chains_that_disagree():
    x = ar1(0.5, 4, 1000, 11)
    assert sampler.rhat(x) < 1.01
    x[3] += 2.0
    assert sampler.rhat(x) > 1.1
    # And a chain whose halves differ (a trend) is flagged by splitting, even alone.
    trend = ar1(0.5, 1, 1000, 12) + np.linspace(0, 3, 1000)
    assert sampler.rhat(trend) > 1.1


def test_constant_and_non_finite_draws():
    assert sampler.ess(np.ones((2, 10))) == 20  # ArviZ's convention
    with_nan = ar1(0.1, 2, 20, 13)
    with_nan[1, 5] = np.nan
    assert np.isnan(sampler.ess(with_nan)) and np.isnan(sampler.rhat(with_nan))
    assert np.isnan(sampler.mcse_mean(with_nan))


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda: sampler.ess(np.ones(3)), ValueError),  # fewer than 4 draws
        (lambda: sampler.ess(np.ones((2, 2, 5))), ValueError),
        (lambda: sampler.ess(np.ones(10), method="tail"), ValueError),
        (lambda: sampler.rhat(np.ones((2, 10)), method="bulk"), ValueError),
        (lambda: sampler.ess("abcd"), TypeError),
        (lambda: sampler.ess([[1 + 2j] * 5]), TypeError),
        (lambda: sampler.autocovariance(np.ones((2, 3))), ValueError),
        (lambda: sampler.autocovariance([]), ValueError),
        (lambda: sampler.autocovariance([1.0, 2.0], max_lag=2), ValueError),
        (lambda: sampler.autocovariance([1.0, 2.0], max_lag=-1), ValueError),
        (lambda: sampler.autocovariance([1.0, 2.0], max_lag=2**70), ValueError),
        (lambda: sampler.autocovariance([1.0, 2.0], max_lag=1.0), TypeError),
        (lambda: sampler.autocovariance([1.0, 2.0], max_lag=True), TypeError),
        (lambda: sampler.autocovariance([1.0, np.inf]), ValueError),
        (lambda: sampler.autocorrelation([2.0, 2.0]), ValueError),
        (lambda: sampler.rank_normalize([1.0, np.nan]), ValueError),
    ],
)
def test_bad_input(call, error):
    with pytest.raises(error):
        call()


def test_max_lag_errors_name_it_and_numpy_integers_are_accepted():
    for bad in (2**70, -1, 1.0, "1"):
        with pytest.raises((TypeError, ValueError), match="max_lag"):
            sampler.autocovariance([1.0, 2.0, 3.0], max_lag=bad)
    assert sampler.autocovariance([1.0, 2.0, 3.0], max_lag=np.int64(1)).shape == (2,)
    assert sampler.autocovariance([1.0, 2.0, 3.0], max_lag=np.array(1)).shape == (2,)
    with pytest.raises(TypeError, match="max_lag"):
        sampler.autocovariance([1.0, 2.0, 3.0], max_lag=np.True_)


def test_result_methods_use_these_diagnostics():
    result = sampler.ScaledTModel([1.0, 3.0, 2.5, 9.0, 2.2], nu=4).run(
        burn_in=50, sample_size=400, chains=3, seed=8
    )
    assert result.ess()["mu"] == sampler.ess(result.mu)
    assert result.ess("mean")["sigma2"] == sampler.ess(result.sigma2, method="mean")
    assert result.rhat()["sigma2"] == sampler.rhat(result.sigma2)
    assert result.mcse()["mu"] == sampler.mcse_mean(result.mu)
    assert "rhat" in result.summary() and "sigma2" in result.summary()
