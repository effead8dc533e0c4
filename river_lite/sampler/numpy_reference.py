"""The Gibbs sampler of the scaled Student-t model, vectorised with NumPy.

The second of the talk's three implementations: the same sweep as
:mod:`river_lite.sampler.python_reference` (read that module for the model and the full
conditionals), with the loop over data points replaced by array operations. The loop over
iterations stays in Python: each sweep depends on the previous one. Select it with
``ScaledTModel(...).run(backend="numpy")``.

Streams: chain ``c`` of seed ``s`` uses ``numpy.random.Generator(PCG64(SeedSequence(s,
spawn_key=(c,))))``, the generator ``SeedSequence(s).spawn(k)[c]`` would give, so the same
seed gives the same draws with the same NumPy version.
"""

from __future__ import annotations

import math

import numpy as np

from .python_reference import rebalance


def sample_chain(
    data: np.ndarray, nu: float, burn_in: int, sample_size: int, rng: np.random.Generator
) -> np.ndarray:
    """Runs one chain; returns a ``(4, sample_size)`` array of ``mu, sigma2, tau2, alpha2``.

    Starts, like every backend, at the sample mean, the sample variance and alpha2 = 1.
    """
    x = np.asarray(data, dtype=np.float64)
    n = x.size
    mu, tau2, alpha2 = x.mean(), x.var(ddof=1), 1.0
    draws = np.empty((4, sample_size))
    for iteration in range(burn_in + sample_size):
        # w_i = 1 / U_i for all i at once.
        weights = rng.chisquare(nu + 1.0, size=n) / (nu * tau2 + (x - mu) ** 2 / alpha2)
        sum_w = weights.sum()
        mu = rng.normal(weights @ x / sum_w, math.sqrt(alpha2 / sum_w))
        tau2 = rng.standard_gamma(n * nu / 2.0) / (nu / 2.0 * sum_w)
        alpha2 = weights @ (x - mu) ** 2 / rng.chisquare(n)
        if iteration >= burn_in:
            draws[:, iteration - burn_in] = mu, alpha2 * tau2, tau2, alpha2
        tau2, alpha2 = rebalance(tau2, alpha2)
    return draws


def chain_rng(seed: int, chain: int) -> np.random.Generator:
    """The generator of chain ``chain`` for ``seed`` (an int in [0, 2**64))."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(chain,))))


def sample(
    data: np.ndarray,
    nu: float,
    burn_in: int,
    sample_size: int,
    chains: int,
    seed: int,
    first_chain: int = 0,
) -> dict[str, np.ndarray]:
    """Runs chains ``first_chain … first_chain + chains - 1`` of ``seed`` one after the other;
    returns ``{name: (chains, sample_size)}``.

    Examples
    --------
    >>> import numpy as np
    >>> from river_lite.sampler import numpy_reference
    >>> draws = numpy_reference.sample(np.array([1.0, 2.5, 0.5, 4.0]), nu=4.0, burn_in=10,
    ...                                sample_size=5, chains=2, seed=7)
    >>> draws["sigma2"].shape
    (2, 5)
    """
    chain_range = range(first_chain, first_chain + chains)
    stacked = np.stack(
        [sample_chain(data, nu, burn_in, sample_size, chain_rng(seed, c)) for c in chain_range],
        axis=1,
    )
    return dict(zip(("mu", "sigma2", "tau2", "alpha2"), stacked, strict=True))
