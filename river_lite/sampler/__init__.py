"""Bayesian inference for the scaled Student-t model by Gibbs sampling, with diagnostics.

* :class:`ScaledTModel` — the model; ``run(...)`` samples its posterior with one of three
  backends: ``"rust"`` (parallel chains, GIL released), or the reference implementations
  :mod:`~river_lite.sampler.numpy_reference` and :mod:`~river_lite.sampler.python_reference`
  (the comparison of the "Speeding up Python with Rust" talk, kept as teaching material).
* :class:`SamplerResult` — the draws, with summaries and diagnostics.
* Diagnostics on any ``(chains, draws)`` array, in Cython: :func:`autocovariance`,
  :func:`autocorrelation`, :func:`ess`, :func:`rhat`, :func:`mcse_mean`,
  :func:`rank_normalize`.

Examples
--------
>>> import numpy as np
>>> from river_lite.sampler import ScaledTModel
>>> data = np.random.default_rng(5).standard_t(df=6, size=500) * np.sqrt(30) - 3.14
>>> result = ScaledTModel(data, nu=6).run(burn_in=500, sample_size=1000, chains=4, seed=0)
>>> print(result.summary())  # doctest: +SKIP
          mean        sd      2.5%       50%     97.5%     mcse     ess   rhat
mu       -3.08    0.2661    -3.609    -3.078    -2.562   0.0048    3200  1.000
sigma2   30.04     2.423     25.61     29.94      35.1    0.052    2300  1.001
>>> bool(result.rhat()["sigma2"] < 1.01)
True
"""

from __future__ import annotations

from .._native import load
from . import numpy_reference, python_reference
from .model import BACKENDS, ScaledTModel
from .result import SamplerResult

_diagnostics = load("sampler._diagnostics")

autocovariance = _diagnostics.autocovariance
autocorrelation = _diagnostics.autocorrelation
ess = _diagnostics.ess
rhat = _diagnostics.rhat
mcse_mean = _diagnostics.mcse_mean
rank_normalize = _diagnostics.rank_normalize

__all__ = [
    "BACKENDS",
    "SamplerResult",
    "ScaledTModel",
    "autocorrelation",
    "autocovariance",
    "ess",
    "mcse_mean",
    "numpy_reference",
    "python_reference",
    "rank_normalize",
    "rhat",
]
