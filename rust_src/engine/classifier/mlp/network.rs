//! A network: layers applied in sequence.

use serde::{Deserialize, Serialize};

use super::dropout::Dropout;
use super::linear::Linear;
use super::log_softmax::LogSoftmax;
use super::relu::Relu;
use super::{Layer, Matrix, Mode, Module, Real};
use crate::engine::classifier::random::Stream;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Network<R> {
    pub layers: Vec<Module<R>>,
}

/// What a training forward pass keeps for the backward pass, one entry per layer.
pub type Tape<R> = Vec<Option<Matrix<R>>>;

impl<R: Real> Network<R> {
    /// `inputs -> [Linear -> ReLU -> Dropout(p)]* per hidden size -> Linear -> LogSoftmax`
    /// (dropout layers only when `dropout > 0`), initialised from `rng`.
    pub fn classifier(
        inputs: usize,
        hidden: &[usize],
        classes: usize,
        dropout: f64,
        rng: &mut Stream,
    ) -> Self {
        let mut layers = Vec::new();
        let mut width = inputs;
        for &h in hidden {
            layers.push(Module::Linear(Linear::glorot(width, h, rng)));
            layers.push(Module::Relu(Relu));
            if dropout > 0.0 {
                layers.push(Module::Dropout(Dropout { p: dropout }));
            }
            width = h;
        }
        layers.push(Module::Linear(Linear::glorot(width, classes, rng)));
        layers.push(Module::LogSoftmax(LogSoftmax));
        Self { layers }
    }

    /// The output and, in training, the tape for [`Network::backward`].
    pub fn forward(&self, mut x: Matrix<R>, mode: Mode, rng: &mut Stream) -> (Matrix<R>, Tape<R>) {
        let mut tape = Vec::with_capacity(self.layers.len());
        for layer in &self.layers {
            let (out, saved) = layer.forward(x, mode, rng);
            tape.push(saved);
            x = out;
        }
        (x, tape)
    }

    /// Accumulates the parameter gradients into `grads` (one flat buffer per layer).
    pub fn backward(&self, tape: &Tape<R>, mut grad: Matrix<R>, grads: &mut [Vec<R>]) {
        for (i, layer) in self.layers.iter().enumerate().rev() {
            grad = layer.backward(tape[i].as_ref(), grad, &mut grads[i], i > 0);
        }
    }

    /// Zeroed gradient buffers shaped like the parameters.
    pub fn zero_grads(&self) -> Vec<Vec<R>> {
        self.layers
            .iter()
            .map(|l| vec![R::ZERO; l.params().len()])
            .collect()
    }

    /// Sum of squared decayed parameters (weights).
    pub fn squared_weights(&self) -> f64 {
        self.layers
            .iter()
            .map(|l| {
                l.params()[..l.decayed_params()]
                    .iter()
                    .map(|w| w.to_f64() * w.to_f64())
                    .sum::<f64>()
            })
            .sum()
    }

    pub fn all_finite(&self) -> bool {
        self.layers
            .iter()
            .all(|l| l.params().iter().all(|p| p.is_finite()))
    }

    /// The linear layers.
    pub fn linears(&self) -> impl Iterator<Item = &Linear<R>> {
        self.layers.iter().filter_map(|l| match l {
            Module::Linear(linear) => Some(linear),
            _ => None,
        })
    }

    /// Checks the invariants a decoded state must satisfy for these sizes.
    pub fn is_consistent(&self, inputs: usize, classes: usize) -> bool {
        let mut width = inputs;
        for layer in &self.layers {
            match layer {
                Module::Linear(l) => {
                    if l.inputs != width || !l.is_consistent() {
                        return false;
                    }
                    width = l.outputs;
                }
                Module::Dropout(d) => {
                    if !(0.0..1.0).contains(&d.p) {
                        return false;
                    }
                }
                Module::Relu(_) | Module::LogSoftmax(_) => {}
            }
        }
        width == classes && matches!(self.layers.last(), Some(Module::LogSoftmax(_)))
    }
}

#[cfg(test)]
mod tests {
    use super::super::nll::nll;
    use super::*;
    use crate::engine::classifier::random::stream;

    /// Loss of the network on a batch with a fixed dropout stream.
    fn loss(net: &Network<f64>, x: &Matrix<f64>, y: &[i64]) -> f64 {
        let (out, _) = net.forward(x.clone(), Mode::Train, &mut stream(5, &[3]));
        nll(&out, y, 1.0 / x.rows as f64).0 / x.rows as f64
    }

    #[test]
    fn backpropagation_matches_finite_differences() {
        // Every layer type, two hidden layers, dropout active (same mask in every pass).
        for dropout in [0.0, 0.3] {
            let net = Network::<f64>::classifier(4, &[6, 5], 3, dropout, &mut stream(1, &[]));
            let x = Matrix::from_vec(
                7,
                4,
                (0..28)
                    .map(|i| ((i * 13 % 17) as f64 - 8.0) / 4.0)
                    .collect(),
            );
            let y = [0, 1, 2, 2, 1, 0, 1];
            let (out, tape) = net.forward(x.clone(), Mode::Train, &mut stream(5, &[3]));
            let (_, grad_out) = nll(&out, &y, 1.0 / 7.0);
            let mut grads = net.zero_grads();
            net.backward(&tape, grad_out, &mut grads);
            let mut checked = 0;
            for (l, layer_grads) in grads.iter().enumerate() {
                for (p, analytic) in layer_grads.iter().enumerate() {
                    let h = 1e-6;
                    let mut plus = net.clone();
                    plus.layers[l].params_mut()[p] += h;
                    let mut minus = net.clone();
                    minus.layers[l].params_mut()[p] -= h;
                    let numeric = (loss(&plus, &x, &y) - loss(&minus, &x, &y)) / (2.0 * h);
                    assert!(
                        (numeric - analytic).abs() < 1e-6 * (1.0 + numeric.abs()),
                        "layer {l} param {p}: numeric {numeric} analytic {analytic}"
                    );
                    checked += 1;
                }
            }
            assert_eq!(checked, (4 + 1) * 6 + (6 + 1) * 5 + (5 + 1) * 3);
        }
    }

    #[test]
    fn log_softmax_backward_matches_finite_differences() {
        // A loss that weights every output, so the whole Jacobian is exercised.
        let x = Matrix::from_vec(2, 3, vec![0.5, -1.0, 2.0, 0.1, 0.2, -0.3]);
        let weights = [0.3, -1.2, 0.7, 1.5, 0.2, -0.4];
        let f = |x: &Matrix<f64>| {
            let (y, _) =
                Layer::<f64>::forward(&LogSoftmax, x.clone(), Mode::Eval, &mut stream(0, &[]));
            y.data.iter().zip(&weights).map(|(a, b)| a * b).sum::<f64>()
        };
        let (_, saved) =
            Layer::<f64>::forward(&LogSoftmax, x.clone(), Mode::Train, &mut stream(0, &[]));
        let grad = Layer::<f64>::backward(
            &LogSoftmax,
            saved.as_ref(),
            Matrix::from_vec(2, 3, weights.to_vec()),
            &mut [],
            true,
        );
        for i in 0..6 {
            let (mut plus, mut minus) = (x.clone(), x.clone());
            plus.data[i] += 1e-6;
            minus.data[i] -= 1e-6;
            let numeric = (f(&plus) - f(&minus)) / 2e-6;
            assert!((numeric - grad.data[i]).abs() < 1e-8);
        }
    }

    #[test]
    fn shapes_and_consistency() {
        let net = Network::<f32>::classifier(64, &[100, 50], 10, 0.2, &mut stream(0, &[]));
        assert!(net.is_consistent(64, 10));
        assert!(!net.is_consistent(63, 10));
        assert_eq!(net.linears().count(), 3);
        let names: Vec<String> = net.layers.iter().map(|l| l.describe()).collect();
        assert_eq!(names[0], "Linear(64 -> 100)");
        assert_eq!(names.last().map(String::as_str), Some("LogSoftmax"));
        let (out, tape) = net.forward(Matrix::zeros(3, 64), Mode::Eval, &mut stream(0, &[]));
        assert_eq!((out.rows, out.cols), (3, 10));
        assert!(tape.iter().all(Option::is_none));
        for i in 0..3 {
            let total: f32 = out.row(i).iter().map(|v| v.exp()).sum();
            assert!((total - 1.0).abs() < 1e-5);
        }
    }
}
