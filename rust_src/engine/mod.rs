//! The numerical engine: plain Rust with no Python types, tested with `cargo test`.
//!
//! One folder per module of the Python package, with the same name (`river_lite.<module>` is
//! `engine::<module>`, its binding `bindings::<module>`), and [`common`] for what they share. A
//! new module adds its folder and one line here.

pub mod common;

pub mod classifier; // module: classifier
pub mod sampler; // module: sampler
pub mod stats; // module: stats
