//! Eight xoshiro256++ generators stepped together, so that their arithmetic compiles to
//! vector instructions: the random bits of the latent scales (see [`super::batched_gamma`]).
//!
//! **Seeding.** The lanes of a chain are seeded from that chain's stream advanced by one
//! `long_jump()` (2¹⁹² steps): lane `j`'s state is outputs `4j .. 4j + 4` of it. That part of
//! the stream is used for nothing else (a chain's own draws are 2¹²⁸-step segments, far below
//! it), and the lanes' states are as good as independent random 256-bit states, whose
//! sequences overlap with probability far below 2⁻¹⁰⁰ for any feasible run.

use rand_xoshiro::rand_core::Rng;

use super::streams::ChainRng;

/// Number of lanes. Part of the stream layout: it fixes which draws each seed gives, so it is
/// the same on every platform, whatever its vector width.
pub const LANES: usize = 8;

/// The states of the lanes, word-major (`state[k][lane]`) so that one step is a handful of
/// operations on whole vectors.
#[derive(Clone, Debug, PartialEq)]
pub struct LaneStreams {
    state: [[u64; LANES]; 4],
}

impl LaneStreams {
    /// The lanes of the chain whose stream starts at `chain` (see the module docs).
    pub fn seeded_from(chain: &ChainRng) -> Self {
        let mut seeder = chain.clone();
        seeder.long_jump();
        let mut state = [[0; LANES]; 4];
        for lane in 0..LANES {
            for word in &mut state {
                word[lane] = seeder.next_u64();
            }
            // xoshiro's one forbidden state (it would stay zero forever); 2⁻²⁵⁶ likely.
            if state.iter().all(|word| word[lane] == 0) {
                state[0][lane] = 1;
            }
        }
        Self { state }
    }

    /// The next output of every lane.
    #[inline(always)]
    pub fn next_all(&mut self) -> [u64; LANES] {
        let [s0, s1, s2, s3] = &mut self.state;
        let mut outputs = [0; LANES];
        for lane in 0..LANES {
            outputs[lane] = step(&mut s0[lane], &mut s1[lane], &mut s2[lane], &mut s3[lane]);
        }
        outputs
    }

    /// The next output of lane `lane` alone.
    pub fn next_in_lane(&mut self, lane: usize) -> u64 {
        let [s0, s1, s2, s3] = &mut self.state;
        step(&mut s0[lane], &mut s1[lane], &mut s2[lane], &mut s3[lane])
    }
}

/// One step of xoshiro256++ (Blackman & Vigna 2019).
#[inline(always)]
fn step(s0: &mut u64, s1: &mut u64, s2: &mut u64, s3: &mut u64) -> u64 {
    let result = s0.wrapping_add(*s3).rotate_left(23).wrapping_add(*s0);
    let t = *s1 << 17;
    *s2 ^= *s0;
    *s3 ^= *s1;
    *s1 ^= *s2;
    *s0 ^= *s3;
    *s2 ^= t;
    *s3 = s3.rotate_left(45);
    result
}

#[cfg(test)]
mod tests {
    use super::super::streams::chain_rng;
    use super::*;
    use rand_xoshiro::rand_core::SeedableRng;

    #[test]
    fn every_lane_is_xoshiro256_plus_plus_seeded_from_the_long_jumped_chain() {
        let chain = chain_rng(11, 2);
        let mut lanes = LaneStreams::seeded_from(&chain);
        let mut seeder = chain.clone();
        seeder.long_jump();
        let mut references: Vec<ChainRng> = (0..LANES)
            .map(|_| {
                let mut seed = [0u8; 32];
                for word in seed.chunks_exact_mut(8) {
                    word.copy_from_slice(&seeder.next_u64().to_le_bytes());
                }
                ChainRng::from_seed(seed)
            })
            .collect();
        for step in 0..1000 {
            // Whole steps and single-lane steps move the same generators.
            if step % 7 == 3 {
                let lane = step % LANES;
                assert_eq!(lanes.next_in_lane(lane), references[lane].next_u64());
            } else {
                let outputs = lanes.next_all();
                for (lane, reference) in references.iter_mut().enumerate() {
                    assert_eq!(outputs[lane], reference.next_u64(), "step {step}");
                }
            }
        }
        // The chain's own stream is untouched, and other chains get other lanes.
        assert_eq!(chain, chain_rng(11, 2));
        assert_ne!(
            LaneStreams::seeded_from(&chain_rng(11, 3)),
            LaneStreams::seeded_from(&chain)
        );
    }
}
