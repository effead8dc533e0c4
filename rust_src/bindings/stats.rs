//! Order-based online statistics (P² quantiles, exact rolling quantiles) as Python classes.
//!
//! The classes are native types so that `update(x)` runs no Python frame. Arguments are
//! validated here; the engine assumes valid, finite input.

use pyo3::prelude::*;
use pyo3::types::PyBytes;

use super::common::{
    describe, ensure_all_finite, ensure_finite, float_vector, get_state, set_state, value_error,
    Pickled,
};
use crate::engine::p2_quantile::{check_probability, P2Quantile};
use crate::engine::rolling_quantile::{RollingWindow, RollingWindowState};

fn checked_window_size(window_size: i64) -> PyResult<usize> {
    usize::try_from(window_size)
        .ok()
        .filter(|&w| w >= 1)
        .ok_or_else(|| value_error(format!("window_size must be at least 1, got {window_size}")))
}

/// A rolling quantile may ask for the window's minimum (q=0) or maximum (q=1).
fn check_closed_probability(name: &str, value: f64) -> PyResult<()> {
    if (0.0..=1.0).contains(&value) {
        Ok(())
    } else {
        Err(value_error(format!(
            "{name} must lie in [0, 1], got {value}"
        )))
    }
}

fn check_ordered(q_inf: f64, q_sup: f64) -> PyResult<()> {
    if q_inf < q_sup {
        Ok(())
    } else {
        Err(value_error(format!(
            "q_inf must be smaller than q_sup, got q_inf={q_inf} and q_sup={q_sup}"
        )))
    }
}

/// Running estimate of a quantile with the P² algorithm, in constant memory.
///
/// Parameters
/// ----------
/// q : float, default 0.5
///     The quantile to estimate, strictly between 0 and 1.
///
/// Notes
/// -----
/// P² (Jain & Chlamtac, 1985) keeps five markers and moves them with a piecewise-parabolic
/// correction. It is approximate; until five values have been seen the exact quantile of the
/// values seen is returned. ``get()`` returns ``None`` before the first update. NaN and
/// infinite values raise ``ValueError`` and leave the state unchanged.
///
/// Examples
/// --------
/// >>> from river_lite import stats
/// >>> median = stats.Quantile(0.5)
/// >>> for x in [5.0, 1.0, 4.0, 2.0, 3.0]:
/// ...     median.update(x)
/// >>> median.get()
/// 3.0
/// >>> median
/// Quantile(q=0.5): 3.0
#[pyclass(name = "Quantile")]
pub struct Quantile {
    engine: P2Quantile,
}

impl Pickled for Quantile {
    const KIND: &'static str = "Quantile";
    type Payload = P2Quantile;
    fn payload(&self) -> P2Quantile {
        self.engine.clone()
    }
    fn from_payload(engine: P2Quantile) -> Result<Self, String> {
        engine.validate()?;
        Ok(Self { engine })
    }
}

#[pymethods]
impl Quantile {
    #[new]
    #[pyo3(signature = (q = 0.5))]
    fn new(q: f64) -> PyResult<Self> {
        check_probability("q", q).map_err(value_error)?;
        Ok(Self {
            engine: P2Quantile::new(q),
        })
    }

    /// Adds one value. NaN and infinities raise ValueError.
    fn update(&mut self, x: f64) -> PyResult<()> {
        self.engine.update(ensure_finite(x)?);
        Ok(())
    }

    /// Adds every value of a 1-D float array-like, in order.
    fn update_many(&mut self, values: &Bound<'_, PyAny>) -> PyResult<()> {
        let array = float_vector(values)?;
        let values = array.as_slice()?;
        ensure_all_finite(values)?;
        values.iter().for_each(|&x| self.engine.update(x));
        Ok(())
    }

    /// The current estimate, or None before the first update.
    fn get(&self) -> Option<f64> {
        self.engine.get()
    }

    #[getter]
    fn q(&self) -> f64 {
        self.engine.q()
    }

    #[getter]
    fn name(&self) -> &'static str {
        "quantile"
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        describe(
            py,
            "Quantile",
            &format!("q={}", self.engine.q()),
            self.get(),
        )
    }

    fn __getnewargs__(&self) -> (f64,) {
        (self.engine.q(),)
    }

    fn __getstate__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        get_state(py, self)
    }

    fn __setstate__(&mut self, state: &[u8]) -> PyResult<()> {
        set_state(self, state)
    }
}

/// Running interquartile range ``Quantile(q_sup) - Quantile(q_inf)``, both estimated with P².
///
/// Parameters
/// ----------
/// q_inf : float, default 0.25
///     Lower quantile, strictly between 0 and 1.
/// q_sup : float, default 0.75
///     Upper quantile, strictly between ``q_inf`` and 1.
///
/// Notes
/// -----
/// ``get()`` returns ``None`` before the first update. NaN and infinite values raise
/// ``ValueError`` and leave the state unchanged.
///
/// Examples
/// --------
/// >>> from river_lite import stats
/// >>> iqr = stats.IQR(q_inf=0.25, q_sup=0.75)
/// >>> iqr.update_many([1.0, 2.0, 3.0, 4.0, 5.0])
/// >>> iqr.get()
/// 2.0
#[pyclass(name = "IQR")]
pub struct Iqr {
    lower: P2Quantile,
    upper: P2Quantile,
}

impl Pickled for Iqr {
    const KIND: &'static str = "IQR";
    type Payload = (P2Quantile, P2Quantile);
    fn payload(&self) -> Self::Payload {
        (self.lower.clone(), self.upper.clone())
    }
    fn from_payload((lower, upper): Self::Payload) -> Result<Self, String> {
        lower.validate()?;
        upper.validate()?;
        if lower.q() >= upper.q() || lower.count() != upper.count() {
            return Err("the two quantiles do not belong together".into());
        }
        Ok(Self { lower, upper })
    }
}

#[pymethods]
impl Iqr {
    #[new]
    #[pyo3(signature = (q_inf = 0.25, q_sup = 0.75))]
    fn new(q_inf: f64, q_sup: f64) -> PyResult<Self> {
        check_probability("q_inf", q_inf).map_err(value_error)?;
        check_probability("q_sup", q_sup).map_err(value_error)?;
        check_ordered(q_inf, q_sup)?;
        Ok(Self {
            lower: P2Quantile::new(q_inf),
            upper: P2Quantile::new(q_sup),
        })
    }

    /// Adds one value. NaN and infinities raise ValueError.
    fn update(&mut self, x: f64) -> PyResult<()> {
        let x = ensure_finite(x)?;
        self.lower.update(x);
        self.upper.update(x);
        Ok(())
    }

    /// Adds every value of a 1-D float array-like, in order.
    fn update_many(&mut self, values: &Bound<'_, PyAny>) -> PyResult<()> {
        let array = float_vector(values)?;
        let values = array.as_slice()?;
        ensure_all_finite(values)?;
        for &x in values {
            self.lower.update(x);
            self.upper.update(x);
        }
        Ok(())
    }

    /// The current range, or None before the first update.
    fn get(&self) -> Option<f64> {
        Some(self.upper.get()? - self.lower.get()?)
    }

    #[getter]
    fn q_inf(&self) -> f64 {
        self.lower.q()
    }

    #[getter]
    fn q_sup(&self) -> f64 {
        self.upper.q()
    }

    #[getter]
    fn name(&self) -> String {
        format!("IQR_{}_{}", self.lower.q(), self.upper.q())
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let params = format!("q_inf={}, q_sup={}", self.lower.q(), self.upper.q());
        describe(py, "IQR", &params, self.get())
    }

    fn __getnewargs__(&self) -> (f64, f64) {
        (self.lower.q(), self.upper.q())
    }

    fn __getstate__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        get_state(py, self)
    }

    fn __setstate__(&mut self, state: &[u8]) -> PyResult<()> {
        set_state(self, state)
    }
}

/// Exact quantile of the last ``window_size`` values, in O(log window_size) per update.
///
/// Parameters
/// ----------
/// q : float
///     The quantile, in [0, 1] (0 is the window's minimum, 1 its maximum).
/// window_size : int
///     Number of most recent values the quantile is taken over, at least 1.
///
/// Notes
/// -----
/// Quantiles interpolate linearly between order statistics, like ``numpy.quantile`` and
/// River's ``RollingQuantile``. The window is kept sorted in a counted B+-tree, so an update
/// costs O(log window_size) instead of the O(window_size) of a sorted array. ``get()``
/// returns ``None`` before the first update. NaN and infinite values raise ``ValueError``.
///
/// Examples
/// --------
/// >>> from river_lite import stats
/// >>> rolling = stats.RollingQuantile(q=0.5, window_size=3)
/// >>> for x in [1.0, 9.0, 2.0, 8.0]:
/// ...     rolling.update(x)
/// >>> rolling.get()  # median of [9, 2, 8]
/// 8.0
#[pyclass(name = "RollingQuantile")]
pub struct RollingQuantile {
    q: f64,
    window: RollingWindow,
}

impl Pickled for RollingQuantile {
    const KIND: &'static str = "RollingQuantile";
    type Payload = (f64, RollingWindowState);
    fn payload(&self) -> Self::Payload {
        (self.q, self.window.state())
    }
    fn from_payload((q, window): Self::Payload) -> Result<Self, String> {
        if !(0.0..=1.0).contains(&q) {
            return Err(format!("q {q} is outside [0, 1]"));
        }
        Ok(Self {
            q,
            window: RollingWindow::from_state(window)?,
        })
    }
}

#[pymethods]
impl RollingQuantile {
    #[new]
    fn new(q: f64, window_size: i64) -> PyResult<Self> {
        check_closed_probability("q", q)?;
        Ok(Self {
            q,
            window: RollingWindow::new(checked_window_size(window_size)?),
        })
    }

    /// Adds one value, evicting the oldest when the window is full.
    fn update(&mut self, x: f64) -> PyResult<()> {
        self.window.push(ensure_finite(x)?);
        Ok(())
    }

    /// Adds every value of a 1-D float array-like, in order.
    fn update_many(&mut self, values: &Bound<'_, PyAny>) -> PyResult<()> {
        let array = float_vector(values)?;
        let values = array.as_slice()?;
        ensure_all_finite(values)?;
        values.iter().for_each(|&x| self.window.push(x));
        Ok(())
    }

    /// The quantile of the current window, or None before the first update.
    fn get(&self) -> Option<f64> {
        self.window.quantile(self.q)
    }

    #[getter]
    fn q(&self) -> f64 {
        self.q
    }

    #[getter]
    fn window_size(&self) -> usize {
        self.window.window_size()
    }

    #[getter]
    fn name(&self) -> String {
        format!("rollingquantile_{}", self.window.window_size())
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let params = format!("q={}, window_size={}", self.q, self.window.window_size());
        describe(py, "RollingQuantile", &params, self.get())
    }

    fn __getnewargs__(&self) -> (f64, usize) {
        (self.q, self.window.window_size())
    }

    fn __getstate__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        get_state(py, self)
    }

    fn __setstate__(&mut self, state: &[u8]) -> PyResult<()> {
        set_state(self, state)
    }
}

/// Exact interquartile range of the last ``window_size`` values, O(log window_size) per update.
///
/// Parameters
/// ----------
/// window_size : int
///     Number of most recent values, at least 1.
/// q_inf : float, default 0.25
///     Lower quantile, in [0, 1].
/// q_sup : float, default 0.75
///     Upper quantile, in [0, 1] and larger than ``q_inf``.
///
/// Notes
/// -----
/// Same window and interpolation as :class:`RollingQuantile`. ``get()`` returns ``None``
/// before the first update.
///
/// Examples
/// --------
/// >>> from river_lite import stats
/// >>> iqr = stats.RollingIQR(window_size=4)
/// >>> iqr.update_many([1.0, 2.0, 3.0, 4.0, 5.0])
/// >>> iqr.get()  # window [2, 3, 4, 5]: 4.25 - 2.75
/// 1.5
#[pyclass(name = "RollingIQR")]
pub struct RollingIqr {
    q_inf: f64,
    q_sup: f64,
    window: RollingWindow,
}

impl Pickled for RollingIqr {
    const KIND: &'static str = "RollingIQR";
    type Payload = (f64, f64, RollingWindowState);
    fn payload(&self) -> Self::Payload {
        (self.q_inf, self.q_sup, self.window.state())
    }
    fn from_payload((q_inf, q_sup, window): Self::Payload) -> Result<Self, String> {
        if !(0.0 <= q_inf && q_inf < q_sup && q_sup <= 1.0) {
            return Err(format!(
                "quantiles {q_inf} and {q_sup} are out of order or range"
            ));
        }
        Ok(Self {
            q_inf,
            q_sup,
            window: RollingWindow::from_state(window)?,
        })
    }
}

#[pymethods]
impl RollingIqr {
    #[new]
    #[pyo3(signature = (window_size, q_inf = 0.25, q_sup = 0.75))]
    fn new(window_size: i64, q_inf: f64, q_sup: f64) -> PyResult<Self> {
        check_closed_probability("q_inf", q_inf)?;
        check_closed_probability("q_sup", q_sup)?;
        check_ordered(q_inf, q_sup)?;
        Ok(Self {
            q_inf,
            q_sup,
            window: RollingWindow::new(checked_window_size(window_size)?),
        })
    }

    /// Adds one value, evicting the oldest when the window is full.
    fn update(&mut self, x: f64) -> PyResult<()> {
        self.window.push(ensure_finite(x)?);
        Ok(())
    }

    /// Adds every value of a 1-D float array-like, in order.
    fn update_many(&mut self, values: &Bound<'_, PyAny>) -> PyResult<()> {
        let array = float_vector(values)?;
        let values = array.as_slice()?;
        ensure_all_finite(values)?;
        values.iter().for_each(|&x| self.window.push(x));
        Ok(())
    }

    /// The range of the current window, or None before the first update.
    fn get(&self) -> Option<f64> {
        Some(self.window.quantile(self.q_sup)? - self.window.quantile(self.q_inf)?)
    }

    #[getter]
    fn q_inf(&self) -> f64 {
        self.q_inf
    }

    #[getter]
    fn q_sup(&self) -> f64 {
        self.q_sup
    }

    #[getter]
    fn window_size(&self) -> usize {
        self.window.window_size()
    }

    #[getter]
    fn name(&self) -> String {
        format!("rollingiqr_{}", self.window.window_size())
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let params = format!(
            "window_size={}, q_inf={}, q_sup={}",
            self.window.window_size(),
            self.q_inf,
            self.q_sup
        );
        describe(py, "RollingIQR", &params, self.get())
    }

    fn __getnewargs__(&self) -> (usize, f64, f64) {
        (self.window.window_size(), self.q_inf, self.q_sup)
    }

    fn __getstate__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        get_state(py, self)
    }

    fn __setstate__(&mut self, state: &[u8]) -> PyResult<()> {
        set_state(self, state)
    }
}
