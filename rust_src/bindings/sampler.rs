//! Python access to the Gibbs sampler of the scaled Student-t model
//! (`engine::sampler`): argument checks, GIL release, Ctrl-C, NumPy hand-off.
//!
//! Ctrl-C: the chains run on rayon threads while the calling thread, detached from Python,
//! waits for them and re-attaches every `SIGNAL_POLL` to run `check_signals`. A pending
//! `KeyboardInterrupt` raises the engine's stop flag, which every chain reads between two
//! iterations. The draws never depend on this polling.

use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

use numpy::ndarray::Array2;
use numpy::prelude::*;
use numpy::{PyArray1, PyArray2, PyUntypedArray};
use pyo3::exceptions::{PyMemoryError, PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyInt};

use crate::engine::sampler::vector_dispatch::InstructionSet;
use crate::engine::sampler::{self as engine, streams, Draws, RunSettings, SamplerError};

/// How often a waiting caller looks for Ctrl-C.
const SIGNAL_POLL: Duration = Duration::from_millis(50);

type Matrix<'py> = Bound<'py, PyArray2<f64>>;

/// Gibbs sampler for the scaled Student-t model (the engine of
/// ``river_lite.sampler.ScaledTModel``; use that instead).
///
/// ``data`` must be a 1-D, C-contiguous float64 NumPy array (it is copied once, so it may
/// change while the chains run). Returns ``(mu, sigma2, tau2, alpha2)``, each of shape
/// ``(chains, sample_size)``: chains ``first_chain .. first_chain + chains`` of the seed, where
/// chain ``c`` draws from xoshiro256++ seeded with ``seed_from_u64(seed)`` and jumped ``c``
/// times (``first_chain + chains <= 2**64``); ``threads`` (None: one per core) never changes the
/// draws. Ctrl-C interrupts between two iterations.
#[pyfunction]
#[pyo3(signature = (data, nu, burn_in, sample_size, chains, seed, threads=None, first_chain=None))]
#[allow(clippy::too_many_arguments)]
pub fn scaled_t_gibbs<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    nu: f64,
    burn_in: i64,
    sample_size: i64,
    chains: i64,
    seed: &Bound<'py, PyAny>,
    threads: Option<i64>,
    first_chain: Option<&Bound<'py, PyAny>>,
) -> PyResult<(Matrix<'py>, Matrix<'py>, Matrix<'py>, Matrix<'py>)> {
    let data = float64_vector(py, data, "data")?;
    let model = engine::ScaledTModel::new(data, nu).map_err(to_py_error)?;
    let settings = RunSettings {
        burn_in: count("burn_in", burn_in, 0)?,
        sample_size: count("sample_size", sample_size, 1)?,
        chains: count("chains", chains, 1)?,
        first_chain: first_chain.map_or(Ok(0), |value| u64_value(value, "first_chain"))?,
        seed: u64_value(seed, "seed")?,
        threads: threads.map(|t| count("threads", t, 1)).transpose()?,
    };
    settings.validate().map_err(to_py_error)?;
    let draws = run_interruptibly(py, |stop| engine::sample(&model, &settings, stop))?;
    let Draws {
        chains,
        sample_size,
        mu,
        sigma2,
        tau2,
        alpha2,
    } = draws;
    let matrix = |values: Vec<f64>| -> PyResult<Matrix<'py>> {
        let array = Array2::from_shape_vec((chains, sample_size), values)
            .map_err(|error| PyRuntimeError::new_err(error.to_string()))?;
        Ok(array.into_pyarray(py))
    };
    Ok((matrix(mu)?, matrix(sigma2)?, matrix(tau2)?, matrix(alpha2)?))
}

/// Benchmark helper, not part of the API: draws ``count`` χ²(``dof``) variates from the
/// sampler's generator (chain 0 of ``seed``) and returns their sum. Its run time is the floor
/// of a sampler run that needs that many latent-scale draws.
#[pyfunction]
pub fn chi_squared_floor(
    py: Python<'_>,
    count: i64,
    dof: f64,
    seed: &Bound<'_, PyAny>,
) -> PyResult<f64> {
    let count = self::count("count", count, 0)?;
    let seed = u64_value(seed, "seed")?;
    py.detach(|| streams::chi_squared_floor(seed, dof, count))
        .map_err(to_py_error)
}

/// Runs `work` detached from Python on a helper thread while this thread watches for Ctrl-C.
fn run_interruptibly<T: Send>(
    py: Python<'_>,
    work: impl FnOnce(&AtomicBool) -> Result<T, SamplerError> + Send,
) -> PyResult<T> {
    let (stop, done) = (&AtomicBool::new(false), &AtomicBool::new(false));
    let (outcome, interrupt) = py.detach(|| {
        thread::scope(|scope| {
            let caller = thread::current();
            let spawned =
                thread::Builder::new()
                    .name("sampler".into())
                    .spawn_scoped(scope, move || {
                        let outcome = work(stop);
                        done.store(true, Ordering::Release);
                        caller.unpark();
                        outcome
                    });
            let worker = match spawned {
                Ok(worker) => worker,
                Err(error) => return (Err(format!("cannot start a thread: {error}")), None),
            };
            let mut interrupt: Option<PyErr> = None;
            while !done.load(Ordering::Acquire) {
                thread::park_timeout(SIGNAL_POLL);
                if interrupt.is_none() && !done.load(Ordering::Acquire) {
                    if let Err(error) = Python::attach(|py| py.check_signals()) {
                        stop.store(true, Ordering::Relaxed);
                        interrupt = Some(error);
                    }
                }
            }
            let joined = worker.join().map_err(|_| {
                "the sampler thread failed unexpectedly (a bug: please report it)".to_string()
            });
            (joined, interrupt)
        })
    });
    match (outcome, interrupt) {
        (_, Some(error)) => Err(error),
        (Ok(result), None) => result.map_err(to_py_error),
        (Err(message), None) => Err(PyRuntimeError::new_err(message)),
    }
}

fn to_py_error(error: SamplerError) -> PyErr {
    match error {
        SamplerError::InvalidArgument(_) | SamplerError::NotFinite { .. } => {
            PyValueError::new_err(error.to_string())
        }
        SamplerError::OutOfMemory { .. } => PyMemoryError::new_err(error.to_string()),
        SamplerError::Interrupted | SamplerError::Threads(_) => {
            PyRuntimeError::new_err(error.to_string())
        }
    }
}

/// A non-negative count of at least `minimum`.
fn count(name: &str, value: i64, minimum: i64) -> PyResult<usize> {
    if value < minimum {
        return Err(PyValueError::new_err(format!(
            "{name} must be an integer >= {minimum}, got {value}"
        )));
    }
    usize::try_from(value)
        .map_err(|_| PyValueError::new_err(format!("{name} is too large for this platform")))
}

/// A seed or a chain index: a Python int in [0, 2**64).
fn u64_value(value: &Bound<'_, PyAny>, name: &str) -> PyResult<u64> {
    if !value.is_instance_of::<PyInt>() || value.is_instance_of::<pyo3::types::PyBool>() {
        return Err(PyTypeError::new_err(format!(
            "{name} must be an int in [0, 2**64), got {}",
            value.get_type().name()?
        )));
    }
    value.extract::<u64>().map_err(|_| {
        PyValueError::new_err(format!("{name} must be an int in [0, 2**64), got {value}"))
    })
}

/// A copy of a 1-D, C-contiguous float64 array, with errors that say what is expected.
fn float64_vector(py: Python<'_>, value: &Bound<'_, PyAny>, name: &str) -> PyResult<Vec<f64>> {
    let advice = "convert with numpy.ascontiguousarray(values, dtype=numpy.float64)";
    let untyped = value.cast::<PyUntypedArray>().map_err(|_| {
        PyTypeError::new_err(format!(
            "{name} must be a numpy.ndarray of float64, got {}; {advice}",
            value
                .get_type()
                .name()
                .map(|n| n.to_string())
                .unwrap_or_default()
        ))
    })?;
    if untyped.ndim() != 1 {
        return Err(PyValueError::new_err(format!(
            "{name} must be 1-D, got an array of shape {:?}",
            untyped.shape()
        )));
    }
    if !untyped.dtype().is_equiv_to(&numpy::dtype::<f64>(py)) {
        return Err(PyTypeError::new_err(format!(
            "{name} must have dtype float64, got {}; {advice}",
            untyped.dtype()
        )));
    }
    let array = untyped
        .cast::<PyArray1<f64>>()?
        .try_readonly()
        .map_err(|error| PyValueError::new_err(format!("{name} cannot be read: {error}")))?;
    let values = array
        .as_slice()
        .map_err(|_| PyTypeError::new_err(format!("{name} must be C-contiguous; {advice}")))?;
    Ok(values.to_vec())
}

/// Adds this file's functions to the extension module, and to its build facts the vector
/// instructions this CPU lets the sampler use (not a build setting: chosen at run time).
pub fn register(module: &Bound<'_, PyModule>, build_info: &Bound<'_, PyDict>) -> PyResult<()> {
    module.add_function(wrap_pyfunction!(scaled_t_gibbs, module)?)?;
    module.add_function(wrap_pyfunction!(chi_squared_floor, module)?)?;
    build_info.set_item("vector_instructions", InstructionSet::chosen().name())?;
    Ok(())
}
