//! Feature standardisation learned from the training data: `(x - mean) / std` per feature.
//!
//! `fit` learns mean and variance from all rows at once; `partial_fit` merges each batch
//! into the running moments (Chan et al.'s pairwise update), so the scaling of an online
//! model follows the data seen so far. A feature whose standard deviation is (numerically)
//! zero is only centred.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::data::{Element, Rows};

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Standardizer {
    count: f64,
    mean: Vec<f64>,
    /// Sum of squared deviations from the mean.
    m2: Vec<f64>,
    /// `1 / std`, or 1 where the standard deviation is numerically zero.
    inv_scale: Vec<f64>,
}

impl Standardizer {
    pub fn new(n_features: usize) -> Self {
        Self {
            count: 0.0,
            mean: vec![0.0; n_features],
            m2: vec![0.0; n_features],
            inv_scale: vec![1.0; n_features],
        }
    }

    pub fn mean(&self) -> &[f64] {
        &self.mean
    }

    pub fn inv_scale(&self) -> &[f64] {
        &self.inv_scale
    }

    pub fn n_features(&self) -> usize {
        self.mean.len()
    }

    /// Merges the moments of `x` into the running moments.
    pub fn update<T: Element>(&mut self, x: Rows<'_, T>) {
        let d = x.cols();
        if x.rows() == 0 || d != self.mean.len() {
            return;
        }
        // Two passes over the batch (mean, then squared deviations), in fixed row blocks
        // merged in order: exact enough and independent of the thread count.
        const BLOCK: usize = 4096;
        let blocks: Vec<(f64, Vec<f64>, Vec<f64>)> = (0..x.rows().div_ceil(BLOCK))
            .into_par_iter()
            .map(|b| {
                let rows = x.slice(b * BLOCK, ((b + 1) * BLOCK).min(x.rows()));
                let n = rows.rows() as f64;
                let mut mean = vec![0.0; d];
                for i in 0..rows.rows() {
                    for (m, v) in mean.iter_mut().zip(rows.row(i)) {
                        *m += v.to_f64();
                    }
                }
                mean.iter_mut().for_each(|m| *m /= n);
                let mut m2 = vec![0.0; d];
                for i in 0..rows.rows() {
                    for ((s, v), m) in m2.iter_mut().zip(rows.row(i)).zip(&mean) {
                        let dev = v.to_f64() - m;
                        *s += dev * dev;
                    }
                }
                (n, mean, m2)
            })
            .collect();
        for (n, mean, m2) in blocks {
            self.merge(n, &mean, &m2);
        }
        self.refresh_scale();
    }

    fn merge(&mut self, n: f64, mean: &[f64], m2: &[f64]) {
        let total = self.count + n;
        for j in 0..self.mean.len() {
            let delta = mean[j] - self.mean[j];
            self.mean[j] += delta * n / total;
            self.m2[j] += m2[j] + delta * delta * self.count * n / total;
        }
        self.count = total;
    }

    fn refresh_scale(&mut self) {
        for j in 0..self.mean.len() {
            let std = (self.m2[j] / self.count).sqrt();
            // Zero, or rounding noise around a constant feature: centre only.
            let tiny = 1e-12 * self.mean[j].abs().max(1.0);
            self.inv_scale[j] = if std.is_finite() && std > tiny {
                1.0 / std
            } else {
                1.0
            };
        }
    }

    /// Writes the standardised `row` into `out`.
    #[inline(always)]
    pub fn transform_into<T: Element>(&self, row: &[T], out: &mut [f64]) {
        for (((o, v), m), s) in out.iter_mut().zip(row).zip(&self.mean).zip(&self.inv_scale) {
            *o = (v.to_f64() - m) * s;
        }
    }

    /// Checks the invariants a decoded state must satisfy.
    pub fn is_consistent(&self, n_features: usize) -> bool {
        self.mean.len() == n_features
            && self.m2.len() == n_features
            && self.inv_scale.len() == n_features
            && self.count >= 0.0
            && self
                .mean
                .iter()
                .chain(&self.inv_scale)
                .all(|v| v.is_finite())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_and_merged_moments_agree() {
        let data: Vec<f64> = (0..30)
            .map(|i| (i * i % 17) as f64 + 0.5 * i as f64)
            .collect();
        let x = Rows::new(&data, 10, 3).unwrap();
        let mut whole = Standardizer::new(3);
        whole.update(x);
        let mut parts = Standardizer::new(3);
        parts.update(x.slice(0, 4));
        parts.update(x.slice(4, 10));
        for j in 0..3 {
            let col: Vec<f64> = (0..10).map(|i| data[i * 3 + j]).collect();
            let mean = col.iter().sum::<f64>() / 10.0;
            let var = col.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / 10.0;
            for s in [&whole, &parts] {
                assert!((s.mean()[j] - mean).abs() < 1e-12);
                assert!((s.inv_scale()[j] - 1.0 / var.sqrt()).abs() < 1e-12);
            }
        }
        let mut out = [0.0; 3];
        whole.transform_into(x.row(0), &mut out);
        assert!((out[0] - (data[0] - whole.mean()[0]) * whole.inv_scale()[0]).abs() < 1e-15);
    }

    #[test]
    fn constant_feature_is_only_centred() {
        let data = [5.0f32, 1.0, 5.0, 2.0, 5.0, 3.0];
        let mut s = Standardizer::new(2);
        s.update(Rows::new(&data, 3, 2).unwrap());
        assert_eq!(s.inv_scale()[0], 1.0);
        assert_eq!(s.mean()[0], 5.0);
        assert!(s.is_consistent(2));
        assert!(!s.is_consistent(3));
    }
}
