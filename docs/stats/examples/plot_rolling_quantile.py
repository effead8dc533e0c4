"""
Rolling quantiles over a stream
===============================

A stream with a level shift, a burst of noise and rare outliers, read one value at a time.
:class:`~river_lite.stats.RollingQuantile` follows the median and the 5 % and 95 % quantiles of
the last 200 values; each ``update`` costs O(log window) and runs no Python code.
"""

import matplotlib.pyplot as plt
import numpy as np

from river_lite import stats

rng = np.random.default_rng(7)
n = 3000
level = np.where(np.arange(n) < 1500, 0.0, 3.0)
noise = rng.normal(scale=np.where((np.arange(n) > 2000) & (np.arange(n) < 2400), 2.5, 0.6))
outliers = np.where(rng.random(n) < 0.01, rng.normal(scale=15.0, size=n), 0.0)
stream = level + noise + outliers

window = 200
quantiles = {q: stats.RollingQuantile(q=q, window_size=window) for q in (0.05, 0.5, 0.95)}
curves = {q: np.empty(n) for q in quantiles}
for i, x in enumerate(stream):
    for q, stat in quantiles.items():
        stat.update(x)
        curves[q][i] = stat.get()

# %%
# The values are exact: the same as NumPy's default interpolation over the last window.
for q, stat in quantiles.items():
    assert stat.get() == np.quantile(stream[-window:], q)
print({q: round(stat.get(), 4) for q, stat in quantiles.items()})

# %%
fig, ax = plt.subplots(figsize=(9, 4))
ax.plot(stream, ".", markersize=2, color="0.6", label="stream")
ax.fill_between(np.arange(n), curves[0.05], curves[0.95], alpha=0.3, label="5 %-95 % (rolling)")
ax.plot(curves[0.5], color="C3", label="median (rolling)")
ax.set_ylim(-8, 12)
ax.set_xlabel("value number")
ax.set_title(f"RollingQuantile, window {window}")
ax.legend(loc="upper left")
fig.tight_layout()
plt.show()
