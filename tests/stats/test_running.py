"""``update_many(values, running=True)``: the statistic after every value, in one call.

What the contract (river_lite.stats.base) promises, checked on every public statistic:
``out[i]`` is ``get()`` right after the i-th value. Bit for bit equal to a loop of ``update``
and ``get`` for the statistics whose ``update_many`` is that loop (EXACT_EVERYWHERE); for those
whose ``update_many`` merges a batch or unrolls the recurrence (BATCH_STATE), every output but
the last is bit for bit the loop's and the last is the batch's state, equal to the loop to
1e-12 relative. The state afterwards is exactly the state of ``running=False``.
"""

from __future__ import annotations

import math
import pickle

import numpy as np
import pytest
from stats_catalog import FACTORIES

from river_lite import stats

NAMES = list(FACTORIES)
STREAM = np.random.default_rng(5).normal(3.0, 2.0, size=300)
# The more accurate batch path (merged moments, or the unrolled exponential recurrence) sets
# the final state of these; everything else is update()'s arithmetic throughout.
BATCH_STATE = {
    "Mean",
    "Var",
    "Var(ddof=0)",
    "EWMean",
    "EWMean(0.1)",
    "EWVar",
    "EWVar(0.1)",
    "Skew",
    "Skew(bias)",
    "Kurtosis",
    "Kurtosis(bias)",
}
EXACT_EVERYWHERE = [name for name in NAMES if name not in BATCH_STATE]


def as_float(value) -> float:
    return math.nan if value is None else float(value)


def loop_of_update_and_get(stat, values) -> np.ndarray:
    out = []
    for x in values:
        stat.update(x)
        out.append(as_float(stat.get()))
    return np.array(out, dtype=np.float64)


def same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and np.array_equal(a.view(np.uint64), b.view(np.uint64))


def state(stat) -> bytes:
    return pickle.dumps(stat)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("seen", [0, 3, 40])
def test_running_values_equal_a_loop_of_update_and_get(name, seen):
    looped, batched = FACTORIES[name](), FACTORIES[name]()
    looped.update_many(STREAM[:seen])
    batched.update_many(STREAM[:seen])
    expected = loop_of_update_and_get(looped, STREAM[seen:])
    out = batched.update_many(STREAM[seen:], running=True)
    assert isinstance(out, np.ndarray) and out.dtype == np.float64
    assert out.shape == (len(STREAM) - seen,) and out.flags.c_contiguous
    if name in BATCH_STATE:
        assert same_bits(out[:-1], expected[:-1])
        assert out[-1] == pytest.approx(expected[-1], rel=1e-12, abs=1e-12)
    else:
        assert same_bits(out, expected)
    assert out[-1] == as_float(batched.get())


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("seen", [0, 3, 40])
def test_the_state_afterwards_is_the_state_of_running_false(name, seen):
    silent, running = FACTORIES[name](), FACTORIES[name]()
    for stat in (silent, running):
        stat.update_many(STREAM[:seen])
    assert silent.update_many(STREAM[seen:]) is None
    running.update_many(STREAM[seen:], running=True)
    assert state(running) == state(silent)
    # And both continue alike.
    assert same_bits(
        silent.update_many(STREAM[:50], running=True),
        running.update_many(STREAM[:50], running=True),
    )


@pytest.mark.parametrize("name", NAMES)
def test_batch_path_accuracy_on_values_far_from_zero(name):
    # 10^9 plus noise: the merged moments keep the digits a one-by-one update loses, so the
    # last value may differ from the loop's by more than 1e-12 (and is the better one); the
    # other outputs are still the loop's bits.
    values = 1e9 + np.random.default_rng(9).normal(size=200)
    looped, batched = FACTORIES[name](), FACTORIES[name]()
    expected = loop_of_update_and_get(looped, values)
    out = batched.update_many(values, running=True)
    if name in BATCH_STATE:
        assert same_bits(out[:-1], expected[:-1])
        assert out[-1] == pytest.approx(expected[-1], rel=1e-5)
    else:
        assert same_bits(out, expected)


def long_streams() -> dict[str, np.ndarray]:
    """Streams over many of the running loops' blocks (256 values each) that push the
    double-double mean to its edges: a random walk; a wave whose running mean swings across
    zero (its low part outgrows 2 ** -40 of the high part and is renormalised, 8 times for Var
    by a model of the arithmetic); values far from zero; and a mixture of two scales."""
    rng = np.random.default_rng(21)
    walk = np.cumsum(rng.normal(size=3000)) - 20.0
    far = 1e9 + rng.normal(size=3000)
    mixed = np.where(rng.random(3000) < 0.01, 1e6, 1.0) * rng.normal(size=3000)
    wave = 3.0 * np.sin(np.arange(3000) * 0.05) + 0.01 * np.random.default_rng(22).normal(size=3000)
    return {"walk": walk, "wave": wave, "far": far, "mixed": mixed}


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("stream", ["walk", "wave", "far", "mixed"])
def test_long_streams_are_a_loop_of_update_and_get_block_after_block(name, stream):
    values = long_streams()[stream]
    looped, batched = FACTORIES[name](), FACTORIES[name]()
    looped.update_many(values[:7])
    batched.update_many(values[:7])
    expected = loop_of_update_and_get(looped, values[7:])
    out = batched.update_many(values[7:], running=True)
    if name in BATCH_STATE:
        assert same_bits(out[:-1], expected[:-1])
    else:
        assert same_bits(out, expected)


@pytest.mark.parametrize("name", ["Quantile", "Quantile(0.9)", "IQR"])
def test_p2_past_4096_values_is_a_loop_of_update_and_get(name):
    # Past 4,096 values P² markers move in strides of two: the engine's per-value entry and its
    # batch entry must switch at the same count, also in a state restored from a pickle just
    # before it (heavy tails: the linear fallback is taken too).
    values = np.random.default_rng(23).standard_t(3, size=9000)
    looped, batched = FACTORIES[name](), FACTORIES[name]()
    expected = loop_of_update_and_get(looped, values)
    batched.update_many(values[:4000])
    batched = pickle.loads(pickle.dumps(batched))
    out = batched.update_many(values[4000:], running=True)
    assert same_bits(out, expected[4000:])
    assert state(batched) == state(looped)


@pytest.mark.parametrize("name", ["Var", "Skew", "Kurtosis", "Rolling(Var)"])
@pytest.mark.parametrize("stream", ["walk", "wave", "far", "mixed"])
def test_states_after_long_streams_unpickle_and_go_on_alike(name, stream):
    # update() leaves the double-double mean unnormalised until its low part passes 2 ** -40
    # of the high part: every state it reaches must pass the check of __setstate__.
    values = long_streams()[stream]
    stat = FACTORIES[name]()
    for x in values:
        stat.update(x)
        if name != "Rolling(Var)":
            _, _, _, mean, mean_lo, *_ = stat.__reduce__()[2]
            assert abs(mean_lo) <= 2.0**-40 * abs(mean)
    copy = pickle.loads(pickle.dumps(stat))
    assert state(copy) == state(stat)
    assert same_bits(
        copy.update_many(values[:300], running=True), stat.update_many(values[:300], running=True)
    )


@pytest.mark.parametrize("name", ["Var", "Skew", "Kurtosis"])
def test_a_state_whose_mean_lo_passes_its_bound_is_refused(name):
    stat = FACTORIES[name]()
    stat.update_many([1.0, 2.0, 4.0, 8.0])
    cls, args, fields = stat.__reduce__()
    kind, version, n, mean, _, *rest = fields
    for bad in (mean * 2.0**-39, -mean * 1e-6, mean):
        fresh = cls(*args)
        with pytest.raises(ValueError, match=r"mean_lo .* exceeds 2 \*\* -40 of mean"):
            fresh.__setstate__((kind, version, n, mean, bad, *rest))
        assert fresh.get() is None  # nothing was stored


@pytest.mark.parametrize("name", NAMES)
def test_an_empty_batch_returns_an_empty_array_and_changes_nothing(name):
    stat = FACTORIES[name]()
    stat.update_many(STREAM[:5])
    before = state(stat)
    for empty in ([], np.array([], dtype=np.float64)):
        out = stat.update_many(empty, running=True)
        assert out.dtype == np.float64 and out.shape == (0,)
    assert state(stat) == before


@pytest.mark.parametrize("name", NAMES)
def test_the_output_is_a_new_array(name):
    values = STREAM.copy()
    out = FACTORIES[name]().update_many(values, running=True)
    assert not np.shares_memory(out, values)
    assert same_bits(values, STREAM)  # the input is read, never written


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("running", [1, 0, None, "yes", 1.0, np.int64(1), [True]])
def test_running_must_be_a_bool(name, running):
    stat = FACTORIES[name]()
    stat.update_many(STREAM[:5])
    before = state(stat)
    with pytest.raises(TypeError, match="running must be a bool"):
        stat.update_many(STREAM, running=running)
    assert state(stat) == before


@pytest.mark.parametrize("name", NAMES)
def test_running_is_keyword_only_and_numpy_bools_are_bools(name):
    with pytest.raises(TypeError):
        FACTORIES[name]().update_many(STREAM, True)
    out = FACTORIES[name]().update_many(STREAM, running=np.bool_(True))
    assert out.shape == STREAM.shape
    assert FACTORIES[name]().update_many(STREAM, running=np.bool_(False)) is None


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(
    ("bad", "error", "message"),
    [
        ([1.0, 2.0, math.nan, 3.0], ValueError, r"values\[2\] is nan"),
        ([1.0, 2.0, 4.0, math.inf], ValueError, r"values\[3\] is inf"),
        (np.concatenate([STREAM, [-math.inf]]), ValueError, r"values\[300\] is -inf"),
        (np.ones((4, 2)), ValueError, "1-D"),
        (["1.0", "x"], TypeError, "real number"),
    ],
    ids=["nan", "inf", "late -inf", "2-D", "text"],
)
def test_a_rejected_running_batch_changes_nothing(name, bad, error, message):
    stat = FACTORIES[name]()
    stat.update_many(STREAM[:20])
    before = state(stat)
    with pytest.raises(error, match=message):
        stat.update_many(bad, running=True)
    assert state(stat) == before


class Fragile:
    """A revertible statistic of the user's own that fails on its 5th value."""

    def __init__(self):
        self.total = 0.0
        self.updates = 0

    def update(self, x):
        self.updates += 1
        if self.updates == 5:
            raise RuntimeError("fragile")
        self.total += x

    def revert(self, x):
        self.total -= x

    def get(self):
        return self.total if self.updates else None

    @property
    def name(self):
        return "fragile"


@pytest.mark.parametrize("running", [True, False])
@pytest.mark.parametrize("window_size", [2, 3, 10])
def test_a_batch_that_fails_part_way_is_undone(running, window_size):
    rolling = stats.Rolling(Fragile(), window_size=window_size)
    rolling.update_many([1.0, 2.0, 3.0])
    before_window, before_total = rolling.window, rolling.get()
    with pytest.raises(RuntimeError, match="fragile"):
        rolling.update_many([10.0, 20.0, 30.0], running=running)
    assert rolling.window == before_window
    assert rolling.get() == before_total and rolling.obj.updates == 3


def test_rolling_of_a_statistic_without_a_value_gives_nan():
    class Silent(Fragile):
        def get(self):
            return None

    out = stats.Rolling(Silent(), window_size=3).update_many([1.0, 2.0], running=True)
    assert np.isnan(out).all()


def test_rolling_of_a_subclass_goes_through_its_python_methods():
    class Doubled(stats.Mean):
        def get(self):
            value = super().get()
            return None if value is None else 2 * value

    out = stats.Rolling(Doubled(), window_size=2).update_many([1.0, 3.0, 5.0], running=True)
    assert out.tolist() == [2.0, 4.0, 8.0]


@pytest.mark.parametrize("window_size", [1, 2, 7, 64, 1000])
@pytest.mark.parametrize("seen", [0, 1, 500, 3000])
def test_rolling_quantiles_of_large_batches_equal_the_tree(window_size, seen):
    # A batch much longer than the window takes the sorted blocks, not the tree; equal values,
    # zeros of both signs and every fill of the window before the batch.
    rng = np.random.default_rng(window_size + seen)
    values = rng.integers(-20, 20, size=seen + 6000).astype(np.float64)
    values[::17] = -0.0
    for make in (
        lambda: stats.RollingQuantile(q=0.37, window_size=window_size),
        lambda: stats.RollingQuantile(q=0.5, window_size=window_size),
        lambda: stats.RollingQuantile(q=1.0, window_size=window_size),
        lambda: stats.RollingIQR(window_size, q_inf=0.1, q_sup=0.9),
    ):
        looped, batched = make(), make()
        looped.update_many(values[:seen])
        batched.update_many(values[:seen])
        expected = loop_of_update_and_get(looped, values[seen:])
        assert same_bits(batched.update_many(values[seen:], running=True), expected)
        assert state(batched) == state(looped)
        # The tree rebuilt after the batch goes on with the loop.
        for x in values[:300]:
            batched.update(x)
            looped.update(x)
            assert batched.get() == looped.get()


def test_rolling_quantile_of_a_large_window_equals_numpy_on_the_last_windows():
    window_size = 50_000
    values = 1e9 + np.random.default_rng(2).normal(size=2 * window_size + 777)
    out = stats.RollingQuantile(0.9, window_size).update_many(values, running=True)
    for t in (0, 1, window_size - 1, window_size, 2 * window_size + 100, len(values) - 1):
        window = values[max(0, t + 1 - window_size) : t + 1]
        # NumPy interpolates from the upper value when the fraction is >= 0.5: one rounding
        # apart, so to 1e-15 here (the bits are checked against the tree above).
        assert out[t] == pytest.approx(np.quantile(window, 0.9), rel=1e-15), t
