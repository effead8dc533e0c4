//! The network classifier: minibatch training with weight decay, SGD-momentum or Adam,
//! tolerance or validation-based early stopping (scikit-learn's `MLPClassifier` rules).
//!
//! **Minibatches in parallel.** A minibatch is cut into chunks of [`CHUNK_ROWS`] rows; the
//! chunks' forward and backward passes run in parallel (rayon), each with its own dropout
//! stream `(seed, DROPOUT, step, chunk)`, and their gradients are summed in chunk order. The
//! chunking does not depend on the number of threads, so neither do the results.
//!
//! **Epochs.** Epoch `e` of the model's life visits the training rows in the order of the
//! stream `(seed, SHUFFLE, e)`. `fit` learns the feature scaling from all of `x` (when
//! `standardize`), initialises the network from `(seed, INIT)` and, with `early_stopping`,
//! holds out `validation_fraction` of the rows (drawn from `(seed, VALIDATION)`); it stops
//! when the training loss (or, with early stopping, the validation accuracy) has not improved
//! by `tol` for `n_iter_no_change` epochs, and with early stopping keeps the parameters of the
//! best validation epoch. `partial_fit` merges `x` into the scaling and runs one epoch.
//!
//! A call that fails leaves the model as it was.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::network::Network;
use super::nll::nll;
use super::optimizer::Optimizer;
use super::{Layer, Matrix, Mode, Real};
use crate::engine::classifier::data::{check_labels, Element, Rows};
use crate::engine::classifier::error::{invalid, ClassifierError};
use crate::engine::classifier::random::{purpose, shuffle, stream};
use crate::engine::classifier::standardizer::Standardizer;
use crate::engine::classifier::stopping::NoImprovement;

/// Rows per parallel piece of a minibatch (fixed: results must not depend on thread count).
pub const CHUNK_ROWS: usize = 64;
/// The largest network accepted (2^30 parameters: 4 GiB of float32, and as much again for
/// each optimizer buffer).
pub const MAX_PARAMETERS: usize = 1 << 30;
/// Rows per parallel piece of a prediction.
const PREDICT_ROWS: usize = 256;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Solver {
    Sgd,
    Adam,
}

impl Solver {
    pub fn parse(name: &str) -> Result<Self, ClassifierError> {
        match name {
            "sgd" => Ok(Self::Sgd),
            "adam" => Ok(Self::Adam),
            other => Err(invalid(format!(
                "solver must be 'sgd' or 'adam', got {other:?}"
            ))),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MlpSettings {
    pub n_classes: usize,
    pub n_features: usize,
    pub hidden: Vec<usize>,
    pub dropout: f64,
    pub solver: Solver,
    /// L2 penalty: the loss gains `alpha / (2 batch) |W|²` per minibatch.
    pub alpha: f64,
    /// 0 means `min(200, n_samples)`.
    pub batch_size: usize,
    pub learning_rate: f64,
    pub momentum: f64,
    pub nesterov: bool,
    pub beta1: f64,
    pub beta2: f64,
    pub epsilon: f64,
    pub shuffle: bool,
    pub seed: u64,
    pub standardize: bool,
    pub tol: Option<f64>,
    pub n_iter_no_change: u32,
    pub early_stopping: bool,
    pub validation_fraction: f64,
}

impl MlpSettings {
    fn validate(&self) -> Result<(), ClassifierError> {
        let positive = |name: &str, v: f64| {
            if v > 0.0 && v.is_finite() {
                Ok(())
            } else {
                Err(invalid(format!("{name} must be finite and > 0, got {v}")))
            }
        };
        if self.n_classes < 2 {
            return Err(invalid(format!(
                "the classifier needs samples of at least 2 classes, got {}",
                self.n_classes
            )));
        }
        if self.n_features == 0 {
            return Err(invalid("X must have at least one feature"));
        }
        if self.hidden.is_empty() || self.hidden.contains(&0) {
            return Err(invalid(format!(
                "hidden_layer_sizes must be one or more positive sizes, got {:?}",
                self.hidden
            )));
        }
        // Refuse networks that cannot be allocated, instead of aborting the process.
        let widths: Vec<usize> = std::iter::once(self.n_features)
            .chain(self.hidden.iter().copied())
            .chain(std::iter::once(self.n_classes))
            .collect();
        let parameters = widths.windows(2).try_fold(0usize, |total, pair| {
            pair[0]
                .checked_add(1)
                .and_then(|inputs| inputs.checked_mul(pair[1]))
                .and_then(|layer| total.checked_add(layer))
        });
        if parameters.is_none_or(|p| p > MAX_PARAMETERS) {
            return Err(invalid(format!(
                "hidden_layer_sizes {:?} with {} features and {} classes make a network of more \
                 than {MAX_PARAMETERS} parameters",
                self.hidden, self.n_features, self.n_classes
            )));
        }
        if !(0.0..1.0).contains(&self.dropout) {
            return Err(invalid(format!(
                "dropout must be in [0, 1), got {}",
                self.dropout
            )));
        }
        if !(self.alpha >= 0.0 && self.alpha.is_finite()) {
            return Err(invalid(format!(
                "alpha must be finite and >= 0, got {}",
                self.alpha
            )));
        }
        positive("learning_rate_init", self.learning_rate)?;
        positive("epsilon", self.epsilon)?;
        if !(0.0..=1.0).contains(&self.momentum) {
            return Err(invalid(format!(
                "momentum must be in [0, 1], got {}",
                self.momentum
            )));
        }
        for (name, b) in [("beta_1", self.beta1), ("beta_2", self.beta2)] {
            if !(0.0..1.0).contains(&b) {
                return Err(invalid(format!("{name} must be in [0, 1), got {b}")));
            }
        }
        if let Some(tol) = self.tol {
            if !tol.is_finite() {
                return Err(invalid(format!("tol must be finite or None, got {tol}")));
            }
        }
        if self.n_iter_no_change == 0 {
            return Err(invalid("n_iter_no_change must be >= 1"));
        }
        if !(self.validation_fraction > 0.0 && self.validation_fraction < 1.0) {
            return Err(invalid(format!(
                "validation_fraction must be in (0, 1), got {}",
                self.validation_fraction
            )));
        }
        Ok(())
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MlpClassifier<R> {
    settings: MlpSettings,
    network: Network<R>,
    optimizer: Optimizer<R>,
    scaler: Option<Standardizer>,
    epochs: u64,
    steps: u64,
    samples_seen: u64,
    loss_curve: Vec<f64>,
    validation_scores: Vec<f64>,
    best_validation_score: Option<f64>,
}

/// What a `fit` did.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MlpReport {
    pub n_iter: u64,
    pub loss: f64,
    pub converged: bool,
}

impl<R: Real> MlpClassifier<R> {
    pub fn new(settings: MlpSettings) -> Result<Self, ClassifierError> {
        settings.validate()?;
        let network = Network::classifier(
            settings.n_features,
            &settings.hidden,
            settings.n_classes,
            settings.dropout,
            &mut stream(settings.seed, &[purpose::INIT]),
        );
        let zeros = network.zero_grads();
        let optimizer = match settings.solver {
            Solver::Sgd => Optimizer::Sgd {
                lr: settings.learning_rate,
                momentum: settings.momentum,
                nesterov: settings.nesterov,
                velocity: zeros,
            },
            Solver::Adam => Optimizer::Adam {
                lr: settings.learning_rate,
                beta1: settings.beta1,
                beta2: settings.beta2,
                epsilon: settings.epsilon,
                steps: 0,
                m: zeros.clone(),
                v: zeros,
            },
        };
        let scaler = settings
            .standardize
            .then(|| Standardizer::new(settings.n_features));
        Ok(Self {
            settings,
            network,
            optimizer,
            scaler,
            epochs: 0,
            steps: 0,
            samples_seen: 0,
            loss_curve: Vec::new(),
            validation_scores: Vec::new(),
            best_validation_score: None,
        })
    }

    pub fn settings(&self) -> &MlpSettings {
        &self.settings
    }

    pub fn network(&self) -> &Network<R> {
        &self.network
    }

    pub fn scaler(&self) -> Option<&Standardizer> {
        self.scaler.as_ref()
    }

    pub fn loss_curve(&self) -> &[f64] {
        &self.loss_curve
    }

    pub fn validation_scores(&self) -> &[f64] {
        &self.validation_scores
    }

    pub fn best_validation_score(&self) -> Option<f64> {
        self.best_validation_score
    }

    pub fn samples_seen(&self) -> u64 {
        self.samples_seen
    }

    pub fn epochs(&self) -> u64 {
        self.epochs
    }

    fn check_input<T: Element>(&self, x: &Rows<'_, T>) -> Result<(), ClassifierError> {
        if x.cols() != self.settings.n_features {
            return Err(invalid(format!(
                "X has {} features, but MLPClassifier is expecting {} features as input",
                x.cols(),
                self.settings.n_features
            )));
        }
        x.check_finite()
    }

    fn check_training_input<T: Element>(
        &self,
        x: &Rows<'_, T>,
        y: &[i64],
    ) -> Result<(), ClassifierError> {
        self.check_input(x)?;
        check_labels(y, x.rows(), self.settings.n_classes)?;
        if x.rows() == 0 {
            return Err(invalid("X has 0 samples; at least one is required"));
        }
        Ok(())
    }

    /// Trains for up to `max_iter` epochs (see the module docs).
    pub fn fit<T: Element>(
        &mut self,
        x: Rows<'_, T>,
        y: &[i64],
        max_iter: u64,
    ) -> Result<MlpReport, ClassifierError> {
        self.check_training_input(&x, y)?;
        if max_iter == 0 {
            return Err(invalid("max_iter must be >= 1"));
        }
        let mut next = self.clone();
        if let Some(scaler) = next.scaler.as_mut() {
            scaler.update(x);
        }
        let mut rows: Vec<usize> = (0..x.rows()).collect();
        let mut validation = Vec::new();
        if next.settings.early_stopping {
            shuffle(
                &mut stream(next.settings.seed, &[purpose::VALIDATION]),
                &mut rows,
            );
            let n_val = ((x.rows() as f64) * next.settings.validation_fraction).ceil() as usize;
            if n_val < 1 || n_val >= x.rows() {
                return Err(invalid(format!(
                    "early_stopping with validation_fraction={} leaves no training or no \
                     validation sample among {} samples",
                    next.settings.validation_fraction,
                    x.rows()
                )));
            }
            validation = rows.split_off(x.rows() - n_val);
            rows.sort_unstable();
        }
        let mut stopping = NoImprovement::new(next.settings.tol, next.settings.n_iter_no_change);
        let mut best_network: Option<Network<R>> = None;
        let mut last_loss = f64::NAN;
        let mut converged = false;
        let mut n_iter = 0;
        for _ in 0..max_iter {
            last_loss = next.epoch(x, y, &rows)?;
            n_iter += 1;
            let score = if next.settings.early_stopping {
                let accuracy = next.accuracy(x, y, &validation);
                next.validation_scores.push(accuracy);
                if next
                    .best_validation_score
                    .is_none_or(|best| accuracy > best)
                {
                    next.best_validation_score = Some(accuracy);
                    best_network = Some(next.network.clone());
                }
                -accuracy
            } else {
                last_loss
            };
            if stopping.record(score) {
                converged = true;
                break;
            }
        }
        if let Some(best) = best_network {
            next.network = best;
        }
        *self = next;
        Ok(MlpReport {
            n_iter,
            loss: last_loss,
            converged,
        })
    }

    /// One epoch over all rows of `x`; returns the epoch's mean loss.
    pub fn partial_fit<T: Element>(
        &mut self,
        x: Rows<'_, T>,
        y: &[i64],
    ) -> Result<f64, ClassifierError> {
        self.check_training_input(&x, y)?;
        let mut next = self.clone();
        if let Some(scaler) = next.scaler.as_mut() {
            scaler.update(x);
        }
        let rows: Vec<usize> = (0..x.rows()).collect();
        let loss = next.epoch(x, y, &rows)?;
        *self = next;
        Ok(loss)
    }

    /// One epoch over `rows` of `x`, in shuffled minibatches.
    fn epoch<T: Element>(
        &mut self,
        x: Rows<'_, T>,
        y: &[i64],
        rows: &[usize],
    ) -> Result<f64, ClassifierError> {
        let mut order = rows.to_vec();
        if self.settings.shuffle {
            shuffle(
                &mut stream(self.settings.seed, &[purpose::SHUFFLE, self.epochs]),
                &mut order,
            );
        }
        let batch = match self.settings.batch_size {
            0 => 200.min(order.len()),
            b => b.min(order.len()),
        }
        .max(1);
        let mut total = 0.0;
        for indices in order.chunks(batch) {
            total += self.step(x, y, indices) * indices.len() as f64;
        }
        let loss = total / order.len().max(1) as f64;
        if !loss.is_finite() || !self.network.all_finite() {
            return Err(ClassifierError::Diverged(format!(
                "non-finite loss or parameters in epoch {}",
                self.epochs + 1
            )));
        }
        self.epochs += 1;
        self.samples_seen += order.len() as u64;
        self.loss_curve.push(loss);
        Ok(loss)
    }

    /// One optimizer step on the rows `indices`; returns the batch loss (with the penalty).
    fn step<T: Element>(&mut self, x: Rows<'_, T>, y: &[i64], indices: &[usize]) -> f64 {
        let n = indices.len();
        let scale = R::from_f64(1.0 / n as f64);
        let (network, scaler, seed, step) = (
            &self.network,
            self.scaler.as_ref(),
            self.settings.seed,
            self.steps,
        );
        let pieces: Vec<(f64, Vec<Vec<R>>)> = indices
            .par_chunks(CHUNK_ROWS)
            .enumerate()
            .map(|(chunk, rows)| {
                let input = gather::<T, R>(x, rows, scaler);
                let targets: Vec<i64> = rows.iter().map(|&i| y[i]).collect();
                let mut rng = stream(seed, &[purpose::DROPOUT, step, chunk as u64]);
                let (out, tape) = network.forward(input, Mode::Train, &mut rng);
                let (loss, grad) = nll(&out, &targets, scale);
                let mut grads = network.zero_grads();
                network.backward(&tape, grad, &mut grads);
                (loss, grads)
            })
            .collect();
        let mut pieces = pieces.into_iter();
        let (mut loss, mut grads) = pieces.next().unwrap_or_else(|| (0.0, network.zero_grads()));
        for (piece_loss, piece_grads) in pieces {
            loss += piece_loss;
            for (total, part) in grads.iter_mut().zip(&piece_grads) {
                total.iter_mut().zip(part).for_each(|(t, p)| *t += *p);
            }
        }
        // Weight decay: the gradient of alpha / (2 n) |W|².
        let alpha = self.settings.alpha;
        if alpha > 0.0 {
            let decay = R::from_f64(alpha / n as f64);
            for (layer, g) in self.network.layers.iter().zip(grads.iter_mut()) {
                let k = layer.decayed_params();
                for (g, w) in g[..k].iter_mut().zip(&layer.params()[..k]) {
                    *g += decay * *w;
                }
            }
        }
        let penalty = 0.5 * alpha * self.network.squared_weights() / n as f64;
        self.optimizer.step(&mut self.network.layers, &grads);
        self.steps += 1;
        loss / n as f64 + penalty
    }

    /// Log-probabilities (`rows × n_classes`, row-major, `f64`), in evaluation mode.
    pub fn predict_log_proba<T: Element>(
        &self,
        x: Rows<'_, T>,
    ) -> Result<Vec<f64>, ClassifierError> {
        self.check_input(&x)?;
        let k = self.settings.n_classes;
        let all: Vec<usize> = (0..x.rows()).collect();
        let mut out = vec![0.0; x.rows() * k];
        out.par_chunks_mut(PREDICT_ROWS * k)
            .zip(all.par_chunks(PREDICT_ROWS))
            .for_each(|(block, rows)| {
                let log_probs = self.forward_eval(x, rows);
                block
                    .iter_mut()
                    .zip(&log_probs.data)
                    .for_each(|(o, v)| *o = v.to_f64());
            });
        Ok(out)
    }

    fn forward_eval<T: Element>(&self, x: Rows<'_, T>, rows: &[usize]) -> Matrix<R> {
        let input = gather::<T, R>(x, rows, self.scaler.as_ref());
        // Evaluation draws nothing; the stream is only there to satisfy the signature.
        let mut unused = stream(0, &[]);
        self.network.forward(input, Mode::Eval, &mut unused).0
    }

    /// Accuracy on `rows` of `x` (0 for no rows).
    fn accuracy<T: Element>(&self, x: Rows<'_, T>, y: &[i64], rows: &[usize]) -> f64 {
        let hits: usize = rows
            .par_chunks(PREDICT_ROWS)
            .map(|chunk| {
                let out = self.forward_eval(x, chunk);
                chunk
                    .iter()
                    .enumerate()
                    .filter(|(r, &i)| argmax(out.row(*r)) as i64 == y[i])
                    .count()
            })
            .sum();
        hits as f64 / rows.len().max(1) as f64
    }

    /// Checks the invariants a decoded state must satisfy.
    pub fn is_consistent(&self) -> bool {
        let s = &self.settings;
        s.validate().is_ok()
            && self.network.is_consistent(s.n_features, s.n_classes)
            && self.optimizer.is_consistent(&self.network.layers)
            && self
                .scaler
                .as_ref()
                .is_none_or(|sc| sc.is_consistent(s.n_features))
            && self.scaler.is_some() == s.standardize
    }
}

/// The first index of the largest value.
pub fn argmax<R: Real>(values: &[R]) -> usize {
    let mut best = 0;
    for (i, v) in values.iter().enumerate() {
        if *v > values[best] {
            best = i;
        }
    }
    best
}

/// The rows `rows` of `x`, standardised when `scaler` is given, as a matrix of `R`.
fn gather<T: Element, R: Real>(
    x: Rows<'_, T>,
    rows: &[usize],
    scaler: Option<&Standardizer>,
) -> Matrix<R> {
    let d = x.cols();
    let mut data = Vec::with_capacity(rows.len() * d);
    for &i in rows {
        let row = x.row(i);
        match scaler {
            Some(s) => data.extend(
                row.iter()
                    .zip(s.mean())
                    .zip(s.inv_scale())
                    .map(|((v, m), k)| R::from_f64((v.to_f64() - m) * k)),
            ),
            None => data.extend(row.iter().map(|v| R::from_f64(v.to_f64()))),
        }
    }
    Matrix::from_vec(rows.len(), d, data)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::classifier::random::unit;

    fn settings(solver: Solver) -> MlpSettings {
        MlpSettings {
            n_classes: 3,
            n_features: 2,
            hidden: vec![16],
            dropout: 0.0,
            solver,
            alpha: 1e-4,
            batch_size: 0,
            learning_rate: 0.01,
            momentum: 0.9,
            nesterov: true,
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-8,
            shuffle: true,
            seed: 3,
            standardize: true,
            tol: Some(1e-4),
            n_iter_no_change: 10,
            early_stopping: false,
            validation_fraction: 0.1,
        }
    }

    /// Three classes that are not linearly separable: rings around the origin.
    fn rings(n: usize) -> (Vec<f64>, Vec<i64>) {
        let mut rng = stream(11, &[]);
        let mut x = Vec::new();
        let mut y = Vec::new();
        for i in 0..n {
            let class = i % 3;
            let radius = 1.0 + class as f64 + 0.6 * (unit(&mut rng) - 0.5);
            let angle = 2.0 * std::f64::consts::PI * unit(&mut rng);
            x.extend([
                100.0 + 30.0 * radius * angle.cos(),
                -50.0 + 30.0 * radius * angle.sin(),
            ]);
            y.push(class as i64);
        }
        (x, y)
    }

    fn accuracy_of(model: &MlpClassifier<f32>, x: Rows<'_, f64>, y: &[i64]) -> f64 {
        let lp = model.predict_log_proba(x).unwrap();
        let hits = lp
            .chunks_exact(3)
            .zip(y)
            .filter(|(p, &t)| argmax(p) as i64 == t)
            .count();
        hits as f64 / y.len() as f64
    }

    #[test]
    fn learns_a_non_linear_problem_with_both_solvers() {
        let (data, y) = rings(600);
        let x = Rows::new(&data, 600, 2).unwrap();
        for solver in [Solver::Adam, Solver::Sgd] {
            let mut s = settings(solver);
            s.learning_rate = if solver == Solver::Adam { 0.01 } else { 0.05 };
            let mut model = MlpClassifier::<f32>::new(s).unwrap();
            let report = model.fit(x, &y, 300).unwrap();
            assert!(accuracy_of(&model, x, &y) > 0.95, "{solver:?} {report:?}");
            assert!(model.loss_curve().first() > model.loss_curve().last());
            assert!(model.is_consistent());
        }
    }

    #[test]
    fn early_stopping_dropout_and_determinism_across_thread_counts() {
        let (data, y) = rings(900);
        let x = Rows::new(&data, 900, 2).unwrap();
        let mut s = settings(Solver::Adam);
        s.early_stopping = true;
        s.dropout = 0.1;
        s.batch_size = 150;
        let train = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| {
                let mut model = MlpClassifier::<f32>::new(s.clone()).unwrap();
                model.fit(x, &y, 60).unwrap();
                model.partial_fit(x.slice(0, 90), &y[..90]).unwrap();
                model
            })
        };
        let one = train(1);
        assert_eq!(one, train(3));
        assert!(!one.validation_scores().is_empty());
        assert!(one.best_validation_score().unwrap() > 0.8);
    }

    #[test]
    fn failed_calls_change_nothing_and_settings_are_checked() {
        let (data, y) = rings(60);
        let x = Rows::new(&data, 60, 2).unwrap();
        let mut model = MlpClassifier::<f32>::new(settings(Solver::Adam)).unwrap();
        model.fit(x, &y, 3).unwrap();
        let before = model.clone();
        let mut bad = data.clone();
        bad[3] = f64::INFINITY;
        assert!(model
            .partial_fit(Rows::new(&bad, 60, 2).unwrap(), &y)
            .is_err());
        assert!(model.fit(x, &y[..5], 3).is_err());
        assert!(model
            .predict_log_proba(Rows::new(&data[..60], 20, 3).unwrap())
            .is_err());
        let mut tiny = settings(Solver::Adam);
        tiny.early_stopping = true;
        tiny.validation_fraction = 0.01;
        let mut m = MlpClassifier::<f32>::new(tiny).unwrap();
        assert!(m.fit(x.slice(0, 1), &y[..1], 3).is_err());
        assert_eq!(model, before);
        for change in [
            |s: &mut MlpSettings| s.hidden = vec![],
            |s: &mut MlpSettings| s.hidden = vec![3, 0],
            |s: &mut MlpSettings| s.dropout = 1.0,
            |s: &mut MlpSettings| s.learning_rate = 0.0,
            |s: &mut MlpSettings| s.alpha = f64::NAN,
            |s: &mut MlpSettings| s.beta2 = 1.0,
            |s: &mut MlpSettings| s.validation_fraction = 1.0,
            |s: &mut MlpSettings| s.n_classes = 1,
            |s: &mut MlpSettings| s.hidden = vec![1 << 31, 1 << 31],
            |s: &mut MlpSettings| s.hidden = vec![usize::MAX],
        ] {
            let mut s = settings(Solver::Sgd);
            change(&mut s);
            assert!(MlpClassifier::<f32>::new(s).is_err());
        }
        assert!(Solver::parse("lbfgs").is_err());
    }
}
