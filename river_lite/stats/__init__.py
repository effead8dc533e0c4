"""River-compatible online statistics.

Moment-based statistics are compiled with Cython, order-based ones (quantiles) are written in
Rust; all follow the contract in :mod:`river_lite.stats.base`.
"""

from __future__ import annotations

from .._native import load
from .base import Revertible, Univariate

_moments = load("stats._moments")
_core = load("_core")

Count = _moments.Count
Mean = _moments.Mean
Var = _moments.Var
Min = _moments.Min
Max = _moments.Max
PeakToPeak = _moments.PeakToPeak
EWMean = _moments.EWMean
EWVar = _moments.EWVar
Skew = _moments.Skew
Kurtosis = _moments.Kurtosis
Rolling = _moments.Rolling
Quantile = _core.Quantile
IQR = _core.IQR
RollingQuantile = _core.RollingQuantile
RollingIQR = _core.RollingIQR

for _cls in (Count, Mean, Var, Skew, Kurtosis):
    Revertible.register(_cls)
for _cls in (Min, Max, PeakToPeak, EWMean, EWVar, Quantile, IQR, RollingQuantile, RollingIQR, Rolling):
    Univariate.register(_cls)
del _cls

__all__ = [
    "Count",
    "EWMean",
    "EWVar",
    "IQR",
    "Kurtosis",
    "Max",
    "Mean",
    "Min",
    "PeakToPeak",
    "Quantile",
    "Revertible",
    "Rolling",
    "RollingIQR",
    "RollingQuantile",
    "Skew",
    "Univariate",
    "Var",
]
