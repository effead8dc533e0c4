"""Every public statistic with example constructor arguments, for the parametrised suites."""

from __future__ import annotations

from river_lite import stats

# name -> zero-argument factory
FACTORIES = {
    "Count": stats.Count,
    "Mean": stats.Mean,
    "Var": stats.Var,
    "Var(ddof=0)": lambda: stats.Var(ddof=0),
    "Min": stats.Min,
    "Max": stats.Max,
    "PeakToPeak": stats.PeakToPeak,
    "EWMean": stats.EWMean,
    "EWMean(0.1)": lambda: stats.EWMean(fading_factor=0.1),
    "EWVar": stats.EWVar,
    "EWVar(0.1)": lambda: stats.EWVar(fading_factor=0.1),
    "Skew": stats.Skew,
    "Skew(bias)": lambda: stats.Skew(bias=True),
    "Kurtosis": stats.Kurtosis,
    "Kurtosis(bias)": lambda: stats.Kurtosis(bias=True),
    "Quantile": stats.Quantile,
    "Quantile(0.9)": lambda: stats.Quantile(0.9),
    "IQR": stats.IQR,
    "RollingQuantile": lambda: stats.RollingQuantile(q=0.3, window_size=7),
    "RollingIQR": lambda: stats.RollingIQR(window_size=7),
    "Rolling(Mean)": lambda: stats.Rolling(stats.Mean, window_size=5),
    "Rolling(Var)": lambda: stats.Rolling(stats.Var, window_size=5, ddof=0),
    "Rolling(Count)": lambda: stats.Rolling(stats.Count(), window_size=9),
}

# What get() returns before the first update: None, except for counts.
EMPTY_VALUE = {"Count": 0, "Rolling(Count)": 0}

REVERTIBLE = ["Count", "Mean", "Var", "Var(ddof=0)"]

# The statistics that merge with `+`; those of EXACT_MERGES without any rounding.
MERGEABLE = [
    "Count",
    "Mean",
    "Var",
    "Var(ddof=0)",
    "Min",
    "Max",
    "PeakToPeak",
    "Skew",
    "Skew(bias)",
    "Kurtosis",
    "Kurtosis(bias)",
]
EXACT_MERGES = {"Count", "Min", "Max", "PeakToPeak"}


def made_from(names, values) -> tuple:
    """Fresh statistics ``names``, each fed ``values`` by ``update_many``. (The dask tests run
    it on the workers, which can import this helper module but not a test file.)"""
    made = tuple(FACTORIES[name]() for name in names)
    for stat in made:
        stat.update_many(values)
    return made


PUBLIC_CLASSES = [
    stats.Count,
    stats.Mean,
    stats.Var,
    stats.Min,
    stats.Max,
    stats.PeakToPeak,
    stats.EWMean,
    stats.EWVar,
    stats.Skew,
    stats.Kurtosis,
    stats.Quantile,
    stats.IQR,
    stats.RollingQuantile,
    stats.RollingIQR,
    stats.Rolling,
]
