//! Jumping a seed's xoshiro256++ stream ahead by any number of chains at once.
//!
//! Chain `c` of a seed starts `c` jumps (`c · 2¹²⁸` steps) into the seed's stream (see
//! [`super::streams`]). One jump costs about a microsecond, so reaching chain 2⁴⁰ one jump at a
//! time would take two weeks. But the xoshiro256 state transition is linear over GF(2): a jump
//! is a 256 × 256 bit matrix `J`, and `c` jumps are `J^c`, which repeated squaring reaches in
//! at most 63 squarings (milliseconds) for any `c < 2⁶⁴`. The result is the same state bit for
//! bit as `c` calls of `jump()`, which the tests check directly for small `c` and, for `c = 2⁶⁴`,
//! against xoshiro's own `long_jump()` (2¹⁹² steps).

use rand_xoshiro::rand_core::{Rng, SeedableRng};
use rand_xoshiro::SplitMix64;

use super::streams::ChainRng;

/// A xoshiro256 state: bit `b` of the state is bit `b % 64` of word `b / 64`.
type State = [u64; 4];

/// The jump polynomial of xoshiro256 for 2¹²⁸ steps (Blackman & Vigna; the constants of
/// `Xoshiro256PlusPlus::jump`).
const JUMP: State = [
    0x180e_c6d3_3cfd_0aba,
    0xd5a6_1266_f0c9_392c,
    0xa958_2618_e03f_c9aa,
    0x39ab_dc45_29b1_661c,
];

/// The state `Xoshiro256PlusPlus::seed_from_u64(seed)` starts from: four SplitMix64 outputs.
fn seeded_state(seed: u64) -> State {
    let mut splitmix = SplitMix64::seed_from_u64(seed);
    let mut bytes = [0u8; 32];
    splitmix.fill_bytes(&mut bytes);
    state_of_seed(bytes)
}

fn state_of_seed(bytes: [u8; 32]) -> State {
    let mut state = [0; 4];
    for (word, chunk) in state.iter_mut().zip(bytes.chunks_exact(8)) {
        let mut le = [0u8; 8];
        le.copy_from_slice(chunk);
        *word = u64::from_le_bytes(le);
    }
    state
}

fn seed_of_state(state: State) -> [u8; 32] {
    let mut bytes = [0u8; 32];
    for (chunk, word) in bytes.chunks_exact_mut(8).zip(state) {
        chunk.copy_from_slice(&word.to_le_bytes());
    }
    bytes
}

/// One step of the xoshiro256 state transition (the output scrambler plays no part in it).
fn step(s: &mut State) {
    let t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = s[3].rotate_left(45);
}

/// `state` advanced by one jump (2¹²⁸ steps), as `Xoshiro256PlusPlus::jump` computes it.
fn jumped_once(mut state: State) -> State {
    let mut result = [0; 4];
    for word in JUMP {
        for bit in 0..64 {
            if (word >> bit) & 1 == 1 {
                for (r, s) in result.iter_mut().zip(state) {
                    *r ^= s;
                }
            }
            step(&mut state);
        }
    }
    result
}

/// A GF(2)-linear map of states, as the images of the 256 unit states (8 KiB).
struct LinearMap {
    columns: Vec<State>,
}

impl LinearMap {
    /// The matrix of the linear function `f`.
    fn of(f: impl Fn(State) -> State) -> Self {
        let columns = (0..256)
            .map(|bit| {
                let mut unit = [0; 4];
                unit[bit / 64] = 1 << (bit % 64);
                f(unit)
            })
            .collect();
        Self { columns }
    }

    /// The image of `state`: the sum (XOR) of the columns of its set bits.
    fn apply(&self, state: State) -> State {
        let mut result = [0; 4];
        for (bit, column) in self.columns.iter().enumerate() {
            // A mask rather than a branch: half the bits are set, unpredictably.
            let mask = 0u64.wrapping_sub((state[bit / 64] >> (bit % 64)) & 1);
            for (r, c) in result.iter_mut().zip(column) {
                *r ^= c & mask;
            }
        }
        result
    }

    /// This map applied twice.
    fn squared(&self) -> Self {
        Self {
            columns: self.columns.iter().map(|&c| self.apply(c)).collect(),
        }
    }
}

/// `state` advanced by `jumps` jumps, i.e. `jumps · 2¹²⁸` steps.
fn jumped(mut state: State, mut jumps: u64) -> State {
    if jumps == 0 {
        return state;
    }
    // power = J^(2^k) for the bit k of `jumps` being looked at.
    let mut power = LinearMap::of(jumped_once);
    loop {
        if jumps & 1 == 1 {
            state = power.apply(state);
        }
        jumps >>= 1;
        if jumps == 0 {
            return state;
        }
        power = power.squared();
    }
}

/// Below this many jumps, calling `jump()` is quicker than building the matrices.
const DIRECT_JUMPS: u64 = 512;

/// `Xoshiro256PlusPlus::seed_from_u64(seed)` advanced by `jumps` calls of `jump()`, in
/// milliseconds for any `jumps`.
pub fn seeded_and_jumped(seed: u64, jumps: u64) -> ChainRng {
    if jumps < DIRECT_JUMPS {
        let mut rng = ChainRng::seed_from_u64(seed);
        for _ in 0..jumps {
            rng.jump();
        }
        return rng;
    }
    // A state of all zeros would be mapped to another seed by from_seed; a jump of a non-zero
    // state is never zero (the map is invertible), and SplitMix64 cannot give four zero words.
    ChainRng::from_seed(seed_of_state(jumped(seeded_state(seed), jumps)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rng_of(state: State) -> ChainRng {
        ChainRng::from_seed(seed_of_state(state))
    }

    fn jumped_by_calls(seed: u64, jumps: u64) -> ChainRng {
        let mut rng = ChainRng::seed_from_u64(seed);
        for _ in 0..jumps {
            rng.jump();
        }
        rng
    }

    #[test]
    fn the_seeded_state_is_xoshiros() {
        for seed in [0, 1, 42, u64::MAX] {
            assert_eq!(rng_of(seeded_state(seed)), ChainRng::seed_from_u64(seed));
        }
    }

    #[test]
    fn one_jump_is_xoshiros_jump() {
        let state = seeded_state(7);
        let mut rng = rng_of(state);
        rng.jump();
        assert_eq!(rng_of(jumped_once(state)), rng);
        // And the matrix of a jump applies it.
        assert_eq!(LinearMap::of(jumped_once).apply(state), jumped_once(state));
    }

    #[test]
    fn matrix_jumps_equal_repeated_jumps() {
        for jumps in [0, 1, 2, 3, 5, 8, 13, 100, 511, 512, 513, 1000, 1024, 1500] {
            let expected = jumped_by_calls(99, jumps);
            assert_eq!(rng_of(jumped(seeded_state(99), jumps)), expected, "{jumps}");
            assert_eq!(seeded_and_jumped(99, jumps), expected, "{jumps}");
        }
    }

    #[test]
    fn two_to_the_sixty_four_jumps_are_one_long_jump() {
        // 2⁶⁴ · 2¹²⁸ = 2¹⁹² steps: xoshiro's long_jump, computed by its own polynomial. The
        // squarings that reach it are those every chain index below 2⁶⁴ uses.
        let state = seeded_state(5);
        let half = jumped(jumped(state, 1 << 63), 1 << 63);
        let mut expected = rng_of(state);
        expected.long_jump();
        assert_eq!(rng_of(half), expected);
    }

    #[test]
    fn jumps_add_up_for_huge_chain_indices() {
        let state = seeded_state(3);
        for (a, b) in [
            (u64::MAX - 7, 7),
            (1 << 62, (1 << 62) + 12_345),
            (987_654_321, 2),
        ] {
            assert_eq!(
                jumped(jumped(state, a), b),
                jumped(state, a + b),
                "{a} + {b}"
            );
        }
        let mut next = seeded_and_jumped(3, u64::MAX - 1);
        next.jump();
        assert_eq!(next, seeded_and_jumped(3, u64::MAX));
    }
}
