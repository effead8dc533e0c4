//! Inverted dropout: in training, each value is zeroed with probability `p` and the others
//! are scaled by `1 / (1 - p)`, so evaluation is the identity.

use serde::{Deserialize, Serialize};

use super::{Layer, Matrix, Mode, Real};
use crate::engine::classifier::random::{unit, Stream};

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Dropout {
    /// Probability of dropping a value, in `[0, 1)`.
    pub p: f64,
}

impl<R: Real> Layer<R> for Dropout {
    fn forward(
        &self,
        mut input: Matrix<R>,
        mode: Mode,
        rng: &mut Stream,
    ) -> (Matrix<R>, Option<Matrix<R>>) {
        if mode == Mode::Eval || self.p <= 0.0 {
            return (input, None);
        }
        let keep = R::from_f64(1.0 / (1.0 - self.p));
        let mask: Vec<R> = (0..input.data.len())
            .map(|_| if unit(rng) < self.p { R::ZERO } else { keep })
            .collect();
        for (v, m) in input.data.iter_mut().zip(&mask) {
            *v *= *m;
        }
        let mask = Matrix::from_vec(input.rows, input.cols, mask);
        (input, Some(mask))
    }

    fn backward(
        &self,
        saved: Option<&Matrix<R>>,
        mut grad_output: Matrix<R>,
        _grads: &mut [R],
        _need_input_grad: bool,
    ) -> Matrix<R> {
        if let Some(mask) = saved {
            for (g, m) in grad_output.data.iter_mut().zip(&mask.data) {
                *g *= *m;
            }
        }
        grad_output
    }

    fn describe(&self) -> String {
        format!("Dropout(p={})", self.p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::classifier::random::stream;

    #[test]
    fn identity_in_eval_and_scaled_mask_in_training() {
        let layer = Dropout { p: 0.25 };
        let x = Matrix::from_vec(100, 40, vec![1.0f64; 4000]);
        let mut rng = stream(0, &[]);
        let (eval, saved) = Layer::<f64>::forward(&layer, x.clone(), Mode::Eval, &mut rng);
        assert_eq!(eval, x);
        assert!(saved.is_none());
        let (train, mask) = Layer::<f64>::forward(&layer, x, Mode::Train, &mut rng);
        let dropped = train.data.iter().filter(|v| **v == 0.0).count();
        assert!((800..1200).contains(&dropped), "{dropped}");
        assert!(train
            .data
            .iter()
            .all(|v| *v == 0.0 || (*v - 1.0 / 0.75).abs() < 1e-12));
        // The expected value is kept.
        let mean = train.data.iter().sum::<f64>() / 4000.0;
        assert!((mean - 1.0).abs() < 0.05);
        let grad = Layer::<f64>::backward(
            &layer,
            mask.as_ref(),
            Matrix::from_vec(100, 40, vec![1.0; 4000]),
            &mut [],
            true,
        );
        assert_eq!(grad, train);
    }
}
