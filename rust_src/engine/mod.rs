//! The numerical engine: plain Rust with no Python types, tested with `cargo test`.

pub mod classifier;
pub mod order_statistic_tree;
pub mod p2_quantile;
pub mod rolling_quantile;
pub mod scaled_t_gibbs;
pub mod state;
