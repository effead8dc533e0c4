//! river_lite's native core: an engine in plain Rust (`engine`) and, behind the `python`
//! feature, the thin PyO3 layer that exposes it (`bindings`).
//!
//! Outside tests, nothing here may panic on user input: bad input becomes an error value and,
//! in the bindings, a Python exception. The lints below make `cargo clippy` (run by .ci/run)
//! refuse every `unwrap`, `expect`, `panic!` and `unreachable!` outside `#[cfg(test)]` code;
//! the few hard checks that remain are each allowed where they stand, with the proof that no
//! input reaches them. `.ci/lint_proof.py` plants an `unwrap()` in engine code and checks that
//! clippy refuses it, so these lints cannot be lost unnoticed.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::unreachable,
        clippy::todo,
        clippy::unimplemented
    )
)]

pub mod engine;

#[cfg(feature = "python")]
mod bindings;
