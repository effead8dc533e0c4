"""Behaviour of river_lite.classifier: agreement with scikit-learn, determinism, dtypes and
layouts, pickling, River-style use, and the GIL."""

from __future__ import annotations

import copy
import os
import pickle
import subprocess
import sys
import tempfile
import threading

import numpy as np
import pytest

from river_lite.classifier import MLPClassifier, NotFittedError, SGDClassifier


def blobs(n=300, classes=3, features=4, spread=0.6, seed=0):
    rng = np.random.default_rng(seed)
    centers = rng.normal(scale=4.0, size=(classes, features))
    y = rng.integers(0, classes, size=n)
    X = centers[y] + spread * rng.normal(size=(n, features))
    return X, y


MODELS = [
    pytest.param(lambda: SGDClassifier(random_state=1), id="sgd"),
    pytest.param(
        lambda: SGDClassifier(multi_class="ovr", penalty="l1", random_state=1), id="sgd-ovr-l1"
    ),
    pytest.param(
        lambda: SGDClassifier(learning_rate="adaptive", eta0=0.1, average=True, random_state=1),
        id="sgd-adaptive-avg",
    ),
    pytest.param(lambda: MLPClassifier((16,), max_iter=50, random_state=1), id="mlp"),
    pytest.param(
        lambda: MLPClassifier((16, 8), solver="sgd", dropout=0.1, max_iter=50, random_state=1),
        id="mlp-sgd-dropout",
    ),
]


def parameters(model):
    if isinstance(model, SGDClassifier):
        return [model.coef_, model.intercept_]
    return [*model.coefs_, *model.intercepts_]


def assert_same_model(a, b):
    for x, y in zip(parameters(a), parameters(b), strict=True):
        np.testing.assert_array_equal(x, y)


# ---------------------------------------------------------------------------- scikit-learn
def test_agrees_with_scikit_learn_sgd_on_a_separable_problem():
    linear_model = pytest.importorskip("sklearn.linear_model")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 3))
    w = np.array([2.0, -1.0, 0.5])
    margin = X @ w
    keep = np.abs(margin) > 0.5  # a clear gap between the classes
    X, y = X[keep], (margin[keep] > 0).astype(int)
    ours = SGDClassifier(standardize=False, random_state=0).fit(X, y)
    theirs = linear_model.SGDClassifier(loss="log_loss", random_state=0).fit(X, y)
    X_test = rng.normal(size=(2000, 3))
    X_test = X_test[np.abs(X_test @ w) > 0.5]
    np.testing.assert_array_equal(ours.predict(X_test), theirs.predict(X_test))
    assert ours.score(X, y) == theirs.score(X, y) == 1.0
    cosine = (ours.coef_ @ theirs.coef_.T).item() / (
        np.linalg.norm(ours.coef_) * np.linalg.norm(theirs.coef_)
    )
    assert cosine > 0.99
    assert ours.coef_.shape == theirs.coef_.shape == (1, 3)
    assert ours.intercept_.shape == theirs.intercept_.shape == (1,)
    # Same conventions for the scores and probabilities of two classes.
    assert ours.decision_function(X_test).shape == (len(X_test),)
    np.testing.assert_allclose(ours.predict_proba(X_test).sum(axis=1), 1.0)


def test_sklearn_clone_and_pipeline():
    base = pytest.importorskip("sklearn.base")
    pipeline = pytest.importorskip("sklearn.pipeline")
    preprocessing = pytest.importorskip("sklearn.preprocessing")
    X, y = blobs()
    model = SGDClassifier(alpha=1e-3, random_state=3)
    clone = base.clone(model)
    assert clone.get_params() == model.get_params() and clone is not model
    assert base.is_classifier(model)
    pipe = pipeline.make_pipeline(
        preprocessing.StandardScaler(), MLPClassifier((8,), random_state=0)
    )
    assert pipe.fit(X, y).score(X, y) > 0.95


def test_coef_acts_on_raw_features_when_standardizing():
    X, y = blobs(features=5)
    X = X * np.array([1.0, 100.0, 0.01, 5.0, 1e3]) + 7.0
    model = SGDClassifier(random_state=0).fit(X, y)
    np.testing.assert_allclose(
        model.decision_function(X), X @ model.coef_.T + model.intercept_, rtol=1e-9, atol=1e-9
    )


def test_l1_penalty_zeroes_noise_features():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(2000, 10))
    y = (X[:, 0] - X[:, 1] > 0).astype(int)
    # Exact zeros are a property of the weights; averaged weights (average=True) only get small.
    model = SGDClassifier(penalty="l1", alpha=1e-2, average=False, random_state=0).fit(X, y)
    assert np.all(np.abs(model.coef_[0, :2]) > 0.1)
    assert np.sum(model.coef_[0, 2:] == 0.0) >= 6


# ---------------------------------------------------------------------------- determinism
@pytest.mark.parametrize("make", MODELS)
def test_random_state_gives_bit_identical_models(make):
    X, y = blobs()
    a, b = make().fit(X, y), make().fit(X, y)
    assert_same_model(a, b)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    other = make().set_params(random_state=2).fit(X, y)
    assert any(
        not np.array_equal(p, q) for p, q in zip(parameters(a), parameters(other), strict=True)
    )


@pytest.mark.parametrize("make", MODELS)
def test_float32_input_is_read_as_its_float64_upcast(make):
    """The engines read float32 in place and widen each value exactly: a float32 matrix and
    its float64 copy train the same model."""
    X, y = blobs()
    X32 = X.astype(np.float32)
    assert_same_model(make().fit(X32, y), make().fit(X32.astype(np.float64), y))


def test_other_layouts_and_dtypes_are_converted_once():
    X, y = blobs()
    reference = SGDClassifier(random_state=0).fit(X, y)
    for variant in (np.asfortranarray(X), np.repeat(X, 2, axis=1)[:, ::2], X.tolist()):
        assert_same_model(SGDClassifier(random_state=0).fit(variant, y), reference)
    ints = np.round(X * 10).astype(np.int32)
    assert_same_model(
        SGDClassifier(random_state=0).fit(ints, y),
        SGDClassifier(random_state=0).fit(ints.astype(float), y),
    )


def test_results_do_not_depend_on_the_thread_count():
    """The same fits in a child process restricted to one rayon thread give the same bits."""
    code = (
        "import pickle, sys, numpy as np\n"
        "from river_lite.classifier import MLPClassifier, SGDClassifier\n"
        "rng = np.random.default_rng(0)\n"
        "X = rng.normal(size=(3000, 12)).astype(np.float32)\n"
        "y = (X[:, 0] * X[:, 1] > 0).astype(int) + (X[:, 2] > 0)\n"
        "m = [SGDClassifier(multi_class='ovr', max_iter=20, random_state=0).fit(X, y),\n"
        "     MLPClassifier((32,), dropout=0.2, max_iter=5, random_state=0).fit(X, y)]\n"
        "sys.stdout.buffer.write(pickle.dumps([m[0].coef_, m[0].intercept_, *m[1].coefs_]))\n"
    )
    outputs = []
    for threads in ("1", "3"):
        env = dict(os.environ, RAYON_NUM_THREADS=threads)
        # Run outside any checkout: `-c` puts the working directory first on sys.path.
        done = subprocess.run(
            [sys.executable, "-c", code],
            env=env,
            capture_output=True,
            check=True,
            cwd=tempfile.gettempdir(),
        )
        outputs.append(pickle.loads(done.stdout))
    for a, b in zip(*outputs, strict=True):
        np.testing.assert_array_equal(a, b)


# ---------------------------------------------------------------------------- labels
def test_labels_of_any_sortable_type():
    X, y = blobs()
    names = np.array(["setosa", "versicolor", "virginica"], dtype=object)[y]
    model = SGDClassifier(random_state=0).fit(X, names)
    assert model.classes_.tolist() == ["setosa", "versicolor", "virginica"]
    assert set(model.predict(X)) <= set(model.classes_)
    floats = MLPClassifier((8,), random_state=0).fit(X, y * 2.0 - 1.0)
    assert floats.classes_.tolist() == [-1.0, 1.0, 3.0]
    assert model.score(X, names) > 0.95


# ---------------------------------------------------------------------------- pickling
@pytest.mark.parametrize("make", MODELS)
def test_pickle_round_trip_and_continued_training(make):
    X, y = blobs()
    model = make().fit(X[:200], y[:200])
    restored = pickle.loads(pickle.dumps(model))
    assert type(restored) is type(model)
    assert restored.get_params() == model.get_params()
    np.testing.assert_array_equal(restored.predict_proba(X), model.predict_proba(X))
    # Both continue identically: the whole training state (counters, optimizer moments,
    # scaling, random streams) is in the pickle.
    model.partial_fit(X[200:], y[200:])
    restored.partial_fit(X[200:], y[200:])
    assert_same_model(model, restored)
    twin = copy.deepcopy(model)
    np.testing.assert_array_equal(twin.predict(X), model.predict(X))
    unfitted = pickle.loads(pickle.dumps(make()))
    with pytest.raises(NotFittedError):
        unfitted.predict(X)


@pytest.mark.parametrize("make", MODELS)
def test_corrupt_or_foreign_state_raises_value_error(make):
    X, y = blobs()
    model = make().fit(X, y)
    state = model.__getstate__()
    fresh = make()
    for bad in (
        None,
        {},
        {**state, "kind": "OtherClassifier"},
        {**state, "version": 99},
        {**state, "params": {"nope": 1}},
        {**state, "engine": state["engine"][:-3]},
        {**state, "engine": state["engine"] + b"\x00"},
        {**state, "engine": b"garbage"},
        {**state, "engine": "not bytes"},
    ):
        with pytest.raises(ValueError, match=r"^cannot restore"):
            fresh.__setstate__(bad)
    other = (MLPClassifier if isinstance(model, SGDClassifier) else SGDClassifier)()
    with pytest.raises(ValueError, match="not a pickled"):
        other.__setstate__(state)
    engine_type = type(model._engine)
    foreign = (
        MLPClassifier((4,), max_iter=2)
        if isinstance(model, SGDClassifier)
        else SGDClassifier(max_iter=2)
    )
    foreign_bytes = foreign.fit(X, y)._engine.to_bytes()
    with pytest.raises(ValueError, match="state"):
        engine_type.from_bytes(foreign_bytes)


def test_random_bytes_never_crash_the_decoder():
    hypothesis = pytest.importorskip("hypothesis")
    from hypothesis import strategies as st

    from river_lite import _core

    @hypothesis.settings(max_examples=300, deadline=None)
    @hypothesis.given(st.binary(max_size=200))
    def check(data):
        for engine in (_core.SgdEngine, _core.MlpEngine):
            with pytest.raises(ValueError, match=r"^cannot restore the model"):
                engine.from_bytes(data)

    check()


# ---------------------------------------------------------------------------- River-style
@pytest.mark.parametrize("make", MODELS)
def test_learn_one_predict_one(make):
    X, y = blobs(n=400)
    model = make()
    assert model.predict_one({"a": 1.0, "b": 2.0, "c": 3.0, "d": 4.0}) is None
    assert model.predict_proba_one({"a": 1.0, "b": 2.0, "c": 3.0, "d": 4.0}) == {}
    names = ["a", "b", "c", "d"]
    for xi, yi in zip(X[:300], y[:300], strict=True):
        model.learn_one(dict(zip(names, xi, strict=True)), int(yi), classes=[0, 1, 2])
    proba = model.predict_proba_one(dict(zip(names, X[0], strict=True)))
    assert set(proba) == {0, 1, 2} and abs(sum(proba.values()) - 1.0) < 1e-9
    hits = [
        model.predict_one(dict(zip(names, xi, strict=True))) == yi
        for xi, yi in zip(X[300:], y[300:], strict=True)
    ]
    assert np.mean(hits) > 0.8
    with pytest.raises(ValueError, match="not trained with"):
        model.predict_one({"a": 1.0, "zzz": 2.0})
    with pytest.raises(TypeError):
        model.learn_one([1.0, 2.0], 0)
    # A missing feature counts as 0.
    assert model.predict_one({"a": 0.0}) == model.predict_one(
        {"a": 0.0, "b": 0.0, "c": 0.0, "d": 0.0}
    )


def test_learn_one_waits_for_two_classes_then_fixes_them():
    model = SGDClassifier(random_state=0)
    model.learn_one({"x": 1.0}, "up")
    model.learn_one({"x": 2.0}, "up")
    assert model.predict_one({"x": 1.0}) is None
    model.learn_one({"x": -1.0}, "down")
    assert model.classes_.tolist() == ["down", "up"]
    with pytest.raises(ValueError, match="not in classes_"):
        model.learn_one({"x": 0.0}, "sideways")
    assert model.predict_one({"x": 3.0}) in ("up", "down")


@pytest.mark.parametrize("make", MODELS)
def test_a_bad_sample_before_the_model_exists_is_refused_and_not_kept(make):
    # Such samples used to be kept aside silently, and then failed every later learn_one.
    from decimal import Decimal

    model = make()
    sample = {"a": 1.0, "b": 2.0}
    for x, y, error, message in [
        ({"a": 1.0, "b": float("nan")}, 1, ValueError, r"x\['b'\] is nan"),
        ({"a": float("inf")}, 1, ValueError, r"x\['a'\] is inf"),
        ({"a": [1.0, 2.0]}, 1, TypeError, r"x\['a'\] must be a number"),
        ({"a": "1.5"}, 1, TypeError, r"x\['a'\] must be a number"),
        ({}, 1, ValueError, "non-empty dict"),
        (sample, float("nan"), ValueError, "one class label"),
        (sample, 0.5, ValueError, "one class label"),
        (sample, None, TypeError, "one class label"),
        (sample, (1, 2), TypeError, "one class label"),
        (sample, [1], TypeError, "one class label"),
        (sample, {1}, TypeError, "one class label"),
        (sample, Decimal("NaN"), TypeError, "one class label"),
        (sample, np.datetime64("NaT", "ns"), TypeError, "one class label"),
        (sample, object(), TypeError, "one class label"),
        (sample, b"a", TypeError, "one class label"),
    ]:
        with pytest.raises(error, match=message):
            model.learn_one(x, y)
    # Nothing was kept, not even the feature names of a refused first sample.
    label = np.array(1)
    model.learn_one({"c": 1.0, "d": 2.0}, label)  # a 0-d array is one label, copied
    label[()] = 0
    with pytest.raises(TypeError, match="labels of one type"):
        model.learn_one({"c": -1.0, "d": -2.0}, np.array("zero"))
    assert model.predict_one({"c": 1.0, "d": 2.0}) is None
    model.learn_one({"c": -1.0, "d": -2.0}, label)
    assert model.classes_.tolist() == [0, 1]
    assert model.predict_one({"c": 1.0, "d": 2.0}) in (0, 1)
    with pytest.raises(ValueError, match="differs from the classes of the first call"):
        model.learn_one({"c": 1.0, "d": 2.0}, 1, classes=[0, 1, 2])


def test_predicting_before_learning_changes_nothing():
    model = SGDClassifier(random_state=0)
    before = pickle.dumps(model)
    assert model.predict_one({"a": 1.0}) is None and model.predict_proba_one({"a": 1.0}) == {}
    assert pickle.dumps(model) == before


# ---------------------------------------------------------------------------- the GIL
@pytest.mark.parametrize(
    "make", [lambda: SGDClassifier(max_iter=30, tol=None), lambda: MLPClassifier((64,), max_iter=3)]
)
def test_training_releases_the_gil(make):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40_000, 30))
    y = (X[:, 0] > 0).astype(int)
    started = threading.Event()

    def train():
        started.set()
        make().fit(X, y)

    worker = threading.Thread(target=train)
    worker.start()
    started.wait()
    ticks = 0
    while worker.is_alive():
        ticks += 1
    worker.join()
    # Were the GIL held for the whole fit, this loop could not run while it lasts.
    assert ticks > 10_000


# ---------------------------------------------------------------------------- documentation
@pytest.mark.parametrize("cls", [SGDClassifier, MLPClassifier], ids=lambda c: c.__name__)
def test_docstring_examples(cls):
    import doctest

    assert cls.__doc__ and "Examples" in cls.__doc__
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    tests = doctest.DocTestFinder(exclude_empty=True).find(cls.__doc__, cls.__name__, globs={})
    assert tests and tests[0].examples
    for test in tests:
        runner.run(test)
    assert runner.failures == 0
