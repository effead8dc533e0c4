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
>>> # The talk's data: t_6 with mu = -3.14, sigma2 = 30 (RandomState: a frozen stream).
>>> data = -3.14 + np.sqrt(30) * np.random.RandomState(5).standard_t(6, size=500)
>>> result = ScaledTModel(data, nu=6).run(burn_in=500, sample_size=1000, chains=4, seed=0)
>>> print(result.summary())  # doctest: +NORMALIZE_WHITESPACE
              mean        sd      2.5%       50%     97.5%     mcse     ess   rhat
mu          -2.674    0.2715    -3.185    -2.673    -2.125   0.0055    2424  1.002
sigma2       28.88     2.221     24.73      28.8     33.49    0.042    2736  1.000
>>> bool(result.rhat()["sigma2"] < 1.01)
True
"""

from __future__ import annotations

from .._namespace import public_dir
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

__dir__ = public_dir(__all__, __path__)
