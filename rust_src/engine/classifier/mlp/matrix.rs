//! A dense row-major matrix owned by the network (activations and gradients of a batch).

use super::Real;

#[derive(Clone, Debug, PartialEq)]
pub struct Matrix<R> {
    pub rows: usize,
    pub cols: usize,
    pub data: Vec<R>,
}

impl<R: Real> Matrix<R> {
    pub fn zeros(rows: usize, cols: usize) -> Self {
        Self {
            rows,
            cols,
            data: vec![R::ZERO; rows * cols],
        }
    }

    pub fn from_vec(rows: usize, cols: usize, data: Vec<R>) -> Self {
        debug_assert_eq!(data.len(), rows * cols);
        Self { rows, cols, data }
    }

    #[inline]
    pub fn row(&self, i: usize) -> &[R] {
        &self.data[i * self.cols..(i + 1) * self.cols]
    }

    #[inline]
    pub fn row_mut(&mut self, i: usize) -> &mut [R] {
        &mut self.data[i * self.cols..(i + 1) * self.cols]
    }
}
