"""The classifier part of ``river-lite demo``."""

from __future__ import annotations

import time

import numpy as np

from .mlp import MLPClassifier
from .sgd import SGDClassifier


def demo() -> None:
    # Three classes split by a curved boundary: a linear model cannot follow it, a network can.
    X = np.random.default_rng(0).normal(size=(20_000, 10)).astype(np.float32)
    score = np.sin(2.0 * X[:, 0]) + X[:, 1] * X[:, 2]
    y = np.digitize(score, np.quantile(score, [1 / 3, 2 / 3]))
    print("Classifiers on 16,000 x 10 float32 rows (3 classes, curved boundary), 4,000 held out:")
    for model in (SGDClassifier(random_state=0), MLPClassifier((64,), max_iter=15, random_state=0)):
        started = time.perf_counter()
        model.fit(X[:16_000], y[:16_000])
        elapsed = time.perf_counter() - started
        accuracy = model.score(X[16_000:], y[16_000:])
        print(f"  {type(model).__name__:<14} accuracy {accuracy:.3f}, fit {elapsed:.2f} s")
