"""The Gibbs sampler of the scaled Student-t model in pure Python: the readable reference.

This is the first of the three implementations of the "Speeding up Python with Rust" talk
(pure Python, NumPy, Rust), kept as teaching material and as a cross-check of the fast one.
Select it with ``ScaledTModel(...).run(backend="python")``.

The model (Gelman et al., *Bayesian Data Analysis*, 3rd ed., p. 295): ``x_i ~ t_nu(mu,
sigma2)`` with ``p(mu, sigma2) ∝ 1/sigma2``. The sampler works on the parameter-expanded
form, a scale mixture of normals with a redundant scale ``alpha`` that speeds up mixing::

    x_i ~ N(mu, alpha2 * U_i),   U_i ~ Inv-chi2(nu, tau2),   sigma2 = alpha2 * tau2,
    p(mu, tau2, alpha2) ∝ 1 / (tau2 * alpha2)

and draws each block from its full conditional in turn:

* ``U_i | ... ~ Inv-chi2(nu + 1, (nu * tau2 + ((x_i - mu) / alpha)**2) / (nu + 1))``;
* ``mu | ... ~ N(sum(x_i / U_i) / sum(1 / U_i), alpha2 / sum(1 / U_i))``;
* ``tau2 | ... ~ Gamma(shape n * nu / 2, rate nu / 2 * sum(1 / U_i))``;
* ``alpha2 | ... ~ Inv-chi2(n, sum((x_i - mu)**2 / U_i) / n)``.

A scaled ``Inv-chi2(v, s2)`` draw is ``v * s2 / chi2_v``. Note that the ``U_i`` conditional
*divides* the squared residual by ``alpha2`` (the talk's Rust snippet multiplied it).

Streams: chain ``c`` of seed ``s`` uses ``random.Random(s + c * 2**64)`` (Mersenne Twister),
so the same seed gives the same draws on the same Python version.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

#: alpha2 is kept within [1 / ALPHA2_LIMIT, ALPHA2_LIMIT] between sweeps (see ``rebalance``).
ALPHA2_LIMIT = 2.0**64


def chi_squared(rng: random.Random, dof: float) -> float:
    """One chi-squared(dof) variate: twice a Gamma(dof / 2, 1) variate."""
    return 2.0 * rng.gammavariate(dof / 2.0, 1.0)


def rebalance(tau2: float, alpha2: float) -> tuple[float, float]:
    """Moves a power of two from alpha2 to tau2 when alpha2 leaves [2**-64, 2**64].

    alpha is not identified (its posterior is improper), so log(alpha2) random-walks from
    sweep to sweep and, in long runs on few data points, would overflow. Scaling by a power
    of two is exact in floating point and leaves every later draw of mu and sigma2 unchanged.
    """
    if 1.0 / ALPHA2_LIMIT <= alpha2 <= ALPHA2_LIMIT:
        return tau2, alpha2
    _, exponent = math.frexp(alpha2)
    return math.ldexp(tau2, exponent), math.ldexp(alpha2, -exponent)


def sample_chain(
    data: Sequence[float], nu: float, burn_in: int, sample_size: int, rng: random.Random
) -> tuple[list[float], list[float], list[float], list[float]]:
    """Runs one chain; returns the recorded ``mu``, ``sigma2``, ``tau2`` and ``alpha2``.

    The chain starts at the sample mean (mu), the sample variance (tau2) and alpha2 = 1, runs
    ``burn_in`` sweeps, then records ``sample_size`` sweeps. ``data`` must hold at least two
    finite, not all equal values and ``nu`` must be > 0 (``ScaledTModel`` checks this).
    """
    n = len(data)
    mu = sum(data) / n
    tau2 = sum((x - mu) ** 2 for x in data) / (n - 1)
    alpha2 = 1.0
    mus, sigma2s, tau2s, alpha2s = [], [], [], []
    for iteration in range(burn_in + sample_size):
        # U_i: we keep the weights w_i = 1 / U_i = chi2_(nu+1) / (nu tau2 + (x_i - mu)^2 / alpha2).
        weights = [chi_squared(rng, nu + 1.0) / (nu * tau2 + (x - mu) ** 2 / alpha2) for x in data]
        sum_w = sum(weights)
        # mu: a precision-weighted mean.
        mean = sum(w * x for w, x in zip(weights, data, strict=True)) / sum_w
        mu = mean + math.sqrt(alpha2 / sum_w) * rng.normalvariate(0.0, 1.0)
        # tau2: Gamma(n nu / 2, rate nu / 2 * sum_w) is a unit Gamma variate divided by the rate.
        tau2 = rng.gammavariate(n * nu / 2.0, 1.0) / (nu / 2.0 * sum_w)
        # alpha2: n s2 / chi2_n with n s2 = sum(w_i (x_i - mu)^2).
        squares = sum(w * (x - mu) ** 2 for w, x in zip(weights, data, strict=True))
        alpha2 = squares / chi_squared(rng, n)
        if iteration >= burn_in:
            mus.append(mu)
            sigma2s.append(alpha2 * tau2)
            tau2s.append(tau2)
            alpha2s.append(alpha2)
        tau2, alpha2 = rebalance(tau2, alpha2)
    return mus, sigma2s, tau2s, alpha2s


def chain_rng(seed: int, chain: int) -> random.Random:
    """The generator of chain ``chain`` for ``seed`` (an int in [0, 2**64))."""
    return random.Random(seed + chain * 2**64)


def sample(
    data: Sequence[float],
    nu: float,
    burn_in: int,
    sample_size: int,
    chains: int,
    seed: int,
    first_chain: int = 0,
) -> dict[str, list[list[float]]]:
    """Runs chains ``first_chain … first_chain + chains - 1`` of ``seed`` one after the other;
    returns ``{name: [chain draws, ...]}``.

    Examples
    --------
    >>> from river_lite.sampler import python_reference
    >>> draws = python_reference.sample([1.0, 2.5, 0.5, 4.0], nu=4.0, burn_in=10,
    ...                                 sample_size=5, chains=2, seed=7)
    >>> [len(draws["mu"]), len(draws["mu"][0])]
    [2, 5]
    """
    chain_range = range(first_chain, first_chain + chains)
    columns = [
        sample_chain(data, nu, burn_in, sample_size, chain_rng(seed, c)) for c in chain_range
    ]
    names = ("mu", "sigma2", "tau2", "alpha2")
    return {name: [chain[k] for chain in columns] for k, name in enumerate(names)}
