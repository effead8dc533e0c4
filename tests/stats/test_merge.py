"""Merging statistics of parts of a stream (``a + b``, ``a += b``) and removing a part
(``a - b``, ``a -= b``): the result is the statistic of the concatenated (or remaining) stream,
exactly for counts and extremes and to 1e-12 for the moments, far from zero too."""

from __future__ import annotations

import copy
import math
import pickle

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from stats_catalog import EXACT_MERGES, FACTORIES, MERGEABLE

from river_lite import stats

EXACT = EXACT_MERGES
SUBTRACTABLE = ["Count", "Mean", "Var", "Var(ddof=0)", "Skew", "Skew(bias)", "Kurtosis"]
NOT_MERGEABLE = sorted(set(FACTORIES) - set(MERGEABLE))

RNG = np.random.default_rng(16)
# Offsets of 1e9: a double mean is off by up to 6e-8 there, which a careless merge turns into
# errors far above 1e-12 (the variance of two merged halves, the third moment of each).
STREAMS = {
    "normal": RNG.normal(3.0, 2.0, size=30_000),
    "1e9 + normal": 1e9 + RNG.normal(0.0, 1.0, size=30_000),
    "1e9 + exponential": 1e9 + RNG.exponential(1.0, size=30_000),
    "-1e9 + gamma": -1e9 + RNG.gamma(2.0, 3.0, size=30_000),
}


def built(name: str, values) -> object:
    stat = FACTORIES[name]()
    stat.update_many(values)
    return stat


def value(stat):
    """What a test compares: ``get()``, and for Kurtosis the plain fourth standardised moment
    (``get() + 3``): the excess of a normal stream is ~0, where "relative" loses its sense."""
    got = stat.get()
    return got + 3.0 if isinstance(stat, stats.Kurtosis) and got is not None else got


def assert_equal_statistics(merged, whole, name, rel=1e-12):
    a, b = value(merged), value(whole)
    assert type(merged) is type(whole)
    assert merged.n == whole.n, name
    if name in EXACT or a is None:
        assert a == b, name
    else:
        assert a == pytest.approx(b, rel=rel, abs=0), name


def state(stat):
    """The full state of a statistic, to check that a refused operation changed nothing."""
    return stat.__reduce__()[1:]


def exact_moments(values: np.ndarray) -> dict[str, float]:
    """Mean, variance (ddof 1), skewness and kurtosis (biased, not excess) to ~1e-16: deviations
    from an offset that makes them exact, summed with math.fsum."""
    anchor = float(np.round(values[0]))
    shifted = values - anchor  # exact: the values sit within a factor 2 of the anchor
    offset = math.fsum(shifted) / len(values)
    d = shifted - offset
    n = len(values)
    m2, m3, m4 = math.fsum(d**2), math.fsum(d**3), math.fsum(d**4)
    return {
        "Mean": anchor + offset,
        "Var": m2 / (n - 1),
        "Skew(bias)": math.sqrt(n) * m3 / m2**1.5,
        "Kurtosis(bias)": n * m4 / m2**2,
    }


@pytest.mark.parametrize("stream", STREAMS)
@pytest.mark.parametrize("name", MERGEABLE)
@pytest.mark.parametrize("parts", [2, 8, 64])
def test_merged_parts_equal_the_whole_stream(name, stream, parts):
    values = STREAMS[stream]
    # Uneven parts, so that the merge weights differ.
    cuts = np.sort(np.random.default_rng(parts).choice(np.arange(1, len(values)), parts - 1))
    pieces = [built(name, piece) for piece in np.split(values, cuts)]
    merged = pieces[0]
    for piece in pieces[1:]:
        merged = merged + piece
    assert_equal_statistics(merged, built(name, values), name)


@pytest.mark.parametrize("stream", [s for s in STREAMS if s != "normal"])
@pytest.mark.parametrize("name", ["Mean", "Var", "Skew(bias)", "Kurtosis(bias)"])
def test_merged_moments_are_exact_to_1e_12_on_offset_data(name, stream):
    values = STREAMS[stream]
    pieces = [built(name, piece) for piece in np.array_split(values, 16)]
    merged = pieces[0]
    for piece in pieces[1:]:
        merged += piece
    assert value(merged) == pytest.approx(exact_moments(values)[name], rel=1e-12, abs=0)


@pytest.mark.parametrize("name", MERGEABLE)
def test_plus_makes_a_new_object_and_leaves_both_operands_alone(name):
    a, b = built(name, STREAMS["normal"][:100]), built(name, STREAMS["normal"][100:300])
    before = state(a), state(b)
    merged = a + b
    assert merged is not a and merged is not b
    assert (state(a), state(b)) == before
    assert_equal_statistics(merged, built(name, STREAMS["normal"][:300]), name)


@pytest.mark.parametrize("name", MERGEABLE)
def test_plus_equals_merges_in_place(name):
    a, b = built(name, STREAMS["normal"][:100]), built(name, STREAMS["normal"][100:300])
    before_b = state(b)
    alias = a
    a += b
    assert a is alias and state(b) == before_b
    assert_equal_statistics(a, built(name, STREAMS["normal"][:300]), name)


@pytest.mark.parametrize("name", MERGEABLE)
def test_adding_a_statistic_to_itself_doubles_its_stream(name):
    values = STREAMS["1e9 + exponential"][:500]
    a = built(name, values)
    a += a
    assert_equal_statistics(a, built(name, np.concatenate([values, values])), name)
    b = built(name, values)
    assert_equal_statistics(b + b, a, name)


@pytest.mark.parametrize("name", MERGEABLE)
def test_empty_statistics_are_neutral(name):
    values = STREAMS["normal"][:50]
    full, empty = built(name, values), FACTORIES[name]()
    for merged in (full + empty, empty + full):
        assert state(merged) == state(full)
    assert state(empty + FACTORIES[name]()) == state(FACTORIES[name]())


@pytest.mark.parametrize("name", MERGEABLE)
def test_merged_statistics_pickle_copy_and_keep_updating(name):
    values = STREAMS["1e9 + normal"]
    merged = built(name, values[:1000]) + built(name, values[1000:2000])
    for twin in (pickle.loads(pickle.dumps(merged)), copy.deepcopy(merged), copy.copy(merged)):
        assert state(twin) == state(merged)
        twin.update_many(values[2000:3000])
        twin.update(values[3000])
        assert_equal_statistics(twin, built(name, values[:3001]), name)
    assert repr(merged).startswith(type(merged).__name__)


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("Mean", "Count"),
        ("Count", "Mean"),
        ("Min", "Max"),
        ("Skew", "Kurtosis"),
        ("Var", "Mean"),
        ("Mean", "Quantile"),
    ],
)
@pytest.mark.parametrize("op", ["+", "+=", "-", "-="])
def test_another_class_is_a_type_error_and_changes_nothing(left, right, op):
    a, b = built(left, [1.0, 2.0, 4.0]), built(right, [3.0, 5.0])
    before = state(a), state(b)
    with pytest.raises(TypeError, match=rf"a {type(a).__name__} .*|cannot remove"):
        apply(op, a, b)
    assert (state(a), state(b)) == before


def apply(op: str, a, b):
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "+=":
        a += b
    else:
        a -= b
    return a


def test_a_number_is_not_a_statistic():
    mean = built("Mean", [1.0, 2.0])
    with pytest.raises(TypeError, match="a Mean merges only with another Mean, got float"):
        mean + 1.0
    with pytest.raises(TypeError, match="unsupported operand"):
        1.0 + mean
    assert mean.get() == 1.5


@pytest.mark.parametrize(
    ("make", "parameter"),
    [
        (lambda: (stats.Var(ddof=0), stats.Var(ddof=1)), "ddof"),
        (lambda: (stats.Skew(bias=True), stats.Skew(bias=False)), "bias"),
        (lambda: (stats.Kurtosis(bias=False), stats.Kurtosis(bias=True)), "bias"),
    ],
)
@pytest.mark.parametrize("op", ["+", "+=", "-", "-="])
def test_other_parameters_are_a_value_error_naming_them(make, parameter, op):
    a, b = make()
    a.update_many([1.0, 2.0, 7.0])
    b.update_many([1.0])
    before = state(a), state(b)
    with pytest.raises(ValueError, match=rf"{parameter} must be the same"):
        apply(op, a, b)
    assert (state(a), state(b)) == before


REASONS = {
    "EWMean": "weight depends on its place in one stream",
    "EWVar": "weight depends on its place in one stream",
    "Quantile": "P² keeps a few markers",
    "IQR": "P² keeps a few markers",
    "RollingQuantile": "last window_size values of one stream",
    "RollingIQR": "last window_size values of one stream",
    "Rolling": "last window_size values of one stream",
}


@pytest.mark.parametrize("name", NOT_MERGEABLE)
@pytest.mark.parametrize("op", ["+", "+=", "-", "-="])
def test_statistics_that_cannot_merge_exactly_say_why(name, op):
    a, b = built(name, [1.0, 2.0, 4.0]), built(name, [3.0])
    before = state(a), state(b)
    reason = REASONS[name.split("(")[0]]
    with pytest.raises(TypeError, match=rf"cannot be merged or subtracted: .*{reason}"):
        apply(op, a, b)
    assert (state(a), state(b)) == before


@pytest.mark.parametrize("name", ["Min", "Max", "PeakToPeak"])
@pytest.mark.parametrize("op", ["-", "-="])
def test_extremes_cannot_remove_a_part(name, op):
    a, b = built(name, [1.0, 2.0, 4.0]), built(name, [4.0])
    before = state(a)
    with pytest.raises(TypeError, match=r"cannot remove a part of its stream: .* unknown"):
        apply(op, a, b)
    assert state(a) == before


@pytest.mark.parametrize("stream", ["normal", "1e9 + exponential"])
@pytest.mark.parametrize("name", SUBTRACTABLE)
def test_removing_a_part_leaves_the_rest(name, stream):
    values = STREAMS[stream][:3000]
    rest, part = built(name, values[:2000]), built(name, values[2000:])
    whole = built(name, values)
    assert_equal_statistics(whole - part, rest, name, rel=1e-10)
    whole -= part
    assert_equal_statistics(whole, rest, name, rel=1e-10)
    # The rest keeps working.
    whole.update_many(values[2000:])
    assert_equal_statistics(whole, built(name, values), name, rel=1e-10)


@pytest.mark.parametrize("name", SUBTRACTABLE)
def test_removing_everything_leaves_an_empty_statistic(name):
    a = built(name, [1.0, 2.0, 4.0])
    a -= a
    assert a.n == 0 and a.get() == FACTORIES[name]().get()
    a.update(5.0)
    assert a.get() == built(name, [5.0]).get()


@pytest.mark.parametrize("name", SUBTRACTABLE)
def test_removing_more_values_than_seen_is_refused(name):
    a, b = built(name, [1.0, 2.0]), built(name, [1.0, 2.0, 3.0])
    before = state(a), state(b)
    with pytest.raises(ValueError, match=r"cannot remove 3 values from a .* of 2"):
        a - b
    with pytest.raises(ValueError, match="cannot remove 3 values"):
        a -= b
    assert (state(a), state(b)) == before


@pytest.mark.parametrize("name", ["Var", "Skew", "Kurtosis"])
def test_removing_what_cannot_be_a_part_is_refused(name):
    # 100 values near 0 cannot hold a part with values at ±1000: the rest would have a
    # negative sum of squares.
    a, b = built(name, np.linspace(-1.0, 1.0, 100)), built(name, [-1000.0, 1000.0])
    before = state(a)
    with pytest.raises(ValueError, match="negative sum of squares"):
        a -= b
    assert state(a) == before


@pytest.mark.parametrize("cls", [stats.Mean, lambda: stats.Var(ddof=0), stats.Var])
def test_same_numbers_as_river_for_plus_and_minus(cls):
    river_stats = pytest.importorskip(
        "river.stats", reason="River is not installed (pip install river): parity not checked"
    )
    ours = [cls(), cls(), cls()]
    ddof = getattr(ours[0], "ddof", None)
    make_theirs = river_stats.Mean if ddof is None else lambda: river_stats.Var(ddof=ddof)
    theirs = [make_theirs() for _ in range(3)]
    values = STREAMS["normal"][:900]
    for k, piece in enumerate(np.split(values, [400, 700])):
        for x in piece:
            ours[k].update(x)
            theirs[k].update(x)
    a, b, c = ours
    ra, rb, rc = theirs
    pairs = [(a + b, ra + rb), ((a + b) - b, (ra + rb) - rb), (a + b + c - c, ra + rb + rc - rc)]
    for got, expected in pairs:
        assert got.get() == pytest.approx(expected.get(), rel=1e-12)
    a += b
    ra += rb
    a -= b
    ra -= rb
    assert a.get() == pytest.approx(ra.get(), rel=1e-12)


def test_counts_merge_exactly_and_refuse_to_overflow():
    version = stats.Count().__reduce__()[2][1]
    big, almost, rest = stats.Count(), stats.Count(), stats.Count()
    big.__setstate__(("Count", version, 2**62))
    almost.__setstate__(("Count", version, 2**62 - 1024))
    rest.update_many(np.zeros(1023))
    largest = big + almost + rest  # 2**63 - 1, the largest signed 64-bit count
    assert largest.get() == 2**63 - 1
    one = stats.Count()
    one.update()
    with pytest.raises(OverflowError, match="exceeds"):
        largest += one
    assert largest.get() == 2**63 - 1 and one.get() == 1


finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False).map(
    # Nonzero values under 1e-30 in magnitude (Hypothesis likes 4e-117) make the fourth-moment
    # sums underflow: the kurtosis is then 0/0 = NaN (as SciPy's) and no float arithmetic keeps
    # 12 digits, so they are flushed to 0 here.
    lambda x: 0.0 if abs(x) < 1e-30 else x
)


@given(
    data=st.data(),
    values=st.lists(finite, min_size=0, max_size=120),
    offset=st.sampled_from([0.0, 1e9, -3e12]),
    cuts=st.lists(st.integers(0, 120), max_size=7),
    name=st.sampled_from(MERGEABLE),
)
def test_any_split_merged_in_any_tree_order_equals_the_whole(data, values, offset, cuts, name):
    values = np.asarray(values, dtype=np.float64) + offset
    cuts = sorted(min(cut, len(values)) for cut in cuts)
    pieces = [built(name, piece) for piece in np.split(values, cuts)]
    # Merge any two of the pieces left, in either order, in place or not, until one is left:
    # every binary tree over the parts can come out.
    while len(pieces) > 1:
        i = data.draw(st.integers(0, len(pieces) - 1), label="left")
        j = data.draw(st.integers(0, len(pieces) - 2), label="right")
        j += j >= i
        left, right = pieces[i], pieces[j]
        if data.draw(st.booleans(), label="in place"):
            left += right
            merged = left
        else:
            merged = left + right
        pieces = [p for k, p in enumerate(pieces) if k not in (i, j)] + [merged]
    whole, merged = built(name, values), pieces[0]
    assert merged.n == whole.n
    a, b = value(merged), value(whole)
    if name in EXACT or a is None:
        assert a == b
    else:
        assert a == pytest.approx(b, rel=1e-12, abs=1e-12)
