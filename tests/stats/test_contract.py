"""The contract of river_lite.stats.base, checked on every public statistic."""

from __future__ import annotations

import copy
import math
import pickle
import sys

import numpy as np
import pytest
from stats_catalog import EMPTY_VALUE, FACTORIES, REVERTIBLE

from river_lite import stats

NAMES = list(FACTORIES)
STREAM = np.random.default_rng(42).normal(3.0, 2.0, size=300)


def assert_same(a, b):
    if a is None or b is None:
        assert a is b
    else:
        assert a == pytest.approx(b, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("name", NAMES)
def test_update_returns_none_and_get_is_a_float(name):
    stat = FACTORIES[name]()
    assert stat.update(1.5) is None
    stat.update(-2.0)
    value = stat.get()
    assert isinstance(value, (float, int)) and not isinstance(value, bool)


@pytest.mark.parametrize("name", NAMES)
def test_empty_state(name):
    stat = FACTORIES[name]()
    expected = EMPTY_VALUE.get(name)
    assert stat.get() == expected if expected is not None else stat.get() is None
    assert repr(stat).endswith(f": {expected!r}")


@pytest.mark.parametrize("name", NAMES)
def test_isinstance_of_the_base_contract(name):
    stat = FACTORIES[name]()
    assert isinstance(stat, stats.Univariate)
    assert isinstance(stat, stats.Revertible) == (name in REVERTIBLE)


@pytest.mark.parametrize("name", NAMES)
def test_update_many_equals_a_loop_of_update(name):
    one_by_one, batched = FACTORIES[name](), FACTORIES[name]()
    for x in STREAM:
        one_by_one.update(x)
    batched.update_many(STREAM)
    assert_same(one_by_one.get(), batched.get())


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(
    "convert",
    [
        lambda a: a.tolist(),
        lambda a: a.astype(np.float32),
        lambda a: a.astype(np.int64),
        lambda a: np.repeat(a, 2)[::2],  # strided view
        lambda a: np.asarray(a, order="C").view(a.dtype.newbyteorder()).byteswap(),  # big-endian
    ],
    ids=["list", "float32", "int64", "strided", "big-endian"],
)
def test_update_many_accepts_any_1d_float_array_like(name, convert):
    values = np.round(STREAM[:50], 3)
    converted = convert(values)
    reference, stat = FACTORIES[name](), FACTORIES[name]()
    reference.update_many(np.asarray(converted, dtype=np.float64))
    stat.update_many(converted)
    assert_same(stat.get(), reference.get())


@pytest.mark.parametrize("name", NAMES)
def test_update_many_reads_a_readonly_array(name):
    values = STREAM.copy()
    values.flags.writeable = False
    stat = FACTORIES[name]()
    stat.update_many(values)
    assert stat.get() is not None


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_values_are_rejected_without_changing_the_state(name, bad):
    stat = FACTORIES[name]()
    stat.update_many(STREAM[:20])
    before = stat.get()
    with pytest.raises(ValueError, match="NaN and infinite"):
        stat.update(bad)
    with pytest.raises(ValueError, match=r"values\[2\] is"):
        stat.update_many([1.0, 2.0, bad, 3.0])
    assert_same(stat.get(), before)
    stat.update(1.0)  # still usable


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("bad", ["abc", None, [1.0], object()])
def test_non_numbers_are_a_type_error(name, bad):
    stat = FACTORIES[name]()
    if name == "Count" and bad is None:
        pytest.skip("Count.update() takes x=None: it counts without reading the value")
    with pytest.raises(TypeError):
        stat.update(bad)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("shape", [(3, 2), (1, 4), ()])
def test_update_many_rejects_non_1d_input(name, shape):
    stat = FACTORIES[name]()
    with pytest.raises(ValueError, match="1-D"):
        stat.update_many(np.ones(shape))


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(
    "values",
    [
        ["1.0", "x"],
        ["1.0", "2.0"],  # text that looks like numbers is still text (NumPy would parse it)
        "123",
        {1: 2.0},
        np.array([1.0 + 2j]),  # NumPy would drop the imaginary part with a warning
        np.array(["2020-01-01"], dtype="datetime64[D]"),  # NumPy would count the days
        np.array([1, 2], dtype="timedelta64[s]"),
        [1.0, "x"],
        "a generator",  # made fresh in the test: a generator is consumed once
        np.array(["1.5", "2.5"], dtype=object),  # text in an object array is not parsed
        np.array([np.datetime64("2020-01-01", "D")], dtype=object),
        [1.0, None],  # as update(None)
        bytearray(b"12"),  # bytes, not numbers
    ],
    ids=[
        "text",
        "numeric-text",
        "str",
        "dict",
        "complex",
        "datetime64",
        "timedelta64",
        "mixed",
        "generator",
        "object-text",
        "object-datetime",
        "None",
        "bytearray",
    ],
)
def test_update_many_with_values_that_are_not_real_numbers_is_a_type_error(name, values):
    if isinstance(values, str) and values == "a generator":
        values = (x for x in ["1.5", "2.5"])
    stat = FACTORIES[name]()
    stat.update_many([1.0, 2.0])
    before = stat.get()
    with pytest.raises(
        TypeError, match=r"values(\[\d+\])? must be a (1-D array-like of )?real number"
    ):
        stat.update_many(values)
    assert_same(stat.get(), before)


@pytest.mark.parametrize("name", NAMES)
def test_update_many_names_values_when_they_are_ragged(name):
    for values in ([1.0, [2.0, 3.0]], iter([1.0, [2.0, 3.0]])):
        with pytest.raises(ValueError, match="values must be a 1-D array-like"):
            FACTORIES[name]().update_many(values)


@pytest.mark.parametrize("name", NAMES)
def test_update_many_names_the_value_too_large_for_a_float(name):
    with pytest.raises(OverflowError, match=r"values\[1\] is too large"):
        FACTORIES[name]().update_many([1.0, 10**400])


@pytest.mark.parametrize("name", NAMES)
def test_update_many_reads_iterators_and_object_arrays_of_numbers(name):
    from decimal import Decimal
    from fractions import Fraction

    values = [1.5, 2.0, -3.25, 4.0]
    reference = FACTORIES[name]()
    reference.update_many(np.asarray(values))
    for converted in (
        iter(values),
        (x for x in values),
        np.array(values, dtype=object),
        [Decimal("1.5"), 2, Fraction(-13, 4), np.float32(4.0)],
    ):
        stat = FACTORIES[name]()
        stat.update_many(converted)
        assert_same(stat.get(), reference.get())


@pytest.mark.parametrize("name", NAMES)
def test_empty_batch_changes_nothing(name):
    stat = FACTORIES[name]()
    stat.update_many([])
    stat.update_many(np.array([], dtype=np.float64))
    assert stat.get() == EMPTY_VALUE.get(name)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("copier", ["pickle", "deepcopy", "copy"])
@pytest.mark.parametrize("seen", [0, 3, 200])
def test_copies_continue_identically(name, copier, seen):
    stat = FACTORIES[name]()
    stat.update_many(STREAM[:seen])
    clone = {
        "pickle": lambda s: pickle.loads(pickle.dumps(s)),
        "deepcopy": copy.deepcopy,
        "copy": copy.copy,
    }[copier](stat)
    assert type(clone) is type(stat)
    assert repr(clone) == repr(stat)
    for x in STREAM[seen:]:
        stat.update(x)
        clone.update(x)
        assert_same(clone.get(), stat.get())


@pytest.mark.parametrize("name", NAMES)
def test_copies_are_independent(name):
    stat = FACTORIES[name]()
    stat.update_many(STREAM[:10])
    clone = copy.deepcopy(stat)
    stat.update_many(STREAM[10:])
    fresh = FACTORIES[name]()
    fresh.update_many(STREAM[:10])
    assert_same(clone.get(), fresh.get())


@pytest.mark.parametrize("name", NAMES)
def test_foreign_and_corrupt_states_are_value_errors(name):
    stat = FACTORIES[name]()
    stat.update_many(STREAM[:10])
    _, _, state = stat.__reduce_ex__(2)[:3]
    other = stats.Quantile() if not isinstance(stat, stats.Quantile) else stats.Mean()
    other.update(1.0)
    foreign = other.__reduce_ex__(2)[2]
    corrupt = [foreign, None, (), ("nonsense",), b"", b"\x00\x01garbage", 17]
    if isinstance(state, bytes):
        corrupt += [state[:-1], state + b"\x00", state[:5]]
    else:
        corrupt += [
            state[:-1],
            (*state, 1.0),
            tuple(s if i != 1 else 99 for i, s in enumerate(state)),
        ]
    before = stat.get()
    for bad in corrupt:
        with pytest.raises((ValueError, TypeError)):
            stat.__setstate__(bad)
        assert_same(stat.get(), before)


@pytest.mark.parametrize("name", NAMES)
def test_repr_and_name(name):
    stat = FACTORIES[name]()
    stat.update_many([1.0, 2.0, 4.0])
    text = repr(stat)
    assert text.startswith(type(stat).__name__ + "(")
    assert text.endswith(f": {stat.get()!r}")
    assert isinstance(stat.name, str) and stat.name


@pytest.mark.parametrize("name", REVERTIBLE)
def test_revert_undoes_update(name):
    stat, reference = FACTORIES[name](), FACTORIES[name]()
    stat.update_many(STREAM[:100])
    reference.update_many(STREAM[:60])
    for x in STREAM[60:100][::-1]:
        stat.revert(x)
    assert stat.get() == pytest.approx(reference.get(), rel=1e-7, abs=1e-9)


@pytest.mark.parametrize("name", REVERTIBLE)
def test_revert_on_empty_is_a_value_error(name):
    stat = FACTORIES[name]()
    with pytest.raises(ValueError, match="revert"):
        stat.revert(1.0)
    stat.update(2.0)
    stat.revert(2.0)
    assert stat.get() == EMPTY_VALUE.get(name)


@pytest.mark.parametrize("name", NAMES)
def test_update_runs_no_python_frame(name):
    stat = FACTORIES[name]()
    stat.update(1.0)
    python_frames = []

    def profiler(frame, event, arg):
        if event == "call":  # only Python-level frames report "call"; C calls report "c_call"
            python_frames.append(frame.f_code.co_name)

    sys.setprofile(profiler)
    try:
        stat.update(2.0)
    finally:
        sys.setprofile(None)
    assert python_frames == []
