"""river_lite: fast online statistics, classifiers and a Gibbs sampler in Rust and Cython.

Subpackages are imported on first use, so ``import river_lite`` stays cheap:

* :mod:`river_lite.stats` — River-compatible online statistics.
* :mod:`river_lite.classifier` — scikit-learn-compatible SGD logistic regression and MLP.
* :mod:`river_lite.sampler` — a Gibbs sampler for the scaled Student-t model, with diagnostics.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from ._version import __version__

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
