"""Pickled statistics with a few bytes or one number changed are refused or give a working
object; never a crash (the rules: tests/common/state_mutations.py)."""

from __future__ import annotations

import copy
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
        before = stat.get()

        def unchanged(target):
            after = target.get()
            assert after == before or (after != after and before != before)

        for target in accepted_mutations(stat, state, rng, unchanged):
            call_all(
                lambda: target.update_many(values * 1e3),
                lambda: target.update(1.5),
                target.get,
                lambda: repr(target),
                lambda: copy.deepcopy(target).get(),
            )
