"""Invalid constructor arguments and misuse: clear built-in exceptions, never a crash."""

from __future__ import annotations

import math

import pytest

from river_lite import stats

BAD_CONSTRUCTORS = [
    (lambda: stats.Quantile(0.0), ValueError, "q must lie strictly between 0 and 1"),
    (lambda: stats.Quantile(1.0), ValueError, "q must lie strictly between 0 and 1"),
    (lambda: stats.Quantile(math.nan), ValueError, "q must lie"),
    (lambda: stats.Quantile(-0.5), ValueError, "q must lie"),
    (lambda: stats.Quantile("a"), TypeError, "must be real number"),
    (lambda: stats.IQR(0.75, 0.25), ValueError, "q_inf must be smaller than q_sup"),
    (lambda: stats.IQR(0.5, 0.5), ValueError, "q_inf must be smaller than q_sup"),
    (lambda: stats.IQR(0.0, 0.5), ValueError, "q_inf must lie"),
    (lambda: stats.IQR(0.2, 1.5), ValueError, "q_sup must lie"),
    (lambda: stats.RollingQuantile(1.5, 10), ValueError, r"q must lie in \[0, 1\]"),
    (lambda: stats.RollingQuantile(-0.1, 10), ValueError, r"q must lie in \[0, 1\]"),
    (lambda: stats.RollingQuantile(0.5, 0), ValueError, "window_size must be an integer >= 1"),
    (lambda: stats.RollingQuantile(0.5, -3), ValueError, "window_size must be an integer >= 1"),
    (lambda: stats.RollingQuantile(0.5, 2.5), ValueError, "window_size must be an integer >= 1"),
    (lambda: stats.RollingQuantile(0.5, True), ValueError, "window_size must be an integer >= 1"),
    (lambda: stats.RollingIQR(0), ValueError, "window_size must be an integer >= 1"),
    (lambda: stats.RollingIQR(10, 0.9, 0.1), ValueError, "q_inf must be smaller than q_sup"),
    (lambda: stats.EWMean(0.0), ValueError, r"fading_factor must lie in \(0, 1\]"),
    (lambda: stats.EWMean(1.5), ValueError, r"fading_factor must lie in \(0, 1\]"),
    (lambda: stats.EWMean(math.nan), ValueError, "fading_factor"),
    (lambda: stats.EWVar(-0.1), ValueError, r"fading_factor must lie in \(0, 1\]"),
    (lambda: stats.Var(ddof=-1), ValueError, "ddof must be >= 0"),
    (lambda: stats.Var(ddof=1.5), TypeError, "ddof must be an integer"),
    (lambda: stats.Var(ddof=2**40), ValueError, "ddof must be >= 0 and <="),  # was OverflowError
    (lambda: stats.Skew(bias="yes"), TypeError, "bias must be a bool"),
    (lambda: stats.Rolling(stats.Min, window_size=3), TypeError, "no revert method"),
    (lambda: stats.Rolling(stats.Kurtosis, window_size=3), TypeError, "no revert method"),
    (lambda: stats.Rolling(stats.Quantile(), window_size=3), TypeError, "no revert method"),
    (lambda: stats.Rolling(stats.Mean, window_size=0), ValueError, "window_size"),
    # Sizes that do not fit the platform's sizes raised a bare OverflowError.
    (
        lambda: stats.RollingQuantile(0.5, 2**64),
        ValueError,
        "window_size must be an integer >= 1 and <=",
    ),
    (lambda: stats.RollingIQR(2**100), ValueError, "window_size must be an integer >= 1 and <="),
    (
        lambda: stats.Rolling(stats.Mean, window_size=2**62),
        ValueError,
        "window_size must be an integer >= 1 and <=",
    ),
    (lambda: stats.Rolling(stats.Mean, window_size=3.0), ValueError, "window_size"),
    (lambda: stats.RollingIQR(__import__("numpy").array([3])), ValueError, "window_size must be"),
    (
        lambda: stats.RollingQuantile(0.5, __import__("numpy").array(3.0)),
        ValueError,
        "window_size must be",
    ),
    (lambda: stats.Var(ddof=__import__("numpy").array(2.0)), TypeError, "ddof must be an integer"),
    (lambda: stats.Rolling(stats.Mean(), 3, ddof=1), TypeError, "keyword arguments"),
]


@pytest.mark.parametrize(("make", "error", "message"), BAD_CONSTRUCTORS)
def test_bad_constructor_arguments(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_rolling_refuses_a_statistic_that_has_seen_values():
    mean = stats.Mean()
    mean.update(1.0)
    with pytest.raises(ValueError, match="must not have seen values"):
        stats.Rolling(mean, window_size=3)


def test_numpy_integers_are_window_sizes():
    np = pytest.importorskip("numpy")
    for rolling in (
        stats.RollingQuantile(0.5, np.int64(2)),
        stats.RollingIQR(np.uint8(2)),
        stats.Rolling(stats.Mean, window_size=np.int32(2)),
    ):
        rolling.update_many([1.0, 5.0, 9.0])
        assert rolling.window_size == 2 and type(rolling.window_size) is int
    assert stats.Rolling(stats.Mean, window_size=np.int32(2)).get() is None


def test_numpy_scalars_are_accepted_as_ddof_and_bias():
    np = pytest.importorskip("numpy")
    assert stats.Var(ddof=np.int64(0)).ddof == 0
    assert stats.Skew(bias=np.bool_(True)).bias is True
    assert stats.Skew(bias=np.int64(1)).bias is True
    assert stats.Kurtosis(bias=np.bool_(False)).bias is False


def test_huge_window_is_allocated_lazily():
    # The rolling quantile grows with the values it holds, not with window_size.
    rolling = stats.RollingQuantile(0.5, window_size=10**12)
    rolling.update_many([1.0, 2.0, 3.0])
    assert rolling.get() == 2.0


def test_revert_of_a_value_never_seen_keeps_the_count_consistent():
    mean = stats.Mean()
    mean.update_many([1.0, 2.0, 3.0])
    mean.revert(10.0)  # allowed, like River: the caller owns the bookkeeping
    assert mean.n == 2
