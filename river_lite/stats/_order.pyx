# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# cython: initializedcheck=False, freethreading_compatible=True
"""Order-based online statistics: Cython classes over the Rust engines.

The algorithms (P² quantiles, the O(log n) sorted window) are Rust, in ``rust_src/engine``.
The classes are Cython so that a per-value ``update(x)`` costs one cheap Cython method call
plus a direct call into Rust through the function table the Rust extension publishes as a
capsule (see ``rust_src/bindings/stats.rs``, which this declaration mirrors).

Signatures: each class's ``__init__`` repeats its ``__cinit__``'s parameters and does nothing
else. ``__cinit__`` does the work (it always runs, so an engine can never be missing), and
``__init__`` is there for Cython's ``embedsignature``, which writes its signature as the first
line of the class docstring for ``help()`` and the API docs (a test checks the defaults).

Thread safety: every method that touches an engine holds the object's critical section, so on
free-threaded Python concurrent calls on one instance are serialised instead of racing inside
Rust (with the GIL, critical sections compile to nothing and cost nothing).
"""

cimport cython
from cpython.pycapsule cimport PyCapsule_GetPointer
from cpython.pyport cimport PY_SSIZE_T_MAX
from libc.math cimport isfinite

import numpy as np

from .. import _core

include "../_build_info.pxi"
include "_checks.pxi"

cdef extern from *:
    """
    #include <stdbool.h>
    #include <stdint.h>
    typedef struct P2Quantile P2Quantile;
    typedef struct RollingWindow RollingWindow;
    typedef struct { unsigned char *data; size_t len; } OwnedBytes;
    typedef struct {
        size_t size;
        uint32_t version;
        void (*bytes_free)(OwnedBytes);
        P2Quantile *(*p2_new)(double);
        void (*p2_free)(P2Quantile *);
        void (*p2_update)(P2Quantile *, double);
        void (*p2_update_many)(P2Quantile *, const double *, size_t);
        bool (*p2_get)(const P2Quantile *, double *);
        OwnedBytes (*p2_encode)(const P2Quantile *);
        P2Quantile *(*p2_decode)(const unsigned char *, size_t, OwnedBytes *);
        RollingWindow *(*window_new)(size_t);
        void (*window_free)(RollingWindow *);
        void (*window_push)(RollingWindow *, double);
        void (*window_push_many)(RollingWindow *, const double *, size_t);
        bool (*window_quantile)(const RollingWindow *, double, double *);
        size_t (*window_size)(const RollingWindow *);
        OwnedBytes (*window_encode)(const RollingWindow *);
        RollingWindow *(*window_decode)(const unsigned char *, size_t, OwnedBytes *);
        void (*p2_update_pair)(P2Quantile *, P2Quantile *, double);
        void (*p2_update_pair_many)(P2Quantile *, P2Quantile *, const double *, size_t);
        void (*p2_update_many_running)(P2Quantile *, const double *, size_t, double *);
        void (*p2_update_pair_many_running)(
            P2Quantile *, P2Quantile *, const double *, size_t, double *);
        void (*window_push_many_quantile)(
            RollingWindow *, const double *, size_t, double, double *);
        void (*window_push_many_range)(
            RollingWindow *, const double *, size_t, double, double, double *);
    } StatsApi;
    """
    ctypedef struct P2Quantile
    ctypedef struct RollingWindow
    ctypedef struct OwnedBytes:
        unsigned char *data
        size_t len
    ctypedef struct StatsApi:
        size_t size
        unsigned int version
        void (*bytes_free)(OwnedBytes) noexcept nogil
        P2Quantile *(*p2_new)(double) noexcept nogil
        void (*p2_free)(P2Quantile *) noexcept nogil
        void (*p2_update)(P2Quantile *, double) noexcept nogil
        void (*p2_update_many)(P2Quantile *, const double *, size_t) noexcept nogil
        bint (*p2_get)(const P2Quantile *, double *) noexcept nogil
        OwnedBytes (*p2_encode)(const P2Quantile *) noexcept nogil
        P2Quantile *(*p2_decode)(const unsigned char *, size_t, OwnedBytes *) noexcept nogil
        RollingWindow *(*window_new)(size_t) noexcept nogil
        void (*window_free)(RollingWindow *) noexcept nogil
        void (*window_push)(RollingWindow *, double) noexcept nogil
        void (*window_push_many)(RollingWindow *, const double *, size_t) noexcept nogil
        bint (*window_quantile)(const RollingWindow *, double, double *) noexcept nogil
        size_t (*window_size)(const RollingWindow *) noexcept nogil
        OwnedBytes (*window_encode)(const RollingWindow *) noexcept nogil
        RollingWindow *(*window_decode)(const unsigned char *, size_t, OwnedBytes *) noexcept nogil
        void (*p2_update_pair)(P2Quantile *, P2Quantile *, double) noexcept nogil
        void (*p2_update_pair_many)(
            P2Quantile *, P2Quantile *, const double *, size_t) noexcept nogil
        void (*p2_update_many_running)(
            P2Quantile *, const double *, size_t, double *) noexcept nogil
        void (*p2_update_pair_many_running)(
            P2Quantile *, P2Quantile *, const double *, size_t, double *) noexcept nogil
        void (*window_push_many_quantile)(
            RollingWindow *, const double *, size_t, double, double *) noexcept nogil
        void (*window_push_many_range)(
            RollingWindow *, const double *, size_t, double, double, double *) noexcept nogil

cdef const StatsApi *api = <const StatsApi *>PyCapsule_GetPointer(
    _core.stats_api, "native_stats_api"
)
if api.size != sizeof(StatsApi) or api.version != 5:
    raise ImportError(
        "the Rust and Cython extensions of this package come from different builds "
        f"(stats API size {api.size} version {api.version}); reinstall the package"
    )


cdef bytes _take_bytes(OwnedBytes owned):
    """Copies Rust-owned bytes into a Python bytes object and frees them."""
    try:
        return owned.data[:owned.len] if owned.len else b""
    finally:
        api.bytes_free(owned)


cdef object _decode_error(str kind, OwnedBytes error):
    return ValueError(f"bad {kind} state: {_take_bytes(error).decode('utf-8', 'replace')}")


cdef P2Quantile *_decode_p2(str kind, object encoded) except NULL:
    if not isinstance(encoded, bytes):
        raise ValueError(f"bad {kind} state: expected bytes, got {type(encoded).__name__}")
    cdef const unsigned char[:] view = encoded
    cdef OwnedBytes error
    error.data = NULL
    error.len = 0
    cdef P2Quantile *engine = api.p2_decode(
        &view[0] if len(encoded) else NULL, len(encoded), &error
    )
    if engine == NULL:
        raise _decode_error(kind, error)
    return engine


cdef RollingWindow *_decode_window(str kind, object encoded) except NULL:
    if not isinstance(encoded, bytes):
        raise ValueError(f"bad {kind} state: expected bytes, got {type(encoded).__name__}")
    cdef const unsigned char[:] view = encoded
    cdef OwnedBytes error
    error.data = NULL
    error.len = 0
    cdef RollingWindow *window = api.window_decode(
        &view[0] if len(encoded) else NULL, len(encoded), &error
    )
    if window == NULL:
        raise _decode_error(kind, error)
    return window


cdef double _check_open_probability(str name, double value) except? -1.0:
    if not (0.0 < value < 1.0):
        raise ValueError(f"{name} must lie strictly between 0 and 1, got {value}")
    return value


cdef double _check_closed_probability(str name, double value) except? -1.0:
    # An exact rolling quantile may ask for the window's minimum (0) or maximum (1).
    if not (0.0 <= value <= 1.0):
        raise ValueError(f"{name} must lie in [0, 1], got {value}")
    return value


cdef int _check_ordered(double q_inf, double q_sup) except -1:
    if not q_inf < q_sup:
        raise ValueError(f"q_inf must be smaller than q_sup, got q_inf={q_inf} and q_sup={q_sup}")
    return 0


# Why Quantile and IQR refuse `+` and `-`.
_P2_NOT_MERGEABLE = (
    "P² keeps a few markers fitted to one stream, and the markers of two streams do not "
    "determine the quantiles of their union (those need the values themselves)"
)


cdef object _p2_value(const P2Quantile *engine):
    cdef double value
    return value if api.p2_get(engine, &value) else None


cdef object _window_value(const RollingWindow *window, double q):
    cdef double value
    return value if api.window_quantile(window, q, &value) else None


cdef class Quantile:
    """Running estimate of a quantile with the P² algorithm, in constant memory.

    Parameters
    ----------
    q : float, default 0.5
        The quantile to estimate, strictly between 0 and 1.

    Notes
    -----
    P² (Jain & Chlamtac, 1985) moves a few markers with a piecewise-parabolic correction; this
    one keeps seven, two more than the paper's (and River's) five, placed next to ``q``, which
    makes it more accurate. After 4,096 values the markers move two ranks at a time, which
    halves the time of an update at no measured cost in accuracy. It is approximate; until
    the markers start moving (seven values) the exact quantile of the values seen is
    returned. ``get()`` returns ``None`` before the first update. NaN and infinite values
    raise ``ValueError`` and leave the state unchanged. It cannot be merged (``+``, ``-``
    raise ``TypeError``): the markers of two streams do not determine the quantile of their
    union.

    Examples
    --------
    >>> from river_lite import stats
    >>> median = stats.Quantile(0.5)
    >>> for x in [5.0, 1.0, 4.0, 2.0, 3.0]:
    ...     median.update(x)
    >>> median.get()
    3.0
    >>> median
    Quantile(q=0.5): 3.0
    """

    cdef P2Quantile *engine
    cdef readonly double q

    def __cinit__(self, double q=0.5):
        self.q = _check_open_probability("q", q)
        self.engine = api.p2_new(q)
        if self.engine == NULL:
            raise MemoryError()

    def __init__(self, double q=0.5):
        pass

    def __dealloc__(self):
        api.p2_free(self.engine)

    def update(self, double x):
        """Adds one value."""
        _check_finite(x)
        with cython.critical_section(self):
            api.p2_update(self.engine, x)

    def update_many(self, values, *, running=False):
        """Adds every value of a 1-D float array-like, in order; with ``running=True``,
        returns the estimate after each value."""
        cdef bint keep = _running_flag(running)
        cdef const double[::1] xs = _finite_vector(values)
        out = _running_output(xs.shape[0]) if keep else None
        cdef double[::1] estimates = out
        if xs.shape[0]:
            with cython.critical_section(self):
                if keep:
                    api.p2_update_many_running(self.engine, &xs[0], xs.shape[0], &estimates[0])
                else:
                    api.p2_update_many(self.engine, &xs[0], xs.shape[0])
        return out

    def get(self):
        """The current estimate, or None before the first update."""
        with cython.critical_section(self):
            return _p2_value(self.engine)

    def __add__(self, other):
        raise _not_mergeable(self, _P2_NOT_MERGEABLE)

    def __sub__(self, other):
        raise _not_mergeable(self, _P2_NOT_MERGEABLE)

    @property
    def name(self):
        return "quantile"

    def __repr__(self):
        return f"Quantile(q={self.q}): {self.get()!r}"

    def __reduce__(self):
        with cython.critical_section(self):
            encoded = _take_bytes(api.p2_encode(self.engine))
        return (type(self), (self.q,), ("Quantile", STATE_VERSION, encoded))

    def __setstate__(self, state):
        (encoded,) = _unpack_state(state, "Quantile", 1)
        cdef P2Quantile *engine = _decode_p2("Quantile", encoded)
        with cython.critical_section(self):
            api.p2_free(self.engine)
            self.engine = engine


cdef class IQR:
    """Running interquartile range ``Quantile(q_sup) - Quantile(q_inf)``, both by P².

    Parameters
    ----------
    q_inf : float, default 0.25
        Lower quantile, strictly between 0 and 1.
    q_sup : float, default 0.75
        Upper quantile, strictly between ``q_inf`` and 1.

    Notes
    -----
    ``get()`` returns ``None`` before the first update. NaN and infinite values raise
    ``ValueError`` and leave the state unchanged.

    Examples
    --------
    >>> from river_lite import stats
    >>> iqr = stats.IQR(q_inf=0.25, q_sup=0.75)
    >>> iqr.update_many([1.0, 2.0, 3.0, 4.0, 5.0])
    >>> iqr.get()
    2.0
    """

    cdef P2Quantile *lower
    cdef P2Quantile *upper
    cdef readonly double q_inf
    cdef readonly double q_sup

    def __cinit__(self, double q_inf=0.25, double q_sup=0.75):
        self.q_inf = _check_open_probability("q_inf", q_inf)
        self.q_sup = _check_open_probability("q_sup", q_sup)
        _check_ordered(q_inf, q_sup)
        self.lower = api.p2_new(q_inf)
        self.upper = api.p2_new(q_sup)
        if self.lower == NULL or self.upper == NULL:
            raise MemoryError()

    def __init__(self, double q_inf=0.25, double q_sup=0.75):
        pass

    def __dealloc__(self):
        api.p2_free(self.lower)
        api.p2_free(self.upper)

    def update(self, double x):
        """Adds one value."""
        _check_finite(x)
        with cython.critical_section(self):
            api.p2_update_pair(self.lower, self.upper, x)

    def update_many(self, values, *, running=False):
        """Adds every value of a 1-D float array-like, in order; with ``running=True``,
        returns the range after each value."""
        cdef bint keep = _running_flag(running)
        cdef const double[::1] xs = _finite_vector(values)
        out = _running_output(xs.shape[0]) if keep else None
        cdef double[::1] ranges = out
        if xs.shape[0]:
            with cython.critical_section(self):
                if keep:
                    api.p2_update_pair_many_running(
                        self.lower, self.upper, &xs[0], xs.shape[0], &ranges[0]
                    )
                else:
                    api.p2_update_pair_many(self.lower, self.upper, &xs[0], xs.shape[0])
        return out

    def get(self):
        """The current range, or None before the first update."""
        cdef double low, high
        with cython.critical_section(self):
            if api.p2_get(self.lower, &low) and api.p2_get(self.upper, &high):
                return high - low
        return None

    def __add__(self, other):
        raise _not_mergeable(self, _P2_NOT_MERGEABLE)

    def __sub__(self, other):
        raise _not_mergeable(self, _P2_NOT_MERGEABLE)

    @property
    def name(self):
        return f"IQR_{self.q_inf}_{self.q_sup}"

    def __repr__(self):
        return f"IQR(q_inf={self.q_inf}, q_sup={self.q_sup}): {self.get()!r}"

    def __reduce__(self):
        with cython.critical_section(self):
            lower = _take_bytes(api.p2_encode(self.lower))
            upper = _take_bytes(api.p2_encode(self.upper))
        return (type(self), (self.q_inf, self.q_sup), ("IQR", STATE_VERSION, lower, upper))

    def __setstate__(self, state):
        encoded_lower, encoded_upper = _unpack_state(state, "IQR", 2)
        cdef P2Quantile *lower = _decode_p2("IQR", encoded_lower)
        cdef P2Quantile *upper
        try:
            upper = _decode_p2("IQR", encoded_upper)
        except ValueError:
            api.p2_free(lower)
            raise
        with cython.critical_section(self):
            api.p2_free(self.lower)
            api.p2_free(self.upper)
            self.lower, self.upper = lower, upper


cdef class RollingQuantile:
    """Exact quantile of the last ``window_size`` values, in O(log window_size) per update.

    Parameters
    ----------
    q : float
        The quantile, in [0, 1] (0 is the window's minimum, 1 its maximum).
    window_size : int
        Number of most recent values the quantile is taken over, at least 1.

    Notes
    -----
    Quantiles interpolate linearly between order statistics, like ``numpy.quantile`` and
    River's ``RollingQuantile``, so the numbers are the same. The window is kept sorted in a
    counted B+-tree (Rust), so an update costs O(log window_size) rather than the
    O(window_size) of a sorted array. ``update_many(values, running=True)`` returns the
    quantile after each value; a batch of more than ``window_size / 8`` values is computed
    with sorted blocks (Suomela 2014: each block of ``window_size`` values sorted once, in
    linear time, then read through two pointers), with the same results, and a batch without
    ``running`` keeps only the values that stay in the window. ``get()`` returns ``None``
    before the first update. NaN and infinite values raise ``ValueError``.

    Examples
    --------
    >>> from river_lite import stats
    >>> rolling = stats.RollingQuantile(q=0.5, window_size=3)
    >>> for x in [1.0, 9.0, 2.0, 8.0]:
    ...     rolling.update(x)
    >>> rolling.get()  # median of [9, 2, 8]
    8.0
    >>> rolling.update_many([7.0, 1.0, 3.0], running=True)  # after each value
    array([7., 7., 3.])
    """

    cdef RollingWindow *window
    cdef readonly double q
    cdef readonly size_t window_size

    def __cinit__(self, double q, window_size):
        self.q = _check_closed_probability("q", q)
        self.window_size = _check_window_size(window_size, PY_SSIZE_T_MAX)
        self.window = api.window_new(self.window_size)
        if self.window == NULL:
            raise MemoryError()

    def __init__(self, double q, window_size):
        pass

    def __dealloc__(self):
        api.window_free(self.window)

    def update(self, double x):
        """Adds one value, evicting the oldest when the window is full."""
        _check_finite(x)
        with cython.critical_section(self):
            api.window_push(self.window, x)

    def update_many(self, values, *, running=False):
        """Adds every value of a 1-D float array-like, in order; with ``running=True``,
        returns the quantile after each value."""
        cdef bint keep = _running_flag(running)
        cdef const double[::1] xs = _finite_vector(values)
        out = _running_output(xs.shape[0]) if keep else None
        cdef double[::1] quantiles = out
        if xs.shape[0]:
            with cython.critical_section(self):
                if keep:
                    api.window_push_many_quantile(
                        self.window, &xs[0], xs.shape[0], self.q, &quantiles[0]
                    )
                else:
                    api.window_push_many(self.window, &xs[0], xs.shape[0])
        return out

    def get(self):
        """The quantile of the current window, or None before the first update."""
        with cython.critical_section(self):
            return _window_value(self.window, self.q)

    def __add__(self, other):
        raise _not_mergeable(self, _WINDOW_NOT_MERGEABLE)

    def __sub__(self, other):
        raise _not_mergeable(self, _WINDOW_NOT_MERGEABLE)

    @property
    def name(self):
        return f"rollingquantile_{self.window_size}"

    def __repr__(self):
        return f"RollingQuantile(q={self.q}, window_size={self.window_size}): {self.get()!r}"

    def __reduce__(self):
        with cython.critical_section(self):
            encoded = _take_bytes(api.window_encode(self.window))
        state = ("RollingQuantile", STATE_VERSION, encoded)
        return (type(self), (self.q, self.window_size), state)

    def __setstate__(self, state):
        (encoded,) = _unpack_state(state, "RollingQuantile", 1)
        cdef RollingWindow *window = _decode_window("RollingQuantile", encoded)
        if api.window_size(window) != self.window_size:
            api.window_free(window)
            raise ValueError("bad RollingQuantile state: it is for another window_size")
        with cython.critical_section(self):
            api.window_free(self.window)
            self.window = window


cdef class RollingIQR:
    """Exact interquartile range of the last ``window_size`` values, O(log window_size) per update.

    Parameters
    ----------
    window_size : int
        Number of most recent values, at least 1.
    q_inf : float, default 0.25
        Lower quantile, in [0, 1].
    q_sup : float, default 0.75
        Upper quantile, in [0, 1] and larger than ``q_inf``.

    Notes
    -----
    Same window, interpolation and batch roads as :class:`RollingQuantile`. ``get()`` returns
    ``None`` before the first update.

    Examples
    --------
    >>> from river_lite import stats
    >>> iqr = stats.RollingIQR(window_size=4)
    >>> iqr.update_many([1.0, 2.0, 3.0, 4.0, 5.0])
    >>> iqr.get()  # window [2, 3, 4, 5]: 4.25 - 2.75
    1.5
    """

    cdef RollingWindow *window
    cdef readonly double q_inf
    cdef readonly double q_sup
    cdef readonly size_t window_size

    def __cinit__(self, window_size, double q_inf=0.25, double q_sup=0.75):
        self.window_size = _check_window_size(window_size, PY_SSIZE_T_MAX)
        self.q_inf = _check_closed_probability("q_inf", q_inf)
        self.q_sup = _check_closed_probability("q_sup", q_sup)
        _check_ordered(q_inf, q_sup)
        self.window = api.window_new(self.window_size)
        if self.window == NULL:
            raise MemoryError()

    def __init__(self, window_size, double q_inf=0.25, double q_sup=0.75):
        pass

    def __dealloc__(self):
        api.window_free(self.window)

    def update(self, double x):
        """Adds one value, evicting the oldest when the window is full."""
        _check_finite(x)
        with cython.critical_section(self):
            api.window_push(self.window, x)

    def update_many(self, values, *, running=False):
        """Adds every value of a 1-D float array-like, in order; with ``running=True``,
        returns the range after each value."""
        cdef bint keep = _running_flag(running)
        cdef const double[::1] xs = _finite_vector(values)
        out = _running_output(xs.shape[0]) if keep else None
        cdef double[::1] ranges = out
        if xs.shape[0]:
            with cython.critical_section(self):
                if keep:
                    api.window_push_many_range(
                        self.window, &xs[0], xs.shape[0], self.q_inf, self.q_sup, &ranges[0]
                    )
                else:
                    api.window_push_many(self.window, &xs[0], xs.shape[0])
        return out

    def get(self):
        """The range of the current window, or None before the first update."""
        cdef double low, high
        with cython.critical_section(self):
            if (api.window_quantile(self.window, self.q_inf, &low)
                    and api.window_quantile(self.window, self.q_sup, &high)):
                return high - low
        return None

    def __add__(self, other):
        raise _not_mergeable(self, _WINDOW_NOT_MERGEABLE)

    def __sub__(self, other):
        raise _not_mergeable(self, _WINDOW_NOT_MERGEABLE)

    @property
    def name(self):
        return f"rollingiqr_{self.window_size}"

    def __repr__(self):
        params = f"window_size={self.window_size}, q_inf={self.q_inf}, q_sup={self.q_sup}"
        return f"RollingIQR({params}): {self.get()!r}"

    def __reduce__(self):
        with cython.critical_section(self):
            encoded = _take_bytes(api.window_encode(self.window))
        state = ("RollingIQR", STATE_VERSION, encoded)
        return (type(self), (self.window_size, self.q_inf, self.q_sup), state)

    def __setstate__(self, state):
        (encoded,) = _unpack_state(state, "RollingIQR", 1)
        cdef RollingWindow *window = _decode_window("RollingIQR", encoded)
        if api.window_size(window) != self.window_size:
            api.window_free(window)
            raise ValueError("bad RollingIQR state: it is for another window_size")
        with cython.critical_section(self):
            api.window_free(self.window)
            self.window = window
