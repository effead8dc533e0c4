"""Reference definitions of the MCMC diagnostics, transcribed in NumPy/SciPy from ArviZ
(``arviz/stats/diagnostics.py``: ``_ess``, ``_ess_bulk``, ``_ess_mean``, ``_rhat``,
``_rhat_rank``, ``_split_chains``, ``_z_scale``, ``_backtransform_ranks``, ``_mcse_mean``;
``arviz/stats/stats_utils.py``: ``autocov``), which implement Vehtari et al. (2021),
*Bayesian Analysis* 16(2). Written for the tests only: ArviZ itself is not needed.

These follow ArviZ's code paths (FFT autocovariance, scipy's ranks and normal quantile), not
river_lite's (direct sums, its own ranks and quantile function).
"""

from __future__ import annotations

import numpy as np
from scipy import stats


def autocov(x: np.ndarray) -> np.ndarray:
    """Biased autocovariance along the last axis by FFT, zero-padded to 2n (ArviZ's autocov)."""
    n = x.shape[-1]
    m = 2 * n
    centred = x - x.mean(axis=-1, keepdims=True)
    spectrum = np.fft.rfft(centred, n=m, axis=-1)
    return np.fft.irfft(spectrum * np.conjugate(spectrum), n=m, axis=-1)[..., :n] / n


def split_chains(x: np.ndarray) -> np.ndarray:
    x = np.atleast_2d(x)
    half = x.shape[1] // 2
    return np.concatenate((x[:, :half], x[:, -half:]), axis=0)


def z_scale(x: np.ndarray) -> np.ndarray:
    rank = stats.rankdata(x, method="average", axis=None).reshape(x.shape)
    return stats.norm.ppf((rank - 3 / 8) / (x.size - 2 * 3 / 8 + 1))


def ess_core(x: np.ndarray) -> float:
    """ArviZ's ``_ess`` (Geyer's initial monotone sequence over chains)."""
    x = np.atleast_2d(np.asarray(x, dtype=float))
    if np.max(x) - np.min(x) < np.finfo(float).resolution:
        return float(x.size)
    n_chain, n_draw = x.shape
    acov = autocov(x)
    chain_mean = x.mean(axis=1)
    mean_var = np.mean(acov[:, 0]) * n_draw / (n_draw - 1.0)
    var_plus = mean_var * (n_draw - 1.0) / n_draw
    if n_chain > 1:
        var_plus += np.var(chain_mean, ddof=1)
    rho = np.zeros(n_draw)
    rho_even = 1.0
    rho[0] = rho_even
    rho_odd = 1.0 - (mean_var - np.mean(acov[:, 1])) / var_plus
    rho[1] = rho_odd
    t = 1
    while t < n_draw - 3 and rho_even + rho_odd > 0.0:
        rho_even = 1.0 - (mean_var - np.mean(acov[:, t + 1])) / var_plus
        rho_odd = 1.0 - (mean_var - np.mean(acov[:, t + 2])) / var_plus
        if rho_even + rho_odd >= 0:
            rho[t + 1] = rho_even
            rho[t + 2] = rho_odd
        t += 2
    max_t = t - 2
    if rho_even > 0:
        rho[max_t + 1] = rho_even
    t = 1
    while t <= max_t - 2:
        if rho[t + 1] + rho[t + 2] > rho[t - 1] + rho[t]:
            rho[t + 1] = (rho[t - 1] + rho[t]) / 2.0
            rho[t + 2] = rho[t + 1]
        t += 2
    total = n_chain * n_draw
    tau = -1.0 + 2.0 * np.sum(rho[: max_t + 1]) + np.sum(rho[max_t + 1 : max_t + 2])
    tau = max(tau, 1 / np.log10(total))
    return total / tau


def ess_bulk(x: np.ndarray) -> float:
    return ess_core(z_scale(split_chains(x)))


def ess_mean(x: np.ndarray) -> float:
    return ess_core(split_chains(x))


def rhat_core(x: np.ndarray) -> float:
    """ArviZ's ``_rhat``."""
    n = x.shape[1]
    between = n * np.var(x.mean(axis=1), ddof=1)
    within = np.mean(np.var(x, axis=1, ddof=1))
    return float(np.sqrt((between / within + n - 1) / n))


def rhat_rank(x: np.ndarray) -> float:
    split = split_chains(x)
    bulk = rhat_core(z_scale(split))
    tail = rhat_core(z_scale(np.abs(split - np.median(split))))
    return max(bulk, tail)


def rhat_split(x: np.ndarray) -> float:
    return rhat_core(split_chains(x))


def mcse_mean(x: np.ndarray) -> float:
    return float(np.std(x, ddof=1) / np.sqrt(ess_mean(x)))
