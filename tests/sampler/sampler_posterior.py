"""Test helpers for the sampler: the talk's data and the exact posterior by quadrature."""

from __future__ import annotations

import numpy as np
from scipy import stats


def talk_data(n: int, seed: int, mu: float = -3.14, sigma2: float = 30.0, nu: float = 6.0):
    """``n`` points of t_nu(mu, sigma2) made as in the talk: mu + z * sqrt(sigma2 nu / chi2_nu)."""
    rng = np.random.default_rng(seed)
    return mu + rng.standard_normal(n) * np.sqrt(sigma2 * nu / rng.chisquare(nu, n))


def posterior_means(x: np.ndarray, nu: float, points: int = 601) -> tuple[float, float]:
    """E[mu | x] and E[sigma2 | x] for p(mu, sigma2 | x) ∝ (1/sigma2) Π t_nu(x_i | mu, sigma2),
    by the trapezoidal rule on a ``points`` x ``points`` grid over (mu, log sigma2), on which the
    prior 1/sigma2 is flat. The grid is centred on robust estimates (median, and the scale
    that makes the t_nu quartiles match the data's) and widened until the density on its
    border is below 1e-12 of the peak, so it covers the posterior also for heavy tails."""
    x = np.asarray(x, dtype=np.float64)
    n = x.size
    centre = np.median(x)
    scale = (np.percentile(x, 75) - np.percentile(x, 25)) / (2 * stats.t.ppf(0.75, nu))
    half_mu, half_log_s2 = 8 * scale / np.sqrt(n), 8 * np.sqrt(2 / n)
    for _ in range(8):
        mu = np.linspace(centre - half_mu, centre + half_mu, points)
        log_s2 = np.linspace(
            2 * np.log(scale) - half_log_s2, 2 * np.log(scale) + half_log_s2, points
        )
        p = _grid_density(x, nu, mu, log_s2)
        # Density left on a border means the grid cuts the posterior off: widen that axis.
        edge_mu, edge_s2 = p[[0, -1], :].max(), p[:, [0, -1]].max()
        if max(edge_mu, edge_s2) < 1e-12:
            break
        half_mu *= 2 if edge_mu >= 1e-12 else 1
        half_log_s2 *= 2 if edge_s2 >= 1e-12 else 1
    else:
        raise AssertionError("the quadrature grid cuts the posterior off")
    s2 = np.exp(log_s2)
    weights = np.ones(points)
    weights[[0, -1]] = 0.5  # trapezoid
    p *= weights[:, None] * weights[None, :]
    total = p.sum()
    return float((p.sum(axis=1) @ mu) / total), float((p.sum(axis=0) @ s2) / total)


def _grid_density(x, nu, mu, log_s2):
    """The posterior density on the grid, scaled to a peak of 1."""
    s2 = np.exp(log_s2)
    log_p = np.zeros((mu.size, log_s2.size))
    for x_i in x:  # log Π t_nu(x_i | mu, s2), up to a constant, accumulated point by point
        log_p += -0.5 * log_s2[None, :] - (nu + 1) / 2 * np.log1p(
            (x_i - mu[:, None]) ** 2 / (nu * s2[None, :])
        )
    return np.exp(log_p - log_p.max())
