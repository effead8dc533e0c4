//! A linear head — logistic (one weight row, sigmoid) or multinomial (one row per class,
//! softmax) — and the SGD update of one sample.
//!
//! Weights live in the space of the features the head is fed (standardised when the
//! classifier standardises). One update on sample `(x, y)` with rate `eta`:
//!
//! ```text
//! g_c   = d loss / d z_c           (p_c - [c = y] for softmax, -y' sigmoid(-y' z) for sigmoid, y' = ±1)
//! w_c  <- (1 - eta l2) w_c - eta g_c x     then the cumulative L1 step when l1 > 0
//! b_c  <- b_c - eta g_c
//! ```
//!
//! With averaging (ASGD), `avg <- avg + (w - avg) / t` after every update, and predictions use
//! the averages.

use serde::{Deserialize, Serialize};

use super::data::{Element, Rows};
use super::error::ClassifierError;
use super::penalty::{apply_cumulative_l1, Penalty};
use super::schedule::Schedule;
use super::softmax::{sigmoid, softmax_in_place, softplus};
use super::standardizer::Standardizer;
use super::stopping::NoImprovement;

/// How a head turns scores into a loss.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Link {
    /// One row; class `positive` against all others.
    Sigmoid { positive: usize },
    /// One row per class.
    Softmax,
}

/// Settings shared by all heads of a classifier.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct StepSettings {
    pub schedule: Schedule,
    pub penalty: Penalty,
    pub fit_intercept: bool,
    pub average: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Head {
    pub link: Link,
    pub rows: usize,
    pub cols: usize,
    pub weights: Vec<f64>,
    pub intercept: Vec<f64>,
    pub(super) l1_received: Vec<f64>,
    pub(super) l1_total: f64,
    pub(super) avg_weights: Vec<f64>,
    avg_intercept: Vec<f64>,
    /// Updates made so far (`t` of the schedules).
    pub updates: f64,
    /// Current rate of the adaptive schedule.
    pub eta: f64,
    pub stopping: NoImprovement,
    pub stopped: bool,
    pub epochs: u64,
}

/// Dot product with sixteen independent sums (vectorises, with enough independent chains to
/// hide the latency of the additions; the order is fixed, so the result
/// does not depend on the machine's vector width).
#[inline(always)]
pub fn dot<T: Element>(w: &[f64], x: &[T]) -> f64 {
    let mut acc = [0.0f64; 16];
    let (wc, xc) = (w.chunks_exact(16), x.chunks_exact(16));
    let (wr, xr) = (wc.remainder(), xc.remainder());
    for (a, b) in wc.zip(xc) {
        for l in 0..16 {
            acc[l] += a[l] * b[l].to_f64();
        }
    }
    let mut tail = 0.0;
    for (a, b) in wr.iter().zip(xr) {
        tail += a * b.to_f64();
    }
    let mut half = [0.0f64; 8];
    for l in 0..8 {
        half[l] = acc[l] + acc[l + 8];
    }
    ((half[0] + half[4]) + (half[1] + half[5])) + ((half[2] + half[6]) + (half[3] + half[7])) + tail
}

impl Head {
    pub fn new(
        link: Link,
        n_classes: usize,
        cols: usize,
        settings: &StepSettings,
        tol: Option<f64>,
        patience: u32,
    ) -> Self {
        let rows = match link {
            Link::Sigmoid { .. } => 1,
            Link::Softmax => n_classes,
        };
        let l1 = settings.penalty.l1() > 0.0;
        Self {
            link,
            rows,
            cols,
            weights: vec![0.0; rows * cols],
            intercept: vec![0.0; rows],
            l1_received: if l1 {
                vec![0.0; rows * cols]
            } else {
                Vec::new()
            },
            l1_total: 0.0,
            avg_weights: if settings.average {
                vec![0.0; rows * cols]
            } else {
                Vec::new()
            },
            avg_intercept: if settings.average {
                vec![0.0; rows]
            } else {
                Vec::new()
            },
            updates: 0.0,
            eta: settings.schedule.eta0,
            stopping: NoImprovement::new(tol, patience),
            stopped: false,
            epochs: 0,
        }
    }

    /// The weights and intercepts predictions use (the averages under ASGD).
    pub fn prediction_parameters(&self) -> (&[f64], &[f64]) {
        if self.avg_weights.is_empty() {
            (&self.weights, &self.intercept)
        } else {
            (&self.avg_weights, &self.avg_intercept)
        }
    }

    /// One pass over the rows of `x` in `order`; returns the mean loss before each update.
    ///
    /// On x86-64 CPUs with AVX2 the same code is compiled for 256-bit vectors and chosen at
    /// run time. Rust never fuses a multiply and an add on its own (no FMA contraction), every
    /// operation is element-wise or summed in a fixed order, so both versions give the same
    /// bits.
    pub fn epoch<T: Element>(
        &mut self,
        x: Rows<'_, T>,
        y: &[i64],
        order: &[usize],
        scaler: Option<&Standardizer>,
        settings: &StepSettings,
    ) -> Result<f64, ClassifierError> {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2 (checked just above).
            return unsafe { self.epoch_avx2(x, y, order, scaler, settings) };
        }
        self.epoch_portable(x, y, order, scaler, settings)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn epoch_avx2<T: Element>(
        &mut self,
        x: Rows<'_, T>,
        y: &[i64],
        order: &[usize],
        scaler: Option<&Standardizer>,
        settings: &StepSettings,
    ) -> Result<f64, ClassifierError> {
        self.epoch_portable(x, y, order, scaler, settings)
    }

    #[inline(always)]
    fn epoch_portable<T: Element>(
        &mut self,
        x: Rows<'_, T>,
        y: &[i64],
        order: &[usize],
        scaler: Option<&Standardizer>,
        settings: &StepSettings,
    ) -> Result<f64, ClassifierError> {
        let mut features = vec![0.0f64; self.cols];
        let mut grad = vec![0.0f64; self.rows];
        let mut total_loss = 0.0;
        let (l2, l1) = (settings.penalty.l2(), settings.penalty.l1());
        /// Rows ahead of the current one whose loading starts now.
        const PREFETCH_DISTANCE: usize = 4;
        for (position, &i) in order.iter().enumerate() {
            if let Some(&ahead) = order.get(position + PREFETCH_DISTANCE) {
                x.prefetch_row(ahead);
            }
            let row = x.row(i);
            match scaler {
                Some(s) => s.transform_into(row, &mut features),
                None => features
                    .iter_mut()
                    .zip(row)
                    .for_each(|(f, v)| *f = v.to_f64()),
            }
            let label = y[i] as usize;
            total_loss += self.gradient(&features, label, &mut grad);
            self.updates += 1.0;
            let eta = settings.schedule.eta(self.updates, self.eta);
            let decay = (1.0 - eta * l2).max(0.0);
            if l1 > 0.0 {
                self.l1_total += eta * l1;
            }
            let rate = 1.0 / self.updates;
            for (c, &g) in grad.iter().enumerate() {
                let step = eta * g;
                let span = c * self.cols..(c + 1) * self.cols;
                let w = &mut self.weights[span.clone()];
                if settings.average && l1 == 0.0 {
                    // One pass for the step and the running average (the common case).
                    let avg = &mut self.avg_weights[span];
                    for ((wj, aj), fj) in w.iter_mut().zip(avg.iter_mut()).zip(&features) {
                        *wj = *wj * decay - step * fj;
                        *aj += (*wj - *aj) * rate;
                    }
                } else {
                    for (wj, fj) in w.iter_mut().zip(&features) {
                        *wj = *wj * decay - step * fj;
                    }
                    if l1 > 0.0 {
                        let q = &mut self.l1_received[span.clone()];
                        for (wj, qj) in w.iter_mut().zip(q.iter_mut()) {
                            apply_cumulative_l1(wj, qj, self.l1_total);
                        }
                    }
                    if settings.average {
                        let avg = &mut self.avg_weights[span];
                        for (aj, wj) in avg.iter_mut().zip(w.iter()) {
                            *aj += (*wj - *aj) * rate;
                        }
                    }
                }
                if settings.fit_intercept {
                    self.intercept[c] -= step;
                }
                if settings.average {
                    self.avg_intercept[c] += (self.intercept[c] - self.avg_intercept[c]) * rate;
                }
            }
        }
        let mean_loss = total_loss / order.len().max(1) as f64;
        if !mean_loss.is_finite()
            || !self
                .weights
                .iter()
                .chain(&self.intercept)
                .all(|w| w.is_finite())
        {
            return Err(ClassifierError::Diverged(format!(
                "non-finite loss or weights after {} updates",
                self.updates
            )));
        }
        Ok(mean_loss)
    }

    /// Writes `d loss / d z` into `grad`; returns the loss of this sample.
    #[inline(always)]
    fn gradient(&self, features: &[f64], label: usize, grad: &mut [f64]) -> f64 {
        match self.link {
            Link::Sigmoid { positive } => {
                let z = dot(&self.weights, features) + self.intercept[0];
                let sign = if label == positive { 1.0 } else { -1.0 };
                grad[0] = -sign * sigmoid(-sign * z);
                softplus(-sign * z)
            }
            Link::Softmax => {
                let rows = self.weights.chunks_exact(self.cols).zip(&self.intercept);
                for (g, (w, b)) in grad.iter_mut().zip(rows) {
                    *g = dot(w, features) + b;
                }
                let z_label = grad[label];
                let log_sum_exp = softmax_in_place(grad);
                grad[label] -= 1.0;
                log_sum_exp - z_label
            }
        }
    }

    /// Checks a decoded head against `like`, a new head with the same settings: the same link
    /// and buffer sizes, finite parameters (what training checks: the L1 bookkeeping may
    /// overflow under extreme settings while the weights stay finite) and a valid schedule
    /// state.
    pub fn is_consistent_with(&self, like: &Head) -> bool {
        let same_shape = self.link == like.link
            && self.rows == like.rows
            && self.cols == like.cols
            && self.weights.len() == like.weights.len()
            && self.intercept.len() == like.intercept.len()
            && self.l1_received.len() == like.l1_received.len()
            && self.avg_weights.len() == like.avg_weights.len()
            && self.avg_intercept.len() == like.avg_intercept.len();
        let finite = self
            .weights
            .iter()
            .chain(&self.intercept)
            .chain(&self.avg_weights)
            .chain(&self.avg_intercept)
            .all(|v| v.is_finite());
        same_shape
            && finite
            && self.updates >= 0.0
            && self.updates.is_finite()
            && self.eta >= 0.0 // 0 under the optimal schedule, which ignores it
            && self.eta.is_finite()
    }
}

#[cfg(test)]
mod tests {
    use super::super::schedule::LearningRate;
    use super::*;

    fn settings(alpha: f64, l1_ratio: f64) -> StepSettings {
        StepSettings {
            schedule: Schedule::new(LearningRate::Constant, 0.1, 0.5, alpha).unwrap(),
            penalty: Penalty::new(alpha, l1_ratio).unwrap(),
            fit_intercept: true,
            average: false,
        }
    }

    /// The loss of `head` on one sample, as a function of its parameters (for finite differences).
    fn loss_at(head: &Head, features: &[f64], label: usize) -> f64 {
        let mut grad = vec![0.0; head.rows];
        head.gradient(features, label, &mut grad)
    }

    #[test]
    fn gradients_match_finite_differences() {
        let features = [0.5, -1.25, 2.0, 0.1, -0.3, 0.7, 1.1, -0.9, 0.05];
        for link in [Link::Softmax, Link::Sigmoid { positive: 1 }] {
            let mut head = Head::new(link, 3, features.len(), &settings(0.0, 0.0), None, 5);
            for (i, w) in head.weights.iter_mut().enumerate() {
                *w = ((i * 7 % 11) as f64 - 5.0) / 10.0;
            }
            head.intercept
                .iter_mut()
                .enumerate()
                .for_each(|(c, b)| *b = 0.1 * c as f64);
            for label in 0..3 {
                let mut grad = vec![0.0; head.rows];
                head.gradient(&features, label, &mut grad);
                // d loss / d w_cj = g_c x_j, checked by central differences.
                for (c, &g) in grad.iter().enumerate() {
                    for j in [0, 4, 8] {
                        let h = 1e-6;
                        let mut plus = head.clone();
                        plus.weights[c * head.cols + j] += h;
                        let mut minus = head.clone();
                        minus.weights[c * head.cols + j] -= h;
                        let numeric = (loss_at(&plus, &features, label)
                            - loss_at(&minus, &features, label))
                            / (2.0 * h);
                        assert!((numeric - g * features[j]).abs() < 1e-7, "{link:?} {c} {j}");
                    }
                    let h = 1e-6;
                    let mut plus = head.clone();
                    plus.intercept[c] += h;
                    let mut minus = head.clone();
                    minus.intercept[c] -= h;
                    let numeric = (loss_at(&plus, &features, label)
                        - loss_at(&minus, &features, label))
                        / (2.0 * h);
                    assert!((numeric - g).abs() < 1e-7);
                }
            }
        }
    }

    #[test]
    fn an_epoch_reduces_the_loss_and_l1_makes_zeros() {
        // Two informative features and four noise features.
        let n = 400;
        let mut data = Vec::new();
        let mut y = Vec::new();
        for i in 0..n {
            let a = ((i * 37) % 101) as f64 / 50.0 - 1.0;
            let b = ((i * 53) % 97) as f64 / 48.0 - 1.0;
            let noise: Vec<f64> = (0..4)
                .map(|k| (((i + 13 * k) * 71 % 89) as f64 / 44.0 - 1.0) * 0.1)
                .collect();
            data.extend([a, b]);
            data.extend(noise);
            y.push(i64::from(a + b > 0.0));
        }
        let x = Rows::new(&data, n, 6).unwrap();
        let order: Vec<usize> = (0..n).collect();
        let s = settings(0.01, 1.0);
        let mut head = Head::new(Link::Sigmoid { positive: 1 }, 2, 6, &s, None, 5);
        let first = head.epoch(x, &y, &order, None, &s).unwrap();
        let mut last = first;
        for _ in 0..20 {
            last = head.epoch(x, &y, &order, None, &s).unwrap();
        }
        assert!(last < first * 0.8, "{first} {last}");
        assert!(head.weights[0] > 0.5 && head.weights[1] > 0.5);
        assert_eq!(
            &head.weights[2..],
            &[0.0; 4],
            "noise weights should be exactly zero"
        );
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn avx2_and_portable_epochs_give_the_same_bits() {
        if !std::arch::is_x86_feature_detected!("avx2") {
            return;
        }
        let (n, d) = (500, 37);
        let mut rng = super::super::random::stream(4, &[]);
        let data: Vec<f32> = (0..n * d)
            .map(|_| (super::super::random::unit(&mut rng) * 6.0 - 3.0) as f32)
            .collect();
        let y: Vec<i64> = (0..n).map(|i| (i % 4) as i64).collect();
        let x = Rows::new(&data, n, d).unwrap();
        let order: Vec<usize> = (0..n).rev().collect();
        let mut scaler = Standardizer::new(d);
        scaler.update(x);
        for (link, l1_ratio, average) in [
            (Link::Softmax, 0.0, false),
            (Link::Softmax, 0.5, true),
            (Link::Sigmoid { positive: 2 }, 1.0, true),
        ] {
            let mut s = settings(0.01, l1_ratio);
            s.average = average;
            let mut portable = Head::new(link, 4, d, &s, None, 5);
            let mut wide = portable.clone();
            for _ in 0..3 {
                let a = portable
                    .epoch_portable(x, &y, &order, Some(&scaler), &s)
                    .unwrap();
                // SAFETY: AVX2 was detected above.
                let b = unsafe { wide.epoch_avx2(x, &y, &order, Some(&scaler), &s) }.unwrap();
                assert_eq!(a.to_bits(), b.to_bits());
            }
            assert_eq!(portable, wide);
        }
    }

    #[test]
    fn dot_matches_naive_sum() {
        let w: Vec<f64> = (0..19).map(|i| i as f64 * 0.25).collect();
        let x: Vec<f32> = (0..19).map(|i| 1.0 - i as f32 * 0.5).collect();
        let naive: f64 = w.iter().zip(&x).map(|(a, b)| a * f64::from(*b)).sum();
        assert!((dot(&w, &x) - naive).abs() < 1e-12);
    }
}
