"""Input checks shared by the classifiers, with scikit-learn's error conventions.

Features become a 2-D, C-contiguous ``float32`` or ``float64`` array: such an array is used as
it is (the Rust engine reads it in place); any other input (lists, other dtypes, Fortran order,
strided views, memmaps of another dtype) is converted **once**, to ``float64`` unless it already
is ``float32``. Labels are mapped to class indices with :func:`numpy.unique`, as scikit-learn
does, so any sortable hashable labels work (ints, strings, ...).
"""

from __future__ import annotations

import math
import numbers
import sys
import warnings
from collections.abc import Collection
from typing import Any, Literal, TypeVar, overload

import numpy as np
import numpy.typing as npt

_T = TypeVar("_T")

#: What ``random_state`` accepts (see :func:`check_seed`).
RandomStateLike = int | np.random.RandomState | np.random.Generator | None


class DataConversionWarning(UserWarning):
    """An input was converted (e.g. a column-vector ``y`` was flattened)."""


class NotFittedError(ValueError, AttributeError):
    """The estimator is used before ``fit`` (a ``ValueError`` and an ``AttributeError``, as
    scikit-learn's ``NotFittedError``)."""


_FLAVOURED: dict[type, type] = {}


def sklearn_flavoured(cls: type[_T], *, import_sklearn: bool = False) -> type[_T]:
    """``cls``, or when scikit-learn is already imported in this process, a subclass of both
    ``cls`` and scikit-learn's class of the same name, so that code catching scikit-learn's
    ``NotFittedError`` (or filtering its ``DataConversionWarning``) sees ours. scikit-learn is
    not imported for this (it costs most of a second and is not a dependency) unless
    ``import_sklearn``. The subclass is a module attribute (``_SklearnNotFittedError``), so
    its instances pickle."""
    if "sklearn" not in sys.modules and not import_sklearn:
        return cls
    if cls not in _FLAVOURED:
        try:
            import sklearn.exceptions as sklearn_exceptions
        except ImportError:  # pragma: no cover - depends on the environment
            return cls
        theirs: type | None = getattr(sklearn_exceptions, cls.__name__, None)
        if theirs is None:  # pragma: no cover - a scikit-learn without the class
            return cls
        name = f"_Sklearn{cls.__name__}"
        both = type(name, (cls, theirs), {"__module__": __name__, "__doc__": cls.__doc__})
        globals()[name] = both
        _FLAVOURED[cls] = both
    return _FLAVOURED[cls]


def __getattr__(name: str) -> type:
    # Unpickling an error raised where scikit-learn was loaded, in a process where it is not.
    cls: type
    for cls in (NotFittedError, DataConversionWarning):
        if name == f"_Sklearn{cls.__name__}":
            flavoured = sklearn_flavoured(cls, import_sklearn=True)
            if flavoured is not cls:
                return flavoured
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_RESHAPE_ADVICE = (
    "Reshape your data either using array.reshape(-1, 1) if your data has a single feature "
    "or array.reshape(1, -1) if it contains a single sample."
)


def _is_sparse(X: object) -> bool:
    module = type(X).__module__ or ""
    return module.startswith("scipy.sparse") or (hasattr(X, "tocsr") and hasattr(X, "nnz"))


def check_features(X: npt.ArrayLike, *, estimator: str) -> npt.NDArray[np.floating]:
    """``X`` as a 2-D C-contiguous float32/float64 array (see the module docstring)."""
    if X is None:
        raise ValueError(f"{estimator} needs an array-like X, got None")
    if _is_sparse(X):
        raise TypeError(
            f"{estimator} does not support sparse input; convert X with X.toarray() first"
        )
    if not isinstance(X, np.ndarray):
        try:
            X = np.asarray(X)
        except (TypeError, ValueError) as error:
            raise ValueError(f"X cannot be converted to a numeric array: {error}") from None
    if np.iscomplexobj(X):
        raise ValueError("Complex data not supported: X has a complex dtype")
    if X.ndim != 2:
        if X.ndim < 2:
            raise ValueError(
                f"Expected 2D array, got {X.ndim}D array instead: shape {X.shape}. "
                + _RESHAPE_ADVICE
            )
        raise ValueError(f"Expected 2D array, got {X.ndim}D array with shape {X.shape}")
    if X.dtype.kind not in "fiub":
        try:
            X = X.astype(np.float64)
        except (TypeError, ValueError) as error:
            # The same exception type as NumPy's (and scikit-learn's), with NumPy's reason.
            raise type(error)(
                f"X must contain numbers, but its dtype {X.dtype} cannot be converted to "
                f"float64: {error}"
            ) from None
    if X.shape[0] == 0:
        raise ValueError(
            f"Found array with 0 sample(s) (shape={X.shape}) while a minimum of 1 is required."
        )
    if X.shape[1] == 0:
        raise ValueError(
            f"Found array with 0 feature(s) (shape={X.shape}) while a minimum of 1 is required."
        )
    dtype = X.dtype if X.dtype in (np.float32, np.float64) else np.float64
    return np.ascontiguousarray(X, dtype=dtype)


def check_targets(y: npt.ArrayLike, n_samples: int) -> npt.NDArray[Any]:
    """``y`` as a 1-D array of labels, one per sample (a column vector is flattened, with a
    ``DataConversionWarning`` as in scikit-learn)."""
    if y is None:
        raise ValueError("requires y to be passed, but the target y is None")
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        warnings.warn(
            "A column-vector y was passed when a 1d array was expected. Please change the "
            "shape of y to (n_samples, ), for example using ravel().",
            sklearn_flavoured(DataConversionWarning),
            stacklevel=3,
        )
        y = y.ravel()
    if y.ndim != 1:
        raise ValueError(f"y should be a 1d array, got an array of shape {y.shape} instead.")
    if y.shape[0] != n_samples:
        raise ValueError(
            "Found input variables with inconsistent numbers of samples: "
            f"[{n_samples}, {y.shape[0]}]"
        )
    if y.dtype.kind == "c":
        raise ValueError("Complex data not supported: y has a complex dtype")
    if y.dtype.kind == "f":
        if not np.isfinite(y).all():
            raise ValueError("Input y contains NaN or infinity.")
        if np.any(y != np.round(y)):
            raise ValueError(
                "Unknown label type: continuous. Maybe you are trying to fit a classifier, "
                "which expects discrete classes on a regression target with continuous values."
            )
    if y.dtype == object and any(_is_nan(value) for value in y):
        raise ValueError("Input y contains NaN.")
    return y


def _is_nan(label: object) -> bool:
    """Whether a label is a real NaN (a float, a NumPy float, a Decimal...)."""
    if not isinstance(label, numbers.Real) or isinstance(label, numbers.Integral):
        return False
    try:
        return math.isnan(label)
    except OverflowError:  # a finite Fraction or Decimal too large for a float
        return False


def unique_labels(y: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """The sorted distinct labels of ``y``."""
    try:
        return np.unique(y)
    except TypeError as error:
        raise TypeError(
            f"the labels of y cannot be sorted ({error}); use labels of one type"
        ) from None


def encode_labels(y: npt.NDArray[Any], classes: npt.NDArray[Any]) -> npt.NDArray[np.int64]:
    """Class indices (int64) of the labels ``y`` in the sorted ``classes``."""
    try:
        index = np.searchsorted(classes, y)
    except TypeError as error:
        raise TypeError(f"labels of y cannot be compared with classes_ ({error})") from None
    index = np.clip(index, 0, len(classes) - 1)
    unseen = classes[index] != y
    if np.any(unseen):
        missing = np.unique(np.asarray(y)[unseen])
        raise ValueError(
            f"y contains labels that are not in classes_ {classes.tolist()!r}: "
            f"{missing[:10].tolist()!r}; pass every class with classes= on the first call "
            "to partial_fit"
        )
    return np.ascontiguousarray(index, dtype=np.int64)


def check_classes(y: npt.NDArray[Any], classes: npt.ArrayLike | None = None) -> npt.NDArray[Any]:
    """The classes of a first fit: ``classes`` when given (it must cover ``y``), else the
    labels of ``y``; at least two."""
    if classes is not None:
        found = unique_labels(np.asarray(classes))
        if len(found) != len(np.asarray(classes).ravel()):
            raise ValueError(f"classes contains duplicates: {classes!r}")
        encode_labels(y, found)  # every label of y must be a class
    else:
        found = unique_labels(y)
    if len(found) < 2:
        what = repr(found[0]) if len(found) else "none"
        raise ValueError(
            "the classifier needs samples of at least 2 classes, but the data contains only "
            f"one class: {what}"
        )
    return found


def check_seed(random_state: object) -> int:
    """A 64-bit seed from ``random_state``: None (fresh entropy), an int, or a
    ``numpy.random.RandomState``/``Generator`` (one draw from it)."""
    if random_state is None:
        return int(np.random.SeedSequence().generate_state(1, dtype=np.uint64)[0])
    if isinstance(random_state, (bool, np.bool_)):
        raise TypeError(
            f"random_state must be None, an int or a numpy random generator, got {random_state!r}"
        )
    if isinstance(random_state, numbers.Integral):
        value = int(random_state)
        if not 0 <= value < 2**64:
            raise ValueError(f"random_state must be in [0, 2**64), got {value}")
        return value
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(0, 2**32, dtype=np.uint64))
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(0, 2**64, dtype=np.uint64))
    raise TypeError(
        "random_state must be None, an int or a numpy.random.RandomState/Generator, got "
        f"{type(random_state).__name__}"
    )


def check_choice(name: str, value: object, allowed: Collection[str]) -> None:
    if not isinstance(value, str) or value not in allowed:
        raise ValueError(f"{name} must be one of {sorted(allowed)!r}, got {value!r}")


def check_bool(name: str, value: object) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a bool, got {type(value).__name__}")
    return bool(value)


@overload
def check_real(
    name: str,
    value: object,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
    allow_none: Literal[False] = False,
) -> float: ...
@overload
def check_real(
    name: str,
    value: object,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
    allow_none: bool,
) -> float | None: ...
def check_real(
    name: str,
    value: object,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
    allow_none: bool = False,
) -> float | None:
    if value is None and allow_none:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    value = float(value)
    bad = not math.isfinite(value)
    if low is not None:
        bad = bad or value < low or (low_open and value == low)
    if high is not None:
        bad = bad or value > high or (high_open and value == high)
    if bad:
        lo = "-inf" if low is None else f"{low}"
        hi = "inf" if high is None else f"{high}"
        opening = "(" if low_open or low is None else "["
        closing = ")" if high_open or high is None else "]"
        interval = f"{opening}{lo}, {hi}{closing}"
        raise ValueError(f"{name} must be finite and in {interval}, got {value!r}")
    return value


def check_int(name: str, value: object, *, low: int, high: int | None = None) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    value = int(value)
    if value < low or (high is not None and value > high):
        bound = f">= {low}" if high is None else f"in [{low}, {high}]"
        raise ValueError(f"{name} must be an int {bound}, got {value}")
    return value
