"""The sampler is right by statistics: every backend recovers the exact posterior (computed by
quadrature), the three backends agree in distribution, and a large nu gives the normal model."""

from __future__ import annotations

import functools

import numpy as np
import pytest
from sampler_posterior import posterior_means, talk_data
from scipy import stats

from river_lite.sampler import ScaledTModel

NU = 6.0
DATA = talk_data(60, seed=2024)  # the talk's setting (nu = 6, mu = -3.14, sigma2 = 30), n = 60

# Run sizes per backend: enough draws for a sharp test, small enough for pure Python.
RUNS = {
    "rust": dict(burn_in=500, sample_size=20_000, chains=4, seed=1),
    "numpy": dict(burn_in=200, sample_size=4_000, chains=2, seed=2),
    "python": dict(burn_in=200, sample_size=2_000, chains=2, seed=3),
}


@functools.cache
def run(backend: str):
    return ScaledTModel(DATA, NU).run(backend=backend, **RUNS[backend])


@functools.cache
def exact_means() -> tuple[float, float]:
    return posterior_means(DATA, NU)


# nu <= 1: the latent scales' gamma shape (nu + 1)/2 is below 1, which the engine draws one at
# a time by another method, and the data have Cauchy-like tails.
HEAVY_NU = 0.8
HEAVY_DATA = talk_data(60, seed=2024, nu=HEAVY_NU)


def test_quadrature_is_converged():
    # The reference itself: a coarser and a finer grid give the same means.
    for data, nu in ((DATA, NU), (HEAVY_DATA, HEAVY_NU)):
        coarse, fine = posterior_means(data, nu, points=301), posterior_means(data, nu, points=901)
        np.testing.assert_allclose(coarse, fine, rtol=1e-9)


@pytest.mark.parametrize("backend", list(RUNS))
def test_heavy_tailed_posterior_means_within_four_monte_carlo_standard_errors(backend):
    result = ScaledTModel(HEAVY_DATA, HEAVY_NU).run(backend=backend, **RUNS[backend])
    for name, exact in zip(("mu", "sigma2"), posterior_means(HEAVY_DATA, HEAVY_NU), strict=True):
        estimate, mcse = result.mean()[name], result.mcse()[name]
        assert 0 < mcse < 0.05 * abs(exact), "the run is too short to test anything"
        assert abs(estimate - exact) < 4 * mcse, f"{backend} {name}: {estimate} ± {mcse} vs {exact}"


@pytest.mark.parametrize("backend", list(RUNS))
@pytest.mark.parametrize("name", ["mu", "sigma2"])
def test_posterior_mean_within_four_monte_carlo_standard_errors(backend, name):
    result = run(backend)
    exact = dict(zip(("mu", "sigma2"), exact_means(), strict=True))[name]
    estimate, mcse = result.mean()[name], result.mcse()[name]
    assert 0 < mcse < 0.05 * abs(exact), "the run is too short to test anything"
    assert abs(estimate - exact) < 4 * mcse, f"{backend} {name}: {estimate} ± {mcse} vs {exact}"


@pytest.mark.parametrize("backend", list(RUNS))
def test_chains_converge(backend):
    result = run(backend)
    for name in ("mu", "sigma2"):
        assert result.rhat()[name] < 1.01
        # The sampler mixes fast: over a third of the draws are effectively independent.
        assert result.ess()[name] > 0.3 * result.chains * result.sample_size


@pytest.mark.parametrize("other", ["numpy", "python"])
@pytest.mark.parametrize("name", ["mu", "sigma2"])
def test_backends_agree_in_distribution(other, name):
    # Thinned by 5, the draws are close to independent (autocorrelation time ~1.5), so the
    # two-sample Kolmogorov-Smirnov test applies.
    rust = getattr(run("rust"), name)[:, ::5].ravel()
    reference = getattr(run(other), name)[:, ::5].ravel()
    assert stats.ks_2samp(rust, reference).pvalue > 1e-3


def test_large_nu_gives_the_normal_model():
    # With nu -> inf the t model becomes the normal model, whose posterior under
    # p(mu, sigma2) ∝ 1/sigma2 is known in closed form: mu | x ~ t_(n-1)(mean, s2 / n) and
    # sigma2 | x ~ Inv-chi2(n - 1, s2).
    x = np.random.default_rng(7).normal(5.0, 2.0, size=40)
    n, mean, s2 = x.size, x.mean(), x.var(ddof=1)
    result = ScaledTModel(x, nu=1e6).run(burn_in=200, sample_size=20_000, chains=2, seed=4)
    expected_mean = {"mu": mean, "sigma2": (n - 1) * s2 / (n - 3)}
    for name, value in expected_mean.items():
        assert abs(result.mean()[name] - value) < 4 * result.mcse()[name], name
    expected_sd_mu = np.sqrt(s2 / n * (n - 1) / (n - 3))
    assert result.sd()["mu"] == pytest.approx(expected_sd_mu, rel=0.03)
    expected_sd_sigma2 = expected_mean["sigma2"] * np.sqrt(2 / (n - 5))
    assert result.sd()["sigma2"] == pytest.approx(expected_sd_sigma2, rel=0.05)


def test_heavy_tails_resist_an_outlier():
    # The point of the t model: one wild value moves a normal fit's mean, not the t fit's.
    x = np.concatenate([np.random.default_rng(8).normal(0.0, 1.0, size=30), [40.0]])
    result = ScaledTModel(x, nu=3).run(burn_in=200, sample_size=4_000, seed=5)
    assert abs(result.mean()["mu"]) < 0.5 < abs(x.mean())
