"""Property-based tests: the statistics hold their invariants on arbitrary finite streams."""

from __future__ import annotations

import math
import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from stats_catalog import FACTORIES

from river_lite import stats

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False).map(
    # Nonzero values under 1e-30 in magnitude (Hypothesis likes 4e-117) make the fourth-moment
    # sums underflow: the kurtosis is then 0/0 = NaN (as SciPy's) and no float arithmetic keeps
    # 12 digits, so they are flushed to 0 here.
    lambda x: 0.0 if abs(x) < 1e-30 else x
)
streams = st.lists(finite, min_size=1, max_size=200)
settings.register_profile("river_lite", max_examples=60, deadline=None)
settings.load_profile("river_lite")


@given(values=streams, q=st.floats(0.0, 1.0), window_size=st.integers(1, 40))
def test_rolling_quantile_is_numpy_quantile_of_the_window(values, q, window_size):
    rolling = stats.RollingQuantile(q, window_size)
    rolling.update_many(values)
    expected = np.quantile(values[-window_size:], q)
    assert rolling.get() == pytest.approx(expected, rel=1e-9, abs=1e-9)


@given(values=streams, q=st.floats(0.001, 0.999))
def test_p2_quantile_stays_within_the_range_of_the_data(values, q):
    p2 = stats.Quantile(q)
    p2.update_many(values)
    assert min(values) <= p2.get() <= max(values)


@given(values=streams)
def test_order_statistics_agree(values):
    low, high, ptp = stats.Min(), stats.Max(), stats.PeakToPeak()
    for stat in (low, high, ptp):
        stat.update_many(values)
    assert low.get() == min(values) and high.get() == max(values)
    assert ptp.get() == pytest.approx(max(values) - min(values))


@given(values=streams)
def test_mean_and_variance_match_numpy(values):
    mean, var = stats.Mean(), stats.Var(ddof=0)
    mean.update_many(values)
    var.update_many(values)
    scale = max(1.0, *(abs(v) for v in values))
    assert mean.get() == pytest.approx(np.mean(values), abs=1e-9 * scale)
    assert var.get() == pytest.approx(np.var(values), abs=1e-7 * scale * scale)
    assert var.get() >= 0


@given(values=streams, alpha=st.floats(0.01, 1.0))
def test_ew_variance_is_never_negative(values, alpha):
    var = stats.EWVar(alpha)
    var.update_many(values)
    assert var.get() >= 0


@given(
    values=arrays(np.float64, st.integers(0, 100), elements=finite),
    name=st.sampled_from(sorted(FACTORIES)),
    split=st.integers(0, 100),
)
def test_any_split_of_the_stream_and_a_pickle_in_between_change_nothing(values, name, split):
    whole, parts = FACTORIES[name](), FACTORIES[name]()
    whole.update_many(values)
    parts.update_many(values[:split])
    parts = pickle.loads(pickle.dumps(parts))
    parts.update_many(values[split:])
    a, b = whole.get(), parts.get()
    assert (a is None and b is None) or a == pytest.approx(b, rel=1e-12, abs=1e-12)


@given(
    values=arrays(np.float64, st.integers(0, 120), elements=finite),
    name=st.sampled_from(sorted(FACTORIES)),
    split=st.integers(0, 120),
)
def test_running_values_are_a_loop_of_update_and_get(values, name, split):
    looped, batched = FACTORIES[name](), FACTORIES[name]()
    looped.update_many(values[:split])
    batched.update_many(values[:split])
    expected = []
    for x in values[split:]:
        looped.update(x)
        value = looped.get()
        expected.append(math.nan if value is None else float(value))
    out = batched.update_many(values[split:], running=True)
    assert out.dtype == np.float64 and len(out) == len(expected)
    # All but the last are update()'s bits (the last may be a merged batch's state: see
    # test_running.py for its accuracy), and the last is get() after the call.
    expected_bits = np.array(expected, dtype=np.float64).view(np.uint64)
    assert np.array_equal(out[:-1].view(np.uint64), expected_bits[:-1])
    if len(out):
        value = batched.get()
        assert out[-1] == (math.nan if value is None else float(value))


@given(
    values=streams,
    bad=st.sampled_from([math.nan, math.inf, -math.inf]),
    at=st.integers(0, 199),
    name=st.sampled_from(sorted(FACTORIES)),
)
def test_a_batch_with_a_non_finite_value_changes_nothing(values, bad, at, name):
    stat = FACTORIES[name]()
    stat.update_many(values)
    # The whole state, by its pickle: more than get() shows.
    before = pickle.dumps(stat)
    batch = list(values)
    batch.insert(min(at, len(batch)), bad)
    with pytest.raises(ValueError, match="NaN and infinite values are rejected"):
        stat.update_many(batch)
    assert pickle.dumps(stat) == before


@given(state=st.binary(max_size=64))
def test_arbitrary_bytes_never_crash_the_rust_state_decoder(state):
    for cls, kind in [(stats.Quantile, "Quantile"), (stats.RollingQuantile, "RollingQuantile")]:
        stat = cls(0.5) if cls is stats.Quantile else cls(0.5, 5)
        stat.update(1.0)
        with pytest.raises(ValueError, match=f"^bad {kind} state"):
            stat.__setstate__((kind, stat.__reduce__()[2][1], state))
        assert stat.get() == 1.0
