//! The Python extension module. Its import name comes from the build configuration
//! (pyproject.toml), never from this file, so a renamed package needs no Rust change.
//!
//! One file per module of the Python package, with the same name (`river_lite.<module>` is
//! `bindings::<module>`, its engine `engine::<module>`). Each has a `register` function that adds its
//! classes and functions to the extension and may add facts to `build_info`; the list below is
//! the only place that names them, one line each.

use pyo3::prelude::*;
use pyo3::types::PyDict;

/// Declares each module's binding file and the list of their `register` functions.
macro_rules! modules {
    ($($name:ident),* $(,)?) => {
        $(mod $name;)*
        /// Every module's `register`, in this order.
        const REGISTER: &[fn(&Bound<'_, PyModule>, &Bound<'_, PyDict>) -> PyResult<()>] =
            &[$($name::register),*];
    };
}

modules! {
    classifier, // module: classifier
    sampler, // module: sampler
    stats, // module: stats
}

/// The attribute that holds the build facts `build_info` returns a copy of.
const BUILD_INFO: &str = "_build_info";

/// Facts about this build, read by `river-lite info`: what all builds report, and what each
/// module's `register` added.
#[pyfunction(pass_module)]
fn build_info<'py>(module: &Bound<'py, PyModule>) -> PyResult<Bound<'py, PyDict>> {
    module.getattr(BUILD_INFO)?.cast_into::<PyDict>()?.copy()
}

#[pymodule]
fn _core(module: &Bound<'_, PyModule>) -> PyResult<()> {
    let info = PyDict::new(module.py());
    info.set_item("language", "Rust")?;
    info.set_item("profile", env!("NATIVE_BUILD_PROFILE"))?;
    info.set_item("opt_level", env!("NATIVE_BUILD_OPT_LEVEL"))?;
    info.set_item("debug_assertions", cfg!(debug_assertions))?;
    info.set_item("pyo3", env!("NATIVE_PYO3_VERSION"))?;
    info.set_item("rust_numpy", env!("NATIVE_RUST_NUMPY_VERSION"))?;
    for register in REGISTER {
        register(module, &info)?;
    }
    // setattr, not add: add would list the private attribute in the module's __all__.
    module.setattr(BUILD_INFO, info)?;
    module.add_function(wrap_pyfunction!(build_info, module)?)?;
    // PyO3 lists every added name in `__all__`; without it the stub needs no list naming every
    // module's classes (stubtest still checks each public name both ways).
    module.delattr("__all__")?;
    Ok(())
}
