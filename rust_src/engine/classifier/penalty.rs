//! Penalties of the SGD classifier: `alpha * (l1_ratio * |w|_1 + (1 - l1_ratio) / 2 * |w|_2^2)`.
//!
//! The L2 part shrinks every weight by `1 - eta * alpha * (1 - l1_ratio)` per update. The L1
//! part uses the **cumulative penalty** of Tsuruoka, Tsujii & Ananiadou (2009), "Stochastic
//! gradient descent training for L1-regularized log-linear models with cumulative penalty"
//! (ACL), as scikit-learn does: `u` is the total L1 penalty a weight could have received so
//! far, `q[j]` what weight `j` actually received; after each gradient step a weight is moved
//! towards zero by what it still owes, but never across zero. Unlike the naive subgradient
//! step, this produces exact zeros and does not oscillate around them.

use serde::{Deserialize, Serialize};

use super::error::{invalid, ClassifierError};

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Penalty {
    pub alpha: f64,
    pub l1_ratio: f64,
}

impl Penalty {
    pub fn new(alpha: f64, l1_ratio: f64) -> Result<Self, ClassifierError> {
        if !(alpha >= 0.0 && alpha.is_finite()) {
            return Err(invalid(format!(
                "alpha must be finite and >= 0, got {alpha}"
            )));
        }
        if !(0.0..=1.0).contains(&l1_ratio) {
            return Err(invalid(format!(
                "l1_ratio must be in [0, 1], got {l1_ratio}"
            )));
        }
        Ok(Self { alpha, l1_ratio })
    }

    /// Strength of the L2 part.
    pub fn l2(&self) -> f64 {
        self.alpha * (1.0 - self.l1_ratio)
    }

    /// Strength of the L1 part.
    pub fn l1(&self) -> f64 {
        self.alpha * self.l1_ratio
    }
}

/// Applies the cumulative L1 penalty to one weight: `u` is the total penalty so far, `q` the
/// penalty this weight has received (updated).
#[inline(always)]
pub fn apply_cumulative_l1(w: &mut f64, q: &mut f64, u: f64) {
    let z = *w;
    if z > 0.0 {
        *w = (z - (u + *q)).max(0.0);
    } else if z < 0.0 {
        *w = (z + (u - *q)).min(0.0);
    }
    *q += *w - z;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cumulative_l1_clips_at_zero_and_remembers() {
        let (mut w, mut q) = (0.3, 0.0);
        apply_cumulative_l1(&mut w, &mut q, 0.1);
        assert!((w - 0.2).abs() < 1e-15 && (q + 0.1).abs() < 1e-15);
        // The total grows to 0.5: the weight owes 0.4 more but stops at zero.
        apply_cumulative_l1(&mut w, &mut q, 0.5);
        assert_eq!(w, 0.0);
        assert!((q + 0.3).abs() < 1e-15);
        // A negative weight is pulled up by what it still owes (u - q is 0.5 + 0.3).
        let (mut v, mut p) = (-1.0, 0.0);
        apply_cumulative_l1(&mut v, &mut p, 0.25);
        assert!((v + 0.75).abs() < 1e-15 && (p - 0.25).abs() < 1e-15);
        assert!(Penalty::new(-1.0, 0.5).is_err());
        assert!(Penalty::new(1.0, 1.5).is_err());
        let p = Penalty::new(2.0, 0.25).unwrap();
        assert_eq!((p.l1(), p.l2()), (0.5, 1.5));
    }
}
