"""``ScaledTModel``: the public face of the sampler, with its argument checks and backends."""

from __future__ import annotations

import hashlib
import math
import numbers
import operator
import secrets
from typing import SupportsFloat, SupportsIndex, cast

import numpy as np
import numpy.typing as npt

from .._native import load
from . import numpy_reference, python_reference
from .result import SamplerResult

BACKENDS = ("rust", "numpy", "python")

#: A seed has chains ``0 .. CHAIN_LIMIT - 1``: with the Rust backend chain ``c`` starts
#: ``c * 2**128`` steps into the seed's xoshiro256++ stream and its latent-scale lanes
#: ``2**192`` steps further, where chain ``c + 2**64`` would start (see ``run``).
CHAIN_LIMIT = 2**64


class ScaledTModel:
    """Bayesian scaled Student-t model, sampled by parameter-expanded Gibbs sampling.

    The model is ``x_i ~ t_nu(mu, sigma2)`` with the prior ``p(mu, sigma2) ∝ 1/sigma2``
    (Gelman et al., *Bayesian Data Analysis*, 3rd ed., p. 295): a location and scale fit that
    is robust to outliers. The sampler draws from the exact posterior of ``(mu, sigma2)``;
    the model and its full conditionals are written out in
    :mod:`river_lite.sampler.python_reference`.

    Parameters
    ----------
    data : array_like
        1-D, at least two finite values, not all equal (equal values make the posterior
        improper). Copied.
    nu : float
        Degrees of freedom of the t distribution, finite and > 0 (known, not estimated).

    Raises
    ------
    TypeError
        If ``data`` is not an array-like of real numbers or ``nu`` is not a real number.
    ValueError
        If ``data`` is not 1-D, has fewer than 2 values, a NaN or an inf, or only equal
        values; or if ``nu`` is not finite and > 0.

    Examples
    --------
    >>> import numpy as np
    >>> from river_lite.sampler import ScaledTModel
    >>> rng = np.random.default_rng(0)
    >>> data = 10.0 + 2.0 * rng.standard_t(df=4, size=200)
    >>> result = ScaledTModel(data, nu=4).run(burn_in=200, sample_size=1000, chains=2, seed=1)
    >>> result.mu.shape
    (2, 1000)
    >>> bool(abs(result.mean()["mu"] - 10.0) < 0.5)
    True
    >>> bool(result.rhat()["mu"] < 1.01)
    True
    """

    def __init__(self, data: npt.ArrayLike, nu: SupportsFloat) -> None:
        self._data = _checked_data(data)
        self._nu = _checked_nu(nu)
        # n * nu / 2 is the shape of tau2's conditional.
        if not math.isfinite(self._data.size * self._nu):
            raise ValueError(f"nu is too large for {self._data.size} points, got {self._nu}")
        self._data_digest: str | None = None

    @property
    def data(self) -> npt.NDArray[np.float64]:
        """The data, a read-only float64 array."""
        return self._data

    @property
    def nu(self) -> float:
        return self._nu

    @property
    def data_digest(self) -> str:
        """A fingerprint of the data (BLAKE2b of its little-endian float64 bytes), which
        :meth:`~river_lite.sampler.SamplerResult.concat` compares to refuse runs on other data."""
        if self._data_digest is None:
            little_endian = self._data.astype("<f8", copy=False).tobytes()
            self._data_digest = hashlib.blake2b(little_endian, digest_size=16).hexdigest()
        return self._data_digest

    def __repr__(self) -> str:
        return f"ScaledTModel(<{self._data.size} points>, nu={self._nu!r})"

    def __reduce__(self) -> tuple[type[ScaledTModel], tuple[npt.NDArray[np.float64], float]]:
        # Rebuilt from its data and nu (checked again), so that a model sent to another process
        # (a dask worker, say) has read-only data like any other.
        return (type(self), (self._data, self._nu))

    def run(
        self,
        burn_in: SupportsIndex = 1000,
        sample_size: SupportsIndex = 2000,
        chains: SupportsIndex = 1,
        seed: SupportsIndex | None = None,
        backend: str = "rust",
        threads: SupportsIndex | None = None,
        first_chain: SupportsIndex = 0,
    ) -> SamplerResult:
        """Runs the Gibbs sampler and returns its draws.

        Every chain starts at the sample mean and variance, runs ``burn_in`` discarded
        iterations, then records ``sample_size`` draws of ``mu`` and ``sigma2``.

        Parameters
        ----------
        burn_in : int, default 1000
            Iterations discarded at the start of each chain, ``>= 0``.
        sample_size : int, default 2000
            Draws recorded per chain, ``>= 1``.
        chains : int, default 1
            Independent chains, ``>= 1``. With the Rust backend they run in parallel threads,
            with the GIL released.
        seed : int, optional
            An int in ``[0, 2**64)``. The same seed gives the same draws: with the Rust
            backend on every platform, for any ``threads`` and whatever vector instructions
            the CPU has (chain ``c`` uses the xoshiro256++ stream of ``seed`` jumped ``c``
            times, and eight lanes seeded from it for the latent scales; all arithmetic is
            IEEE 754 except rare calls of the platform's ``exp``/``ln`` and, for ``nu < 1``,
            ``pow``, whose last-bit differences between C libraries could change a draw only
            where a comparison ties within one ulp); with the reference backends for a given
            Python and NumPy version. Chain ``c`` does not depend on ``chains``.
            ``None`` draws a fresh seed, kept in ``result.seed``.
        backend : {"rust", "numpy", "python"}, default "rust"
            ``"rust"`` is the fast one; ``"numpy"`` and ``"python"`` are the reference
            implementations (:mod:`~river_lite.sampler.numpy_reference`,
            :mod:`~river_lite.sampler.python_reference`). Same algorithm and starting point,
            different random streams: they agree in distribution, not draw for draw.
        threads : int, optional
            Worker threads of the Rust backend (default: one per core; never more than
            ``chains``). It never changes the draws. Only for ``backend="rust"``.

        Returns
        -------
        SamplerResult
            Draws of ``mu``, ``sigma2``, ``tau2`` and ``alpha2``, shape
            ``(chains, sample_size)``, with summaries and diagnostics.

        Raises
        ------
        TypeError
            If a count, ``first_chain`` or the seed is not an int, or ``backend`` is not a str.
        ValueError
            If a count is out of range, the seed is outside ``[0, 2**64)``, ``first_chain`` is
            negative or ``first_chain + chains > 2**64``, ``backend`` is unknown, or a chain
            leaves the floating-point range.
        MemoryError
            If the draws (4 arrays of ``chains * sample_size`` floats) cannot be allocated.
        KeyboardInterrupt
            On Ctrl-C: the Rust backend checks for it between two iterations and stops all
            chains; the reference backends are plain Python loops.

        Examples
        --------
        >>> from river_lite.sampler import SamplerResult, ScaledTModel
        >>> model = ScaledTModel([2.1, 3.4, 1.9, 8.8, 2.6, 3.0], nu=3)
        >>> a = model.run(burn_in=100, sample_size=500, seed=42)
        >>> b = model.run(burn_in=100, sample_size=500, seed=42, threads=1)
        >>> bool((a.mu == b.mu).all())
        True
        >>> both = model.run(burn_in=100, sample_size=500, seed=42, chains=2)
        >>> parts = [model.run(burn_in=100, sample_size=500, seed=42, first_chain=k) for k in (0, 1)]
        >>> bool((SamplerResult.concat(parts).mu == both.mu).all())
        True
        >>> model.run(sample_size=0)
        Traceback (most recent call last):
            ...
        ValueError: sample_size must be an int >= 1, got 0
        """
        burn_in = _checked_count("burn_in", burn_in, 0)
        sample_size = _checked_count("sample_size", sample_size, 1)
        chains = _checked_count("chains", chains, 1)
        first_chain = _checked_first_chain(first_chain, chains)
        seed = _checked_seed(seed)
        if not isinstance(backend, str):
            raise TypeError(
                f"backend must be a str, one of {BACKENDS}, got {type(backend).__name__}"
            )
        if backend not in BACKENDS:
            raise ValueError(f"backend must be one of {BACKENDS}, got {backend!r}")
        if threads is not None:
            threads = _checked_count("threads", threads, 1)
            if backend != "rust":
                raise ValueError(
                    f"threads applies to the rust backend only, got backend={backend!r}"
                )

        if backend == "rust":
            mu, sigma2, tau2, alpha2 = load("_core").scaled_t_gibbs(
                self._data, self._nu, burn_in, sample_size, chains, seed, threads, first_chain
            )
            draws: dict[str, npt.NDArray[np.float64]] = {
                "mu": mu,
                "sigma2": sigma2,
                "tau2": tau2,
                "alpha2": alpha2,
            }
        elif backend == "numpy":
            with np.errstate(all="ignore"):  # a chain that leaves the float range is reported below
                draws = numpy_reference.sample(
                    self._data, self._nu, burn_in, sample_size, chains, seed, first_chain
                )
            _check_reference_draws(draws, burn_in, first_chain)
        else:
            # The arrays first: a size that cannot be allocated fails now, not after sampling.
            try:
                arrays = [np.empty((chains, sample_size)) for _ in range(4)]
            except (MemoryError, ValueError):
                raise MemoryError(
                    f"cannot allocate {32 * chains * sample_size} bytes for the draws: "
                    "ask for fewer chains or a smaller sample_size"
                ) from None
            try:
                lists = python_reference.sample(
                    self._data.tolist(), self._nu, burn_in, sample_size, chains, seed, first_chain
                )
            except ArithmeticError as error:  # a division by zero or an overflow mid-chain
                raise ValueError(
                    f"a chain left the floating-point range ({error}): {_IMPROPER}"
                ) from None
            draws = dict(zip(lists, arrays, strict=True))
            for name, values in lists.items():
                draws[name][...] = values
            _check_reference_draws(draws, burn_in, first_chain)
        return SamplerResult(
            **draws,
            nu=self._nu,
            burn_in=burn_in,
            seed=seed,
            backend=backend,
            chain_ids=range(first_chain, first_chain + chains),
            data_digest=self.data_digest,
        )


_IMPROPER = (
    "the posterior is probably improper or too diffuse for these data and this nu "
    "(try more data points, a larger nu, or rescaled data)"
)


def _check_reference_draws(
    draws: dict[str, npt.NDArray[np.float64]], burn_in: int, first_chain: int
) -> None:
    """The Rust engine's check, for the reference backends: every draw finite, scales > 0."""
    bad = ~np.isfinite(draws["mu"])
    for name in ("sigma2", "tau2", "alpha2"):
        bad |= ~(np.isfinite(draws[name]) & (draws[name] > 0))
    if bad.any():
        row, draw = (int(i[0]) for i in np.nonzero(bad))
        raise ValueError(
            f"chain {first_chain + row} reached a non-finite or zero value (seen at iteration {burn_in + draw}, "
            f"or before): {_IMPROPER}"
        )


def _checked_data(data: npt.ArrayLike) -> npt.NDArray[np.float64]:
    is_time = getattr(getattr(data, "dtype", None), "kind", "") in ("m", "M")  # datetime64 etc.
    if isinstance(data, (str, bytes)) or is_time:
        raise TypeError("data must be a 1-D array-like of real numbers")
    try:
        if np.iscomplexobj(data):
            raise TypeError("complex values")
        array = np.array(data, dtype=np.float64)  # a copy: later changes to data do not leak in
    except (TypeError, ValueError) as error:
        raise TypeError(f"data must be a 1-D array-like of real numbers ({error})") from None
    if array.ndim != 1:
        raise ValueError(f"data must be 1-D, got shape {array.shape}")
    if array.size < 2:
        raise ValueError(f"data must hold at least 2 points, got {array.size}")
    bad = np.flatnonzero(~np.isfinite(array))
    if bad.size:
        i = int(bad[0])
        raise ValueError(f"data[{i}] is {array[i]}: NaN and infinite values are rejected")
    if np.all(array == array[0]):
        raise ValueError(
            f"data must not all be equal (all {array.size} points are {array[0]}): the "
            "posterior is then improper"
        )
    with np.errstate(over="ignore", invalid="ignore"):
        spread = float(np.var(array))
    if not math.isfinite(spread):
        raise ValueError("the data are too large to square in floating point: rescale them")
    if spread == 0.0:  # different points whose deviations square to zero (|x| < ~1e-154)
        raise ValueError(
            "the data are too small to square in floating point (their variance is 0): rescale them"
        )
    array.flags.writeable = False
    return array


def _checked_nu(nu: object) -> float:
    if isinstance(nu, bool) or not isinstance(nu, numbers.Real):
        raise TypeError(f"nu must be a real number, got {type(nu).__name__}")
    nu = float(nu)
    if not (math.isfinite(nu) and nu > 0):
        raise ValueError(f"nu must be a finite number > 0, got {nu}")
    return nu


def _checked_count(name: str, value: object, minimum: int) -> int:
    if isinstance(value, bool):
        raise TypeError(f"{name} must be an int, got bool")
    try:
        count = operator.index(cast("SupportsIndex", value))  # which refuses the rest
    except TypeError:
        raise TypeError(f"{name} must be an int, got {type(value).__name__}") from None
    if count < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {count}")
    if count >= 2**63:
        raise ValueError(f"{name} must be < 2**63, got {count}")
    return count


def _checked_first_chain(first_chain: object, chains: int) -> int:
    if isinstance(first_chain, bool):
        raise TypeError("first_chain must be an int, got bool")
    try:
        index = operator.index(cast("SupportsIndex", first_chain))  # which refuses the rest
    except TypeError:
        raise TypeError(f"first_chain must be an int, got {type(first_chain).__name__}") from None
    if index < 0:
        raise ValueError(f"first_chain must be an int >= 0, got {index}")
    if index + chains > CHAIN_LIMIT:
        raise ValueError(
            "first_chain + chains must be <= 2**64 (a seed has chains 0 to 2**64 - 1), got "
            f"first_chain={index} and chains={chains}"
        )
    return index


def _checked_seed(seed: object) -> int:
    if seed is None:
        return secrets.randbits(64)
    if isinstance(seed, bool):
        raise TypeError("seed must be an int in [0, 2**64) or None, got bool")
    try:
        value = operator.index(cast("SupportsIndex", seed))  # which refuses the rest
    except TypeError:
        raise TypeError(
            f"seed must be an int in [0, 2**64) or None, got {type(seed).__name__}"
        ) from None
    if not 0 <= value < 2**64:
        raise ValueError(f"seed must be an int in [0, 2**64), got {value}")
    return value
