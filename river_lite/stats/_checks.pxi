# Included by every Cython statistics module: input checks and pickled-state helpers, written
# once. (An include rather than a cimported module keeps each extension self-contained.)

import operator

# The version of the pickled state of every class; bump on a layout change. 2: Var, Skew and
# Kurtosis keep the low part of their double-double mean (mean_lo).
STATE_VERSION = 2


cdef inline int _check_finite(double x) except -1:
    if not isfinite(x):
        raise ValueError(f"x is {x}: NaN and infinite values are rejected")
    return 0


cdef const double[::1] _finite_vector(values) except *:
    """A 1-D float array-like as a contiguous float64 view (no copy when it already is one),
    after checking every value is finite, so a rejected batch changes nothing."""
    cdef const double[::1] view = _float_vector(values)
    if _count_non_finite(view):
        _reject_non_finite(view)
    return view


cdef const double[::1] _float_vector(values) except *:
    """A 1-D array-like of real numbers (or an iterator of them) as a contiguous float64
    view, unchecked: the caller must reject non-finite values (``_reject_non_finite``) before
    changing any state. Arrays of text, complex numbers or dates are a TypeError naming
    ``values`` (NumPy would parse, truncate or count them); Python objects are read one by
    one as ``update(x)`` reads ``x``."""
    if isinstance(values, (str, bytes, bytearray, dict)):
        raise TypeError(
            f"values must be a 1-D array-like of real numbers, got {type(values).__name__}"
        )
    if hasattr(values, "__next__"):  # a generator or another iterator: read it once
        values = list(values)
    try:
        array = np.asarray(values)
    except ValueError as error:  # ragged nesting
        raise ValueError(f"values must be a 1-D array-like of real numbers ({error})") from None
    if array.dtype.kind == "O":
        array = _real_array(array)
    elif array.dtype.kind not in "biuf":  # bool, int, unsigned, float: read as float64
        raise TypeError(f"values must be a 1-D array-like of real numbers, got dtype {array.dtype}")
    if array.ndim != 1:
        raise ValueError(f"values must be a 1-D array, got shape {array.shape}")
    return np.ascontiguousarray(array, dtype=np.float64)


cdef object _real_array(object items):
    """A 1-D object array as float64, each item converted as a ``double`` argument is (numbers
    and objects with ``__float__``/``__index__``); other shapes are returned as they are, for
    the caller to report."""
    if items.ndim != 1:
        return items
    cdef Py_ssize_t i, n = items.shape[0]
    result = np.empty(n)
    cdef double[::1] out = result
    for i in range(n):
        try:
            out[i] = items[i]
        except (TypeError, ValueError) as error:
            raise TypeError(f"values[{i}] must be a real number ({error})") from None
        except OverflowError as error:
            raise OverflowError(f"values[{i}] is too large for a float ({error})") from None
    return result


cdef Py_ssize_t _check_window_size(object window_size, Py_ssize_t largest) except 0:
    """``window_size`` as a number in [1, largest], or the ValueError that names it. NumPy
    integers are integers; bools, floats and arrays are not."""
    cdef object size = _integer_or_none(window_size)
    if size is None or not 1 <= size <= largest:
        raise ValueError(
            f"window_size must be an integer >= 1 and <= {largest}, got {window_size!r}"
        )
    return size


cdef object _integer_or_none(object value):
    """``value`` as a Python int when it is an integer (NumPy's included, bools not), else None."""
    if isinstance(value, (bool, np.bool_)) or isinstance(value, np.ndarray):
        return None
    try:
        return operator.index(value)
    except TypeError:
        return None


cdef int _reject_non_finite(const double[::1] xs) except -1:
    """Raises ValueError naming the first NaN or infinite value, if there is one."""
    cdef Py_ssize_t i
    for i in range(xs.shape[0]):
        if not isfinite(xs[i]):
            raise ValueError(f"values[{i}] is {xs[i]}: NaN and infinite values are rejected")
    return 0


cdef Py_ssize_t _count_non_finite(const double[::1] xs) noexcept nogil:
    # x - x is 0 for a finite x and NaN otherwise; a branch-free count the compiler vectorises.
    cdef Py_ssize_t i, bad = 0
    for i in range(xs.shape[0]):
        bad += (xs[i] - xs[i]) != 0.0
    return bad


cdef tuple _unpack_state(object state, str kind, int n_fields):
    """Checks a pickled state ``(kind, version, *fields)`` and returns the fields."""
    if not isinstance(state, tuple) or len(state) != n_fields + 2:
        raise ValueError(f"bad {kind} state: expected a tuple of {n_fields + 2} items")
    if state[0] != kind:
        raise ValueError(f"bad {kind} state: this is a state of {state[0]!r}")
    if state[1] != STATE_VERSION:
        raise ValueError(
            f"bad {kind} state: format version {state[1]!r}, this build reads {STATE_VERSION}"
        )
    return state[2:]


cdef double _state_float(object value, str kind, str field) except? -1.0:
    if not isinstance(value, (float, int)) or isinstance(value, bool):
        raise ValueError(f"bad {kind} state: {field} must be a number, got {value!r}")
    if not isfinite(value):
        raise ValueError(f"bad {kind} state: {field} must be finite, got {value!r}")
    return value


cdef double _state_count(object value, str kind) except? -1.0:
    cdef double n = _state_float(value, kind, "n")
    if n < 0 or n != <long long>n:
        raise ValueError(f"bad {kind} state: n must be a whole number >= 0, got {value!r}")
    return n


# Why some statistics refuse `+` and `-` (their __add__ and __sub__ raise these TypeErrors, so
# that the message says why instead of Python's "unsupported operand").
_WINDOW_NOT_MERGEABLE = (
    "it describes the last window_size values of one stream, and the windows of two streams "
    "do not make the window of their union"
)


cdef object _not_mergeable(object stat, str why):
    return TypeError(f"{type(stat).__name__} statistics cannot be merged or subtracted: {why}")


cdef str _describe(object stat, str params, object value):
    return f"{type(stat).__name__}({params}): {value!r}"


cdef int _running_flag(object running) except -1:
    """``update_many``'s ``running``: a bool (NumPy's ``bool_`` too), else a TypeError (an int
    or None is more likely a misplaced argument than a choice)."""
    if isinstance(running, (bool, np.bool_)):
        return 1 if running else 0
    raise TypeError(f"running must be a bool, got {running!r}")


cdef object _running_output(Py_ssize_t n):
    """The array ``update_many(values, running=True)`` returns: float64, allocated once,
    before any state changes (so a MemoryError changes nothing)."""
    return np.empty(n, dtype=np.float64)
