"""river_lite.classifier against scikit-learn, in one process (issue 4, item 7).

1. scikit-learn's digits (1797 x 64, float32), 5-fold cross-validation shuffled with
   random_state=0: mean accuracy, and fit and predict seconds summed over the folds.
2. ``make_classification(n_samples=200_000, n_features=100, n_informative=50, n_classes=10,
   random_state=0)`` as float32, 20% held out: 5 epochs of training, fit seconds and hold-out
   accuracy.

Every model runs once (one run, as the issue asks): read ratios, not absolute times, which move
by up to 2x between runs on shared machines. Writes its table between the ``classifier``
markers of benchmarks/RESULTS.md.

    python benchmarks/classifier.py            # ~1-2 minutes on 2 cores
    python benchmarks/classifier.py --no-write # print only
"""

from __future__ import annotations

import argparse
import os
import platform
import time
import warnings
from pathlib import Path

import numpy as np
from _results import write_section  # benchmarks/_results.py, beside this script

HERE = Path(__file__).resolve().parent


def timed(call, *args):
    """`call(*args)` and the seconds it took."""
    started = time.perf_counter()
    result = call(*args)
    return result, time.perf_counter() - started


def fitted(make, X, y):
    """A new model from `make()`, fitted (its construction is timed with the fit)."""
    return make().fit(X, y)


def digits_rows():
    from sklearn import linear_model, neural_network
    from sklearn.datasets import load_digits
    from sklearn.model_selection import KFold

    from river_lite import classifier as lite

    X, y = load_digits(return_X_y=True)
    X = X.astype(np.float32)
    models = [
        (
            "river_lite",
            "SGDClassifier() (defaults)",
            lambda: lite.SGDClassifier(random_state=0),
            None,
        ),
        (
            "river_lite",
            "MLPClassifier() (defaults)",
            lambda: lite.MLPClassifier(random_state=0),
            None,
        ),
        (
            "scikit-learn",
            "SGDClassifier(loss='log_loss') (defaults)",
            lambda: linear_model.SGDClassifier(loss="log_loss", random_state=0),
            None,
        ),
        (
            "scikit-learn",
            "SGDClassifier log_loss, 5 epochs",
            lambda: linear_model.SGDClassifier(
                loss="log_loss", max_iter=5, tol=None, random_state=0
            ),
            None,
        ),
        (
            "scikit-learn",
            "SGDClassifier log_loss, constant lr 0.05, X/16, 5 epochs",
            lambda: linear_model.SGDClassifier(
                loss="log_loss",
                learning_rate="constant",
                eta0=0.05,
                max_iter=5,
                tol=None,
                random_state=0,
            ),
            16.0,
        ),
        (
            "scikit-learn",
            "MLPClassifier() (defaults)",
            lambda: neural_network.MLPClassifier(random_state=0),
            None,
        ),
    ]
    rows = []
    for library, name, make, divide in models:
        accuracies, fit_s, predict_s = [], 0.0, 0.0
        for train, test in KFold(n_splits=5, shuffle=True, random_state=0).split(X):
            X_train, X_test = X[train], X[test]
            if divide:
                X_train, X_test = X_train / divide, X_test / divide
            y_train = y[train]
            model, seconds = timed(fitted, make, X_train, y_train)
            fit_s += seconds
            predicted, seconds = timed(model.predict, X_test)
            predict_s += seconds
            accuracies.append(float(np.mean(predicted == y[test])))
        rows.append((library, name, float(np.mean(accuracies)), fit_s, predict_s))
        print(
            f"digits   {library:12s} {name:58s} acc {rows[-1][2]:.4f} fit {fit_s:7.3f} s "
            f"predict {predict_s:.4f} s",
            flush=True,
        )
    return rows


def synthetic_rows():
    from sklearn import linear_model, neural_network, pipeline, preprocessing
    from sklearn.datasets import make_classification
    from sklearn.model_selection import train_test_split

    from river_lite import classifier as lite

    X, y = make_classification(
        n_samples=200_000, n_features=100, n_informative=50, n_classes=10, random_state=0
    )
    X = X.astype(np.float32)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0)
    five = dict(max_iter=5, tol=None, random_state=0)
    models = [
        (
            "scikit-learn",
            "SGD",
            "SGDClassifier log_loss, l2 alpha=1e-4 (its defaults)",
            lambda: linear_model.SGDClassifier(loss="log_loss", **five),
        ),
        (
            "scikit-learn",
            "SGD",
            "SGDClassifier log_loss, elastic-net alpha=2e-6",
            lambda: linear_model.SGDClassifier(
                loss="log_loss", penalty="elasticnet", alpha=2e-6, **five
            ),
        ),
        (
            "scikit-learn",
            "SGD",
            "StandardScaler + SGDClassifier log_loss, l2 alpha=1e-4",
            lambda: pipeline.make_pipeline(
                preprocessing.StandardScaler(), linear_model.SGDClassifier(loss="log_loss", **five)
            ),
        ),
        (
            "scikit-learn",
            "SGD",
            "StandardScaler + SGDClassifier log_loss, averaged",
            lambda: pipeline.make_pipeline(
                preprocessing.StandardScaler(),
                linear_model.SGDClassifier(loss="log_loss", average=True, **five),
            ),
        ),
        (
            "river_lite",
            "SGD",
            "SGDClassifier (defaults: multinomial, l2 alpha=1e-4, averaged)",
            lambda: lite.SGDClassifier(**five),
        ),
        (
            "river_lite",
            "SGD",
            "SGDClassifier multi_class='ovr'",
            lambda: lite.SGDClassifier(multi_class="ovr", **five),
        ),
        (
            "river_lite",
            "SGD",
            "SGDClassifier average=False (no averaging, as scikit-learn)",
            lambda: lite.SGDClassifier(average=False, **five),
        ),
        (
            "scikit-learn",
            "MLP",
            "MLPClassifier (defaults: (100,), adam)",
            lambda: neural_network.MLPClassifier(max_iter=5, random_state=0),
        ),
        (
            "river_lite",
            "MLP",
            "MLPClassifier (defaults: (100,), adam)",
            lambda: lite.MLPClassifier(max_iter=5, random_state=0),
        ),
    ]
    rows = []
    for library, kind, name, make in models:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # scikit-learn's ConvergenceWarning after 5 epochs
            model, fit_s = timed(fitted, make, X_train, y_train)
        predicted, predict_s = timed(model.predict, X_test)
        accuracy = float(np.mean(predicted == y_test))
        rows.append((library, kind, name, accuracy, fit_s, predict_s))
        print(
            f"synthetic {library:12s} {name:58s} acc {accuracy:.4f} fit {fit_s:7.3f} s "
            f"predict {predict_s:.4f} s",
            flush=True,
        )
    return rows


def targets(digits, synthetic):
    lite_digits = {
        name.split("(")[0]: acc for lib, name, acc, _, _ in digits if lib == "river_lite"
    }
    sgd = [r for r in synthetic if r[1] == "SGD"]
    sk_sgd = [r for r in sgd if r[0] == "scikit-learn"]
    best_sk = max(sk_sgd, key=lambda r: r[3])
    sk_default = sk_sgd[0]
    lite_sgd = next(r for r in sgd if r[0] == "river_lite")
    sk_mlp = next(r for r in synthetic if r[1] == "MLP" and r[0] == "scikit-learn")
    lite_mlp = next(r for r in synthetic if r[1] == "MLP" and r[0] == "river_lite")
    speedup = sk_default[4] / lite_sgd[4]
    mlp_speedup = sk_mlp[4] / lite_mlp[4]
    mark = lambda ok: "**met**" if ok else "**missed**"
    return [
        (
            f"| digits 5-fold: `SGDClassifier` defaults >= 0.95 | {lite_digits['SGDClassifier']:.4f} "
            f"| {mark(lite_digits['SGDClassifier'] >= 0.95)} |"
        ),
        (
            f"| digits 5-fold: `MLPClassifier` defaults >= 0.97 | {lite_digits['MLPClassifier']:.4f} "
            f"| {mark(lite_digits['MLPClassifier'] >= 0.97)} |"
        ),
        (
            f"| synthetic: SGD accuracy within 1 point of scikit-learn's best SGD configuration "
            f"({best_sk[2]}: {best_sk[3]:.4f}) | {lite_sgd[3]:.4f} "
            f"({100 * (lite_sgd[3] - best_sk[3]):+.1f} points) "
            f"| {mark(lite_sgd[3] >= best_sk[3] - 0.01)} |"
        ),
        (
            f"| synthetic: SGD fit >= 5x faster than scikit-learn's `SGDClassifier` (its defaults, "
            f"l2 alpha=1e-4: {sk_default[4]:.2f} s; river_lite's defaults) | {lite_sgd[4]:.2f} s, "
            f"{speedup:.1f}x "
            f"| {mark(speedup >= 5)} |"
        ),
        (
            f"| synthetic: MLP fit faster than scikit-learn's `MLPClassifier` at equal or better "
            f"accuracy ({sk_mlp[4]:.2f} s, {sk_mlp[3]:.4f}) "
            f"| {lite_mlp[4]:.2f} s ({mlp_speedup:.1f}x), "
            f"{lite_mlp[3]:.4f} | {mark(mlp_speedup > 1 and lite_mlp[3] >= sk_mlp[3])} |"
        ),
    ]


def write_results(digits, synthetic) -> str:
    import sklearn

    import river_lite

    lines = [
        "## Classifiers: river_lite vs scikit-learn",
        "",
        (
            f"`python benchmarks/classifier.py` — one run; river_lite {river_lite.__version__}, "
            f"scikit-learn {sklearn.__version__}, NumPy {np.__version__}, Python "
            f"{platform.python_version()}, {platform.machine()}, {os.cpu_count()} cores. Seconds are "
            "wall-clock; compare ratios, not absolute times."
        ),
        "",
        (
            "**digits** (1797 x 64 float32), 5-fold CV shuffled with `random_state=0`; fit and "
            "predict seconds are totals over the 5 folds."
        ),
        "",
        "| library | model | mean accuracy | fit s | predict s |",
        "|---|---|---|---|---|",
    ]
    for library, name, accuracy, fit_s, predict_s in digits:
        lines.append(f"| {library} | {name} | {accuracy:.4f} | {fit_s:.3f} | {predict_s:.4f} |")
    lines += [
        "",
        (
            "**synthetic**: `make_classification(n_samples=200_000, n_features=100, "
            "n_informative=50, n_classes=10, random_state=0)` as float32, 20% held out "
            "(`train_test_split(random_state=0)`), 5 epochs (`max_iter=5`, `tol=None` for SGD)."
        ),
        "",
        (
            "| library | model | hold-out accuracy | fit s | predict s "
            "| fit speed-up vs scikit-learn's `SGDClassifier` (l2) / `MLPClassifier` |"
        ),
        "|---|---|---|---|---|---|",
    ]
    reference = {
        kind: next(r for r in synthetic if r[0] == "scikit-learn" and r[1] == kind)[4]
        for kind in ("SGD", "MLP")
    }
    for library, kind, name, accuracy, fit_s, predict_s in synthetic:
        lines.append(
            f"| {library} | {name} | {accuracy:.4f} | {fit_s:.2f} | {predict_s:.3f} "
            f"| {reference[kind] / fit_s:.1f}x |"
        )
    lines += [
        "",
        "Targets of issue 4 (reported, not asserted):",
        "",
        "| target | measured | |",
        "|---|---|---|",
        *targets(digits, synthetic),
    ]
    section = "\n".join(lines)

    write_section("classifier", section)
    return section


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    digits = digits_rows()
    synthetic = synthetic_rows()
    for line in targets(digits, synthetic):
        print(line)
    if not args.no_write:
        write_results(digits, synthetic)


if __name__ == "__main__":
    main()
