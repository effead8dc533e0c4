//! Gamma variates many at a time, for the latent scales: the sampler's hot loop (one χ²(ν + 1)
//! draw per data point and sweep).
//!
//! **Method.** The same exact method as [`super::gamma`] (Marsaglia & Tsang's rejection from a
//! transformed normal), run on [`LANES`] independent streams at once: a batch draws [`BATCH`]
//! proposals, each from two `u64` of its lane (a normal from [`super::ziggurat`] and a
//! uniform), with branch-free arithmetic that compiles to vector instructions; two squeezes
//! accept or reject most proposals without a logarithm ([`MarsagliaTsang::squeeze`]). The
//! few that the ziggurat's fast path or the squeezes cannot decide (0.9 % at shape 3.5:
//! 0.42 % for the ziggurat, 0.47 % between the squeezes, counted over 4·10⁶ proposals) are
//! finished one at a time, exactly, with further bits from their own lane.
//! Rejected proposals give nothing; accepted ones are the output, in proposal order
//! (proposal `k` of a batch comes from lane `k mod LANES`). Every proposal is an independent
//! attempt of an exact rejection sampler, so the accepted draws are independent and exactly
//! Gamma(shape, scale) distributed.
//!
//! Arithmetic is IEEE 754 (no fused multiply-add), so the draws are the same bits whatever
//! vector instructions run it; only the rare exact tests call `exp`/`ln`, as in
//! [`super::gamma`].

use super::gamma::{open_uniform_from_bits, MarsagliaTsang};
use super::lane_streams::{LaneStreams, LANES};
use super::streams::ChainRng;
use super::vector_dispatch::InstructionSet;
use super::ziggurat;

/// Proposals per batch: a multiple of [`LANES`].
pub const BATCH: usize = 8 * LANES;

/// A stream of Gamma(shape, scale) draws, for `1 < shape < ∞`.
#[derive(Clone, Debug)]
pub struct BatchedGamma {
    method: MarsagliaTsang,
    lanes: LaneStreams,
    /// Accepted draws of the current batch: `ready[next..len]` are still to be handed out.
    ready: [f64; BATCH],
    next: usize,
    len: usize,
    /// Whether to test the proposals one by one (see [`Self::accept_one_by_one`]): on CPUs
    /// without wide vectors. It never changes the draws.
    one_by_one: bool,
}

impl BatchedGamma {
    /// `None` unless `1 < shape < ∞` and `0 < scale < ∞`. The lanes are seeded from `chain`
    /// (see [`super::lane_streams`]), which is not advanced.
    pub fn new(shape: f64, scale: f64, chain: &ChainRng) -> Option<Self> {
        Some(Self {
            method: MarsagliaTsang::new(shape, scale)?,
            lanes: LaneStreams::seeded_from(chain),
            ready: [0.0; BATCH],
            next: 0,
            len: 0,
            one_by_one: InstructionSet::chosen() == InstructionSet::Baseline,
        })
    }

    /// Fills `out` with the next draws of the stream.
    #[cfg(test)]
    pub fn fill(&mut self, out: &mut [f64]) {
        self.fill_then(out, |_, _| {});
    }

    /// Fills `out` with the next draws of the stream, calling `then(start, drawn)` on each run
    /// of fresh draws `drawn = out[start..start + drawn.len()]` (each draw once, in order) as
    /// soon as it is written: the CPU then overlaps that work with the drawing of the next
    /// batch (for the sampler's divisions, whose unit would otherwise sit idle while drawing
    /// and then be the bottleneck).
    #[inline(always)]
    pub fn fill_then(&mut self, out: &mut [f64], mut then: impl FnMut(usize, &mut [f64])) {
        let mut filled = self.hand_out_ready(out);
        then(0, &mut out[..filled]);
        // While a whole batch fits, its draws go straight to `out` (no copy through `ready`):
        // the same draws in the same order.
        while let Some(room) = out[filled..].first_chunk_mut::<BATCH>() {
            let len = self.draw_batch(room);
            then(filled, &mut room[..len]);
            filled += len;
        }
        while filled < out.len() {
            let mut ready = [0.0; BATCH];
            self.len = self.draw_batch(&mut ready);
            (self.ready, self.next) = (ready, 0);
            let len = self.hand_out_ready(&mut out[filled..]);
            then(filled, &mut out[filled..filled + len]);
            filled += len;
        }
    }

    /// Moves as many of the `ready` draws as fit to the start of `out`; returns how many.
    #[inline(always)]
    fn hand_out_ready(&mut self, out: &mut [f64]) -> usize {
        let take = (self.len - self.next).min(out.len());
        out[..take].copy_from_slice(&self.ready[self.next..self.next + take]);
        self.next += take;
        take
    }

    /// Writes the accepted draws of one batch of proposals to the start of `out`; returns
    /// how many.
    #[inline(always)]
    fn draw_batch(&mut self, out: &mut [f64; BATCH]) -> usize {
        // On a local copy of the lanes, which the compiler keeps in vector registers.
        let mut lanes = self.lanes.clone();
        let mut normal_bits = [0u64; BATCH];
        let mut uniform_bits = [0u64; BATCH];
        for (normals, uniforms) in normal_bits
            .chunks_exact_mut(LANES)
            .zip(uniform_bits.chunks_exact_mut(LANES))
        {
            normals.copy_from_slice(&lanes.next_all());
            uniforms.copy_from_slice(&lanes.next_all());
        }
        self.lanes = lanes;

        if self.one_by_one {
            self.accept_one_by_one(&normal_bits, &uniform_bits, out)
        } else {
            self.accept_in_vectors(&normal_bits, &uniform_bits, out)
        }
    }

    /// The accepted proposals into `out`, their number returned: the fast tests of every
    /// proposal first, without branches (vector instructions), then the few undecided ones.
    #[inline(always)]
    fn accept_in_vectors(
        &mut self,
        normal_bits: &[u64; BATCH],
        uniform_bits: &[u64; BATCH],
        out: &mut [f64; BATCH],
    ) -> usize {
        let mut draws = [0.0; BATCH];
        let mut accepted = [false; BATCH];
        let mut decided = [false; BATCH];
        for k in 0..BATCH {
            let (x, is_normal) = ziggurat::proposal(normal_bits[k]);
            let (draw, accept, reject) = self
                .method
                .squeeze(x, open_uniform_from_bits(uniform_bits[k]));
            draws[k] = draw;
            accepted[k] = is_normal & accept;
            decided[k] = is_normal & (accept | reject);
        }

        // Whole blocks of LANES accepted proposals (about 90 % of blocks at shape 3.5) are
        // copied at once; the others one by one.
        let mut len = 0;
        for block in (0..BATCH).step_by(LANES) {
            if accepted[block..block + LANES].iter().all(|&a| a) {
                out[len..len + LANES].copy_from_slice(&draws[block..block + LANES]);
                len += LANES;
                continue;
            }
            for k in block..block + LANES {
                if decided[k] {
                    // Without a branch on the (unpredictable) verdict: a rejected draw is
                    // written and then overwritten. `len <= k`, so the slot exists.
                    out[len] = draws[k];
                    len += accepted[k] as usize;
                } else if let Some(draw) =
                    finish(&self.method, &mut self.lanes, k, normal_bits, uniform_bits)
                {
                    out[len] = draw;
                    len += 1;
                }
            }
        }
        len
    }

    /// The same as [`Self::accept_in_vectors`], one proposal after the other: faster where
    /// there are no wide vectors (branches that are almost always taken cost less than
    /// emulated vector table lookups), and the same draws.
    #[inline(always)]
    fn accept_one_by_one(
        &mut self,
        normal_bits: &[u64; BATCH],
        uniform_bits: &[u64; BATCH],
        out: &mut [f64; BATCH],
    ) -> usize {
        let mut len = 0;
        for k in 0..BATCH {
            let (x, is_normal) = ziggurat::proposal(normal_bits[k]);
            let u = open_uniform_from_bits(uniform_bits[k]);
            let draw = match self.method.squeeze(x, u) {
                (draw, true, _) if is_normal => Some(draw),
                (_, _, true) if is_normal => None,
                _ => finish(&self.method, &mut self.lanes, k, normal_bits, uniform_bits),
            };
            if let Some(draw) = draw {
                out[len] = draw;
                len += 1;
            }
        }
        len
    }
}

/// Proposal `k` of a batch when a fast test could not decide it: the exact normal (with more
/// bits from the proposal's lane), then the exact test.
#[cold]
#[inline(never)]
fn finish(
    method: &MarsagliaTsang,
    lanes: &mut LaneStreams,
    k: usize,
    normal_bits: &[u64; BATCH],
    uniform_bits: &[u64; BATCH],
) -> Option<f64> {
    let (x, is_normal) = ziggurat::proposal(normal_bits[k]);
    let x = if is_normal {
        x
    } else {
        ziggurat::finish(normal_bits[k], || lanes.next_in_lane(k % LANES))
    };
    method.accepts(x, open_uniform_from_bits(uniform_bits[k]))
}

#[cfg(test)]
mod tests {
    use super::super::streams::chain_rng;
    use super::*;

    #[test]
    fn fills_of_any_size_continue_one_stream() {
        let chain = chain_rng(4, 1);
        let mut whole = BatchedGamma::new(3.5, 2.0, &chain).unwrap();
        let mut expected = vec![0.0; 5_000];
        whole.fill(&mut expected);
        let mut pieces = BatchedGamma::new(3.5, 2.0, &chain).unwrap();
        let mut got = Vec::new();
        for size in (0..).map(|i| [0, 1, 7, 63, 64, 65, 500][i % 7]) {
            if got.len() >= expected.len() {
                break;
            }
            let mut out = vec![0.0; size.min(expected.len() - got.len())];
            pieces.fill(&mut out);
            got.extend(out);
        }
        assert_eq!(got, expected);
    }

    #[test]
    fn fill_then_hands_over_each_fresh_draw_once_in_order() {
        let chain = chain_rng(6, 0);
        for one_by_one in [false, true] {
            let mut plain = BatchedGamma::new(3.5, 2.0, &chain).unwrap();
            let mut with_then = plain.clone();
            with_then.one_by_one = one_by_one;
            plain.one_by_one = one_by_one;
            for size in [500, 3, 64, 130, 0, 777] {
                let mut expected = vec![0.0; size];
                plain.fill(&mut expected);
                let mut out = vec![f64::NAN; size];
                let mut handed = Vec::new();
                with_then.fill_then(&mut out, |start, drawn| {
                    assert_eq!(start, handed.len());
                    handed.extend_from_slice(drawn);
                    drawn.iter_mut().for_each(|draw| *draw = -*draw);
                });
                assert_eq!(handed, expected);
                // What `then` writes stays in `out`.
                assert_eq!(out, expected.iter().map(|draw| -draw).collect::<Vec<_>>());
            }
        }
    }

    #[test]
    fn one_by_one_and_in_vectors_give_the_same_draws() {
        for shape in [1.0 + 1e-9, 3.5, 1e4] {
            let chain = chain_rng(8, 0);
            let mut draws = [vec![0.0; 20_000], vec![0.0; 20_000]];
            for (one_by_one, out) in [false, true].into_iter().zip(&mut draws) {
                let mut batched = BatchedGamma::new(shape, 1.0, &chain).unwrap();
                batched.one_by_one = one_by_one;
                batched.fill(out);
            }
            assert_eq!(draws[0], draws[1], "shape {shape}");
        }
    }

    #[test]
    fn refuses_shapes_it_does_not_handle() {
        let chain = chain_rng(1, 0);
        for (shape, scale) in [(1.0, 1.0), (0.5, 1.0), (f64::INFINITY, 1.0), (2.0, 0.0)] {
            assert!(BatchedGamma::new(shape, scale, &chain).is_none());
        }
    }
}
