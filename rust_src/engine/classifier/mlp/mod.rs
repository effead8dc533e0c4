//! A small feed-forward network, written as composable layers (the design lesson of the
//! torch.rs write-up: traits and delegation instead of inheritance).
//!
//! * [`Layer`] is the trait every layer implements: `forward` (in a [`Mode`]: training or
//!   evaluation) returns the output and what `backward` will need; `backward` turns the
//!   gradient of the loss with respect to the output into the gradient with respect to the
//!   input and accumulates the gradient of the layer's own parameters.
//! * Layers: [`linear::Linear`], [`relu::Relu`], [`dropout::Dropout`] (active only in
//!   training), [`log_softmax::LogSoftmax`]; the loss: [`nll`] (negative log-likelihood of
//!   log-probabilities). [`layer::Module`] is the closed set of layers a [`network::Network`]
//!   is made of (an enum, so a network serialises without trait objects).
//! * [`optimizer`]: minibatch SGD with (Nesterov) momentum, and Adam.
//! * [`trainer`]: the classifier — minibatches split into fixed-size chunks that run in
//!   parallel, weight decay, tolerance and validation-based early stopping.
//!
//! Everything is generic over the float type ([`Real`]: `f32` or `f64`).

pub mod dropout;
pub mod layer;
pub mod linear;
pub mod log_softmax;
pub mod matrix;
pub mod network;
pub mod nll;
pub mod optimizer;
pub mod real;
pub mod relu;
pub mod trainer;

pub use layer::{Layer, Mode, Module};
pub use matrix::Matrix;
pub use network::Network;
pub use real::Real;
pub use trainer::{MlpClassifier, MlpSettings, Solver};
