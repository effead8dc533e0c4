"""river_lite: fast online statistics, classifiers and a Gibbs sampler in Rust and Cython.

Subpackages are imported on first use, so ``import river_lite`` stays cheap:

* :mod:`river_lite.stats` — River-compatible online statistics.
* :mod:`river_lite.classifier` — scikit-learn-compatible SGD logistic regression and MLP.
* :mod:`river_lite.sampler` — a Gibbs sampler for the scaled Student-t model, with diagnostics.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from ._native import refuse_unbuilt_checkout

# First, before anything that needs a built package: a source checkout imported by mistake
# (`python -m river_lite` from the clone's root) stops here with the cause and the fix.
refuse_unbuilt_checkout()
del refuse_unbuilt_checkout

from ._version import __version__  # noqa: E402  (written by the build, absent from a clone)

if TYPE_CHECKING:
    from . import classifier, sampler, stats

__all__ = ["__version__", "classifier", "sampler", "stats"]

_SUBPACKAGES = {"classifier", "sampler", "stats"}


def __getattr__(name: str):
    if name in _SUBPACKAGES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
