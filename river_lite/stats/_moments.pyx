# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# cython: initializedcheck=False, freethreading_compatible=True
"""Moment-based online statistics, compiled by Cython.

These statistics are a handful of floating-point operations per value, so the cost of a Python
call dominates: as extension types, ``update(x)`` is a single C call with no Python frame.
Every class follows the contract documented in :mod:`river_lite.stats.base`.

``update_many(values, running=True)`` returns the statistic after each value. Each class
produces it with the arithmetic of ``update`` (the same cdef functions, so the same bits as a
loop of ``update`` and ``get``); where ``update_many`` merges a batch instead (Mean, Var, Skew,
Kurtosis: more accurate) or unrolls the recurrence (EWMean, EWVar: faster), the state after the
call is the batch's, exactly as with ``running=False``, and the last output is ``get()`` of that
state.

Every public class defines ``__init__``, an empty one included: Cython's ``embedsignature``
writes its signature as the first line of the class docstring (for ``help()`` and the API docs),
and without one Cython would silently accept and ignore any arguments (``Mean(5)``).
"""

cimport cython
from libc.math cimport isfinite, sqrt
from libc.limits cimport INT_MAX, LLONG_MAX
from libc.stdlib cimport free, malloc
from cpython.pyport cimport PY_SSIZE_T_MAX

import copy

import numpy as np

include "../_build_info.pxi"

include "_checks.pxi"


cdef inline double _check_revert(double n, str kind) except -1.0:
    if n <= 0:
        raise ValueError(f"cannot revert {kind}: no value left to remove")
    return n


ctypedef struct Moments:
    # Count, mean and central moment sums (M2 = sum of squared deviations, ...). The mean is a
    # double-double, mean + mean_lo: on values like 1e9 + noise a double mean is off by up to
    # half an ulp of 1e9 (6e-8), which moves M3 by 3 * 6e-8 * M2 and, when two parts merge,
    # M2 by 2 * delta * 6e-8 * n_a * n_b / n: far more than 1e-12 relative. With the low part
    # the mean is exact to ~1e-16 of the spread of the values, whatever their offset.
    double n
    double mean
    double mean_lo
    double m2
    double m3
    double m4


cdef enum:
    # Values per block of a batch sum: blocks are summed on their own, then added up, so that
    # rounding errors grow with sqrt(block) + sqrt(n / block) rather than with sqrt(n).
    SUM_BLOCK = 1024


cdef inline double _two_sum_error(double a, double b, double total) noexcept nogil:
    """The rounding error of ``total = a + b``: ``a + b == total + error`` exactly (Knuth's
    TwoSum; needs IEEE arithmetic without -ffast-math, which setup.py does not use)."""
    cdef double b_part = total - a
    cdef double a_part = total - b_part
    return (a - a_part) + (b - b_part)


cdef inline double _shifted_sum(const double *xs, Py_ssize_t count, double shift) noexcept nogil:
    """The sum of ``xs[i] - shift``, in four interleaved partial sums: four chains of
    additions run side by side where one would wait for each addition in turn."""
    cdef double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
    cdef Py_ssize_t i = 0
    while i + 4 <= count:
        s0 += xs[i] - shift
        s1 += xs[i + 1] - shift
        s2 += xs[i + 2] - shift
        s3 += xs[i + 3] - shift
        i += 4
    while i < count:
        s0 += xs[i] - shift
        i += 1
    return (s0 + s1) + (s2 + s3)


cdef inline void _central_sums(
    const double *xs, Py_ssize_t count, double mean, double mean_lo, int order, double *sums
) noexcept nogil:
    """Adds the sums of the 2nd (and, if ``order`` is 4, 3rd and 4th) powers of the
    deviations ``xs[i] - (mean + mean_lo)`` to ``sums[0:3]``, two values at a time into
    separate partial sums (as _shifted_sum)."""
    cdef double d, e, d2, e2
    cdef double a2 = 0.0, a3 = 0.0, a4 = 0.0, b2 = 0.0, b3 = 0.0, b4 = 0.0
    cdef Py_ssize_t i = 0
    if order == 2:
        while i + 2 <= count:
            d = (xs[i] - mean) - mean_lo
            e = (xs[i + 1] - mean) - mean_lo
            a2 += d * d
            b2 += e * e
            i += 2
    else:
        while i + 2 <= count:
            d = (xs[i] - mean) - mean_lo
            e = (xs[i + 1] - mean) - mean_lo
            d2 = d * d
            e2 = e * e
            a2 += d2
            b2 += e2
            a3 += d2 * d
            b3 += e2 * e
            a4 += d2 * d2
            b4 += e2 * e2
            i += 2
    if i < count:
        d = (xs[i] - mean) - mean_lo
        d2 = d * d
        a2 += d2
        a3 += d2 * d
        a4 += d2 * d2
    sums[0] += a2 + b2
    if order > 2:
        sums[1] += a3 + b3
        sums[2] += a4 + b4


cdef Moments _batch_moments(const double[::1] xs, int order) noexcept nogil:
    """Moments of a batch in two passes (mean, then deviations), summed by blocks: no
    division per value, and exact to rounding however far the values sit from zero."""
    cdef Moments b
    cdef Py_ssize_t start, stop, n = xs.shape[0]
    cdef double shift = xs[0], total = 0.0, offset
    cdef double sums[3]
    b.n = n
    b.m2 = b.m3 = b.m4 = 0.0
    # Summing differences from the first value keeps the mean of a constant batch exact (and
    # its deviations exactly zero, as the one-by-one update gives).
    start = 0
    while start < n:
        stop = min(start + SUM_BLOCK, n)
        total += _shifted_sum(&xs[start], stop - start, shift)
        start = stop
    offset = total / n
    b.mean = shift + offset
    b.mean_lo = _two_sum_error(shift, offset, b.mean)
    if order < 2:
        return b
    start = 0
    while start < n:
        stop = min(start + SUM_BLOCK, n)
        sums[0] = sums[1] = sums[2] = 0.0
        _central_sums(&xs[start], stop - start, b.mean, b.mean_lo, order, sums)
        b.m2 += sums[0]
        b.m3 += sums[1]
        b.m4 += sums[2]
        start = stop
    return b


cdef Moments _checked_batch(const double[::1] xs, int order) except *:
    """The batch's moments, after rejecting NaN and infinities. A non-finite value makes the
    sum non-finite, so the batch pass doubles as the check; only then are values scanned."""
    cdef Moments b = _batch_moments(xs, order)
    if not (isfinite(b.mean) and isfinite(b.m2) and isfinite(b.m4)):
        _reject_non_finite(xs)
    return b


cdef Moments _merge_moments(Moments a, Moments b) noexcept nogil:
    """Moments of the union of two samples (Chan et al. 1979; Pébay 2008 for M3 and M4), the
    mean kept as a double-double."""
    if b.n == 0:
        return a
    if a.n == 0:
        return b
    cdef Moments m
    cdef double n = a.n + b.n
    # The high parts first: exact when the means are close (Sterbenz), then the low parts.
    cdef double delta = (b.mean - a.mean) + (b.mean_lo - a.mean_lo)
    cdef double delta_n = delta / n
    cdef double product = a.n * b.n
    cdef double tail = a.mean_lo + delta_n * b.n
    m.n = n
    m.mean = a.mean + tail
    m.mean_lo = _two_sum_error(a.mean, tail, m.mean)
    m.m2 = a.m2 + b.m2 + delta * delta_n * product
    m.m3 = (a.m3 + b.m3 + delta * delta_n * delta_n * product * (a.n - b.n)
            + 3.0 * delta_n * (a.n * b.m2 - b.n * a.m2))
    m.m4 = (a.m4 + b.m4
            + delta * delta_n * delta_n * delta_n * product * (a.n * a.n - product + b.n * b.n)
            + 6.0 * delta_n * delta_n * (a.n * a.n * b.m2 + b.n * b.n * a.m2)
            + 4.0 * delta_n * (a.n * b.m3 - b.n * a.m3))
    return m


cdef Moments _remove_moments(Moments whole, Moments part, int order, str kind) except *:
    """The moments of ``whole`` without its sub-sample ``part``: ``_merge_moments`` solved for
    its first argument. ValueError when ``part`` holds more values than ``whole``, or when the
    rest would have a sum of squares (or fourth powers) below zero by more than rounding can
    explain: then ``part`` was not a part of ``whole``.

    Exact in real arithmetic; in floating point the rest is accurate relative to the whole's
    sums, so a rest whose spread is tiny next to the part's (a removed outlier) keeps only
    the digits that survive the cancellation, as River's subtraction does."""
    if part.n > whole.n:
        raise ValueError(
            f"cannot remove {part.n:g} values from a {kind} of {whole.n:g}: the right operand "
            "must be a part of the left one"
        )
    cdef Moments rest
    rest.n = whole.n - part.n
    if rest.n == 0 or part.n == 0:
        return whole if part.n == 0 else Moments(0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    cdef double n = whole.n
    # whole mean - part mean, then the rest's mean: whole + (whole - part) * part.n / rest.n.
    cdef double gap = (whole.mean - part.mean) + (whole.mean_lo - part.mean_lo)
    cdef double tail = whole.mean_lo + gap * (part.n / rest.n)
    rest.mean = whole.mean + tail
    rest.mean_lo = _two_sum_error(whole.mean, tail, rest.mean)
    rest.m2 = rest.m3 = rest.m4 = 0.0
    if order < 2:
        return rest
    # The merge's delta (part mean - rest mean) and its terms, with a = rest and b = part.
    cdef double delta = -gap * (n / rest.n)
    cdef double delta_n = delta / n
    cdef double product = rest.n * part.n
    cdef double cross2 = delta * delta_n * product
    rest.m2 = whole.m2 - part.m2 - cross2
    _check_rest_sum(rest.m2, whole.m2 + part.m2 + cross2, "squares", kind)
    rest.m2 = max(rest.m2, 0.0)
    if order < 4:
        return rest
    cdef double cross3 = (delta * delta_n * delta_n * product * (rest.n - part.n)
                          + 3.0 * delta_n * (rest.n * part.m2 - part.n * rest.m2))
    rest.m3 = whole.m3 - part.m3 - cross3
    cdef double cross4 = (
        delta * delta_n * delta_n * delta_n * product
        * (rest.n * rest.n - product + part.n * part.n)
        + 6.0 * delta_n * delta_n * (rest.n * rest.n * part.m2 + part.n * part.n * rest.m2)
        + 4.0 * delta_n * (rest.n * part.m3 - part.n * rest.m3)
    )
    rest.m4 = whole.m4 - part.m4 - cross4
    _check_rest_sum(rest.m4, whole.m4 + part.m4 + abs(cross4), "fourth powers", kind)
    rest.m4 = max(rest.m4, 0.0)
    return rest


cdef int _check_rest_sum(double rest, double scale, str what, str kind) except -1:
    # Rounding makes a true zero at most a few ulps of the sums involved negative; 1e-9 of
    # them is a million times that, and only a right operand that is no part of the left one
    # goes further.
    if rest < -1e-9 * scale:
        raise ValueError(
            f"cannot subtract: the rest would have a negative sum of {what}, so the right "
            f"operand is not a part of the stream of the left {kind}"
        )
    return 0


cdef inline double _mean_lo_limit() noexcept nogil:
    """How large the low part of a running mean may grow: 2 ** -40 of the high part."""
    return 9.094947017729282e-13


cdef inline double _mean_step(
    double *mean, double *mean_lo, double x, double inverse
) noexcept nogil:
    """Moves the double-double mean ``mean + mean_lo`` by ``inverse`` times ``x`` minus it,
    in place: Welford's step for ``x`` as the n-th value with ``inverse = 1 / n``, or, with
    ``inverse = -1 / n``, for taking ``x`` out of n + 1 values. Returns ``x`` minus the mean
    before the step.

    Every update waits for the mean of the one before, so the length of that chain is the
    speed of a running loop. Here the high part follows Welford's update on its own (subtract,
    multiply, add: three operations, where a double-double step puts seven on the chain) and
    the low part gathers what that leaves out, on a chain of its own that the high part never
    waits for: the rounding error of the addition (Dekker's Fast2Sum, exact when the mean is
    at least the step, always so on the offset data the low part is for; otherwise below half
    an ulp of the step, 1e-16 of the spread / n) and its own share, ``mean_lo * (1 - inverse)``.

    The pair is renormalised only when the low part passes ``_mean_lo_limit`` of the high one
    (errors of ~1e-16 each need ~10^7 values to get there, or a mean crossing zero), a branch
    the processor predicts past without waiting; so ``|mean_lo| <= 2 ** -40 * |mean|`` always
    holds, which the state checks on unpickling."""
    cdef double low_before = mean_lo[0], low
    cdef double deviation = x - mean[0]  # exact while x is within a factor 2 of the mean
    cdef double step = inverse * deviation
    cdef double total = mean[0] + step
    low = (low_before - inverse * low_before) + (step - (total - mean[0]))
    if abs(low) > _mean_lo_limit() * abs(total):
        mean[0] = total + low
        mean_lo[0] = _two_sum_error(total, low, mean[0])
    else:
        mean[0] = total
        mean_lo[0] = low
    return deviation - low_before


cdef enum:
    # Values per block of the running loops whose output needs divisions (and a square
    # root): a block's 1/n come first and its outputs after its updates, each in a loop of
    # independent values that the compiler vectorises, which halves their cost on the
    # divider; the one loop left in between is the update's chain. 256 values keep the
    # block's buffers (at most 4 KiB, on the stack) in the L1 cache.
    RUN_BLOCK = 256


cdef inline void _reciprocals(double first, int count, double *inverse) noexcept nogil:
    """``inverse[j] = 1 / (first + j)``: a block's 1/n, the same bits as one at a time
    (``first + j`` is an exact count). The block loops count with an int: SSE2 converts
    32-bit integers to doubles two at a time, and 64-bit ones only one by one."""
    cdef int j
    for j in range(count):
        inverse[j] = 1.0 / (first + <double>j)


cdef inline double _mean_with(double mean, double n, double x) noexcept nogil:
    """Welford's mean after adding ``x`` as the ``n``-th value: the one expression of it, so
    that every loop that must give ``update()``'s bits inlines the same arithmetic."""
    return mean + (1.0 / n) * (x - mean)


cdef inline double _mean_without(double mean, double n, double x) noexcept nogil:
    """Welford's mean after removing ``x``, ``n > 0`` values remaining."""
    return mean - (1.0 / n) * (x - mean)


cdef inline void _var_add(
    double *n, double *mean, double *mean_lo, double *sum_squares, double x, double inverse
) noexcept nogil:
    """Var's update of its state (a double-double mean and the sum of squared deviations) by
    ``x``, ``inverse`` being ``1 / (n + 1)``: the one copy of it, for Var, its running loop and
    Rolling's batch loop over a Var."""
    cdef double delta = _mean_step(mean, mean_lo, x, inverse)  # x minus the mean so far
    n[0] += 1.0
    sum_squares[0] += delta * (delta - inverse * delta)  # (x - old mean) * (x - new mean)


cdef inline void _var_remove(
    double *n, double *mean, double *mean_lo, double *sum_squares, double x
) noexcept nogil:
    """Var's removal of ``x``, a value seen earlier (``n > 0``)."""
    n[0] -= 1.0
    if n[0] == 0:
        mean[0] = mean_lo[0] = sum_squares[0] = 0.0
        return
    cdef double inverse = -1.0 / n[0]
    cdef double delta = _mean_step(mean, mean_lo, x, inverse)  # x minus the mean with it
    # A sum of squares: below zero only through rounding, which must not leak out.
    sum_squares[0] = max(0.0, sum_squares[0] - delta * (delta - inverse * delta))


cdef inline double _variance(double sum_squares, double n, int ddof) noexcept nogil:
    """Var.get() once a value was seen (0.0 while ``n <= ddof``, as River)."""
    # Divided whatever n is, then selected (not branched on), so that _variances vectorises
    # this very code; a division by zero is discarded, not trapped.
    cdef double variance = sum_squares / (n - ddof)
    return variance if n > ddof else 0.0


cdef void _variances(double first, int count, double *values, int ddof) noexcept nogil:
    """A block of running outputs in place: ``values[j]``, the sum of squares after the
    ``first + j``-th value, becomes ``_variance`` of it (vectorised; the same bits)."""
    cdef int j
    for j in range(count):
        values[j] = _variance(values[j], first + <double>j, ddof)


cdef double _state_mean_lo(object value, double mean, str kind) except? -1.0:
    """The low part of a pickled double-double mean: finite and within the bound that
    _mean_step keeps, 2 ** -40 of ``mean``."""
    cdef double lo = _state_float(value, kind, "mean_lo")
    if abs(lo) > _mean_lo_limit() * abs(mean):
        raise ValueError(
            f"bad {kind} state: mean_lo {value!r} exceeds 2 ** -40 of mean {mean!r}"
        )
    return lo


cdef object _operand(object stat, object other):
    """``other``, once it is known to be a statistic of ``stat``'s class: only those merge."""
    if type(other) is not type(stat):
        raise TypeError(
            f"a {type(stat).__name__} merges only with another {type(stat).__name__}, "
            f"got {type(other).__name__}"
        )
    return other


cdef object _combined(object stat, object other, bint subtract):
    """``stat + other`` (or ``-``) as a new object: a copy of ``stat`` merged in place, so the
    in-place operators hold the one implementation, and an error leaves both unchanged."""
    _operand(stat, other)
    result = copy.copy(stat)
    if subtract:
        result -= other
    else:
        result += other
    return result


cdef class Count:
    """Number of values seen.

    Notes
    -----
    ``update(x=None)`` counts one value; a given ``x`` must be a finite number.
    ``get()`` is 0 before the first update.

    Examples
    --------
    >>> from river_lite import stats
    >>> count = stats.Count()
    >>> count.update_many([1.0, 2.0, 3.0])
    >>> count.get()
    3
    >>> count.revert(1.0)
    >>> count
    Count(): 2

    Counts of parts of a stream add up, and a part's count can be taken away again:

    >>> other = stats.Count()
    >>> other.update_many([4.0, 5.0])
    >>> count + other
    Count(): 4
    >>> (count + other) - other
    Count(): 2
    """

    cdef readonly long long n

    def __init__(self):
        pass

    def update(self, x=None):
        """Counts one value."""
        if x is not None:
            _check_finite(x)
        self.n += 1

    def update_many(self, values, *, running=False):
        """Counts every value of a 1-D float array-like; with ``running=True``, returns the
        count after each value."""
        cdef bint keep = _running_flag(running)
        cdef Py_ssize_t i, n = _finite_vector(values).shape[0]
        if not keep:
            self.n += n
            return None
        out = _running_output(n)
        cdef double[::1] counts = out
        for i in range(n):
            counts[i] = self.n + i + 1
        self.n += n
        return out

    def revert(self, x=None):
        """Forgets one value."""
        if x is not None:
            _check_finite(x)
        _check_revert(self.n, "Count")
        self.n -= 1

    def get(self):
        """The count."""
        return self.n

    def __iadd__(self, other):
        """Adds the count of another stream."""
        cdef Count that = _operand(self, other)
        if that.n > LLONG_MAX - self.n:
            raise OverflowError(f"the count {self.n} + {that.n} exceeds {LLONG_MAX}")
        self.n += that.n
        return self

    def __add__(self, other):
        """A new Count of both streams."""
        return _combined(self, other, False)

    def __isub__(self, other):
        """Takes away the count of a part of the stream."""
        cdef Count that = _operand(self, other)
        if that.n > self.n:
            raise ValueError(
                f"cannot remove {that.n} values from a Count of {self.n}: the right operand "
                "must be a part of the left one"
            )
        self.n -= that.n
        return self

    def __sub__(self, other):
        """A new Count without a part of the stream."""
        return _combined(self, other, True)

    @property
    def name(self):
        return "count"

    def __repr__(self):
        return _describe(self, "", self.get())

    def __reduce__(self):
        return (type(self), (), ("Count", STATE_VERSION, self.n))

    def __setstate__(self, state):
        (n,) = _unpack_state(state, "Count", 1)
        self.n = <long long>_state_count(n, "Count")


cdef class Mean:
    """Running mean, by Welford's update.

    Notes
    -----
    ``get()`` returns ``None`` before the first update. ``revert(x)`` removes a value seen
    earlier. NaN and infinite values raise ``ValueError`` and leave the state unchanged.

    Means of parts of a stream merge exactly (Chan et al., 1979): ``a + b`` is the mean of
    both streams and ``a += b`` merges ``b`` into ``a``. ``a - b`` and ``a -= b`` remove a
    part ``b`` of ``a``'s stream, as River's do, except that removing more values than ``a``
    holds is a ``ValueError`` (River returns an empty mean).

    Examples
    --------
    >>> from river_lite import stats
    >>> mean = stats.Mean()
    >>> for x in [1.0, 2.0, 6.0]:
    ...     mean.update(x)
    >>> mean.get()
    3.0
    >>> mean.revert(6.0)
    >>> mean.get()
    1.5
    >>> other = stats.Mean()
    >>> other.update_many([6.0, 7.0])
    >>> (mean + other).get()  # the mean of 1, 2, 6, 7
    4.0
    >>> ((mean + other) - other).get()
    1.5
    """

    cdef readonly double n
    cdef double mean

    def __init__(self):
        pass

    cdef Moments _moments(self):
        return Moments(self.n, self.mean, 0.0, 0.0, 0.0, 0.0)

    @cython.final
    cdef inline void _add(self, double x) noexcept:
        self.n += 1.0
        self.mean = _mean_with(self.mean, self.n, x)

    @cython.final
    cdef inline void _remove(self, double x) noexcept:
        self.n -= 1.0
        if self.n == 0:
            self.mean = 0.0
        else:
            self.mean = _mean_without(self.mean, self.n, x)

    def update(self, double x):
        """Adds one value."""
        _check_finite(x)
        self._add(x)

    def update_many(self, values, *, running=False):
        """Adds every value of a 1-D float array-like (as a batch, then merged); with
        ``running=True``, returns the mean after each value."""
        cdef bint keep = _running_flag(running)
        # Unchecked: the running loop changes only local copies, and the batch check below
        # rejects a NaN or infinity before the state changes.
        cdef const double[::1] xs = _float_vector(values)
        cdef Py_ssize_t i, n = xs.shape[0]
        cdef Moments start = self._moments()
        cdef double count = start.n, mean = start.mean  # kept in registers by the loop
        out = _running_output(n) if keep else None
        cdef double[::1] means
        if keep:
            means = out
            for i in range(n):
                count += 1.0
                mean = _mean_with(mean, count, xs[i])  # _add's arithmetic
                means[i] = mean
        if n == 0:
            return out
        cdef Moments merged = _merge_moments(start, _checked_batch(xs, 1))
        self.n, self.mean = merged.n, merged.mean
        if keep:
            means[n - 1] = self.mean
        return out

    def revert(self, double x):
        """Removes one value seen earlier."""
        _check_finite(x)
        _check_revert(self.n, "Mean")
        self._remove(x)

    def get(self):
        """The mean, or None before the first update."""
        return self.mean if self.n > 0 else None

    def __iadd__(self, other):
        """Merges the mean of another stream into this one."""
        cdef Mean that = _operand(self, other)
        cdef Moments merged = _merge_moments(self._moments(), that._moments())
        self.n, self.mean = merged.n, merged.mean
        return self

    def __add__(self, other):
        """A new Mean of both streams."""
        return _combined(self, other, False)

    def __isub__(self, other):
        """Removes a part of the stream, given as the Mean of that part."""
        cdef Mean that = _operand(self, other)
        cdef Moments rest = _remove_moments(self._moments(), that._moments(), 1, "Mean")
        self.n, self.mean = rest.n, rest.mean
        return self

    def __sub__(self, other):
        """A new Mean without a part of the stream."""
        return _combined(self, other, True)

    @property
    def name(self):
        return "mean"

    def __repr__(self):
        return _describe(self, "", self.get())

    def __reduce__(self):
        return (type(self), (), ("Mean", STATE_VERSION, self.n, self.mean))

    def __setstate__(self, state):
        n, mean = _unpack_state(state, "Mean", 2)
        self.n, self.mean = _state_count(n, "Mean"), _state_float(mean, "Mean", "mean")


cdef class Var:
    """Running variance, by Welford's update.

    Parameters
    ----------
    ddof : int, default 1
        Delta degrees of freedom: the divisor is ``n - ddof``. Must be >= 0.

    Notes
    -----
    ``get()`` returns ``None`` before the first update and 0.0 while ``n <= ddof`` (as River
    does). ``revert(x)`` removes a value seen earlier. The mean is kept in double-double
    precision, so the variance of values like ``1e9 + noise`` is exact to rounding.

    Variances of parts of a stream merge exactly (Chan et al., 1979): ``a + b`` is the
    variance of both streams and ``a += b`` merges ``b`` into ``a``. ``a - b`` and ``a -= b``
    remove a part ``b`` of ``a``'s stream, as River's do; a ``b`` with more values than ``a``,
    or one that cannot be a part of it (the rest would have a negative sum of squares), is a
    ``ValueError``. Both operands must have the same ``ddof`` (``ValueError`` otherwise).

    Examples
    --------
    >>> from river_lite import stats
    >>> var = stats.Var()
    >>> var.update_many([1.0, 2.0, 3.0, 4.0])
    >>> var.get()
    1.6666666666666667
    >>> stats.Var(ddof=0).get() is None
    True
    >>> first, second = stats.Var(), stats.Var()
    >>> first.update_many([1.0, 2.0])
    >>> second.update_many([3.0, 4.0])
    >>> (first + second).get()
    1.6666666666666667
    >>> ((first + second) - second).get()
    0.5
    """

    cdef readonly double n
    cdef readonly int ddof
    cdef double mean
    cdef double mean_lo
    cdef double sum_squares

    def __init__(self, ddof=1):
        checked = _integer_or_none(ddof)  # NumPy integers are integers too
        if checked is None:
            raise TypeError(f"ddof must be an integer, got {ddof!r}")
        ddof = checked
        if not 0 <= ddof <= INT_MAX:
            raise ValueError(f"ddof must be >= 0 and <= {INT_MAX}, got {ddof}")
        self.ddof = ddof

    cdef Moments _moments(self):
        return Moments(self.n, self.mean, self.mean_lo, self.sum_squares, 0.0, 0.0)

    cdef void _set(self, Moments m) noexcept:
        self.n, self.mean, self.mean_lo, self.sum_squares = m.n, m.mean, m.mean_lo, m.m2

    @cython.final
    cdef inline void _add(self, double x) noexcept:
        _var_add(&self.n, &self.mean, &self.mean_lo, &self.sum_squares, x, 1.0 / (self.n + 1.0))

    @cython.final
    cdef inline void _remove(self, double x) noexcept:
        _var_remove(&self.n, &self.mean, &self.mean_lo, &self.sum_squares, x)

    @cython.final
    cdef inline double _value(self) noexcept:
        # get() once a value was seen.
        return _variance(self.sum_squares, self.n, self.ddof)

    def update(self, double x):
        """Adds one value."""
        _check_finite(x)
        self._add(x)

    def update_many(self, values, *, running=False):
        """Adds every value of a 1-D float array-like (as a batch, then merged); with
        ``running=True``, returns the variance after each value."""
        cdef bint keep = _running_flag(running)
        # Unchecked: the running loop changes only local copies, and _checked_batch rejects a
        # NaN or infinity before the state changes.
        cdef const double[::1] xs = _float_vector(values)
        cdef Py_ssize_t n = xs.shape[0]
        cdef Moments start = self._moments()
        # Local copies of the state, which the loop keeps in registers (through self, every
        # write to the output could alias a field and force a reload); _var_add is update()'s.
        cdef double count = start.n, mean = start.mean, mean_lo = start.mean_lo
        cdef double sum_squares = start.m2
        cdef int ddof = self.ddof
        out = _running_output(n) if keep else None
        cdef double[::1] variances
        cdef double inverse[RUN_BLOCK]
        cdef double first
        cdef Py_ssize_t block
        cdef int j, size
        if keep and n:
            variances = out
            block = 0
            while block < n:
                size = <int>min(<Py_ssize_t>RUN_BLOCK, n - block)
                first = count + 1.0
                _reciprocals(first, size, inverse)
                for j in range(size):
                    _var_add(&count, &mean, &mean_lo, &sum_squares, xs[block + j], inverse[j])
                    variances[block + j] = sum_squares
                _variances(first, size, &variances[block], ddof)
                block += size
        if n == 0:
            return out
        self._set(_merge_moments(start, _checked_batch(xs, 2)))
        if keep:
            variances[n - 1] = self._value()
        return out

    def revert(self, double x):
        """Removes one value seen earlier."""
        _check_finite(x)
        _check_revert(self.n, "Var")
        self._remove(x)

    def get(self):
        """The variance, or None before the first update."""
        if self.n == 0:
            return None
        return self._value()

    cdef Var _checked_operand(self, object other):
        cdef Var that = _operand(self, other)
        if that.ddof != self.ddof:
            raise ValueError(
                f"cannot combine Var(ddof={self.ddof}) with Var(ddof={that.ddof}): ddof must be "
                "the same"
            )
        return that

    def __iadd__(self, other):
        """Merges the variance of another stream into this one."""
        cdef Var that = self._checked_operand(other)
        self._set(_merge_moments(self._moments(), that._moments()))
        return self

    def __add__(self, other):
        """A new Var of both streams."""
        self._checked_operand(other)
        return _combined(self, other, False)

    def __isub__(self, other):
        """Removes a part of the stream, given as the Var of that part."""
        cdef Var that = self._checked_operand(other)
        self._set(_remove_moments(self._moments(), that._moments(), 2, "Var"))
        return self

    def __sub__(self, other):
        """A new Var without a part of the stream."""
        self._checked_operand(other)
        return _combined(self, other, True)

    @property
    def name(self):
        return "var"

    def __repr__(self):
        return _describe(self, f"ddof={self.ddof}", self.get())

    def __reduce__(self):
        state = ("Var", STATE_VERSION, self.n, self.mean, self.mean_lo, self.sum_squares)
        return (type(self), (self.ddof,), state)

    def __setstate__(self, state):
        n, mean, mean_lo, sum_squares = _unpack_state(state, "Var", 4)
        n = _state_count(n, "Var")
        mean = _state_float(mean, "Var", "mean")
        mean_lo = _state_mean_lo(mean_lo, mean, "Var")
        sum_squares = _state_float(sum_squares, "Var", "sum_squares")
        if sum_squares < 0:
            raise ValueError(f"bad Var state: sum_squares must be >= 0, got {sum_squares!r}")
        self._set(Moments(n, mean, mean_lo, sum_squares, 0.0, 0.0))


cdef inline double _further(double sign, double signed, double x) noexcept nogil:
    """Min's and Max's step: the extreme after ``x``, both signed (``sign * value``, sign +1
    for the maximum, -1 for the minimum), so that one comparison serves both and the chain
    from one value to the next is a compare and a select, without a multiplication.
    Multiplying by sign twice gives the value back exactly."""
    return sign * x if sign * x > signed else signed


cdef class _Extreme:
    """Running minimum or maximum: the code Min and Max share (they differ by ``sign``)."""

    cdef readonly double n
    cdef double value
    # +1 keeps the largest value, -1 the smallest: one comparison serves both.
    cdef double sign

    cdef inline void _add(self, double x) noexcept:
        if self.n == 0:
            self.value = x
        else:
            self.value = self.sign * _further(self.sign, self.sign * self.value, x)
        self.n += 1.0

    def update(self, double x):
        """Adds one value."""
        _check_finite(x)
        self._add(x)

    def update_many(self, values, *, running=False):
        """Adds every value of a 1-D float array-like; with ``running=True``, returns the
        extreme after each value."""
        cdef bint keep = _running_flag(running)
        cdef const double[::1] xs = _finite_vector(values)
        cdef Py_ssize_t i, start = 0
        out = _running_output(xs.shape[0]) if keep else None
        cdef double[::1] extremes
        # _add's step on locals: a store to `extremes` could alias the fields, which then
        # would be reloaded for every value.
        cdef double sign = self.sign, signed = sign * self.value
        if xs.shape[0] and self.n == 0:
            signed = sign * xs[0]
            start = 1
        if keep:
            extremes = out
            if start:
                extremes[0] = xs[0]
            for i in range(start, xs.shape[0]):
                signed = _further(sign, signed, xs[i])
                extremes[i] = sign * signed
        else:
            for i in range(start, xs.shape[0]):
                signed = _further(sign, signed, xs[i])
        self.value = sign * signed
        self.n += xs.shape[0]
        return out

    def get(self):
        """The extreme value, or None before the first update."""
        return self.value if self.n > 0 else None

    def __iadd__(self, other):
        """Merges the extreme of another stream into this one."""
        cdef _Extreme that = _operand(self, other)
        if that.n > 0 and (self.n == 0 or self.sign * that.value > self.sign * self.value):
            self.value = that.value
        self.n += that.n
        return self

    def __add__(self, other):
        """A new statistic of both streams."""
        return _combined(self, other, False)

    def __sub__(self, other):
        what = "minimum" if self.sign < 0 else "maximum"
        raise TypeError(
            f"a {type(self).__name__} cannot remove a part of its stream: it keeps one value, "
            f"not the values behind it, so the {what} of the rest is unknown"
        )

    def __repr__(self):
        return _describe(self, "", self.get())

    def __reduce__(self):
        return (type(self), (), (type(self).__name__, STATE_VERSION, self.n, self.value))

    def __setstate__(self, state):
        kind = type(self).__name__
        n, value = _unpack_state(state, kind, 2)
        self.n, self.value = _state_count(n, kind), _state_float(value, kind, "value")


cdef class Min(_Extreme):
    """Running minimum.

    Notes
    -----
    ``get()`` returns ``None`` before the first update. ``a + b`` and ``a += b`` merge the
    minima of two streams exactly; ``a - b`` is a ``TypeError``: the values behind them are gone.

    Examples
    --------
    >>> from river_lite import stats
    >>> low = stats.Min()
    >>> low.update_many([3.0, -1.0, 2.0])
    >>> low.get()
    -1.0
    >>> other = stats.Min()
    >>> other.update(-4.0)
    >>> (low + other).get()  # the minimum of both streams; Min has no subtraction
    -4.0
    """

    def __cinit__(self):
        self.sign = -1.0

    def __init__(self):
        pass

    @property
    def name(self):
        return "min"


cdef class Max(_Extreme):
    """Running maximum.

    Notes
    -----
    ``get()`` returns ``None`` before the first update. ``a + b`` and ``a += b`` merge the
    maxima of two streams exactly; ``a - b`` is a ``TypeError``: the values behind them are gone.

    Examples
    --------
    >>> from river_lite import stats
    >>> high = stats.Max()
    >>> high.update_many([3.0, -1.0, 2.0])
    >>> high.get()
    3.0
    >>> other = stats.Max()
    >>> other.update(5.0)
    >>> (high + other).get()  # the maximum of both streams; Max has no subtraction
    5.0
    """

    def __cinit__(self):
        self.sign = 1.0

    def __init__(self):
        pass

    @property
    def name(self):
        return "max"


cdef inline void _widen(double *low, double *high, double x) noexcept nogil:
    """Extends the range [low, high] to ``x``: PeakToPeak's update once it has a value."""
    if x < low[0]:
        low[0] = x
    elif x > high[0]:
        high[0] = x


cdef class PeakToPeak:
    """Running range, maximum minus minimum.

    Notes
    -----
    ``get()`` returns ``None`` before the first update. ``a + b`` and ``a += b`` merge the
    ranges of two streams exactly; ``a - b`` is a ``TypeError``: the values behind them are gone.

    Examples
    --------
    >>> from river_lite import stats
    >>> ptp = stats.PeakToPeak()
    >>> ptp.update_many([3.0, -1.0, 2.0])
    >>> ptp.get()
    4.0
    >>> other = stats.PeakToPeak()
    >>> other.update(7.0)
    >>> (ptp + other).get()  # the range of both streams; no subtraction
    8.0
    """

    cdef readonly double n
    cdef double low
    cdef double high

    def __init__(self):
        pass

    cdef inline void _add(self, double x) noexcept:
        if self.n == 0:
            self.low = x
            self.high = x
        else:
            _widen(&self.low, &self.high, x)
        self.n += 1.0

    def update(self, double x):
        """Adds one value."""
        _check_finite(x)
        self._add(x)

    def update_many(self, values, *, running=False):
        """Adds every value of a 1-D float array-like; with ``running=True``, returns the
        range after each value."""
        cdef bint keep = _running_flag(running)
        cdef const double[::1] xs = _finite_vector(values)
        cdef Py_ssize_t i, start = 0
        out = _running_output(xs.shape[0]) if keep else None
        cdef double[::1] ranges
        # On locals, as in Min and Max.
        cdef double low = self.low, high = self.high
        if xs.shape[0] and self.n == 0:
            low = high = xs[0]
            start = 1
        if keep:
            ranges = out
            if start:
                ranges[0] = high - low
            for i in range(start, xs.shape[0]):
                _widen(&low, &high, xs[i])
                ranges[i] = high - low
        else:
            for i in range(start, xs.shape[0]):
                _widen(&low, &high, xs[i])
        self.low, self.high = low, high
        self.n += xs.shape[0]
        return out

    def get(self):
        """The range, or None before the first update."""
        return self.high - self.low if self.n > 0 else None

    def __iadd__(self, other):
        """Merges the range of another stream into this one."""
        cdef PeakToPeak that = _operand(self, other)
        if that.n > 0:
            if self.n == 0 or that.low < self.low:
                self.low = that.low
            if self.n == 0 or that.high > self.high:
                self.high = that.high
        self.n += that.n
        return self

    def __add__(self, other):
        """A new PeakToPeak of both streams."""
        return _combined(self, other, False)

    def __sub__(self, other):
        raise TypeError(
            "a PeakToPeak cannot remove a part of its stream: it keeps the minimum and the "
            "maximum, not the values behind them, so the range of the rest is unknown"
        )

    @property
    def name(self):
        return "ptp"

    def __repr__(self):
        return _describe(self, "", self.get())

    def __reduce__(self):
        return (type(self), (), ("PeakToPeak", STATE_VERSION, self.n, self.low, self.high))

    def __setstate__(self, state):
        n, low, high = _unpack_state(state, "PeakToPeak", 3)
        low = _state_float(low, "PeakToPeak", "low")
        high = _state_float(high, "PeakToPeak", "high")
        if low > high:
            raise ValueError(f"bad PeakToPeak state: low {low!r} exceeds high {high!r}")
        self.n, self.low, self.high = _state_count(n, "PeakToPeak"), low, high


# Why EWMean and EWVar refuse `+` and `-`.
_FADING_NOT_MERGEABLE = (
    "each value's weight depends on its place in one stream (the newest weighs "
    "fading_factor), and two streams have no common order to weigh their values by"
)


cdef double _check_fading_factor(double fading_factor) except -1.0:
    if not (0.0 < fading_factor <= 1.0):
        raise ValueError(f"fading_factor must lie in (0, 1], got {fading_factor}")
    return fading_factor


cdef inline double _ew_mean_step(double mean, double x, double a) noexcept nogil:
    """The weighted mean after ``x``, once there is a mean: River's formula. The one copy of it:
    update() and update_many's running loop give the same bits."""
    return a * x + (1.0 - a) * mean


cdef inline void _ew_var_step(double *mean, double *var, double x, double a) noexcept nogil:
    """Finch's (2009) update of the weighted mean and variance by ``x``, once there is a mean.
    The one copy of it, as ``_ew_mean_step``."""
    cdef double diff = x - mean[0]
    cdef double increment = a * diff
    mean[0] += increment
    var[0] = (1.0 - a) * (var[0] + diff * increment)


cdef class EWMean:
    """Exponentially weighted mean.

    Parameters
    ----------
    fading_factor : float, default 0.5
        Weight of the newest value, in (0, 1]; the mean becomes
        ``fading_factor * x + (1 - fading_factor) * mean``. The first value starts the mean.

    Notes
    -----
    ``get()`` returns ``None`` before the first update. It cannot be merged (``+``, ``-``
    raise ``TypeError``): a value's weight depends on its place in one stream.

    Examples
    --------
    >>> from river_lite import stats
    >>> ewm = stats.EWMean(fading_factor=0.5)
    >>> ewm.update_many([1.0, 3.0, 5.0])
    >>> ewm.get()
    3.5
    """

    cdef readonly double fading_factor
    cdef readonly double n
    cdef double mean

    def __init__(self, double fading_factor=0.5):
        self.fading_factor = _check_fading_factor(fading_factor)

    cdef inline void _add(self, double x) noexcept:
        self.mean = x if self.n == 0 else _ew_mean_step(self.mean, x, self.fading_factor)
        self.n += 1.0

    def update(self, double x):
        """Adds one value."""
        _check_finite(x)
        self._add(x)

    def update_many(self, values, *, running=False):
        """Adds every value of a 1-D float array-like, in order; with ``running=True``,
        returns the mean after each value."""
        cdef bint reading = _running_flag(running)
        cdef const double[::1] xs = _finite_vector(values)
        cdef Py_ssize_t i, start = 0
        out = _running_output(xs.shape[0]) if reading else None
        cdef double[::1] means
        if xs.shape[0] and self.n == 0:
            self._add(xs[0])
            start = 1
        cdef double a = self.fading_factor, keep = 1.0 - self.fading_factor, mean = self.mean
        cdef double running_mean = mean
        if reading:
            # update()'s arithmetic for the outputs; the state then comes from the same
            # starting point by the faster recurrence below, as with running=False. On a
            # local: a store to `means` could alias `self.mean`, which then would be reloaded.
            means = out
            if start:
                means[0] = running_mean
            for i in range(start, xs.shape[0]):
                running_mean = _ew_mean_step(running_mean, xs[i], a)
                means[i] = running_mean
        # update()'s recurrence, four values at a time: mean_{t+4} = keep^4 mean_t + (a weighted
        # sum of the four values), so the serial chain is one multiply-add per four values.
        cdef double keep2 = keep * keep, keep3 = keep2 * keep, keep4 = keep2 * keep2
        cdef Py_ssize_t end = start + (xs.shape[0] - start) // 4 * 4
        for i in range(start, end, 4):
            mean = keep4 * mean + a * (
                keep3 * xs[i] + keep2 * xs[i + 1] + keep * xs[i + 2] + xs[i + 3]
            )
        for i in range(end, xs.shape[0]):
            mean = _ew_mean_step(mean, xs[i], a)
        self.mean = mean
        self.n += xs.shape[0] - start
        if reading and xs.shape[0]:
            means[xs.shape[0] - 1] = self.mean
        return out

    def get(self):
        """The weighted mean, or None before the first update."""
        return self.mean if self.n > 0 else None

    def __add__(self, other):
        raise _not_mergeable(self, _FADING_NOT_MERGEABLE)

    def __sub__(self, other):
        raise _not_mergeable(self, _FADING_NOT_MERGEABLE)

    @property
    def name(self):
        return f"ewm_{self.fading_factor}"

    def __repr__(self):
        return _describe(self, f"fading_factor={self.fading_factor}", self.get())

    def __reduce__(self):
        state = ("EWMean", STATE_VERSION, self.n, self.mean)
        return (type(self), (self.fading_factor,), state)

    def __setstate__(self, state):
        n, mean = _unpack_state(state, "EWMean", 2)
        self.n, self.mean = _state_count(n, "EWMean"), _state_float(mean, "EWMean", "mean")


cdef class EWVar:
    """Exponentially weighted variance.

    Parameters
    ----------
    fading_factor : float, default 0.5
        Weight of the newest value, in (0, 1].

    Notes
    -----
    Equal to River's ``E[x^2] - E[x]^2`` with exponentially weighted means, but computed with
    Finch's (2009) update ``var = (1 - a) * (var + a * (x - mean)^2)``, which does not lose
    precision when the values sit far from zero. ``get()`` returns ``None`` before the first
    update. It cannot be merged (``+``, ``-`` raise ``TypeError``): a value's weight depends on
    its place in one stream.

    Examples
    --------
    >>> from river_lite import stats
    >>> ewv = stats.EWVar(fading_factor=0.5)
    >>> ewv.update_many([1.0, 3.0, 5.0])
    >>> ewv.get()
    2.75
    """

    cdef readonly double fading_factor
    cdef readonly double n
    cdef double mean
    cdef double var

    def __init__(self, double fading_factor=0.5):
        self.fading_factor = _check_fading_factor(fading_factor)

    cdef inline void _add(self, double x) noexcept:
        if self.n == 0:
            self.mean = x
            self.var = 0.0
        else:
            _ew_var_step(&self.mean, &self.var, x, self.fading_factor)
        self.n += 1.0

    def update(self, double x):
        """Adds one value."""
        _check_finite(x)
        self._add(x)

    def update_many(self, values, *, running=False):
        """Adds every value of a 1-D float array-like, in order; with ``running=True``,
        returns the variance after each value."""
        cdef bint reading = _running_flag(running)
        cdef const double[::1] xs = _finite_vector(values)
        cdef Py_ssize_t i, start = 0
        out = _running_output(xs.shape[0]) if reading else None
        cdef double[::1] variances
        if xs.shape[0] and self.n == 0:
            self._add(xs[0])
            start = 1
        cdef double a = self.fading_factor, keep = 1.0 - self.fading_factor
        cdef double mean = self.mean, var = self.var
        cdef double running_mean = mean, running_var = var
        if reading:
            # As EWMean: update()'s arithmetic for the outputs, on locals, and the recurrence
            # below for the state.
            variances = out
            if start:
                variances[0] = running_var
            for i in range(start, xs.shape[0]):
                _ew_var_step(&running_mean, &running_var, xs[i], a)
                variances[i] = running_var
        # update()'s recurrence, four values at a time. Within a block the means are
        # keep^j * mean + (a part that does not depend on mean), so the four deviations, and
        # then the block's variance update, follow from the block's starting mean at once.
        cdef double keep2 = keep * keep, keep3 = keep2 * keep, keep4 = keep2 * keep2
        cdef double p1, p2, p3, d1, d2, d3, d4
        cdef Py_ssize_t end = start + (xs.shape[0] - start) // 4 * 4
        for i in range(start, end, 4):
            p1 = a * xs[i]
            p2 = keep * p1 + a * xs[i + 1]
            p3 = keep * p2 + a * xs[i + 2]
            d1 = xs[i] - mean
            d2 = xs[i + 1] - (keep * mean + p1)
            d3 = xs[i + 2] - (keep2 * mean + p2)
            d4 = xs[i + 3] - (keep3 * mean + p3)
            var = keep4 * var + a * (
                keep4 * d1 * d1 + keep3 * d2 * d2 + keep2 * d3 * d3 + keep * d4 * d4
            )
            mean = keep4 * mean + keep * p3 + a * xs[i + 3]
        for i in range(end, xs.shape[0]):
            _ew_var_step(&mean, &var, xs[i], a)
        self.mean, self.var = mean, var
        self.n += xs.shape[0] - start
        if reading and xs.shape[0]:
            variances[xs.shape[0] - 1] = self.var
        return out

    def get(self):
        """The weighted variance, or None before the first update."""
        return self.var if self.n > 0 else None

    def __add__(self, other):
        raise _not_mergeable(self, _FADING_NOT_MERGEABLE)

    def __sub__(self, other):
        raise _not_mergeable(self, _FADING_NOT_MERGEABLE)

    @property
    def name(self):
        return f"ewv_{self.fading_factor}"

    def __repr__(self):
        return _describe(self, f"fading_factor={self.fading_factor}", self.get())

    def __reduce__(self):
        state = ("EWVar", STATE_VERSION, self.n, self.mean, self.var)
        return (type(self), (self.fading_factor,), state)

    def __setstate__(self, state):
        n, mean, var = _unpack_state(state, "EWVar", 3)
        var = _state_float(var, "EWVar", "var")
        if var < 0:
            raise ValueError(f"bad EWVar state: var must be >= 0, got {var!r}")
        self.n, self.mean, self.var = (
            _state_count(n, "EWVar"), _state_float(mean, "EWVar", "mean"), var
        )


cdef inline void _moments_add(Moments *m, double x, double inverse) noexcept nogil:
    """Pébay's (2008) one-pass update of the moments by one value, ``inverse`` being
    ``1 / (m.n + 1)``. The one copy of it: update() and update_many's running loop give the
    same bits."""
    cdef double n = m.n + 1.0
    cdef double delta = _mean_step(&m.mean, &m.mean_lo, x, inverse)  # x minus the mean so far
    cdef double delta_n = inverse * delta
    cdef double delta_n2 = delta_n * delta_n
    cdef double term = delta * delta_n * (n - 1.0)
    m.m4 += term * delta_n2 * (n * n - 3.0 * n + 3.0) + 6.0 * delta_n2 * m.m2 - 4.0 * delta_n * m.m3
    m.m3 += term * delta_n * (n - 2.0) - 3.0 * delta_n * m.m2
    m.m2 += term
    m.n = n


cdef inline double _skew_of(double n, double m2, double m3, bint bias) noexcept nogil:
    """The skewness of n > 0 values from their moment sums (0 while all are equal):
    sqrt(n) * m3 / m2 ** 1.5, times sqrt(n * (n - 1)) / (n - 2) without bias (needs n > 2)."""
    if not bias and n > 2:
        return _unbiased_skew(n, 1.0 / (n - 2.0), m2, m3)
    return _biased_skew(n, m2, m3)


# The statistics below are arranged for one division and one square root each, the two
# slow operations, and written branch-free: a select of a value computed anyway (a division
# by zero is discarded, not trapped), so that the block loops of _skews and _kurtoses
# vectorise this very code, with the reciprocals of n - 2 and n - 3 from the block's 1/n.

cdef inline double _biased_skew(double n, double m2, double m3) noexcept nogil:
    """_skew_of with bias: m3 / m2 * sqrt(n / m2)."""
    cdef double r = 1.0 / m2
    cdef double skew = m3 * r * sqrt(n * r)
    return skew if m2 != 0 else 0.0


cdef inline double _unbiased_skew(double n, double inverse_2, double m2, double m3) noexcept nogil:
    """_skew_of without bias, n > 2 and ``inverse_2 = 1 / (n - 2)``."""
    cdef double r = 1.0 / m2
    cdef double skew = m3 * r * sqrt((n - 1.0) * r) * (n * inverse_2)
    return skew if m2 != 0 else 0.0


cdef inline double _kurtosis_of(double n, double m2, double m4, bint bias) noexcept nogil:
    """The excess kurtosis of n > 0 values from their moment sums (-3 while all are equal),
    corrected for bias when asked and n > 3."""
    if not bias and n > 3:
        return _unbiased_kurtosis(n, 1.0 / (n - 2.0), 1.0 / (n - 3.0), _kurtosis_ratio(n, m2, m4))
    return _kurtosis_ratio(n, m2, m4) - 3.0


cdef inline double _kurtosis_ratio(double n, double m2, double m4) noexcept nogil:
    """n * m4 / m2 ** 2 (0 while all values are equal), as two factors of moderate size."""
    cdef double r = 1.0 / m2
    cdef double k = (n * r) * (m4 * r)
    return k if m2 != 0 else 0.0


cdef inline double _unbiased_kurtosis(
    double n, double inverse_2, double inverse_3, double k
) noexcept nogil:
    """The bias-corrected excess kurtosis from ``k = _kurtosis_ratio(n, ...)``, n > 3, with
    ``inverse_2 = 1 / (n - 2)`` and ``inverse_3 = 1 / (n - 3)``."""
    return ((n * n - 1.0) * k - 3.0 * (n - 1.0) * (n - 1.0)) * (inverse_2 * inverse_3)


cdef void _skews(double first, int count, const double *inverse, const double *m2,
                 double *values, bint bias) noexcept nogil:
    """A block of running outputs in place: ``values[j]``, M3 after the ``first + j``-th value,
    becomes ``_skew_of`` of it; ``inverse[j]`` is ``1 / (first + j - 3)``. The branch on
    ``n`` is taken once per block (the loop over a block past n = 2 has none, and
    vectorises), so the bits are _skew_of's."""
    cdef int j
    if first > 2 and not bias:
        for j in range(count):
            values[j] = _unbiased_skew(first + <double>j, inverse[j + 1], m2[j], values[j])
    elif bias:
        for j in range(count):
            values[j] = _biased_skew(first + <double>j, m2[j], values[j])
    else:
        for j in range(count):
            values[j] = _skew_of(first + <double>j, m2[j], values[j], bias)


cdef void _kurtoses(double first, int count, const double *inverse, const double *m2,
                    double *values, bint bias) noexcept nogil:
    """As _skews, for ``_kurtosis_of`` of M4 in ``values``."""
    cdef int j
    cdef double n
    if first > 3 and not bias:
        for j in range(count):
            n = first + <double>j
            values[j] = _unbiased_kurtosis(
                n, inverse[j + 1], inverse[j], _kurtosis_ratio(n, m2[j], values[j])
            )
    elif bias:
        for j in range(count):
            values[j] = _kurtosis_ratio(first + <double>j, m2[j], values[j]) - 3.0
    else:
        for j in range(count):
            values[j] = _kurtosis_of(first + <double>j, m2[j], values[j], bias)


cdef class _CentralMoments:
    """Count, mean and the 2nd to 4th central moment sums, by Pébay's (2008) one-pass update;
    shared by Skew and Kurtosis. The mean is a double-double (``mean + mean_lo``): M3 moves
    by ``3 * M2`` times any error of the mean, so a double mean (off by 6e-8 at 1e9) would
    cost the skewness of ``1e9 + noise`` most of its digits.

    There is no ``revert``: undoing the update subtracts fourth powers, and when a large value
    leaves, the moments of what remains drown in its rounding error (River has none either).
    Removing a whole part of the stream (``a - b``) is offered, with that caveat, since it is
    what a window of parts or a correction needs; see Skew's notes."""

    cdef readonly double n
    cdef readonly bint bias
    cdef double mean
    cdef double mean_lo
    cdef double m2
    cdef double m3
    cdef double m4

    def __init__(self, bias=False):
        if not isinstance(bias, (bool, np.bool_)) and _integer_or_none(bias) is None:
            raise TypeError(f"bias must be a bool, got {bias!r}")
        self.bias = bias

    cdef Moments _moments(self):
        return Moments(self.n, self.mean, self.mean_lo, self.m2, self.m3, self.m4)

    cdef void _set(self, Moments m) noexcept:
        self.n, self.mean, self.mean_lo = m.n, m.mean, m.mean_lo
        self.m2, self.m3, self.m4 = m.m2, m.m3, m.m4

    cdef inline void _add(self, double x) noexcept:
        # The fields copied in and out here, not by _moments()/_set(): those are virtual calls,
        # which cost the per-value update a quarter of its time.
        cdef Moments m = Moments(self.n, self.mean, self.mean_lo, self.m2, self.m3, self.m4)
        _moments_add(&m, x, 1.0 / (m.n + 1.0))
        self.n, self.mean, self.mean_lo = m.n, m.mean, m.mean_lo
        self.m2, self.m3, self.m4 = m.m2, m.m3, m.m4

    def update(self, double x):
        """Adds one value."""
        _check_finite(x)
        self._add(x)

    cdef double _value(self) noexcept:
        """get() once a value was seen (each subclass's statistic)."""
        return 0.0

    cdef bint _is_skew(self) noexcept:
        """Which statistic update_many's running loop computes: Skew's, else Kurtosis'."""
        return False

    def update_many(self, values, *, running=False):
        """Adds every value of a 1-D float array-like (as a batch, then merged); with
        ``running=True``, returns the statistic after each value."""
        cdef bint keep = _running_flag(running)
        cdef const double[::1] xs = _float_vector(values)  # checked by the batch, as Var's
        cdef Py_ssize_t n = xs.shape[0]
        cdef Moments start = self._moments()
        cdef Moments m = start  # a local copy, kept in registers by the loop
        cdef bint bias = self.bias, skew = self._is_skew()
        out = _running_output(n) if keep else None
        cdef double[::1] outputs
        cdef double inverse[RUN_BLOCK + 3]  # 1/n of the block's counts, from n - 3
        cdef double m2[RUN_BLOCK]
        cdef double first
        cdef Py_ssize_t block
        cdef int j, size
        if keep and n:
            outputs = out
            # Blocks (see RUN_BLOCK), each output first the moment it needs; the statistic
            # inlined, not the virtual _value(): a call per value costs as much as the update.
            block = 0
            while block < n:
                size = <int>min(<Py_ssize_t>RUN_BLOCK, n - block)
                first = m.n + 1.0
                _reciprocals(first - 3.0, size + 3, inverse)
                for j in range(size):
                    _moments_add(&m, xs[block + j], inverse[j + 3])
                    m2[j] = m.m2
                    outputs[block + j] = m.m3 if skew else m.m4
                if skew:
                    _skews(first, size, inverse, m2, &outputs[block], bias)
                else:
                    _kurtoses(first, size, inverse, m2, &outputs[block], bias)
                block += size
        if n == 0:
            return out
        self._set(_merge_moments(start, _checked_batch(xs, 4)))
        if keep:
            outputs[n - 1] = self._value()
        return out

    cdef _CentralMoments _checked_operand(self, object other):
        cdef _CentralMoments that = _operand(self, other)
        if that.bias != self.bias:
            kind = type(self).__name__
            raise ValueError(
                f"cannot combine {kind}(bias={bool(self.bias)}) with "
                f"{kind}(bias={bool(that.bias)}): bias must be the same"
            )
        return that

    def __iadd__(self, other):
        """Merges the moments of another stream into these."""
        cdef _CentralMoments that = self._checked_operand(other)
        self._set(_merge_moments(self._moments(), that._moments()))
        return self

    def __add__(self, other):
        """A new statistic of both streams."""
        self._checked_operand(other)
        return _combined(self, other, False)

    def __isub__(self, other):
        """Removes a part of the stream, given as the same statistic of that part."""
        cdef _CentralMoments that = self._checked_operand(other)
        self._set(_remove_moments(self._moments(), that._moments(), 4, type(self).__name__))
        return self

    def __sub__(self, other):
        """A new statistic without a part of the stream."""
        self._checked_operand(other)
        return _combined(self, other, True)

    def __repr__(self):
        return _describe(self, f"bias={bool(self.bias)}", self.get())

    def __reduce__(self):
        kind = type(self).__name__
        state = (kind, STATE_VERSION, self.n, self.mean, self.mean_lo, self.m2, self.m3, self.m4)
        return (type(self), (bool(self.bias),), state)

    def __setstate__(self, state):
        kind = type(self).__name__
        n, mean, mean_lo, m2, m3, m4 = _unpack_state(state, kind, 6)
        values = [
            _state_float(v, kind, f)
            for v, f in zip((mean, m2, m3, m4), ("mean", "m2", "m3", "m4"))
        ]
        if values[1] < 0 or values[3] < 0:
            raise ValueError(f"bad {kind} state: m2 and m4 must be >= 0")
        mean_lo = _state_mean_lo(mean_lo, values[0], kind)
        self._set(
            Moments(_state_count(n, kind), values[0], mean_lo, values[1], values[2], values[3])
        )


cdef class Skew(_CentralMoments):
    """Running skewness (Fisher–Pearson), equal to ``scipy.stats.skew(x, bias=bias)``.

    Parameters
    ----------
    bias : bool, default False
        If False, the estimate is corrected for statistical bias (needs n > 2).

    Notes
    -----
    ``get()`` returns ``None`` before the first update and 0.0 while all values are equal.

    Skewnesses of parts of a stream merge exactly (Pébay, 2008): ``a + b`` is the skewness
    of both streams and ``a += b`` merges ``b`` into ``a``, to rounding even on values far
    from zero. ``a - b`` and ``a -= b`` remove a part ``b`` of ``a``'s stream: exact in real
    arithmetic, but the rest keeps only the digits its moment sums do not share with the
    part, so removing a part that holds values thousands of standard deviations out leaves
    few of them. Both operands must have the same ``bias`` (``ValueError`` otherwise).

    Examples
    --------
    >>> from river_lite import stats
    >>> skew = stats.Skew(bias=True)
    >>> skew.update_many([1.0, 2.0, 10.0])
    >>> round(skew.get(), 6)
    0.674555
    >>> first, second = stats.Skew(bias=True), stats.Skew(bias=True)
    >>> first.update_many([1.0, 2.0])
    >>> second.update(10.0)
    >>> round((first + second).get(), 6)
    0.674555
    """

    def get(self):
        """The skewness, or None before the first update."""
        if self.n == 0:
            return None
        return self._value()

    cdef double _value(self) noexcept:
        return _skew_of(self.n, self.m2, self.m3, self.bias)

    cdef bint _is_skew(self) noexcept:
        return True

    def __init__(self, bias=False):
        _CentralMoments.__init__(self, bias)

    @property
    def name(self):
        return "skew"


cdef class Kurtosis(_CentralMoments):
    """Running excess kurtosis (Fisher), equal to ``scipy.stats.kurtosis(x, bias=bias)``.

    Parameters
    ----------
    bias : bool, default False
        If False, the estimate is corrected for statistical bias (needs n > 3).

    Notes
    -----
    ``get()`` returns ``None`` before the first update and -3.0 while all values are equal
    (as River does). ``+``, ``+=``, ``-`` and ``-=`` merge and remove parts of the stream as
    :class:`Skew`'s do, with the same caveat on removing extreme values.

    Examples
    --------
    >>> from river_lite import stats
    >>> kurtosis = stats.Kurtosis(bias=True)
    >>> kurtosis.update_many([1.0, 2.0, 3.0, 4.0])
    >>> round(kurtosis.get(), 6)
    -1.36
    >>> first, second = stats.Kurtosis(bias=True), stats.Kurtosis(bias=True)
    >>> first.update_many([1.0, 2.0])
    >>> second.update_many([3.0, 4.0])
    >>> round((first + second).get(), 6)
    -1.36
    """

    def get(self):
        """The excess kurtosis, or None before the first update."""
        if self.n == 0:
            return None
        return self._value()

    cdef double _value(self) noexcept:
        return _kurtosis_of(self.n, self.m2, self.m4, self.bias)

    def __init__(self, bias=False):
        _CentralMoments.__init__(self, bias)

    @property
    def name(self):
        return "kurtosis"


cdef class Rolling:
    """Any statistic with ``revert``, over the last ``window_size`` values.

    Parameters
    ----------
    stat : class or instance
        A statistic that implements ``update`` and ``revert`` (``Count``, ``Mean``, ``Var``).
        A class is instantiated with ``**kwargs``; an instance must not have seen any value.
    window_size : int
        Number of most recent values, at least 1.

    Notes
    -----
    When the window is full, ``update(x)`` reverts the oldest value before adding ``x``. The
    window buffer is guarded by the object's critical section (free-threaded Python).
    ``get()`` is the wrapped statistic's. ``name`` is the wrapped statistic's name, as in River.
    A window cannot be merged (``+``, ``-`` raise ``TypeError``): the windows of two streams do
    not make the window of their union.

    Examples
    --------
    >>> from river_lite import stats
    >>> rolling = stats.Rolling(stats.Mean, window_size=2)
    >>> rolling.update_many([1.0, 2.0, 6.0])
    >>> rolling.get()
    4.0
    """

    cdef readonly object obj
    cdef readonly Py_ssize_t window_size
    cdef double* values
    cdef Py_ssize_t start
    cdef Py_ssize_t size

    def __cinit__(self, *args, **kwargs):
        self.values = NULL

    def __init__(self, stat, window_size, **kwargs):
        if isinstance(stat, type):
            stat = stat(**kwargs)
        elif kwargs:
            raise TypeError("keyword arguments are only accepted with a statistic class")
        if not (
            callable(getattr(stat, "update", None)) and callable(getattr(stat, "revert", None))
        ):
            raise TypeError(f"{type(stat).__name__} cannot be rolled: it has no revert method")
        # The window is one allocation of window_size doubles: its size in bytes must fit.
        window_size = _check_window_size(window_size, PY_SSIZE_T_MAX // sizeof(double))
        fresh = stat.get()
        if fresh not in (None, 0):
            raise ValueError(f"{type(stat).__name__} must not have seen values before rolling")
        self.values = <double*>malloc(window_size * sizeof(double))
        if self.values == NULL:
            raise MemoryError(f"cannot allocate a window of {window_size} values")
        self.obj = stat
        self.window_size = window_size
        self.start = 0
        self.size = 0

    def __dealloc__(self):
        free(self.values)

    cdef int _push(self, double x) except -1:
        cdef Py_ssize_t slot
        if self.size == self.window_size:
            self.obj.revert(self.values[self.start])
            self.start = (self.start + 1) % self.window_size
            self.size -= 1
        self.obj.update(x)
        slot = (self.start + self.size) % self.window_size
        self.values[slot] = x
        self.size += 1
        return 0

    def update(self, double x):
        """Adds one value, reverting the oldest when the window is full."""
        _check_finite(x)
        with cython.critical_section(self):
            self._push(x)

    def update_many(self, values, *, running=False):
        """Adds every value of a 1-D float array-like, in order; with ``running=True``,
        returns the wrapped statistic after each value (NaN where its ``get()`` is None)."""
        cdef bint keep = _running_flag(running)
        cdef const double[::1] xs = _finite_vector(values)
        out = _running_output(xs.shape[0]) if keep else None
        cdef double[::1] outputs = out
        cdef type kind = type(self.obj)
        with cython.critical_section(self):
            if kind is Mean or kind is Var:
                self._roll_moments(xs, outputs, kind is Var)
            elif kind is Count:
                self._roll_count(xs, outputs)
            else:
                self._roll_any(xs, outputs)
        return out

    cdef void _roll_moments(self, const double[::1] xs, double[::1] out, bint variance) noexcept:
        """The batch loop for Mean and Var: their ``_remove`` and ``_add``'s arithmetic (the
        same inline functions) on local copies of their state, which the compiler keeps in
        registers (through the object, every value would store and reload them)."""
        cdef Mean mean_stat = None
        cdef Var var_stat = None
        cdef double n, mean, mean_lo = 0.0, sum_squares = 0.0, oldest, x
        cdef int ddof = 0
        if variance:
            var_stat = <Var>self.obj
            n, mean, mean_lo = var_stat.n, var_stat.mean, var_stat.mean_lo
            sum_squares, ddof = var_stat.sum_squares, var_stat.ddof
        else:
            mean_stat = <Mean>self.obj
            n, mean = mean_stat.n, mean_stat.mean
        cdef bint keep = out is not None
        cdef Py_ssize_t i, slot, start = self.start, size = self.size, w = self.window_size
        cdef double* window = self.values
        for i in range(xs.shape[0]):
            if size == w:
                oldest = window[start]
                if variance:
                    _var_remove(&n, &mean, &mean_lo, &sum_squares, oldest)
                else:
                    n -= 1.0
                    mean = 0.0 if n == 0 else _mean_without(mean, n, oldest)
                start += 1
                if start == w:
                    start = 0
                size -= 1
            x = xs[i]
            if variance:
                _var_add(&n, &mean, &mean_lo, &sum_squares, x, 1.0 / (n + 1.0))
            else:
                n += 1.0
                mean = _mean_with(mean, n, x)
            slot = start + size
            if slot >= w:
                slot -= w
            window[slot] = x
            size += 1
            if keep:
                out[i] = _variance(sum_squares, n, ddof) if variance else mean
        if variance:
            var_stat.n, var_stat.mean, var_stat.mean_lo = n, mean, mean_lo
            var_stat.sum_squares = sum_squares
        else:
            mean_stat.n, mean_stat.mean = n, mean
        self.start, self.size = start, size

    cdef void _roll_count(self, const double[::1] xs, double[::1] out) noexcept:
        """The batch loop for Count, without a Python call per value."""
        cdef Count count = <Count>self.obj
        cdef bint keep = out is not None
        cdef Py_ssize_t i, slot
        for i in range(xs.shape[0]):
            if self.size == self.window_size:
                count.n -= 1
                self.start += 1
                if self.start == self.window_size:
                    self.start = 0
                self.size -= 1
            count.n += 1
            slot = self.start + self.size
            if slot >= self.window_size:
                slot -= self.window_size
            self.values[slot] = xs[i]
            self.size += 1
            if keep:
                out[i] = count.n

    cdef int _roll_any(self, const double[::1] xs, double[::1] out) except -1:
        """The batch loop for any other statistic, through its Python methods. Such a statistic
        may raise part-way: the batch is then undone (the statistic from a deep copy taken
        before, the window's overwritten slots from a log) and the error re-raised."""
        cdef Py_ssize_t i, start = self.start, size = self.size
        saved = copy.deepcopy(self.obj)
        cdef list overwritten = []
        try:
            for i in range(xs.shape[0]):
                # The slot this push writes (after evicting, when the window is full).
                overwritten.append(self.values[(start + size + i) % self.window_size])
                self._push(xs[i])
                if out is not None:
                    value = self.obj.get()
                    out[i] = float("nan") if value is None else value
        except BaseException:
            for i in reversed(range(len(overwritten))):
                self.values[(start + size + i) % self.window_size] = overwritten[i]
            self.obj, self.start, self.size = saved, start, size
            raise
        return 0

    def get(self):
        """The wrapped statistic over the window."""
        return self.obj.get()

    def __add__(self, other):
        raise _not_mergeable(self, _WINDOW_NOT_MERGEABLE)

    def __sub__(self, other):
        raise _not_mergeable(self, _WINDOW_NOT_MERGEABLE)

    @property
    def window(self):
        """The values in the window, oldest first."""
        with cython.critical_section(self):
            return [self.values[(self.start + i) % self.window_size] for i in range(self.size)]

    @property
    def name(self):
        return self.obj.name

    def __repr__(self):
        params = f"{type(self.obj).__name__}, window_size={self.window_size}"
        return _describe(self, params, self.get())

    def __reduce__(self):
        state = ("Rolling", STATE_VERSION, self.obj, tuple(self.window))
        return (_new_rolling, (type(self.obj), self.obj.__reduce__()[1], self.window_size), state)

    def __setstate__(self, state):
        obj, window = _unpack_state(state, "Rolling", 2)
        if type(obj) is not type(self.obj):
            raise ValueError(f"bad Rolling state: expected a {type(self.obj).__name__}")
        if not isinstance(window, tuple) or len(window) > self.window_size:
            raise ValueError(
                f"bad Rolling state: window must be a tuple of at most {self.window_size} values"
            )
        values = [_state_float(v, "Rolling", "window") for v in window]
        with cython.critical_section(self):
            self.obj = obj
            self.start = 0
            self.size = len(values)
            for i, v in enumerate(values):
                self.values[i] = v


def _new_rolling(stat_class, stat_args, window_size):
    """Unpickling helper: an empty Rolling around a fresh statistic."""
    return Rolling(stat_class(*stat_args), window_size)
