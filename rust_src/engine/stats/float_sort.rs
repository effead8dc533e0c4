//! Sorting finite floats in linear time, for the batch paths of the rolling quantile.
//!
//! Why not `sort_unstable`: the batch paths sort every value once (sorted blocks of a window
//! of 10^6 values), and a comparison sort costs ~29 ns per value at 10^6 values (measured by
//! `rust_src/benches/stats_rolling_quantile.rs`), about half of the whole budget. A
//! least-significant-digit radix sort on the bits of the floats costs three or four passes
//! over the data whatever the window (~14 ns per value).
//!
//! How: each float maps to a `u64` key whose unsigned order is the floats' order (flip the
//! sign bit of a positive value, every bit of a negative one). The radix passes sort by the
//! 32 or 33 bits below the highest bit in which the keys differ (see [`WIDE`] for the digit
//! sizes); keys that agree on those bits but differ below are then next to
//! each other, and each such run is sorted by its full keys. For data of any spread that
//! leaves runs of one or two values; data packed into a sliver of the float line (10^9 + a
//! tiny noise) is sorted by the bits that actually differ. Radix sorting small inputs costs
//! more than it saves, so those go to `sort_unstable`.

/// The unsigned key of a finite float: `a < b` iff `key(a) < key(b)`, and `-0.0` and `0.0` get
/// the same key (the rolling window stores zeros as `0.0`, see `rolling_quantile`).
#[inline]
pub fn float_key(x: f64) -> u64 {
    let bits = (x + 0.0).to_bits(); // -0.0 + 0.0 is 0.0
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | (1 << 63)
    }
}

/// The float of a key made by [`float_key`].
#[inline]
pub fn key_float(key: u64) -> f64 {
    f64::from_bits(if key >> 63 == 1 {
        key & !(1 << 63)
    } else {
        !key
    })
}

/// Below this many items `sort_unstable` is faster than counting.
const SMALL: usize = 256;
/// From this many items on, digits of 11 bits (3 passes over the 33 bits, a 2048-entry count
/// table per pass, still in L1); below it, 8 bits (4 passes over 32 bits): zeroing and
/// scanning 2048 counts per pass would cost more than the pass.
const WIDE: usize = 1 << 14;

/// Sorts `(key, payload)` pairs by key (not stably: equal keys are equal floats). `buffer` is
/// scratch space, kept by the caller to reuse its memory.
pub fn sort_by_key<T: Copy + Default>(items: &mut Vec<(u64, T)>, buffer: &mut Vec<(u64, T)>) {
    let n = items.len();
    if n < SMALL {
        items.sort_unstable_by_key(|item| item.0);
        return;
    }
    let (low, high) = items.iter().fold((u64::MAX, 0), |(lo, hi), item| {
        (lo.min(item.0), hi.max(item.0))
    });
    let differing = 64 - (low ^ high).leading_zeros(); // bits [0, differing) may differ
    if differing == 0 {
        return;
    }
    let (digit_bits, passes) = if n >= WIDE { (11, 3) } else { (8, 4) };
    let buckets = 1usize << digit_bits;
    let shift = differing.saturating_sub(digit_bits * passes);
    let digit = |key: u64, d: u32| ((key >> (shift + d * digit_bits)) as usize) & (buckets - 1);

    let mut counts = vec![0usize; buckets * passes as usize];
    for item in items.iter() {
        for d in 0..passes {
            counts[d as usize * buckets + digit(item.0, d)] += 1;
        }
    }
    buffer.clear();
    buffer.resize(n, (0, T::default()));
    for (d, table) in counts.chunks_exact_mut(buckets).enumerate() {
        if table.contains(&n) {
            continue; // every key has the same digit here: nothing to move
        }
        let mut start = 0;
        for count in table.iter_mut() {
            let size = *count;
            *count = start;
            start += size;
        }
        for item in items.iter() {
            let slot = &mut table[digit(item.0, d as u32)];
            buffer[*slot] = *item;
            *slot += 1;
        }
        std::mem::swap(items, buffer);
    }
    if shift > 0 {
        sort_runs(items, shift);
    }
}

/// Sorts each run of items whose keys agree above bit `shift` by the full key.
fn sort_runs<T: Copy>(items: &mut [(u64, T)], shift: u32) {
    let mut start = 0;
    while start < items.len() {
        let prefix = items[start].0 >> shift;
        let mut end = start + 1;
        while end < items.len() && items[end].0 >> shift == prefix {
            end += 1;
        }
        if end - start > 1 {
            items[start..end].sort_unstable_by_key(|item| item.0);
        }
        start = end;
    }
}

/// The values in ascending order (zeros as `0.0`).
pub fn sorted(values: impl Iterator<Item = f64>) -> Vec<f64> {
    let mut items: Vec<(u64, ())> = values.map(|x| (float_key(x), ())).collect();
    sort_by_key(&mut items, &mut Vec::new());
    items.into_iter().map(|(key, ())| key_float(key)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn reference(values: &[f64]) -> Vec<f64> {
        let mut expected: Vec<f64> = values.iter().map(|&x| x + 0.0).collect();
        expected.sort_by(f64::total_cmp);
        expected
    }

    #[test]
    fn keys_keep_the_order_of_floats() {
        let values = [
            f64::MIN,
            -1e300,
            -1.5,
            -f64::MIN_POSITIVE,
            0.0,
            1e-300,
            2.0,
            f64::MAX,
        ];
        for pair in values.windows(2) {
            assert!(float_key(pair[0]) < float_key(pair[1]), "{pair:?}");
            assert_eq!(key_float(float_key(pair[0])).to_bits(), pair[0].to_bits());
        }
        assert_eq!(float_key(-0.0), float_key(0.0));
        assert_eq!(key_float(float_key(-0.0)).to_bits(), 0.0f64.to_bits());
    }

    #[test]
    fn sorts_spread_out_and_packed_data() {
        let noise = |i: u64| {
            ((i.wrapping_mul(6_364_136_223_846_793_005) >> 11) as f64) / (1u64 << 53) as f64
        };
        let cases: Vec<Vec<f64>> = vec![
            (0..5000).map(|i| noise(i) * 2.0 - 1.0).collect(),
            (0..40_000).map(|i| noise(i) * 2.0 - 1.0).collect(), // wide digits
            (0..40_000).map(|i| 1e9 + noise(i) * 1e-3).collect(),
            (0..5000).map(|i| 1e9 + noise(i) * 1e-6).collect(), // differ in the low bits only
            (0..5000).map(|i| (i % 7) as f64 - 3.0).collect(),  // many equal values
            (0..5000)
                .map(|i| if i % 2 == 0 { 0.0 } else { -0.0 })
                .collect(),
            (0..5000)
                .map(|i| noise(i) * 1e300 * if i % 3 == 0 { -1.0 } else { 1.0 })
                .collect(),
        ];
        for values in cases {
            let got = sorted(values.iter().copied());
            let want = reference(&values);
            assert_eq!(got.len(), want.len());
            assert!(got
                .iter()
                .zip(&want)
                .all(|(a, b)| a.to_bits() == b.to_bits()));
        }
    }

    #[test]
    fn payloads_travel_with_their_keys() {
        let values: Vec<f64> = (0..3000u64)
            .map(|i| ((i * 7919) % 1009) as f64 / 7.0)
            .collect();
        let mut items: Vec<(u64, u32)> = values
            .iter()
            .enumerate()
            .map(|(i, &x)| (float_key(x), i as u32))
            .collect();
        sort_by_key(&mut items, &mut Vec::new());
        for pair in items.windows(2) {
            assert!(pair[0].0 <= pair[1].0);
        }
        let mut seen: Vec<u32> = items.iter().map(|item| item.1).collect();
        for &(key, index) in &items {
            assert_eq!(key, float_key(values[index as usize]));
        }
        seen.sort_unstable();
        assert!(seen.iter().enumerate().all(|(i, &index)| i as u32 == index));
    }

    proptest! {
        #[test]
        fn equals_a_comparison_sort(values in prop::collection::vec(prop_oneof![-1e6f64..1e6, (-20i32..20).prop_map(f64::from)], 0..3000)) {
            let got = sorted(values.iter().copied());
            let want = reference(&values);
            prop_assert!(got.iter().zip(&want).all(|(a, b)| a.to_bits() == b.to_bits()));
            prop_assert_eq!(got.len(), want.len());
        }
    }
}
