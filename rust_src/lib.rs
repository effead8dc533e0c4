//! river_lite's native core: an engine in plain Rust (`engine`) and, behind the `python`
//! feature, the thin PyO3 layer that exposes it (`bindings`).

pub mod engine;

#[cfg(feature = "python")]
mod bindings;
