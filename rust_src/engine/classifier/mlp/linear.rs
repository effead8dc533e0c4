//! A fully connected layer: `y = x W^T + b`, `W` of shape `out × in` (PyTorch's layout).
//! Parameters, flat: `W` row-major, then `b`.

use serde::{Deserialize, Serialize};

use super::real::gemm;
use super::{Layer, Matrix, Mode, Real};
use crate::engine::classifier::random::{unit, Stream};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Linear<R> {
    pub inputs: usize,
    pub outputs: usize,
    params: Vec<R>,
}

impl<R: Real> Linear<R> {
    /// Glorot (Xavier) uniform initialisation of weights and biases, as scikit-learn's
    /// `MLPClassifier`: `U(-b, b)` with `b = sqrt(6 / (inputs + outputs))`.
    pub fn glorot(inputs: usize, outputs: usize, rng: &mut Stream) -> Self {
        let bound = (6.0 / (inputs + outputs) as f64).sqrt();
        let params = (0..(inputs + 1) * outputs)
            .map(|_| R::from_f64((2.0 * unit(rng) - 1.0) * bound))
            .collect();
        Self {
            inputs,
            outputs,
            params,
        }
    }

    pub fn from_params(inputs: usize, outputs: usize, params: Vec<R>) -> Option<Self> {
        (params.len() == (inputs + 1) * outputs).then_some(Self {
            inputs,
            outputs,
            params,
        })
    }

    pub fn weights(&self) -> &[R] {
        &self.params[..self.inputs * self.outputs]
    }

    pub fn bias(&self) -> &[R] {
        &self.params[self.inputs * self.outputs..]
    }

    pub fn is_consistent(&self) -> bool {
        self.params.len() == (self.inputs + 1) * self.outputs
    }
}

impl<R: Real> Layer<R> for Linear<R> {
    fn forward(
        &self,
        input: Matrix<R>,
        mode: Mode,
        _rng: &mut Stream,
    ) -> (Matrix<R>, Option<Matrix<R>>) {
        let n = input.rows;
        let mut output = Matrix::zeros(n, self.outputs);
        gemm(
            n,
            self.inputs,
            self.outputs,
            &input.data,
            false,
            self.weights(),
            true,
            R::ZERO,
            &mut output.data,
        );
        let bias = self.bias();
        for i in 0..n {
            for (o, b) in output.row_mut(i).iter_mut().zip(bias) {
                *o += *b;
            }
        }
        let saved = (mode == Mode::Train).then_some(input);
        (output, saved)
    }

    fn backward(
        &self,
        saved: Option<&Matrix<R>>,
        grad_output: Matrix<R>,
        grads: &mut [R],
        need_input_grad: bool,
    ) -> Matrix<R> {
        let n = grad_output.rows;
        let (grad_w, grad_b) = grads.split_at_mut(self.inputs * self.outputs);
        if let Some(input) = saved {
            // dW += G^T X
            gemm(
                self.outputs,
                n,
                self.inputs,
                &grad_output.data,
                true,
                &input.data,
                false,
                R::ONE,
                grad_w,
            );
        }
        for i in 0..n {
            for (gb, g) in grad_b.iter_mut().zip(grad_output.row(i)) {
                *gb += *g;
            }
        }
        if !need_input_grad {
            return Matrix::zeros(0, self.inputs);
        }
        // dX = G W
        let mut grad_input = Matrix::zeros(n, self.inputs);
        gemm(
            n,
            self.outputs,
            self.inputs,
            &grad_output.data,
            false,
            self.weights(),
            false,
            R::ZERO,
            &mut grad_input.data,
        );
        grad_input
    }

    fn params(&self) -> &[R] {
        &self.params
    }

    fn params_mut(&mut self) -> &mut [R] {
        &mut self.params
    }

    fn decayed_params(&self) -> usize {
        self.inputs * self.outputs
    }

    fn describe(&self) -> String {
        format!("Linear({} -> {})", self.inputs, self.outputs)
    }
}
