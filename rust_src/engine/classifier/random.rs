//! Portable random streams.
//!
//! Every stream is `Xoshiro256PlusPlus::seed_from_u64(key)` (a named generator whose output
//! is fixed by its specification; `seed_from_u64` expands the key with SplitMix64), where the
//! key mixes the user's seed with the position of the draw (a purpose tag, the epoch, the
//! minibatch, the chunk) through SplitMix64 finalisation. Streams therefore never depend on
//! the order in which threads run. Integers below a bound use Lemire's multiply-and-reject
//! method and uniform floats the top 53 bits, both written here so that no library update can
//! change a draw.

use rand_xoshiro::rand_core::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// The generator of every stream.
pub type Stream = Xoshiro256PlusPlus;

/// Purposes of streams, so that two uses of one seed never share draws.
pub mod purpose {
    pub const SHUFFLE: u64 = 1;
    pub const INIT: u64 = 2;
    pub const DROPOUT: u64 = 3;
    pub const VALIDATION: u64 = 4;
}

/// SplitMix64's output function: a bijective mix of 64 bits.
#[inline]
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The stream for `seed` at position `path` (e.g. `[purpose::SHUFFLE, epoch]`).
pub fn stream(seed: u64, path: &[u64]) -> Stream {
    let key = path.iter().fold(mix(seed), |key, &part| {
        mix(key ^ mix(part.wrapping_add(0x9E37_79B9_7F4A_7C15)))
    });
    Stream::seed_from_u64(key)
}

/// A uniform integer in `0..bound` (`bound > 0`), by Lemire's method.
#[inline]
pub fn below(rng: &mut Stream, bound: u64) -> u64 {
    let threshold = bound.wrapping_neg() % bound;
    loop {
        let product = u128::from(rng.next_u64()) * u128::from(bound);
        if (product as u64) >= threshold {
            return (product >> 64) as u64;
        }
    }
}

/// A uniform float in `[0, 1)` with 53 random bits.
#[inline]
pub fn unit(rng: &mut Stream) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// Shuffles `values` in place (Fisher–Yates, drawing from the back).
pub fn shuffle<T>(rng: &mut Stream, values: &mut [T]) {
    for i in (1..values.len()).rev() {
        let j = below(rng, i as u64 + 1) as usize;
        values.swap(i, j);
    }
}

/// `0..n` in the order of the epoch's stream, or in order when `shuffle` is false.
pub fn epoch_order(n: usize, shuffle_rows: bool, seed: u64, epoch: u64) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    if shuffle_rows {
        shuffle(&mut stream(seed, &[purpose::SHUFFLE, epoch]), &mut order);
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_fixed_and_distinct() {
        let mut a = stream(7, &[purpose::SHUFFLE, 0]);
        let mut b = stream(7, &[purpose::SHUFFLE, 0]);
        let mut c = stream(7, &[purpose::SHUFFLE, 1]);
        let (x, y, z) = (a.next_u64(), b.next_u64(), c.next_u64());
        assert_eq!(x, y);
        assert_ne!(x, z);
        // The generator is a named algorithm: its first output for this key never changes.
        assert_eq!(Stream::seed_from_u64(0).next_u64(), 0x53175d61490b23df);
    }

    #[test]
    fn below_is_uniform_and_in_range() {
        let mut rng = stream(1, &[]);
        let mut counts = [0usize; 6];
        for _ in 0..60_000 {
            counts[below(&mut rng, 6) as usize] += 1;
        }
        for c in counts {
            assert!((9_400..10_600).contains(&c), "{counts:?}");
        }
        let u = unit(&mut rng);
        assert!((0.0..1.0).contains(&u));
    }

    #[test]
    fn shuffle_is_a_permutation() {
        let order = epoch_order(1000, true, 3, 2);
        let mut sorted = order.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..1000).collect::<Vec<_>>());
        assert_ne!(order, sorted);
        assert_eq!(epoch_order(5, false, 3, 2), vec![0, 1, 2, 3, 4]);
    }
}
