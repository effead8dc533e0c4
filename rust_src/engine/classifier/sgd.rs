//! Logistic regression trained by stochastic gradient descent, multinomial or one-vs-rest.
//!
//! * Two classes: one sigmoid head (class 1 against class 0), whatever the mode.
//! * `Multinomial`: one softmax head with a row per class; its updates are sequential, so it
//!   trains on one thread.
//! * `OneVsRest`: one sigmoid head per class, trained in parallel (one rayon task per class);
//!   each head has its own counters and stopping, and all read the same shuffled orders.
//!
//! `fit` learns the feature scaling from all of `x` (when `standardize`), then runs up to
//! `max_iter` epochs; a head stops when its mean training loss has not improved by `tol` for
//! `n_iter_no_change` epochs (the adaptive schedule first divides its rate by 5, until it is
//! below 1e-6). `partial_fit` merges `x` into the scaling and runs one epoch; it never stops
//! early. Epoch `e` of the model's life (counting epochs of all calls) is shuffled by the
//! stream `(seed, SHUFFLE, e)`, so results depend on the seed and the data only.
//!
//! A call that fails (bad input, divergence) leaves the model as it was.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::data::{check_labels, Element, Rows};
use super::error::{invalid, ClassifierError};
use super::linear::{dot, Head, Link, StepSettings};
use super::penalty::Penalty;
use super::random::epoch_order;
use super::schedule::{LearningRate, Schedule};
use super::softmax::{sigmoid, softmax_in_place};
use super::standardizer::Standardizer;
use super::stopping::NoImprovement;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MultiClass {
    Multinomial,
    OneVsRest,
}

impl MultiClass {
    pub fn parse(name: &str) -> Result<Self, ClassifierError> {
        match name {
            "multinomial" => Ok(Self::Multinomial),
            "ovr" => Ok(Self::OneVsRest),
            other => Err(invalid(format!(
                "multi_class must be 'multinomial' or 'ovr', got {other:?}"
            ))),
        }
    }
}

/// Everything that defines an SGD classifier before it sees data.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SgdSettings {
    pub n_classes: usize,
    pub n_features: usize,
    pub multi_class: MultiClass,
    /// Strength of the penalty, and the scale of the `Optimal` learning rate.
    pub alpha: f64,
    pub l1_ratio: f64,
    /// False: no penalty at all (`alpha` then only sets the `Optimal` rate, as scikit-learn's
    /// `penalty=None`).
    pub penalize: bool,
    pub fit_intercept: bool,
    pub learning_rate: LearningRate,
    pub eta0: f64,
    pub power_t: f64,
    pub shuffle: bool,
    pub seed: u64,
    pub standardize: bool,
    pub average: bool,
    pub tol: Option<f64>,
    pub n_iter_no_change: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SgdClassifier {
    settings: SgdSettings,
    step: StepSettings,
    heads: Vec<Head>,
    scaler: Option<Standardizer>,
    /// Epochs run over the model's life (selects the shuffling stream).
    epochs: u64,
}

/// What a `fit` did.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FitReport {
    /// Epochs of the head that ran longest.
    pub n_iter: u64,
    /// Mean training loss of the last epoch (averaged over heads).
    pub loss: f64,
}

impl SgdClassifier {
    pub fn new(settings: SgdSettings) -> Result<Self, ClassifierError> {
        if settings.n_classes < 2 {
            return Err(invalid(format!(
                "the classifier needs samples of at least 2 classes, got {}",
                settings.n_classes
            )));
        }
        if settings.n_features == 0 {
            return Err(invalid("X must have at least one feature"));
        }
        if let Some(tol) = settings.tol {
            if !tol.is_finite() {
                return Err(invalid(format!("tol must be finite or None, got {tol}")));
            }
        }
        if settings.n_iter_no_change == 0 {
            return Err(invalid("n_iter_no_change must be >= 1"));
        }
        let penalty = Penalty::new(settings.alpha, settings.l1_ratio)?;
        let penalty = if settings.penalize {
            penalty
        } else {
            Penalty::new(0.0, 0.0)?
        };
        let schedule = Schedule::new(
            settings.learning_rate,
            settings.eta0,
            settings.power_t,
            settings.alpha,
        )?;
        let step = StepSettings {
            schedule,
            penalty,
            fit_intercept: settings.fit_intercept,
            average: settings.average,
        };
        let (k, d) = (settings.n_classes, settings.n_features);
        let links: Vec<Link> = if k == 2 {
            vec![Link::Sigmoid { positive: 1 }]
        } else if settings.multi_class == MultiClass::Multinomial {
            vec![Link::Softmax]
        } else {
            (0..k).map(|c| Link::Sigmoid { positive: c }).collect()
        };
        let heads = links
            .into_iter()
            .map(|link| Head::new(link, k, d, &step, settings.tol, settings.n_iter_no_change))
            .collect();
        let scaler = settings.standardize.then(|| Standardizer::new(d));
        Ok(Self {
            settings,
            step,
            heads,
            scaler,
            epochs: 0,
        })
    }

    pub fn settings(&self) -> &SgdSettings {
        &self.settings
    }

    /// Rows of `coefficients()`: 1 for two classes, else the number of classes.
    pub fn n_outputs(&self) -> usize {
        self.heads.iter().map(|h| h.rows).sum()
    }

    /// Updates made by the first head (`t_` of scikit-learn).
    pub fn updates(&self) -> f64 {
        self.heads.first().map_or(0.0, |h| h.updates)
    }

    fn check_input<T: Element>(&self, x: &Rows<'_, T>) -> Result<(), ClassifierError> {
        if x.cols() != self.settings.n_features {
            return Err(invalid(format!(
                "X has {} features, but SGDClassifier is expecting {} features as input",
                x.cols(),
                self.settings.n_features
            )));
        }
        x.check_finite()
    }

    /// Trains for up to `max_iter` epochs with tolerance stopping (see the module docs).
    pub fn fit<T: Element>(
        &mut self,
        x: Rows<'_, T>,
        y: &[i64],
        max_iter: u64,
    ) -> Result<FitReport, ClassifierError> {
        self.check_input(&x)?;
        check_labels(y, x.rows(), self.settings.n_classes)?;
        if x.rows() == 0 {
            return Err(invalid("X has 0 samples; at least one is required"));
        }
        if max_iter == 0 {
            return Err(invalid("max_iter must be >= 1"));
        }
        let mut next = self.clone();
        if let Some(scaler) = next.scaler.as_mut() {
            scaler.update(x);
        }
        let (settings, step, scaler, first_epoch) = (
            &next.settings,
            &next.step,
            next.scaler.as_ref(),
            next.epochs,
        );
        let run_head = |head: &mut Head| -> Result<f64, ClassifierError> {
            let mut loss = f64::NAN;
            for e in 0..max_iter {
                if head.stopped {
                    break;
                }
                let order = epoch_order(x.rows(), settings.shuffle, settings.seed, first_epoch + e);
                loss = head.epoch(x, y, &order, scaler, step)?;
                head.epochs += 1;
                if head.stopping.record(loss) {
                    if step.schedule.kind == LearningRate::Adaptive && head.eta > 1e-6 {
                        head.eta /= 5.0;
                        head.stopping.reset_count();
                    } else {
                        head.stopped = true;
                    }
                }
            }
            Ok(loss)
        };
        let losses: Vec<Result<f64, ClassifierError>> = if next.heads.len() == 1 {
            vec![run_head(&mut next.heads[0])]
        } else {
            next.heads.par_iter_mut().map(run_head).collect()
        };
        let mut total = 0.0;
        for loss in &losses {
            total += loss.clone()?;
        }
        let n_iter = next.heads.iter().map(|h| h.epochs).max().unwrap_or(0)
            - self.heads.iter().map(|h| h.epochs).max().unwrap_or(0);
        next.epochs += n_iter;
        *self = next;
        Ok(FitReport {
            n_iter,
            loss: total / losses.len() as f64,
        })
    }

    /// One epoch over `x` (see the module docs); returns the mean training loss.
    pub fn partial_fit<T: Element>(
        &mut self,
        x: Rows<'_, T>,
        y: &[i64],
    ) -> Result<f64, ClassifierError> {
        self.check_input(&x)?;
        check_labels(y, x.rows(), self.settings.n_classes)?;
        if x.rows() == 0 {
            return Err(invalid("X has 0 samples; at least one is required"));
        }
        let mut next = self.clone();
        if let Some(scaler) = next.scaler.as_mut() {
            scaler.update(x);
        }
        let order = epoch_order(
            x.rows(),
            next.settings.shuffle,
            next.settings.seed,
            next.epochs,
        );
        let (step, scaler) = (&next.step, next.scaler.as_ref());
        let losses: Vec<Result<f64, ClassifierError>> = if next.heads.len() == 1 {
            vec![next.heads[0].epoch(x, y, &order, scaler, step)]
        } else {
            next.heads
                .par_iter_mut()
                .map(|head| head.epoch(x, y, &order, scaler, step))
                .collect()
        };
        let mut total = 0.0;
        for loss in &losses {
            total += loss.clone()?;
        }
        next.heads.iter_mut().for_each(|h| h.epochs += 1);
        next.epochs += 1;
        *self = next;
        Ok(total / losses.len() as f64)
    }

    /// Weights (`n_outputs × n_features`, row-major) and intercepts in the space of the raw
    /// features: `decision = x · W^T + b` holds for unscaled `x`.
    pub fn coefficients(&self) -> (Vec<f64>, Vec<f64>) {
        let d = self.settings.n_features;
        let mut weights = Vec::with_capacity(self.n_outputs() * d);
        let mut intercepts = Vec::with_capacity(self.n_outputs());
        for head in &self.heads {
            let (w, b) = head.prediction_parameters();
            for r in 0..head.rows {
                let row = &w[r * d..(r + 1) * d];
                match &self.scaler {
                    Some(s) => {
                        let mut shift = 0.0;
                        for ((w, k), m) in row.iter().zip(s.inv_scale()).zip(s.mean()) {
                            shift += w * k * m;
                            weights.push(w * k);
                        }
                        intercepts.push(b[r] - shift);
                    }
                    None => {
                        weights.extend_from_slice(row);
                        intercepts.push(b[r]);
                    }
                }
            }
        }
        (weights, intercepts)
    }

    /// Scores (`rows × n_outputs`, row-major): the logit of class 1 for two classes, else one
    /// score per class.
    pub fn decision_function<T: Element>(
        &self,
        x: Rows<'_, T>,
    ) -> Result<Vec<f64>, ClassifierError> {
        self.check_input(&x)?;
        let (weights, intercepts) = self.coefficients();
        let (k, d) = (intercepts.len(), self.settings.n_features);
        let mut out = vec![0.0; x.rows() * k];
        const BLOCK: usize = 512;
        out.par_chunks_mut(BLOCK * k)
            .enumerate()
            .for_each(|(b, block)| {
                for (r, scores) in block.chunks_exact_mut(k).enumerate() {
                    let row = x.row(b * BLOCK + r);
                    for (c, s) in scores.iter_mut().enumerate() {
                        *s = dot(&weights[c * d..(c + 1) * d], row) + intercepts[c];
                    }
                }
            });
        Ok(out)
    }

    /// Class probabilities (`rows × n_classes`): softmax of the scores (multinomial), the
    /// sigmoid and its complement (two classes), or the normalised sigmoids (one-vs-rest,
    /// as scikit-learn).
    pub fn predict_proba<T: Element>(&self, x: Rows<'_, T>) -> Result<Vec<f64>, ClassifierError> {
        let scores = self.decision_function(x)?;
        let k = self.settings.n_classes;
        if k == 2 {
            return Ok(scores
                .iter()
                .flat_map(|&z| {
                    let p = sigmoid(z);
                    [1.0 - p, p]
                })
                .collect());
        }
        let mut proba = scores;
        let softmax = matches!(self.heads[0].link, Link::Softmax);
        for row in proba.chunks_exact_mut(k) {
            if softmax {
                softmax_in_place(row);
            } else {
                row.iter_mut().for_each(|z| *z = sigmoid(*z));
                let sum: f64 = row.iter().sum();
                if sum > 0.0 {
                    row.iter_mut().for_each(|p| *p /= sum);
                } else {
                    row.iter_mut().for_each(|p| *p = 1.0 / k as f64);
                }
            }
        }
        Ok(proba)
    }

    /// Checks the invariants a decoded state must satisfy: it must have the structure a new
    /// classifier with its settings has (step settings, heads and their buffers, scaler), so
    /// that no buffer the training loop indexes can be missing or short.
    pub fn is_consistent(&self) -> bool {
        let Ok(fresh) = Self::new(self.settings.clone()) else {
            return false;
        };
        self.step == fresh.step
            && self.heads.len() == fresh.heads.len()
            && self
                .heads
                .iter()
                .zip(&fresh.heads)
                .all(|(head, like)| head.is_consistent_with(like))
            && self.scaler.is_some() == fresh.scaler.is_some()
            && self
                .scaler
                .as_ref()
                .is_none_or(|sc| sc.is_consistent(self.settings.n_features))
    }

    /// The mean training-loss tracker's best value of the first head (for reporting).
    pub fn best_loss(&self) -> f64 {
        self.heads
            .first()
            .map_or(f64::INFINITY, |h| h.stopping.best())
    }
}

/// A tracker with the classifier's stopping settings (for callers that run their own loop).
pub fn stopping_for(settings: &SgdSettings) -> NoImprovement {
    NoImprovement::new(settings.tol, settings.n_iter_no_change)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn settings(k: usize, d: usize, multi_class: MultiClass) -> SgdSettings {
        SgdSettings {
            n_classes: k,
            n_features: d,
            multi_class,
            alpha: 1e-4,
            l1_ratio: 0.0,
            penalize: true,
            fit_intercept: true,
            learning_rate: LearningRate::Optimal,
            eta0: 0.01,
            power_t: 0.5,
            shuffle: true,
            seed: 42,
            standardize: true,
            average: false,
            tol: Some(1e-3),
            n_iter_no_change: 5,
        }
    }

    /// Three Gaussian-ish blobs built from a fixed stream, `f32`.
    pub(crate) fn blobs(n: usize) -> (Vec<f32>, Vec<i64>) {
        let mut rng = super::super::random::stream(0, &[99]);
        let centers = [[3.0, 0.0, 1.0], [-3.0, 1.0, 0.0], [0.0, -3.0, -1.0]];
        let mut x = Vec::new();
        let mut y = Vec::new();
        for i in 0..n {
            let c = i % 3;
            for center in centers[c] {
                let u = super::super::random::unit(&mut rng) + super::super::random::unit(&mut rng)
                    - 1.0;
                x.push((center + 2.0 * u) as f32 * 10.0 + 5.0);
            }
            y.push(c as i64);
        }
        (x, y)
    }

    fn accuracy(model: &SgdClassifier, x: Rows<'_, f32>, y: &[i64]) -> f64 {
        let proba = model.predict_proba(x).unwrap();
        let k = model.settings.n_classes;
        let hits = proba
            .chunks_exact(k)
            .zip(y)
            .filter(|(p, &t)| {
                let best = p
                    .iter()
                    .enumerate()
                    .fold(0, |b, (i, v)| if *v > p[b] { i } else { b });
                best as i64 == t
            })
            .count();
        hits as f64 / y.len() as f64
    }

    #[test]
    fn both_modes_learn_blobs_and_scores_match_coefficients() {
        let (data, y) = blobs(600);
        let x = Rows::new(&data, 600, 3).unwrap();
        for mode in [MultiClass::Multinomial, MultiClass::OneVsRest] {
            let mut model = SgdClassifier::new(settings(3, 3, mode)).unwrap();
            let report = model.fit(x, &y, 50).unwrap();
            assert!(report.n_iter >= 1 && report.n_iter <= 50);
            assert!(accuracy(&model, x, &y) > 0.95, "{mode:?}");
            let proba = model.predict_proba(x).unwrap();
            for row in proba.chunks_exact(3) {
                assert!((row.iter().sum::<f64>() - 1.0).abs() < 1e-12);
            }
            // Coefficients in raw space reproduce the decision function.
            let (w, b) = model.coefficients();
            let scores = model.decision_function(x).unwrap();
            let row = x.row(7);
            for c in 0..3 {
                let z: f64 = (0..3)
                    .map(|j| w[c * 3 + j] * f64::from(row[j]))
                    .sum::<f64>()
                    + b[c];
                assert!((z - scores[7 * 3 + c]).abs() < 1e-9);
            }
        }
    }

    #[test]
    fn bit_identical_whatever_the_thread_count() {
        let (data, y) = blobs(300);
        let x = Rows::new(&data, 300, 3).unwrap();
        let train = |threads: usize, mode: MultiClass| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| {
                let mut model = SgdClassifier::new(settings(3, 3, mode)).unwrap();
                model.fit(x, &y, 7).unwrap();
                model.partial_fit(x.slice(0, 50), &y[..50]).unwrap();
                model
            })
        };
        for mode in [MultiClass::Multinomial, MultiClass::OneVsRest] {
            assert_eq!(train(1, mode), train(4, mode));
        }
        let mut other_seed = settings(3, 3, MultiClass::Multinomial);
        other_seed.seed = 43;
        let mut a = SgdClassifier::new(other_seed).unwrap();
        a.fit(x, &y, 3).unwrap();
        assert_ne!(a, train(2, MultiClass::Multinomial));
    }

    #[test]
    fn failed_calls_change_nothing() {
        let (data, y) = blobs(60);
        let x = Rows::new(&data, 60, 3).unwrap();
        let mut model = SgdClassifier::new(settings(3, 3, MultiClass::Multinomial)).unwrap();
        model.fit(x, &y, 5).unwrap();
        let before = model.clone();
        let mut bad = data.clone();
        bad[5] = f32::NAN;
        assert!(matches!(
            model.partial_fit(Rows::new(&bad, 60, 3).unwrap(), &y),
            Err(ClassifierError::NotFinite { row: 1, column: 2 })
        ));
        let mut bad_y = y.clone();
        bad_y[0] = 3;
        assert!(model.fit(x, &bad_y, 5).is_err());
        assert!(model
            .partial_fit(Rows::new(&data[..40], 20, 2).unwrap(), &y[..20])
            .is_err());
        assert!(model.fit(x, &y[..10], 5).is_err());
        assert_eq!(model, before);
        // Divergence: a huge constant rate on unscaled data.
        let mut wild = settings(3, 3, MultiClass::Multinomial);
        wild.learning_rate = LearningRate::Constant;
        wild.eta0 = 1e306;
        wild.alpha = 0.0;
        wild.standardize = false;
        let mut diverging = SgdClassifier::new(wild).unwrap();
        let untouched = diverging.clone();
        assert!(matches!(
            diverging.fit(x, &y, 5),
            Err(ClassifierError::Diverged(_))
        ));
        assert_eq!(diverging, untouched);
    }

    #[test]
    fn invalid_settings_are_rejected() {
        let base = settings(3, 3, MultiClass::Multinomial);
        let mut s = base.clone();
        s.n_classes = 1;
        assert!(SgdClassifier::new(s).is_err());
        let mut s = base.clone();
        s.alpha = -1.0;
        assert!(SgdClassifier::new(s).is_err());
        let mut s = base.clone();
        s.tol = Some(f64::NAN);
        assert!(SgdClassifier::new(s).is_err());
        let mut s = base.clone();
        s.n_iter_no_change = 0;
        assert!(SgdClassifier::new(s).is_err());
        let mut s = base.clone();
        s.learning_rate = LearningRate::Constant;
        s.eta0 = 0.0;
        assert!(SgdClassifier::new(s).is_err());
        // 'optimal' ignores eta0 but needs it to be a number >= 0 (it could not round-trip).
        for eta0 in [-1.0, f64::NAN, f64::INFINITY] {
            let mut s = base.clone();
            s.learning_rate = LearningRate::Optimal;
            s.eta0 = eta0;
            assert!(SgdClassifier::new(s).is_err(), "{eta0}");
        }
        assert!(MultiClass::parse("softmax").is_err());
    }

    #[test]
    fn adaptive_and_average_train() {
        let (data, y) = blobs(300);
        let x = Rows::new(&data, 300, 3).unwrap();
        let mut s = settings(3, 3, MultiClass::OneVsRest);
        s.learning_rate = LearningRate::Adaptive;
        s.average = true;
        s.alpha = 1e-3;
        s.l1_ratio = 0.5;
        let mut model = SgdClassifier::new(s).unwrap();
        model.fit(x, &y, 200).unwrap();
        assert!(accuracy(&model, x, &y) > 0.95);
        assert!(model.is_consistent());
    }

    #[test]
    fn states_whose_buffers_do_not_fit_their_settings_are_inconsistent() {
        // A decoded state claiming averaging (or an L1 penalty) without the buffers for it
        // would index a missing buffer in the training loop: found by mutating states.
        let mut s = settings(3, 3, MultiClass::OneVsRest);
        s.average = true;
        s.alpha = 1e-3;
        s.l1_ratio = 0.5;
        let model = SgdClassifier::new(s).unwrap();
        assert!(model.is_consistent());
        let mut bad = model.clone();
        bad.heads[1].avg_weights.clear();
        assert!(!bad.is_consistent());
        let mut bad = model.clone();
        bad.heads[0].l1_received.clear();
        assert!(!bad.is_consistent());
        let mut bad = model.clone();
        bad.step.average = false;
        assert!(!bad.is_consistent());
        let mut bad = model.clone();
        bad.heads.pop();
        assert!(!bad.is_consistent());
        let mut bad = model.clone();
        bad.heads[2].weights[0] = f64::NAN;
        assert!(!bad.is_consistent());
        // Training lets the L1 bookkeeping overflow while the weights stay finite (alpha
        // 1e22): such a model must still load.
        let mut overflowed = model.clone();
        overflowed.heads[0].l1_received.fill(f64::NAN);
        overflowed.heads[0].l1_total = f64::INFINITY;
        assert!(overflowed.is_consistent());
        let mut bad = model;
        bad.heads[0].link = Link::Softmax;
        assert!(!bad.is_consistent());
    }
}
