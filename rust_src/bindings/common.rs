//! Helpers every binding uses: NumPy input, finite-value checks, pickle state, `repr`.

use numpy::{PyArray1, PyArrayMethods, PyReadonlyArray1, PyUntypedArrayMethods};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::engine::state;

/// Any 1-D float array-like as a contiguous float64 array: a contiguous float64 NumPy array is
/// borrowed as is (zero-copy); anything else is converted once by `numpy.ascontiguousarray`.
pub fn float_vector<'py>(values: &Bound<'py, PyAny>) -> PyResult<PyReadonlyArray1<'py, f64>> {
    let array = match values.cast::<PyArray1<f64>>() {
        Ok(array) if array.is_c_contiguous() => array.clone(),
        _ => {
            let numpy = values.py().import("numpy")?;
            let converted = numpy.call_method1("asarray", (values, "float64"))?;
            let ndim: usize = converted.getattr("ndim")?.extract()?;
            if ndim != 1 {
                let shape = converted.getattr("shape")?.repr()?;
                return Err(PyValueError::new_err(format!(
                    "values must be a 1-D array, got shape {shape}"
                )));
            }
            numpy
                .call_method1("ascontiguousarray", (converted,))?
                .cast_into::<PyArray1<f64>>()?
        }
    };
    array
        .try_readonly()
        .map_err(|e| PyRuntimeError::new_err(format!("cannot read values: {e}")))
}

/// `Err(ValueError)` naming the first NaN or infinite value, checked before any state changes.
pub fn ensure_all_finite(values: &[f64]) -> PyResult<()> {
    match values.iter().position(|v| !v.is_finite()) {
        None => Ok(()),
        Some(i) => Err(PyValueError::new_err(format!(
            "values[{i}] is {}: NaN and infinite values are rejected",
            values[i]
        ))),
    }
}

/// `Err(ValueError)` for one NaN or infinite value.
pub fn ensure_finite(x: f64) -> PyResult<f64> {
    if x.is_finite() {
        Ok(x)
    } else {
        Err(PyValueError::new_err(format!(
            "x is {x}: NaN and infinite values are rejected"
        )))
    }
}

/// Maps an engine error message to `ValueError`.
pub fn value_error(message: String) -> PyErr {
    PyValueError::new_err(message)
}

/// A native class whose state pickles through [`state`].
pub trait Pickled: Sized {
    /// The name written into (and checked in) the state.
    const KIND: &'static str;
    type Payload: serde::Serialize + serde::de::DeserializeOwned;
    fn payload(&self) -> Self::Payload;
    fn from_payload(payload: Self::Payload) -> Result<Self, String>;
}

/// `__getstate__` for any [`Pickled`] class.
pub fn get_state<'py, T: Pickled>(py: Python<'py>, object: &T) -> PyResult<Bound<'py, PyBytes>> {
    let bytes = state::encode(T::KIND, &object.payload()).map_err(value_error)?;
    Ok(PyBytes::new(py, &bytes))
}

/// `__setstate__` for any [`Pickled`] class: the object is replaced only if the state is valid.
pub fn set_state<T: Pickled>(object: &mut T, bytes: &[u8]) -> PyResult<()> {
    let payload = state::decode(T::KIND, bytes).map_err(value_error)?;
    *object =
        T::from_payload(payload).map_err(|e| value_error(format!("bad {} state: {e}", T::KIND)))?;
    Ok(())
}

/// `"Name(params): value"`, with the value formatted by Python so every class reads alike.
pub fn describe(py: Python<'_>, class: &str, params: &str, value: Option<f64>) -> PyResult<String> {
    let shown = match value {
        Some(v) => v.into_pyobject(py)?.repr()?.to_string(),
        None => "None".to_string(),
    };
    Ok(format!("{class}({params}): {shown}"))
}
