"""Pickled classifiers with a few bytes or one number changed are refused or give a working
model; never a crash (the rules: tests/common/state_mutations.py)."""

from __future__ import annotations

import random

import numpy as np
import pytest
from state_mutations import accepted_mutations, call_all

from river_lite.classifier import MLPClassifier, SGDClassifier

MODELS = {
    "SGD binary": lambda: SGDClassifier(max_iter=3, tol=None),
    "SGD ovr averaged l1": lambda: SGDClassifier(
        max_iter=3,
        tol=None,
        multi_class="ovr",
        average=True,
        penalty="elasticnet",
        learning_rate="adaptive",
        eta0=0.1,
    ),
    "SGD multinomial": lambda: SGDClassifier(max_iter=3, tol=None, multi_class="multinomial"),
    "SGD l1 optimal": lambda: SGDClassifier(
        max_iter=3, tol=None, penalty="l1", learning_rate="optimal"
    ),
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
            target,
            lambda t: t.predict(X[:5]),
            lambda t: t.predict_proba(X[:5]),
            lambda t: t.partial_fit(X[:10], y[:10]),
            lambda t: t.fit(X, y),
        )
