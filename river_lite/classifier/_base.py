"""What :class:`SGDClassifier` and :class:`MLPClassifier` share: scikit-learn's estimator
protocol (``get_params``/``set_params``, ``score``, tags, ``clone``-ability) implemented here so
that scikit-learn is not needed at run time, the fit / partial_fit flow around a Rust engine,
versioned pickling, and River-style learning from dicts.

The Rust engine object (``river_lite._core.SgdEngine`` / ``MlpEngine``) is an implementation
detail: the public classes are Python classes that own one, and pickle it as bytes.
"""

from __future__ import annotations

import inspect
from collections.abc import Hashable
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from typing_extensions import Self  # typing.Self from Python 3.11 on

from ._validation import (
    NotFittedError,
    RandomStateLike,
    check_classes,
    check_features,
    check_seed,
    check_targets,
    encode_labels,
    sklearn_flavoured,
    unique_labels,
)

#: Version of the pickled state of the Python classes (the engine bytes carry their own).
STATE_VERSION = 1


class _Engine(Protocol):
    """What this base class uses of a Rust engine (``_core.SgdEngine``, ``_core.MlpEngine``)."""

    def partial_fit(self, x: npt.NDArray[Any], y: npt.NDArray[np.int64]) -> float: ...
    def to_bytes(self) -> bytes: ...


EngineT = TypeVar("EngineT", bound=_Engine)
#: (epochs run, final loss) of a training call.
TrainingInfo = tuple[int, float]


class BaseClassifier(Generic[EngineT]):
    """Base of the river_lite classifiers (not public), owning one engine of type EngineT."""

    _estimator_type = "classifier"
    #: Public name used in messages.
    _name = "classifier"
    # Set by the subclasses' constructors (scikit-learn's protocol: parameters are attributes).
    random_state: RandomStateLike
    # The fitted state, set by fit / partial_fit / unpickling.
    _engine: EngineT
    _online: dict[str, Any]
    classes_: npt.NDArray[Any]
    n_features_in_: int

    # ------------------------------------------------------------------ estimator protocol
    @classmethod
    def _get_param_names(cls) -> list[str]:
        signature = inspect.signature(cls.__init__)
        return sorted(
            name
            for name, p in signature.parameters.items()
            if name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        )

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The constructor parameters, as given (scikit-learn's protocol)."""
        return {name: getattr(self, name) for name in self._get_param_names()}

    def set_params(self, **params: Any) -> Self:
        """Sets constructor parameters (validated at the next ``fit``); returns ``self``."""
        valid = self._get_param_names()
        for name, value in params.items():
            if name not in valid:
                raise ValueError(
                    f"Invalid parameter {name!r} for estimator {type(self).__name__}. "
                    f"Valid parameters are: {valid!r}."
                )
            setattr(self, name, value)
        return self

    def __repr__(self) -> str:
        defaults = {
            name: p.default for name, p in inspect.signature(type(self).__init__).parameters.items()
        }
        changed = []
        for name, value in self.get_params().items():
            default = defaults.get(name, inspect.Parameter.empty)
            try:
                same = value is default or bool(value == default)
            except (TypeError, ValueError):
                same = False
            if not same:
                changed.append(f"{name}={value!r}")
        return f"{type(self).__name__}({', '.join(changed)})"

    def __sklearn_tags__(self) -> Any:  # scikit-learn's Tags; scikit-learn is optional
        # Imported here: scikit-learn is optional, and only its own tooling calls this.
        from sklearn.utils import ClassifierTags, InputTags, Tags, TargetTags

        return Tags(
            estimator_type="classifier",
            target_tags=TargetTags(required=True),
            classifier_tags=ClassifierTags(),
            input_tags=InputTags(),
        )

    def __sklearn_is_fitted__(self) -> bool:
        return getattr(self, "_engine", None) is not None

    def _check_fitted(self) -> None:
        if getattr(self, "_engine", None) is None:
            raise sklearn_flavoured(NotFittedError)(
                f"This {type(self).__name__} instance is not fitted yet. Call 'fit' with "
                "appropriate arguments before using this estimator."
            )

    # ------------------------------------------------------------------ training flow
    def _settings(self) -> dict[str, Any]:  # pragma: no cover - abstract
        """Validated engine keyword arguments from the constructor parameters."""
        raise NotImplementedError

    def _make_engine(
        self, settings: dict[str, Any], n_classes: int, n_features: int, seed: int
    ) -> EngineT:
        raise NotImplementedError  # pragma: no cover - abstract

    def _fit_engine(
        self, engine: EngineT, X: npt.NDArray[np.floating], y_index: npt.NDArray[np.int64]
    ) -> TrainingInfo:
        raise NotImplementedError  # pragma: no cover - abstract

    def _engine_from_bytes(self, state: bytes) -> EngineT:
        raise NotImplementedError  # pragma: no cover - abstract

    def _publish(self, engine: EngineT, info: TrainingInfo) -> None:
        """Sets the fitted attributes derived from the engine."""
        raise NotImplementedError  # pragma: no cover - abstract

    def fit(self, X: npt.ArrayLike, y: npt.ArrayLike) -> Self:
        """Trains a new model on ``X`` (n_samples, n_features) and labels ``y``; returns ``self``.

        A call that raises leaves a previously fitted model as it was.
        """
        X = check_features(X, estimator=type(self).__name__)
        y = check_targets(y, X.shape[0])
        settings = self._settings()
        classes = check_classes(y)
        y_index = encode_labels(y, classes)
        engine = self._make_engine(
            settings, len(classes), X.shape[1], check_seed(self.random_state)
        )
        info = self._fit_engine(engine, X, y_index)
        self._install(engine, classes, X.shape[1], info)
        return self

    def partial_fit(
        self, X: npt.ArrayLike, y: npt.ArrayLike, classes: npt.ArrayLike | None = None
    ) -> Self:
        """One epoch over ``X`` and ``y``, continuing the current model; returns ``self``.

        The first call fixes the classes: ``classes`` when given (it must include every label
        of ``y``), else the labels of this first ``y`` (at least two). Later calls may only use
        those labels. Hyperparameters are read on the first call (or at ``fit``).
        A call that raises leaves the model as it was.
        """
        X = check_features(X, estimator=type(self).__name__)
        y = check_targets(y, X.shape[0])
        engine: EngineT | None = getattr(self, "_engine", None)
        if engine is None:
            settings = self._settings()
            found = check_classes(y, classes)
            y_index = encode_labels(y, found)
            engine = self._make_engine(
                settings, len(found), X.shape[1], check_seed(self.random_state)
            )
            loss = engine.partial_fit(X, y_index)
            self._install(engine, found, X.shape[1], (1, loss))
            return self
        if classes is not None and not np.array_equal(
            unique_labels(np.asarray(classes)), self.classes_
        ):
            raise ValueError(
                f"classes={classes!r} differs from the classes of the first call, "
                f"{self.classes_.tolist()!r}"
            )
        self._check_n_features(X)
        y_index = encode_labels(y, self.classes_)
        loss = engine.partial_fit(X, y_index)
        self._publish(engine, (getattr(self, "n_iter_", 0) + 1, loss))
        return self

    def _install(
        self, engine: EngineT, classes: npt.NDArray[Any], n_features: int, info: TrainingInfo
    ) -> None:
        self._publish(engine, info)  # may raise: nothing is assigned before it succeeded
        self._engine = engine
        self.classes_ = classes
        self.n_features_in_ = n_features

    def _check_n_features(self, X: npt.NDArray[Any]) -> None:
        if X.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {X.shape[1]} features, but {type(self).__name__} is expecting "
                f"{self.n_features_in_} features as input"
            )

    def _checked_input(self, X: npt.ArrayLike) -> npt.NDArray[np.floating]:
        self._check_fitted()
        X = check_features(X, estimator=type(self).__name__)
        self._check_n_features(X)
        return X

    # ------------------------------------------------------------------ prediction
    def predict_proba(self, X: npt.ArrayLike) -> npt.NDArray[np.float64]:  # pragma: no cover
        raise NotImplementedError  # abstract

    def predict(self, X: npt.ArrayLike) -> npt.NDArray[Any]:
        """The most probable class of each row of ``X``."""
        proba = self.predict_proba(X)
        predicted: npt.NDArray[Any] = self.classes_[np.argmax(proba, axis=1)]
        return predicted

    def predict_log_proba(self, X: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """Logarithm of :meth:`predict_proba`."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def score(
        self, X: npt.ArrayLike, y: npt.ArrayLike, sample_weight: npt.ArrayLike | None = None
    ) -> float:
        """Mean accuracy of :meth:`predict` on ``X`` against ``y`` (weighted when
        ``sample_weight`` is given)."""
        predicted = self.predict(X)
        y = check_targets(y, predicted.shape[0])
        hits = (predicted == y).astype(np.float64)
        if sample_weight is None:
            return float(hits.mean())
        return float(np.average(hits, weights=np.asarray(sample_weight, dtype=np.float64)))

    # ------------------------------------------------------------------ pickling
    def __getstate__(self) -> dict[str, Any]:
        engine: EngineT | None = getattr(self, "_engine", None)
        return {
            "kind": type(self).__name__,
            "version": STATE_VERSION,
            "params": self.get_params(),
            "attributes": {
                key: value
                for key, value in self.__dict__.items()
                if key.endswith("_") and not key.startswith("_")
            },
            "engine": None if engine is None else engine.to_bytes(),
            "online": getattr(self, "_online", None),
        }

    def __setstate__(self, state: object) -> None:
        kind = type(self).__name__
        if not isinstance(state, dict) or state.get("kind") != kind:
            raise ValueError(f"cannot restore a {kind}: not a pickled {kind} state")
        if state.get("version") != STATE_VERSION:
            raise ValueError(
                f"cannot restore a {kind}: state version {state.get('version')!r}, this "
                f"version reads {STATE_VERSION}"
            )
        params, attributes = state.get("params"), state.get("attributes")
        if not isinstance(params, dict) or set(params) != set(self._get_param_names()):
            raise ValueError(f"cannot restore a {kind}: its parameters are missing or unknown")
        if not isinstance(attributes, dict) or not all(
            isinstance(k, str) and k.endswith("_") and not k.startswith("_") for k in attributes
        ):
            raise ValueError(f"cannot restore a {kind}: corrupt fitted attributes")
        engine_bytes = state.get("engine")
        engine = None
        if engine_bytes is not None:
            if not isinstance(engine_bytes, bytes):
                raise ValueError(f"cannot restore a {kind}: corrupt engine state")
            engine = self._engine_from_bytes(engine_bytes)
            if "classes_" not in attributes or "n_features_in_" not in attributes:
                raise ValueError(f"cannot restore a {kind}: fitted attributes are missing")
        self.__dict__.clear()
        self.__dict__.update(params)
        self.__dict__.update(attributes)
        if engine is not None:
            self._engine = engine
        if state.get("online") is not None:
            self._online = state["online"]

    # ------------------------------------------------------------------ River-style use
    def _online_state(self) -> dict[str, Any]:
        online = getattr(self, "_online", None)
        if online is None:
            online = self._online = {"features": None, "pending_x": [], "pending_y": []}
        return online

    def _vector(
        self, x: dict[Hashable, Any], names: list[Hashable] | None = None
    ) -> npt.NDArray[np.float64]:
        """``x`` as a ``(1, n_features)`` row, its features in the order of ``names`` (default:
        the names the first ``learn_one`` fixed; after fitting on arrays, the dict's order)."""
        if not isinstance(x, dict):
            raise TypeError(f"x must be a dict of feature name -> number, got {type(x).__name__}")
        if names is None:
            online = getattr(self, "_online", None)
            names = online["features"] if online else None
        if names is None:
            if getattr(self, "_engine", None) is not None:
                # Fitted on arrays: the dict's values, in order, are the features.
                if len(x) != self.n_features_in_:
                    raise ValueError(
                        f"x has {len(x)} features, but {type(self).__name__} is expecting "
                        f"{self.n_features_in_} features as input"
                    )
                return np.asarray([[_feature_value(k, v) for k, v in x.items()]])
            names = list(x)
        known = set(names)
        unknown = [k for k in x if k not in known]
        if unknown:
            raise ValueError(
                f"x has features the model was not trained with: {unknown[:5]!r}; known "
                f"features: {names[:10]!r}{'...' if len(names) > 10 else ''}"
            )
        return np.asarray([[_feature_value(name, x.get(name, 0.0)) for name in names]])

    def learn_one(
        self, x: dict[Hashable, Any], y: object, *, classes: npt.ArrayLike | None = None
    ) -> None:
        """Learns from one sample given as a dict ``{feature: value}`` (River's API).

        The features are the keys of the first dict (a missing key later counts as 0; an
        unknown key raises ``ValueError``). The classes are fixed when the model is created:
        pass every label of the stream as ``classes`` on the first call; without it, samples
        are kept aside until two classes have been seen and the model is created with those
        two (later labels must be among them). Until then a label must be an int, a str or a
        whole float, all of one kind. A sample that raises is not kept.
        """
        if getattr(self, "_engine", None) is not None:
            self.partial_fit(self._vector(x), np.asarray([y]), classes=classes)
            return
        online = self._online_state()
        names = online["features"]
        if names is None:  # this first sample fixes the features
            sample: object = x  # the annotation is a promise the caller may not keep
            if not isinstance(sample, dict) or not sample:
                raise ValueError(f"x must be a non-empty dict of feature name -> number, got {x!r}")
            names = list(x)
        vector = self._vector(x, names)
        # Samples kept aside must pass every check partial_fit will make: one that fails
        # them, kept, would make every later call fail. So the label is reduced to a plain
        # Python value of a known kind (also a copy: a 0-d array could change later).
        if not np.isfinite(vector).all():
            bad = names[int(np.flatnonzero(~np.isfinite(vector[0]))[0])]
            raise ValueError(f"x[{bad!r}] is {x.get(bad)}: NaN and infinite values are rejected")
        label = _kept_label(y)
        pending_x, pending_y = [*online["pending_x"], vector[0]], [*online["pending_y"], label]
        if len({isinstance(kept, str) for kept in pending_y}) > 1:
            # NumPy would turn the numbers into strings.
            raise TypeError(
                f"y mixes strings and numbers: {pending_y[:10]!r}; use labels of one type"
            )
        labels = check_targets(pending_y, len(pending_y))
        if classes is not None or len(unique_labels(labels)) >= 2:
            self.partial_fit(np.vstack(pending_x), labels, classes=classes)
            pending_x, pending_y = [], []
        online["features"] = names
        online["pending_x"], online["pending_y"] = pending_x, pending_y

    def predict_proba_one(self, x: dict[Hashable, Any]) -> dict[Any, float]:
        """``{class: probability}`` for one sample; ``{}`` before anything was learned (River)."""
        if getattr(self, "_engine", None) is None:
            self._vector(x)
            return {}
        proba = self.predict_proba(self._vector(x))[0]
        return {label: float(p) for label, p in zip(self.classes_.tolist(), proba, strict=True)}

    def predict_one(self, x: dict[Hashable, Any]) -> Any:
        """The most probable class for one sample; ``None`` before anything was learned (River)."""
        proba = self.predict_proba_one(x)
        if not proba:
            return None
        return max(proba, key=proba.__getitem__)


def _feature_value(name: Hashable, value: Any) -> float:
    """One feature of a dict sample as a float: a number, not text or a sequence."""
    if isinstance(value, (str, bytes)):
        raise TypeError(f"x[{name!r}] must be a number, got {type(value).__name__}")
    try:
        return float(value)
    except (TypeError, ValueError) as error:
        raise TypeError(f"x[{name!r}] must be a number ({error})") from None
    except OverflowError:
        raise ValueError(f"x[{name!r}] is too large for a float: {value!r:.40}") from None


def _kept_label(y: object) -> int | str | float:
    """A label of a sample kept aside by ``learn_one``, as a plain Python int, str or whole
    float, or the error saying what a label must be."""
    if isinstance(y, np.ndarray) and y.ndim == 0:
        y = y[()]
    if isinstance(y, np.generic):
        y = y.item()
    if isinstance(y, float) and not y.is_integer():  # the right type with a wrong value
        raise ValueError(f"y must be one class label (an int, a str or a whole float), got {y!r}")
    if isinstance(y, (int, str, float)):
        return y
    raise TypeError(
        f"y must be one class label (an int, a str or a whole float), got {type(y).__name__}: {y!r}"
    )
