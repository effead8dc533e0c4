//! Validated inputs: the data and ν of a model, and the settings of one run.

use super::streams::CHAIN_LIMIT;
use super::SamplerError;

/// Data and degrees of freedom of a scaled-t model, checked once.
#[derive(Clone, Debug, PartialEq)]
pub struct ScaledTModel {
    data: Vec<f64>,
    nu: f64,
    mean: f64,
    variance: f64,
}

impl ScaledTModel {
    /// Takes at least two finite, not all equal data points and a finite `nu > 0`.
    ///
    /// Equal data are refused because the posterior is then improper (the likelihood grows
    /// without bound as σ² → 0).
    pub fn new(data: Vec<f64>, nu: f64) -> Result<Self, SamplerError> {
        let invalid = |message: String| Err(SamplerError::InvalidArgument(message));
        if !(nu.is_finite() && nu > 0.0) {
            return invalid(format!("nu must be a finite number > 0, got {nu}"));
        }
        if data.len() < 2 {
            return invalid(format!(
                "data must hold at least 2 points, got {}",
                data.len()
            ));
        }
        if let Some((i, x)) = data.iter().enumerate().find(|(_, x)| !x.is_finite()) {
            return invalid(format!(
                "data[{i}] is {x}: NaN and infinite values are rejected"
            ));
        }
        if !(data.len() as f64 * nu).is_finite() {
            return invalid(format!("nu is too large, got {nu}"));
        }
        let n = data.len() as f64;
        let mean = data.iter().sum::<f64>() / n;
        let variance = data.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
        if !mean.is_finite() || !variance.is_finite() {
            return invalid(
                "the data are too large to square in floating point: rescale them".into(),
            );
        }
        if data.iter().all(|&x| x == data[0]) {
            return invalid(format!(
                "data must not all be equal (all {} points are {}): the posterior is then \
                 improper",
                data.len(),
                data[0]
            ));
        }
        if variance <= 0.0 {
            // Different points whose deviations square to zero (|x| below about 1e-154).
            return invalid(
                "the data are too small to square in floating point (their variance is 0): \
                 rescale them"
                    .into(),
            );
        }
        Ok(Self {
            data,
            nu,
            mean,
            variance,
        })
    }

    pub fn data(&self) -> &[f64] {
        &self.data
    }

    pub fn nu(&self) -> f64 {
        self.nu
    }

    /// Sample mean, the starting value of μ.
    pub fn mean(&self) -> f64 {
        self.mean
    }

    /// Sample variance (n − 1 denominator), the starting value of σ².
    pub fn variance(&self) -> f64 {
        self.variance
    }
}

/// What one run does: iterations, chains, the seed, and the number of worker threads.
#[derive(Clone, Debug, PartialEq)]
pub struct RunSettings {
    /// Iterations discarded before the first recorded draw.
    pub burn_in: usize,
    /// Draws recorded per chain.
    pub sample_size: usize,
    pub chains: usize,
    /// The index of the first chain: the run's chains are `first_chain .. first_chain + chains`
    /// of the seed's streams, so that one run can be split into several.
    pub first_chain: u64,
    /// Chain `c` uses the stream described in [`super::streams::chain_rng`].
    pub seed: u64,
    /// Worker threads; `None` uses rayon's global pool (one thread per core). The draws do not
    /// depend on it.
    pub threads: Option<usize>,
}

impl RunSettings {
    pub fn validate(&self) -> Result<(), SamplerError> {
        let invalid = |message: String| Err(SamplerError::InvalidArgument(message));
        if self.sample_size == 0 {
            return invalid("sample_size must be >= 1, got 0".into());
        }
        if self.chains == 0 {
            return invalid("chains must be >= 1, got 0".into());
        }
        if u128::from(self.first_chain) + self.chains as u128 > CHAIN_LIMIT {
            return invalid(format!(
                "first_chain + chains must be <= 2**64 (a seed has chains 0 to 2**64 - 1), got \
                 first_chain={} and chains={}",
                self.first_chain, self.chains
            ));
        }
        if self.threads == Some(0) {
            return invalid("threads must be >= 1 (or None for one per core), got 0".into());
        }
        if self.burn_in.checked_add(self.sample_size).is_none() {
            return invalid("burn_in + sample_size is too large".into());
        }
        Ok(())
    }

    pub fn iterations(&self) -> usize {
        self.burn_in.saturating_add(self.sample_size)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(result: Result<ScaledTModel, SamplerError>) -> String {
        match result {
            Err(SamplerError::InvalidArgument(message)) => message,
            other => panic!("expected an invalid argument, got {other:?}"),
        }
    }

    #[test]
    fn rejects_bad_data_and_nu() {
        assert!(message(ScaledTModel::new(vec![], 3.0)).contains("at least 2 points, got 0"));
        assert!(message(ScaledTModel::new(vec![1.0], 3.0)).contains("got 1"));
        assert!(message(ScaledTModel::new(vec![1.0, f64::NAN], 3.0)).contains("data[1] is NaN"));
        assert!(message(ScaledTModel::new(vec![f64::INFINITY, 1.0], 3.0)).contains("data[0]"));
        assert!(message(ScaledTModel::new(vec![2.0, 2.0, 2.0], 3.0)).contains("all be equal"));
        assert!(message(ScaledTModel::new(vec![1e300, -1e300], 3.0)).contains("rescale"));
        let too_small = message(ScaledTModel::new(vec![1e-300, -1e-300, 0.0], 3.0));
        assert!(too_small.contains("too small") && too_small.contains("rescale"));
        for nu in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            assert!(message(ScaledTModel::new(vec![1.0, 2.0], nu)).starts_with("nu must be"));
        }
        assert!(message(ScaledTModel::new(vec![1.0, 2.0], f64::MAX)).contains("too large"));
    }

    #[test]
    fn keeps_data_and_starting_values() {
        let model = ScaledTModel::new(vec![1.0, 2.0, 6.0], 4.0).unwrap();
        assert_eq!(model.data(), &[1.0, 2.0, 6.0]);
        assert_eq!(model.nu(), 4.0);
        assert_eq!(model.mean(), 3.0);
        assert_eq!(model.variance(), 7.0);
    }

    #[test]
    fn settings_checks() {
        let ok = RunSettings {
            burn_in: 0,
            sample_size: 1,
            chains: 1,
            first_chain: 0,
            seed: 0,
            threads: None,
        };
        assert!(ok.validate().is_ok());
        let last = RunSettings {
            first_chain: u64::MAX,
            ..ok.clone()
        };
        assert!(last.validate().is_ok());
        for bad in [
            RunSettings {
                sample_size: 0,
                ..ok.clone()
            },
            RunSettings {
                chains: 0,
                ..ok.clone()
            },
            RunSettings {
                threads: Some(0),
                ..ok.clone()
            },
            RunSettings {
                burn_in: usize::MAX,
                ..ok.clone()
            },
            RunSettings {
                chains: 2,
                ..last.clone()
            },
        ] {
            assert!(matches!(
                bad.validate(),
                Err(SamplerError::InvalidArgument(_))
            ));
        }
    }
}
