//! The layer trait, the training/evaluation mode, and the closed set of layers.

use serde::{Deserialize, Serialize};

use super::dropout::Dropout;
use super::linear::Linear;
use super::log_softmax::LogSoftmax;
use super::relu::Relu;
use super::{Matrix, Real};
use crate::engine::classifier::random::Stream;

/// Training or evaluation: layers such as dropout behave differently, and nothing is kept
/// for a backward pass in evaluation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Train,
    Eval,
}

/// A differentiable layer of a network.
pub trait Layer<R: Real> {
    /// The output for `input` (one row per sample) and, in [`Mode::Train`], what
    /// [`Layer::backward`] needs. `rng` is the stream of the random choices of this batch
    /// (dropout masks).
    fn forward(
        &self,
        input: Matrix<R>,
        mode: Mode,
        rng: &mut Stream,
    ) -> (Matrix<R>, Option<Matrix<R>>);

    /// Given `saved` (from `forward`) and the gradient of the loss with respect to the
    /// output, adds the gradient with respect to the parameters to `grads` (laid out like
    /// [`Layer::params`]) and returns the gradient with respect to the input (an empty
    /// matrix when `need_input_grad` is false).
    fn backward(
        &self,
        saved: Option<&Matrix<R>>,
        grad_output: Matrix<R>,
        grads: &mut [R],
        need_input_grad: bool,
    ) -> Matrix<R>;

    /// The trainable parameters, flat (empty for parameter-free layers).
    fn params(&self) -> &[R] {
        &[]
    }

    fn params_mut(&mut self) -> &mut [R] {
        &mut []
    }

    /// How many leading parameters weight decay applies to (weights, not biases).
    fn decayed_params(&self) -> usize {
        0
    }

    /// A short description, e.g. `Linear(64 -> 100)`.
    fn describe(&self) -> String;
}

/// The layers a network is built from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Module<R> {
    Linear(Linear<R>),
    Relu(Relu),
    Dropout(Dropout),
    LogSoftmax(LogSoftmax),
}

macro_rules! delegate {
    ($self:ident, $layer:ident => $call:expr) => {
        match $self {
            Module::Linear($layer) => $call,
            Module::Relu($layer) => $call,
            Module::Dropout($layer) => $call,
            Module::LogSoftmax($layer) => $call,
        }
    };
}

impl<R: Real> Layer<R> for Module<R> {
    fn forward(
        &self,
        input: Matrix<R>,
        mode: Mode,
        rng: &mut Stream,
    ) -> (Matrix<R>, Option<Matrix<R>>) {
        delegate!(self, l => Layer::<R>::forward(l, input, mode, rng))
    }

    fn backward(
        &self,
        saved: Option<&Matrix<R>>,
        grad_output: Matrix<R>,
        grads: &mut [R],
        need_input_grad: bool,
    ) -> Matrix<R> {
        delegate!(self, l => Layer::<R>::backward(l, saved, grad_output, grads, need_input_grad))
    }

    fn params(&self) -> &[R] {
        delegate!(self, l => Layer::<R>::params(l))
    }

    fn params_mut(&mut self) -> &mut [R] {
        delegate!(self, l => Layer::<R>::params_mut(l))
    }

    fn decayed_params(&self) -> usize {
        delegate!(self, l => Layer::<R>::decayed_params(l))
    }

    fn describe(&self) -> String {
        delegate!(self, l => Layer::<R>::describe(l))
    }
}
