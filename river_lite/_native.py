"""Import of the compiled extensions, with errors that say what went wrong and what to do.

Two situations look alike to Python and need different advice:

* **an unbuilt source checkout**: ``python -m river_lite`` (or ``python -c``, or a script) run
  from the root of a clone finds the checkout's ``river_lite/`` first on ``sys.path``, before the
  installed package, and the checkout holds no compiled modules. Nothing is broken; the wrong
  copy was imported. :func:`refuse_unbuilt_checkout` stops that at the package's first line, as
  NumPy does when it is imported from its source tree.
* **a broken installation**: the package is installed but a compiled module is missing or does not
  load. :func:`load` says to reinstall.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import os
from types import ModuleType

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
_PACKAGE = __name__.rpartition(".")[0]


def native_modules() -> list[str]:
    """The compiled extensions of this package, relative to it (``"_core"``,
    ``"stats._moments"``...), found from their stubs: every native module has a ``.pyi`` stub
    (a test checks it), and a stub without a ``.py`` beside it belongs to a native module. So no
    list names them, in a checkout (where they may not be built yet) or installed."""
    found = []
    for folder, _, names in os.walk(_PACKAGE_DIR):
        relative = os.path.relpath(folder, _PACKAGE_DIR)
        prefix = "" if relative == "." else relative.replace(os.sep, ".") + "."
        for name in names:
            stem, extension = os.path.splitext(name)
            if extension == ".pyi" and f"{stem}.py" not in names:
                found.append(prefix + stem)
    return sorted(found)


def source_checkout() -> str | None:
    """The checkout this package was imported from, or None for an installed package.

    A checkout's package directory sits beside the build files (``pyproject.toml`` and
    ``setup.py``); an installed one sits in ``site-packages``, which holds neither.
    """
    root = os.path.dirname(_PACKAGE_DIR)
    build_files = ("pyproject.toml", "setup.py")
    if all(os.path.isfile(os.path.join(root, name)) for name in build_files):
        return root
    return None


def _is_built(relative_name: str) -> bool:
    """Whether the compiled file of ``relative_name`` exists (without importing it)."""
    *folders, stem = relative_name.split(".")
    folder = os.path.join(_PACKAGE_DIR, *folders)
    try:
        names = os.listdir(folder)
    except OSError:
        return False
    return any(f"{stem}{suffix}" in names for suffix in importlib.machinery.EXTENSION_SUFFIXES)


def _checkout_advice(checkout: str) -> str:
    return (
        f"{_PACKAGE!r} was imported from its source checkout {checkout!r}, where its "
        "compiled extensions (the Rust and Cython modules) are not built for this Python. "
        "Python searches the current directory first ('python -m', 'python -c', a script run "
        "from the checkout), so this copy hides any installed one. Either run the installed "
        "command (immune to the "
        "current directory), e.g. 'river-lite demo', or leave the checkout ('cd ..') before "
        f"running 'python -m {_PACKAGE} ...'. To work on the source in place, "
        "'pip install -e .' builds the extensions into the checkout."
    )


def refuse_unbuilt_checkout() -> None:
    """Raises ImportError, naming the cause and the fix, when the package is imported from a
    source checkout whose compiled extensions were never built in place."""
    checkout = source_checkout()
    if checkout is not None and not all(_is_built(name) for name in native_modules()):
        raise ImportError(_checkout_advice(checkout))


def load(relative_name: str) -> ModuleType:
    """Imports the native module ``relative_name`` (e.g. ``"_core"``) of this package."""
    full_name = f"{_PACKAGE}.{relative_name}"
    try:
        return importlib.import_module(full_name)
    except ImportError as error:
        checkout = source_checkout()
        if checkout is not None:
            raise ImportError(
                f"the compiled extension {full_name!r} cannot be loaded ({error}). "
                + _checkout_advice(checkout)
            ) from error
        # Only here: it is slow to import. (Not `import importlib.metadata`, which would make
        # `importlib` a local name of this function and break the import above.)
        from importlib import metadata

        # The distribution's name may differ from the package's (a renamed fork's may).
        distribution = (
            metadata.packages_distributions().get(_PACKAGE) or [_PACKAGE.replace("_", "-")]
        )[0]
        raise ImportError(
            f"the compiled extension {full_name!r} is missing or cannot be loaded ({error}). "
            f"The installation of {_PACKAGE!r} at {_PACKAGE_DIR!r} is incomplete: reinstall a "
            f"wheel with 'pip install --force-reinstall {distribution}', or build from the "
            "source distribution with a Rust toolchain and a C compiler installed."
        ) from error
