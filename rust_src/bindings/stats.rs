//! The order-based statistics engines as a C API, for the Cython classes in
//! `stats/_order.pyx`.
//!
//! Why not `#[pyclass]`: a per-value `update(x)` is ~15 ns of arithmetic, and a PyO3 method
//! call costs ~45 ns against ~22 ns for a Cython method. So the Python-facing classes are Cython
//! types, and they call the Rust engine through this table of function pointers, published
//! once as a `PyCapsule` (the same mechanism NumPy uses for its C API). The table layout is
//! mirrored by the C declaration in `_order.pyx`; `size` and `version` let Cython refuse a
//! mismatched build instead of calling through a wrong pointer.
//!
//! Safety contract for callers: every engine pointer comes from a `*_new`/`*_decode` function
//! of this table, is used by one thread at a time, and is freed exactly once with the matching
//! `*_free`. Values passed in are finite (the Cython layer checks), and slices are valid for
//! `len` reads. None of these functions panics on such input.

use std::ffi::{c_void, CStr};
use std::ptr::NonNull;
use std::slice;

use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyDict};

use crate::engine::stats::p2_quantile::P2Quantile;
use crate::engine::stats::rolling_quantile::{RollingWindow, RollingWindowState};
use crate::engine::common::state;

/// Capsule name; Cython asks for exactly this name.
pub const CAPSULE_NAME: &CStr = c"native_stats_api";
/// Bump when the table below changes.
pub const API_VERSION: u32 = 5;

/// Bytes owned by Rust, handed to the caller, who returns them with `bytes_free`.
#[repr(C)]
pub struct OwnedBytes {
    data: *mut u8,
    len: usize,
}

impl OwnedBytes {
    fn new(bytes: Vec<u8>) -> Self {
        let boxed = bytes.into_boxed_slice();
        let len = boxed.len();
        Self {
            data: Box::into_raw(boxed).cast::<u8>(),
            len,
        }
    }
}

#[repr(C)]
pub struct StatsApi {
    pub size: usize,
    pub version: u32,
    pub bytes_free: unsafe extern "C" fn(OwnedBytes),

    pub p2_new: extern "C" fn(q: f64) -> *mut P2Quantile,
    pub p2_free: unsafe extern "C" fn(*mut P2Quantile),
    pub p2_update: unsafe extern "C" fn(*mut P2Quantile, f64),
    pub p2_update_many: unsafe extern "C" fn(*mut P2Quantile, *const f64, usize),
    /// Writes the estimate to `out` and returns true, or returns false when empty.
    pub p2_get: unsafe extern "C" fn(*const P2Quantile, *mut f64) -> bool,
    pub p2_encode: unsafe extern "C" fn(*const P2Quantile) -> OwnedBytes,
    /// A new engine from encoded state, or null when the state is invalid; `error` then holds
    /// a UTF-8 message to free with `bytes_free`.
    pub p2_decode: unsafe extern "C" fn(*const u8, usize, *mut OwnedBytes) -> *mut P2Quantile,

    pub window_new: extern "C" fn(window_size: usize) -> *mut RollingWindow,
    pub window_free: unsafe extern "C" fn(*mut RollingWindow),
    pub window_push: unsafe extern "C" fn(*mut RollingWindow, f64),
    pub window_push_many: unsafe extern "C" fn(*mut RollingWindow, *const f64, usize),
    pub window_quantile: unsafe extern "C" fn(*const RollingWindow, f64, *mut f64) -> bool,
    pub window_size: unsafe extern "C" fn(*const RollingWindow) -> usize,
    pub window_encode: unsafe extern "C" fn(*const RollingWindow) -> OwnedBytes,
    pub window_decode:
        unsafe extern "C" fn(*const u8, usize, *mut OwnedBytes) -> *mut RollingWindow,
    /// Updates two estimators with one value in one call (IQR's two quantiles): one call
    /// instead of two, and the two independent updates can overlap in the CPU.
    pub p2_update_pair: unsafe extern "C" fn(*mut P2Quantile, *mut P2Quantile, f64),
    /// `p2_update_pair` for each value of a batch.
    pub p2_update_pair_many:
        unsafe extern "C" fn(*mut P2Quantile, *mut P2Quantile, *const f64, usize),

    // The running values of a batch (`update_many(values, running=True)`): each writes one
    // output per value to `out`, valid for `len` writes; NaN where there is no estimate.
    /// The estimate after each value.
    pub p2_update_many_running: unsafe extern "C" fn(*mut P2Quantile, *const f64, usize, *mut f64),
    /// `upper - lower` after each value (IQR).
    pub p2_update_pair_many_running:
        unsafe extern "C" fn(*mut P2Quantile, *mut P2Quantile, *const f64, usize, *mut f64),
    /// The window's `q` quantile after each value.
    pub window_push_many_quantile:
        unsafe extern "C" fn(*mut RollingWindow, *const f64, usize, f64, *mut f64),
    /// The window's `q_sup` quantile minus its `q_inf` quantile after each value.
    pub window_push_many_range:
        unsafe extern "C" fn(*mut RollingWindow, *const f64, usize, f64, f64, *mut f64),
}

pub static STATS_API: StatsApi = StatsApi {
    size: std::mem::size_of::<StatsApi>(),
    version: API_VERSION,
    bytes_free,
    p2_new,
    p2_free,
    p2_update,
    p2_update_many,
    p2_get,
    p2_encode,
    p2_decode,
    window_new,
    window_free,
    window_push,
    window_push_many,
    window_quantile,
    window_size,
    window_encode,
    window_decode,
    p2_update_pair,
    p2_update_pair_many,
    p2_update_many_running,
    p2_update_pair_many_running,
    window_push_many_quantile,
    window_push_many_range,
};

const P2_KIND: &str = "P2Quantile";
const WINDOW_KIND: &str = "RollingWindow";

unsafe extern "C" fn bytes_free(bytes: OwnedBytes) {
    if !bytes.data.is_null() {
        // SAFETY: `data`/`len` come from `OwnedBytes::new`, i.e. from a boxed slice.
        drop(unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(bytes.data, bytes.len)) });
    }
}

/// Reads `len` values at `data` (a null `data` is an empty slice).
///
/// # Safety
/// `data` must be valid for `len` reads of f64.
unsafe fn values<'a>(data: *const f64, len: usize) -> &'a [f64] {
    if data.is_null() || len == 0 {
        &[]
    } else {
        unsafe { slice::from_raw_parts(data, len) }
    }
}

/// Decodes an engine state, or reports why it is invalid through `error`.
///
/// # Safety
/// `data` must be valid for `len` reads; `error` must be writable.
unsafe fn decode_into<T>(
    kind: &str,
    data: *const u8,
    len: usize,
    error: *mut OwnedBytes,
    build: impl FnOnce(&[u8]) -> Result<T, String>,
) -> *mut T {
    let bytes = if data.is_null() || len == 0 {
        &[][..]
    } else {
        unsafe { slice::from_raw_parts(data, len) }
    };
    match build(bytes) {
        Ok(engine) => Box::into_raw(Box::new(engine)),
        Err(message) => {
            if !error.is_null() {
                unsafe { error.write(OwnedBytes::new(format!("{kind}: {message}").into_bytes())) };
            }
            std::ptr::null_mut()
        }
    }
}

extern "C" fn p2_new(q: f64) -> *mut P2Quantile {
    Box::into_raw(Box::new(P2Quantile::new(q)))
}

unsafe extern "C" fn p2_free(engine: *mut P2Quantile) {
    if !engine.is_null() {
        drop(unsafe { Box::from_raw(engine) });
    }
}

unsafe extern "C" fn p2_update(engine: *mut P2Quantile, x: f64) {
    unsafe { (*engine).update(x) }
}

unsafe extern "C" fn p2_update_pair(first: *mut P2Quantile, second: *mut P2Quantile, x: f64) {
    unsafe {
        (*first).update(x);
        (*second).update(x);
    }
}

unsafe extern "C" fn p2_update_pair_many(
    lower: *mut P2Quantile,
    upper: *mut P2Quantile,
    data: *const f64,
    len: usize,
) {
    let (lower, upper) = unsafe { (&mut *lower, &mut *upper) };
    // Each value updates both in turn, which overlaps the two updates in the CPU; 12% faster
    // than a pass per quantile, measured on x86-64. (Each update_many keeping its markers
    // local does not pay off for two: 28 of them do not fit in the registers.)
    unsafe { values(data, len) }.iter().for_each(|&x| {
        lower.update(x);
        upper.update(x);
    });
}

unsafe extern "C" fn p2_update_many(engine: *mut P2Quantile, data: *const f64, len: usize) {
    let engine = unsafe { &mut *engine };
    engine.update_many(unsafe { values(data, len) }, |_| {});
}

unsafe extern "C" fn p2_get(engine: *const P2Quantile, out: *mut f64) -> bool {
    match unsafe { (*engine).get() } {
        Some(value) => {
            unsafe { out.write(value) };
            true
        }
        None => false,
    }
}

unsafe extern "C" fn p2_encode(engine: *const P2Quantile) -> OwnedBytes {
    // Encoding plain numbers into a Vec cannot fail; an empty state would be refused on load.
    OwnedBytes::new(state::encode(P2_KIND, unsafe { &*engine }).unwrap_or_default())
}

unsafe extern "C" fn p2_decode(
    data: *const u8,
    len: usize,
    error: *mut OwnedBytes,
) -> *mut P2Quantile {
    unsafe {
        decode_into(P2_KIND, data, len, error, |bytes| {
            let engine: P2Quantile = state::decode(P2_KIND, bytes)?;
            engine.restore()
        })
    }
}

extern "C" fn window_new(window_size: usize) -> *mut RollingWindow {
    Box::into_raw(Box::new(RollingWindow::new(window_size)))
}

unsafe extern "C" fn window_free(window: *mut RollingWindow) {
    if !window.is_null() {
        drop(unsafe { Box::from_raw(window) });
    }
}

unsafe extern "C" fn window_push(window: *mut RollingWindow, x: f64) {
    unsafe { (*window).push(x) }
}

unsafe extern "C" fn window_push_many(window: *mut RollingWindow, data: *const f64, len: usize) {
    unsafe { (*window).push_many(values(data, len)) }
}

/// The `len` output slots at `out` (a null `out` is no slot).
///
/// # Safety
/// `out` must be valid for `len` writes of f64.
unsafe fn outputs<'a>(out: *mut f64, len: usize) -> &'a mut [f64] {
    if out.is_null() || len == 0 {
        &mut []
    } else {
        unsafe { slice::from_raw_parts_mut(out, len) }
    }
}

unsafe extern "C" fn p2_update_many_running(
    engine: *mut P2Quantile,
    data: *const f64,
    len: usize,
    out: *mut f64,
) {
    let engine = unsafe { &mut *engine };
    let (values, out) = unsafe { (values(data, len), outputs(out, len)) };
    let mut slots = out.iter_mut();
    engine.update_many(values, |estimate| {
        if let Some(slot) = slots.next() {
            *slot = estimate;
        }
    });
}

unsafe extern "C" fn p2_update_pair_many_running(
    lower: *mut P2Quantile,
    upper: *mut P2Quantile,
    data: *const f64,
    len: usize,
    out: *mut f64,
) {
    let (lower, upper) = unsafe { (&mut *lower, &mut *upper) };
    let (values, out) = unsafe { (values(data, len), outputs(out, len)) };
    for (&x, slot) in values.iter().zip(out) {
        lower.update(x);
        upper.update(x);
        *slot = match (lower.get(), upper.get()) {
            (Some(low), Some(high)) => high - low,
            _ => f64::NAN,
        };
    }
}

unsafe extern "C" fn window_push_many_quantile(
    window: *mut RollingWindow,
    data: *const f64,
    len: usize,
    q: f64,
    out: *mut f64,
) {
    let (values, out) = unsafe { (values(data, len), outputs(out, len)) };
    unsafe { (*window).push_many_reading(values, [q], |[value]| value, out) }
}

unsafe extern "C" fn window_push_many_range(
    window: *mut RollingWindow,
    data: *const f64,
    len: usize,
    q_inf: f64,
    q_sup: f64,
    out: *mut f64,
) {
    let (values, out) = unsafe { (values(data, len), outputs(out, len)) };
    unsafe { (*window).push_many_reading(values, [q_inf, q_sup], |[low, high]| high - low, out) }
}

unsafe extern "C" fn window_quantile(window: *const RollingWindow, q: f64, out: *mut f64) -> bool {
    match unsafe { (*window).quantile(q) } {
        Some(value) => {
            unsafe { out.write(value) };
            true
        }
        None => false,
    }
}

unsafe extern "C" fn window_size(window: *const RollingWindow) -> usize {
    unsafe { (*window).window_size() }
}

unsafe extern "C" fn window_encode(window: *const RollingWindow) -> OwnedBytes {
    let window_state = unsafe { (*window).state() };
    OwnedBytes::new(state::encode(WINDOW_KIND, &window_state).unwrap_or_default())
}

unsafe extern "C" fn window_decode(
    data: *const u8,
    len: usize,
    error: *mut OwnedBytes,
) -> *mut RollingWindow {
    unsafe {
        decode_into(WINDOW_KIND, data, len, error, |bytes| {
            let window_state: RollingWindowState = state::decode(WINDOW_KIND, bytes)?;
            RollingWindow::from_state(window_state)
        })
    }
}

/// Publishes the table as the capsule `stats_api` of the extension module.
pub fn register(module: &Bound<'_, PyModule>, _build_info: &Bound<'_, PyDict>) -> PyResult<()> {
    let api = NonNull::from(&STATS_API).cast::<c_void>();
    // SAFETY: the pointer is to a `static`, valid for the life of the process.
    let capsule = unsafe { PyCapsule::new_with_pointer(module.py(), api, CAPSULE_NAME)? };
    module.add("stats_api", capsule)
}
