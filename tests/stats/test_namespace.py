"""Every statistic is public, in river_lite.stats, and registered with the contract's ABCs."""

from __future__ import annotations

import importlib

from stats_catalog import PUBLIC_CLASSES

from river_lite import stats


def test_statistics_are_registered_in_the_public_namespace():
    assert set(stats.__all__) >= {cls.__name__ for cls in PUBLIC_CLASSES}
    for cls in PUBLIC_CLASSES:
        assert importlib.import_module(cls.__module__) is not None
        assert issubclass(cls, stats.Univariate)
