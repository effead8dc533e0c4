"""``SamplerResult``: the draws of a run, with summaries and convergence diagnostics."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
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
    chain_ids : tuple of int
        The index of each row's chain among the seed's chains: ``first_chain,
        first_chain + 1, …`` for a run, any distinct indices after :meth:`concat`.
    data_digest : str or None
        A fingerprint of the model's data (:attr:`ScaledTModel.data_digest
        <river_lite.sampler.ScaledTModel.data_digest>`), so that :meth:`concat` refuses
        results of other data; None when unknown (then they cannot be concatenated).

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
        chain_ids: Iterable[int] | None = None,
        data_digest: str | None = None,
    ) -> None:
        self.mu = mu
        self.sigma2 = sigma2
        self.tau2 = tau2
        self.alpha2 = alpha2
        self.nu = nu
        self.burn_in = burn_in
        self.seed = seed
        self.backend = backend
        self.chain_ids = tuple(range(mu.shape[0]) if chain_ids is None else chain_ids)
        if len(self.chain_ids) != mu.shape[0]:
            raise ValueError(
                f"chain_ids must give one index per chain ({mu.shape[0]}), got {len(self.chain_ids)}"
            )
        self.data_digest = data_digest

    @classmethod
    def concat(cls, results: Iterable[SamplerResult]) -> SamplerResult:
        """The results of several runs as one, their chains stacked in the order given.

        Splits a run across processes or machines: ``run(chains=4, seed=s)`` equals
        ``concat([run(chains=1, seed=s, first_chain=k) for k in range(4)])`` bit for bit, and
        the summaries and diagnostics (ESS, R̂) of the two are the same.

        Parameters
        ----------
        results : iterable of SamplerResult
            Runs of one model (same data and ``nu``) with the same ``burn_in``,
            ``sample_size``, ``seed`` and backend, and no chain twice.

        Returns
        -------
        SamplerResult
            ``chain_ids`` lists the chains of ``results[0]``, then those of ``results[1]``...

        Raises
        ------
        TypeError
            If an item is not a SamplerResult.
        ValueError
            If ``results`` is empty, or the runs differ in data, ``nu``, ``burn_in``,
            ``sample_size``, ``seed`` or backend, or share a chain; the message names the
            first difference.

        Examples
        --------
        >>> from river_lite.sampler import SamplerResult, ScaledTModel
        >>> model = ScaledTModel([2.1, 3.4, 1.9, 8.8, 2.6, 3.0], nu=3)
        >>> parts = [model.run(sample_size=300, seed=8, first_chain=k) for k in (2, 0, 1)]
        >>> merged = SamplerResult.concat(parts)
        >>> merged.chain_ids
        (2, 0, 1)
        >>> whole = model.run(sample_size=300, seed=8, chains=3)
        >>> bool((merged.sigma2[1] == whole.sigma2[0]).all())
        True
        >>> SamplerResult.concat([parts[0], parts[0]])
        Traceback (most recent call last):
            ...
        ValueError: chain 2 appears twice: results[1] repeats a chain of an earlier result
        """
        results = list(results)
        if not results:
            raise ValueError("concat needs at least one SamplerResult, got none")
        for i, result in enumerate(results):
            if not isinstance(result, SamplerResult):
                raise TypeError(
                    f"results[{i}] must be a SamplerResult, got {type(result).__name__}"
                )
        first = results[0]
        for i, result in enumerate(results):
            if result.data_digest is None:
                raise ValueError(
                    f"results[{i}] has no data_digest (it was not made by ScaledTModel.run): "
                    "cannot check that the runs share their data"
                )
            for name in ("data_digest", "nu", "burn_in", "sample_size", "seed", "backend"):
                if getattr(result, name) != getattr(first, name):
                    what = "data" if name == "data_digest" else name
                    raise ValueError(
                        f"results[{i}] differs from results[0] in {what} "
                        f"({getattr(result, name)!r} != {getattr(first, name)!r}): only runs of "
                        "one model with the same burn_in, sample_size, seed and backend "
                        "concatenate"
                    )
        seen: set[int] = set()
        for i, result in enumerate(results):
            for chain in result.chain_ids:
                if chain in seen:
                    raise ValueError(
                        f"chain {chain} appears twice: results[{i}] repeats a chain of an "
                        "earlier result"
                    )
                seen.add(chain)
        stacked = {
            name: np.concatenate([getattr(result, name) for result in results], axis=0)
            for name in ("mu", "sigma2", "tau2", "alpha2")
        }
        return cls(
            **stacked,
            nu=first.nu,
            burn_in=first.burn_in,
            seed=first.seed,
            backend=first.backend,
            chain_ids=[chain for result in results for chain in result.chain_ids],
            data_digest=first.data_digest,
        )

    @property
    def chains(self) -> int:
        return int(self.mu.shape[0])

    @property
    def sample_size(self) -> int:
        return int(self.mu.shape[1])

    def __repr__(self) -> str:
        # The chain indices only when they are not the plain 0, 1, ... of a whole run.
        ids = "" if self.chain_ids == tuple(range(self.chains)) else f", chain_ids={self.chain_ids}"
        return (
            f"SamplerResult(backend={self.backend!r}, chains={self.chains}, "
            f"sample_size={self.sample_size}, seed={self.seed}{ids})"
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
