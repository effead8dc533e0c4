//! The float types a network computes in, and the matrix product it needs.

use std::fmt::Debug;
use std::ops::{Add, AddAssign, Div, Mul, MulAssign, Neg, Sub, SubAssign};

use serde::{de::DeserializeOwned, Serialize};

/// `f32` or `f64`.
pub trait Real:
    Copy
    + Send
    + Sync
    + Default
    + PartialOrd
    + Debug
    + 'static
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + AddAssign
    + SubAssign
    + MulAssign
    + Serialize
    + DeserializeOwned
{
    const ZERO: Self;
    const ONE: Self;
    fn from_f64(value: f64) -> Self;
    fn to_f64(self) -> f64;
    fn exp(self) -> Self;
    fn ln(self) -> Self;
    fn sqrt(self) -> Self;
    fn is_finite(self) -> bool;

    /// `matrixmultiply`'s general product for this type (see [`gemm`]).
    ///
    /// # Safety
    /// The pointers and strides must describe matrices inside live allocations, and `c`
    /// must not overlap `a` or `b`.
    #[allow(clippy::too_many_arguments)]
    unsafe fn gemm_raw(
        m: usize,
        k: usize,
        n: usize,
        a: *const Self,
        rsa: isize,
        csa: isize,
        b: *const Self,
        rsb: isize,
        csb: isize,
        beta: Self,
        c: *mut Self,
        rsc: isize,
        csc: isize,
    );
}

macro_rules! impl_real {
    ($t:ty, $gemm:path) => {
        impl Real for $t {
            const ZERO: Self = 0.0;
            const ONE: Self = 1.0;
            #[inline(always)]
            fn from_f64(value: f64) -> Self {
                value as $t
            }
            #[inline(always)]
            fn to_f64(self) -> f64 {
                self as f64
            }
            #[inline(always)]
            fn exp(self) -> Self {
                <$t>::exp(self)
            }
            #[inline(always)]
            fn ln(self) -> Self {
                <$t>::ln(self)
            }
            #[inline(always)]
            fn sqrt(self) -> Self {
                <$t>::sqrt(self)
            }
            #[inline(always)]
            fn is_finite(self) -> bool {
                <$t>::is_finite(self)
            }
            unsafe fn gemm_raw(
                m: usize,
                k: usize,
                n: usize,
                a: *const Self,
                rsa: isize,
                csa: isize,
                b: *const Self,
                rsb: isize,
                csb: isize,
                beta: Self,
                c: *mut Self,
                rsc: isize,
                csc: isize,
            ) {
                // SAFETY: forwarded from the caller's contract.
                unsafe { $gemm(m, k, n, 1.0, a, rsa, csa, b, rsb, csb, beta, c, rsc, csc) }
            }
        }
    };
}

impl_real!(f32, matrixmultiply::sgemm);
impl_real!(f64, matrixmultiply::dgemm);

/// `C = op(A) op(B) + beta C` for row-major buffers, where `op(A)` is `m × k` (`a` holds
/// `A` as `m × k`, or as `k × m` when `a_transposed`), `op(B)` is `k × n` (`b` holds `k × n`,
/// or `n × k` when `b_transposed`) and `c` is `m × n`. With `beta = 0`, `c` is not read.
///
/// The product is deterministic: `matrixmultiply` without its threading feature runs on the
/// calling thread, in a fixed order for given shapes and CPU features.
#[allow(clippy::too_many_arguments)]
pub fn gemm<R: Real>(
    m: usize,
    k: usize,
    n: usize,
    a: &[R],
    a_transposed: bool,
    b: &[R],
    b_transposed: bool,
    beta: R,
    c: &mut [R],
) {
    // These checks guard the unsafe call below, so they are hard assertions, and no input
    // reaches them: every caller is a `Linear` layer, which passes its own `inputs`/`outputs`
    // and matrices built with `rows * cols` values; the batch's column count is the first
    // layer's `inputs` because `MlpClassifier::check_input` refuses any X whose feature count
    // differs (a ValueError), and a decoded state is only accepted after `is_consistent`
    // checks that each layer's `inputs` is the previous layer's `outputs` and that its
    // parameter vector has `(inputs + 1) * outputs` values.
    assert!(
        a.len() >= m * k && b.len() >= k * n && c.len() >= m * n,
        "gemm shapes"
    );
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        c[..m * n].iter_mut().for_each(|v| *v *= beta);
        return;
    }
    let (rsa, csa) = if a_transposed { (1, m) } else { (k, 1) };
    let (rsb, csb) = if b_transposed { (1, k) } else { (n, 1) };
    // SAFETY: the assertion above keeps every index inside the three slices; `c` is a
    // unique borrow, so it cannot overlap `a` or `b`.
    unsafe {
        R::gemm_raw(
            m,
            k,
            n,
            a.as_ptr(),
            rsa as isize,
            csa as isize,
            b.as_ptr(),
            rsb as isize,
            csb as isize,
            beta,
            c.as_mut_ptr(),
            n as isize,
            1,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(m: usize, k: usize, n: usize, a: &[f64], at: bool, b: &[f64], bt: bool) -> Vec<f64> {
        let mut c = vec![0.0; m * n];
        for i in 0..m {
            for j in 0..n {
                for p in 0..k {
                    let x = if at { a[p * m + i] } else { a[i * k + p] };
                    let y = if bt { b[j * k + p] } else { b[p * n + j] };
                    c[i * n + j] += x * y;
                }
            }
        }
        c
    }

    #[test]
    fn gemm_matches_naive_product_in_all_layouts() {
        let (m, k, n) = (5, 7, 3);
        let a: Vec<f64> = (0..m * k).map(|i| (i as f64 * 0.37).sin()).collect();
        let b: Vec<f64> = (0..k * n).map(|i| (i as f64 * 0.11).cos()).collect();
        for at in [false, true] {
            for bt in [false, true] {
                let expected = naive(m, k, n, &a, at, &b, bt);
                let mut c = vec![1.0; m * n];
                gemm(m, k, n, &a, at, &b, bt, 0.0, &mut c);
                for (x, y) in c.iter().zip(&expected) {
                    assert!((x - y).abs() < 1e-12);
                }
                let mut acc = vec![1.0; m * n];
                gemm(m, k, n, &a, at, &b, bt, 1.0, &mut acc);
                for (x, y) in acc.iter().zip(&expected) {
                    assert!((x - (y + 1.0)).abs() < 1e-12);
                }
            }
        }
        let a32: Vec<f32> = a.iter().map(|&v| v as f32).collect();
        let b32: Vec<f32> = b.iter().map(|&v| v as f32).collect();
        let mut c32 = vec![0.0f32; m * n];
        gemm(m, k, n, &a32, false, &b32, false, 0.0, &mut c32);
        let expected = naive(m, k, n, &a, false, &b, false);
        for (x, y) in c32.iter().zip(&expected) {
            assert!((f64::from(*x) - y).abs() < 1e-5);
        }
    }
}
