//! The Python extension module. Its import name comes from the build configuration
//! (pyproject.toml), never from this file, so a renamed package needs no Rust change.

mod classifier;
mod sampler;
mod stats_api;

use std::ffi::c_void;
use std::ptr::NonNull;

use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyDict};

use crate::engine::scaled_t_gibbs::vector_dispatch::InstructionSet;

/// Facts about this build, read by `python -m <package> info`.
#[pyfunction]
fn build_info(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let info = PyDict::new(py);
    info.set_item("language", "Rust")?;
    info.set_item("profile", env!("NATIVE_BUILD_PROFILE"))?;
    info.set_item("opt_level", env!("NATIVE_BUILD_OPT_LEVEL"))?;
    info.set_item("debug_assertions", cfg!(debug_assertions))?;
    info.set_item("pyo3", env!("NATIVE_PYO3_VERSION"))?;
    info.set_item("rust_numpy", env!("NATIVE_RUST_NUMPY_VERSION"))?;
    // Not a build setting: the vector instructions this CPU lets the sampler use.
    info.set_item("vector_instructions", InstructionSet::chosen().name())?;
    Ok(info)
}

#[pymodule]
fn _core(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_function(wrap_pyfunction!(build_info, module)?)?;
    sampler::register(module)?;
    classifier::register(module)?;
    let api = NonNull::from(&stats_api::STATS_API).cast::<c_void>();
    // SAFETY: the pointer is to a `static`, valid for the life of the process.
    let capsule =
        unsafe { PyCapsule::new_with_pointer(module.py(), api, stats_api::CAPSULE_NAME)? };
    module.add("stats_api", capsule)?;
    Ok(())
}
