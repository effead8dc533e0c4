//! Which structure should give the rolling quantile after every value of a batch? A harness
//! that times the candidates on the same stream, in one process (not shipped in the wheel:
//! `cargo bench` only).
//!
//!     cargo bench --locked --bench stats_rolling_quantile            # the full measurement
//!     cargo bench --locked --bench stats_rolling_quantile -- 1000    # one window size
//!     cargo bench --locked --bench stats_rolling_quantile -- --write # and into RESULTS.md
//!
//! `--write` puts the table between the `stats_structures` markers of benchmarks/RESULTS.md.
//!
//! Candidates, each producing the median (or the 0.25..0.75 range) after every value:
//! * `tree`: today's `RollingWindow`, a ring buffer and a counted B+-tree, `push` then
//!   `quantile` per value (the per-value road, with no Python call in between);
//! * `tree push only`: the same without reading (what `update_many` cost before this change);
//! * `double heap`: bottleneck's structure (a max-heap of the lower part and a min-heap of the
//!   upper part, with each value's heap position indexed so the leaving value is replaced in
//!   place), for any q; a range needs two of them;
//! * `sorted blocks`: `engine::stats::sorted_blocks`, Suomela's sorted blocks with bitsets.
//!
//! Every candidate's outputs are checked against the tree's.
//!
//! Run with nothing else heavy on the machine (flock /tmp/heavy.lock) and read ratios.

use std::hint::black_box;
use std::time::Instant;

use _core::engine::stats::rolling_quantile::{interpolate, quantile_position, RollingWindow};
use _core::engine::stats::{float_sort, sorted_blocks};
use rand::SeedableRng;
use rand_distr::{Distribution, StandardNormal};
use rand_xoshiro::Xoshiro256PlusPlus;

/// Bottleneck's double heap for one quantile, with interpolation.
struct DoubleHeap {
    q: f64,
    window_size: usize,
    /// Node `i` is ring slot `i`: the value that arrived at a time congruent to i.
    value: Vec<f64>,
    in_low: Vec<bool>,
    position: Vec<u32>,
    /// Max-heap of the smallest `lower + 1` values (node ids).
    low: Vec<u32>,
    /// Min-heap of the others.
    high: Vec<u32>,
    seen: usize,
}

impl DoubleHeap {
    fn new(q: f64, window_size: usize) -> Self {
        Self {
            q,
            window_size,
            value: vec![0.0; window_size],
            in_low: vec![false; window_size],
            position: vec![0; window_size],
            low: Vec::with_capacity(window_size),
            high: Vec::with_capacity(window_size),
            seen: 0,
        }
    }

    /// Whether node `a` belongs above node `b` in the heap `low` (a max-heap) or `high`.
    #[inline]
    fn above(&self, low: bool, a: u32, b: u32) -> bool {
        let (x, y) = (self.value[a as usize], self.value[b as usize]);
        if low {
            x > y
        } else {
            x < y
        }
    }

    #[inline]
    fn place(&mut self, low: bool, index: usize, node: u32) {
        if low {
            self.low[index] = node;
        } else {
            self.high[index] = node;
        }
        self.in_low[node as usize] = low;
        self.position[node as usize] = index as u32;
    }

    fn heap(&self, low: bool) -> &[u32] {
        if low {
            &self.low
        } else {
            &self.high
        }
    }

    fn sift_up(&mut self, low: bool, mut index: usize) {
        let node = self.heap(low)[index];
        while index > 0 {
            let parent = (index - 1) / 2;
            let parent_node = self.heap(low)[parent];
            if !self.above(low, node, parent_node) {
                break;
            }
            self.place(low, index, parent_node);
            index = parent;
        }
        self.place(low, index, node);
    }

    fn sift_down(&mut self, low: bool, mut index: usize) {
        let node = self.heap(low)[index];
        let len = self.heap(low).len();
        loop {
            let mut child = 2 * index + 1;
            if child >= len {
                break;
            }
            let heap = self.heap(low);
            if child + 1 < len && self.above(low, heap[child + 1], heap[child]) {
                child += 1;
            }
            let child_node = heap[child];
            if !self.above(low, child_node, node) {
                break;
            }
            self.place(low, index, child_node);
            index = child;
        }
        self.place(low, index, node);
    }

    fn push_to(&mut self, low: bool, node: u32) {
        if low {
            self.low.push(node);
        } else {
            self.high.push(node);
        }
        let index = self.heap(low).len() - 1;
        self.place(low, index, node);
        self.sift_up(low, index);
    }

    fn pop_from(&mut self, low: bool) -> u32 {
        let heap = if low { &mut self.low } else { &mut self.high };
        let top = heap.swap_remove(0);
        if !heap.is_empty() {
            self.sift_down(low, 0);
        }
        top
    }

    /// Keeps the top of `low` at or below the top of `high`.
    fn exchange_tops(&mut self) {
        if let (Some(&a), Some(&b)) = (self.low.first(), self.high.first()) {
            if self.value[a as usize] > self.value[b as usize] {
                self.place(true, 0, b);
                self.place(false, 0, a);
                self.sift_down(true, 0);
                self.sift_down(false, 0);
            }
        }
    }

    fn push(&mut self, x: f64) {
        let node = (self.seen % self.window_size) as u32;
        self.seen += 1;
        self.value[node as usize] = x;
        if self.low.len() + self.high.len() == self.window_size {
            // Replace the leaving value in place, then restore both heaps.
            let (low, index) = (
                self.in_low[node as usize],
                self.position[node as usize] as usize,
            );
            self.sift_up(low, index);
            let index = self.position[node as usize] as usize;
            self.sift_down(low, index);
            self.exchange_tops();
            return;
        }
        let to_low = self
            .high
            .first()
            .is_none_or(|&top| x <= self.value[top as usize]);
        self.push_to(to_low, node);
        let target = quantile_position(self.low.len() + self.high.len(), self.q).0 + 1;
        while self.low.len() > target {
            let moved = self.pop_from(true);
            self.push_to(false, moved);
        }
        while self.low.len() < target {
            let moved = self.pop_from(false);
            self.push_to(true, moved);
        }
    }

    fn quantile(&self) -> f64 {
        let (_, fraction) = quantile_position(self.low.len() + self.high.len(), self.q);
        let low = self.value[self.low[0] as usize];
        if fraction == 0.0 {
            return low;
        }
        interpolate(low, self.value[self.high[0] as usize], fraction)
    }
}

fn best_of(runs: usize, mut run: impl FnMut() -> Vec<f64>) -> (f64, Vec<f64>) {
    let mut best = f64::INFINITY;
    let mut out = Vec::new();
    for _ in 0..runs {
        let started = Instant::now();
        out = black_box(run());
        best = best.min(started.elapsed().as_secs_f64());
    }
    (best, out)
}

fn check(name: &str, got: &[f64], want: &[f64]) {
    let same = got.len() == want.len() && got.iter().zip(want).all(|(a, b)| a == b);
    assert!(same, "{name}: outputs differ from the tree's");
}

/// One row of the table: ns per value of each candidate.
struct Row {
    window: usize,
    label: &'static str,
    tree: f64,
    push_only: f64,
    heap: f64,
    blocks: f64,
}

fn measure(window: usize, n: usize, runs: usize, rows: &mut Vec<Row>) {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(0);
    let values: Vec<f64> = (0..n).map(|_| StandardNormal.sample(&mut rng)).collect();
    let per_value = |seconds: f64| seconds / n as f64 * 1e9;
    println!("window {window}, {n} values (ns per value, best of {runs}):");

    for (label, qs) in [
        ("median", vec![0.5]),
        ("range 0.25..0.75", vec![0.25, 0.75]),
    ] {
        let combine = |parts: &[f64]| {
            if parts.len() == 1 {
                parts[0]
            } else {
                parts[1] - parts[0]
            }
        };
        let (tree, reference) = best_of(runs, || {
            let mut rolling = RollingWindow::new(window);
            values
                .iter()
                .map(|&x| {
                    rolling.push(x);
                    let parts: Vec<f64> = qs.iter().filter_map(|&q| rolling.quantile(q)).collect();
                    combine(&parts)
                })
                .collect()
        });
        let (push_only, _) = best_of(runs, || {
            let mut rolling = RollingWindow::new(window);
            values.iter().for_each(|&x| rolling.push(x));
            vec![rolling.quantile(0.5).unwrap_or(0.0)]
        });
        let (heap, heap_out) = best_of(runs, || {
            let mut heaps: Vec<DoubleHeap> =
                qs.iter().map(|&q| DoubleHeap::new(q, window)).collect();
            values
                .iter()
                .map(|&x| {
                    let parts: Vec<f64> = heaps
                        .iter_mut()
                        .map(|heap| {
                            heap.push(x);
                            heap.quantile()
                        })
                        .collect();
                    combine(&parts)
                })
                .collect()
        });
        check("double heap", &heap_out, &reference);
        let (blocks, blocks_out) = best_of(runs, || {
            let mut out = vec![0.0; n];
            if let [q] = qs[..] {
                sorted_blocks::run([&[], &[]], &values, window, [q], |[v]| v, &mut out);
            } else {
                sorted_blocks::run(
                    [&[], &[]],
                    &values,
                    window,
                    [qs[0], qs[1]],
                    |[l, h]| h - l,
                    &mut out,
                );
            }
            out
        });
        check("sorted blocks", &blocks_out, &reference);
        let row = Row {
            window,
            label,
            tree: per_value(tree),
            push_only: per_value(push_only),
            heap: per_value(heap),
            blocks: per_value(blocks),
        };
        println!(
            "  {label:17} tree {:6.1}  tree push only {:6.1}  double heap {:6.1}  sorted blocks {:6.1}",
            row.tree, row.push_only, row.heap, row.blocks
        );
        rows.push(row);
    }
    let (sort, _) = best_of(runs, || float_sort::sorted(values.iter().copied()));
    let (comparison_sort, _) = best_of(runs, || {
        let mut sorted = values.clone();
        sorted.sort_unstable_by(f64::total_cmp);
        sorted
    });
    println!(
        "  sorting all values: radix {:6.1}  sort_unstable {:6.1}",
        per_value(sort),
        per_value(comparison_sort)
    );
}

/// The table as Markdown, for benchmarks/RESULTS.md.
fn markdown(rows: &[Row], runs: usize) -> String {
    let mut text = String::from(
        "## Rolling quantile: the structure, chosen by measurement\n\n\
         `cargo bench --locked --bench stats_rolling_quantile -- --write` (Rust only, no Python \
         call; standard normal values, 2,000,000 or 2 W of them; ns per value, best of ",
    );
    text += &format!(
        "{runs}). Every candidate gives the quantile after every value, checked equal to the \
         tree's. *tree*: the counted B+-tree, `push` then `quantile` per value (river_lite's \
         per-value road); *tree push only*: the same without reading (the old `update_many`); \
         *double heap*: bottleneck's structure with indexed deletion, for any q (a range needs \
         two); *sorted blocks*: Suomela's algorithm with bitsets (`sorted_blocks.rs`), chosen.\n\n\
         | window | output | tree | tree push only | double heap | sorted blocks |\n\
         |---|---|---|---|---|---|\n"
    );
    for row in rows {
        text += &format!(
            "| {} | {} | {:.1} | {:.1} | {:.1} | {:.1} |\n",
            row.window, row.label, row.tree, row.push_only, row.heap, row.blocks
        );
    }
    text
}

/// Replaces the `stats_structures` section of benchmarks/RESULTS.md (as benchmarks/_results.py
/// does for the Python benchmarks).
fn write_section(section: &str) -> std::io::Result<()> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("benchmarks/RESULTS.md");
    let text = std::fs::read_to_string(&path)?;
    let (start, end) = (
        "<!-- stats_structures:start -->",
        "<!-- stats_structures:end -->",
    );
    let updated = match (text.find(start), text.find(end)) {
        (Some(i), Some(j)) if i < j => {
            format!("{}{start}\n{section}{}", &text[..i], &text[j..])
        }
        _ => format!("{}\n\n{start}\n{section}{end}\n", text.trim_end()),
    };
    std::fs::write(&path, updated)?;
    println!("wrote {}", path.display());
    Ok(())
}

fn main() -> std::io::Result<()> {
    // `cargo bench` passes --bench; `cargo test --benches` does not: then a smoke run only.
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    let mut rows = Vec::new();
    if !arguments.iter().any(|a| a == "--bench") {
        measure(100, 5_000, 1, &mut rows);
        return Ok(());
    }
    let windows: Vec<usize> = arguments.iter().filter_map(|a| a.parse().ok()).collect();
    let windows = if windows.is_empty() {
        vec![10, 1_000, 10_000, 1_000_000]
    } else {
        windows
    };
    let runs = 3;
    for window in windows {
        measure(window, 2_000_000.max(2 * window), runs, &mut rows);
    }
    if arguments.iter().any(|a| a == "--write") {
        write_section(&markdown(&rows, runs))?;
    }
    Ok(())
}
