//! The sampler's gamma (and so χ²) generator: Marsaglia & Tsang (2000), as in `rand_distr`,
//! with a squeeze fitted to the shape, which makes the two logarithms of the exact test rare.
//!
//! **Algorithm.** For shape `a > 1`, with `d = a − 1/3` and `c = 1/√(9d)`: draw a standard
//! normal `x` (`rand_distr`'s ziggurat); if `1 + cx ≤ 0`, start again; else `v = (1 + cx)³`,
//! draw a uniform `u` and accept `d v` when `ln u < x²/2 + d (1 − v + ln v)`, else start
//! again. This is Marsaglia & Tsang's exact rejection method. Before the logarithms, a squeeze
//! accepts at once when
//!
//! ```text
//! u · m < m − x⁴ / (108 d),     m = min(1, 1 + cx)
//! ```
//!
//! which is a lower bound of the acceptance probability `exp(x²/2 + d (1 − v + ln v))`:
//! writing `t = cx`, the exponent `h` has `h′(x) = −√d t³ / (1 + t)`, so
//! `h ≥ −x⁴ / (108 d (1 + t))` for `t < 0` and `h ≥ −x⁴ / (108 d)` for `t ≥ 0`, and
//! `exp(h) ≥ 1 + h`. Marsaglia & Tsang's `1 − 0.0331 x⁴` holds for every shape and misses
//! about 8 % of the proposals; this one misses about 1.2 % at shape 3.5 (χ²(7), ν = 6) and
//! fewer as the shape grows, which saves two logarithms on most of those draws. The squeeze
//! only decides earlier what the exact test would decide: the draws follow the exact gamma
//! distribution either way (the tests below check them against its CDF).
//!
//! Shapes `a ≤ 1` and infinite shapes (in the sampler: only when ν ≤ 1, nν ≤ 2 or n = 2) are
//! left to `rand_distr` 0.6.0's `Gamma` (boosting below 1, an exponential at 1) and
//! `ChiSquared` (a squared normal for one degree of freedom).
//!
//! **Same draws as `rand_distr`.** The uniform `u` is `rand`'s `Open01` (52 bits,
//! `u = ((bits >> 12) + ½) · 2⁻⁵²`, in (0, 1)) and a draw consumes the stream exactly as
//! `rand_distr` 0.6.0's `Gamma` does — per attempt the normal (one `u64` except in the
//! ziggurat's rare wedge and tail steps), then, unless `1 + cx ≤ 0`, one `u64` for `u` — and
//! returns `v · (d · scale)`. Both squeezes are lower bounds of the same acceptance
//! probability, so the two generators accept the same proposals and return the same bits; they
//! can part only when `u` falls within rounding error (~10⁻¹⁵) of the acceptance boundary, where
//! `rand_distr`'s exact test itself is decided by rounding. The tests below check millions of
//! draws bit for bit against `rand_distr`. The arithmetic is IEEE 754 except the logarithms of
//! the rare exact test.

use rand_distr::{ChiSquared, Distribution, Gamma, StandardNormal};
use rand_xoshiro::rand_core::Rng;

/// `2⁻⁵²`.
const EPSILON: f64 = f64::EPSILON;

/// `rand`'s `Open01` for `f64`, uniform on (0, 1): `((bits >> 12) + ½) · 2⁻⁵²`.
#[inline(always)]
pub fn open_uniform<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    open_uniform_from_bits(rng.next_u64())
}

/// `((bits >> 12) + ½) · 2⁻⁵²` computed as `(1 + (bits >> 12) · 2⁻⁵²) − (1 − 2⁻⁵³)`: both
/// steps are exact, and unlike an integer-to-float conversion they vectorise.
#[inline(always)]
pub fn open_uniform_from_bits(bits: u64) -> f64 {
    f64::from_bits((bits >> 12) | 0x3ff0_0000_0000_0000) - (1.0 - EPSILON / 2.0)
}

/// Gamma(`shape`, `scale`) variates (χ²(k) is Gamma(k/2, 2)).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GammaSampler {
    method: Method,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Method {
    /// 1 < shape < ∞: Marsaglia & Tsang with the fitted squeeze.
    Squeezed(MarsagliaTsang),
    Gamma(Gamma<f64>),
    ChiSquared(ChiSquared<f64>),
}

/// Marsaglia & Tsang's method for one shape `a > 1` and scale, with the fitted squeeze.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MarsagliaTsang {
    /// `d · scale`: the draw is `v` times this.
    d_scale: f64,
    d: f64,
    c: f64,
    /// `1 / (108 d)`, the squeeze's coefficient.
    squeeze: f64,
}

impl GammaSampler {
    /// `None` unless `shape > 0` and `0 < scale < ∞` (an infinite shape gives infinite draws).
    pub fn new(shape: f64, scale: f64) -> Option<Self> {
        if !(shape > 0.0 && scale > 0.0 && scale.is_finite()) {
            return None;
        }
        let method = if let Some(squeezed) = MarsagliaTsang::new(shape, scale) {
            Method::Squeezed(squeezed)
        } else {
            Method::Gamma(Gamma::new(shape, scale).ok()?)
        };
        Some(Self { method })
    }

    /// χ²(`dof`), that is Gamma(`dof`/2, 2).
    pub fn chi_squared(dof: f64) -> Option<Self> {
        if dof == 1.0 {
            let method = Method::ChiSquared(ChiSquared::new(dof).ok()?);
            return Some(Self { method });
        }
        Self::new(0.5 * dof, 2.0)
    }

    /// One draw.
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match &self.method {
            Method::Squeezed(squeezed) => squeezed.draw(rng),
            Method::Gamma(gamma) => gamma.sample(rng),
            Method::ChiSquared(chi2) => chi2.sample(rng),
        }
    }
}

impl MarsagliaTsang {
    /// `None` unless `1 < shape < ∞` and `0 < scale < ∞`.
    pub fn new(shape: f64, scale: f64) -> Option<Self> {
        if !(shape > 1.0 && shape.is_finite() && scale > 0.0 && scale.is_finite()) {
            return None;
        }
        let d = shape - 1.0 / 3.0;
        Some(Self {
            d_scale: d * scale,
            d,
            c: 1.0 / (9.0 * d).sqrt(),
            squeeze: 1.0 / (108.0 * d),
        })
    }

    /// One draw: proposals until one is accepted.
    #[inline(always)]
    fn draw<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        loop {
            let x: f64 = StandardNormal.sample(rng);
            if 1.0 + self.c * x <= 0.0 {
                continue;
            }
            if let Some(draw) = self.accepts(x, open_uniform(rng)) {
                return draw;
            }
        }
    }

    /// The proposal of the standard normal `x` and, with the uniform `u`, whether the squeezes
    /// accept or reject it (the exact test decides when neither does). Branch-free.
    ///
    /// The acceptance probability is `exp(h)` with `h ≤ 0`, and (module docs) with
    /// `q = x⁴/(108 d)`, `m = min(1, 1 + cx)` and `M = max(1, 1 + cx)`:
    /// `−q/m ≤ h ≤ −q/M` (the upper bound from the same integral, `h = −3d ∫₀ᵗ s³/(1 + s) ds`,
    /// bounding `1 + s` by `M` instead of `m`). So `exp(h) ≥ 1 − q/m` accepts when `u·m < m − q`,
    /// and `exp(h) ≤ 1/(1 − h) ≤ M/(M + q)` rejects when `u·(M + q) ≥ M`. When `1 + cx ≤ 0`
    /// neither holds (then `m ≤ 0`, so `u·m ≥ m > m − q`; and `M = 1`, `u·(1 + q) ≥ 1` may hold,
    /// which rightly rejects: the exact test rejects such proposals too), and the draw returned is
    /// meaningless.
    #[inline(always)]
    pub fn squeeze(&self, x: f64, u: f64) -> (f64, bool, bool) {
        let v_cbrt = 1.0 + self.c * x;
        let x2 = x * x;
        let q = self.squeeze * (x2 * x2);
        let (m, big_m) = (v_cbrt.min(1.0), v_cbrt.max(1.0));
        let accepted = u * m < m - q;
        let rejected = u * (big_m + q) >= big_m;
        (
            self.d_scale * (v_cbrt * v_cbrt * v_cbrt),
            accepted,
            rejected,
        )
    }

    /// Marsaglia & Tsang's whole test of the proposal `x` with the uniform `u`: the draw if it
    /// is accepted.
    #[inline(always)]
    pub fn accepts(&self, x: f64, u: f64) -> Option<f64> {
        let v_cbrt = 1.0 + self.c * x;
        if v_cbrt <= 0.0 {
            return None;
        }
        let v = v_cbrt * v_cbrt * v_cbrt;
        let x2 = x * x;
        let m = v_cbrt.min(1.0);
        let accepted =
            u * m < m - self.squeeze * (x2 * x2) || u.ln() < 0.5 * x2 + self.d * (1.0 - v + v.ln());
        accepted.then_some(self.d_scale * v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::sampler::batched_gamma::BatchedGamma;
    use crate::engine::sampler::streams::{chain_rng, ChainRng};

    /// `ln Γ(a)`, a > 0 (Lanczos, g = 7, 9 terms; relative error ~1e-15).
    fn ln_gamma(a: f64) -> f64 {
        const G: [f64; 9] = [
            0.999_999_999_999_809_9,
            676.520_368_121_885_1,
            -1_259.139_216_722_402_8,
            771.323_428_777_653_1,
            -176.615_029_162_140_6,
            12.507_343_278_686_905,
            -0.138_571_095_265_720_12,
            9.984_369_578_019_572e-6,
            1.505_632_735_149_311_6e-7,
        ];
        if a < 0.5 {
            let pi = std::f64::consts::PI;
            return (pi / (pi * a).sin()).ln() - ln_gamma(1.0 - a);
        }
        let a = a - 1.0;
        let t = a + 7.5;
        let series = G[0]
            + G[1..]
                .iter()
                .enumerate()
                .map(|(k, g)| g / (a + k as f64 + 1.0))
                .sum::<f64>();
        0.5 * (2.0 * std::f64::consts::PI).ln() + (a + 0.5) * t.ln() - t + series.ln()
    }

    /// The regularized lower incomplete gamma function `P(a, x)`: the Gamma(a, 1) CDF
    /// (series below `a + 1`, Lentz's continued fraction for `Q = 1 − P` above).
    fn gamma_cdf(a: f64, x: f64) -> f64 {
        if x <= 0.0 {
            return 0.0;
        }
        let log_prefix = a * x.ln() - x - ln_gamma(a);
        if x < a + 1.0 {
            let (mut term, mut sum, mut ap) = (1.0 / a, 1.0 / a, a);
            while term.abs() > sum.abs() * 1e-17 {
                ap += 1.0;
                term *= x / ap;
                sum += term;
            }
            sum * log_prefix.exp()
        } else {
            let tiny = 1e-300;
            let mut b = x + 1.0 - a;
            let (mut c, mut d) = (1.0 / tiny, 1.0 / b);
            let mut h = d;
            for i in 1..10_000 {
                let an = -(i as f64) * (i as f64 - a);
                b += 2.0;
                d = an * d + b;
                d = if d.abs() < tiny { tiny } else { d };
                c = b + an / c;
                c = if c.abs() < tiny { tiny } else { c };
                d = 1.0 / d;
                let delta = d * c;
                h *= delta;
                if (delta - 1.0).abs() < 1e-16 {
                    break;
                }
            }
            1.0 - log_prefix.exp() * h
        }
    }

    #[test]
    fn the_cdf_is_right() {
        // P(1, x) = 1 − e^−x; P(1/2, 1) = erf(1); the others from scipy.special.gammainc.
        for x in [0.01, 0.3, 1.0, 2.5, 7.0, 30.0] {
            assert!(
                (gamma_cdf(1.0, x) - (1.0 - (-x).exp())).abs() < 1e-14,
                "{x}"
            );
        }
        assert!((gamma_cdf(0.5, 1.0) - 0.842_700_792_949_715_1).abs() < 1e-14);
        assert!((gamma_cdf(3.5, 2.0 * 3.5) - 0.948_818_646_586_934_6).abs() < 1e-13);
        assert!((gamma_cdf(100.0, 100.0) - 0.513_298_798_279_148_7).abs() < 1e-12);
    }

    /// Kolmogorov–Smirnov statistic `√N · D` of `count` draws against Gamma(`shape`, 1).
    fn ks_statistic(shape: f64, count: usize, seed: u64) -> f64 {
        let gamma = GammaSampler::new(shape, 1.0).unwrap();
        let mut rng = chain_rng(seed, 0);
        ks_of_draws(shape, (0..count).map(|_| gamma.sample(&mut rng)).collect())
    }

    fn ks_of_draws(shape: f64, mut draws: Vec<f64>) -> f64 {
        let count = draws.len();
        draws.sort_by(f64::total_cmp);
        let n = count as f64;
        let d = draws
            .iter()
            .enumerate()
            .map(|(i, &x)| {
                let f = gamma_cdf(shape, x);
                (f - i as f64 / n).max((i + 1) as f64 / n - f)
            })
            .fold(0.0, f64::max);
        d * n.sqrt()
    }

    #[test]
    fn draws_follow_the_exact_gamma_distribution() {
        // √N·D > 1.95 has probability 0.001 under the null (Kolmogorov's distribution).
        for (shape, seed) in [
            (0.25, 1),
            (0.5, 2),
            (0.75, 3),
            (1.0, 4),
            (1.25, 5),
            (3.5, 6),
            (30.0, 7),
            (1_000.0, 8),
        ] {
            let statistic = ks_statistic(shape, 200_000, seed);
            assert!(statistic < 1.95, "shape {shape}: √N·D = {statistic}");
        }
    }

    #[test]
    fn batched_draws_follow_the_exact_gamma_distribution() {
        // The batched generator of the latent scales, at shapes from just above 1 up.
        for (shape, seed) in [
            (1.0 + 1e-9, 1),
            (1.25, 2),
            (3.5, 3),
            (30.0, 4),
            (1_000.0, 5),
        ] {
            let mut batched = BatchedGamma::new(shape, 1.0, &chain_rng(seed, 0)).unwrap();
            let mut draws = vec![0.0; 300_000];
            batched.fill(&mut draws);
            let statistic = ks_of_draws(shape, draws);
            assert!(statistic < 1.95, "shape {shape}: √N·D = {statistic}");
        }
    }

    #[test]
    fn the_ks_test_sees_a_wrong_distribution() {
        // The test's power: Gamma(3.6) draws are rejected as Gamma(3.5).
        let gamma = GammaSampler::new(3.6, 1.0).unwrap();
        let mut rng = chain_rng(6, 0);
        let mut draws: Vec<f64> = (0..200_000).map(|_| gamma.sample(&mut rng)).collect();
        draws.sort_by(f64::total_cmp);
        let n = draws.len() as f64;
        let d = draws
            .iter()
            .enumerate()
            .map(|(i, &x)| (gamma_cdf(3.5, x) - i as f64 / n).abs())
            .fold(0.0, f64::max);
        assert!(d * n.sqrt() > 5.0);
    }

    #[test]
    fn chi_squared_7_has_its_moments() {
        // 10⁶ χ²(7) draws (the latent scales at ν = 6): mean k, variance 2k, skewness √(8/k),
        // each within 4 standard errors (SE of the variance: √((μ₄ − σ⁴)/N), μ₄ = 12k(k + 4);
        // of the skewness: about √(6/N) · (1 + a few/k), bounded here by √(15/N)).
        let k = 7.0;
        let chi2 = GammaSampler::chi_squared(k).unwrap();
        let mut rng = chain_rng(2000, 0);
        let count = 1_000_000;
        let draws: Vec<f64> = (0..count).map(|_| chi2.sample(&mut rng)).collect();
        let n = count as f64;
        let mean = draws.iter().sum::<f64>() / n;
        let central = |p: i32| draws.iter().map(|x| (x - mean).powi(p)).sum::<f64>() / n;
        let (variance, third) = (central(2), central(3));
        let skewness = third / variance.powf(1.5);
        let mean_se = (2.0 * k / n).sqrt();
        let variance_se = ((12.0 * k * (k + 4.0) - 4.0 * k * k) / n).sqrt();
        let skewness_se = (15.0 / n).sqrt();
        assert!((mean - k).abs() < 4.0 * mean_se, "mean {mean}");
        assert!(
            (variance - 2.0 * k).abs() < 4.0 * variance_se,
            "variance {variance}"
        );
        assert!(
            (skewness - (8.0 / k).sqrt()).abs() < 4.0 * skewness_se,
            "skewness {skewness}"
        );
    }

    #[test]
    fn the_squeeze_is_a_lower_bound_of_the_acceptance_probability() {
        // On a fine grid of x, for shapes from 1 up: u < squeeze bound ⇒ u < exp(h(x)).
        for shape in [1.0 + 1e-9, 1.1, 1.5, 2.0, 3.5, 10.0, 1e3, 1e6] {
            let Method::Squeezed(g) = GammaSampler::new(shape, 1.0).unwrap().method else {
                panic!("shape {shape} is not squeezed");
            };
            for step in -20_000..=20_000 {
                let x = step as f64 * 4e-4;
                let v_cbrt = 1.0 + g.c * x;
                if v_cbrt <= 0.0 {
                    continue;
                }
                let v = v_cbrt * v_cbrt * v_cbrt;
                let exact = (0.5 * x * x + g.d * (1.0 - v + v.ln())).exp();
                let m = v_cbrt.min(1.0);
                let bound = 1.0 - g.squeeze * x.powi(4) / m;
                assert!(bound <= exact + 1e-12, "shape {shape}, x {x}");
            }
        }
    }

    #[test]
    fn the_squeezes_decide_as_the_exact_test() {
        // On a fine grid of x and u, for shapes from 1 up: a proposal the squeezes accept
        // (reject) is one the exact test accepts (rejects).
        for shape in [1.0 + 1e-9, 1.1, 1.5, 2.0, 3.5, 10.0, 1e3, 1e6] {
            let g = MarsagliaTsang::new(shape, 1.0).unwrap();
            for step in -4_000..=4_000 {
                let x = step as f64 * 2e-3;
                for k in 1..200 {
                    let u = k as f64 / 200.0;
                    let (_, accepted, rejected) = g.squeeze(x, u);
                    let exact = g.accepts(x, u).is_some();
                    assert!(!(accepted && rejected), "shape {shape}, x {x}, u {u}");
                    assert!(!accepted || exact, "shape {shape}, x {x}, u {u}");
                    assert!(!rejected || !exact, "shape {shape}, x {x}, u {u}");
                }
            }
        }
    }

    #[test]
    fn bad_parameters_are_refused_and_infinite_shapes_give_infinity() {
        for (shape, scale) in [(0.0, 1.0), (-1.0, 1.0), (f64::NAN, 1.0), (1.0, 0.0)] {
            assert_eq!(GammaSampler::new(shape, scale), None, "{shape} {scale}");
        }
        assert_eq!(GammaSampler::new(1.0, f64::INFINITY), None);
        let huge = GammaSampler::new(f64::INFINITY, 1.0).unwrap();
        assert_eq!(huge.sample(&mut chain_rng(1, 0)), f64::INFINITY);
    }

    #[test]
    fn the_uniform_is_rands_open01() {
        let (mut ours, mut theirs) = (chain_rng(3, 0), chain_rng(3, 0));
        for _ in 0..100_000 {
            let expected: f64 = rand_distr::Open01.sample(&mut theirs);
            assert_eq!(open_uniform(&mut ours).to_bits(), expected.to_bits());
        }
    }

    type Reference = Box<dyn Fn(&mut ChainRng) -> f64>;

    #[test]
    fn draws_are_rand_distrs_bit_for_bit() {
        // The same variates and the same use of the stream as rand_distr 0.6.0 (see the module
        // docs), so that seeded runs keep their draws.
        let cases: [(f64, f64, bool); 10] = [
            (7.0, 2.0, true), // χ²(ν + 1) at ν = 6
            (1.0, 2.0, true),
            (2.0, 2.0, true),
            (2.5, 2.0, true),
            (500.0, 2.0, true),
            (0.3, 1.0, false),
            (1.0, 1.0, false),
            (1.0 + 1e-12, 1.0, false),
            (1_500.0, 1.0, false),
            (3.5, 0.25, false),
        ];
        for (k, (parameter, scale, chi_squared)) in cases.into_iter().enumerate() {
            let (ours, theirs): (GammaSampler, Reference) = if chi_squared {
                let reference = ChiSquared::new(parameter).unwrap();
                (
                    GammaSampler::chi_squared(parameter).unwrap(),
                    Box::new(move |r| reference.sample(r)),
                )
            } else {
                let reference = Gamma::new(parameter, scale).unwrap();
                (
                    GammaSampler::new(parameter, scale).unwrap(),
                    Box::new(move |r| reference.sample(r)),
                )
            };
            let (mut a, mut b) = (chain_rng(k as u64, 0), chain_rng(k as u64, 0));
            for i in 0..300_000 {
                let (x, y) = (ours.sample(&mut a), theirs(&mut b));
                assert_eq!(x.to_bits(), y.to_bits(), "case {k}, draw {i}: {x} vs {y}");
            }
            assert_eq!(a, b, "case {k}: the streams must be at the same place");
        }
    }
}
