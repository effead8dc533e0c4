"""Shared fixtures, and a guard that the tests exercise the installed package."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# Helper modules shared by the test files (never the package itself) live beside this file.
sys.path.insert(0, str(Path(__file__).resolve().parent))

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
