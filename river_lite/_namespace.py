"""``dir()`` of a public subpackage: its ``__all__`` and its public submodules, nothing else
(not the helpers its ``__init__`` imported, such as ``load`` or ``annotations``)."""

from __future__ import annotations

import pkgutil
from collections.abc import Callable, Iterable


def public_dir(public_names: Iterable[str], path: Iterable[str]) -> Callable[[], list[str]]:
    """A module ``__dir__`` listing ``public_names`` and the public submodules found in ``path``
    (the package's ``__path__``)."""
    names = set(public_names)
    names.update(info.name for info in pkgutil.iter_modules(path) if not info.name.startswith("_"))
    listing = sorted(names)

    def __dir__() -> list[str]:
        return list(listing)

    return __dir__
