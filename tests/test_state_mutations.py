"""Pickled states with a few bytes or numbers changed: loading either refuses them with
ValueError/TypeError, leaving the object as it was, or gives an object whose every method
works or fails with a built-in exception. A Rust panic (PyO3's PanicException is not an
Exception) or an abort fails the test. Such a mutation once loaded an SGD model that claimed
averaging without its averaged weights, and its next ``partial_fit`` panicked."""

from __future__ import annotations

import copy
import math
import random

import numpy as np
import pytest
from stats_catalog import FACTORIES

from river_lite.classifier import MLPClassifier, SGDClassifier

MUTATIONS = 500
TOLERATED = (ValueError, TypeError, ArithmeticError)


def mutated_bytes(blob: bytes, rng: random.Random) -> bytes:
    data = bytearray(blob)
    for _ in range(rng.choice([1, 1, 2, 4])):
        i = rng.randrange(len(data))
        data[i] = rng.randrange(256) if rng.random() < 0.7 else data[i] ^ (1 << rng.randrange(8))
    return bytes(data)


def mutated_number(value, rng: random.Random):
    return rng.choice([math.nan, math.inf, -math.inf, -1, 0, 2**63, -value, value * 1e300, 1e-320])


def mutations(state, rng: random.Random):
    """States that differ from ``state`` in one bytes entry or one number."""
    entries = list(state.items()) if isinstance(state, dict) else list(enumerate(state)) if isinstance(state, tuple) else [(None, state)]
    targets = [(key, value) for key, value in entries if isinstance(value, (bytes, int, float)) and not isinstance(value, bool)]
    for _ in range(MUTATIONS):
        key, value = rng.choice(targets)
        new = mutated_bytes(value, rng) if isinstance(value, bytes) else mutated_number(value, rng)
        if key is None:
            yield new
        elif isinstance(state, dict):
            yield {**state, key: new}
        else:
            yield tuple(new if i == key else v for i, v in enumerate(state))


def accepted_mutations(original, state, rng: random.Random, unchanged):
    """Loads each mutation of ``state`` into a copy of ``original`` and yields the copies that
    accept theirs; a refusal must be a ValueError/TypeError that passes ``unchanged(copy)``."""
    for bad in mutations(state, rng):
        target = copy.deepcopy(original)
        try:
            target.__setstate__(bad)
        except (ValueError, TypeError):
            unchanged(target)
            continue
        yield target


def call_all(*calls) -> None:
    """Runs every call; each may fail with a built-in exception, and only with one."""
    for call in calls:
        try:
            call()
        except TOLERATED:
            pass


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


MODELS = {
    "SGD binary": lambda: SGDClassifier(max_iter=3, tol=None),
    "SGD ovr averaged l1": lambda: SGDClassifier(max_iter=3, tol=None, multi_class="ovr", average=True, penalty="elasticnet", learning_rate="adaptive", eta0=0.1),
    "SGD multinomial": lambda: SGDClassifier(max_iter=3, tol=None, multi_class="multinomial"),
    "SGD l1 optimal": lambda: SGDClassifier(max_iter=3, tol=None, penalty="l1", learning_rate="optimal"),
    "MLP": lambda: MLPClassifier(hidden_layer_sizes=(4,), max_iter=3),
}


@pytest.mark.parametrize("name", list(MODELS))
def test_mutated_classifier_states(name):
    rng = random.Random(name)
    X = np.random.default_rng(1).normal(size=(60, 3))
    y = (X[:, 0] > 0).astype(int) + (0 if name == "SGD binary" else (X[:, 1] > 0.5))
    model = MODELS[name]().fit(X, y)
    state = model.__getstate__()

    def unchanged(target):
        np.testing.assert_array_equal(target.predict(X), model.predict(X))

    for target in accepted_mutations(model, state, rng, unchanged):
        call_all(
            lambda: target.predict(X[:5]),
            lambda: target.predict_proba(X[:5]),
            lambda: target.partial_fit(X[:10], y[:10]),
            lambda: target.fit(X, y),
        )
