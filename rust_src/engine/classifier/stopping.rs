//! Tolerance-based stopping, with scikit-learn's rule: an epoch "improves" when its score
//! beats the best score so far by more than `tol`; training stops after `patience`
//! consecutive epochs without improvement. Scores are losses (lower is better) or
//! accuracies (higher is better, negated by the caller).

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NoImprovement {
    tol: Option<f64>,
    patience: u32,
    best: f64,
    stale: u32,
}

impl NoImprovement {
    /// `tol = None` never stops.
    pub fn new(tol: Option<f64>, patience: u32) -> Self {
        Self {
            tol,
            patience: patience.max(1),
            best: f64::INFINITY,
            stale: 0,
        }
    }

    /// Records an epoch's loss; true when training should stop (or change pace).
    pub fn record(&mut self, loss: f64) -> bool {
        let Some(tol) = self.tol else {
            self.best = self.best.min(loss);
            return false;
        };
        if loss > self.best - tol {
            self.stale += 1;
        } else {
            self.stale = 0;
        }
        self.best = self.best.min(loss);
        self.stale >= self.patience
    }

    /// Whether the last recorded loss was the best so far.
    pub fn last_was_best(&self, loss: f64) -> bool {
        loss <= self.best
    }

    /// Starts counting afresh (after the adaptive schedule lowered the rate).
    pub fn reset_count(&mut self) {
        self.stale = 0;
    }

    pub fn best(&self) -> f64 {
        self.best
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stops_after_patience_stale_epochs() {
        let mut s = NoImprovement::new(Some(0.1), 2);
        assert!(!s.record(1.0));
        assert!(!s.record(0.95)); // improved by less than tol: stale 1
        assert!(s.record(0.99)); // stale 2
        s.reset_count();
        assert!(!s.record(0.5));
        assert_eq!(s.best(), 0.5);
        let mut never = NoImprovement::new(None, 1);
        for _ in 0..10 {
            assert!(!never.record(1.0));
        }
    }
}
