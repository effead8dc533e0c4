"""``SamplerResult``: the draws of a run, with summaries and convergence diagnostics."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Literal, TypeVar

import numpy as np
import numpy.typing as npt

from .._native import load

T = TypeVar("T")

if TYPE_CHECKING:
    from . import _diagnostics  # the stub, sampler/_diagnostics.pyi, for the type checker
else:
    _diagnostics = load("sampler._diagnostics")

#: The identified parameters, which the summaries and diagnostics report.
PARAMETERS = ("mu", "sigma2")


class SamplerResult:
    """Draws of one :meth:`ScaledTModel.run <river_lite.sampler.ScaledTModel.run>`.

    Attributes
    ----------
    mu, sigma2 : numpy.ndarray
        Draws of the location and the squared scale, shape ``(chains, sample_size)``.
    tau2, alpha2 : numpy.ndarray
        The working parameters of the expanded model as drawn (``sigma2 == alpha2 * tau2``).
        Not identified on their own: read them only to study the sampler.
    nu : float
    burn_in : int
    seed : int
        The seed of the run (drawn afresh when ``run`` got ``seed=None``).
    backend : str

    Examples
    --------
    >>> from river_lite.sampler import ScaledTModel
    >>> result = ScaledTModel([4.2, 5.1, 3.9, 4.8, 12.0, 4.4], nu=3).run(
    ...     burn_in=200, sample_size=2000, chains=2, seed=3)
    >>> result
    SamplerResult(backend='rust', chains=2, sample_size=2000, seed=3)
    >>> sorted(result.mean())
    ['mu', 'sigma2']
    >>> bool(4.0 < result.mean()["mu"] < 5.0)  # the outlier 12.0 barely moves it
    True
    >>> low, high = result.quantiles([0.05, 0.95])["mu"]
    >>> bool(low < result.mean()["mu"] < high)
    True
    """

    def __init__(
        self,
        mu: npt.NDArray[np.float64],
        sigma2: npt.NDArray[np.float64],
        tau2: npt.NDArray[np.float64],
        alpha2: npt.NDArray[np.float64],
        *,
        nu: float,
        burn_in: int,
        seed: int,
        backend: str,
    ) -> None:
        self.mu = mu
        self.sigma2 = sigma2
        self.tau2 = tau2
        self.alpha2 = alpha2
        self.nu = nu
        self.burn_in = burn_in
        self.seed = seed
        self.backend = backend

    @property
    def chains(self) -> int:
        return int(self.mu.shape[0])

    @property
    def sample_size(self) -> int:
        return int(self.mu.shape[1])

    def __repr__(self) -> str:
        return (
            f"SamplerResult(backend={self.backend!r}, chains={self.chains}, "
            f"sample_size={self.sample_size}, seed={self.seed})"
        )

    def _each(self, statistic: Callable[[npt.NDArray[np.float64]], T]) -> dict[str, T]:
        return {name: statistic(getattr(self, name)) for name in PARAMETERS}

    def mean(self) -> dict[str, float]:
        """Posterior means of ``mu`` and ``sigma2`` over all chains."""
        return self._each(lambda draws: float(np.mean(draws)))

    def sd(self) -> dict[str, float]:
        """Posterior standard deviations (``ddof=1``) over all chains."""
        return self._each(lambda draws: float(np.std(draws, ddof=1)))

    def quantiles(
        self, q: Sequence[float] = (0.025, 0.5, 0.975)
    ) -> dict[str, npt.NDArray[np.float64]]:
        """Posterior quantiles ``q`` (NumPy's default, linear interpolation) over all chains."""
        return self._each(lambda draws: np.quantile(draws, q))

    def ess(self, method: Literal["bulk", "mean"] = "bulk") -> dict[str, float]:
        """Effective sample sizes; see :func:`river_lite.sampler.ess`."""
        return self._each(lambda draws: _diagnostics.ess(draws, method))

    def rhat(self, method: Literal["rank", "split"] = "rank") -> dict[str, float]:
        """Split-R̂; see :func:`river_lite.sampler.rhat`."""
        return self._each(lambda draws: _diagnostics.rhat(draws, method))

    def mcse(self) -> dict[str, float]:
        """Monte-Carlo standard errors of the means; see :func:`river_lite.sampler.mcse_mean`."""
        return self._each(_diagnostics.mcse_mean)

    def summary(self) -> str:
        """A table: mean, sd, 2.5 % / 50 % / 97.5 % quantiles, MCSE, bulk ESS and R̂."""
        mean, sd, mcse = self.mean(), self.sd(), self.mcse()
        quantiles, ess, rhat = self.quantiles(), self.ess(), self.rhat()
        lines = [
            (
                f"{'':8}{'mean':>10}{'sd':>10}{'2.5%':>10}{'50%':>10}{'97.5%':>10}"
                f"{'mcse':>9}{'ess':>8}{'rhat':>7}"
            )
        ]
        for name in PARAMETERS:
            q = quantiles[name]
            lines.append(
                f"{name:8}{mean[name]:10.4g}{sd[name]:10.4g}{q[0]:10.4g}{q[1]:10.4g}{q[2]:10.4g}"
                f"{mcse[name]:9.2g}{ess[name]:8.0f}{rhat[name]:7.3f}"
            )
        return "\n".join(lines)
