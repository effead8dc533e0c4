"""
Benchmark: the cost of a rolling quantile against the window size
=================================================================

River and watermill keep the window as a sorted list: an update inserts and deletes by
shifting, O(window). :class:`~river_lite.stats.RollingQuantile` keeps it in an order-statistic
B+-tree, O(log window). This example times both, per value, while the docs are built (so the
numbers are those of the build machine; ``benchmarks/stats.py`` is the full benchmark, and
:doc:`/benchmarks` its committed results).
"""

import bisect
import time
from collections import deque

import matplotlib.pyplot as plt
import numpy as np

from river_lite import stats


class SortedListQuantile:
    """The O(window) reference: a sorted Python list, as River keeps it."""

    def __init__(self, q, window_size):
        self.q, self.window = q, deque(maxlen=window_size)
        self.ordered = []

    def update(self, x):
        if len(self.window) == self.window.maxlen:
            del self.ordered[bisect.bisect_left(self.ordered, self.window[0])]
        self.window.append(x)
        bisect.insort(self.ordered, x)


def time_per_value(stat, values):
    started = time.perf_counter()
    for x in values:
        stat.update(x)
    return (time.perf_counter() - started) / len(values)


values = np.random.default_rng(0).normal(size=60_000).tolist()
windows = [100, 1_000, 10_000, 50_000]
river_lite_ns, sorted_list_ns = [], []
for window in windows:
    river_lite_ns.append(1e9 * time_per_value(stats.RollingQuantile(0.5, window), values))
    sorted_list_ns.append(1e9 * time_per_value(SortedListQuantile(0.5, window), values))

for window, fast, slow in zip(windows, river_lite_ns, sorted_list_ns, strict=True):
    print(f"window {window:>6}: river_lite {fast:6.0f} ns, sorted list {slow:7.0f} ns per value")

# %%
fig, ax = plt.subplots(figsize=(6, 4))
ax.loglog(windows, sorted_list_ns, "o-", label="sorted Python list (River's structure)")
ax.loglog(windows, river_lite_ns, "o-", label="river_lite RollingQuantile")
ax.set_xlabel("window size")
ax.set_ylabel("time per value (ns)")
ax.set_title("Rolling median, one update per value")
ax.legend()
fig.tight_layout()
plt.show()
