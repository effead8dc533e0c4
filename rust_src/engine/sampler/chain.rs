//! One chain: its state, one Gibbs sweep, and a run of sweeps into caller-owned slices.

use super::batched_gamma::BATCH;
use super::conditionals::{self, Expanded, LatentScales};
use super::lane_streams::LANES;
use super::streams::{ChainRng, SweepVariates};
use super::vector_dispatch::{dispatched, InstructionSet};
use super::{SamplerError, ScaledTModel};

/// What one sweep records.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sweep {
    pub mu: f64,
    /// `α² τ²`, the scale² of the t distribution.
    pub sigma2: f64,
    /// The working parameters as drawn in this sweep (not identified on their own).
    pub tau2: f64,
    pub alpha2: f64,
}

impl Sweep {
    fn is_valid(&self) -> bool {
        self.mu.is_finite()
            && [self.sigma2, self.tau2, self.alpha2]
                .iter()
                .all(|v| v.is_finite() && *v > 0.0)
    }
}

/// Points per chunk of a sweep: a multiple of [`SUM_LANES`] (see [`LaneSums::add`]), large
/// enough that most draws are written by whole batches of [`BATCH`] (see
/// [`super::batched_gamma::BatchedGamma::fill_then`]), small enough that a chunk's weights and
/// data (8 KiB) stay in the L1 cache.
const CHUNK: usize = 8 * BATCH;

/// Partial sums per sum (see [`LaneSums`]): four vectors of [`LANES`], so that four chains of
/// dependent additions run side by side (one chain made the sums as slow as the divisions).
const SUM_LANES: usize = 4 * LANES;

/// `α²` is kept within `[1/ALPHA2_LIMIT, ALPHA2_LIMIT]` between sweeps, see [`Chain::sweep`].
const ALPHA2_LIMIT: f64 = 18_446_744_073_709_551_616.0; // 2^64

/// The state of one chain and its scratch space.
#[derive(Clone, Debug)]
pub struct Chain<'m> {
    model: &'m ScaledTModel,
    variates: SweepVariates,
    state: Expanded,
    /// `w_i = 1 / U_i` of the current sweep.
    weights: Vec<f64>,
}

impl<'m> Chain<'m> {
    /// Starts at μ = sample mean, τ² = sample variance, α² = 1 (so σ² = sample variance), for
    /// the chain whose stream starts at `rng` (which seeds its latent scales' lanes).
    pub fn new(model: &'m ScaledTModel, rng: &ChainRng) -> Result<Self, SamplerError> {
        let start = Expanded {
            mu: model.mean(),
            tau2: model.variance(),
            alpha2: 1.0,
        };
        Self::starting_at(model, start, rng)
    }

    pub fn starting_at(
        model: &'m ScaledTModel,
        state: Expanded,
        rng: &ChainRng,
    ) -> Result<Self, SamplerError> {
        Ok(Self {
            model,
            variates: SweepVariates::new(model.data().len(), model.nu(), rng)?,
            state,
            weights: vec![0.0; model.data().len()],
        })
    }

    pub fn state(&self) -> Expanded {
        self.state
    }

    /// One Gibbs sweep: every `U_i`, then `μ`, `τ²` and `α²`, each from its full conditional
    /// given the latest values of the others.
    #[inline(always)]
    pub fn sweep(&mut self, rng: &mut ChainRng) -> Sweep {
        let x = self.model.data();
        let nu = self.model.nu();
        let n = x.len();

        // The χ² variates, each turned into its weight w_i = 1/U_i in place (a draw of the
        // U_i conditional), one chunk at a time so that they are still in cache.
        let scales = LatentScales::new(&self.state, nu);
        let mut sums = LaneSums::<2>::new();
        for (weights, x) in self.weights.chunks_mut(CHUNK).zip(x.chunks(CHUNK)) {
            self.variates.latents_then(rng, weights, |start, chi2s| {
                for (chi2, &x_i) in chi2s.iter_mut().zip(&x[start..]) {
                    *chi2 = scales.at(x_i).draw_reciprocal(*chi2);
                }
            });
            sums.add(weights, x, |w, x_i| [w, w * x_i]);
        }
        let [sum_w, sum_wx] = sums.totals();

        let mu = conditionals::location(sum_w, sum_wx, self.state.alpha2)
            .draw(self.variates.normal(rng));
        let tau2 = conditionals::tau2(n, nu, sum_w).draw(self.variates.tau2(rng));
        let mut sums = LaneSums::<1>::new();
        sums.add(&self.weights, x, |w, x_i| [w * (x_i - mu) * (x_i - mu)]);
        let [sum_w_residual2] = sums.totals();
        let alpha2 = conditionals::alpha2(n, sum_w_residual2).draw(self.variates.alpha2(rng));

        let sweep = Sweep {
            mu,
            sigma2: alpha2 * tau2,
            tau2,
            alpha2,
        };
        self.state = Expanded { mu, tau2, alpha2 };
        self.rebalance();
        sweep
    }

    /// `α` is not identified: its posterior is improper, and `log α²` random-walks from sweep
    /// to sweep (by about `√(2/n)` per sweep), which for small `n` and long runs would leave
    /// the floating-point range. Multiplying `α²` by `2^-k` and `τ²` by `2^k` is exact in
    /// binary floating point and scales every later `U_i` and `1/w_i` by `2^k` exactly, so the
    /// draws of `μ` and `σ²` stay bit for bit what they would have been.
    fn rebalance(&mut self) {
        let alpha2 = self.state.alpha2;
        if alpha2.is_normal() && !(1.0 / ALPHA2_LIMIT..=ALPHA2_LIMIT).contains(&alpha2) {
            let exponent = ((alpha2.to_bits() >> 52) & 0x7ff) as i32 - 1023;
            let factor = 2f64.powi(-exponent);
            self.state.alpha2 *= factor;
            self.state.tau2 /= factor;
        }
    }
}

/// `K` sums over the data, each kept as [`SUM_LANES`] partial sums (term `i` goes to partial
/// `i mod SUM_LANES`) that are added up in a fixed order at the end: vectorisable, and the same
/// bits on every platform and instruction set.
struct LaneSums<const K: usize> {
    partial: [[f64; SUM_LANES]; K],
}

impl<const K: usize> LaneSums<K> {
    fn new() -> Self {
        Self {
            partial: [[0.0; SUM_LANES]; K],
        }
    }

    /// Adds `terms(weight_i, x_i)` for a run of the data; every run but the last must have a
    /// multiple of [`SUM_LANES`] points, so that point `i` keeps lane `i mod SUM_LANES`.
    #[inline(always)]
    fn add(&mut self, weights: &[f64], x: &[f64], terms: impl Fn(f64, f64) -> [f64; K]) {
        let mut add = |lane: usize, weight: f64, x_i: f64| {
            for (sums, term) in self.partial.iter_mut().zip(terms(weight, x_i)) {
                sums[lane] += term;
            }
        };
        let mut weight_chunks = weights.chunks_exact(SUM_LANES);
        let mut x_chunks = x.chunks_exact(SUM_LANES);
        for (w, x) in (&mut weight_chunks).zip(&mut x_chunks) {
            for lane in 0..SUM_LANES {
                add(lane, w[lane], x[lane]);
            }
        }
        let tail = weight_chunks.remainder().iter();
        for (lane, (&w, &x_i)) in tail.zip(x_chunks.remainder()).enumerate() {
            add(lane, w, x_i);
        }
    }

    #[inline(always)]
    fn totals(&self) -> [f64; K] {
        self.partial.map(pairwise_total)
    }
}

/// `((s₀ + s₁) + (s₂ + s₃)) + …`: halves the array until one sum is left.
#[inline(always)]
fn pairwise_total(mut sums: [f64; SUM_LANES]) -> f64 {
    const { assert!(SUM_LANES.is_power_of_two()) };
    let mut width = SUM_LANES;
    while width > 1 {
        width /= 2;
        for i in 0..width {
            sums[i] = sums[2 * i] + sums[2 * i + 1];
        }
    }
    sums[0]
}

/// A chain's share of the output: one slice per recorded quantity, all of the same length.
pub struct ChainDraws<'a> {
    pub mu: &'a mut [f64],
    pub sigma2: &'a mut [f64],
    pub tau2: &'a mut [f64],
    pub alpha2: &'a mut [f64],
}

/// Runs `burn_in` sweeps, then one recorded sweep per slot of `out`. `should_stop` is asked
/// before every sweep; when it says yes the run ends with [`SamplerError::Interrupted`].
/// Compiled for the best vector instructions of the CPU (see [`super::vector_dispatch`]).
pub fn run_chain(
    model: &ScaledTModel,
    burn_in: usize,
    index: u64,
    rng: &mut ChainRng,
    out: ChainDraws<'_>,
    should_stop: &(dyn Fn() -> bool + Sync),
) -> Result<(), SamplerError> {
    let mut chain = Chain::new(model, rng)?;
    let set = InstructionSet::chosen();
    run_sweeps_compiled_for(set, &mut chain, burn_in, index, rng, out, should_stop)
}

dispatched! {
    fn run_sweeps_compiled_for(
        chain: &mut Chain<'_>,
        burn_in: usize,
        index: u64,
        rng: &mut ChainRng,
        out: ChainDraws<'_>,
        should_stop: &(dyn Fn() -> bool + Sync),
    ) -> Result<(), SamplerError> {
        for iteration in 0..burn_in.saturating_add(out.mu.len()) {
            if should_stop() {
                return Err(SamplerError::Interrupted);
            }
            let sweep = chain.sweep(rng);
            if !sweep.is_valid() {
                return Err(SamplerError::NotFinite {
                    chain: index,
                    iteration,
                });
            }
            if let Some(k) = iteration.checked_sub(burn_in) {
                out.mu[k] = sweep.mu;
                out.sigma2[k] = sweep.sigma2;
                out.tau2[k] = sweep.tau2;
                out.alpha2[k] = sweep.alpha2;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::streams::chain_rng;
    use super::super::vector_dispatch::available;
    use super::*;

    /// The four output slices of a chain, over `buffers`.
    fn draws_into<const N: usize>(buffers: &mut [[f64; N]; 4]) -> ChainDraws<'_> {
        let [mu, sigma2, tau2, alpha2] = buffers;
        ChainDraws {
            mu,
            sigma2,
            tau2,
            alpha2,
        }
    }

    fn model() -> ScaledTModel {
        ScaledTModel::new(vec![-1.2, 0.3, 2.2, 0.9, -0.4, 7.5, 1.1], 3.0).unwrap()
    }

    #[test]
    fn rescaled_working_parameters_give_identical_draws() {
        // α² and τ² scaled by 2^±100: a different expanded state with the same σ². The draws
        // of μ and σ² must agree bit for bit, which is what makes `rebalance` harmless.
        let model = model();
        let base = Chain::new(&model, &chain_rng(9, 0)).unwrap().state();
        let scale = 2f64.powi(100);
        let scaled = Expanded {
            alpha2: base.alpha2 * scale,
            tau2: base.tau2 / scale,
            ..base
        };
        let (mut rng_a, mut rng_b) = (chain_rng(9, 0), chain_rng(9, 0));
        let mut plain = Chain::starting_at(&model, base, &rng_a).unwrap();
        let mut shifted = Chain::starting_at(&model, scaled, &rng_b).unwrap();
        let first = shifted.sweep(&mut rng_b);
        assert!(
            first.alpha2 > ALPHA2_LIMIT,
            "the shifted chain starts out of range"
        );
        assert!(
            shifted.state().alpha2 <= ALPHA2_LIMIT,
            "and is rebalanced at once"
        );
        let reference = plain.sweep(&mut rng_a);
        assert_eq!((first.mu, first.sigma2), (reference.mu, reference.sigma2));
        for _ in 0..500 {
            let (a, b) = (plain.sweep(&mut rng_a), shifted.sweep(&mut rng_b));
            assert_eq!((a.mu, a.sigma2), (b.mu, b.sigma2));
        }
    }

    #[test]
    fn every_instruction_set_gives_the_same_draws() {
        // 1100 points: whole chunks and a shorter one, draws written by whole batches and
        // through the staging buffer, whole blocks of partial sums and a remainder. Compared
        // bit for bit.
        let data: Vec<f64> = (0..1100).map(|i| ((i * 7919) % 101) as f64 / 9.0).collect();
        let model = ScaledTModel::new(data, 4.0).unwrap();
        let runs: Vec<_> = available()
            .into_iter()
            .map(|set| {
                let mut buffers = [[0.0; 300]; 4];
                let out = draws_into(&mut buffers);
                let mut rng = chain_rng(3, 1);
                let mut chain = Chain::new(&model, &rng).unwrap();
                run_sweeps_compiled_for(set, &mut chain, 10, 0, &mut rng, out, &|| false).unwrap();
                (set, buffers.map(|b| b.map(f64::to_bits)))
            })
            .collect();
        for (set, draws) in &runs[1..] {
            assert_eq!(draws, &runs[0].1, "{set:?} differs from the baseline");
        }
    }

    #[test]
    fn a_long_small_data_chain_stays_finite() {
        // Two points: log α² random-walks by about one unit per sweep.
        let model = ScaledTModel::new(vec![0.0, 1.0], 2.0).unwrap();
        let mut rng = chain_rng(1, 0);
        let mut chain = Chain::new(&model, &rng).unwrap();
        for _ in 0..200_000 {
            let sweep = chain.sweep(&mut rng);
            assert!(sweep.is_valid(), "{sweep:?}");
        }
    }

    #[test]
    fn stops_when_asked() {
        let model = model();
        let mut buffers = [[0.0; 4]; 4];
        let out = draws_into(&mut buffers);
        let result = run_chain(&model, 10, 0, &mut chain_rng(1, 0), out, &|| true);
        assert_eq!(result, Err(SamplerError::Interrupted));
    }

    #[test]
    fn records_sigma2_as_alpha2_times_tau2() {
        let model = model();
        let mut buffers = [[0.0; 50]; 4];
        let out = draws_into(&mut buffers);
        run_chain(&model, 5, 0, &mut chain_rng(1, 0), out, &|| false).unwrap();
        let [mu, sigma2, tau2, alpha2] = &buffers;
        for k in 0..50 {
            assert_eq!(sigma2[k], alpha2[k] * tau2[k]);
            assert!(mu[k].is_finite() && sigma2[k] > 0.0);
        }
    }
}
