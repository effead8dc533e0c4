"""Pickled statistics with a few bytes or one number changed are refused or give a working
object; never a crash (the rules: tests/common/state_mutations.py)."""

from __future__ import annotations

import copy
import math
import random

import numpy as np
import pytest
from state_mutations import accepted_mutations, call_all
from stats_catalog import FACTORIES


@pytest.mark.parametrize("name", list(FACTORIES))
def test_mutated_stats_states(name):
    rng = random.Random(name)
    values = np.random.default_rng(0).normal(size=40)
    for seen in (3, 40):
        stat = FACTORIES[name]()
        stat.update_many(values[:seen])
        state = stat.__reduce_ex__(2)[2]
        unchanged = still_gives(stat.get())
        for target in accepted_mutations(stat, state, rng, unchanged):
            call_all(
                target,
                lambda t: t.update_many(values * 1e3),
                lambda t: t.update(1.5),
                lambda t: t.get(),
                repr,
                lambda t: copy.deepcopy(t).get(),
            )


def still_gives(before):
    """A check that a statistic still gives ``before`` (NaN counts as equal to NaN)."""

    def unchanged(target):
        after = target.get()
        both_nan = all(isinstance(v, float) and math.isnan(v) for v in (after, before))
        assert after == before or both_nan

    return unchanged
