//! Exact quantiles of the last `window_size` values, O(log window) per update.
//!
//! The window is kept twice: in arrival order (a ring buffer, to know which value leaves) and
//! sorted (an [`OrderStatisticTree`], to read order statistics). Quantiles interpolate linearly
//! between order statistics, as NumPy's default and River's `RollingQuantile` do, so the numbers
//! are identical to theirs.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use super::order_statistic_tree::OrderStatisticTree;

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
    pub fn push(&mut self, x: f64) {
        if self.arrivals.len() == self.window_size {
            if let Some(oldest) = self.arrivals.pop_front() {
                self.sorted.remove(oldest);
            }
        }
        self.arrivals.push_back(x);
        self.sorted.insert(x);
    }

    /// The `q` quantile of the window (linear interpolation), or `None` when it is empty.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        let n = self.sorted.len();
        if n == 0 {
            return None;
        }
        let position = q * (n - 1) as f64;
        let lower = position.floor() as usize;
        let fraction = position - lower as f64;
        let low = self.sorted.kth(lower)?;
        if fraction == 0.0 {
            return Some(low);
        }
        let high = self.sorted.kth((lower + 1).min(n - 1))?;
        Some(low + (high - low) * fraction)
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
        state.values.iter().for_each(|&x| window.push(x));
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
