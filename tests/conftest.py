"""Shared fixtures, and a guard that the tests exercise the installed package."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# Test helpers are plain modules: those of a module beside its tests (tests/stats/...), those
# the modules share in tests/common/. Every folder here goes on sys.path (found, not listed),
# so helper names must be unique across folders; the package itself is never put there.
for _folder in sorted(Path(__file__).resolve().parent.iterdir()):
    if _folder.is_dir() and not _folder.name.startswith((".", "_")):
        sys.path.insert(0, str(_folder))

import river_lite

CHECKOUT = Path(__file__).resolve().parent.parent


def pytest_report_header(config):
    return f"river_lite {river_lite.__version__} from {Path(river_lite.__file__).parent}"


def pytest_sessionstart(session):
    # Importing the source tree instead of the installed wheel would test the wrong thing (and
    # fail on the missing compiled modules in a clean checkout): refuse loudly.
    installed_at = Path(river_lite.__file__).resolve().parent
    if installed_at == CHECKOUT / "river_lite":
        raise pytest.UsageError(
            f"river_lite was imported from the source tree ({installed_at}); install the "
            "package and run pytest with --import-mode=importlib (the default in pyproject.toml)"
        )
