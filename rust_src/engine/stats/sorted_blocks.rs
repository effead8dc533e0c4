//! The rolling quantiles of a whole batch, in O(log W) per value: sorted blocks (Suomela 2014,
//! "Median filtering is equivalent to sorting", arXiv:1406.1717), with bitsets for his linked
//! lists.
//!
//! Why: a batch's values are all known before the first output. Cut the stream into blocks of
//! W (the window size) consecutive values. A window of W values is then a suffix of one block
//! (the "old" block, whose values leave one by one in arrival order) and a prefix of the next
//! (the "new" block, whose values arrive one by one). Each block is sorted once, in linear
//! time (`float_sort`), remembering where each arrival sits in sorted order; from then on, a
//! value leaving or arriving is one bit cleared or set at a known position, and a quantile is
//! a pointer into each sorted block that moves by about one place per value. So a value costs
//! one sort's share plus a few bit operations, on memory read in order, against an
//! order-statistic tree's two descents and node shifts per value with a cache miss per level
//! (see `order_statistic_tree`), or a double heap's sifts (bottleneck's `move_median`).
//!
//! Chosen by measurement (`rust_src/benches/stats_rolling_quantile.rs`, the median after
//! every value of 2,000,000 normal values, ns per value, two runs; the table is in
//! benchmarks/RESULTS.md):
//!
//! | window | tree (push + read) | tree push only | double heap | sorted blocks |
//! |---|---|---|---|---|
//! | 10^3 | 108-111 | 79 | 87-91 | 36-41 |
//! | 10^4 | 146 | 114 | 112-116 | 35-38 |
//! | 10^6 | 283-393 | 207-313 | 129-136 | 56-65 |
//!
//! The tree's insertion and removal alone cost more than the double heap's whole step, and
//! the double heap fits one quantile (a range needs two: 2x). The sorted blocks' cost is
//! about 15 ns of radix sort plus 20-45 ns of stepping per value, flat in the window.
//!
//! The bookkeeping, for each quantile: pointers `old` and `new` into the two sorted blocks and
//! the number `below` of window values before them. The values before the pointers are always
//! the `below` smallest of the window (no value before a pointer exceeds a value at or after
//! either pointer), so the value at rank `below` is the smaller of the two values under the
//! pointers. Moving a pointer by one value keeps this when it passes the smaller head
//! (forward) or the larger tail (backward). A value leaving or arriving breaks it in one case
//! only, fixed by one step (see [`Probe::arrived`]); then the pointers walk to the target rank,
//! usually zero or one step. Suomela keeps the blocks' present values as doubly linked lists;
//! here a bitset (W bits: 125 kB at W = 10^6, in L2) finds the next present value with a
//! trailing-zero count, and the sum over a block of the gaps crossed is O(W log W / 64).
//!
//! Memory: two blocks of W values (8 bytes sorted, 4 bytes of rank, 1 bit), O(W).

use super::float_sort::{float_key, key_float, sort_by_key};
use super::rolling_quantile::{interpolate, quantile_position};

/// W consecutive values of the stream, sorted, with which of them are in the window.
#[derive(Default)]
struct Block {
    /// Stream position of the block's first value.
    start: usize,
    /// The block's values in ascending order.
    sorted: Vec<f64>,
    /// `rank[j]`: where the block's `j`-th value (in arrival order) sits in `sorted`.
    rank: Vec<u32>,
    /// Bit `i` is set when `sorted[i]` is in the window.
    present: Vec<u64>,
}

/// The (key, arrival) pairs a block is sorted in, and the radix sort's buffer: 32 bytes per
/// value, shared by the two blocks (one is filled at a time), so that a batch touches half
/// as much fresh memory: at W = 10^6, the page faults of fresh memory were a third of the time.
#[derive(Default)]
struct SortSpace {
    pairs: Vec<(u64, u32)>,
    buffer: Vec<(u64, u32)>,
}

impl Block {
    /// Refills this block (reusing its memory) with the values of `parts`, in order, starting
    /// at stream position `start`; no value is in the window yet.
    fn fill(&mut self, start: usize, parts: [&[f64]; 3], space: &mut SortSpace) {
        self.start = start;
        let pairs = &mut space.pairs;
        pairs.clear();
        for part in parts {
            let first = pairs.len();
            pairs.extend(
                part.iter()
                    .enumerate()
                    .map(|(j, &x)| (float_key(x), (first + j) as u32)),
            );
        }
        sort_by_key(pairs, &mut space.buffer);
        let len = pairs.len();
        self.sorted.clear();
        self.sorted
            .extend(pairs.iter().map(|&(key, _)| key_float(key)));
        self.rank.clear();
        self.rank.resize(len, 0);
        for (i, &(_, arrival)) in pairs.iter().enumerate() {
            self.rank[arrival as usize] = i as u32;
        }
        self.present.clear();
        self.present.resize(len.div_ceil(64), 0);
    }

    fn len(&self) -> usize {
        self.sorted.len()
    }

    /// The value at sorted position `i`, or +inf past the end (so a pointer at the end is
    /// never the smaller head).
    #[inline]
    fn value(&self, i: usize) -> f64 {
        self.sorted.get(i).copied().unwrap_or(f64::INFINITY)
    }

    #[inline]
    fn set(&mut self, i: usize) {
        self.present[i / 64] |= 1 << (i % 64);
    }

    #[inline]
    fn clear(&mut self, i: usize) {
        self.present[i / 64] &= !(1 << (i % 64));
    }

    /// The first present position at or after `from`, or `len()` when there is none.
    #[inline]
    fn next_present(&self, from: usize) -> usize {
        let mut word = from / 64;
        let Some(&first) = self.present.get(word) else {
            return self.len();
        };
        let mut bits = first & (u64::MAX << (from % 64));
        loop {
            if bits != 0 {
                return word * 64 + bits.trailing_zeros() as usize;
            }
            word += 1;
            match self.present.get(word) {
                Some(&next) => bits = next,
                None => return self.len(),
            }
        }
    }

    /// The last present position before `before`, if any.
    #[inline]
    fn previous_present(&self, before: usize) -> Option<usize> {
        let last = before.checked_sub(1)?;
        let mut word = last / 64;
        let mut bits = self.present.get(word)? & (u64::MAX >> (63 - last % 64));
        loop {
            if bits != 0 {
                return Some(word * 64 + 63 - bits.leading_zeros() as usize);
            }
            word = word.checked_sub(1)?;
            bits = self.present[word];
        }
    }

    /// The position of the `k`-th present value (0-based), or `len()`.
    fn select(&self, mut k: usize) -> usize {
        for (word, &bits) in self.present.iter().enumerate() {
            let count = bits.count_ones() as usize;
            if k < count {
                let mut bits = bits;
                for _ in 0..k {
                    bits &= bits - 1; // drop the lowest set bit
                }
                return word * 64 + bits.trailing_zeros() as usize;
            }
            k -= count;
        }
        self.len()
    }
}

/// Where one quantile is read: see the module documentation.
#[derive(Clone, Copy)]
struct Probe {
    q: f64,
    /// Position in the old block's sorted values (present, or the block's length).
    old: usize,
    /// Position in the new block's sorted values (present, or the block's length).
    new: usize,
    /// Number of window values before the two pointers: the `below` smallest.
    below: usize,
    /// The window length `lower` and `fraction` were computed for (they change only while
    /// the window fills).
    len: usize,
    lower: usize,
    fraction: f64,
}

impl Probe {
    /// The old block's value at sorted position `d` has left the window (its bit is clear).
    #[inline]
    fn left(&mut self, d: usize, old: &Block) {
        // Whether d lies before the pointer is a coin flip for a median: counted, not branched.
        self.below -= usize::from(d < self.old);
        if d == self.old {
            self.old = old.next_present(d);
        }
    }

    /// The new block's value `x`, at sorted position `u`, has arrived (its bit is set).
    #[inline]
    fn arrived(&mut self, u: usize, x: f64, old: &Block) {
        // Before the new pointer, it would join the smallest values; it may not when it
        // exceeds the old block's head. Then no present value lies between it and the new
        // pointer (each would exceed that head too, which the invariant forbids), so moving the
        // pointer back onto it restores the invariant. After the new pointer, it is >= the new
        // head, which is >= every value below. Both tests are coin flips: selected, not
        // branched. (`x` is read from the batch, in order, rather than from the sorted block,
        // where it would be a cache miss.)
        let before = u < self.new;
        let exceeds = x > old.value(self.old);
        self.new = if before && exceeds { u } else { self.new };
        self.below += usize::from(before && !exceeds);
    }

    /// Moves the pointers until `below == target`. A value leaving and one arriving move
    /// `below` by at most one each, so one step, forward or back, is almost always enough;
    /// which one is a coin flip, so both are computed and one is selected without a branch
    /// (a mispredicted branch costs more than the few bit scans). The loop does the rest.
    #[inline]
    fn seek(&mut self, target: usize, old: &Block, new: &Block) {
        let (a, b) = (old.value(self.old), new.value(self.new));
        // Forward: the smaller head joins the values below.
        let old_first = a <= b;
        let next_old = old.next_present(self.old + 1);
        let next_new = new.next_present(self.new + 1);
        let (forward_old, forward_new) = if old_first {
            (next_old, self.new)
        } else {
            (self.old, next_new)
        };
        // Back: the larger tail leaves them.
        let tail_old = old.previous_present(self.old);
        let tail_new = new.previous_present(self.new);
        let old_last = match (tail_old, tail_new) {
            (Some(i), Some(j)) => old.sorted[i] > new.sorted[j],
            (tail, _) => tail.is_some(),
        };
        let (back_old, back_new) = if old_last {
            (tail_old.unwrap_or(self.old), self.new)
        } else {
            (self.old, tail_new.unwrap_or(self.new))
        };
        let (forward, back) = (self.below < target, self.below > target);
        self.old = if forward {
            forward_old
        } else if back {
            back_old
        } else {
            self.old
        };
        self.new = if forward {
            forward_new
        } else if back {
            back_new
        } else {
            self.new
        };
        self.below = self.below + usize::from(forward) - usize::from(back);

        while self.below < target {
            if old.value(self.old) <= new.value(self.new) {
                self.old = old.next_present(self.old + 1);
            } else {
                self.new = new.next_present(self.new + 1);
            }
            self.below += 1;
        }
        while self.below > target {
            let old_tail = old.previous_present(self.old);
            let new_tail = new.previous_present(self.new);
            match (old_tail, new_tail) {
                (Some(a), Some(b)) if old.sorted[a] > new.sorted[b] => self.old = a,
                (Some(a), None) => self.old = a,
                (_, Some(b)) => self.new = b,
                (None, None) => break, // below > 0 means a value lies before a pointer
            }
            self.below -= 1;
        }
    }

    /// The quantile of a window of `len` values (the same arithmetic as
    /// `RollingWindow::quantile`).
    #[inline]
    fn read(&mut self, len: usize, old: &Block, new: &Block) -> f64 {
        if len != self.len {
            self.len = len;
            (self.lower, self.fraction) = quantile_position(len, self.q);
        }
        self.seek(self.lower, old, new);
        let (a, b) = (old.value(self.old), new.value(self.new));
        let old_first = a <= b;
        let low = if old_first { a } else { b };
        if self.fraction == 0.0 {
            return low;
        }
        // The next value: the other head, or the one after the smaller head. Selected, not
        // branched (which head is smaller is a coin flip).
        let after_a = old.value(old.next_present(self.old + 1));
        let after_b = new.value(new.next_present(self.new + 1));
        let high = if old_first {
            after_a.min(b)
        } else {
            a.min(after_b)
        };
        interpolate(low, high, self.fraction)
    }
}

/// Whether [`run`] supports this window size (ranks within a block are 32-bit).
pub fn supports(window_size: usize) -> bool {
    window_size >= 1 && window_size - 1 <= u32::MAX as usize
}

/// Slides a window of `window_size` values over `history` (the window's values before the
/// batch, oldest first, at most `window_size` of them, as two consecutive slices) followed
/// by `values`. After each value of `values` it reads the `N` quantiles `qs` of the window
/// and writes `combine` of them to `out`. Returns the final window, sorted.
///
/// The caller checks that every value is finite, that `qs` lie in [0, 1], that `out` has one
/// slot per value and that [`supports`] holds.
pub fn run<const N: usize>(
    history: [&[f64]; 2],
    values: &[f64],
    window_size: usize,
    qs: [f64; N],
    combine: impl Fn([f64; N]) -> f64,
    out: &mut [f64],
) -> Vec<f64> {
    let w = window_size;
    let m: usize = history.iter().map(|part| part.len()).sum();
    let total = m + values.len();
    // Block k holds stream positions [k w, (k + 1) w). The history (m <= w values) lies in
    // block 0, so only block 0 reads it.
    let block_values = |start: usize| -> [&[f64]; 3] {
        let end = (start + w).min(total);
        if start == 0 {
            [history[0], history[1], &values[..end - m]]
        } else {
            [&values[start - m..end - m], &[], &[]]
        }
    };

    let mut old = Block::default();
    let mut new = Block::default();
    let mut space = SortSpace::default();
    new.fill(0, block_values(0), &mut space);
    for j in 0..m {
        let u = new.rank[j] as usize;
        new.set(u);
    }
    let mut probes = qs.map(|q| {
        let below = if m == 0 { 0 } else { quantile_position(m, q).0 };
        Probe {
            q,
            old: 0,
            new: new.select(below),
            below,
            len: 0,
            lower: 0,
            fraction: 0.0,
        }
    });

    // The next block starts at w (the history fills at most block 0).
    let mut next_block = w;
    for (t, slot) in (m..total).zip(out.iter_mut()) {
        if t == next_block {
            next_block = next_block.saturating_add(w);
            // The window is exactly the new block: it becomes the old one.
            std::mem::swap(&mut old, &mut new);
            new.fill(t, block_values(t), &mut space);
            for probe in &mut probes {
                probe.old = probe.new;
                probe.new = new.len();
            }
        }
        if t >= w {
            let d = old.rank[t - w - old.start] as usize;
            old.clear(d);
            for probe in &mut probes {
                probe.left(d, &old);
            }
        }
        let u = new.rank[t - new.start] as usize;
        new.set(u);
        for probe in &mut probes {
            probe.arrived(u, values[t - m], &old);
        }
        let len = (t + 1).min(w);
        *slot = combine(probes.each_mut().map(|probe| probe.read(len, &old, &new)));
    }
    window_values(&old, &new)
}

/// The values in the window, that is present in either block, ascending: the two blocks'
/// present values merged as their bits are scanned, with no copy of either.
fn window_values(old: &Block, new: &Block) -> Vec<f64> {
    let count = |block: &Block| -> usize {
        block
            .present
            .iter()
            .map(|bits| bits.count_ones() as usize)
            .sum()
    };
    let mut merged = Vec::with_capacity(count(old) + count(new));
    let (mut i, mut j) = (old.next_present(0), new.next_present(0));
    while i < old.len() && j < new.len() {
        // Which block goes next is a coin flip: selected, not branched.
        let (x, y) = (old.sorted[i], new.sorted[j]);
        let take_old = x <= y;
        merged.push(if take_old { x } else { y });
        let (next_i, next_j) = (old.next_present(i + 1), new.next_present(j + 1));
        i = if take_old { next_i } else { i };
        j = if take_old { j } else { next_j };
    }
    for (block, mut k) in [(old, i), (new, j)] {
        while k < block.len() {
            merged.push(block.sorted[k]);
            k = block.next_present(k + 1);
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::super::p2_quantile::interpolated_quantile;
    use super::*;
    use proptest::prelude::*;

    /// The quantile of every window by sorting it, as a window of `history` then `values`.
    fn brute_force(history: &[f64], values: &[f64], w: usize, q: f64) -> Vec<f64> {
        let stream: Vec<f64> = history.iter().chain(values).map(|&x| x + 0.0).collect();
        (history.len()..stream.len())
            .map(|t| {
                let mut window = stream[(t + 1).saturating_sub(w)..=t].to_vec();
                window.sort_by(f64::total_cmp);
                interpolated_quantile(&window, q)
            })
            .collect()
    }

    fn check(history: &[f64], values: &[f64], w: usize, q: f64) {
        let mut out = vec![f64::NAN; values.len()];
        let split = history.len() / 2;
        let (first, second) = history.split_at(split);
        let last = run([first, second], values, w, [q], |[v]| v, &mut out);
        let expected = brute_force(history, values, w, q);
        for (i, (got, want)) in out.iter().zip(&expected).enumerate() {
            assert_eq!(
                got.to_bits(),
                want.to_bits(),
                "w={w} q={q} i={i}: {got} != {want}"
            );
        }
        let stream: Vec<f64> = history.iter().chain(values).copied().collect();
        let mut window = stream[stream.len().saturating_sub(w)..].to_vec();
        window.sort_by(f64::total_cmp);
        assert_eq!(last, window);
    }

    fn stream(n: u64, modulus: u64) -> Vec<f64> {
        (0..n)
            .map(|i| ((i * 2_654_435_761) % modulus) as f64 - (modulus / 2) as f64)
            .collect()
    }

    #[test]
    fn equals_sorting_every_window() {
        let values = stream(3000, 1013);
        for &w in &[1usize, 2, 3, 7, 64, 65, 300, 1000, 5000] {
            for &q in &[0.0, 0.01, 0.3, 0.5, 0.75, 0.99, 1.0] {
                check(&[], &values, w, q);
            }
        }
    }

    #[test]
    fn continues_a_window_of_any_fill() {
        let values = stream(700, 97); // many equal values
        for &w in &[1usize, 5, 64, 200] {
            for m in [0, 1, w / 2, w] {
                check(&values[..m], &values[m..], w, 0.4);
            }
        }
    }

    #[test]
    fn reads_two_quantiles_at_once() {
        let values = stream(2000, 501);
        let mut out = vec![0.0; values.len()];
        run(
            [&[], &[]],
            &values,
            100,
            [0.25, 0.75],
            |[low, high]| high - low,
            &mut out,
        );
        let low = brute_force(&[], &values, 100, 0.25);
        let high = brute_force(&[], &values, 100, 0.75);
        for i in 0..values.len() {
            assert_eq!(out[i].to_bits(), (high[i] - low[i]).to_bits(), "i={i}");
        }
    }

    proptest! {
        #[test]
        fn matches_brute_force(
            values in prop::collection::vec((-8i32..8).prop_map(|v| f64::from(v) / 2.0), 1..400),
            m in 0usize..50,
            w in 1usize..70,
            q in 0.0f64..=1.0,
        ) {
            let m = m.min(w).min(values.len());
            check(&values[..m], &values[m..], w, q);
        }
    }
}
