"""Test helpers for the sampler: the talk's data and the exact posterior by quadrature."""

from __future__ import annotations

import numpy as np


def talk_data(n: int, seed: int, mu: float = -3.14, sigma2: float = 30.0, nu: float = 6.0):
    """``n`` points of t_nu(mu, sigma2) made as in the talk: mu + z * sqrt(sigma2 nu / chi2_nu)."""
    rng = np.random.default_rng(seed)
    return mu + rng.standard_normal(n) * np.sqrt(sigma2 * nu / rng.chisquare(nu, n))


def posterior_means(x: np.ndarray, nu: float, points: int = 601) -> tuple[float, float]:
    """E[mu | x] and E[sigma2 | x] for p(mu, sigma2 | x) ∝ (1/sigma2) Π t_nu(x_i | mu, sigma2),
    by the trapezoidal rule on a ``points × points`` grid over (mu, log sigma2), on which the
    prior 1/sigma2 is flat. The grid spans ±12 approximate posterior sds on each axis; an
    AssertionError says when that does not cover the posterior (mass on the grid's edges)."""
    x = np.asarray(x, dtype=np.float64)
    n = x.size
    mean, var = x.mean(), x.var(ddof=1)
    mu = np.linspace(mean - 12 * np.sqrt(var / n), mean + 12 * np.sqrt(var / n), points)
    log_s2 = np.linspace(np.log(var) - 12 * np.sqrt(2 / n), np.log(var) + 12 * np.sqrt(2 / n), points)
    s2 = np.exp(log_s2)
    log_p = np.zeros((points, points))
    for x_i in x:  # log Π t_nu(x_i | mu, s2), up to a constant, accumulated point by point
        log_p += -0.5 * log_s2[None, :] - (nu + 1) / 2 * np.log1p(
            (x_i - mu[:, None]) ** 2 / (nu * s2[None, :])
        )
    p = np.exp(log_p - log_p.max())
    weights = np.ones(points)
    weights[[0, -1]] = 0.5  # trapezoid
    p *= weights[:, None] * weights[None, :]
    total = p.sum()
    # Density left at the border means the grid cuts the posterior off: the means would be
    # wrong however fine the grid (the normal approximation behind the span fails for small
    # n or heavy tails).
    edge = max(p[[0, -1], :].max(), p[:, [0, -1]].max()) / p.max()
    assert edge < 1e-12, f"the quadrature grid cuts the posterior off (edge density {edge:.1e})"
    return float((p.sum(axis=1) @ mu) / total), float((p.sum(axis=0) @ s2) / total)
