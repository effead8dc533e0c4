"""Import of the compiled extensions, with an error that says what to do when one is missing."""

from __future__ import annotations

import importlib
from types import ModuleType

#: The compiled extensions of this package, by role, relative to the package.
NATIVE_MODULES = ("_core", "stats._moments", "stats._order", "sampler._diagnostics")


def load(relative_name: str) -> ModuleType:
    """Imports the native module ``relative_name`` (e.g. ``"_core"``) of this package."""
    package = __name__.rpartition(".")[0]
    full_name = f"{package}.{relative_name}"
    try:
        return importlib.import_module(full_name)
    except ImportError as error:
        # Only here: it is slow to import. (Not `import importlib.metadata`, which would make
        # `importlib` a local name of this function and break the import above.)
        from importlib import metadata

        # The distribution's name may differ from the package's (a renamed fork's may).
        distribution = (metadata.packages_distributions().get(package)
                        or [package.replace("_", "-")])[0]
        raise ImportError(
            f"the compiled extension {full_name!r} is missing or cannot be loaded ({error}). "
            f"The installation of {package!r} is incomplete: reinstall a wheel with "
            f"'pip install --force-reinstall {distribution}', or build from the "
            "source distribution with a Rust toolchain and a C compiler installed."
        ) from error
