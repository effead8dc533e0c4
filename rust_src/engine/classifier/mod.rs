//! Classifiers: logistic regression trained by SGD ([`sgd`]) and a small neural network
//! ([`mlp`]), both fed row-major `f32` or `f64` feature matrices read in place.
//!
//! **Element types.** Every public training and prediction function is generic over the input
//! element ([`data::Element`], `f32` or `f64`) and reads the caller's buffer where it lies:
//! no whole-matrix copy or conversion is made. The linear model computes in `f64` (each value
//! is widened as it is read); the network is generic over its own float type
//! ([`mlp::Real`]): the Python layer uses `f32` (the usual precision for networks, twice the
//! speed of `f64` matrix products), the gradient checks use `f64`.
//!
//! **Determinism.** Every random choice (shuffling, weight initialisation, dropout masks,
//! validation split) comes from a named, portable generator ([`random`]) seeded from the
//! user's seed and the position of the choice (epoch, minibatch, chunk), never from a shared
//! stream consumed in thread order. Work split across threads is split into pieces whose
//! boundaries do not depend on the number of threads, and partial results are combined in a
//! fixed order, so a seed gives bit-identical models whatever the thread count.
//!
//! Files, one concept each: [`data`] (input views and labels), [`random`] (streams),
//! [`standardizer`] (feature scaling learned from the data), [`softmax`] (stable
//! exponentials), [`schedule`] (learning rates), [`penalty`] (L2 and cumulative L1),
//! [`stopping`] (tolerance-based stopping), [`linear`] (a linear head and its SGD step),
//! [`sgd`] (the SGD classifier), [`mlp`] (the network), [`error`].

pub mod data;
pub mod error;
pub mod linear;
pub mod mlp;
pub mod penalty;
pub mod random;
pub mod schedule;
pub mod sgd;
pub mod softmax;
pub mod standardizer;
pub mod stopping;

pub use error::ClassifierError;
