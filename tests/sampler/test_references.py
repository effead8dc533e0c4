"""The reference implementations do exactly the sweep of origins.md §4: with their random
variates replaced by fixed numbers, two sweeps match the full conditionals transcribed here in
the textbook's notation (U_i, not its reciprocal). The second sweep runs with alpha2 != 1, so
a U_i conditional that multiplied the squared residual by alpha2 (the talk's bug) fails."""

from __future__ import annotations

import math

import numpy as np
import pytest

from river_lite.sampler import numpy_reference, python_reference

DATA = [1.3, -0.4, 2.9, 0.7, 8.0, 1.1]
NU = 4.0
Z = 0.5  # every standard normal variate


def expected_sweeps(data, nu, sweeps):
    """Each variate at a fixed value: chi2_k -> k, Gamma(a, 1) -> a, N(0, 1) -> Z."""
    n = len(data)
    mu = sum(data) / n
    tau2 = sum((x - mu) ** 2 for x in data) / (n - 1)
    alpha2 = 1.0
    rows = []
    for _ in range(sweeps):
        # U_i ~ Inv-chi2(nu + 1, s_i2), s_i2 = (nu tau2 + ((x_i - mu) / alpha)^2) / (nu + 1);
        # a draw is (nu + 1) s_i2 / chi2_(nu + 1).
        u = []
        for x in data:
            s2 = (nu * tau2 + ((x - mu) / math.sqrt(alpha2)) ** 2) / (nu + 1)
            u.append((nu + 1) * s2 / (nu + 1))
        precision = sum(1 / (alpha2 * u_i) for u_i in u)
        mean = sum(x / (alpha2 * u_i) for x, u_i in zip(data, u, strict=True)) / precision
        mu = mean + Z / math.sqrt(precision)
        tau2 = (n * nu / 2) / (nu / 2 * sum(1 / u_i for u_i in u))
        s2 = sum((x - mu) ** 2 / u_i for x, u_i in zip(data, u, strict=True)) / n
        alpha2 = n * s2 / n
        rows.append((mu, alpha2 * tau2, tau2, alpha2))
    return np.array(rows).T


class FixedRandom:
    """Stands in for random.Random."""

    def gammavariate(self, alpha, beta):
        return alpha * beta

    def normalvariate(self, mu, sigma):
        return mu + sigma * Z


class FixedGenerator:
    """Stands in for numpy.random.Generator."""

    def chisquare(self, df, size=None):
        return df if size is None else np.full(size, float(df))

    def standard_gamma(self, shape):
        return shape

    def normal(self, loc, scale):
        return loc + scale * Z


def test_the_fixed_point_is_a_real_test():
    expected = expected_sweeps(DATA, NU, 2)
    assert abs(expected[3, 0] - 1.0) > 0.1, "alpha2 must move away from 1 after a sweep"


def test_python_reference_follows_the_conditionals():
    got = np.array(python_reference.sample_chain(DATA, NU, 0, 2, FixedRandom()))
    np.testing.assert_allclose(got, expected_sweeps(DATA, NU, 2), rtol=1e-12)


def test_numpy_reference_follows_the_conditionals():
    got = numpy_reference.sample_chain(np.array(DATA), NU, 0, 2, FixedGenerator())
    np.testing.assert_allclose(got, expected_sweeps(DATA, NU, 2), rtol=1e-12)


def test_burn_in_is_discarded():
    got = numpy_reference.sample_chain(np.array(DATA), NU, 1, 1, FixedGenerator())
    np.testing.assert_allclose(got[:, 0], expected_sweeps(DATA, NU, 2)[:, 1], rtol=1e-12)


@pytest.mark.parametrize(("alpha2", "tau2"), [(2.0**70, 3.0), (2.0**-70, 5.0), (1.5, 2.0)])
def test_rebalance_is_exact(alpha2, tau2):
    new_tau2, new_alpha2 = python_reference.rebalance(tau2, alpha2)
    assert 2.0**-64 <= new_alpha2 <= 2.0**64
    assert new_alpha2 * new_tau2 == alpha2 * tau2  # a power of two moved: no rounding
