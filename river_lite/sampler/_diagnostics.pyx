# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# cython: initializedcheck=False, freethreading_compatible=True
"""MCMC diagnostics over NumPy buffers, compiled by Cython: autocorrelation, effective sample
size (ESS), split-R̂ and the Monte-Carlo standard error of the mean.

The definitions are those of ArviZ (``arviz/stats/diagnostics.py``: ``_ess``, ``_ess_bulk``,
``_ess_mean``, ``_rhat``, ``_rhat_rank``, ``_split_chains``, ``_z_scale``, ``_mcse_mean``;
``arviz/stats/stats_utils.py``: ``autocov``), which follow Vehtari, Gelman, Simpson, Carpenter
& Bürkner (2021), "Rank-normalization, folding, and localization: an improved R̂ for
assessing convergence of MCMC", *Bayesian Analysis* 16(2). Two deliberate differences:

* the ESS starts with direct sums for the first ``DIRECT_LAGS`` autocovariances, enough for
  a chain that mixes well (Geyer's initial positive sequence stops there), and only for
  stickier chains computes every lag by FFT, as ArviZ always does; the two agree to rounding;
* ``rhat`` accepts a single chain (split in two halves, as Stan does); ArviZ returns NaN.

Draws are ``(chains, draws)`` arrays, or 1-D for one chain. Input containing NaN or ±inf gives
NaN (as in ArviZ); fewer than 4 draws per chain is a ``ValueError``.
"""

from libc.math cimport NAN, erfc, exp, isfinite, log, log10, sqrt

import operator

import numpy as np

include "../_build_info.pxi"

cdef double SQRT_2 = 1.4142135623730951
cdef double SQRT_2PI = 2.5066282746310002

# Lags summed directly before switching to the FFT (the direct sums cost a pass over the
# draws per lag, the FFT about as much as 40 passes for a million draws; a chain that mixes
# well needs well under 64 lags).
DIRECT_LAGS = 64

_ESS_METHODS = ("bulk", "mean")
_RHAT_METHODS = ("rank", "split")


# ---------------------------------------------------------------------------------------------
# Input handling
# ---------------------------------------------------------------------------------------------

def _as_float_array(values, str name):
    if isinstance(values, (str, bytes)) or np.iscomplexobj(values):
        raise TypeError(f"{name} must be an array-like of real numbers")
    try:
        return np.ascontiguousarray(values, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{name} must be an array-like of real numbers ({error})") from None


def _as_chains(draws):
    """``draws`` as a C-contiguous float64 ``(chains, draws)`` array."""
    array = _as_float_array(draws, "draws")
    if array.ndim == 1:
        array = array.reshape(1, -1)
    elif array.ndim != 2:
        raise ValueError(
            f"draws must be 1-D (one chain) or 2-D (chains, draws), got shape {array.shape}"
        )
    if array.shape[0] < 1 or array.shape[1] < 4:
        raise ValueError(f"draws must hold at least 4 draws per chain, got shape {array.shape}")
    return array


cdef bint _all_finite(const double[:, ::1] x) noexcept nogil:
    cdef Py_ssize_t c, i
    for c in range(x.shape[0]):
        for i in range(x.shape[1]):
            if not isfinite(x[c, i]):
                return False
    return True


def _split_chains(array):
    """Each chain cut into its first and last halves (the middle draw of an odd length is
    dropped): ``(m, n)`` → ``(2m, n // 2)``, first halves first, as ArviZ stacks them."""
    half = array.shape[1] // 2
    return np.ascontiguousarray(np.concatenate((array[:, :half], array[:, -half:]), axis=0))


# ---------------------------------------------------------------------------------------------
# Autocovariance
# ---------------------------------------------------------------------------------------------

def _fft_autocovariance(centred, Py_ssize_t lags):
    """The first ``lags`` biased autocovariances of centred chains (last axis), by FFT:
    zero-padded to a power of two >= 2n so the circular correlation does not wrap."""
    n = centred.shape[centred.ndim - 1]
    size = 1 << (2 * n - 1).bit_length()
    # Scaled to at most 1 in magnitude first: the squared spectrum grows like n times the
    # squares, and would overflow where the direct sums do not.
    scale = float(np.max(np.abs(centred))) or 1.0
    spectrum = np.fft.rfft(centred / scale, n=size, axis=-1)
    power = spectrum.real**2 + spectrum.imag**2
    return np.fft.irfft(power, n=size, axis=-1)[..., :lags] / n * scale * scale


def _checked_max_lag(max_lag, Py_ssize_t n):
    """``max_lag`` as an int in [0, n - 1] (default n - 1), or the error that names it."""
    if max_lag is None:
        return n - 1
    try:
        if isinstance(max_lag, (bool, np.bool_)):
            raise TypeError
        lag = operator.index(max_lag)  # NumPy integers (and 0-d integer arrays) too
    except TypeError:
        raise TypeError(f"max_lag must be an integer, got {type(max_lag).__name__}") from None
    if not 0 <= lag < n:
        raise ValueError(f"max_lag must lie in [0, {n - 1}], got {lag}")
    return lag


def autocovariance(x, max_lag=None):
    """Autocovariance of one chain at lags 0 to ``max_lag``.

    Parameters
    ----------
    x : array_like
        1-D draws of one chain, finite.
    max_lag : int, optional
        Largest lag, ``0 <= max_lag < len(x)``; default ``len(x) - 1``. Up to
        ``DIRECT_LAGS`` lags are direct sums; more are computed by FFT in
        ``O(len(x) log len(x))``.

    Returns
    -------
    numpy.ndarray
        ``acov[t] = (1/n) Σ_{i < n - t} (x_i - x̄)(x_{i+t} - x̄)``: the biased estimate, as in
        ArviZ's ``autocov``.

    Examples
    --------
    >>> from river_lite.sampler import autocovariance
    >>> autocovariance([1.0, 2.0, 3.0, 4.0], max_lag=2).round(4).tolist()
    [1.25, 0.3125, -0.375]
    """
    array = _as_float_array(x, "x")
    if array.ndim != 1 or array.shape[0] < 1:
        raise ValueError(f"x must be a non-empty 1-D array, got shape {array.shape}")
    cdef Py_ssize_t n = array.shape[0]
    cdef Py_ssize_t last = _checked_max_lag(max_lag, n)
    if not np.isfinite(array).all():
        raise ValueError("x must be finite (no NaN or inf)")
    centred_array = array - array.mean()
    if last >= DIRECT_LAGS:
        return _fft_autocovariance(centred_array, last + 1)
    cdef const double[:, ::1] centred = centred_array.reshape(1, n)  # one chain
    result = np.empty(last + 1)
    cdef double[::1] out = result
    cdef Py_ssize_t lag
    with nogil:
        for lag in range(last + 1):
            out[lag] = _mean_autocovariance(centred, lag)
    return result


def autocorrelation(x, max_lag=None):
    """Autocorrelation of one chain at lags 0 to ``max_lag``: ``autocovariance(x) / acov[0]``.

    Parameters
    ----------
    x : array_like
        1-D draws of one chain, finite and not constant.
    max_lag : int, optional
        Largest lag, ``0 <= max_lag < len(x)``; default ``len(x) - 1``.

    Returns
    -------
    numpy.ndarray
        ``rho[0] == 1``, then the autocorrelation at each lag (ArviZ's ``autocorr``).

    Examples
    --------
    >>> from river_lite.sampler import autocorrelation
    >>> autocorrelation([1.0, -1.0, 1.0, -1.0, 1.0, -1.0], max_lag=2).round(4).tolist()
    [1.0, -0.8333, 0.6667]
    """
    acov = autocovariance(x, max_lag)
    if acov[0] == 0.0:
        raise ValueError("x is constant: its autocorrelation is undefined")
    return acov / acov[0]


# ---------------------------------------------------------------------------------------------
# Effective sample size (Geyer's initial monotone sequence, multi-chain)
# ---------------------------------------------------------------------------------------------

cdef double _mean_autocovariance(const double[:, ::1] centred, Py_ssize_t lag) noexcept nogil:
    """Average over chains of the biased autocovariance at ``lag``."""
    cdef Py_ssize_t c, i, m = centred.shape[0], n = centred.shape[1]
    cdef double chain_total, total = 0.0
    for c in range(m):
        chain_total = 0.0
        for i in range(n - lag):
            chain_total += centred[c, i] * centred[c, i + lag]
        total += chain_total / n
    return total / m


cdef bint _centre_chains(const double[:, ::1] x, double[:, ::1] centred,
                         double[::1] chain_mean, double *between) noexcept nogil:
    """Writes each chain minus its mean to ``centred`` (``chain_mean``: m of scratch space)
    and the variance of the chain means (0 for one chain) to ``between``; returns False when
    the draws are constant."""
    cdef Py_ssize_t m = x.shape[0], n = x.shape[1], c, i
    cdef double lo = x[0, 0], hi = x[0, 0], grand = 0.0
    between[0] = 0.0
    for c in range(m):
        chain_mean[c] = 0.0
        for i in range(n):
            lo = min(lo, x[c, i])
            hi = max(hi, x[c, i])
            chain_mean[c] += x[c, i]
        chain_mean[c] /= n
        grand += chain_mean[c]
        for i in range(n):
            centred[c, i] = x[c, i] - chain_mean[c]
    if hi - lo < 1e-15:  # np.finfo(float).resolution: constant draws
        return False
    grand /= m
    if m > 1:
        for c in range(m):
            between[0] += (chain_mean[c] - grand) * (chain_mean[c] - grand)
        between[0] /= m - 1
    return True


cdef double _geyer_ess(const double[::1] acov, Py_ssize_t m, Py_ssize_t n, double between,
                       double[::1] rho) noexcept nogil:
    """ArviZ's ``_ess`` from the chains' mean autocovariance at lags 0 .. len(acov) - 1;
    ``rho`` is n zeros of scratch space. Returns -1 when the initial positive sequence needs
    a lag beyond ``acov``."""
    cdef Py_ssize_t lags = acov.shape[0], t, max_t
    cdef double mean_var = acov[0] * n / (n - 1.0)
    cdef double var_plus = mean_var * (n - 1.0) / n + between
    cdef double rho_even = 1.0
    cdef double rho_odd = 1.0 - (mean_var - acov[1]) / var_plus
    rho[0] = rho_even
    rho[1] = rho_odd

    # Geyer's initial positive sequence.
    t = 1
    while t < n - 3 and rho_even + rho_odd > 0.0:
        if t + 2 >= lags:
            return -1.0
        rho_even = 1.0 - (mean_var - acov[t + 1]) / var_plus
        rho_odd = 1.0 - (mean_var - acov[t + 2]) / var_plus
        if rho_even + rho_odd >= 0.0:
            rho[t + 1] = rho_even
            rho[t + 2] = rho_odd
        t += 2
    max_t = t - 2
    if rho_even > 0.0:
        rho[max_t + 1] = rho_even

    # Geyer's initial monotone sequence.
    t = 1
    while t <= max_t - 2:
        if rho[t + 1] + rho[t + 2] > rho[t - 1] + rho[t]:
            rho[t + 1] = (rho[t - 1] + rho[t]) / 2.0
            rho[t + 2] = rho[t + 1]
        t += 2

    cdef double tau = -1.0
    for t in range(max_t + 1):
        tau += 2.0 * rho[t]
    if max_t + 1 < n:
        tau += rho[max_t + 1]
    cdef double total = <double>(m * n)
    tau = max(tau, 1.0 / log10(total))
    for t in range(n):
        if not isfinite(rho[t]):
            return NAN
    return total / tau


cdef double _ess_of(array):
    """ESS of a finite C-contiguous ``(m, n)`` float64 array, n >= 2."""
    cdef const double[:, ::1] x = array
    cdef Py_ssize_t m = x.shape[0], n = x.shape[1], lag
    centred_array = np.empty((m, n))
    cdef double[:, ::1] centred = centred_array
    cdef double[::1] chain_mean = np.empty(m)
    cdef double[::1] acov = np.empty(min(n, DIRECT_LAGS))
    cdef double[::1] rho = np.zeros(n)
    cdef double between, result = -1.0
    cdef Py_ssize_t first = min(n, 8)
    cdef bint varies
    with nogil:
        varies = _centre_chains(x, centred, chain_mean, &between)
        if varies:
            # Direct sums: 8 lags are enough for a chain that mixes well; then DIRECT_LAGS,
            # with Geyer's sequence rerun from the start on the longer prefix.
            for lag in range(first):
                acov[lag] = _mean_autocovariance(centred, lag)
            result = _geyer_ess(acov[:first], m, n, between, rho)
            if result == -1.0 and acov.shape[0] > first:
                for lag in range(first, acov.shape[0]):
                    acov[lag] = _mean_autocovariance(centred, lag)
                rho[:] = 0.0
                result = _geyer_ess(acov, m, n, between, rho)
    if not varies:
        return <double>(m * n)
    if result == -1.0:
        # A sticky chain: every lag by FFT costs less than more direct sums.
        acov = np.ascontiguousarray(_fft_autocovariance(centred_array, n).mean(axis=0))
        rho = np.zeros(n)
        with nogil:
            result = _geyer_ess(acov, m, n, between, rho)
    return result


def ess(draws, method="bulk"):
    """Effective sample size of MCMC draws.

    Parameters
    ----------
    draws : array_like
        ``(chains, draws)``, or 1-D for one chain; at least 4 draws per chain.
    method : {"bulk", "mean"}
        ``"bulk"`` (default): rank-normalised split chains, robust to heavy tails (ArviZ's
        default). ``"mean"``: split chains as they are; the ESS that sets the Monte-Carlo
        error of the posterior mean.

    Returns
    -------
    float
        The ESS (NaN if ``draws`` has NaN or inf).

    Examples
    --------
    >>> import numpy as np
    >>> from river_lite.sampler import ess
    >>> rng = np.random.default_rng(0)
    >>> independent = rng.normal(size=(2, 1000))
    >>> 1600 < ess(independent) < 2400
    True
    >>> sticky = np.repeat(independent, 10, axis=1)  # 20,000 draws, each value 10 times
    >>> 1600 < ess(sticky, method="mean") < 2400  # no more information than 2,000 draws
    True
    """
    if method not in _ESS_METHODS:
        raise ValueError(f"method must be one of {_ESS_METHODS}, got {method!r}")
    array = _as_chains(draws)
    if not _all_finite(array):
        return float("nan")
    split = _split_chains(array)
    if method == "bulk":
        split = _z_scale(split)
    return _ess_of(split)


def mcse_mean(draws):
    """Monte-Carlo standard error of the posterior mean: ``sd / sqrt(ess(draws, "mean"))``
    with the standard deviation of all draws (``ddof=1``), as ArviZ's ``_mcse_mean``.

    Parameters
    ----------
    draws : array_like
        ``(chains, draws)``, or 1-D for one chain; at least 4 draws per chain.

    Returns
    -------
    float

    Examples
    --------
    >>> import numpy as np
    >>> from river_lite.sampler import mcse_mean
    >>> draws = np.random.default_rng(1).normal(size=(4, 2500))
    >>> 0.008 < mcse_mean(draws) < 0.012  # about 1 / sqrt(10000)
    True
    """
    array = _as_chains(draws)
    if not _all_finite(array):
        return float("nan")
    return float(np.std(array, ddof=1) / sqrt(_ess_of(_split_chains(array))))


# ---------------------------------------------------------------------------------------------
# Rank normalisation
# ---------------------------------------------------------------------------------------------

cdef double _ndtri(double p) noexcept nogil:
    """Φ⁻¹(p) for 0 < p < 1: Abramowitz & Stegun 26.2.23 (|error| < 4.5e-4), then three
    Halley steps on Φ(z) = p in the lower tail, where erfc is accurate to rounding."""
    if p == 0.5:
        return 0.0
    cdef double q = p if p < 0.5 else 1.0 - p
    cdef double t = sqrt(-2.0 * log(q))
    cdef double z = -(t - (2.515517 + 0.802853 * t + 0.010328 * t * t)
                      / (1.0 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t * t * t))
    cdef double error, u
    cdef int _step
    for _step in range(3):
        error = 0.5 * erfc(-z / SQRT_2) - q
        u = error * SQRT_2PI * exp(z * z / 2.0)
        z = z - u / (1.0 + z * u / 2.0)
    return z if p < 0.5 else -z


def _z_scale(array):
    """Blom-normalised average ranks over all values (ArviZ's ``_z_scale``)."""
    flat = np.ascontiguousarray(array, dtype=np.float64).ravel()
    order_array = np.argsort(flat, kind="stable")
    cdef const double[::1] values = flat
    cdef const Py_ssize_t[::1] order = order_array.astype(np.intp, copy=False)
    result = np.empty(flat.shape[0])
    cdef double[::1] z = result
    cdef Py_ssize_t size = flat.shape[0], start = 0, end, k
    cdef double rank
    with nogil:
        while start < size:
            end = start + 1
            while end < size and values[order[end]] == values[order[start]]:
                end += 1
            # Ranks start+1 .. end share their average; Blom: (r - 3/8) / (size + 1/4).
            rank = (start + 1 + end) / 2.0
            for k in range(start, end):
                z[order[k]] = _ndtri((rank - 0.375) / (size + 0.25))
            start = end
    return result.reshape(np.shape(array))


def rank_normalize(draws):
    """Rank-normalised draws: the normal quantiles of their pooled average ranks,
    ``Φ⁻¹((rank - 3/8) / (size + 1/4))`` (Blom 1958; ArviZ's ``_z_scale``).

    Parameters
    ----------
    draws : array_like
        Any shape; NaN is not allowed.

    Returns
    -------
    numpy.ndarray
        Same shape as ``draws``.

    Examples
    --------
    >>> from river_lite.sampler import rank_normalize
    >>> rank_normalize([10.0, -3.0, 2.0]).round(4).tolist()
    [0.8694, -0.8694, 0.0]
    """
    array = _as_float_array(draws, "draws")
    if np.isnan(array).any():
        raise ValueError("draws must not contain NaN")
    return _z_scale(array)


# ---------------------------------------------------------------------------------------------
# R-hat
# ---------------------------------------------------------------------------------------------

cdef double _rhat_kernel(const double[:, ::1] x) noexcept nogil:
    """ArviZ's ``_rhat``: sqrt((B/W + n - 1) / n) on ``(m, n)`` draws, m >= 2."""
    cdef Py_ssize_t m = x.shape[0], n = x.shape[1], c, i
    cdef double mean, var, grand = 0.0, within = 0.0, between = 0.0
    for c in range(m):
        mean = 0.0
        for i in range(n):
            mean += x[c, i]
        mean /= n
        var = 0.0
        for i in range(n):
            var += (x[c, i] - mean) * (x[c, i] - mean)
        within += var / (n - 1)
        grand += mean
    within /= m
    grand /= m
    for c in range(m):
        mean = 0.0
        for i in range(n):
            mean += x[c, i]
        mean /= n
        between += (mean - grand) * (mean - grand)
    between = n * between / (m - 1)
    return sqrt((between / within + n - 1) / n)


cdef double _rhat_of(array):
    cdef const double[:, ::1] x = np.ascontiguousarray(array, dtype=np.float64)
    cdef double result
    with nogil:
        result = _rhat_kernel(x)
    return result


def rhat(draws, method="rank"):
    """Potential scale reduction R̂ of MCMC draws; values near 1 (say < 1.01) indicate that
    the chains agree.

    Parameters
    ----------
    draws : array_like
        ``(chains, draws)``, or 1-D for one chain (then its two halves are compared); at least
        4 draws per chain.
    method : {"rank", "split"}
        ``"rank"`` (default): the larger of the rank-normalised split-R̂ of the draws and of
        their distances to the median (bulk and tails; ArviZ's default). ``"split"``: the
        classic split-R̂.

    Returns
    -------
    float
        R̂; NaN if ``draws`` has NaN or inf, and inf or NaN if every split chain is constant.

    Examples
    --------
    >>> import numpy as np
    >>> from river_lite.sampler import rhat
    >>> rng = np.random.default_rng(2)
    >>> rhat(rng.normal(size=(4, 1000))) < 1.01
    True
    >>> shifted = rng.normal(size=(4, 1000)) + np.array([[0.0], [0.0], [0.0], [1.0]])
    >>> rhat(shifted) > 1.05
    True
    """
    if method not in _RHAT_METHODS:
        raise ValueError(f"method must be one of {_RHAT_METHODS}, got {method!r}")
    array = _as_chains(draws)
    if not _all_finite(array):
        return float("nan")
    split = _split_chains(array)
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "split":
            return _rhat_of(split)
        bulk = _rhat_of(_z_scale(split))
        tail = _rhat_of(_z_scale(np.abs(split - np.median(split))))
    return max(bulk, tail)
