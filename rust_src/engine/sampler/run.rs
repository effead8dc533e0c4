//! Many chains at once: one rayon task per chain, each with its own stream and its own slice
//! of the output, so the draws do not depend on the number of threads or on scheduling.

use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;

use super::chain::{run_chain, ChainDraws};
use super::streams::{chain_rngs, ChainRng};
use super::{RunSettings, SamplerError, ScaledTModel};

/// The recorded draws, each a row-major `chains × sample_size` matrix.
#[derive(Clone, Debug, PartialEq)]
pub struct Draws {
    pub chains: usize,
    pub sample_size: usize,
    pub mu: Vec<f64>,
    pub sigma2: Vec<f64>,
    pub tau2: Vec<f64>,
    pub alpha2: Vec<f64>,
}

/// Runs `settings.chains` chains in parallel. `stop` is read before every iteration of every
/// chain: raising it (from a signal watcher, say) ends the run with
/// [`SamplerError::Interrupted`] within one iteration.
pub fn sample(
    model: &ScaledTModel,
    settings: &RunSettings,
    stop: &AtomicBool,
) -> Result<Draws, SamplerError> {
    settings.validate()?;
    let size = settings.sample_size;
    let len = settings
        .chains
        .checked_mul(size)
        .ok_or(SamplerError::OutOfMemory {
            bytes: 4 * 8 * settings.chains as u128 * size as u128,
        })?;
    let bytes = 4 * 8 * len as u128;
    let (mut mu, mut sigma2) = (zeros(len, bytes)?, zeros(len, bytes)?);
    let (mut tau2, mut alpha2) = (zeros(len, bytes)?, zeros(len, bytes)?);

    // A failed chain stops the others early; its error, not theirs, is reported.
    let failed = AtomicBool::new(false);
    let should_stop = || stop.load(Ordering::Relaxed) || failed.load(Ordering::Relaxed);
    let rngs = chain_rngs(settings.seed, settings.first_chain, settings.chains);
    let jobs: Vec<(usize, (ChainDraws<'_>, ChainRng))> = mu
        .chunks_mut(size)
        .zip(sigma2.chunks_mut(size))
        .zip(tau2.chunks_mut(size).zip(alpha2.chunks_mut(size)))
        .map(|((mu, sigma2), (tau2, alpha2))| ChainDraws {
            mu,
            sigma2,
            tau2,
            alpha2,
        })
        .zip(rngs)
        .enumerate()
        .collect();
    let run_one = |(index, (out, mut rng)): (usize, (ChainDraws<'_>, ChainRng))| {
        // The chain's index in the seed's streams, for messages (validate() keeps it < 2⁶⁴).
        let chain = settings.first_chain.saturating_add(index as u64);
        let result = run_chain(model, settings.burn_in, chain, &mut rng, out, &should_stop);
        if result.is_err() {
            failed.store(true, Ordering::Relaxed);
        }
        result
    };
    let results: Vec<Result<(), SamplerError>> = match settings.threads {
        // One chain runs on the calling thread: no hand-off to the pool.
        _ if settings.chains == 1 => jobs.into_iter().map(run_one).collect(),
        None => jobs.into_par_iter().map(run_one).collect(),
        // Threads beyond one per chain would have nothing to do (and a huge request would
        // spend minutes starting them, deaf to Ctrl-C).
        Some(threads) => rayon::ThreadPoolBuilder::new()
            .num_threads(threads.min(settings.chains))
            .build()
            .map_err(|error| SamplerError::Threads(error.to_string()))?
            .install(|| jobs.into_par_iter().map(run_one).collect()),
    };
    let mut errors = results.into_iter().filter_map(Result::err);
    if let Some(first) = errors.next() {
        let real = std::iter::once(first.clone())
            .chain(errors)
            .find(|error| *error != SamplerError::Interrupted);
        return Err(real.unwrap_or(first));
    }
    Ok(Draws {
        chains: settings.chains,
        sample_size: size,
        mu,
        sigma2,
        tau2,
        alpha2,
    })
}

/// A zeroed buffer, or an error instead of an abort when memory runs out (`bytes` is what the
/// whole run needs, for the message).
fn zeros(len: usize, bytes: u128) -> Result<Vec<f64>, SamplerError> {
    let mut buffer = Vec::new();
    buffer
        .try_reserve_exact(len)
        .map_err(|_| SamplerError::OutOfMemory { bytes })?;
    buffer.resize(len, 0.0);
    Ok(buffer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A t₆ sample, μ = −3.14 and σ² = 30 (the talk's setting at a smaller n), made as the
    /// talk does: μ + z √(σ² ν / χ²_ν), from a fixed stream.
    fn talk_data(n: usize) -> Vec<f64> {
        use rand_distr::{ChiSquared, Distribution, StandardNormal};
        #[allow(clippy::approx_constant)] // −3.14 is the talk's value, not π.
        let (mu, sigma2, nu): (f64, f64, f64) = (-3.14, 30.0, 6.0);
        let chi2 = ChiSquared::new(nu).unwrap();
        let mut rng = super::super::streams::chain_rng(314, 0);
        (0..n)
            .map(|_| {
                let z: f64 = StandardNormal.sample(&mut rng);
                mu + z * (sigma2 * nu / chi2.sample(&mut rng)).sqrt()
            })
            .collect()
    }

    fn settings(chains: usize, threads: Option<usize>) -> RunSettings {
        RunSettings {
            burn_in: 50,
            sample_size: 200,
            chains,
            first_chain: 0,
            seed: 20_240_601,
            threads,
        }
    }

    fn run(model: &ScaledTModel, settings: &RunSettings) -> Draws {
        sample(model, settings, &AtomicBool::new(false)).unwrap()
    }

    #[test]
    fn same_seed_same_draws_and_threads_do_not_matter() {
        let model = ScaledTModel::new(talk_data(60), 6.0).unwrap();
        let reference = run(&model, &settings(5, Some(1)));
        assert_eq!(reference, run(&model, &settings(5, Some(1))));
        for threads in [Some(2), Some(3), Some(8), None] {
            assert_eq!(reference, run(&model, &settings(5, threads)), "{threads:?}");
        }
    }

    #[test]
    fn chain_c_does_not_depend_on_the_number_of_chains() {
        let model = ScaledTModel::new(talk_data(40), 6.0).unwrap();
        let five = run(&model, &settings(5, None));
        let two = run(&model, &settings(2, None));
        assert_eq!(two.mu[..], five.mu[..2 * 200]);
        assert_eq!(two.sigma2[..], five.sigma2[..2 * 200]);
        // Different chains, different draws.
        assert_ne!(five.mu[..200], five.mu[200..400]);
    }

    #[test]
    fn a_run_split_by_first_chain_gives_the_same_draws() {
        let model = ScaledTModel::new(talk_data(40), 6.0).unwrap();
        let five = run(&model, &settings(5, None));
        for first in 0..5 {
            let one = run(
                &model,
                &RunSettings {
                    first_chain: first,
                    ..settings(1, None)
                },
            );
            let at = first as usize * 200;
            assert_eq!(one.mu[..], five.mu[at..at + 200], "chain {first}");
            assert_eq!(one.sigma2[..], five.sigma2[at..at + 200]);
            assert_eq!(one.tau2[..], five.tau2[at..at + 200]);
            assert_eq!(one.alpha2[..], five.alpha2[at..at + 200]);
        }
        let last_three = run(
            &model,
            &RunSettings {
                first_chain: 2,
                ..settings(3, None)
            },
        );
        assert_eq!(last_three.mu[..], five.mu[400..]);
        // The last chains of the layout run (and quickly).
        let last = run(
            &model,
            &RunSettings {
                first_chain: u64::MAX - 1,
                ..settings(2, None)
            },
        );
        assert!(last.mu.iter().all(|v| v.is_finite()));
        assert_ne!(last.mu[..200], last.mu[200..]);
    }

    #[test]
    fn a_raised_stop_flag_interrupts() {
        let model = ScaledTModel::new(talk_data(20), 6.0).unwrap();
        let result = sample(&model, &settings(3, None), &AtomicBool::new(true));
        assert_eq!(result, Err(SamplerError::Interrupted));
    }

    #[test]
    fn bad_settings_are_errors() {
        let model = ScaledTModel::new(talk_data(20), 6.0).unwrap();
        let stop = AtomicBool::new(false);
        let bad = RunSettings {
            chains: 0,
            ..settings(1, None)
        };
        assert!(matches!(
            sample(&model, &bad, &stop),
            Err(SamplerError::InvalidArgument(_))
        ));
        let huge = RunSettings {
            chains: usize::MAX / 2,
            sample_size: 4,
            ..settings(1, None)
        };
        assert!(matches!(
            sample(&model, &huge, &stop),
            Err(SamplerError::OutOfMemory { .. })
        ));
    }

    /// Posterior means of μ and σ² by 2-D quadrature of p(μ, log σ² | x) ∝ Π t_ν(x_i | μ, σ²)
    /// (the prior 1/σ² is flat in log σ²).
    fn quadrature_means(x: &[f64], nu: f64) -> (f64, f64) {
        let n = x.len() as f64;
        let mean = x.iter().sum::<f64>() / n;
        let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
        let (mu_half, s_half) = (10.0 * (var / n).sqrt(), 10.0 * (2.0 / n).sqrt());
        let points = 801;
        let log_lik = |mu: f64, s: f64| -> f64 {
            let sigma2 = s.exp();
            x.iter()
                .map(|&x_i| {
                    -0.5 * s - (nu + 1.0) / 2.0 * (1.0 + (x_i - mu).powi(2) / (nu * sigma2)).ln()
                })
                .sum()
        };
        let grid = |centre: f64, half: f64, k: usize| {
            centre - half + 2.0 * half * k as f64 / (points - 1) as f64
        };
        let mut cells = Vec::with_capacity(points * points);
        for i in 0..points {
            for j in 0..points {
                let (mu, s) = (grid(mean, mu_half, i), grid(var.ln(), s_half, j));
                cells.push((mu, s, log_lik(mu, s)));
            }
        }
        let peak = cells.iter().map(|c| c.2).fold(f64::NEG_INFINITY, f64::max);
        let (mut z, mut m_mu, mut m_s2) = (0.0, 0.0, 0.0);
        for (mu, s, l) in cells {
            let p = (l - peak).exp();
            z += p;
            m_mu += p * mu;
            m_s2 += p * s.exp();
        }
        (m_mu / z, m_s2 / z)
    }

    /// Mean and Monte-Carlo standard error by batch means over all chains.
    fn mean_and_mcse(values: &[f64], batches: usize) -> (f64, f64) {
        let size = values.len() / batches;
        let means: Vec<f64> = values
            .chunks_exact(size)
            .map(|b| b.iter().sum::<f64>() / size as f64)
            .collect();
        let mean = means.iter().sum::<f64>() / batches as f64;
        let var = means.iter().map(|m| (m - mean).powi(2)).sum::<f64>() / (batches - 1) as f64;
        (mean, (var / batches as f64).sqrt())
    }

    #[test]
    fn recovers_the_exact_posterior_means() {
        let x = talk_data(40);
        let nu = 6.0;
        let (exact_mu, exact_sigma2) = quadrature_means(&x, nu);
        let model = ScaledTModel::new(x, nu).unwrap();
        let draws = run(
            &model,
            &RunSettings {
                burn_in: 500,
                sample_size: 20_000,
                chains: 2,
                first_chain: 0,
                seed: 11,
                threads: None,
            },
        );
        let (mu, mu_se) = mean_and_mcse(&draws.mu, 40);
        let (sigma2, sigma2_se) = mean_and_mcse(&draws.sigma2, 40);
        assert!(
            (mu - exact_mu).abs() < 4.0 * mu_se,
            "{mu} ± {mu_se} vs {exact_mu}"
        );
        assert!(
            (sigma2 - exact_sigma2).abs() < 4.0 * sigma2_se,
            "{sigma2} ± {sigma2_se} vs {exact_sigma2}"
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]

        #[test]
        fn any_valid_input_gives_finite_reproducible_draws(
            data in proptest::collection::vec(-1e6f64..1e6, 2..12),
            nu in 0.5f64..50.0,
            seed in any::<u64>(),
            chains in 1usize..4,
        ) {
            prop_assume!(data.iter().any(|&v| v != data[0]));
            let model = ScaledTModel::new(data, nu).unwrap();
            let settings = RunSettings {
                burn_in: 5, sample_size: 30, chains, first_chain: 0, seed, threads: None,
            };
            let first = sample(&model, &settings, &AtomicBool::new(false));
            let again = sample(&model, &RunSettings { threads: Some(1), ..settings.clone() },
                               &AtomicBool::new(false));
            prop_assert_eq!(&first, &again);
            let draws = first.unwrap();
            prop_assert_eq!(draws.mu.len(), chains * 30);
            prop_assert!(draws.mu.iter().all(|v| v.is_finite()));
            prop_assert!(draws.sigma2.iter().all(|v| v.is_finite() && *v > 0.0));
        }
    }
}
