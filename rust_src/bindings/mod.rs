//! The Python extension module. Its import name comes from the build configuration
//! (pyproject.toml), never from this file, so a renamed package needs no Rust change.

mod common;
mod stats;

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyType};

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
    Ok(info)
}

#[pymodule]
fn _core(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_function(wrap_pyfunction!(build_info, module)?)?;
    module.add_class::<stats::Quantile>()?;
    module.add_class::<stats::Iqr>()?;
    module.add_class::<stats::RollingQuantile>()?;
    module.add_class::<stats::RollingIqr>()?;
    // Pickle finds a class through its __module__. Set it to the name this module was imported
    // under (e.g. "river_lite._core") rather than writing the package name into Rust.
    let module_name = module.name()?;
    for (_, value) in module.dict().iter() {
        if let Ok(class) = value.cast::<PyType>() {
            class.setattr("__module__", &module_name)?;
        }
    }
    Ok(())
}
