//! Learning-rate schedules of the SGD classifier, with scikit-learn's definitions.
//!
//! `t` counts the samples seen (the first update has `t = 1`):
//!
//! * `Constant`: `eta = eta0`;
//! * `Optimal`: `eta = 1 / (alpha (t0 + t - 1))`, Léon Bottou's schedule, with `t0` from
//!   his heuristic for the logistic loss (as scikit-learn's `SGDClassifier`);
//! * `InvScaling`: `eta = eta0 / t^power_t`;
//! * `Adaptive`: `eta = eta0` until the stopping criterion fires; then `eta /= 5` and
//!   training goes on, until `eta < 1e-6`.

use serde::{Deserialize, Serialize};

use super::error::{invalid, ClassifierError};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LearningRate {
    Constant,
    Optimal,
    InvScaling,
    Adaptive,
}

impl LearningRate {
    pub fn parse(name: &str) -> Result<Self, ClassifierError> {
        match name {
            "constant" => Ok(Self::Constant),
            "optimal" => Ok(Self::Optimal),
            "invscaling" => Ok(Self::InvScaling),
            "adaptive" => Ok(Self::Adaptive),
            other => Err(invalid(format!(
                "learning_rate must be one of 'constant', 'optimal', 'invscaling', \
                 'adaptive', got {other:?}"
            ))),
        }
    }
}

/// The schedule's constants, checked.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Schedule {
    pub kind: LearningRate,
    pub eta0: f64,
    pub power_t: f64,
    /// `t0` of the optimal schedule, from `alpha`.
    optimal_t0: f64,
    alpha: f64,
}

impl Schedule {
    pub fn new(
        kind: LearningRate,
        eta0: f64,
        power_t: f64,
        alpha: f64,
    ) -> Result<Self, ClassifierError> {
        if kind == LearningRate::Optimal && !(alpha > 0.0 && alpha.is_finite()) {
            return Err(invalid(format!(
                "learning_rate='optimal' needs alpha > 0, got alpha={alpha}"
            )));
        }
        if kind != LearningRate::Optimal && !(eta0 > 0.0 && eta0.is_finite()) {
            return Err(invalid(format!(
                "eta0 must be finite and > 0 for learning_rate other than 'optimal', got {eta0}"
            )));
        }
        // 'optimal' ignores eta0, but it is still the model's starting rate: keep it a number
        // (scikit-learn: eta0 >= 0 whatever the schedule).
        if !(eta0 >= 0.0 && eta0.is_finite()) {
            return Err(invalid(format!("eta0 must be finite and >= 0, got {eta0}")));
        }
        if !power_t.is_finite() {
            return Err(invalid(format!("power_t must be finite, got {power_t}")));
        }
        // Bottou's heuristic: typical weight 1/sqrt(sqrt(alpha)); for the logistic loss the
        // derivative at -typw is < 1, so the initial rate is typw.
        let optimal_t0 = if kind == LearningRate::Optimal {
            let typw = (1.0 / alpha.sqrt()).sqrt();
            1.0 / (typw * alpha)
        } else {
            0.0
        };
        Ok(Self {
            kind,
            eta0,
            power_t,
            optimal_t0,
            alpha,
        })
    }

    /// The rate of update number `t` (from 1); `current_eta` is the adaptive schedule's rate.
    #[inline(always)]
    pub fn eta(&self, t: f64, current_eta: f64) -> f64 {
        match self.kind {
            LearningRate::Constant => self.eta0,
            LearningRate::Adaptive => current_eta,
            LearningRate::Optimal => 1.0 / (self.alpha * (self.optimal_t0 + t - 1.0)),
            LearningRate::InvScaling => self.eta0 / t.powf(self.power_t),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates() {
        let s = Schedule::new(LearningRate::Optimal, 0.0, 0.5, 1e-4).unwrap();
        // typw = 10, t0 = 1 / (10 * 1e-4) = 1000.
        assert!((s.eta(1.0, 0.0) - 1.0 / (1e-4 * 1000.0)).abs() < 1e-9);
        assert!(s.eta(100.0, 0.0) < s.eta(1.0, 0.0));
        let inv = Schedule::new(LearningRate::InvScaling, 0.1, 0.5, 0.0).unwrap();
        assert!((inv.eta(4.0, 0.0) - 0.05).abs() < 1e-15);
        let c = Schedule::new(LearningRate::Constant, 0.1, 0.5, 0.0).unwrap();
        assert_eq!(c.eta(1e6, 0.0), 0.1);
        let a = Schedule::new(LearningRate::Adaptive, 0.1, 0.5, 0.0).unwrap();
        assert_eq!(a.eta(3.0, 0.02), 0.02);
        assert!(Schedule::new(LearningRate::Optimal, 0.0, 0.5, 0.0).is_err());
        assert!(Schedule::new(LearningRate::Constant, 0.0, 0.5, 1.0).is_err());
        assert!(Schedule::new(LearningRate::InvScaling, 0.1, f64::NAN, 1.0).is_err());
        assert!(LearningRate::parse("bogus").is_err());
        assert_eq!(
            LearningRate::parse("adaptive").unwrap(),
            LearningRate::Adaptive
        );
    }
}
