"""Bad input (issue 4, item 5): every mistake is a clear ValueError or TypeError, never a panic
or a crash, and a failed call leaves a fitted model as it was."""

from __future__ import annotations

import numpy as np
import pytest

from river_lite import _core
from river_lite.classifier import MLPClassifier, NotFittedError, SGDClassifier

CLASSES = [SGDClassifier, MLPClassifier]


def data(n=120, d=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0)
    return X, y


def fitted(cls):
    X, y = data()
    kwargs = {"hidden_layer_sizes": (8,), "max_iter": 20} if cls is MLPClassifier else {}
    return cls(random_state=0, **kwargs).fit(X, y)


def snapshot(model):
    X, _ = data(seed=5)
    return model.predict_proba(X).copy()


@pytest.mark.parametrize("cls", CLASSES)
def test_predicting_before_fit(cls):
    model = cls()
    X, _ = data()
    for method in ("predict", "predict_proba", "predict_log_proba", "score"):
        args = (X, np.zeros(len(X))) if method == "score" else (X,)
        with pytest.raises(NotFittedError, match="not fitted yet"):
            getattr(model, method)(*args)
    assert issubclass(NotFittedError, ValueError) and issubclass(NotFittedError, AttributeError)


def bad_training_calls():
    X, y = data()
    nan = X.copy()
    nan[7, 1] = np.nan
    inf = X.copy()
    inf[3, 0] = np.inf
    return [
        ("length mismatch", ValueError, "inconsistent numbers of samples", (X, y[:-1])),
        ("1-D X", ValueError, "Expected 2D array", (X[:, 0], y)),
        ("3-D X", ValueError, "Expected 2D array", (X[None], y)),
        ("2-D y", ValueError, "1d array", (X, np.stack([y, y], axis=1))),
        ("NaN in X", ValueError, "NaN or infinity", (nan, y)),
        ("inf in X", ValueError, "NaN or infinity", (inf, y)),
        ("single class", ValueError, "only one class", (X, np.zeros(len(X), dtype=int))),
        ("continuous y", ValueError, "Unknown label type", (X, X[:, 0])),
        ("NaN in y", ValueError, "NaN", (X, np.where(y == 1, np.nan, y))),
        ("y None", ValueError, "requires y", (X, None)),
        ("no rows", ValueError, "0 sample", (X[:0], y[:0])),
        ("no columns", ValueError, "0 feature", (X[:, :0], y)),
        ("strings in X", ValueError, "numbers", (np.array([["a", "b"]] * 4), [0, 1, 0, 1])),
        ("complex X", ValueError, "Complex", (X.astype(complex), y)),
        (
            "mixed label types",
            TypeError,
            "sorted",
            (X[:4], np.array([1, "a", 2, "b"], dtype=object)),
        ),
    ]


@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.parametrize("case", bad_training_calls(), ids=lambda c: c[0])
def test_bad_training_input_leaves_the_model_usable(cls, case):
    _, error, message, args = case
    model = fitted(cls)
    before = snapshot(model)
    with pytest.raises(error, match=message):
        model.fit(*args)
    np.testing.assert_array_equal(snapshot(model), before)
    if case[0] != "single class":  # one known class is a valid batch for partial_fit
        with pytest.raises((ValueError, TypeError)):
            model.partial_fit(*args)
        np.testing.assert_array_equal(snapshot(model), before)


@pytest.mark.parametrize("cls", CLASSES)
def test_sparse_input_is_refused_with_advice(cls):
    sparse = pytest.importorskip("scipy.sparse")
    X, y = data()
    with pytest.raises(TypeError, match="sparse"):
        cls().fit(sparse.csr_matrix(X), y)


@pytest.mark.parametrize("cls", CLASSES)
def test_prediction_input_checks(cls):
    model = fitted(cls)
    before = snapshot(model)
    X, _ = data()
    with pytest.raises(ValueError, match=r"X has 4 features, but .* is expecting 3 features"):
        model.predict(np.hstack([X, X[:, :1]]))
    with pytest.raises(ValueError, match="Expected 2D array"):
        model.predict(X[0])
    bad = X.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN or infinity"):
        model.predict_proba(bad)
    np.testing.assert_array_equal(snapshot(model), before)


@pytest.mark.parametrize("cls", CLASSES)
def test_partial_fit_labels_and_feature_count(cls):
    X, y = data()
    model = cls(random_state=0).partial_fit(X, y)  # classes inferred from the first batch
    assert model.classes_.tolist() == [0, 1, 2]
    before = snapshot(model)
    with pytest.raises(ValueError, match="not in classes_"):
        model.partial_fit(X[:5], np.array([0, 1, 2, 3, 3]))
    with pytest.raises(ValueError, match="differs from the classes"):
        model.partial_fit(X, y, classes=[0, 1, 2, 3])
    with pytest.raises(ValueError, match="expecting 3 features"):
        model.partial_fit(X[:, :2], y)
    np.testing.assert_array_equal(snapshot(model), before)
    declared = cls(random_state=0).partial_fit(X[:10], y[:10], classes=[0, 1, 2, 3])
    assert declared.classes_.tolist() == [0, 1, 2, 3]
    declared.partial_fit(X[:5], np.array([3, 3, 3, 0, 1]))
    with pytest.raises(ValueError, match=r"not in classes_|only one class"):
        cls().partial_fit(X[:4], np.array([0, 0, 0, 0]))
    with pytest.raises(ValueError, match="not in classes_"):
        cls().partial_fit(X[:4], y[:4], classes=[5, 6])


INVALID_SGD = [
    ("loss", "hinge", ValueError),
    ("penalty", "l3", ValueError),
    ("alpha", -1.0, ValueError),
    ("alpha", float("nan"), ValueError),
    ("alpha", "big", TypeError),
    ("l1_ratio", 1.5, ValueError),
    ("fit_intercept", "yes", TypeError),
    ("max_iter", 0, ValueError),
    ("max_iter", 2.5, TypeError),
    ("tol", float("inf"), ValueError),
    ("learning_rate", "fast", ValueError),
    ("eta0", 0.0, ValueError),  # with learning_rate="constant" below
    ("n_iter_no_change", 0, ValueError),
    ("multi_class", "softmax", ValueError),
    ("random_state", -1, ValueError),
    ("random_state", "seed", TypeError),
    ("average", 1, TypeError),
]

INVALID_MLP = [
    ("hidden_layer_sizes", (), ValueError),
    ("hidden_layer_sizes", (10, 0), ValueError),
    ("hidden_layer_sizes", "wide", TypeError),
    ("hidden_layer_sizes", (2**31, 2**31), ValueError),  # too large to allocate
    ("activation", "tanh", ValueError),
    ("solver", "lbfgs", ValueError),
    ("alpha", -0.1, ValueError),
    ("batch_size", 0, ValueError),
    ("batch_size", "big", ValueError),
    ("learning_rate", "adaptive", ValueError),
    ("learning_rate_init", 0.0, ValueError),
    ("max_iter", -3, ValueError),
    ("momentum", 1.5, ValueError),
    ("beta_1", 1.0, ValueError),
    ("beta_2", -0.1, ValueError),
    ("epsilon", 0.0, ValueError),
    ("validation_fraction", 1.0, ValueError),
    ("dropout", 1.0, ValueError),
    ("n_iter_no_change", 0, ValueError),
    ("early_stopping", "no", TypeError),
]


@pytest.mark.parametrize(
    ("cls", "name", "value", "error"),
    [(SGDClassifier, *case) for case in INVALID_SGD]
    + [(MLPClassifier, *case) for case in INVALID_MLP],
    ids=lambda v: repr(v) if not isinstance(v, type) else v.__name__,
)
def test_invalid_hyperparameters_are_reported_at_fit(cls, name, value, error):
    model = fitted(cls)
    before = snapshot(model)
    extra = {"learning_rate": "constant"} if (cls, name) == (SGDClassifier, "eta0") else {}
    model.set_params(**{name: value}, **extra)  # stored as given, like scikit-learn
    assert model.get_params()[name] is value
    X, y = data()
    with pytest.raises(error, match=name):
        model.fit(X, y)
    np.testing.assert_array_equal(snapshot(model), before)


def test_unknown_parameter_in_set_params():
    with pytest.raises(ValueError, match="Invalid parameter"):
        SGDClassifier().set_params(learning_speed=3)


def test_early_stopping_needs_validation_rows():
    X, _ = data(n=2)
    with pytest.raises(ValueError, match="validation"):
        MLPClassifier(early_stopping=True, validation_fraction=0.9).fit(X, [0, 1])


def test_engines_reject_bad_arrays_themselves():
    """The Rust layer checks its own input too (TypeError for a wrong array type, dtype or
    layout; ValueError for bad values), so a direct call cannot crash."""
    X, y = data()
    engine = SGDClassifier(random_state=0).fit(X, y)._engine
    labels = y.astype(np.int64)
    with pytest.raises(TypeError, match=r"numpy\.ndarray"):
        engine.partial_fit(X.tolist(), labels)
    with pytest.raises(TypeError, match="dtype"):
        engine.partial_fit(X.astype(np.int64), labels)
    with pytest.raises(TypeError, match="C-contiguous"):
        engine.partial_fit(np.asfortranarray(X), labels)
    with pytest.raises(TypeError, match="int64"):
        engine.partial_fit(X, labels.astype(np.int32))
    with pytest.raises(ValueError, match="out of range"):
        engine.partial_fit(X, labels + 5)
    with pytest.raises(ValueError, match="2D"):
        engine.decision_function(X[0])
    with pytest.raises(ValueError, match="at least 2 classes"):
        _core.SgdEngine(
            n_classes=1,
            n_features=3,
            multi_class="multinomial",
            alpha=1e-4,
            l1_ratio=0.0,
            penalize=True,
            fit_intercept=True,
            learning_rate="optimal",
            eta0=0.0,
            power_t=0.5,
            shuffle=True,
            seed=0,
            standardize=True,
            average=False,
            tol=None,
            n_iter_no_change=5,
        )
    with pytest.raises(OverflowError):
        SGDClassifier()._make_engine(SGDClassifier()._settings(), 3, 3, -1)


def test_divergence_is_a_value_error_and_changes_nothing():
    X, y = data()
    model = SGDClassifier(random_state=0).fit(X, y)
    before = snapshot(model)
    wild = SGDClassifier(
        learning_rate="constant", eta0=1e306, alpha=0.0, penalty=None, standardize=False
    )
    with pytest.raises(ValueError, match="diverged"):
        wild.fit(X * 1e3, y)
    model.set_params(learning_rate="constant", eta0=1e306, penalty=None, standardize=False)
    with pytest.raises(ValueError, match="diverged"):
        model.fit(X * 1e3, y)
    np.testing.assert_array_equal(snapshot(model), before)


def test_not_fitted_error_is_scikit_learns_too_and_pickles():
    import pickle
    import subprocess
    import sys
    import tempfile

    exceptions = pytest.importorskip("sklearn.exceptions")
    X, _ = data()
    with pytest.raises(exceptions.NotFittedError) as caught:
        SGDClassifier().predict(X)
    assert isinstance(caught.value, NotFittedError)
    restored = pickle.loads(pickle.dumps(caught.value))
    assert type(restored) is type(caught.value) and str(restored) == str(caught.value)
    # In a process that has not imported scikit-learn, the error still unpickles.
    code = (
        "import pickle, sys\n"
        "from river_lite.classifier import NotFittedError\n"
        "error = pickle.loads(sys.stdin.buffer.read())\n"
        "assert isinstance(error, NotFittedError), type(error)\n"
    )
    # Run outside any checkout: `-c` puts the working directory first on sys.path.
    subprocess.run(
        [sys.executable, "-c", code],
        input=pickle.dumps(caught.value),
        check=True,
        cwd=tempfile.gettempdir(),
    )
