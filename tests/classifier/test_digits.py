"""Accuracy on scikit-learn's digits (1797 x 64, shipped inside scikit-learn), the reference
problem of the classifiers: 5-fold cross-validation, shuffled with random_state=0, default
hyperparameters (issue targets: SGDClassifier >= 0.95, MLPClassifier >= 0.97)."""

from __future__ import annotations

import numpy as np
import pytest

sklearn_datasets = pytest.importorskip("sklearn.datasets")
from sklearn.model_selection import KFold

from river_lite.classifier import MLPClassifier, SGDClassifier


@pytest.fixture(scope="module")
def digits():
    X, y = sklearn_datasets.load_digits(return_X_y=True)
    return X.astype(np.float32), y


def cross_validated_accuracy(make, X, y) -> float:
    scores = []
    for train, test in KFold(n_splits=5, shuffle=True, random_state=0).split(X):
        model = make().fit(X[train], y[train])
        scores.append(model.score(X[test], y[test]))
    return float(np.mean(scores))


def test_sgd_defaults_reach_095(digits):
    assert cross_validated_accuracy(lambda: SGDClassifier(random_state=0), *digits) >= 0.95


def test_sgd_one_vs_rest_and_elastic_net_stay_close(digits):
    accuracy = cross_validated_accuracy(
        lambda: SGDClassifier(multi_class="ovr", penalty="elasticnet", random_state=0), *digits
    )
    assert accuracy >= 0.92


def test_mlp_defaults_reach_097(digits):
    assert cross_validated_accuracy(lambda: MLPClassifier(random_state=0), *digits) >= 0.97


def test_mlp_sgd_solver_with_dropout_and_early_stopping(digits):
    X, y = digits
    order = np.random.default_rng(0).permutation(len(X))
    train, test = order[:1400], order[1400:]
    model = MLPClassifier(
        solver="sgd", learning_rate_init=0.01, dropout=0.2, early_stopping=True, random_state=0
    ).fit(X[train], y[train])
    assert model.best_validation_score_ >= 0.95
    assert model.validation_scores_ and len(model.validation_scores_) == model.n_iter_
    # Stopped by the validation score, well before max_iter (scikit-learn's MLPClassifier with
    # the same solver and early stopping scores 0.967 on this split).
    assert model.n_iter_ < 200
    assert model.score(X[test], y[test]) >= 0.95


def test_online_learning_on_digits(digits):
    """partial_fit over minibatches, then learn_one row by row, keep learning."""
    X, y = digits
    model = SGDClassifier(random_state=0)
    for epoch in range(3):
        for start in range(0, 1200, 100):
            model.partial_fit(X[start : start + 100], y[start : start + 100], classes=np.arange(10))
        if epoch == 0:
            first_epoch = model.score(X[1500:], y[1500:])
    assert first_epoch >= 0.8
    assert model.score(X[1500:], y[1500:]) >= first_epoch
    # Online scaling (standardize=True) follows the running mean and variance of the pixels.
    mlp = MLPClassifier(
        hidden_layer_sizes=(32,), learning_rate_init=0.01, standardize=True, random_state=0
    )
    for xi, yi in zip(X[:1200], y[:1200], strict=True):
        mlp.learn_one({f"pixel{j}": v for j, v in enumerate(xi)}, yi, classes=np.arange(10))
    hits = [
        mlp.predict_one({f"pixel{j}": v for j, v in enumerate(xi)}) == yi
        for xi, yi in zip(X[1500:], y[1500:], strict=True)
    ]
    # One pass, one Adam step per sample (chance is 0.1).
    assert np.mean(hits) >= 0.7
