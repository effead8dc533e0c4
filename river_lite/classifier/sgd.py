"""``SGDClassifier``: logistic regression trained by stochastic gradient descent in Rust."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from .._native import load
from ._base import BaseClassifier, TrainingInfo
from ._validation import RandomStateLike, check_bool, check_choice, check_int, check_real

if TYPE_CHECKING:
    from .. import _core  # the stub, river_lite/_core.pyi, for the type checker
else:
    _core = load("_core")

PENALTIES = {"l2", "l1", "elasticnet", None}
LEARNING_RATES = {"constant", "optimal", "invscaling", "adaptive"}
MULTI_CLASS = {"multinomial", "ovr"}


class SGDClassifier(BaseClassifier["_core.SgdEngine"]):
    """Logistic regression (multinomial or one-vs-rest) trained by SGD, in Rust.

    A scikit-learn-compatible estimator (``fit``, ``partial_fit``, ``predict``,
    ``predict_proba``, ``decision_function``, ``score``, ``get_params``/``set_params``, pickle,
    ``sklearn.base.clone``) that can also learn one dict at a time, River-style
    (``learn_one``, ``predict_one``, ``predict_proba_one``). Parameters keep scikit-learn's
    names and meanings; ``multi_class``, ``standardize`` and the defaults of ``average`` and
    ``multi_class`` differ.

    Training runs in Rust with the GIL released. ``X`` is read in place when it is a
    C-contiguous ``float32`` or ``float64`` array; any other input is converted once (to
    ``float64``, unless it is ``float32``). Weights are ``float64``. With
    ``multi_class="ovr"`` the classes train in parallel threads; a given ``random_state``
    gives bit-identical models whatever the number of threads.

    Parameters
    ----------
    loss : {"log_loss"}, default="log_loss"
        The logistic loss (the only one: probabilities need it).
    penalty : {"l2", "l1", "elasticnet", None}, default="l2"
        Regularisation. L1 (and the L1 part of elastic-net) uses the cumulative penalty of
        Tsuruoka et al. (2009), which yields exact zeros in the weights (with
        ``average=True`` the coefficients are averages of weights, small but not exactly 0).
    alpha : float, default=1e-4
        Strength of the penalty (also sets the ``"optimal"`` learning rate).
    l1_ratio : float, default=0.15
        Elastic-net mixing: 0 is L2, 1 is L1 (used with ``penalty="elasticnet"``).
    fit_intercept : bool, default=True
    max_iter : int, default=1000
        Maximum number of epochs of ``fit``.
    tol : float or None, default=1e-3
        ``fit`` stops when the mean training loss has not improved by ``tol`` for
        ``n_iter_no_change`` epochs (per class in one-vs-rest); None runs ``max_iter`` epochs.
    shuffle : bool, default=True
        Shuffle the rows every epoch (from ``random_state``).
    random_state : int, numpy.random.RandomState or None, default=None
        Seed of the shuffling; None draws a fresh one per ``fit``.
    learning_rate : {"optimal", "constant", "invscaling", "adaptive"}, default="optimal"
        ``eta = 1 / (alpha (t0 + t))`` (Bottou), ``eta0``, ``eta0 / t^power_t``, or ``eta0``
        divided by 5 whenever the loss stalls for ``n_iter_no_change`` epochs.
    eta0 : float, default=0.01
        Initial rate of the ``constant``, ``invscaling`` and ``adaptive`` schedules.
    power_t : float, default=0.5
    n_iter_no_change : int, default=5
    average : bool, default=True
        Averaged SGD (Polyak-Ruppert averaging): predict with the average of the weights over
        all updates, which smooths out the noise of the last updates. scikit-learn's default
        is False; averaging gains about 0.8 points on digits and 5 points on the
        make_classification benchmark (benchmarks/RESULTS.md) at ~15% more training time.
    multi_class : {"multinomial", "ovr"}, default="multinomial"
        One softmax model, or one logistic model per class (trained in parallel). Two classes
        always use one logistic model.
    standardize : bool, default=True
        Scale each feature to zero mean and unit variance before training (``fit`` learns the
        scaling from ``X``; ``partial_fit`` from all rows seen so far). ``coef_`` and
        ``intercept_`` are always given for the raw features. This differs from
        scikit-learn, whose SGD needs the user to scale.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    coef_ : ndarray of shape (1, n_features) for two classes, else (n_classes, n_features)
    intercept_ : ndarray of shape (1,) or (n_classes,)
    n_features_in_ : int
    n_iter_ : int
        Epochs run by the last ``fit`` (the longest over classes in one-vs-rest), plus one per
        later ``partial_fit``.
    t_ : float
        Number of SGD updates so far.
    loss_ : float
        Mean training loss of the last epoch.

    Examples
    --------
    >>> import numpy as np
    >>> from river_lite.classifier import SGDClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(300, 2))
    >>> y = np.where(X[:, 0] + X[:, 1] > 0, "yes", "no")
    >>> model = SGDClassifier(random_state=0).fit(X, y)
    >>> model.classes_.tolist()
    ['no', 'yes']
    >>> model.predict([[2.0, 1.0], [-1.0, -2.0]]).tolist()
    ['yes', 'no']
    >>> bool(model.score(X, y) > 0.95)
    True
    >>> model.predict_proba([[2.0, 1.0]]).round(2).sum()
    np.float64(1.0)

    River-style, one dict at a time:

    >>> online = SGDClassifier(random_state=0)
    >>> for xi, yi in zip(X[:200], y[:200]):
    ...     online.learn_one({"a": xi[0], "b": xi[1]}, yi)
    >>> online.predict_one({"a": 2.0, "b": 1.0})
    'yes'
    """

    _name = "SGDClassifier"

    def __init__(
        self,
        loss: str = "log_loss",
        *,
        penalty: str | None = "l2",
        alpha: float = 1e-4,
        l1_ratio: float = 0.15,
        fit_intercept: bool = True,
        max_iter: int = 1000,
        tol: float | None = 1e-3,
        shuffle: bool = True,
        random_state: RandomStateLike = None,
        learning_rate: str = "optimal",
        eta0: float = 0.01,
        power_t: float = 0.5,
        n_iter_no_change: int = 5,
        average: bool = True,
        multi_class: str = "multinomial",
        standardize: bool = True,
    ) -> None:
        self.loss = loss
        self.penalty = penalty
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol
        self.shuffle = shuffle
        self.random_state = random_state
        self.learning_rate = learning_rate
        self.eta0 = eta0
        self.power_t = power_t
        self.n_iter_no_change = n_iter_no_change
        self.average = average
        self.multi_class = multi_class
        self.standardize = standardize

    def _engine_from_bytes(self, state: bytes) -> _core.SgdEngine:
        return _core.SgdEngine.from_bytes(state)

    def _settings(self) -> dict[str, Any]:
        check_choice("loss", self.loss, {"log_loss"})
        if self.penalty not in PENALTIES:
            raise ValueError(
                f"penalty must be one of 'l2', 'l1', 'elasticnet' or None, got {self.penalty!r}"
            )
        check_choice("learning_rate", self.learning_rate, LEARNING_RATES)
        check_choice("multi_class", self.multi_class, MULTI_CLASS)
        alpha = check_real("alpha", self.alpha, low=0.0)
        l1_ratio = check_real("l1_ratio", self.l1_ratio, low=0.0, high=1.0)
        if self.learning_rate == "optimal" and alpha == 0.0:
            raise ValueError("alpha must be > 0 with learning_rate='optimal'")
        eta0 = check_real("eta0", self.eta0, low=0.0, low_open=self.learning_rate != "optimal")
        check_int("max_iter", self.max_iter, low=1)
        return dict(
            multi_class=self.multi_class,
            alpha=alpha,
            l1_ratio={"l2": 0.0, "l1": 1.0, "elasticnet": l1_ratio, None: 0.0}[self.penalty],
            penalize=self.penalty is not None,
            fit_intercept=check_bool("fit_intercept", self.fit_intercept),
            learning_rate=self.learning_rate,
            eta0=eta0,
            power_t=check_real("power_t", self.power_t),
            shuffle=check_bool("shuffle", self.shuffle),
            standardize=check_bool("standardize", self.standardize),
            average=check_bool("average", self.average),
            tol=check_real("tol", self.tol, allow_none=True),
            n_iter_no_change=check_int(
                "n_iter_no_change", self.n_iter_no_change, low=1, high=2**32 - 1
            ),
        )

    def _make_engine(
        self, settings: dict[str, Any], n_classes: int, n_features: int, seed: int
    ) -> _core.SgdEngine:
        return _core.SgdEngine(n_classes=n_classes, n_features=n_features, seed=seed, **settings)

    def _fit_engine(
        self,
        engine: _core.SgdEngine,
        X: npt.NDArray[np.floating],
        y_index: npt.NDArray[np.int64],
    ) -> TrainingInfo:
        return engine.fit(X, y_index, check_int("max_iter", self.max_iter, low=1))

    def _publish(self, engine: _core.SgdEngine, info: TrainingInfo) -> None:
        coef, intercept = engine.coefficients()
        self.coef_ = coef
        self.intercept_ = intercept
        self.n_iter_ = int(info[0])
        self.loss_ = float(info[1])
        self.t_ = float(engine.updates())

    def decision_function(self, X: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """Scores ``X @ coef_.T + intercept_``: shape (n_samples,) for two classes (the score
        of ``classes_[1]``), else (n_samples, n_classes)."""
        X = self._checked_input(X)
        scores = self._engine.decision_function(X)
        return scores[:, 0] if scores.shape[1] == 1 else scores

    def predict_proba(self, X: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """Class probabilities, shape (n_samples, n_classes): the softmax of the scores
        (multinomial), the sigmoid (two classes), or the normalised per-class sigmoids
        (one-vs-rest, as scikit-learn)."""
        X = self._checked_input(X)
        return self._engine.predict_proba(X)

    def predict(self, X: npt.ArrayLike) -> npt.NDArray[Any]:
        """The class with the highest score for each row of ``X``."""
        scores = self.decision_function(X)
        if scores.ndim == 1:
            return self.classes_[(scores > 0).astype(np.intp)]
        predicted: npt.NDArray[Any] = self.classes_[np.argmax(scores, axis=1)]
        return predicted
