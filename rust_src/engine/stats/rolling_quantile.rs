//! Exact quantiles of the last `window_size` values, O(log window) per update.
//!
//! The window is kept twice: in arrival order (a ring buffer, to know which value leaves) and
//! sorted (an [`OrderStatisticTree`], to read order statistics). Quantiles interpolate linearly
//! between order statistics, as NumPy's default and River's `RollingQuantile` do, so the numbers
//! are identical to theirs.
//!
//! Batches take other roads, because their future values are known (measured in
//! `rust_src/benches/stats_rolling_quantile.rs`, figures in benchmarks/RESULTS.md):
//! * [`RollingWindow::push_many`] (no outputs) skips the values that would leave within the
//!   batch, and rebuilds the tree from the final window, sorted in linear time, when that
//!   window is mostly new;
//! * [`RollingWindow::push_many_reading`] (an output after every value) runs the sorted blocks
//!   of [`super::sorted_blocks`] over the batch and rebuilds the tree at the end.
//!
//! Zeros are stored as `0.0` (a `-0.0` becomes `0.0`): the two are equal, so either is the same
//! window, and one spelling makes every road return the same bits.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use super::float_sort;
use super::order_statistic_tree::OrderStatisticTree;
use super::sorted_blocks;

/// A batch rebuilds the sorted view when it brings at least 1/REBUILD_SHARE of the final
/// window: sorting and bulk-loading a value costs about a tenth of inserting and removing one
/// in the tree (measured at windows of 10^3 to 10^6).
const REBUILD_SHARE: usize = 8;
/// A batch with outputs takes the sorted blocks when it has at least 1/BLOCKS_SHARE as many
/// values as the window holds after it (the blocks' fixed cost is sorting one block and
/// rebuilding the tree at the end); smaller batches take the tree, value by value.
const BLOCKS_SHARE: usize = 8;

/// Where a quantile reads with linear interpolation (NumPy's default, River's): the lower
/// order statistic of a window of `len >= 1` values and the weight of the next one.
#[inline]
pub fn quantile_position(len: usize, q: f64) -> (usize, f64) {
    let position = q * (len - 1) as f64;
    // Truncation is the floor of a position >= 0, without the call into libm that floor()
    // is on x86-64 before SSE4.1 (the batch path asks for every value while a window fills).
    let lower = position as usize;
    (lower, position - lower as f64)
}

/// The interpolated quantile between the order statistics `low` and `high`.
#[inline]
pub fn interpolate(low: f64, high: f64, fraction: f64) -> f64 {
    low + (high - low) * fraction
}

/// A sliding window of finite values that answers quantile queries.
#[derive(Clone, Debug)]
pub struct RollingWindow {
    window_size: usize,
    arrivals: VecDeque<f64>,
    sorted: OrderStatisticTree,
}

/// What is stored when a window is pickled: the values in arrival order. The sorted view is
/// rebuilt on load, so the stored form does not depend on the tree's layout.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RollingWindowState {
    pub window_size: u64,
    pub values: Vec<f64>,
}

impl RollingWindow {
    /// An empty window. The caller validates `window_size >= 1`.
    pub fn new(window_size: usize) -> Self {
        Self {
            window_size,
            arrivals: VecDeque::with_capacity(window_size.min(1 << 20)),
            sorted: OrderStatisticTree::new(),
        }
    }

    pub fn window_size(&self) -> usize {
        self.window_size
    }

    pub fn len(&self) -> usize {
        self.arrivals.len()
    }

    pub fn is_empty(&self) -> bool {
        self.arrivals.is_empty()
    }

    /// Adds a finite value, evicting the oldest one when the window is full.
    #[inline]
    pub fn push(&mut self, x: f64) {
        let x = x + 0.0; // -0.0 is stored as 0.0 (see the module documentation)
        if self.arrivals.len() == self.window_size {
            if let Some(oldest) = self.arrivals.pop_front() {
                self.sorted.remove(oldest);
            }
        }
        self.arrivals.push_back(x);
        self.sorted.insert(x);
    }

    /// Adds finite values in order: the same window as pushing them one by one.
    pub fn push_many(&mut self, values: &[f64]) {
        // Values that would leave again within the batch never matter.
        let kept = &values[values.len().saturating_sub(self.window_size)..];
        let final_len = (self.arrivals.len() + kept.len()).min(self.window_size);
        if kept.len() * REBUILD_SHARE < final_len {
            kept.iter().for_each(|&x| self.push(x));
            return;
        }
        self.keep_last_arrivals(kept);
        self.sorted =
            OrderStatisticTree::from_sorted(&float_sort::sorted(self.arrivals.iter().copied()));
    }

    /// Adds finite values in order and, after each, writes `combine` of the window's quantiles
    /// `qs` (each in [0, 1]) to `out` (one slot per value): what `push` and then `quantile`
    /// give, bit for bit.
    pub fn push_many_reading<const N: usize>(
        &mut self,
        values: &[f64],
        qs: [f64; N],
        combine: impl Fn([f64; N]) -> f64,
        out: &mut [f64],
    ) {
        let final_len = (self.arrivals.len() + values.len()).min(self.window_size);
        if values.len() * BLOCKS_SHARE < final_len || !sorted_blocks::supports(self.window_size) {
            for (&x, slot) in values.iter().zip(out.iter_mut()) {
                self.push(x);
                // The window holds a value now, so every quantile is Some.
                *slot = combine(qs.map(|q| self.quantile(q).unwrap_or(f64::NAN)));
            }
            return;
        }
        let (front, back) = self.arrivals.as_slices();
        let sorted = sorted_blocks::run([front, back], values, self.window_size, qs, combine, out);
        self.keep_last_arrivals(values);
        self.sorted = OrderStatisticTree::from_sorted(&sorted);
    }

    /// Appends `values` to the arrivals and drops the oldest beyond the window size (the
    /// sorted view is the caller's to rebuild).
    fn keep_last_arrivals(&mut self, values: &[f64]) {
        let kept = &values[values.len().saturating_sub(self.window_size)..];
        let leaving = (self.arrivals.len() + kept.len()).saturating_sub(self.window_size);
        self.arrivals.drain(..leaving);
        self.arrivals.extend(kept.iter().map(|&x| x + 0.0));
    }

    /// The `q` quantile of the window (linear interpolation), or `None` when it is empty.
    #[inline]
    pub fn quantile(&self, q: f64) -> Option<f64> {
        let n = self.sorted.len();
        if n == 0 {
            return None;
        }
        let (lower, fraction) = quantile_position(n, q);
        let low = self.sorted.kth(lower)?;
        if fraction == 0.0 {
            return Some(low);
        }
        let high = self.sorted.kth((lower + 1).min(n - 1))?;
        Some(interpolate(low, high, fraction))
    }

    pub fn state(&self) -> RollingWindowState {
        RollingWindowState {
            window_size: self.window_size as u64,
            values: self.arrivals.iter().copied().collect(),
        }
    }

    /// Rebuilds a window from a decoded state, checking it first.
    pub fn from_state(state: RollingWindowState) -> Result<Self, String> {
        let window_size = usize::try_from(state.window_size)
            .ok()
            .filter(|&w| w >= 1)
            .ok_or_else(|| format!("window_size {} is out of range", state.window_size))?;
        if state.values.len() > window_size {
            return Err(format!(
                "{} values do not fit a window of {window_size}",
                state.values.len()
            ));
        }
        if state.values.iter().any(|v| !v.is_finite()) {
            return Err("window values must be finite".into());
        }
        let mut window = Self::new(window_size);
        window.push_many(&state.values);
        Ok(window)
    }
}

#[cfg(test)]
mod tests {
    use super::super::p2_quantile::interpolated_quantile;
    use super::*;

    #[test]
    fn equals_the_quantile_of_the_last_values() {
        let stream: Vec<f64> = (0..5000u64)
            .map(|i| ((i * 7919) % 1013) as f64 - 500.0)
            .collect();
        for &window_size in &[1usize, 2, 7, 300] {
            let mut window = RollingWindow::new(window_size);
            for (i, &x) in stream.iter().enumerate() {
                window.push(x);
                let start = (i + 1).saturating_sub(window_size);
                let mut last = stream[start..=i].to_vec();
                last.sort_by(f64::total_cmp);
                for &q in &[0.0, 0.1, 0.5, 0.75, 1.0] {
                    assert_eq!(window.quantile(q), Some(interpolated_quantile(&last, q)));
                }
            }
        }
    }

    /// A window that has seen `seen` values of `stream`, one by one.
    fn window_after(stream: &[f64], window_size: usize, seen: usize) -> RollingWindow {
        let mut window = RollingWindow::new(window_size);
        stream[..seen].iter().for_each(|&x| window.push(x));
        window
    }

    #[test]
    fn batches_give_the_bits_of_values_one_by_one() {
        // Many equal values, zeros of both signs, every fill of the window before the batch,
        // batches shorter and longer than the window (each road of push_many and
        // push_many_reading is taken).
        let stream: Vec<f64> = (0..12_000u64)
            .map(|i| match i % 11 {
                0 => -0.0,
                1 => 0.0,
                _ => ((i * 7919) % 61) as f64 - 30.0,
            })
            .collect();
        for &window_size in &[1usize, 2, 5, 64, 333, 2000] {
            for seen in [0, 1, window_size / 2, window_size, 2 * window_size + 3] {
                for batch in [
                    1usize,
                    7,
                    window_size / 3 + 1,
                    window_size + 5,
                    3 * window_size,
                ] {
                    let values = &stream[seen..seen + batch];
                    let mut one_by_one = window_after(&stream, window_size, seen);
                    let mut expected = Vec::new();
                    for &x in values {
                        one_by_one.push(x);
                        let low = one_by_one.quantile(0.1).unwrap();
                        let high = one_by_one.quantile(0.75).unwrap();
                        expected.push((high - low).to_bits());
                        expected.push(one_by_one.quantile(0.5).unwrap().to_bits());
                    }
                    let mut ranges = vec![0.0; batch];
                    let mut medians = vec![0.0; batch];
                    let mut reading = window_after(&stream, window_size, seen);
                    reading.push_many_reading(values, [0.1, 0.75], |[l, h]| h - l, &mut ranges);
                    let mut reading_one = window_after(&stream, window_size, seen);
                    reading_one.push_many_reading(values, [0.5], |[m]| m, &mut medians);
                    let got: Vec<u64> = ranges
                        .iter()
                        .zip(&medians)
                        .flat_map(|(r, m)| [r.to_bits(), m.to_bits()])
                        .collect();
                    assert_eq!(got, expected, "w={window_size} seen={seen} batch={batch}");
                    let mut silent = window_after(&stream, window_size, seen);
                    silent.push_many(values);
                    for window in [&reading, &reading_one, &silent] {
                        assert_eq!(window.state(), one_by_one.state());
                        for q in [0.0, 0.3, 0.5, 1.0] {
                            assert_eq!(
                                window.quantile(q).map(f64::to_bits),
                                one_by_one.quantile(q).map(f64::to_bits)
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn river_example() {
        // River's documented stream for RollingQuantile(q=0.3, window_size=4).
        let mut window = RollingWindow::new(4);
        let expected = [5.0, 2.2, 2.2, 1.9, 1.9, 2.9];
        for (&x, &want) in [5.0, 1.0, 3.0, 2.0, 8.0, 9.0].iter().zip(&expected) {
            window.push(x);
            let got = window.quantile(0.3).unwrap();
            assert!((got - want).abs() < 1e-12, "{got} != {want}");
        }
    }

    #[test]
    fn state_round_trips_and_rejects_corruption() {
        let mut window = RollingWindow::new(3);
        [1.0, 4.0, 2.0, 8.0].iter().for_each(|&x| window.push(x));
        let restored = RollingWindow::from_state(window.state()).unwrap();
        assert_eq!(restored.state(), window.state());
        assert_eq!(restored.quantile(0.5), Some(4.0));
        let too_many = RollingWindowState {
            window_size: 1,
            values: vec![1.0, 2.0],
        };
        assert!(RollingWindow::from_state(too_many).is_err());
        let zero = RollingWindowState {
            window_size: 0,
            values: vec![],
        };
        assert!(RollingWindow::from_state(zero).is_err());
        let nan = RollingWindowState {
            window_size: 2,
            values: vec![f64::NAN],
        };
        assert!(RollingWindow::from_state(nan).is_err());
    }
}
