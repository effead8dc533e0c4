# Stub of the Rust extension (rust_src/bindings/mod.rs). Each module's part is a block between
# "begin module" and "end module" lines (what .ci/rename.py --keep removes with the module); an
# import line names the modules that use it.
import typing

import numpy as np  # module: classifier, sampler
import numpy.typing as npt  # module: classifier, sampler

def build_info() -> dict[str, typing.Any]: ...

# begin module: stats
# Capsule holding the stats engines' C function table (rust_src/bindings/stats.rs),
# consumed by the Cython module stats/_order.pyx.
stats_api: typing.Any
# end module: stats

# begin module: sampler
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
    first_chain: int | None = None,
) -> tuple[
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
]: ...

# Benchmark helper: the sum of `count` chi-squared(dof) draws of the sampler's generator.
def chi_squared_floor(count: int, dof: float, seed: int) -> float: ...

# end module: sampler

# begin module: classifier
# The classifier engines (rust_src/bindings/classifier.rs); the public API is
# river_lite.classifier.SGDClassifier / MLPClassifier, which own one and validate its input.
# X: 2-D C-contiguous float32 or float64; y: 1-D int64 class indices.
@typing.final
class SgdEngine:
    def __new__(
        cls,
        *,
        n_classes: int,
        n_features: int,
        multi_class: str,
        alpha: float,
        l1_ratio: float,
        penalize: bool,
        fit_intercept: bool,
        learning_rate: str,
        eta0: float,
        power_t: float,
        shuffle: bool,
        seed: int,
        standardize: bool,
        average: bool,
        tol: float | None,
        n_iter_no_change: int,
    ) -> SgdEngine: ...
    def fit(
        self, x: npt.NDArray[typing.Any], y: npt.NDArray[np.int64], max_iter: int
    ) -> tuple[int, float]: ...
    def partial_fit(self, x: npt.NDArray[typing.Any], y: npt.NDArray[np.int64]) -> float: ...
    def decision_function(self, x: npt.NDArray[typing.Any]) -> npt.NDArray[np.float64]: ...
    def predict_proba(self, x: npt.NDArray[typing.Any]) -> npt.NDArray[np.float64]: ...
    def coefficients(self) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]: ...
    def updates(self) -> float: ...
    def to_bytes(self) -> bytes: ...
    @staticmethod
    def from_bytes(state: bytes) -> SgdEngine: ...

@typing.final
class MlpEngine:
    def __new__(
        cls,
        *,
        n_classes: int,
        n_features: int,
        hidden: list[int],
        dropout: float,
        solver: str,
        alpha: float,
        batch_size: int,
        learning_rate_init: float,
        momentum: float,
        nesterov: bool,
        beta_1: float,
        beta_2: float,
        epsilon: float,
        shuffle: bool,
        seed: int,
        standardize: bool,
        tol: float | None,
        n_iter_no_change: int,
        early_stopping: bool,
        validation_fraction: float,
    ) -> MlpEngine: ...
    def fit(
        self, x: npt.NDArray[typing.Any], y: npt.NDArray[np.int64], max_iter: int
    ) -> tuple[int, float, bool]: ...
    def partial_fit(self, x: npt.NDArray[typing.Any], y: npt.NDArray[np.int64]) -> float: ...
    def predict_log_proba(self, x: npt.NDArray[typing.Any]) -> npt.NDArray[np.float64]: ...
    def parameters(self) -> list[tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]]: ...
    def scaling(self) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]] | None: ...
    def layers(self) -> list[str]: ...
    def loss_curve(self) -> list[float]: ...
    def validation_scores(self) -> list[float]: ...
    def best_validation_score(self) -> float | None: ...
    def samples_seen(self) -> int: ...
    def to_bytes(self) -> bytes: ...
    @staticmethod
    def from_bytes(state: bytes) -> MlpEngine: ...

# end module: classifier
