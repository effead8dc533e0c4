//! Gibbs sampler for the scaled Student-t model (Gelman et al., *Bayesian Data Analysis*, 3rd
//! ed., p. 295), in its parameter-expanded form.
//!
//! Model: `x_i ~ t_ν(μ, σ²)` with `p(μ, σ²) ∝ 1/σ²`. Written as a scale mixture of normals
//! with a redundant scale `α`:
//!
//! ```text
//! x_i | μ, α², U_i ~ N(μ, α² U_i)        U_i | τ² ~ Inv-χ²(ν, τ²)        σ = α τ
//! p(μ, τ², α²) ∝ 1 / (τ² α²)
//! ```
//!
//! Integrating the `U_i` out gives back `x_i ~ t_ν(μ, α² τ²)`, and the prior on `σ² = α² τ²`
//! is `1/σ²`, so the draws of `(μ, σ²)` follow the posterior of the original model. `α` alone
//! is not identified: it only speeds up mixing (Liu, Rubin & Wu 1998).
//!
//! One sweep draws each block from its full conditional ([`conditionals`]), in this order:
//! every `U_i`, then `μ`, then `τ²`, then `α²`; it records `μ` and `σ² = α² τ²`.
//!
//! Files, one concept each: [`conditionals`] (the distributions, as formulas), [`streams`]
//! (the portable random streams and variates) with [`stream_jumps`] (reaching any chain's
//! stream at once), [`gamma`] (their gamma and χ² generator),
//! [`batched_gamma`] (the same method, many draws at once, for the latent scales) with its
//! [`lane_streams`] (eight xoshiro256++ lanes) and [`ziggurat`] (normals, tables in
//! [`ziggurat_tables`]), [`vector_dispatch`] (the sweep compiled for the CPU's vector
//! instructions), [`model`] (validated data and run settings), [`chain`] (one chain's sweeps),
//! [`run`] (many chains in parallel), [`error`].

pub mod batched_gamma;
pub mod chain;
pub mod conditionals;
pub mod error;
pub mod gamma;
pub mod lane_streams;
pub mod model;
pub mod run;
pub mod stream_jumps;
pub mod streams;
pub mod vector_dispatch;
pub mod ziggurat;
pub mod ziggurat_tables;

pub use error::SamplerError;
pub use model::{RunSettings, ScaledTModel};
pub use run::{sample, Draws};
