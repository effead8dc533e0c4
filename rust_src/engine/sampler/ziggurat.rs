//! Standard normal variates by the ziggurat method (Marsaglia & Tsang 2000) with 1024 layers,
//! split so that the common case is a few branch-free IEEE 754 operations on one `u64`, which
//! [`super::batched_gamma`] runs for many lanes at once.
//!
//! One `u64` gives a layer `i` (its low 10 bits) and a uniform `u` in [−1, 1) (its high 52
//! bits); `x = u·X[i]` is a standard normal draw at once when `|x| < X[i+1]`, where the
//! layer's rectangle lies under the density ([`proposal`], 99.6 % of draws). Otherwise
//! [`finish`] completes the draw exactly: layer 0 samples the tail beyond `R` (Marsaglia 1964),
//! the other layers test their wedge against the density, and a rejected point starts over
//! with a fresh `u64`. Only those rare steps call `exp` and `ln`.
//!
//! The tables are generated once at high precision by `ziggurat_tables.py` and committed, so
//! every platform uses the same doubles.

use super::gamma::open_uniform_from_bits;
use super::ziggurat_tables::{F, LAYERS, R, X};

/// The layer of a point: the low bits of its `u64`, disjoint from the 52 bits of its `u`.
#[inline(always)]
fn layer_of(bits: u64) -> usize {
    const { assert!(LAYERS.is_power_of_two() && LAYERS <= 1 << 12) };
    (bits as usize) & (LAYERS - 1)
}

/// `((bits >> 12) | exponent of 2) − 3`: the high 52 bits as a uniform in [−1, 1).
#[inline(always)]
fn symmetric_uniform(bits: u64) -> f64 {
    f64::from_bits((bits >> 12) | 0x4000_0000_0000_0000) - 3.0
}

/// The point `x` of one `u64`, and whether it is a standard normal draw as it stands.
#[inline(always)]
pub fn proposal(bits: u64) -> (f64, bool) {
    let layer = layer_of(bits);
    let x = symmetric_uniform(bits) * X[layer];
    (x, x.abs() < X[layer + 1])
}

/// The standard normal draw that starts with the point of `bits`, taking any further bits it
/// needs from `next_u64`.
#[cold]
pub fn finish(mut bits: u64, mut next_u64: impl FnMut() -> u64) -> f64 {
    loop {
        let layer = layer_of(bits);
        let u = symmetric_uniform(bits);
        let x = u * X[layer];
        if x.abs() < X[layer + 1] {
            return x;
        }
        if layer == 0 {
            // The tail beyond R (Marsaglia 1964): R + a, with a drawn by rejection from an
            // exponential of rate R.
            loop {
                let a = -open_uniform_from_bits(next_u64()).ln() / R;
                let b = -open_uniform_from_bits(next_u64()).ln();
                if 2.0 * b > a * a {
                    return if u < 0.0 { -(R + a) } else { R + a };
                }
            }
        }
        // The wedge: a height uniform between the layer's bottom F[i] and top F[i+1].
        let height = F[layer] + (F[layer + 1] - F[layer]) * open_uniform_from_bits(next_u64());
        if height < (-0.5 * x * x).exp() {
            return x;
        }
        bits = next_u64();
    }
}

#[cfg(test)]
mod tests {
    use super::super::ziggurat_tables::V;
    use super::*;
    use rand_xoshiro::rand_core::{Rng, SeedableRng};
    use rand_xoshiro::Xoshiro256PlusPlus;

    /// `erfc(R/√2)` (mpmath): the probability of `|x| > R`.
    const ERFC_R_OVER_SQRT2: f64 = 5.371_393_460_685_532e-5;

    fn density(x: f64) -> f64 {
        (-0.5 * x * x).exp()
    }

    #[test]
    fn the_tables_are_a_ziggurat() {
        // Every layer has area V: the top and the middle ones as rectangles, the base as its
        // rectangle plus the tail (∫_R^∞ f = √(π/2) erfc(R/√2), erfc(R/√2) from mpmath).
        assert_eq!((X[1], X[LAYERS], F[LAYERS]), (R, 0.0, 1.0));
        let tail = (std::f64::consts::PI / 2.0).sqrt() * ERFC_R_OVER_SQRT2;
        assert!((X[0] * density(R) - V).abs() < 1e-16);
        assert!(
            (R * density(R) + tail - V).abs() < 1e-14 * V,
            "{}",
            R * density(R) + tail
        );
        for i in 1..LAYERS {
            assert!(X[i + 1] < X[i]);
            // exp of a rounded X: relative error up to about (X²/2)·2⁻⁵².
            assert!((F[i] - density(X[i])).abs() <= 4e-15 * F[i]);
            let area = X[i] * (F[i + 1] - F[i]);
            assert!((area - V).abs() < 1e-12 * V, "layer {i}: {area}");
        }
    }

    #[test]
    fn the_fast_path_takes_99_6_percent_of_points() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
        let count = 1_000_000;
        let fast = (0..count).filter(|_| proposal(rng.next_u64()).1).count();
        let share = fast as f64 / count as f64;
        // Exactly: mean over layers of X[i+1]/X[i].
        let expected = (0..LAYERS).map(|i| X[i + 1] / X[i]).sum::<f64>() / LAYERS as f64;
        assert!((share - expected).abs() < 5e-4, "{share} vs {expected}");
        assert!(expected > 0.995);
    }

    /// Standard normal CDF through erfc (Numerical Recipes' Chebyshev fit, error < 1.2e-7).
    fn normal_cdf(x: f64) -> f64 {
        let z = x.abs() / std::f64::consts::SQRT_2;
        let t = 1.0 / (1.0 + 0.5 * z);
        let poly = -z * z - 1.265_512_23
            + t * (1.000_023_68
                + t * (0.374_091_96
                    + t * (0.096_784_18
                        + t * (-0.186_288_06
                            + t * (0.278_868_07
                                + t * (-1.135_203_98
                                    + t * (1.488_515_87
                                        + t * (-0.822_152_23 + t * 0.170_872_77))))))));
        let erfc = t * poly.exp();
        if x >= 0.0 {
            1.0 - 0.5 * erfc
        } else {
            0.5 * erfc
        }
    }

    #[test]
    fn draws_are_standard_normal_including_the_tails() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(2);
        let count = 2_000_000;
        let mut draws: Vec<f64> = (0..count)
            .map(|_| {
                let bits = rng.next_u64();
                match proposal(bits) {
                    (x, true) => x,
                    _ => finish(bits, || rng.next_u64()),
                }
            })
            .collect();
        draws.sort_by(f64::total_cmp);
        let n = count as f64;
        let ks = draws
            .iter()
            .enumerate()
            .map(|(i, &x)| {
                let f = normal_cdf(x);
                (f - i as f64 / n).max((i + 1) as f64 / n - f)
            })
            .fold(0.0, f64::max);
        assert!(ks * n.sqrt() < 1.95, "√N·D = {}", ks * n.sqrt());
        // Each tail beyond R has probability 2.7e-5: about 54 of 2e6 draws, sd ~7.
        let beyond = |side: f64| draws.iter().filter(|&&x| x * side > R).count() as f64;
        for side in [-1.0, 1.0] {
            let expected = n * 0.5 * ERFC_R_OVER_SQRT2;
            assert!((beyond(side) - expected).abs() < 5.0 * expected.sqrt());
        }
    }
}
