//! Exact Wasserstein distances between two discrete measures on the real line.
//!
//! For μ = Σ aᵢ δ(xᵢ) and ν = Σ bⱼ δ(yⱼ) of equal mass, with F and G their cumulative
//! distribution functions and F⁻¹, G⁻¹ the quantile functions:
//!
//! ```text
//! W₁(μ, ν) = ∫ |F(t) − G(t)| dt,        W₂²(μ, ν) = ∫₀^mass |F⁻¹(s) − G⁻¹(s)|² ds,
//! ```
//!
//! both by one merge of the sorted supports, O((n + m) log(n + m)). They are the exact optimal
//! transport costs for the ground costs |x − y| and |x − y|² (the monotone coupling is
//! optimal on the line), so they check an entropic solver as ε → 0.

use parsimony_core::{Error, Result};

fn sorted(x: &[f64], w: &[f64], name: &str) -> Result<Vec<(f64, f64)>> {
    if x.is_empty() {
        return Err(Error::invalid(name, "needs at least one point"));
    }
    if x.len() != w.len() {
        return Err(Error::dimension(
            format!("weights of {name}"),
            x.len(),
            w.len(),
        ));
    }
    for (k, (&p, &v)) in x.iter().zip(w).enumerate() {
        if !p.is_finite() {
            return Err(Error::non_finite(format!("{name}[{k}]")));
        }
        if !(v.is_finite() && v >= 0.0) {
            return Err(Error::invalid(
                name,
                format!("weight {k} must be finite and ≥ 0, got {v}"),
            ));
        }
    }
    let mut pts: Vec<(f64, f64)> = x.iter().copied().zip(w.iter().copied()).collect();
    pts.sort_by(|a, b| a.0.total_cmp(&b.0));
    Ok(pts)
}

fn equal_mass(a: &[(f64, f64)], b: &[(f64, f64)]) -> Result<f64> {
    let sa: f64 = a.iter().map(|p| p.1).sum();
    let sb: f64 = b.iter().map(|p| p.1).sum();
    if !(sa > 0.0) || (sa - sb).abs() > 1e-12 * sa.max(sb) {
        return Err(Error::invalid(
            "weights",
            format!("the masses must be positive and equal: {sa:e} and {sb:e}"),
        ));
    }
    Ok(sa)
}

/// W₁ between Σ aᵢ δ(xᵢ) and Σ bⱼ δ(yⱼ) (equal masses): ∫ |F − G|.
pub fn w1_1d(x: &[f64], a: &[f64], y: &[f64], b: &[f64]) -> Result<f64> {
    let (p, q) = (sorted(x, a, "x")?, sorted(y, b, "y")?);
    equal_mass(&p, &q)?;
    // sweep the merged support: between consecutive points F − G is constant
    let mut events: Vec<(f64, f64)> = p.iter().map(|&(t, w)| (t, w)).collect();
    events.extend(q.iter().map(|&(t, w)| (t, -w)));
    events.sort_by(|u, v| u.0.total_cmp(&v.0));
    let (mut diff, mut total) = (0.0, 0.0);
    for k in 0..events.len() {
        diff += events[k].1;
        if k + 1 < events.len() {
            total += diff.abs() * (events[k + 1].0 - events[k].0);
        }
    }
    Ok(total)
}

/// W₂² between Σ aᵢ δ(xᵢ) and Σ bⱼ δ(yⱼ) (equal masses): ∫ |F⁻¹ − G⁻¹|² over [0, mass].
pub fn w2_squared_1d(x: &[f64], a: &[f64], y: &[f64], b: &[f64]) -> Result<f64> {
    let (p, q) = (sorted(x, a, "x")?, sorted(y, b, "y")?);
    equal_mass(&p, &q)?;
    // the monotone coupling: walk both quantile functions
    let (mut i, mut j) = (0, 0);
    let (mut ra, mut rb) = (p[0].1, q[0].1);
    let mut total = 0.0;
    while i < p.len() && j < q.len() {
        let t = ra.min(rb);
        let d = p[i].0 - q[j].0;
        total += t * d * d;
        ra -= t;
        rb -= t;
        if ra <= 0.0 {
            i += 1;
            if i < p.len() {
                ra = p[i].1;
            }
        }
        if rb <= 0.0 {
            j += 1;
            if j < q.len() {
                rb = q[j].1;
            }
        }
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn point_masses_and_a_shift() {
        // δ(0) → δ(3): W1 = 3, W2² = 9
        assert_eq!(w1_1d(&[0.0], &[1.0], &[3.0], &[1.0]).unwrap(), 3.0);
        assert_eq!(w2_squared_1d(&[0.0], &[1.0], &[3.0], &[1.0]).unwrap(), 9.0);
        // a measure shifted by s: W1 = s·mass, W2² = s²·mass
        let x = [0.1, 0.4, 0.5, 0.9];
        let w = [0.1, 0.2, 0.3, 0.4];
        let y: Vec<f64> = x.iter().map(|v| v + 0.25).collect();
        assert!((w1_1d(&x, &w, &y, &w).unwrap() - 0.25).abs() < 1e-15);
        assert!((w2_squared_1d(&x, &w, &y, &w).unwrap() - 0.0625).abs() < 1e-15);
        // splitting: δ(0) → ½δ(−1) + ½δ(1): W1 = 1, W2² = 1
        assert!((w1_1d(&[0.0], &[1.0], &[-1.0, 1.0], &[0.5, 0.5]).unwrap() - 1.0).abs() < 1e-15);
        assert!(
            (w2_squared_1d(&[0.0], &[1.0], &[1.0, -1.0], &[0.5, 0.5]).unwrap() - 1.0).abs() < 1e-15
        );
        assert!(w1_1d(&[0.0], &[1.0], &[1.0], &[2.0]).is_err());
        assert!(w1_1d(&[f64::NAN], &[1.0], &[1.0], &[1.0]).is_err());
    }
}
