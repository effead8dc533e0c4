"""
The Gibbs posterior: traces, densities and diagnostics
======================================================

500 points from a Student-t with 6 degrees of freedom, location -3.14 and scale 30; four
chains of :class:`~river_lite.sampler.ScaledTModel`, run in parallel Rust threads. The
diagnostics (:func:`~river_lite.sampler.ess`, :func:`~river_lite.sampler.rhat`,
:func:`~river_lite.sampler.autocorrelation`) are Cython.
"""

import matplotlib.pyplot as plt
import numpy as np

from river_lite.sampler import ScaledTModel, autocorrelation

data = -3.14 + np.sqrt(30.0) * np.random.default_rng(5).standard_t(6, size=500)
result = ScaledTModel(data, nu=6).run(burn_in=1000, sample_size=2000, chains=4, seed=42)
print(result.summary())

# %%
# Traces: the four chains mix from the first recorded draw.
fig, axes = plt.subplots(2, 1, figsize=(9, 4.5), sharex=True)
for name, ax in zip(("mu", "sigma2"), axes, strict=True):
    draws = getattr(result, name)
    for chain in range(result.chains):
        ax.plot(draws[chain], linewidth=0.5, alpha=0.8)
    ax.set_ylabel(name)
axes[-1].set_xlabel("draw")
fig.tight_layout()
plt.show()

# %%
# Posterior densities (all chains) with the true values, and the autocorrelation of each
# chain: short, so the effective sample size is close to the number of draws.
fig, axes = plt.subplots(1, 3, figsize=(12, 3.6))
for name, truth, ax in zip(("mu", "sigma2"), (-3.14, 30.0), axes[:2], strict=True):
    ax.hist(getattr(result, name).ravel(), bins=60, density=True, alpha=0.7)
    ax.axvline(truth, color="k", linestyle="--", label="true value")
    ax.set_xlabel(name)
    ax.legend()
for chain in range(result.chains):
    axes[2].plot(autocorrelation(result.mu[chain], max_lag=30), "o-", markersize=3)
axes[2].set_xlabel("lag")
axes[2].set_title("autocorrelation of mu")
fig.tight_layout()
plt.show()

# %%
print("ESS:", {k: round(v) for k, v in result.ess().items()})
print("R-hat:", {k: round(v, 4) for k, v in result.rhat().items()})
