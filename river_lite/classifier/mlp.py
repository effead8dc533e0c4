"""``MLPClassifier``: a small feed-forward network trained in Rust."""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import numpy.typing as npt

from .._native import load
from ._base import BaseClassifier, TrainingInfo
from ._validation import RandomStateLike, check_bool, check_choice, check_int, check_real

if TYPE_CHECKING:
    from .. import _core  # the stub, river_lite/_core.pyi, for the type checker
else:
    _core = load("_core")


class MLPClassifier(BaseClassifier["_core.MlpEngine"]):
    """Multi-layer perceptron classifier (ReLU, dropout, log-softmax + NLL), in Rust.

    The network is ``[Linear -> ReLU -> Dropout] * len(hidden_layer_sizes) -> Linear ->
    LogSoftmax``, trained on the negative log-likelihood by minibatch SGD with (Nesterov)
    momentum or Adam, with L2 weight decay ``alpha``. Dropout is active only while training
    (the network has a training and an evaluation mode). A scikit-learn-compatible estimator
    (parameters keep the names of scikit-learn's ``MLPClassifier``) that also learns one dict
    at a time, River-style.

    The network computes in ``float32``. ``X`` is read in place when it is a C-contiguous
    ``float32`` or ``float64`` array (rows are converted as each minibatch is gathered); other
    inputs are converted once. Each minibatch is split into fixed 64-row chunks that run in
    parallel threads with the GIL released; their gradients are summed in a fixed order, so a
    given ``random_state`` gives bit-identical models whatever the number of threads (on one
    kind of CPU: the matrix kernels pick FMA/AVX code by CPU).

    Parameters
    ----------
    hidden_layer_sizes : int or tuple of int, default=(100,)
        Width of each hidden layer (at least one).
    activation : {"relu"}, default="relu"
    solver : {"adam", "sgd"}, default="adam"
    alpha : float, default=1e-4
        L2 penalty (weight decay) on the weights, as scikit-learn: the loss of a minibatch of
        size ``b`` gains ``alpha / (2 b) * sum(W**2)``.
    batch_size : int or "auto", default="auto"
        ``"auto"`` is ``min(200, n_samples)``.
    learning_rate : {"constant"}, default="constant"
        The only schedule (scikit-learn's ``invscaling``/``adaptive`` are not implemented).
    learning_rate_init : float, default=1e-3
    max_iter : int, default=200
        Maximum number of epochs of ``fit``.
    shuffle : bool, default=True
    random_state : int, numpy.random.RandomState or None, default=None
        Seeds the initial weights, the shuffling, the dropout masks and the validation split.
    tol : float or None, default=1e-4
        ``fit`` stops when the training loss (or, with ``early_stopping``, the validation
        accuracy) has not improved by ``tol`` for ``n_iter_no_change`` epochs.
    momentum : float, default=0.9
        For ``solver="sgd"``.
    nesterovs_momentum : bool, default=True
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the rows, stop on their accuracy and keep the
        weights of the best epoch.
    validation_fraction : float, default=0.1
    beta_1, beta_2, epsilon : float, default=0.9, 0.999, 1e-8
        Adam's constants.
    n_iter_no_change : int, default=10
    dropout : float, default=0.0
        Probability of dropping each hidden unit during training (not in scikit-learn).
    standardize : bool, default=False
        Scale each feature to zero mean and unit variance before the network (learned by
        ``fit`` from ``X``, by ``partial_fit`` from all rows seen); ``coefs_[0]`` then acts on
        the scaled features. Not in scikit-learn. Off by default, as scikit-learn's network
        sees the raw features: turn it on for features of very different scales; leave it off
        when the scale carries information (on the make_classification benchmark, where the
        informative features have 4x the spread of the others, scaling costs 1.3 points
        after 5 epochs; on digits it makes no difference).

    Attributes
    ----------
    classes_, n_features_in_
    coefs_ : list of ndarray
        Weights of each layer, shape (inputs, outputs), float32.
    intercepts_ : list of ndarray
    layers_ : list of str
        The network, e.g. ``['Linear(64 -> 100)', 'ReLU', 'Linear(100 -> 10)', 'LogSoftmax']``.
    n_iter_ : int
    loss_ : float
    loss_curve_ : list of float
    validation_scores_ : list of float or None
    best_validation_score_ : float or None
    t_ : int
        Training samples seen.
    n_layers_ : int
    n_outputs_ : int
    out_activation_ : "softmax"

    Examples
    --------
    >>> import numpy as np
    >>> from river_lite.classifier import MLPClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(400, 2))
    >>> y = (np.hypot(X[:, 0], X[:, 1]) > 1.2).astype(int)  # a circle: not linear
    >>> model = MLPClassifier(hidden_layer_sizes=(32,), max_iter=300, random_state=0).fit(X, y)
    >>> model.layers_
    ['Linear(2 -> 32)', 'ReLU', 'Linear(32 -> 2)', 'LogSoftmax']
    >>> bool(model.score(X, y) > 0.95)
    True
    >>> model.predict([[0.0, 0.0], [2.0, 2.0]]).tolist()
    [0, 1]
    """

    _name = "MLPClassifier"

    def __init__(
        self,
        hidden_layer_sizes: int | Sequence[int] = (100,),
        activation: str = "relu",
        *,
        solver: str = "adam",
        alpha: float = 1e-4,
        batch_size: int | str = "auto",
        learning_rate: str = "constant",
        learning_rate_init: float = 1e-3,
        max_iter: int = 200,
        shuffle: bool = True,
        random_state: RandomStateLike = None,
        tol: float | None = 1e-4,
        momentum: float = 0.9,
        nesterovs_momentum: bool = True,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        n_iter_no_change: int = 10,
        dropout: float = 0.0,
        standardize: bool = False,
    ) -> None:
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.dropout = dropout
        self.standardize = standardize

    def _engine_from_bytes(self, state: bytes) -> _core.MlpEngine:
        return _core.MlpEngine.from_bytes(state)

    def _hidden(self) -> list[int]:
        sizes: object = self.hidden_layer_sizes  # checked here: any object may have been set
        if not isinstance(sizes, bool) and isinstance(sizes, numbers.Integral):
            sizes = [sizes]
        try:
            sizes = list(cast("Iterable[object]", sizes))  # list() itself refuses the rest
        except TypeError:
            raise TypeError(
                f"hidden_layer_sizes must be an int or a sequence of ints, got {sizes!r}"
            ) from None
        if not sizes:
            raise ValueError("hidden_layer_sizes must name at least one hidden layer")
        return [check_int("hidden_layer_sizes[i]", s, low=1, high=2**31) for s in sizes]

    def _settings(self) -> dict[str, Any]:
        check_choice("activation", self.activation, {"relu"})
        check_choice("solver", self.solver, {"adam", "sgd"})
        check_choice("learning_rate", self.learning_rate, {"constant"})
        if isinstance(self.batch_size, str):
            check_choice("batch_size", self.batch_size, {"auto"})
            batch_size = 0
        else:
            batch_size = check_int("batch_size", self.batch_size, low=1)
        check_int("max_iter", self.max_iter, low=1)
        return dict(
            hidden=self._hidden(),
            dropout=check_real("dropout", self.dropout, low=0.0, high=1.0, high_open=True),
            solver=self.solver,
            alpha=check_real("alpha", self.alpha, low=0.0),
            batch_size=batch_size,
            learning_rate_init=check_real(
                "learning_rate_init", self.learning_rate_init, low=0.0, low_open=True
            ),
            momentum=check_real("momentum", self.momentum, low=0.0, high=1.0),
            nesterov=check_bool("nesterovs_momentum", self.nesterovs_momentum),
            beta_1=check_real("beta_1", self.beta_1, low=0.0, high=1.0, high_open=True),
            beta_2=check_real("beta_2", self.beta_2, low=0.0, high=1.0, high_open=True),
            epsilon=check_real("epsilon", self.epsilon, low=0.0, low_open=True),
            shuffle=check_bool("shuffle", self.shuffle),
            standardize=check_bool("standardize", self.standardize),
            tol=check_real("tol", self.tol, allow_none=True),
            n_iter_no_change=check_int(
                "n_iter_no_change", self.n_iter_no_change, low=1, high=2**32 - 1
            ),
            early_stopping=check_bool("early_stopping", self.early_stopping),
            validation_fraction=check_real(
                "validation_fraction",
                self.validation_fraction,
                low=0.0,
                high=1.0,
                low_open=True,
                high_open=True,
            ),
        )

    def _make_engine(
        self, settings: dict[str, Any], n_classes: int, n_features: int, seed: int
    ) -> _core.MlpEngine:
        return _core.MlpEngine(n_classes=n_classes, n_features=n_features, seed=seed, **settings)

    def _fit_engine(
        self,
        engine: _core.MlpEngine,
        X: npt.NDArray[np.floating],
        y_index: npt.NDArray[np.int64],
    ) -> TrainingInfo:
        n_iter, loss, _converged = engine.fit(
            X, y_index, check_int("max_iter", self.max_iter, low=1)
        )
        return n_iter, loss

    def _publish(self, engine: _core.MlpEngine, info: TrainingInfo) -> None:
        parameters = engine.parameters()
        self.coefs_ = [w for w, _ in parameters]
        self.intercepts_ = [b for _, b in parameters]
        self.layers_ = engine.layers()
        self.n_iter_ = int(info[0])
        self.loss_ = float(info[1])
        self.loss_curve_ = engine.loss_curve()
        scores = engine.validation_scores()
        self.validation_scores_ = scores or None
        self.best_validation_score_ = engine.best_validation_score()
        self.t_ = int(engine.samples_seen())
        self.n_layers_ = len(parameters) + 1
        self.n_outputs_ = int(parameters[-1][1].shape[0])
        self.out_activation_ = "softmax"

    def predict_log_proba(self, X: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """Log-probabilities of the classes, shape (n_samples, n_classes), from the network's
        log-softmax output (evaluation mode: no dropout)."""
        X = self._checked_input(X)
        log_proba = self._engine.predict_log_proba(X)
        # The network normalises in float32; renormalise in float64 so that the
        # probabilities sum to 1 to double precision.
        peak = log_proba.max(axis=1, keepdims=True)
        log_proba -= peak + np.log(np.exp(log_proba - peak).sum(axis=1, keepdims=True))
        return log_proba

    def predict_proba(self, X: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """Class probabilities, shape (n_samples, n_classes)."""
        return np.exp(self.predict_log_proba(X))

    def predict(self, X: npt.ArrayLike) -> npt.NDArray[Any]:
        """The most probable class of each row of ``X``."""
        X = self._checked_input(X)
        # The network's own log-probabilities rank the classes: no renormalisation needed.
        predicted: npt.NDArray[Any] = self.classes_[
            np.argmax(self._engine.predict_log_proba(X), axis=1)
        ]
        return predicted
