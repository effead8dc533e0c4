"""The contract every online statistic of :mod:`river_lite.stats` follows, in one place.

A statistic ``s`` is fed one value at a time and can be read at any moment:

``s.update(x) -> None``
    Adds the finite number ``x``. NaN and ±inf raise ``ValueError``; a non-number raises
    ``TypeError``. A rejected value leaves the statistic unchanged.
``s.update_many(values, *, running=False) -> None``
    Same as ``for x in values: s.update(x)``, for any 1-D array-like of real numbers or an
    iterator of them. A contiguous float64 NumPy array is read in place (zero-copy); any other
    real dtype or layout is converted once; Python objects are read one by one as ``update``
    reads ``x`` (so None or text among them is a ``TypeError``). A 2-D or ragged array raises
    ``ValueError``; arrays of text, complex numbers or dates raise ``TypeError`` naming
    ``values`` (NumPy would parse, truncate or count them); a batch with a NaN or infinite
    value is rejected whole, before any of it is added.
``s.update_many(values, *, running=True) -> numpy.ndarray``
    The same, and returns the running values: a new float64 array ``out`` of ``len(values)``
    entries, allocated once, where ``out[i]`` is what ``get()`` returns right after the
    ``i``-th value (NaN where it would be None). ``running`` is keyword-only and must be a
    bool (``numpy.bool_`` too); anything else, 0 and 1 included, is a ``TypeError``. The state
    afterwards is exactly the state ``running=False`` leaves, and ``out[-1] == get()``. The
    outputs are ``update``'s arithmetic, so they equal a loop of ``update`` and ``get`` bit
    for bit, with one exception: where ``update_many`` is more accurate than a loop (``Mean``,
    ``Var``, ``Skew`` and ``Kurtosis`` merge the batch's own moments, computed in two passes)
    or unrolls the recurrence (``EWMean``, ``EWVar``), the last output is the batch's state,
    which agrees with the loop to rounding (1e-12 relative on ordinary data; on values far
    from zero, such as 10^9 plus noise, the batch is the more accurate one). A rejected batch
    (non-finite values, a 2-D array, a wrong ``running``) changes nothing, and neither does
    one that fails part-way (``Rolling`` of a statistic of your own whose methods raise: it
    is restored from a ``copy.deepcopy`` taken before the batch). The rolling quantiles
    compute a large batch with sorted blocks instead of their tree (see
    :class:`~river_lite.stats.RollingQuantile`), with the same results.
``s.get() -> float | None``
    The statistic of the values seen so far. Before the first value every statistic returns
    ``None``, except ``Count``, which returns 0.
``s.revert(x) -> None`` (``Revertible`` statistics only)
    Removes a value that was added earlier; ``ValueError`` when there is nothing to remove.
``s.name``, ``repr(s)``
    River's name for the statistic, and ``"Class(params): value"``.
``pickle`` / ``copy.deepcopy``
    Round-trip and continue with identical results. States are versioned: a corrupt, truncated
    or foreign state raises ``ValueError``.
``a + b``, ``a += b`` (``Count, Mean, Var, Min, Max, PeakToPeak, Skew, Kurtosis``)
    The statistic of both streams (a new object; in place), as if one had seen them all: for
    partial results of parts of a stream, computed anywhere. ``a - b``, ``a -= b`` (``Count,
    Mean, Var, Skew, Kurtosis``) remove a part. Both operands must be of one class with the same
    parameters (``TypeError``, ``ValueError`` otherwise, and neither changes); the statistics
    that cannot merge exactly raise a ``TypeError`` that says why.

Threads: like River's, a statistic is meant to be fed by one thread at a time. On
free-threaded Python, concurrent calls on one instance of a class that owns native memory
(the quantiles, ``Rolling``) are serialised by a per-object critical section, so they can never
corrupt memory; for the moment statistics, racing updates give unspecified numbers.

Statistics are native (Cython or Rust) types, so ``update`` runs no Python code. They are
registered as virtual subclasses of :class:`Univariate` (and :class:`Revertible`), so
``isinstance`` checks work.
"""

from __future__ import annotations

import abc
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt


class Univariate(abc.ABC):
    """A statistic over a stream of numbers (see the module docstring for the contract).

    Every statistic of :mod:`river_lite.stats` is registered as a virtual subclass, so
    ``isinstance`` tells a statistic from anything else.

    Examples
    --------
    >>> from river_lite import stats
    >>> isinstance(stats.Quantile(0.9), stats.Univariate)
    True
    >>> m = stats.Mean()
    >>> m.update_many([1.0, 2.0, 3.0])
    >>> m.name, m.get()
    ('mean', 2.0)
    >>> m.update_many([4.0, 6.0], running=True)  # the mean after each value
    array([2.5, 3.2])
    """

    @abc.abstractmethod
    def update(self, x: float) -> None: ...

    @abc.abstractmethod
    def update_many(
        self, values: npt.ArrayLike, *, running: bool = False
    ) -> npt.NDArray[np.float64] | None: ...

    @abc.abstractmethod
    def get(self) -> float | None: ...

    @property
    @abc.abstractmethod
    def name(self) -> str: ...


class Revertible(Univariate):
    """A :class:`Univariate` that can also forget a value; ``Rolling`` wraps these.

    Examples
    --------
    >>> from river_lite import stats
    >>> isinstance(stats.Var(), stats.Revertible), isinstance(stats.Max(), stats.Revertible)
    (True, False)
    >>> m = stats.Mean()
    >>> m.update_many([1.0, 2.0, 3.0])
    >>> m.revert(3.0)
    >>> m.get()
    1.5
    """

    @abc.abstractmethod
    def revert(self, x: float) -> None: ...
