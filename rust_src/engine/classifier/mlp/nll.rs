//! Negative log-likelihood of log-probabilities: `loss = -scale * sum_i logp[i, y_i]`.
//! With `scale = 1 / batch size` and a [`LogSoftmax`](super::log_softmax::LogSoftmax) before
//! it, this is the cross-entropy of the softmax.

use super::{Matrix, Real};

/// The loss (unscaled sum, in `f64`) and its gradient with respect to `log_probs` (scaled).
pub fn nll<R: Real>(log_probs: &Matrix<R>, targets: &[i64], scale: R) -> (f64, Matrix<R>) {
    let mut grad = Matrix::zeros(log_probs.rows, log_probs.cols);
    let mut total = 0.0;
    for (i, &t) in targets.iter().enumerate().take(log_probs.rows) {
        let t = t as usize;
        total -= log_probs.row(i)[t].to_f64();
        grad.row_mut(i)[t] = -scale;
    }
    (total, grad)
}
