//! Kronecker-structured operators, applied without ever forming the Kronecker product.
//!
//! For factors Aᵢ ∈ F^{mᵢ×nᵢ}, i = 1..I, the operator A = A₁ ⊗ A₂ ⊗ … ⊗ A_I has size
//! M × N with M = ∏mᵢ, N = ∏nᵢ. Index convention (row-major tensorisation, last index fastest,
//! the order of `kron(A₁, …, A_I)`): `x[j] ↔ X[j₁, …, j_I]` with
//! j = ((j₁·n₂ + j₂)·n₃ + j₃)… Then
//!
//! ```text
//!   A x = vec(X ×₁ A₁ ×₂ A₂ ⋯ ×_I A_I),
//! ```
//!
//! where the mode-i product is `(X ×ᵢ B)[…, r, …] = Σ_k B[r, k] X[…, k, …]`. For I = 2 this is the
//! familiar identity (A₁ ⊗ A₂) vec_r(X) = vec_r(A₁ X A₂ᵀ). The transpose and the adjoint are
//! the same sweep with Aᵢᵀ or Aᵢᴴ.
//!
//! **Cost.** Mode i multiplies a tensor with (∏_{l<i} mₗ)(∏_{l≥i} nₗ) entries by an mᵢ×nᵢ
//! matrix: O(mᵢ · ∏_{l<i} mₗ · ∏_{l≥i} nₗ) flops, at most O(N·Σmᵢ) when mᵢ ≤ nᵢ, against
//! O(M·N) for a dense matvec and O(M·N) memory to form A at all. That is the first-to-last
//! order; the sweep runs last-to-first instead when that needs fewer multiply-adds (for
//! expanding factors, mᵢ > nᵢ, the most-expanding modes go last). Each mode product is one or
//! a few faer GEMM calls on strided views; intermediate tensors live in a [`ModeWorkspace`]
//! whose two ping-pong buffers grow once and are then reused, so repeated applications
//! allocate nothing.

use super::{LinearOperator, Scalar, as_faer, check_finite};
use crate::{Error, Result, memory};
use faer::linalg::matmul::matmul as gemm;
use faer::traits::Conjugate;
use faer::{Accum, MatMut, MatRef, Par};
use nalgebra::{DMatrix, DVector};

/// How a factor enters a mode product: B, Bᵀ or Bᴴ.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Transform {
    /// Use B as it is.
    #[default]
    Identity,
    /// Use the transpose Bᵀ.
    Transpose,
    /// Use the conjugate transpose Bᴴ (equal to Bᵀ for real scalars).
    Adjoint,
}

impl Transform {
    /// Rows and columns of op(B) for a `rows × cols` matrix B.
    pub fn shape(self, rows: usize, cols: usize) -> (usize, usize) {
        match self {
            Transform::Identity => (rows, cols),
            Transform::Transpose | Transform::Adjoint => (cols, rows),
        }
    }
}

/// Reusable buffers for [`multimode_product`]: two ping-pong tensors and the running shape.
///
/// The buffers grow on first use to the largest intermediate tensor and are reused afterwards.
#[derive(Clone, Debug, Default)]
pub struct ModeWorkspace<T: Scalar> {
    ping: Vec<T>,
    pong: Vec<T>,
    dims: Vec<usize>,
}

impl<T: Scalar> ModeWorkspace<T> {
    /// An empty workspace (it grows on first use).
    pub fn new() -> Self {
        Self {
            ping: Vec::new(),
            pong: Vec::new(),
            dims: Vec::new(),
        }
    }

    /// A workspace able to hold intermediate tensors of `len` entries without reallocating.
    pub fn with_capacity(len: usize, modes: usize) -> Self {
        Self {
            ping: vec![T::default(); len],
            pong: vec![T::default(); len],
            dims: Vec::with_capacity(modes),
        }
    }

    fn reserve(&mut self, len: usize) {
        if self.ping.len() < len {
            self.ping.resize(len, T::default());
            self.pong.resize(len, T::default());
        }
    }
}

/// One mode product `out = X ×_mode op(B)` for a row-major tensor X of shape `dims`.
///
/// `op(B)` must have `dims[mode]` columns; `out` has the shape of X with `dims[mode]` replaced
/// by the rows of op(B).
pub fn mode_product<T: Scalar>(
    x: &[T],
    dims: &[usize],
    mode: usize,
    b: &DMatrix<T>,
    op: Transform,
    out: &mut [T],
) -> Result<()> {
    if mode >= dims.len() {
        return Err(Error::invalid(
            "mode",
            format!("tensor has {} modes, got mode {mode}", dims.len()),
        ));
    }
    let len: usize = dims.iter().product();
    crate::error::check_len("length of tensor (product of dims)", len, x.len())?;
    let (r, c) = op.shape(b.nrows(), b.ncols());
    crate::error::check_len(
        format_args!("columns of op(B) (dims[{mode}])"),
        dims[mode],
        c,
    )?;
    crate::error::check_len(
        "length of output tensor",
        len / dims[mode].max(1) * r,
        out.len(),
    )?;
    if dims[mode] == 0 {
        out.fill(T::default());
        return Ok(());
    }
    mode_product_unchecked(x, dims, mode, as_faer(b), op, out);
    Ok(())
}

/// The mode product without argument checks (sizes must already agree).
fn mode_product_unchecked<T: Scalar>(
    x: &[T],
    dims: &[usize],
    mode: usize,
    b: MatRef<'_, T>,
    op: Transform,
    out: &mut [T],
) {
    let p: usize = dims[..mode].iter().product();
    let a = dims[mode];
    let q: usize = dims[mode + 1..].iter().product();
    match op {
        Transform::Identity => mode_product_with(x, p, a, q, b, out),
        Transform::Transpose => mode_product_with(x, p, a, q, b.transpose(), out),
        Transform::Adjoint => mode_product_with(x, p, a, q, b.adjoint(), out),
    }
}

/// out[p, :, q] = B · x[p, :, q] for the (p, a, q) row-major view of x; B is r × a.
fn mode_product_with<T: Scalar, C: Conjugate<Canonical = T>>(
    x: &[T],
    p: usize,
    a: usize,
    q: usize,
    b: MatRef<'_, C>,
    out: &mut [T],
) {
    let r = b.nrows();
    let one = T::of_real(1.0);
    if q == 1 {
        // x is p × a row-major: out (p × r) = X · Bᵀ, one GEMM.
        let lhs = MatRef::from_row_major_slice(x, p, a);
        let dst = MatMut::from_row_major_slice_mut(out, p, r);
        gemm(dst, Accum::Replace, lhs, b.transpose(), one, Par::Seq);
    } else {
        // for each leading index: out_p (r × q) = B · X_p (a × q), both row-major.
        for (xp, op) in x.chunks_exact(a * q).zip(out.chunks_exact_mut(r * q)) {
            let rhs = MatRef::from_row_major_slice(xp, a, q);
            let dst = MatMut::from_row_major_slice_mut(op, r, q);
            gemm(dst, Accum::Replace, b, rhs, one, Par::Seq);
        }
    }
}

/// Multi-mode product `y = X ×₁ op(B₁) ×₂ op(B₂) ⋯ ×_I op(B_I)` of a row-major tensor X of
/// shape `dims` (one matrix per mode), i.e. `y = (op(B₁) ⊗ ⋯ ⊗ op(B_I)) x`.
///
/// Allocation-free once `ws` has grown to the largest intermediate tensor.
pub fn multimode_product<T: Scalar>(
    x: &[T],
    dims: &[usize],
    mats: &[DMatrix<T>],
    op: Transform,
    y: &mut [T],
    ws: &mut ModeWorkspace<T>,
) -> Result<()> {
    if mats.is_empty() {
        return Err(Error::invalid("mats", "need at least one factor"));
    }
    crate::error::check_len("number of factors (tensor modes)", dims.len(), mats.len())?;
    let len: usize = dims.iter().product();
    crate::error::check_len("length of input tensor", len, x.len())?;
    let mut out_len = 1usize;
    for (k, (m, &d)) in mats.iter().zip(dims).enumerate() {
        let (r, c) = op.shape(m.nrows(), m.ncols());
        crate::error::check_len(format_args!("columns of op(factor {k}) (dims[{k}])"), d, c)?;
        out_len *= r;
    }
    crate::error::check_len("length of output tensor", out_len, y.len())?;
    if len == 0 || out_len == 0 {
        y.fill(T::default());
        return Ok(());
    }
    let plan = SweepPlan::new(mats.iter().map(|m| op.shape(m.nrows(), m.ncols())));
    ws.reserve(plan.max_mid);
    ws.dims.clear();
    ws.dims.extend_from_slice(dims);
    multimode_unchecked(
        x,
        mats.len(),
        |k| as_faer(&mats[k]),
        op,
        plan.reverse,
        y,
        ws,
    );
    Ok(())
}

/// The order of a multi-mode sweep: first mode first (forward) or last mode first (reverse),
/// whichever needs fewer multiply-adds, and the largest intermediate tensor it makes.
///
/// A stage that maps mode k from aₖ to rₖ entries on a tensor of L entries costs L·rₖ
/// multiply-adds and leaves L·rₖ/aₖ entries, so the order matters when the factors are not
/// square: an expanding product (rₖ > aₖ) is cheapest with its most-expanding modes last.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct SweepPlan {
    /// Whether the sweep runs from the last mode to the first.
    pub(crate) reverse: bool,
    /// Entries of the largest intermediate tensor (the input and output excluded).
    pub(crate) max_mid: usize,
}

impl SweepPlan {
    /// The plan for stages with shapes (rₖ, aₖ) = (rows, columns) of op(Bₖ), in mode order.
    pub(crate) fn new<I>(shapes: I) -> Self
    where
        I: DoubleEndedIterator<Item = (usize, usize)> + ExactSizeIterator + Clone,
    {
        let stages = shapes.len();
        let input: usize = shapes.clone().map(|(_, a)| a).product();
        let cost = |order: &mut dyn Iterator<Item = (usize, usize)>| {
            let (mut len, mut flops, mut max_mid) = (input, 0usize, 0usize);
            for (i, (r, a)) in order.enumerate() {
                flops = flops.saturating_add(len.saturating_mul(r));
                len = len.checked_div(a).map_or(0, |q| q * r);
                if i + 1 < stages {
                    max_mid = max_mid.max(len);
                }
            }
            (flops, max_mid)
        };
        let (fwd, fwd_mid) = cost(&mut shapes.clone());
        let (rev, rev_mid) = cost(&mut shapes.rev());
        if rev < fwd {
            Self {
                reverse: true,
                max_mid: rev_mid,
            }
        } else {
            Self {
                reverse: false,
                max_mid: fwd_mid,
            }
        }
    }
}

/// The sweep behind [`multimode_product`] and [`KroneckerOperator`]; sizes already checked,
/// buffers already reserved, and `ws.dims` holds the input tensor shape.
///
/// Each stage is **one** GEMM. Forward, stage k holds the tensor with its modes rotated,
/// (d_k, …, d_{I−1}, r_0, …, r_{k−1}) in row-major order, i.e. a d_k × rest matrix T. It writes
/// Tᵀ op(B_k)ᵀ, a rest × r_k row-major matrix, which is the tensor
/// (d_{k+1}, …, r_0, …, r_k): the next mode comes first. After I stages the order is
/// (r_0, …, r_{I−1}) again. This avoids one small GEMM per leading index of a middle mode.
/// In reverse (`reverse`, modes I−1 down to 0) the stage holds (r_{k+1}, …, r_{I−1}, d_0, …,
/// d_k), a rest × d_k matrix T, and writes op(B_k) Tᵀ, the r_k × rest tensor
/// (r_k, …, r_{I−1}, d_0, …, d_{k−1}).
fn multimode_unchecked<'m, T: Scalar>(
    x: &[T],
    modes: usize,
    factor: impl Fn(usize) -> MatRef<'m, T>,
    op: Transform,
    reverse: bool,
    y: &mut [T],
    ws: &mut ModeWorkspace<T>,
) {
    let ModeWorkspace { ping, pong, dims } = ws;
    let mut cur_len: usize = dims.iter().product();
    for stage in 0..modes {
        let k = if reverse { modes - 1 - stage } else { stage };
        let b = factor(k);
        let (r, a) = op.shape(b.nrows(), b.ncols());
        let rest = cur_len / a;
        let out_len = rest * r;
        let last = stage + 1 == modes;
        // Stage s reads x (s = 0) or the buffer stage s−1 wrote, and writes y (last stage)
        // or the other buffer: ping on even stages, pong on odd ones.
        let (src, dst): (&[T], &mut [T]) = match (stage == 0, last, stage % 2 == 0) {
            (true, true, _) => (x, &mut *y),
            (true, false, _) => (x, &mut ping[..out_len]),
            (false, true, true) => (&pong[..cur_len], &mut *y),
            (false, true, false) => (&ping[..cur_len], &mut *y),
            (false, false, true) => (&pong[..cur_len], &mut ping[..out_len]),
            (false, false, false) => (&ping[..cur_len], &mut pong[..out_len]),
        };
        match op {
            Transform::Identity => stage_product(src, a, rest, b, reverse, dst),
            Transform::Transpose => stage_product(src, a, rest, b.transpose(), reverse, dst),
            Transform::Adjoint => stage_product(src, a, rest, b.adjoint(), reverse, dst),
        }
        cur_len = out_len;
    }
}

/// One sweep stage as one GEMM, dst = B Sᵀ for B (r × a) and S = src as a rest × a matrix:
/// column-major S and dst (r × rest) forward — that is dst = Tᵀ Bᵀ as a row-major rest × r
/// matrix for T = src as a row-major a × rest matrix — and row-major S and dst in reverse.
fn stage_product<T: Scalar, C: Conjugate<Canonical = T>>(
    src: &[T],
    a: usize,
    rest: usize,
    b: MatRef<'_, C>,
    reverse: bool,
    dst: &mut [T],
) {
    let r = b.nrows();
    let (s, out) = if reverse {
        (
            MatRef::from_row_major_slice(src, rest, a),
            MatMut::from_row_major_slice_mut(dst, r, rest),
        )
    } else {
        (
            MatRef::from_column_major_slice(src, rest, a),
            MatMut::from_column_major_slice_mut(dst, r, rest),
        )
    };
    gemm(
        out,
        Accum::Replace,
        b,
        s.transpose(),
        T::of_real(1.0),
        Par::Seq,
    );
}

/// The Kronecker product A₁ ⊗ … ⊗ A_I as a matrix-free operator.
///
/// See the [module documentation](self) for the index convention and the cost.
#[derive(Clone, Debug)]
pub struct KroneckerOperator<T: Scalar> {
    factors: Vec<DMatrix<T>>,
    nrows: usize,
    ncols: usize,
}

impl<T: Scalar> KroneckerOperator<T> {
    /// Builds the operator from its factors A₁, …, A_I (I ≥ 1).
    ///
    /// Errors: [`Error::InvalidParameter`] for an empty list or an empty factor,
    /// [`Error::NonFinite`] naming the factor that holds NaN or an infinity,
    /// [`Error::TooLarge`] if ∏mᵢ or ∏nᵢ overflows `usize`.
    pub fn new(factors: Vec<DMatrix<T>>) -> Result<Self> {
        if factors.is_empty() {
            return Err(Error::invalid("factors", "need at least one factor"));
        }
        for (i, f) in factors.iter().enumerate() {
            if f.is_empty() {
                return Err(Error::invalid(
                    format!("factors[{i}]"),
                    format!("factor is empty ({} × {})", f.nrows(), f.ncols()),
                ));
            }
            check_finite(format_args!("factors[{i}]"), f.as_slice())?;
        }
        let rows: Vec<usize> = factors.iter().map(|f| f.nrows()).collect();
        let cols: Vec<usize> = factors.iter().map(|f| f.ncols()).collect();
        let nrows = memory::checked_product("rows of the Kronecker product", &rows)?;
        let ncols = memory::checked_product("columns of the Kronecker product", &cols)?;
        Ok(Self {
            factors,
            nrows,
            ncols,
        })
    }

    /// The factors A₁, …, A_I.
    pub fn factors(&self) -> &[DMatrix<T>] {
        &self.factors
    }

    /// Rows M = ∏mᵢ.
    pub fn nrows(&self) -> usize {
        self.nrows
    }

    /// Columns N = ∏nᵢ.
    pub fn ncols(&self) -> usize {
        self.ncols
    }

    /// The input tensor shape of op(A): (n₁, …, n_I) for `Identity`, (m₁, …, m_I) otherwise.
    pub fn input_dims(&self, op: Transform) -> Vec<usize> {
        self.factors
            .iter()
            .map(|f| match op {
                Transform::Identity => f.ncols(),
                _ => f.nrows(),
            })
            .collect()
    }

    /// The sweep order and intermediate size of op(A) x.
    fn plan(&self, op: Transform) -> SweepPlan {
        SweepPlan::new(
            self.factors
                .iter()
                .map(move |f| op.shape(f.nrows(), f.ncols())),
        )
    }

    /// A workspace large enough for every `apply_into` of this operator (any [`Transform`]).
    pub fn workspace(&self) -> ModeWorkspace<T> {
        let modes = self.factors.len();
        let max_mid = [Transform::Identity, Transform::Transpose]
            .into_iter()
            .map(|op| self.plan(op).max_mid)
            .max()
            .unwrap_or(0);
        ModeWorkspace::with_capacity(max_mid, modes)
    }

    /// y = op(A) x into a preallocated `y`, using the buffers of `ws` (no allocation once `ws`
    /// has grown; [`KroneckerOperator::workspace`] gives one that never needs to).
    pub fn apply_into(
        &self,
        op: Transform,
        x: &[T],
        y: &mut [T],
        ws: &mut ModeWorkspace<T>,
    ) -> Result<()> {
        let (rows, cols) = op.shape(self.nrows, self.ncols);
        crate::error::check_len(
            "length of x (columns of the Kronecker operator)",
            cols,
            x.len(),
        )?;
        crate::error::check_len(
            "length of y (rows of the Kronecker operator)",
            rows,
            y.len(),
        )?;
        let plan = self.plan(op);
        ws.reserve(plan.max_mid);
        ws.dims.clear();
        ws.dims.extend(
            self.factors
                .iter()
                .map(|f| op.shape(f.nrows(), f.ncols()).1),
        );
        multimode_unchecked(
            x,
            self.factors.len(),
            |k| as_faer(&self.factors[k]),
            op,
            plan.reverse,
            y,
            ws,
        );
        // NaN or ±inf in x always reaches y (0·inf is NaN), so one pass over y catches both a
        // non-finite x and an overflow
        if !super::all_finite(y) {
            check_finite("x", x)?;
            return Err(Error::non_finite(
                "the Kronecker product op(A) x (it overflows a double)",
            ));
        }
        Ok(())
    }

    /// A x (allocates the result and a workspace; use [`apply_into`](Self::apply_into) in loops).
    pub fn apply(&self, x: &DVector<T>) -> Result<DVector<T>> {
        self.apply_op(Transform::Identity, x)
    }

    /// Aᵀ x.
    pub fn apply_transpose(&self, x: &DVector<T>) -> Result<DVector<T>> {
        self.apply_op(Transform::Transpose, x)
    }

    /// Aᴴ x (equal to Aᵀ x for real scalars).
    pub fn apply_adjoint(&self, x: &DVector<T>) -> Result<DVector<T>> {
        self.apply_op(Transform::Adjoint, x)
    }

    fn apply_op(&self, op: Transform, x: &DVector<T>) -> Result<DVector<T>> {
        let (rows, _) = op.shape(self.nrows, self.ncols);
        let mut y = DVector::from_element(rows, T::default());
        let mut ws = self.workspace();
        self.apply_into(op, x.as_slice(), y.as_mut_slice(), &mut ws)?;
        Ok(y)
    }

    /// Forms the dense M × N Kronecker product. O(M·N) memory: for tests and small sizes only.
    /// Errors: M·N beyond the memory budget ([`crate::memory`]).
    pub fn to_dense(&self) -> Result<DMatrix<T>> {
        kron_dense(&self.factors)
    }
}

impl<T: Scalar> LinearOperator<T> for KroneckerOperator<T> {
    type Workspace = ModeWorkspace<T>;

    fn nrows(&self) -> usize {
        self.nrows
    }

    fn ncols(&self) -> usize {
        self.ncols
    }

    fn workspace(&self) -> Self::Workspace {
        KroneckerOperator::workspace(self)
    }

    fn apply_into(&self, x: &[T], y: &mut [T], ws: &mut Self::Workspace) -> Result<()> {
        KroneckerOperator::apply_into(self, Transform::Identity, x, y, ws)
    }
}

/// The dense Kronecker product A₁ ⊗ … ⊗ A_I (O(∏mᵢ · ∏nᵢ) memory).
///
/// This is the baseline the matrix-free operator is tested and benchmarked against; solvers
/// never call it.
///
/// Errors: ∏mᵢ·∏nᵢ overflowing `usize` or beyond the memory budget ([`crate::memory`]).
pub fn kron_dense<T: Scalar>(factors: &[DMatrix<T>]) -> Result<DMatrix<T>> {
    let dims: Vec<usize> = factors
        .iter()
        .flat_map(|f| [f.nrows(), f.ncols()])
        .collect();
    let len = memory::checked_product("entries of the dense Kronecker product", &dims)?;
    memory::check_elements::<T>("the dense Kronecker product", len)?;
    let mut acc = DMatrix::from_element(1, 1, T::of_real(1.0));
    for f in factors {
        acc = acc.kronecker(f);
    }
    Ok(acc)
}

/// Dense product op(A)·op(B) through faer's GEMM, for large products where nalgebra's generic
/// kernel would be slow (complex matrices in particular). It runs on the threads set by
/// [`set_threads`](super::set_threads) (faer's global parallelism).
///
/// Errors with [`Error::DimensionMismatch`] if the inner dimensions differ, and
/// [`Error::NonFinite`] if an input holds NaN or ±inf or the product overflows.
pub fn matmul<T: Scalar>(
    a: &DMatrix<T>,
    op_a: Transform,
    b: &DMatrix<T>,
    op_b: Transform,
) -> Result<DMatrix<T>> {
    let (m, k) = op_a.shape(a.nrows(), a.ncols());
    let (k2, n) = op_b.shape(b.nrows(), b.ncols());
    crate::error::check_len("inner dimension of op(B) (columns of op(A))", k, k2)?;
    let mut c = DMatrix::from_element(m, n, T::default());
    {
        let dst = super::as_faer_mut(&mut c);
        let fa = as_faer(a);
        let fb = as_faer(b);
        let one = T::of_real(1.0);
        let par = faer::get_global_parallelism();
        macro_rules! go {
            ($l:expr, $r:expr) => {
                faer::linalg::matmul::matmul(dst, Accum::Replace, $l, $r, one, par)
            };
        }
        match (op_a, op_b) {
            (Transform::Identity, Transform::Identity) => go!(fa, fb),
            (Transform::Identity, Transform::Transpose) => go!(fa, fb.transpose()),
            (Transform::Identity, Transform::Adjoint) => go!(fa, fb.adjoint()),
            (Transform::Transpose, Transform::Identity) => go!(fa.transpose(), fb),
            (Transform::Transpose, Transform::Transpose) => go!(fa.transpose(), fb.transpose()),
            (Transform::Transpose, Transform::Adjoint) => go!(fa.transpose(), fb.adjoint()),
            (Transform::Adjoint, Transform::Identity) => go!(fa.adjoint(), fb),
            (Transform::Adjoint, Transform::Transpose) => go!(fa.adjoint(), fb.transpose()),
            (Transform::Adjoint, Transform::Adjoint) => go!(fa.adjoint(), fb.adjoint()),
        }
    }
    // a non-finite input always reaches the product unless its row or column meets an empty
    // inner dimension: one pass over C, and over the inputs only to name the culprit
    if !super::all_finite(c.as_slice()) {
        check_finite("a", a.as_slice())?;
        check_finite("b", b.as_slice())?;
        return Err(Error::non_finite(
            "the product op(A)·op(B) (it overflows a double)",
        ));
    }
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both sweep orders against each other and against the plan's choice, for expanding,
    /// contracting and mixed factors, real and transposed.
    #[test]
    fn forward_and_reverse_sweeps_agree() {
        let shapes: [&[(usize, usize)]; 4] = [
            &[(15, 8), (15, 12), (15, 15)],
            &[(3, 7), (9, 2)],
            &[(4, 4), (1, 5), (6, 3), (2, 2)],
            &[(5, 3)],
        ];
        for (case, shape) in shapes.iter().enumerate() {
            let mats: Vec<DMatrix<f64>> = shape
                .iter()
                .enumerate()
                .map(|(k, &(r, c))| {
                    DMatrix::from_fn(r, c, |i, j| ((i * 7 + j * 3 + k) as f64 * 0.61).sin())
                })
                .collect();
            for op in [Transform::Identity, Transform::Transpose] {
                let dims: Vec<usize> = mats
                    .iter()
                    .map(|m| op.shape(m.nrows(), m.ncols()).1)
                    .collect();
                let len: usize = dims.iter().product();
                let out_len: usize = mats
                    .iter()
                    .map(|m| op.shape(m.nrows(), m.ncols()).0)
                    .product();
                let x: Vec<f64> = (0..len).map(|i| (i as f64 * 0.37 + 0.1).cos()).collect();
                let mut outs = Vec::new();
                for reverse in [false, true] {
                    let mut ws = ModeWorkspace::with_capacity(len.max(out_len) * 16, mats.len());
                    ws.dims.extend_from_slice(&dims);
                    let mut y = vec![0.0; out_len];
                    multimode_unchecked(
                        &x,
                        mats.len(),
                        |k| as_faer(&mats[k]),
                        op,
                        reverse,
                        &mut y,
                        &mut ws,
                    );
                    outs.push(y);
                }
                let mut planned = vec![0.0; out_len];
                multimode_product(
                    &x,
                    &dims,
                    &mats,
                    op,
                    &mut planned,
                    &mut ModeWorkspace::new(),
                )
                .unwrap();
                for (a, b) in outs[0].iter().zip(&outs[1]) {
                    assert!(
                        (a - b).abs() < 1e-12 * (1.0 + a.abs()),
                        "case {case} {op:?}"
                    );
                }
                let plan = SweepPlan::new(mats.iter().map(|m| op.shape(m.nrows(), m.ncols())));
                assert_eq!(
                    planned,
                    outs[usize::from(plan.reverse)],
                    "case {case} {op:?}"
                );
            }
        }
    }

    /// The plan takes the cheaper order: expanding modes last.
    #[test]
    fn plan_puts_the_most_expanding_mode_last() {
        // (r, a): 8 → 15, 12 → 15, 15 → 15; forward 112 725, reverse 70 200 multiply-adds
        let plan = SweepPlan::new([(15, 8), (15, 12), (15, 15)].into_iter());
        assert!(plan.reverse);
        assert_eq!(plan.max_mid, 8 * 15 * 15);
        let plan = SweepPlan::new([(15, 15), (15, 12), (15, 8)].into_iter());
        assert!(!plan.reverse);
    }
}
