"""Linear algebra: matmul for 1-D, 2-D and batched operands, einsum, and the decompositions
(det, inverse, solve, Cholesky, eigh, SVD, QR) with their matrix-calculus gradients."""
import math

from chainrule.backend import xp
from chainrule.ops.base import Op, one_or_tuple, unbroadcast


class MatMul(Op):
    """y = a @ b;  da = g @ bᵀ,  db = aᵀ @ g  (batch axes summed back where they broadcast).

    1-D operands are treated as a row (a) or a column (b) for the rule, as in NumPy.
    """

    def forward(self, a, b):
        self.a, self.b = a, b
        return a @ b

    def backward(self, g):
        a, b = self.a, self.b
        need_a, need_b = self.needs_input_grad
        if a.ndim == 1 and b.ndim == 1:
            return (g * b if need_a else None), (g * a if need_b else None)
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        if a.ndim == 1:
            g = xp.expand_dims(g, -2)
        if b.ndim == 1:
            g = xp.expand_dims(g, -1)
        ga = gb = None
        if need_a:
            ga = unbroadcast(g @ xp.swapaxes(b2, -1, -2), a2.shape).reshape(a.shape)
        if need_b:
            if b2.ndim == 2 and a2.ndim > 2:
                # a batch against one matrix (a Linear layer over a sequence): fold the batch
                # into the rows and make one product instead of a stack of them and a sum
                k, m = a2.shape[-1], g.shape[-1]
                gb = a2.reshape(-1, k).T @ g.reshape(-1, m)
            else:
                gb = unbroadcast(xp.swapaxes(a2, -1, -2) @ g, b2.shape)
            gb = gb.reshape(b.shape)
        return ga, gb


class Einsum(Op):
    """y = einsum(equation, *operands);  each operand's gradient is an einsum of g with the others.

    ``inputs_subscripts`` and ``output_subscripts`` are the equation with ellipses already
    spelled out as letters.  Letters that appear in one operand only and not in the output
    are broadcast back; repeated letters (a diagonal) are written onto the diagonal.
    """

    def __init__(self, inputs_subscripts, output_subscripts):
        self.inputs_subscripts, self.output_subscripts = inputs_subscripts, output_subscripts

    def forward(self, *arrays):
        self.arrays = arrays
        equation = ",".join(self.inputs_subscripts) + "->" + self.output_subscripts
        return xp.einsum(equation, *arrays, optimize=len(arrays) > 2)

    def backward(self, g):
        return one_or_tuple([self._grad_for(i, g) if need else None
                             for i, need in enumerate(self.needs_input_grad)])

    def _grad_for(self, i, g):
        target = self.inputs_subscripts[i]
        shape = self.arrays[i].shape
        others = [(s, a) for j, (s, a) in enumerate(zip(self.inputs_subscripts, self.arrays))
                  if j != i]
        available = set(self.output_subscripts).union(*(s for s, _ in others))
        unique = "".join(dict.fromkeys(target))             # letters of the target, once each
        produced = "".join(c for c in unique if c in available)
        operands = [g] + [a for _, a in others]
        equation = ",".join([self.output_subscripts] + [s for s, _ in others]) + "->" + produced
        grad = xp.einsum(equation, *operands, optimize=len(operands) > 2)
        sizes = dict(zip(target, shape))
        # a size-1 dim that broadcast against a longer one (under '...'): sum its copies back
        stretched = tuple(k for k, c in enumerate(produced) if sizes[c] == 1 and grad.shape[k] != 1)
        if stretched:
            grad = grad.sum(axis=stretched, keepdims=True)
        if produced != unique:   # letters summed within this operand only: broadcast back
            grad = xp.expand_dims(grad, [unique.index(c) for c in unique if c not in produced])
            grad = xp.broadcast_to(grad, [sizes[c] for c in unique])
        if unique == target:
            return xp.ascontiguousarray(grad).reshape(shape)   # (ascontiguousarray makes 0-d 1-d)
        full = xp.zeros(shape, dtype=g.dtype)
        diagonal = xp.einsum(f"{target}->{unique}", full)   # a writable view of the diagonal
        diagonal[...] = grad
        return full


# --------------------------------------------------------------------------- decompositions
# Each rule below works on stacks of matrices (..., m, n).  Ops with several differentiable
# outputs (eigh, svd, qr) return them packed into one array that the calling function slices;
# their backward receives the gradient in the same packing, zero for unused outputs.
def _mT(a):
    return xp.swapaxes(a, -1, -2)


def _diag_embed(v):
    """(..., n) -> (..., n, n) with v on the diagonal."""
    return v[..., :, None] * xp.eye(v.shape[-1], dtype=v.dtype)


def _products_but_one(s):
    """For each i, the product of s_j over j != i (along the last axis), without dividing by s_i."""
    ones = xp.ones_like(s[..., :1])
    before = xp.cumprod(xp.concatenate([ones, s[..., :-1]], axis=-1), axis=-1)
    after = xp.flip(xp.cumprod(xp.concatenate([ones, xp.flip(s[..., 1:], -1)], axis=-1), axis=-1), -1)
    return before * after


def _pack(*arrays):
    """Several stacks of arrays as one: each flattened after the batch dims, then joined."""
    batch = arrays[0].shape[:-2] if arrays[0].ndim >= 2 else arrays[0].shape[:-1]
    return xp.concatenate([a.reshape(batch + (-1,)) for a in arrays], axis=-1)


def _unpack(packed, shapes):
    """The arrays of ``_pack``, given the shape of each after the batch dims."""
    out, start = [], 0
    for shape in shapes:
        size = math.prod(shape)
        out.append(packed[..., start:start + size].reshape(packed.shape[:-1] + shape))
        start += size
    return out


class Det(Op):
    """y = det(A);  dA = g · cof(A), the cofactor matrix, det(A) A⁻ᵀ where A is invertible.

    The cofactors come from the SVD A = U S Vᵀ, cof(A) = det(U) det(V) U diag(Π_{j≠i} s_j) Vᵀ,
    which stays finite (and correct) for singular matrices too.
    """

    def forward(self, a):
        self.a = a
        return xp.linalg.det(a)

    def backward(self, g):
        u, s, vh = xp.linalg.svd(self.a)
        signs = xp.linalg.det(u) * xp.linalg.det(vh)
        cofactor = (u * _products_but_one(s)[..., None, :]) @ vh
        return (g * signs)[..., None, None] * cofactor


class LogAbsDet(Op):
    """y = log |det(A)| (the second output of slogdet);  dA = g A⁻ᵀ."""

    def forward(self, a):
        self.a = a
        self.sign, logabsdet = xp.linalg.slogdet(a)
        return logabsdet

    def backward(self, g):
        return g[..., None, None] * _mT(xp.linalg.inv(self.a))


class Inv(Op):
    """Y = A⁻¹;  dA = -Yᵀ g Yᵀ."""

    def forward(self, a):
        self.y = xp.linalg.inv(a)
        return self.y

    def backward(self, g):
        yt = _mT(self.y)
        return -(yt @ g @ yt)


class Solve(Op):
    """X = A⁻¹ B for B (..., n, k), batch dims broadcasting;  dB = A⁻ᵀ g,  dA = -dB Xᵀ."""

    def forward(self, a, b):
        self.shapes = (a.shape, b.shape)
        batch = xp.broadcast_shapes(a.shape[:-2], b.shape[:-2])
        self.a = xp.broadcast_to(a, batch + a.shape[-2:])
        self.x = xp.linalg.solve(self.a, xp.broadcast_to(b, batch + b.shape[-2:]))
        return self.x

    def backward(self, g):
        gb = xp.linalg.solve(_mT(self.a), g)
        ga = unbroadcast(-(gb @ _mT(self.x)), self.shapes[0]) if self.needs_input_grad[0] else None
        return ga, (unbroadcast(gb, self.shapes[1]) if self.needs_input_grad[1] else None)


def _solve_lower(l, b, transposed=False):
    """L⁻¹ B (or L⁻ᵀ B) for a lower-triangular L."""
    return xp.linalg.solve(_mT(l) if transposed else l, b)


class Cholesky(Op):
    """A = L Lᵀ (L lower triangular, from A's lower triangle);
    dA = sym(L⁻ᵀ Φ(Lᵀ g) L⁻¹), Φ keeping the lower triangle with its diagonal halved."""

    def forward(self, a):
        self.l = xp.linalg.cholesky(a)
        return self.l

    def backward(self, g):
        l = self.l
        phi = xp.tril(_mT(l) @ xp.tril(g))
        phi = phi - 0.5 * _diag_embed(xp.diagonal(phi, axis1=-2, axis2=-1))
        s = _solve_lower(l, _mT(_solve_lower(l, phi, transposed=True)), transposed=True)
        return 0.5 * (s + _mT(s))


class Eigh(Op):
    """A = V diag(λ) Vᵀ for a symmetric A (one triangle read), packed as (..., n + 1, n): V's rows,
    then λ.  dA = V (diag(gλ) + F ∘ (J - Jᵀ)/2) Vᵀ with J = Vᵀ gV and F_ij = 1 / (λ_j - λ_i),
    i ≠ j: defined for distinct eigenvalues only.  The result is symmetric, as A's perturbations are."""

    def __init__(self, uplo):
        self.uplo = uplo

    def forward(self, a):
        self.w, self.v = xp.linalg.eigh(a, UPLO=self.uplo)
        return xp.concatenate([self.v, self.w[..., None, :]], axis=-2)

    def backward(self, g):
        w, v = self.w, self.v
        gv, gw = g[..., :-1, :], g[..., -1, :]
        vtgv = _mT(v) @ gv
        with xp.errstate(divide="ignore"):
            f = 1.0 / (w[..., None, :] - w[..., :, None])
        n = w.shape[-1]
        f[..., xp.arange(n), xp.arange(n)] = 0.0
        inner = _diag_embed(gw) + 0.5 * (vtgv - _mT(vtgv)) * f
        ga = v @ inner @ _mT(v)
        return 0.5 * (ga + _mT(ga))


class SVD(Op):
    """A = U diag(s) Vᵀ, packed as U, s, Vᵀ (or s alone when ``compute_uv`` is False).

    With k = min(m, n), J = Uᵀ gU, K = Vᵀ gV and E_ij = s_j² - s_i²:
    dA = U (diag(gs) + (J - Jᵀ)/E · S + S · (K - Kᵀ)/E) Vᵀ, plus (I - UUᵀ) gU S⁻¹ Vᵀ when
    m > n and U S⁻¹ gVᵀ (I - VVᵀ) when n > m.  The extra columns of full U or V are ignored
    (any basis of their space would do), as PyTorch.  Singular values must be distinct and,
    for U and V, nonzero.
    """

    def __init__(self, full_matrices, compute_uv):
        self.full_matrices, self.compute_uv = full_matrices, compute_uv

    def forward(self, a):
        m, n = a.shape[-2:]
        self.u, self.s, self.vh = xp.linalg.svd(a, full_matrices=False)
        if not self.compute_uv:
            return self.s
        if self.full_matrices and m != n:
            u, s, vh = xp.linalg.svd(a, full_matrices=True)
            self.shapes = (u.shape[-2:], s.shape[-1:], vh.shape[-2:])
            return _pack(u, s, vh)
        self.shapes = (self.u.shape[-2:], self.s.shape[-1:], self.vh.shape[-2:])
        return _pack(self.u, self.s, self.vh)

    def backward(self, g):
        u, s, vh = self.u, self.s, self.vh
        k = s.shape[-1]
        if not self.compute_uv:
            return (u * g[..., None, :]) @ vh
        gu, gs, gvh = _unpack(g, self.shapes)
        gu, gvh = gu[..., :k], gvh[..., :k, :]
        v, gv = _mT(vh), _mT(gvh)
        e = s[..., None, :] ** 2 - s[..., :, None] ** 2
        e[..., xp.arange(k), xp.arange(k)] = 1.0
        j, kk = _mT(u) @ gu, vh @ gv
        inner = _diag_embed(gs) + ((j - _mT(j)) / e) * s[..., None, :] + s[..., :, None] * ((kk - _mT(kk)) / e)
        ga = u @ inner @ vh
        m, n = u.shape[-2], v.shape[-2]
        if m > k:
            ga = ga + (gu - u @ (_mT(u) @ gu)) / s[..., None, :] @ vh
        if n > k:
            ga = ga + (u / s[..., None, :]) @ _mT(gv - v @ (vh @ gv))
        return ga


def _copy_lower_to_upper(m):
    return xp.tril(m) + _mT(xp.tril(m, -1))


def _qr_square_or_tall_backward(q, r, gq, gr):
    """dA of A = QR with m >= n (Liao et al., 2019): (gQ + Q copyltu(M)) R⁻ᵀ, M = R gRᵀ - gQᵀ Q."""
    m = r @ _mT(gr) - _mT(gq) @ q
    b = gq + q @ _copy_lower_to_upper(m)
    return _mT(xp.linalg.solve(r, _mT(b)))


class QR(Op):
    """A = QR, packed as Q then R.  For m >= n the reduced factors have the rule of
    ``_qr_square_or_tall_backward``; for m < n, A = [X | Y], R = [U | Qᵀ Y] with X = QU square:
    dY = Q gV and dX is the square rule with gQ + Y gVᵀ."""

    def __init__(self, mode):
        self.mode = mode

    def forward(self, a):
        self.a = a
        self.q, self.r = xp.linalg.qr(a, mode=self.mode)
        self.shapes = (self.q.shape[-2:], self.r.shape[-2:])
        return _pack(self.q, self.r)

    def backward(self, g):
        q, r, (m, n) = self.q, self.r, self.a.shape[-2:]
        if self.mode == "complete" and m > n:
            raise ValueError("linalg.qr: the gradient of mode='complete' is not defined when the "
                             f"matrix has more rows than columns (shape {self.a.shape}); use mode='reduced'")
        gq, gr = _unpack(g, self.shapes)
        if m >= n:
            return _qr_square_or_tall_backward(q, r, gq, gr)
        y, gv = self.a[..., m:], gr[..., m:]
        gx = _qr_square_or_tall_backward(q, r[..., :m], gq + y @ _mT(gv), gr[..., :m])
        return xp.concatenate([gx, q @ gv], axis=-1)
