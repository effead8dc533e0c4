"""The stats part of ``river-lite demo``."""

from __future__ import annotations

import numpy as np

from . import IQR, Max, Mean, Min, PeakToPeak, Quantile, RollingQuantile, Skew, Var


def demo() -> None:
    values = np.random.default_rng(0).standard_t(df=3, size=200_000) * 2.0 + 10.0
    print(f"Online statistics over {values.size:,} Student-t values (update_many), vs NumPy:")
    exact = [
        (Mean(), values.mean()),
        (Var(), values.var(ddof=1)),
        (Min(), values.min()),
        (Max(), values.max()),
        (PeakToPeak(), np.ptp(values)),
        (Quantile(), np.quantile(values, 0.5)),
        (IQR(), np.subtract(*np.quantile(values, [0.75, 0.25]))),
        (RollingQuantile(q=0.9, window_size=10_000), np.quantile(values[-10_000:], 0.9)),
    ]
    for stat, reference in exact:
        stat.update_many(values)
        print(f"  {stat!r:<55} numpy: {reference:.6g}")
    skew = Skew()
    for x in values[:1000]:
        skew.update(x)
    print(f"  {skew!r:<55} (one update(x) call per value, first 1,000 values)")
