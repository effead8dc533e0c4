//! Numerically stable logistic and softmax functions.

/// `1 / (1 + exp(-z))` without overflow.
#[inline(always)]
pub fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

/// `log(1 + exp(z))` without overflow or loss of precision for large `|z|`.
#[inline(always)]
pub fn softplus(z: f64) -> f64 {
    if z > 0.0 {
        z + (-z).exp().ln_1p()
    } else {
        z.exp().ln_1p()
    }
}

/// Replaces `z` by `softmax(z)`; returns `log(sum(exp(z)))`.
#[inline(always)]
pub fn softmax_in_place(z: &mut [f64]) -> f64 {
    let max = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut sum = 0.0;
    for v in z.iter_mut() {
        *v = (*v - max).exp();
        sum += *v;
    }
    for v in z.iter_mut() {
        *v /= sum;
    }
    max + sum.ln()
}

/// Replaces `z` by `log_softmax(z)`.
#[inline(always)]
pub fn log_softmax_in_place(z: &mut [f64]) {
    let max = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let lse = max + z.iter().map(|v| (v - max).exp()).sum::<f64>().ln();
    z.iter_mut().for_each(|v| *v -= lse);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_at_extremes() {
        assert_eq!(sigmoid(1000.0), 1.0);
        assert_eq!(sigmoid(-1000.0), 0.0);
        assert!((sigmoid(0.3) - 1.0 / (1.0 + (-0.3f64).exp())).abs() < 1e-15);
        assert!((softplus(800.0) - 800.0).abs() < 1e-12);
        assert!((softplus(-50.0) - (-50.0f64).exp()).abs() < 1e-30);
        let mut z = [1000.0, 1001.0, 999.0];
        let lse = softmax_in_place(&mut z);
        assert!((z.iter().sum::<f64>() - 1.0).abs() < 1e-15);
        assert!(z[1] > z[0] && z[0] > z[2]);
        assert!((lse - (1001.0 + (1.0 + (-1.0f64).exp() + (-2.0f64).exp()).ln())).abs() < 1e-9);
        let mut l = [1000.0, 1001.0, 999.0];
        log_softmax_in_place(&mut l);
        assert!((l[1].exp() - z[1]).abs() < 1e-12);
    }
}
