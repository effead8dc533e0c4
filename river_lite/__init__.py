"""river_lite: fast online statistics, classifiers and a Gibbs sampler in Rust and Cython.

Each module is a subpackage (``dir(river_lite)`` lists them), imported on first use so that
``import river_lite`` stays cheap; its docstring says what it holds.
"""

from __future__ import annotations

import importlib
import os

from ._native import refuse_unbuilt_checkout

# First, before anything that needs a built package: a source checkout imported by mistake
# (`python -m river_lite` from the clone's root) stops here with the cause and the fix.
refuse_unbuilt_checkout()
del refuse_unbuilt_checkout

from ._version import __version__

# The modules are the subpackages, found on disk (no list names them, so a module is added or
# removed with its folder), and imported on first use.
_SUBPACKAGES = sorted(
    entry.name
    for entry in os.scandir(os.path.dirname(__file__))
    if entry.is_dir()
    and not entry.name.startswith("_")
    and os.path.isfile(os.path.join(entry.path, "__init__.py"))
)

# Built at import time from the names above, which a static check cannot see are strings.
__all__ = ["__version__", *_SUBPACKAGES]  # noqa: PLE0604


def __getattr__(name: str) -> object:
    if name in _SUBPACKAGES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
