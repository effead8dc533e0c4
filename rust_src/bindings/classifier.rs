//! Python access to the classifier engines (`engine::classifier`): the objects behind
//! `river_lite.classifier.SGDClassifier` and `MLPClassifier`, which own them, validate
//! hyperparameters and labels, and pickle them through `to_bytes` / `from_bytes`.
//!
//! * Features: a 2-D, C-contiguous `float32` or `float64` NumPy array, read in place
//!   (zero-copy) with the GIL released; anything else raises `TypeError` (the Python layer
//!   converts other inputs once before calling). The caller must not modify the array from
//!   another thread while a call runs (as with any extension that releases the GIL).
//! * Labels: a 1-D, C-contiguous `int64` array of class indices `0..n_classes`.
//! * Every user error is a `ValueError` or `TypeError`; nothing panics on user input.
//! * The engines sit behind a `RwLock` taken with the GIL released: predictions share it,
//!   training holds it alone, and no thread ever waits for it while holding the GIL.

use std::sync::RwLock;

use numpy::ndarray::Array2;
use numpy::prelude::*;
use numpy::{PyArray1, PyArray2, PyUntypedArray};
use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use crate::engine::classifier::data::Rows;
use crate::engine::classifier::mlp::{Layer, MlpClassifier, MlpSettings, Solver};
use crate::engine::classifier::schedule::LearningRate;
use crate::engine::classifier::sgd::{MultiClass, SgdClassifier, SgdSettings};
use crate::engine::classifier::ClassifierError;
use crate::engine::common::state;

type Vector<'py, T> = Bound<'py, PyArray1<T>>;
type Matrix<'py, T> = Bound<'py, PyArray2<T>>;

const SGD_KIND: &str = "SGDClassifier";
const MLP_KIND: &str = "MLPClassifier";

fn to_py_error(error: ClassifierError) -> PyErr {
    PyValueError::new_err(error.to_string())
}

fn poisoned() -> PyErr {
    PyRuntimeError::new_err(
        "a previous call on this model failed unexpectedly (a bug: please report it)",
    )
}

/// A borrowed feature matrix of either supported element type.
enum Features<'py> {
    F32(numpy::PyReadonlyArray2<'py, f32>),
    F64(numpy::PyReadonlyArray2<'py, f64>),
}

const FEATURE_ADVICE: &str =
    "pass a 2-D C-contiguous numpy array of float32 or float64 (numpy.ascontiguousarray)";

fn features<'py>(x: &Bound<'py, PyAny>) -> PyResult<Features<'py>> {
    let untyped = x.cast::<PyUntypedArray>().map_err(|_| {
        PyTypeError::new_err(format!(
            "X must be a numpy.ndarray, got {}; {FEATURE_ADVICE}",
            x.get_type()
                .name()
                .map(|n| n.to_string())
                .unwrap_or_default()
        ))
    })?;
    if untyped.ndim() != 2 {
        return Err(PyValueError::new_err(format!(
            "Expected 2D array, got an array of shape {:?}; {FEATURE_ADVICE}",
            untyped.shape()
        )));
    }
    let py = x.py();
    let dtype = untyped.dtype();
    let not_readable =
        |e: numpy::BorrowError| PyValueError::new_err(format!("X cannot be read: {e}"));
    let array = if dtype.is_equiv_to(&numpy::dtype::<f32>(py)) {
        Features::F32(
            untyped
                .cast::<PyArray2<f32>>()?
                .try_readonly()
                .map_err(not_readable)?,
        )
    } else if dtype.is_equiv_to(&numpy::dtype::<f64>(py)) {
        Features::F64(
            untyped
                .cast::<PyArray2<f64>>()?
                .try_readonly()
                .map_err(not_readable)?,
        )
    } else {
        return Err(PyTypeError::new_err(format!(
            "X has dtype {dtype}; {FEATURE_ADVICE}"
        )));
    };
    // `as_slice` also accepts Fortran order, which would be read transposed: ask NumPy.
    if !untyped.is_c_contiguous() {
        return Err(PyTypeError::new_err(format!(
            "X is not C-contiguous; {FEATURE_ADVICE}"
        )));
    }
    Ok(array)
}

/// Runs `$body` with `$rows` bound to the matrix view of `$features`, whatever its type.
macro_rules! with_rows {
    ($features:expr, $rows:ident => $body:expr) => {
        match &$features {
            Features::F32(array) => {
                let shape = array.shape();
                let $rows =
                    Rows::new(array.as_slice()?, shape[0], shape[1]).map_err(to_py_error)?;
                $body
            }
            Features::F64(array) => {
                let shape = array.shape();
                let $rows =
                    Rows::new(array.as_slice()?, shape[0], shape[1]).map_err(to_py_error)?;
                $body
            }
        }
    };
}

fn labels<'py>(y: &Bound<'py, PyAny>) -> PyResult<numpy::PyReadonlyArray1<'py, i64>> {
    let advice = "pass class indices as a 1-D C-contiguous numpy array of int64";
    let untyped = y
        .cast::<PyUntypedArray>()
        .map_err(|_| PyTypeError::new_err(format!("y must be a numpy.ndarray; {advice}")))?;
    if untyped.ndim() != 1 || !untyped.dtype().is_equiv_to(&numpy::dtype::<i64>(y.py())) {
        return Err(PyTypeError::new_err(format!(
            "y must be 1-D int64, got dtype {} and shape {:?}; {advice}",
            untyped.dtype(),
            untyped.shape()
        )));
    }
    let array = untyped
        .cast::<PyArray1<i64>>()?
        .try_readonly()
        .map_err(|e| PyValueError::new_err(format!("y cannot be read: {e}")))?;
    if array.as_slice().is_err() {
        return Err(PyTypeError::new_err(format!(
            "y is not C-contiguous; {advice}"
        )));
    }
    Ok(array)
}

fn matrix<'py>(py: Python<'py>, values: Vec<f64>, cols: usize) -> PyResult<Matrix<'py, f64>> {
    let rows = values.len().checked_div(cols).unwrap_or(0);
    let array = Array2::from_shape_vec((rows, cols), values)
        .map_err(|error| PyRuntimeError::new_err(error.to_string()))?;
    Ok(array.into_pyarray(py))
}

fn decode<T: serde::de::DeserializeOwned>(kind: &str, bytes: &[u8]) -> PyResult<T> {
    state::decode(kind, bytes)
        .map_err(|e| PyValueError::new_err(format!("cannot restore the model: {e}")))
}

fn encode<T: serde::Serialize>(py: Python<'_>, kind: &str, value: &T) -> PyResult<Py<PyBytes>> {
    let bytes = state::encode(kind, value).map_err(PyValueError::new_err)?;
    Ok(PyBytes::new(py, &bytes).unbind())
}

/// The SGD logistic-regression engine (use ``river_lite.classifier.SGDClassifier``).
#[pyclass(frozen)]
pub struct SgdEngine {
    model: RwLock<SgdClassifier>,
}

impl SgdEngine {
    fn read<T: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&SgdClassifier) -> T + Send,
    ) -> PyResult<T> {
        py.detach(|| self.model.read().map(|m| f(&m)).map_err(|_| ()))
            .map_err(|()| poisoned())
    }

    fn write<T: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&mut SgdClassifier) -> T + Send,
    ) -> PyResult<T> {
        py.detach(|| self.model.write().map(|mut m| f(&mut m)).map_err(|_| ()))
            .map_err(|()| poisoned())
    }
}

#[pymethods]
impl SgdEngine {
    #[new]
    #[pyo3(signature = (*, n_classes, n_features, multi_class, alpha, l1_ratio, penalize, fit_intercept,
        learning_rate, eta0, power_t, shuffle, seed, standardize, average, tol, n_iter_no_change))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        n_classes: usize,
        n_features: usize,
        multi_class: &str,
        alpha: f64,
        l1_ratio: f64,
        penalize: bool,
        fit_intercept: bool,
        learning_rate: &str,
        eta0: f64,
        power_t: f64,
        shuffle: bool,
        seed: u64,
        standardize: bool,
        average: bool,
        tol: Option<f64>,
        n_iter_no_change: u32,
    ) -> PyResult<Self> {
        let settings = SgdSettings {
            n_classes,
            n_features,
            multi_class: MultiClass::parse(multi_class).map_err(to_py_error)?,
            alpha,
            l1_ratio,
            penalize,
            fit_intercept,
            learning_rate: LearningRate::parse(learning_rate).map_err(to_py_error)?,
            eta0,
            power_t,
            shuffle,
            seed,
            standardize,
            average,
            tol,
            n_iter_no_change,
        };
        let model = SgdClassifier::new(settings).map_err(to_py_error)?;
        Ok(Self {
            model: RwLock::new(model),
        })
    }

    /// Trains up to ``max_iter`` epochs; returns ``(n_iter, loss)``.
    fn fit(
        &self,
        py: Python<'_>,
        x: &Bound<'_, PyAny>,
        y: &Bound<'_, PyAny>,
        max_iter: u64,
    ) -> PyResult<(u64, f64)> {
        let (x, y) = (features(x)?, labels(y)?);
        let y = y.as_slice()?;
        let report = with_rows!(x, rows => self.write(py, |m| m.fit(rows, y, max_iter))?);
        let report = report.map_err(to_py_error)?;
        Ok((report.n_iter, report.loss))
    }

    /// One epoch over ``x``; returns the mean training loss.
    fn partial_fit(
        &self,
        py: Python<'_>,
        x: &Bound<'_, PyAny>,
        y: &Bound<'_, PyAny>,
    ) -> PyResult<f64> {
        let (x, y) = (features(x)?, labels(y)?);
        let y = y.as_slice()?;
        with_rows!(x, rows => self.write(py, |m| m.partial_fit(rows, y))?).map_err(to_py_error)
    }

    fn decision_function<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
    ) -> PyResult<Matrix<'py, f64>> {
        let x = features(x)?;
        let (scores, k) =
            with_rows!(x, rows => self.read(py, |m| (m.decision_function(rows), m.n_outputs()))?);
        matrix(py, scores.map_err(to_py_error)?, k)
    }

    fn predict_proba<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
    ) -> PyResult<Matrix<'py, f64>> {
        let x = features(x)?;
        let (proba, k) = with_rows!(x, rows => self.read(py, |m| (m.predict_proba(rows), m.settings().n_classes))?);
        matrix(py, proba.map_err(to_py_error)?, k)
    }

    /// ``(coef, intercept)`` in the space of the raw features.
    fn coefficients<'py>(&self, py: Python<'py>) -> PyResult<(Matrix<'py, f64>, Vector<'py, f64>)> {
        let (w, b) = self.read(py, |m| m.coefficients())?;
        let d = w.len().checked_div(b.len()).unwrap_or(0);
        Ok((matrix(py, w, d)?, PyArray1::from_vec(py, b)))
    }

    /// Updates made so far (``t_``).
    fn updates(&self, py: Python<'_>) -> PyResult<f64> {
        self.read(py, |m| m.updates())
    }

    fn to_bytes(&self, py: Python<'_>) -> PyResult<Py<PyBytes>> {
        let model = self.read(py, |m| m.clone())?;
        encode(py, SGD_KIND, &model)
    }

    /// Restores an engine from ``to_bytes``; a corrupt or foreign state raises ``ValueError``.
    #[staticmethod]
    fn from_bytes(state: &[u8]) -> PyResult<Self> {
        let model: SgdClassifier = decode(SGD_KIND, state)?;
        if !model.is_consistent() {
            return Err(PyValueError::new_err(
                "cannot restore the model: inconsistent SGDClassifier state",
            ));
        }
        Ok(Self {
            model: RwLock::new(model),
        })
    }
}

/// The neural-network engine, computing in float32 (use ``river_lite.classifier.MLPClassifier``).
#[pyclass(frozen)]
pub struct MlpEngine {
    model: RwLock<MlpClassifier<f32>>,
}

impl MlpEngine {
    fn read<T: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&MlpClassifier<f32>) -> T + Send,
    ) -> PyResult<T> {
        py.detach(|| self.model.read().map(|m| f(&m)).map_err(|_| ()))
            .map_err(|()| poisoned())
    }

    fn write<T: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&mut MlpClassifier<f32>) -> T + Send,
    ) -> PyResult<T> {
        py.detach(|| self.model.write().map(|mut m| f(&mut m)).map_err(|_| ()))
            .map_err(|()| poisoned())
    }
}

#[pymethods]
impl MlpEngine {
    #[new]
    #[pyo3(signature = (*, n_classes, n_features, hidden, dropout, solver, alpha, batch_size,
        learning_rate_init, momentum, nesterov, beta_1, beta_2, epsilon, shuffle, seed,
        standardize, tol, n_iter_no_change, early_stopping, validation_fraction))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        n_classes: usize,
        n_features: usize,
        hidden: Vec<usize>,
        dropout: f64,
        solver: &str,
        alpha: f64,
        batch_size: usize,
        learning_rate_init: f64,
        momentum: f64,
        nesterov: bool,
        beta_1: f64,
        beta_2: f64,
        epsilon: f64,
        shuffle: bool,
        seed: u64,
        standardize: bool,
        tol: Option<f64>,
        n_iter_no_change: u32,
        early_stopping: bool,
        validation_fraction: f64,
    ) -> PyResult<Self> {
        let settings = MlpSettings {
            n_classes,
            n_features,
            hidden,
            dropout,
            solver: Solver::parse(solver).map_err(to_py_error)?,
            alpha,
            batch_size,
            learning_rate: learning_rate_init,
            momentum,
            nesterov,
            beta1: beta_1,
            beta2: beta_2,
            epsilon,
            shuffle,
            seed,
            standardize,
            tol,
            n_iter_no_change,
            early_stopping,
            validation_fraction,
        };
        let model = MlpClassifier::new(settings).map_err(to_py_error)?;
        Ok(Self {
            model: RwLock::new(model),
        })
    }

    /// Trains up to ``max_iter`` epochs; returns ``(n_iter, loss, converged)``.
    fn fit(
        &self,
        py: Python<'_>,
        x: &Bound<'_, PyAny>,
        y: &Bound<'_, PyAny>,
        max_iter: u64,
    ) -> PyResult<(u64, f64, bool)> {
        let (x, y) = (features(x)?, labels(y)?);
        let y = y.as_slice()?;
        let report = with_rows!(x, rows => self.write(py, |m| m.fit(rows, y, max_iter))?);
        let report = report.map_err(to_py_error)?;
        Ok((report.n_iter, report.loss, report.converged))
    }

    /// One epoch over ``x``; returns the mean training loss.
    fn partial_fit(
        &self,
        py: Python<'_>,
        x: &Bound<'_, PyAny>,
        y: &Bound<'_, PyAny>,
    ) -> PyResult<f64> {
        let (x, y) = (features(x)?, labels(y)?);
        let y = y.as_slice()?;
        with_rows!(x, rows => self.write(py, |m| m.partial_fit(rows, y))?).map_err(to_py_error)
    }

    fn predict_log_proba<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
    ) -> PyResult<Matrix<'py, f64>> {
        let x = features(x)?;
        let (log_proba, k) = with_rows!(x, rows => self.read(py, |m| (m.predict_log_proba(rows), m.settings().n_classes))?);
        matrix(py, log_proba.map_err(to_py_error)?, k)
    }

    /// ``[(W, b), ...]`` of the linear layers, ``W`` of shape ``(inputs, outputs)`` as
    /// scikit-learn's ``coefs_``, acting on standardised features when ``standardize``.
    fn parameters<'py>(
        &self,
        py: Python<'py>,
    ) -> PyResult<Vec<(Matrix<'py, f32>, Vector<'py, f32>)>> {
        let layers: Vec<(usize, usize, Vec<f32>, Vec<f32>)> = self.read(py, |m| {
            m.network()
                .linears()
                .map(|l| (l.inputs, l.outputs, l.weights().to_vec(), l.bias().to_vec()))
                .collect()
        })?;
        layers
            .into_iter()
            .map(|(inputs, outputs, w, b)| {
                let w = Array2::from_shape_vec((outputs, inputs), w)
                    .map_err(|error| PyRuntimeError::new_err(error.to_string()))?;
                Ok((
                    w.reversed_axes()
                        .as_standard_layout()
                        .into_owned()
                        .into_pyarray(py),
                    PyArray1::from_vec(py, b),
                ))
            })
            .collect()
    }

    /// Mean and ``1/std`` of the feature scaling, or None.
    fn scaling<'py>(
        &self,
        py: Python<'py>,
    ) -> PyResult<Option<(Vector<'py, f64>, Vector<'py, f64>)>> {
        let scaling = self.read(py, |m| {
            m.scaler()
                .map(|s| (s.mean().to_vec(), s.inv_scale().to_vec()))
        })?;
        Ok(scaling.map(|(mean, inv)| (PyArray1::from_vec(py, mean), PyArray1::from_vec(py, inv))))
    }

    /// The layers, described (e.g. ``["Linear(64 -> 100)", "ReLU", ...]``).
    fn layers(&self, py: Python<'_>) -> PyResult<Vec<String>> {
        self.read(py, |m| {
            m.network().layers.iter().map(|l| l.describe()).collect()
        })
    }

    fn loss_curve(&self, py: Python<'_>) -> PyResult<Vec<f64>> {
        self.read(py, |m| m.loss_curve().to_vec())
    }

    fn validation_scores(&self, py: Python<'_>) -> PyResult<Vec<f64>> {
        self.read(py, |m| m.validation_scores().to_vec())
    }

    fn best_validation_score(&self, py: Python<'_>) -> PyResult<Option<f64>> {
        self.read(py, |m| m.best_validation_score())
    }

    /// Training samples seen over all epochs (``t_``).
    fn samples_seen(&self, py: Python<'_>) -> PyResult<u64> {
        self.read(py, |m| m.samples_seen())
    }

    fn to_bytes(&self, py: Python<'_>) -> PyResult<Py<PyBytes>> {
        let model = self.read(py, |m| m.clone())?;
        encode(py, MLP_KIND, &model)
    }

    /// Restores an engine from ``to_bytes``; a corrupt or foreign state raises ``ValueError``.
    #[staticmethod]
    fn from_bytes(state: &[u8]) -> PyResult<Self> {
        let model: MlpClassifier<f32> = decode(MLP_KIND, state)?;
        if !model.is_consistent() {
            return Err(PyValueError::new_err(
                "cannot restore the model: inconsistent MLPClassifier state",
            ));
        }
        Ok(Self {
            model: RwLock::new(model),
        })
    }
}

/// Adds this file's classes to the extension module, named as members of it (so their
/// ``__module__`` is the extension's real import path, not ``builtins``).
pub fn register(module: &Bound<'_, PyModule>, _build_info: &Bound<'_, PyDict>) -> PyResult<()> {
    module.add_class::<SgdEngine>()?;
    module.add_class::<MlpEngine>()?;
    let name = module.name()?;
    for class in ["SgdEngine", "MlpEngine"] {
        module.getattr(class)?.setattr("__module__", &name)?;
    }
    Ok(())
}
