"""river_lite.stats against NumPy and SciPy on growing prefixes of several streams."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.stats
from stats_catalog import FACTORIES

from river_lite import stats

RNG = np.random.default_rng(7)
STREAMS = {
    "normal": RNG.normal(-2.0, 3.0, size=400),
    "exponential": RNG.exponential(2.0, size=400),
    "integers": RNG.integers(-5, 5, size=400).astype(float),
    # Values far from zero: naive sum-of-squares formulas lose every digit here.
    "offset 1e9": 1e9 + RNG.normal(0.0, 1.0, size=400),
}
PREFIXES = [1, 2, 3, 4, 5, 10, 57, 400]


def ewm_reference(values, alpha):
    mean, var = values[0], 0.0
    for x in values[1:]:
        # The textbook definitions River uses: E[x] and E[x^2] - E[x]^2, exponentially weighted.
        diff = x - mean
        mean = mean + alpha * diff
        var = (1 - alpha) * (var + alpha * diff * diff)
    return mean, var


def reference(name, values):
    n = len(values)
    if name == "Mean":
        return values.mean()
    if name == "Var":
        return values.var(ddof=1) if n > 1 else 0.0
    if name == "Var(ddof=0)":
        return values.var()
    if name == "Min":
        return values.min()
    if name == "Max":
        return values.max()
    if name == "PeakToPeak":
        return np.ptp(values)
    if name.startswith("Skew"):
        if np.ptp(values) == 0:
            return 0.0
        return scipy.stats.skew(values, bias=("bias" in name) or n <= 2)
    if name.startswith("Kurtosis"):
        if np.ptp(values) == 0:
            return -3.0
        return scipy.stats.kurtosis(values, bias=("bias" in name) or n <= 3)
    raise KeyError(name)


MOMENTS = [
    "Mean",
    "Var",
    "Var(ddof=0)",
    "Min",
    "Max",
    "PeakToPeak",
    "Skew",
    "Skew(bias)",
    "Kurtosis",
    "Kurtosis(bias)",
]


@pytest.mark.parametrize("stream", STREAMS)
@pytest.mark.parametrize("name", MOMENTS)
def test_moments_match_numpy_and_scipy(name, stream):
    values = STREAMS[stream]
    stat = FACTORIES[name]()
    seen = 0
    for prefix in PREFIXES:
        stat.update_many(values[seen:prefix])
        seen = prefix
        expected = reference(name, values[:prefix])
        rel = 1e-9
        if stream == "offset 1e9" and name.startswith(("Var", "Skew", "Kurtosis")):
            # Every value at 1e9 is rounded by 1.2e-7 (its ulp) against a spread of 1, which
            # bounds any algorithm's agreement with NumPy's; a naive sum of squares would be
            # off by ~100 here, so these bounds still prove stability.
            rel = 1e-6 if name.startswith("Var") else 1e-5
        assert stat.get() == pytest.approx(expected, rel=rel, abs=1e-9), (name, prefix)


@pytest.mark.parametrize("stream", STREAMS)
@pytest.mark.parametrize("alpha", [0.5, 0.1, 1.0])
def test_ew_stats_match_the_definition(stream, alpha):
    values = STREAMS[stream]
    mean, var = stats.EWMean(alpha), stats.EWVar(alpha)
    for i, x in enumerate(values):
        mean.update(x)
        var.update(x)
        if i + 1 in PREFIXES:
            expected_mean, expected_var = ewm_reference(values[: i + 1], alpha)
            assert mean.get() == pytest.approx(expected_mean, rel=1e-12)
            assert var.get() == pytest.approx(expected_var, rel=1e-9, abs=1e-12)


def test_ew_variance_is_stable_far_from_zero():
    # E[x^2] - E[x]^2 at 1e9 is pure rounding noise (squares ~1e18, spread ~1): River's
    # formula returns 0.0 here. On 0, 1, 0, 1, ... with fading factor 1/2 the weighted
    # variance settles at 2/9 wherever the stream sits.
    values = 1e9 + np.tile([0.0, 1.0], 500)
    var = stats.EWVar(0.5)
    var.update_many(values)
    assert var.get() == pytest.approx(2 / 9, rel=1e-6)


@pytest.mark.parametrize("stream", STREAMS)
@pytest.mark.parametrize("q", [0.0, 0.01, 0.3, 0.5, 0.99, 1.0])
@pytest.mark.parametrize("window_size", [1, 4, 50, 1000])
def test_rolling_quantile_equals_numpy_on_the_window(stream, q, window_size):
    values = STREAMS[stream]
    rolling = stats.RollingQuantile(q=q, window_size=window_size)
    for i, x in enumerate(values):
        rolling.update(x)
        window = values[max(0, i + 1 - window_size) : i + 1]
        assert rolling.get() == pytest.approx(np.quantile(window, q), rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("window_size", [3, 64])
def test_rolling_iqr_equals_numpy_on_the_window(window_size):
    values = STREAMS["normal"]
    iqr = stats.RollingIQR(window_size, q_inf=0.1, q_sup=0.8)
    for i, x in enumerate(values):
        iqr.update(x)
        window = values[max(0, i + 1 - window_size) : i + 1]
        low, high = np.quantile(window, [0.1, 0.8])
        assert iqr.get() == pytest.approx(high - low, rel=1e-12, abs=1e-12)


def test_rolling_quantile_with_a_window_of_a_million():
    values = np.random.default_rng(3).normal(size=1_200_000)
    rolling = stats.RollingQuantile(q=0.5, window_size=1_000_000)
    rolling.update_many(values)
    assert rolling.get() == pytest.approx(np.quantile(values[-1_000_000:], 0.5), rel=1e-15)


@pytest.mark.parametrize("name", ["Mean", "Var", "Count"])
def test_rolling_revertible_stats_equal_a_fresh_stat_on_the_window(name):
    values = STREAMS["normal"]
    rolling = stats.Rolling(getattr(stats, name), window_size=25)
    for i, x in enumerate(values):
        rolling.update(x)
        fresh = getattr(stats, name)()
        fresh.update_many(values[max(0, i - 24) : i + 1])
        assert rolling.get() == pytest.approx(fresh.get(), rel=1e-6, abs=1e-9)


def test_quantile_is_exact_until_the_markers_move():
    values = [4.0, -1.0, 7.0, 2.0, 9.0]
    for q in (0.1, 0.5, 0.9):
        p2 = stats.Quantile(q)
        for i, x in enumerate(values):
            p2.update(x)
            assert p2.get() == pytest.approx(np.quantile(values[: i + 1], q))
