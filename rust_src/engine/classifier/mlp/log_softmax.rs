//! Row-wise log-softmax: `y_i = x_i - log(sum_j exp(x_j))`. Its output is log-probabilities;
//! the gradient is `dx = dy - softmax(x) * sum(dy)`.

use serde::{Deserialize, Serialize};

use super::{Layer, Matrix, Mode, Real};
use crate::engine::classifier::random::Stream;

#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LogSoftmax;

impl<R: Real> Layer<R> for LogSoftmax {
    fn forward(
        &self,
        mut input: Matrix<R>,
        mode: Mode,
        _rng: &mut Stream,
    ) -> (Matrix<R>, Option<Matrix<R>>) {
        for i in 0..input.rows {
            let row = input.row_mut(i);
            let max = row
                .iter()
                .copied()
                .fold(row[0], |m, v| if v > m { v } else { m });
            let mut sum = R::ZERO;
            for v in row.iter() {
                sum += (*v - max).exp();
            }
            let log_sum = max + sum.ln();
            row.iter_mut().for_each(|v| *v -= log_sum);
        }
        let saved = (mode == Mode::Train).then(|| input.clone());
        (input, saved)
    }

    fn backward(
        &self,
        saved: Option<&Matrix<R>>,
        mut grad_output: Matrix<R>,
        _grads: &mut [R],
        _need_input_grad: bool,
    ) -> Matrix<R> {
        let Some(output) = saved else {
            return grad_output;
        };
        for i in 0..grad_output.rows {
            let mut total = R::ZERO;
            for g in grad_output.row(i) {
                total += *g;
            }
            let log_p = output.row(i);
            for (g, lp) in grad_output.row_mut(i).iter_mut().zip(log_p) {
                *g -= lp.exp() * total;
            }
        }
        grad_output
    }

    fn describe(&self) -> String {
        "LogSoftmax".into()
    }
}
