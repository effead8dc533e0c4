"""River-compatible online statistics.

Moment-based statistics are written in Cython; order-based ones (quantiles) are Rust engines
behind Cython classes. All follow the contract in :mod:`river_lite.stats.base`.
"""

from __future__ import annotations

from .._namespace import public_dir
from .._native import load
from .base import Revertible, Univariate

_moments = load("stats._moments")
_order = load("stats._order")

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
Quantile = _order.Quantile
IQR = _order.IQR
RollingQuantile = _order.RollingQuantile
RollingIQR = _order.RollingIQR

for _cls in (Count, Mean, Var):
    Revertible.register(_cls)
for _cls in (
    Min,
    Max,
    PeakToPeak,
    EWMean,
    EWVar,
    Skew,
    Kurtosis,
    Quantile,
    IQR,
    RollingQuantile,
    RollingIQR,
    Rolling,
):
    Univariate.register(_cls)
del _cls

__all__ = [
    "IQR",
    "Count",
    "EWMean",
    "EWVar",
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

__dir__ = public_dir(__all__, __path__)
