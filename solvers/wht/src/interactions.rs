//! What explainability reads from a spectrum: for a set function f(x) on masks x ∈ {0, 1}ⁿ
//! (xᵢ = 1: feature i present) with Fourier spectrum f(x) = Σₖ X\[k\] (−1)^⟨x,k⟩,
//!
//! * the **Möbius coefficients** (AND-basis interactions), f(x) = Σ_S a(S) Π_{i∈S} xᵢ:
//!   since (−1)^⟨x,k⟩ = Π_{i∈k} (1 − 2xᵢ) = Σ_{S⊆k} (−2)^{|S|} Π_{i∈S} xᵢ,
//!   a(S) = (−2)^{|S|} Σ_{k ⊇ S} X\[k\];
//! * the **Shapley values** φᵢ = Σ_{S∋i} a(S)/|S|, which in the Fourier basis is
//!   φᵢ = Σ_{k∋i} X\[k\]·((−1)^{|k|} − 1)/|k| = −2 Σ_{k∋i, |k| odd} X\[k\]/|k|
//!   (Σ_{S: i∈S⊆k} (−2)^{|S|}/|S| = ((1 − 2)^{|k|} − 1)/|k|);
//! * the **Banzhaf values** βᵢ = E_x\[f(x | xᵢ = 1) − f(x | xᵢ = 0)\] (x uniform) = −2 X\[eᵢ\].
//!
//! Exact conversions, O(K·n) for the values and O(Σₖ Σ_{s ≤ q} C(|k|, s)) for the Möbius
//! coefficients up to order q.

use crate::bits::BitIndex;
use parsimony_core::{Error, Result, memory};
use std::collections::HashMap;

/// The Shapley value of each of the n features.
pub fn shapley<I: BitIndex>(spectrum: &[(I, f64)], n: usize) -> Result<Vec<f64>> {
    let mut phi = vec![0.0; check_n(spectrum, n)?];
    for &(k, x) in spectrum {
        let w = k.weight() as usize;
        if w % 2 == 1 {
            let share = -2.0 * x / w as f64;
            for i in k.ones() {
                phi[i] += share;
            }
        }
    }
    Ok(phi)
}

/// The Banzhaf value of each of the n features.
pub fn banzhaf<I: BitIndex>(spectrum: &[(I, f64)], n: usize) -> Result<Vec<f64>> {
    let mut beta = vec![0.0; check_n(spectrum, n)?];
    for &(k, x) in spectrum {
        if k.weight() == 1 {
            beta[k.ones()[0]] += -2.0 * x;
        }
    }
    Ok(beta)
}

/// The Möbius coefficients a(S) with |S| ≤ `max_order` (non-zero ones, sorted by S).
/// Errors: more than 10⁷ subsets to visit (lower `max_order`).
pub fn mobius<I: BitIndex>(spectrum: &[(I, f64)], max_order: usize) -> Result<Vec<(I, f64)>> {
    let mut visits = 0f64;
    for &(k, _) in spectrum {
        let w = k.weight() as usize;
        visits += (0..=max_order.min(w)).map(|s| binomial(w, s)).sum::<f64>();
    }
    if visits > 1e7 {
        return Err(Error::invalid(
            "max_order",
            format!("{visits:.2e} subsets to visit (at most 1e7): lower the order"),
        ));
    }
    memory::check_elements::<(I, f64)>("Möbius coefficients", visits as usize)?;
    let mut a: HashMap<I, f64> = HashMap::new();
    for &(k, x) in spectrum {
        let ones = k.ones();
        subsets_up_to(&ones, max_order, &mut |s: &[usize]| {
            let weight = (-2f64).powi(s.len() as i32);
            *a.entry(I::from_ones(s)).or_insert(0.0) += weight * x;
        });
    }
    let mut out: Vec<(I, f64)> = a.into_iter().filter(|(_, v)| *v != 0.0).collect();
    out.sort_by_key(|e| e.0);
    Ok(out)
}

fn check_n<I: BitIndex>(spectrum: &[(I, f64)], n: usize) -> Result<usize> {
    crate::oracle::check_bits::<I>(n)?;
    if let Some((k, _)) = spectrum
        .iter()
        .find(|(k, _)| k.ones().last().is_some_and(|&i| i >= n))
    {
        return Err(Error::invalid(
            "spectrum",
            format!("index {k:?} has a bit at or above n = {n}"),
        ));
    }
    Ok(n)
}

fn binomial(n: usize, k: usize) -> f64 {
    (0..k).fold(1.0, |acc, i| acc * (n - i) as f64 / (i + 1) as f64)
}

/// Calls `visit` with every subset of `set` of size ≤ `q` (ascending positions).
fn subsets_up_to(set: &[usize], q: usize, visit: &mut dyn FnMut(&[usize])) {
    fn walk(
        set: &[usize],
        from: usize,
        q: usize,
        cur: &mut Vec<usize>,
        visit: &mut dyn FnMut(&[usize]),
    ) {
        visit(cur);
        if cur.len() == q {
            return;
        }
        for t in from..set.len() {
            cur.push(set[t]);
            walk(set, t + 1, q, cur, visit);
            cur.pop();
        }
    }
    walk(set, 0, q, &mut Vec::new(), visit);
}

/// The Fourier spectrum of f(x) = Σ_S a(S) Π_{i∈S} xᵢ (the inverse of [`mobius`]):
/// Π_{i∈S} xᵢ = 2^{−|S|} Σ_{T⊆S} (−1)^{|T|} (−1)^⟨x,T⟩, so X\[T\] = Σ_{S⊇T} a(S) (−1)^{|T|} / 2^{|S|}.
/// Non-zero coefficients, sorted. Errors: a term of more than 24 features.
pub fn fourier_from_mobius<I: BitIndex>(terms: &[(I, f64)]) -> Result<Vec<(I, f64)>> {
    let mut x: HashMap<I, f64> = HashMap::new();
    for &(s, a) in terms {
        let ones = s.ones();
        if ones.len() > 24 {
            return Err(Error::invalid(
                "terms",
                format!(
                    "a term of {} features has 2^{} Fourier coefficients",
                    ones.len(),
                    ones.len()
                ),
            ));
        }
        let scale = a / (1u64 << ones.len()) as f64;
        subsets_up_to(&ones, ones.len(), &mut |t: &[usize]| {
            let sign = if t.len().is_multiple_of(2) { 1.0 } else { -1.0 };
            *x.entry(I::from_ones(t)).or_insert(0.0) += sign * scale;
        });
    }
    let mut out: Vec<(I, f64)> = x.into_iter().filter(|(_, v)| *v != 0.0).collect();
    out.sort_by_key(|e| e.0);
    Ok(out)
}
