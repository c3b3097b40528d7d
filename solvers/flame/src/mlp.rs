//! A tanh multilayer perceptron ℝ → ℝ with its first two input derivatives (Taylor streams) and
//! the exact adjoint gradient with respect to its weights.
//!
//! # Forward: three streams per layer
//! For every point x̂ᵢ the network carries the value h, the first derivative h₁ = dh/dx̂ and the
//! second derivative h₂ = d²h/dx̂². A dense layer is linear, so the three streams of z = hW + b
//! are z = hW + b, z₁ = h₁W, z₂ = h₂W: stacking the streams as the rows of one 3N × width matrix
//! makes each layer a single GEMM (the bias enters the value block only). Through a = tanh z,
//! with s = 1 − a²:
//!
//! ```text
//!   a₁ = s z₁,     a₂ = s z₂ − 2 a s z₁².
//! ```
//!
//! The first layer (input width 1) is z = x̂w + b, z₁ = w, z₂ = 0; the output layer is linear.
//!
//! # Backward: the adjoint of the streams
//! Given the adjoints (n̄, n̄₁, n̄₂) of the output streams, each layer maps the adjoints
//! (Ā, Ā₁, Ā₂) of (a, a₁, a₂) to those of (z, z₁, z₂):
//!
//! ```text
//!   z̄  = s Ā − 2 a s z₁ Ā₁ − (2 a s z₂ + 2 s z₁² (s − 2a²)) Ā₂
//!   z̄₁ = s Ā₁ − 4 a s z₁ Ā₂
//!   z̄₂ = s Ā₂
//! ```
//!
//! and then ∂L/∂W = Hᵀ Z̄ (one GEMM with inner dimension 3N), ∂L/∂b = column sums of the value
//! block of Z̄, and the adjoint of the layer's input streams is Z̄ Wᵀ (one GEMM).
//!
//! Cost per loss + gradient for hidden widths w and N points: one 3N × w × w GEMM per
//! hidden-to-hidden layer (H − 1 of them for H hidden layers) forward and two backward, i.e.
//! about 18 N w² flops per such layer, plus N w tanh per hidden layer; the first layer (input
//! width 1) and the output layer (width 1) are element-wise passes and dot products.
//! All buffers live in an [`MlpWorkspace`]; evaluations allocate nothing. A workspace runs on
//! one thread; losses parallelise over points with one workspace per thread.
//!
//! # Parameter layout
//! θ = [W₀ (row-major, fan_in × fan_out), b₀, W₁, b₁, …, W_out, b_out]; a layer computes
//! z = hW + b for a row vector h. Glorot-normal weights (std √(2/(fan_in + fan_out))) and zero
//! biases, as the paper's code.

use faer::linalg::matmul::matmul;
use faer::{Accum, MatMut, MatRef, Par};
use parsimony_core::dispatch_simd;
use parsimony_core::error::check_len;
use parsimony_core::random::SplitMix64;
use parsimony_core::simd::Real;
use parsimony_core::{Error, Result};

/// The architecture of a scalar-input, scalar-output tanh MLP and its parameter layout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mlp {
    widths: Vec<usize>,
    offsets: Vec<usize>,
}

impl Mlp {
    /// An MLP with layer widths `[1, w₁, …, w_H, 1]` (at least one hidden layer, all widths ≥ 1).
    pub fn new(widths: &[usize]) -> Result<Self> {
        if widths.len() < 3 {
            return Err(Error::invalid(
                "widths",
                format!("need [1, hidden…, 1] with at least one hidden layer, got {widths:?}"),
            ));
        }
        if widths[0] != 1 || *widths.last().unwrap() != 1 {
            return Err(Error::invalid(
                "widths",
                format!("input and output widths must be 1, got {widths:?}"),
            ));
        }
        if widths.contains(&0) {
            return Err(Error::invalid("widths", "every width must be ≥ 1"));
        }
        let mut offsets = vec![0usize];
        for pair in widths.windows(2) {
            let last = *offsets.last().unwrap();
            // W (fan_out × fan_in) and b (fan_out) of this layer, with checked arithmetic
            let next = pair[0]
                .checked_mul(pair[1])
                .and_then(|w| w.checked_add(pair[1]))
                .and_then(|l| l.checked_add(last))
                .ok_or_else(|| {
                    Error::invalid(
                        "widths",
                        format!("the parameter count of {widths:?} overflows usize"),
                    )
                })?;
            offsets.push(next);
        }
        let n_params = *offsets.last().unwrap();
        // θ, its gradient and the optimiser's moments: four vectors of n_params
        parsimony_core::memory::check_total::<f64>(
            &format!("a network of {n_params} parameters"),
            &[n_params; 4],
        )?;
        Ok(Self {
            widths: widths.to_vec(),
            offsets,
        })
    }

    /// `depth` hidden layers of `width` neurons (the paper's network is `hidden(3, 64)`).
    pub fn hidden(depth: usize, width: usize) -> Result<Self> {
        parsimony_core::memory::check_elements::<usize>(&format!("{depth} layer widths"), depth)?;
        let mut w = vec![1];
        w.extend(std::iter::repeat_n(width, depth));
        w.push(1);
        Self::new(&w)
    }

    /// Layer widths `[1, …, 1]`.
    pub fn widths(&self) -> &[usize] {
        &self.widths
    }

    /// Number of dense layers (hidden + output).
    pub fn layers(&self) -> usize {
        self.widths.len() - 1
    }

    /// Number of parameters (weights and biases).
    pub fn n_params(&self) -> usize {
        *self.offsets.last().unwrap()
    }

    /// (weights, biases) of layer `l` inside θ.
    pub fn layer<'a, F>(&self, theta: &'a [F], l: usize) -> (&'a [F], &'a [F]) {
        let (i, o) = (self.widths[l], self.widths[l + 1]);
        let start = self.offsets[l];
        theta[start..start + i * o + o].split_at(i * o)
    }

    fn layer_mut<'a, F>(&self, theta: &'a mut [F], l: usize) -> (&'a mut [F], &'a mut [F]) {
        let (i, o) = (self.widths[l], self.widths[l + 1]);
        let start = self.offsets[l];
        theta[start..start + i * o + o].split_at_mut(i * o)
    }

    /// Glorot-normal weights (std √(2/(fan_in + fan_out))) and zero biases, from `seed`
    /// (portable SplitMix64 + Box–Muller stream).
    pub fn glorot_normal(&self, seed: u64) -> Vec<f64> {
        let mut rng = SplitMix64::new(seed);
        let mut theta = vec![0.0; self.n_params()];
        for l in 0..self.layers() {
            let std = (2.0 / (self.widths[l] + self.widths[l + 1]) as f64).sqrt();
            let (w, _) = self.layer_mut(&mut theta, l);
            for v in w {
                *v = std * rng.normal();
            }
        }
        theta
    }
}

/// Buffers of one network evaluation at N points (3N-row stream matrices, column-major).
#[derive(Clone, Debug)]
pub struct MlpWorkspace<F: Real> {
    n: usize,
    /// The widths of the network of the last public forward pass (empty before one).
    widths: Vec<usize>,
    /// Pre-activation streams z, z₁, z₂ of every hidden layer but the first (empty).
    z: Vec<Vec<F>>,
    /// Post-activation streams a, a₁, a₂ of every hidden layer.
    a: Vec<Vec<F>>,
    /// Adjoint buffers (two, used alternately).
    adj: [Vec<F>; 2],
    /// Output streams [n; n₁; n₂].
    out: Vec<F>,
}

impl<F: Real> MlpWorkspace<F> {
    /// Empty workspace; buffers grow to the first evaluation's size and are reused.
    pub fn new() -> Self {
        Self {
            n: 0,
            widths: Vec::new(),
            z: Vec::new(),
            a: Vec::new(),
            adj: [Vec::new(), Vec::new()],
            out: Vec::new(),
        }
    }

    /// Sizes the buffers for `n` points; shrinking keeps the capacity, so alternating block
    /// sizes never reallocates.
    fn fit(&mut self, mlp: &Mlp, n: usize) {
        let hidden = mlp.layers() - 1;
        let wmax = mlp.widths.iter().copied().max().unwrap();
        self.n = n;
        self.z.resize_with(hidden, Vec::new);
        self.a.resize_with(hidden, Vec::new);
        for l in 0..hidden {
            let len = 3 * n * mlp.widths[l + 1];
            // the first layer's pre-activations are x̂ w + b, w and 0: never stored
            self.z[l].resize(if l == 0 { 0 } else { len }, F::zero());
            self.a[l].resize(len, F::zero());
        }
        for b in &mut self.adj {
            b.resize(3 * n * wmax, F::zero());
        }
        self.out.resize(3 * n, F::zero());
    }

    /// Output streams of the last [`forward`](Self::forward): `[n; n₁; n₂]`, each of length N.
    pub fn output(&self) -> &[F] {
        &self.out
    }

    /// Evaluates the network and its first two derivatives in x̂ at the points `xhat`.
    /// Returns `[n; n₁; n₂]` (3N values). Errors: θ without [`Mlp::n_params`] entries.
    pub fn forward(&mut self, mlp: &Mlp, theta: &[F], xhat: &[F]) -> Result<&[F]> {
        check_len("θ", mlp.n_params(), theta.len())?;
        check_finite_real("θ", theta)?;
        check_finite_real("xhat", xhat)?;
        self.forward_unchecked(mlp, theta, xhat);
        self.widths.clone_from(&mlp.widths);
        check_finite_real("the network's output (it overflows: scale θ)", &self.out)?;
        Ok(&self.out)
    }

    /// [`forward`](Self::forward) for callers whose sizes are fixed at construction (the
    /// losses' hot path): lengths only debug-asserted.
    pub(crate) fn forward_unchecked(&mut self, mlp: &Mlp, theta: &[F], xhat: &[F]) -> &[F] {
        forward_dispatch(self, mlp, theta, xhat);
        &self.out
    }

    /// Gradient of a loss with respect to θ, given the adjoints `adj_out` = `[n̄; n̄₁; n̄₂]` of
    /// the output streams of the last [`forward`](Self::forward) (same θ and points). Writes
    /// `grad` (length [`Mlp::n_params`]), or adds to it when `accumulate` (for losses
    /// evaluated block by block). Errors: lengths that do not match θ, the points of the last
    /// forward pass, or 3 × their number for `adj_out`.
    pub fn backward(
        &mut self,
        mlp: &Mlp,
        theta: &[F],
        xhat: &[F],
        adj_out: &[F],
        grad: &mut [F],
        accumulate: bool,
    ) -> Result<()> {
        check_len("θ", mlp.n_params(), theta.len())?;
        check_len("grad", mlp.n_params(), grad.len())?;
        check_len(
            "xhat (the points of the last forward pass)",
            self.n,
            xhat.len(),
        )?;
        check_len("adj_out", 3 * self.n, adj_out.len())?;
        if mlp.widths != self.widths {
            return Err(Error::invalid(
                "mlp",
                format!(
                    "backward needs the network of the last forward pass ({:?}), got {:?}",
                    self.widths, mlp.widths
                ),
            ));
        }
        check_finite_real("θ", theta)?;
        check_finite_real("adj_out", adj_out)?;
        self.backward_unchecked(mlp, theta, xhat, adj_out, grad, accumulate);
        check_finite_real("the gradient (it overflows: scale θ or the adjoints)", grad)
    }

    /// [`backward`](Self::backward) with lengths only debug-asserted (the losses' hot path).
    pub(crate) fn backward_unchecked(
        &mut self,
        mlp: &Mlp,
        theta: &[F],
        xhat: &[F],
        adj_out: &[F],
        grad: &mut [F],
        accumulate: bool,
    ) {
        backward_dispatch(self, mlp, theta, xhat, adj_out, grad, accumulate);
    }
}

impl<F: Real> Default for MlpWorkspace<F> {
    fn default() -> Self {
        Self::new()
    }
}

/// Σ aᵢbᵢ with eight independent accumulators (so that the loop vectorises), fused
/// multiply-adds when `FMA`.
#[inline(always)]
fn dot<F: Real, const FMA: bool>(a: &[F], b: &[F]) -> F {
    let mut acc = [F::zero(); 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for k in 0..8 {
            acc[k] = x[k].mul_add_if::<FMA>(y[k], acc[k]);
        }
    }
    let s = acc.iter().fold(F::zero(), |s, &v| s + v);
    ra.iter()
        .zip(rb)
        .fold(s, |s, (&x, &y)| x.mul_add_if::<FMA>(y, s))
}

/// Σ aᵢ with eight independent accumulators.
#[inline(always)]
fn sum<F: Real>(a: &[F]) -> F {
    let mut acc = [F::zero(); 8];
    let ca = a.chunks_exact(8);
    let r = ca.remainder();
    for x in ca {
        for k in 0..8 {
            acc[k] += x[k];
        }
    }
    let s = acc.iter().fold(F::zero(), |s, &v| s + v);
    r.iter().fold(s, |s, &v| s + v)
}

#[inline(always)]
fn forward_body<F: Real, const FMA: bool>(
    ws: &mut MlpWorkspace<F>,
    mlp: &Mlp,
    theta: &[F],
    xhat: &[F],
) {
    debug_assert_eq!(theta.len(), mlp.n_params());
    let n = xhat.len();
    ws.fit(mlp, n);
    if n == 0 {
        return;
    }
    let hidden = mlp.layers() - 1;
    let three = 3 * n;
    // first layer: z = x̂ w + b, z₁ = w, z₂ = 0, activated in one pass (no z buffer)
    {
        let (w, b) = mlp.layer(theta, 0);
        activate_first(xhat, w, b, &mut ws.a[0]);
    }
    for l in 1..hidden {
        let (w, b) = mlp.layer(theta, l);
        let (i, o) = (mlp.widths[l], mlp.widths[l + 1]);
        let (a_prev, _) = ws.a.split_at(l);
        let lhs = MatRef::from_column_major_slice(&a_prev[l - 1], three, i);
        let rhs = MatRef::from_row_major_slice(w, i, o);
        let dst = MatMut::from_column_major_slice_mut(&mut ws.z[l], three, o);
        matmul(dst, Accum::Replace, lhs, rhs, F::one(), Par::Seq);
        activate(&ws.z[l], &mut ws.a[l], n, b);
    }
    // output layer: [n; n₁; n₂] = A w + (b on the value block)
    let (w, b) = mlp.layer(theta, hidden);
    let i = mlp.widths[hidden];
    let a = &ws.a[hidden - 1];
    ws.out.fill(F::zero());
    for j in 0..i {
        let wj = w[j];
        for (o, &x) in ws.out.iter_mut().zip(&a[j * three..(j + 1) * three]) {
            *o = x.mul_add_if::<FMA>(wj, *o);
        }
    }
    for v in &mut ws.out[..n] {
        *v += b[0];
    }
}

#[inline(always)]
fn backward_body<F: Real, const FMA: bool>(
    ws: &mut MlpWorkspace<F>,
    mlp: &Mlp,
    theta: &[F],
    xhat: &[F],
    adj_out: &[F],
    grad: &mut [F],
    accumulate: bool,
) {
    let n = ws.n;
    let add = |dst: &mut F, v: F| {
        if accumulate { *dst += v } else { *dst = v }
    };
    debug_assert_eq!(xhat.len(), n);
    debug_assert_eq!(adj_out.len(), 3 * n);
    debug_assert_eq!(grad.len(), mlp.n_params());
    if n == 0 {
        if !accumulate {
            grad.fill(F::zero());
        }
        return;
    }
    let three = 3 * n;
    let hidden = mlp.layers() - 1;
    // output layer
    {
        let i = mlp.widths[hidden];
        let a = &ws.a[hidden - 1];
        let (gw, gb) = mlp.layer_mut(grad, hidden);
        for j in 0..i {
            add(
                &mut gw[j],
                dot::<F, FMA>(&a[j * three..(j + 1) * three], adj_out),
            );
        }
        add(&mut gb[0], sum(&adj_out[..n]));
    }
    // hidden layers, last to first; adj[cur] holds the adjoint of layer l's outputs (for the
    // last hidden layer it is the outer product n̄ w_outᵀ, formed column by column inside
    // tanh_adjoint)
    let mut cur = 0;
    let w_out = mlp.layer(theta, hidden).0;
    for l in (0..hidden).rev() {
        let (i, o) = (mlp.widths[l], mlp.widths[l + 1]);
        let outer = (l + 1 == hidden).then_some((adj_out, w_out));
        if l == 0 {
            let w = mlp.layer(theta, 0).0;
            // layer 0's [w; b] (input width 1) opens θ
            let g = &mut grad[..2 * w.len()];
            first_adjoint(&ws.a[0], &ws.adj[cur], xhat, w, g, outer, accumulate);
            break;
        }
        let (gw, gb) = mlp.layer_mut(grad, l);
        {
            let buf = &mut ws.adj[cur][..three * o];
            tanh_adjoint(&ws.z[l], &ws.a[l], buf, n, gb, outer, accumulate);
        }
        let zbar = &ws.adj[cur][..three * o];
        let h = MatRef::from_column_major_slice(&ws.a[l - 1], three, i);
        let zb = MatRef::from_column_major_slice(zbar, three, o);
        let gdst = MatMut::from_row_major_slice_mut(gw, i, o);
        let acc = if accumulate {
            Accum::Add
        } else {
            Accum::Replace
        };
        matmul(gdst, acc, h.transpose(), zb, F::one(), Par::Seq);
        let (w, _) = mlp.layer(theta, l);
        let wt = MatRef::from_row_major_slice(w, i, o).transpose();
        let (first, second) = ws.adj.split_at_mut(1);
        let (src, dst) = if cur == 0 {
            (&first[0], &mut second[0])
        } else {
            (&second[0], &mut first[0])
        };
        let zb = MatRef::from_column_major_slice(&src[..three * o], three, o);
        let hdst = MatMut::from_column_major_slice_mut(&mut dst[..three * i], three, i);
        matmul(hdst, Accum::Replace, zb, wt, F::one(), Par::Seq);
        cur = 1 - cur;
    }
}

dispatch_simd!(forward_dispatch, forward_body, (ws: &mut MlpWorkspace<F>, mlp: &Mlp, theta: &[F], xhat: &[F]));
dispatch_simd!(backward_dispatch, backward_body, (ws: &mut MlpWorkspace<F>, mlp: &Mlp, theta: &[F], xhat: &[F], adj_out: &[F], grad: &mut [F], accumulate: bool));

// The element-wise passes are functions of their own, dispatched again, rather than inlined into
// the pass bodies: as parameters their slices are known not to overlap, which the vectoriser
// needs; inlined, it cannot tell the workspace's buffers apart and the tanh loop runs scalar
// (measured by perf: the forward pass then took 26 % of the 3 × 64 f64 loss + gradient instead
// of 10 %).
dispatch_simd!(activate, activate_body, (z: &[F], a: &mut [F], n: usize, bias: &[F]));
dispatch_simd!(activate_first, activate_first_body, (xhat: &[F], w: &[F], bias: &[F], a: &mut [F]));
dispatch_simd!(
    first_adjoint,
    first_adjoint_body,
    (a: &[F], buf: &[F], xhat: &[F], w: &[F], grad: &mut [F], outer: Option<(&[F], &[F])>, accumulate: bool)
);
dispatch_simd!(
    tanh_adjoint,
    tanh_adjoint_body,
    (z: &[F], a: &[F], buf: &mut [F], n: usize, bias_grad: &mut [F], outer: Option<(&[F], &[F])>, accumulate: bool)
);

/// a = tanh(z + b), a₁ = s z₁, a₂ = s z₂ − 2 a s z₁² for every column of the 3N-row stream
/// matrix (column j has bias b_j).
#[inline(always)]
fn activate_body<F: Real, const FMA: bool>(z: &[F], a: &mut [F], n: usize, bias: &[F]) {
    let two = F::of(2.0);
    for ((zc, ac), &bj) in z
        .chunks_exact(3 * n)
        .zip(a.chunks_exact_mut(3 * n))
        .zip(bias)
    {
        let (z0, zr) = zc.split_at(n);
        let (z1, z2) = zr.split_at(n);
        let (a0, ar) = ac.split_at_mut(n);
        let (a1, a2) = ar.split_at_mut(n);
        for i in 0..n {
            let t = (z0[i] + bj).tanh_fma::<FMA>();
            let s = (-t).mul_add_if::<FMA>(t, F::one());
            a0[i] = t;
            a1[i] = s * z1[i];
            a2[i] = s * (-two * t * z1[i]).mul_add_if::<FMA>(z1[i], z2[i]);
        }
    }
}

/// The first layer's streams straight from the points: with z = x̂ wⱼ + bⱼ, z₁ = wⱼ, z₂ = 0,
/// a = tanh z, a₁ = s wⱼ, a₂ = −2 a s wⱼ² ([`activate_body`] with those streams, rounded the
/// same way, without writing them out).
#[inline(always)]
fn activate_first_body<F: Real, const FMA: bool>(xhat: &[F], w: &[F], bias: &[F], a: &mut [F]) {
    let n = xhat.len();
    let two = F::of(2.0);
    for ((ac, &wj), &bj) in a.chunks_exact_mut(3 * n).zip(w).zip(bias) {
        let (a0, ar) = ac.split_at_mut(n);
        let (a1, a2) = ar.split_at_mut(n);
        for i in 0..n {
            let t = (xhat[i] * wj + bj).tanh_fma::<FMA>();
            let s = (-t).mul_add_if::<FMA>(t, F::one());
            a0[i] = t;
            a1[i] = s * wj;
            a2[i] = s * (-two * t * wj * wj);
        }
    }
}

/// The first layer's gradient from the adjoints (Ā, Ā₁, Ā₂) of its output streams (`buf`, or
/// the outer product n̄ w_outᵀ when `outer` is given, for a network of one hidden layer):
/// with z₁ = wⱼ and z₂ = 0 the adjoints of (z, z₁) are
///
/// ```text
///   z̄  = s Ā − 2 a s wⱼ Ā₁ − 2 s wⱼ² (s − 2a²) Ā₂,     z̄₁ = s Ā₁ − 4 a s wⱼ Ā₂,
/// ```
///
/// and ∂L/∂bⱼ = Σᵢ z̄ᵢ, ∂L/∂wⱼ = Σᵢ (z̄ᵢ x̂ᵢ + z̄₁ᵢ), summed as they come (nothing is stored). The
/// sums run on eight accumulators in the order of [`dot`] and [`sum`], so the result is the one
/// of [`tanh_adjoint_body`] followed by those reductions, bit for bit.
/// `grad` is the layer's part of the gradient, [∂L/∂w; ∂L/∂b].
#[inline(always)]
fn first_adjoint_body<F: Real, const FMA: bool>(
    a: &[F],
    buf: &[F],
    xhat: &[F],
    w: &[F],
    grad: &mut [F],
    outer: Option<(&[F], &[F])>,
    accumulate: bool,
) {
    let (gw, gb) = grad.split_at_mut(w.len());
    let n = xhat.len();
    let three = 3 * n;
    let fma = |a: F, b: F, c: F| a.mul_add_if::<FMA>(b, c);
    for j in 0..w.len() {
        let wj = w[j];
        let t = &a[j * three..j * three + n];
        // the incoming adjoints: a column of `buf`, or n̄ scaled by w_out[j]
        let (g, scale) = match outer {
            Some((adj_out, w_out)) => (adj_out, w_out[j]),
            None => (&buf[j * three..(j + 1) * three], F::one()),
        };
        let (g0, gr) = g.split_at(n);
        let (g1, g2) = gr.split_at(n);
        // eight points at a time (g · 1 is exact, so `scale` is applied in both cases)
        let (mut ab, mut ax, mut a1) = ([F::zero(); 8], [F::zero(); 8], [F::zero(); 8]);
        let chunks = t
            .chunks_exact(8)
            .zip(g0.chunks_exact(8))
            .zip(g1.chunks_exact(8))
            .zip(g2.chunks_exact(8))
            .zip(xhat.chunks_exact(8));
        for ((((t, g0), g1), g2), x) in chunks {
            for k in 0..8 {
                let (zb, zb1) =
                    first_point::<F, FMA>(t[k], wj, g0[k] * scale, g1[k] * scale, g2[k] * scale);
                ab[k] += zb;
                ax[k] = fma(zb, x[k], ax[k]);
                a1[k] += zb1;
            }
        }
        let fold = |acc: [F; 8]| acc.iter().fold(F::zero(), |s, &v| s + v);
        let (mut sb, mut sx, mut s1) = (fold(ab), fold(ax), fold(a1));
        for i in n / 8 * 8..n {
            let (zb, zb1) =
                first_point::<F, FMA>(t[i], wj, g0[i] * scale, g1[i] * scale, g2[i] * scale);
            sb += zb;
            sx = fma(zb, xhat[i], sx);
            s1 += zb1;
        }
        if accumulate {
            gb[j] += sb;
            gw[j] += sx + s1;
        } else {
            gb[j] = sb;
            gw[j] = sx + s1;
        }
    }
}

/// (z̄, z̄₁) of the first layer at one point: tanh value `t`, weight `wj`, incoming adjoints
/// (g₀, g₁, g₂) (see [`first_adjoint_body`]).
#[inline(always)]
fn first_point<F: Real, const FMA: bool>(t: F, wj: F, g0: F, g1: F, g2: F) -> (F, F) {
    let (two, four) = (F::of(2.0), F::of(4.0));
    let s = t.neg().mul_add_if::<FMA>(t, F::one());
    let ts = t * s;
    let inner = ts.mul_add_if::<FMA>(F::zero(), s * wj * wj * (-two * t).mul_add_if::<FMA>(t, s));
    let zb = (-two * inner).mul_add_if::<FMA>(g2, (-two * ts * wj).mul_add_if::<FMA>(g1, s * g0));
    let zb1 = (-four * ts * wj).mul_add_if::<FMA>(g2, s * g1);
    (zb, zb1)
}

/// (z̄, z̄₁, z̄₂) at one point from the tanh value `t`, the pre-activation streams z₁, z₂ and
/// the adjoints `g` = (Ā, Ā₁, Ā₂) (the formulas of the module doc).
#[inline(always)]
fn adjoint_point<F: Real, const FMA: bool>(t: F, z1: F, z2: F, g: (F, F, F)) -> (F, F, F) {
    let (two, four) = (F::of(2.0), F::of(4.0));
    let fma = |a: F, b: F, c: F| a.mul_add_if::<FMA>(b, c);
    let (g0, g1, g2) = g;
    let s = fma(-t, t, F::one());
    let ts = t * s;
    // ts z₂ + s z₁² (s − 2t²)
    let inner = fma(ts, z2, s * z1 * z1 * fma(-two * t, t, s));
    (
        fma(-two * inner, g2, fma(-two * ts * z1, g1, s * g0)),
        fma(-four * ts * z1, g2, s * g1),
        s * g2,
    )
}

/// In place: the adjoints (Ā, Ā₁, Ā₂) of (a, a₁, a₂) become those of (z, z₁, z₂); the column
/// sums of z̄ (the bias gradient) go to (or, with `accumulate`, are added to) `bias_grad`.
/// With `outer` = (n̄, w_out) the incoming adjoint is the outer product n̄ w_outᵀ instead of
/// `buf`'s content.
#[inline(always)]
fn tanh_adjoint_body<F: Real, const FMA: bool>(
    z: &[F],
    a: &[F],
    buf: &mut [F],
    n: usize,
    bias_grad: &mut [F],
    outer: Option<(&[F], &[F])>,
    accumulate: bool,
) {
    for (j, (((zc, ac), bc), gb)) in z
        .chunks_exact(3 * n)
        .zip(a.chunks_exact(3 * n))
        .zip(buf.chunks_exact_mut(3 * n))
        .zip(bias_grad.iter_mut())
        .enumerate()
    {
        let (z1, z2) = zc[n..].split_at(n);
        let t = &ac[..n];
        let (b0, br) = bc.split_at_mut(n);
        let (b1, b2) = br.split_at_mut(n);
        if let Some((outer, w_out)) = outer {
            // the incoming adjoint n̄ w_out[j], formed as it is read
            let wj = w_out[j];
            let (o0, or) = outer.split_at(n);
            let (o1, o2) = or.split_at(n);
            for i in 0..n {
                let g = (o0[i] * wj, o1[i] * wj, o2[i] * wj);
                (b0[i], b1[i], b2[i]) = adjoint_point::<F, FMA>(t[i], z1[i], z2[i], g);
            }
        } else {
            for i in 0..n {
                let g = (b0[i], b1[i], b2[i]);
                (b0[i], b1[i], b2[i]) = adjoint_point::<F, FMA>(t[i], z1[i], z2[i], g);
            }
        }
        if accumulate {
            *gb += sum(b0);
        } else {
            *gb = sum(b0);
        }
    }
}

/// NaN or ±inf in `v` (f32 or f64) is a typed error naming `what`.
fn check_finite_real<F: Real>(what: &str, v: &[F]) -> Result<()> {
    if v.iter().any(|x| !x.f64().is_finite()) {
        return Err(Error::non_finite(what));
    }
    Ok(())
}
