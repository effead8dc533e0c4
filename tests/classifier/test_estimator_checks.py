"""scikit-learn's own estimator checks, run on both classifiers.

Every check of ``sklearn.utils.estimator_checks`` runs; the ones expected to fail are listed in
``EXPECTED_FAILED`` with the reason (``parametrize_with_checks`` turns them into strict xfails,
so a listed check that starts passing fails the suite and the list gets shortened).
"""

from __future__ import annotations

import warnings

import pytest

pytest.importorskip("sklearn")

from sklearn.utils.estimator_checks import parametrize_with_checks

from river_lite.classifier import MLPClassifier, SGDClassifier

EXPECTED_FAILED: dict[str, str] = {}


def expected_failed_checks(estimator) -> dict[str, str]:
    return EXPECTED_FAILED


# scikit-learn warns that the estimators do not inherit from its BaseEstimator: on purpose
# (scikit-learn is not a run-time dependency); these checks are what proves the protocol works.
warnings.filterwarnings("ignore", message=".*does not inherit from `sklearn.base.BaseEstimator`")


def listed(mark: pytest.MarkDecorator) -> pytest.MarkDecorator:
    """``parametrize_with_checks``'s mark with its checks in a list: scikit-learn < 1.8 hands
    pytest a generator, which pytest >= 9 deprecates (an error under filterwarnings = error)."""
    argnames, argvalues = mark.args
    return pytest.mark.parametrize(argnames, list(argvalues), **mark.kwargs)


@listed(
    parametrize_with_checks(
        [
            SGDClassifier(random_state=0),
            SGDClassifier(multi_class="ovr", penalty="elasticnet", average=True, random_state=0),
            # Small network and few epochs keep the checks fast; accuracy checks still pass.
            MLPClassifier(hidden_layer_sizes=(16,), max_iter=200, random_state=0),
        ],
        expected_failed_checks=expected_failed_checks,
    )
)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)
