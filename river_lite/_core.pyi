# Stub of the Rust extension (rust_src/bindings/mod.rs).
from typing import Any

import numpy as np
import numpy.typing as npt

def build_info() -> dict[str, Any]: ...

# Capsule holding the stats engines' C function table (rust_src/bindings/stats_api.rs),
# consumed by the Cython module stats/_order.pyx.
stats_api: Any

# The Gibbs sampler of the scaled Student-t model (rust_src/bindings/sampler.rs); the public
# API is river_lite.sampler.ScaledTModel.
def scaled_t_gibbs(
    data: npt.NDArray[np.float64],
    nu: float,
    burn_in: int,
    sample_size: int,
    chains: int,
    seed: int,
    threads: int | None = None,
) -> tuple[
    npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]
]: ...

# Benchmark helper: the sum of `count` chi-squared(dof) draws of the sampler's generator.
def chi_squared_floor(count: int, dof: float, seed: int) -> float: ...
