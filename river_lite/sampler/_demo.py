"""The sampler part of ``river-lite demo``."""

from __future__ import annotations

import numpy as np

from .model import ScaledTModel


def demo() -> None:
    data = -3.14 + np.sqrt(30.0) * np.random.default_rng(0).standard_t(df=6, size=500)
    result = ScaledTModel(data, nu=6).run(burn_in=1000, sample_size=2000, chains=4, seed=0)
    print("Gibbs sampler, scaled Student-t model (nu=6, mu=-3.14, sigma2=30, n=500; 4 chains in")
    print("parallel Rust threads):")
    for line in result.summary().splitlines():
        print(f"  {line}")
