//! Optimizers, with scikit-learn's `MLPClassifier` update rules.
//!
//! * SGD with momentum `mu` and rate `lr`: `v <- mu v - lr g`; then `p <- p + v`, or with
//!   Nesterov's momentum `p <- p + mu v - lr g`.
//! * Adam (Kingma & Ba 2015): `m <- b1 m + (1 - b1) g`, `v <- b2 v + (1 - b2) g²`,
//!   `p <- p - lr sqrt(1 - b2^t) / (1 - b1^t) m / (sqrt(v) + eps)`.

use serde::{Deserialize, Serialize};

use super::{Layer, Module, Real};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Optimizer<R> {
    Sgd {
        lr: f64,
        momentum: f64,
        nesterov: bool,
        velocity: Vec<Vec<R>>,
    },
    Adam {
        lr: f64,
        beta1: f64,
        beta2: f64,
        epsilon: f64,
        steps: u64,
        m: Vec<Vec<R>>,
        v: Vec<Vec<R>>,
    },
}

impl<R: Real> Optimizer<R> {
    /// Applies one step to `layers` with gradients `grads` (one buffer per layer).
    pub fn step(&mut self, layers: &mut [Module<R>], grads: &[Vec<R>]) {
        match self {
            Self::Sgd {
                lr,
                momentum,
                nesterov,
                velocity,
            } => {
                let (lr, mu) = (R::from_f64(*lr), R::from_f64(*momentum));
                for ((layer, g), vel) in layers.iter_mut().zip(grads).zip(velocity.iter_mut()) {
                    for ((p, g), v) in layer.params_mut().iter_mut().zip(g).zip(vel.iter_mut()) {
                        *v = mu * *v - lr * *g;
                        if *nesterov {
                            *p += mu * *v - lr * *g;
                        } else {
                            *p += *v;
                        }
                    }
                }
            }
            Self::Adam {
                lr,
                beta1,
                beta2,
                epsilon,
                steps,
                m,
                v,
            } => {
                *steps += 1;
                let t = *steps as i32;
                let rate = *lr * (1.0 - beta2.powi(t)).sqrt() / (1.0 - beta1.powi(t));
                let (b1, b2, eps, rate) = (
                    R::from_f64(*beta1),
                    R::from_f64(*beta2),
                    R::from_f64(*epsilon),
                    R::from_f64(rate),
                );
                for (((layer, g), ms), vs) in layers
                    .iter_mut()
                    .zip(grads)
                    .zip(m.iter_mut())
                    .zip(v.iter_mut())
                {
                    for (((p, g), m), v) in layer
                        .params_mut()
                        .iter_mut()
                        .zip(g)
                        .zip(ms.iter_mut())
                        .zip(vs.iter_mut())
                    {
                        *m = b1 * *m + (R::ONE - b1) * *g;
                        *v = b2 * *v + (R::ONE - b2) * *g * *g;
                        *p -= rate * *m / (v.sqrt() + eps);
                    }
                }
            }
        }
    }

    /// The learning rate.
    pub fn learning_rate(&self) -> f64 {
        match self {
            Self::Sgd { lr, .. } | Self::Adam { lr, .. } => *lr,
        }
    }

    /// Checks that the state matches the layers' parameter counts.
    pub fn is_consistent(&self, layers: &[Module<R>]) -> bool {
        let fits = |buffers: &Vec<Vec<R>>| {
            buffers.len() == layers.len()
                && buffers
                    .iter()
                    .zip(layers)
                    .all(|(b, l)| b.len() == l.params().len())
        };
        match self {
            Self::Sgd { velocity, .. } => fits(velocity),
            Self::Adam { m, v, .. } => fits(m) && fits(v),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::linear::Linear;
    use super::*;

    fn one_param_layer(value: f64) -> Vec<Module<f64>> {
        // Linear(0 -> 1) has exactly one parameter: its bias.
        vec![Module::Linear(
            Linear::from_params(0, 1, vec![value]).unwrap(),
        )]
    }

    #[test]
    fn sgd_momentum_and_adam_steps() {
        let mut layers = one_param_layer(1.0);
        let mut sgd = Optimizer::Sgd {
            lr: 0.1,
            momentum: 0.9,
            nesterov: false,
            velocity: vec![vec![0.0]],
        };
        sgd.step(&mut layers, &[vec![2.0]]);
        assert!((layers[0].params()[0] - 0.8).abs() < 1e-15);
        sgd.step(&mut layers, &[vec![2.0]]);
        // v = 0.9 * -0.2 - 0.2 = -0.38
        assert!((layers[0].params()[0] - 0.42).abs() < 1e-12);

        let mut layers = one_param_layer(1.0);
        let mut adam = Optimizer::Adam {
            lr: 0.01,
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-8,
            steps: 0,
            m: vec![vec![0.0]],
            v: vec![vec![0.0]],
        };
        adam.step(&mut layers, &[vec![5.0]]);
        // The first Adam step moves by lr, whatever the gradient's size.
        assert!((layers[0].params()[0] - 0.99).abs() < 1e-9);
        assert!(adam.is_consistent(&layers));
        assert_eq!(adam.learning_rate(), 0.01);
    }

    #[test]
    fn both_optimizers_minimise_a_quadratic() {
        for mut opt in [
            Optimizer::Sgd {
                lr: 0.05,
                momentum: 0.9,
                nesterov: true,
                velocity: vec![vec![0.0]],
            },
            Optimizer::Adam {
                lr: 0.05,
                beta1: 0.9,
                beta2: 0.999,
                epsilon: 1e-8,
                steps: 0,
                m: vec![vec![0.0]],
                v: vec![vec![0.0]],
            },
        ] {
            let mut layers = one_param_layer(3.0);
            for _ in 0..2000 {
                let p = layers[0].params()[0];
                opt.step(&mut layers, &[vec![2.0 * (p - 1.0)]]);
            }
            assert!((layers[0].params()[0] - 1.0).abs() < 1e-3, "{opt:?}");
        }
    }
}
