//! The full conditional distributions of the parameter-expanded scaled-t model, as formulas.
//!
//! With `w_i = 1/U_i` (the precision weight of point `i`):
//!
//! ```text
//! U_i | …  ~ Inv-χ²(ν + 1, (ν τ² + ((x_i − μ)/α)²) / (ν + 1))
//! μ   | …  ~ N(Σ w_i x_i / Σ w_i,  α² / Σ w_i)
//! τ²  | …  ~ Gamma(shape n ν / 2, rate (ν / 2) Σ w_i)
//! α²  | …  ~ Inv-χ²(n, (1/n) Σ w_i (x_i − μ)²)
//! ```
//!
//! The `U_i` conditional *divides* the squared residual by `α²`: the "Speeding up Python with
//! Rust" talk's snippet multiplied it, which samples a different (wrong) chain whenever
//! `α² ≠ 1`. The tests below derive every conditional from the joint density by quadrature, so
//! they fail on that bug.
//!
//! A draw from these distributions is a deterministic function of one standard variate (a
//! χ², a standard normal or a unit-rate gamma), so the sweep in [`super::chain`] and the tests
//! share the formulas.

/// Scaled inverse-χ² distribution `Inv-χ²(dof, scale²)`, kept as `dof` and `dof · scale²`
/// because a draw is `dof · scale² / χ²_dof`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ScaledInvChiSquared {
    pub dof: f64,
    pub dof_scale2: f64,
}

impl ScaledInvChiSquared {
    pub fn scale2(&self) -> f64 {
        self.dof_scale2 / self.dof
    }

    /// The draw that corresponds to the χ²(`dof`) variate `chi2`.
    #[inline]
    pub fn draw(&self, chi2: f64) -> f64 {
        self.dof_scale2 / chi2
    }

    /// The reciprocal of [`Self::draw`], with a single division.
    #[inline]
    pub fn draw_reciprocal(&self, chi2: f64) -> f64 {
        chi2 / self.dof_scale2
    }

    /// Mean of the reciprocal, which is Gamma(dof/2, rate dof·scale²/2): `1 / scale²`.
    pub fn reciprocal_mean(&self) -> f64 {
        self.dof / self.dof_scale2
    }

    /// Variance of the reciprocal: `2 / (dof · scale⁴)`.
    pub fn reciprocal_variance(&self) -> f64 {
        2.0 * self.dof / (self.dof_scale2 * self.dof_scale2)
    }
}

/// Normal distribution `N(mean, variance)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Normal {
    pub mean: f64,
    pub variance: f64,
}

impl Normal {
    /// The draw that corresponds to the standard normal variate `z`.
    #[inline]
    pub fn draw(&self, z: f64) -> f64 {
        self.mean + self.variance.sqrt() * z
    }
}

/// Gamma distribution with a shape and a *rate* (inverse scale).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Gamma {
    pub shape: f64,
    pub rate: f64,
}

impl Gamma {
    /// The draw that corresponds to the Gamma(`shape`, rate 1) variate `unit`.
    #[inline]
    pub fn draw(&self, unit: f64) -> f64 {
        unit / self.rate
    }

    pub fn mean(&self) -> f64 {
        self.shape / self.rate
    }

    pub fn variance(&self) -> f64 {
        self.shape / (self.rate * self.rate)
    }
}

/// The state of the expanded model that the next block conditions on.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Expanded {
    pub mu: f64,
    pub tau2: f64,
    pub alpha2: f64,
}

/// `U_i | μ, τ², α², x_i`, prepared once per sweep: [`Self::at`] costs one multiply-add.
#[derive(Clone, Copy, Debug)]
pub struct LatentScales {
    dof: f64,
    mu: f64,
    nu_tau2: f64,
    inv_alpha2: f64,
}

impl LatentScales {
    pub fn new(state: &Expanded, nu: f64) -> Self {
        Self {
            dof: nu + 1.0,
            mu: state.mu,
            nu_tau2: nu * state.tau2,
            inv_alpha2: 1.0 / state.alpha2,
        }
    }

    /// The conditional of `U_i` for the data point `x_i`.
    #[inline]
    pub fn at(&self, x_i: f64) -> ScaledInvChiSquared {
        let residual = x_i - self.mu;
        ScaledInvChiSquared {
            dof: self.dof,
            // ν τ² + ((x_i − μ)/α)²: the squared residual is divided by α², not multiplied.
            dof_scale2: self.nu_tau2 + residual * residual * self.inv_alpha2,
        }
    }
}

/// `μ | U, α², x` from `Σ w_i` and `Σ w_i x_i`.
pub fn location(sum_w: f64, sum_wx: f64, alpha2: f64) -> Normal {
    Normal {
        mean: sum_wx / sum_w,
        variance: alpha2 / sum_w,
    }
}

/// `τ² | U` from `n` and `Σ w_i`.
pub fn tau2(n: usize, nu: f64, sum_w: f64) -> Gamma {
    Gamma {
        shape: n as f64 * nu / 2.0,
        rate: nu / 2.0 * sum_w,
    }
}

/// `α² | μ, U, x` from `n` and `Σ w_i (x_i − μ)²`.
pub fn alpha2(n: usize, sum_w_residual2: f64) -> ScaledInvChiSquared {
    ScaledInvChiSquared {
        dof: n as f64,
        dof_scale2: sum_w_residual2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Log density of the expanded model, up to a constant, written straight from its
    /// definition (see the module docs of `engine::sampler`), independently of the formulas above.
    fn log_joint(x: &[f64], u: &[f64], s: &Expanded, nu: f64) -> f64 {
        let mut total = -s.tau2.ln() - s.alpha2.ln();
        for (&x_i, &u_i) in x.iter().zip(u) {
            let variance = s.alpha2 * u_i;
            total += -0.5 * variance.ln() - (x_i - s.mu).powi(2) / (2.0 * variance);
            total +=
                0.5 * nu * s.tau2.ln() - (0.5 * nu + 1.0) * u_i.ln() - nu * s.tau2 / (2.0 * u_i);
        }
        total
    }

    /// Mean and variance of `g(θ)` under the density `exp(log_density(θ))` on a grid in
    /// `log θ` (θ > 0) or in θ itself, by the trapezoidal rule.
    fn moments(
        log_density: impl Fn(f64) -> f64,
        g: impl Fn(f64) -> f64,
        (lo, hi): (f64, f64),
        log_scale: bool,
    ) -> (f64, f64) {
        let points = 200_001;
        let step = (hi - lo) / (points - 1) as f64;
        let theta = |k: usize| {
            let t = lo + k as f64 * step;
            if log_scale {
                t.exp()
            } else {
                t
            }
        };
        // Density of the grid variable: on the log scale the Jacobian is θ.
        let log_p = |k: usize| {
            let th = theta(k);
            log_density(th) + if log_scale { th.ln() } else { 0.0 }
        };
        let peak = (0..points).map(log_p).fold(f64::NEG_INFINITY, f64::max);
        let (mut z, mut m1, mut m2) = (0.0, 0.0, 0.0);
        for k in 0..points {
            let weight = if k == 0 || k == points - 1 { 0.5 } else { 1.0 };
            let p = weight * (log_p(k) - peak).exp();
            let v = g(theta(k));
            z += p;
            m1 += p * v;
            m2 += p * v * v;
        }
        let mean = m1 / z;
        (mean, m2 / z - mean * mean)
    }

    fn assert_close(what: &str, got: f64, want: f64, rel: f64) {
        assert!(
            ((got - want) / want).abs() < rel,
            "{what}: quadrature {got}, closed form {want}"
        );
    }

    const X: [f64; 5] = [1.3, -0.4, 2.9, 0.7, 8.0];
    const U: [f64; 5] = [0.8, 1.7, 0.35, 2.2, 5.0];
    const NU: f64 = 4.0;
    // α² far from 1, so that a conditional that multiplies by α² instead of dividing fails.
    const STATE: Expanded = Expanded {
        mu: 0.9,
        tau2: 1.4,
        alpha2: 3.7,
    };

    #[test]
    fn latent_scale_conditional_matches_the_joint() {
        let scales = LatentScales::new(&STATE, NU);
        for i in 0..X.len() {
            let log_density = |u_i: f64| {
                let mut u = U;
                u[i] = u_i;
                log_joint(&X, &u, &STATE, NU)
            };
            let (mean, variance) = moments(log_density, |u| 1.0 / u, (-12.0, 12.0), true);
            let conditional = scales.at(X[i]);
            assert_eq!(conditional.dof, NU + 1.0);
            assert_close("E[1/U_i]", mean, conditional.reciprocal_mean(), 1e-6);
            assert_close(
                "Var[1/U_i]",
                variance,
                conditional.reciprocal_variance(),
                1e-5,
            );
        }
    }

    #[test]
    fn latent_scale_divides_the_squared_residual_by_alpha2() {
        // (ν τ² + (x − μ)² / α²) / (ν + 1) with ν = 3, τ² = 2, α² = 4, x − μ = 4: (6 + 4) / 4.
        let state = Expanded {
            mu: 1.0,
            tau2: 2.0,
            alpha2: 4.0,
        };
        let conditional = LatentScales::new(&state, 3.0).at(5.0);
        assert_eq!(conditional.scale2(), 2.5);
        // The talk's version, (6 + 16 · 4) / 4 = 17.5, is a different distribution.
        assert_ne!(conditional.scale2(), 17.5);
    }

    #[test]
    fn location_conditional_matches_the_joint() {
        let log_density = |mu: f64| log_joint(&X, &U, &Expanded { mu, ..STATE }, NU);
        let (mean, variance) = moments(log_density, |m| m, (-30.0, 30.0), false);
        let sum_w: f64 = U.iter().map(|u| 1.0 / u).sum();
        let sum_wx: f64 = X.iter().zip(&U).map(|(x, u)| x / u).sum();
        let conditional = location(sum_w, sum_wx, STATE.alpha2);
        assert_close("E[mu]", mean, conditional.mean, 1e-8);
        assert_close("Var[mu]", variance, conditional.variance, 1e-6);
    }

    #[test]
    fn tau2_conditional_matches_the_joint() {
        let log_density = |tau2: f64| log_joint(&X, &U, &Expanded { tau2, ..STATE }, NU);
        let (mean, variance) = moments(log_density, |t| t, (-15.0, 10.0), true);
        let sum_w: f64 = U.iter().map(|u| 1.0 / u).sum();
        let conditional = tau2(X.len(), NU, sum_w);
        assert_close("E[tau2]", mean, conditional.mean(), 1e-6);
        assert_close("Var[tau2]", variance, conditional.variance(), 1e-5);
    }

    #[test]
    fn alpha2_conditional_matches_the_joint() {
        let log_density = |alpha2: f64| log_joint(&X, &U, &Expanded { alpha2, ..STATE }, NU);
        let (mean, variance) = moments(log_density, |a| 1.0 / a, (-15.0, 15.0), true);
        let residual2: f64 = X
            .iter()
            .zip(&U)
            .map(|(x, u)| (x - STATE.mu).powi(2) / u)
            .sum();
        let conditional = alpha2(X.len(), residual2);
        assert_eq!(conditional.dof, X.len() as f64);
        assert_close("E[1/alpha2]", mean, conditional.reciprocal_mean(), 1e-6);
        assert_close(
            "Var[1/alpha2]",
            variance,
            conditional.reciprocal_variance(),
            1e-5,
        );
    }

    #[test]
    fn draws_are_the_textbook_transformations() {
        let inv = ScaledInvChiSquared {
            dof: 5.0,
            dof_scale2: 10.0,
        };
        assert_eq!(inv.draw(4.0), 2.5);
        assert_eq!(inv.draw_reciprocal(4.0), 0.4);
        assert_eq!(inv.scale2(), 2.0);
        let normal = Normal {
            mean: 1.0,
            variance: 4.0,
        };
        assert_eq!(normal.draw(-0.5), 0.0);
        let gamma = Gamma {
            shape: 3.0,
            rate: 2.0,
        };
        assert_eq!(gamma.draw(3.0), 1.5);
        assert_eq!(gamma.mean(), 1.5);
        assert_eq!(gamma.variance(), 0.75);
    }
}
