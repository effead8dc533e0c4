//! Rectified linear unit: `max(0, x)`, element-wise.

use serde::{Deserialize, Serialize};

use super::{Layer, Matrix, Mode, Real};
use crate::engine::classifier::random::Stream;

#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Relu;

/// `v > 0`, false for NaN (so a NaN activation is zeroed rather than propagated).
#[inline(always)]
fn is_positive<R: Real>(v: R) -> bool {
    v.partial_cmp(&R::ZERO) == Some(std::cmp::Ordering::Greater)
}

impl<R: Real> Layer<R> for Relu {
    fn forward(
        &self,
        mut input: Matrix<R>,
        mode: Mode,
        _rng: &mut Stream,
    ) -> (Matrix<R>, Option<Matrix<R>>) {
        for v in input.data.iter_mut() {
            if !is_positive(*v) {
                *v = R::ZERO;
            }
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
        if let Some(output) = saved {
            for (g, o) in grad_output.data.iter_mut().zip(&output.data) {
                if !is_positive(*o) {
                    *g = R::ZERO;
                }
            }
        }
        grad_output
    }

    fn describe(&self) -> String {
        "ReLU".into()
    }
}
