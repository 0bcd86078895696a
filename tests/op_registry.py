"""The op registry: every differentiable function of chainrule, its PyTorch twin, and sample inputs.

One list, ``CASES``, drives the gradient checks (``test_ops_gradcheck.py``), the comparison
with PyTorch (``test_ops_torch.py``) and the coverage check (``test_op_coverage.py``): an op
that appears in no case fails the coverage test, so no op can be added without tests.

A case is a name, ``fn`` (chainrule tensors in, a tensor or a tuple of tensors out),
``torch_fn`` (the same on torch tensors, with PyTorch's semantics as the reference) and
samples.  A sample gives the shape of each tensor input, keyword arguments passed to both
functions, and the domain its values are drawn from (positive for log and sqrt, away from
the kinks of relu, abs and clamp, distinct for max and min so that no two elements tie).
Index arrays, masks and conditions are fixed NumPy arrays below; ``torch_fn`` converts them.
"""
import dataclasses
import functools
import zlib

import numpy as np

import chainrule as cr

try:
    import torch
except ImportError:  # the registry is used without torch too (gradcheck, coverage)
    torch = None


# --------------------------------------------------------------------------- value domains
def real(rng, shape):
    """Standard normal values."""
    return rng.standard_normal(shape)


def positive(rng, shape):
    """Values in [0.5, 2]: for log, sqrt, a base raised to a tensor power, a divisor."""
    return rng.uniform(0.5, 2.0, shape)


def nonzero(rng, shape):
    """Values of either sign, at least 0.2 from zero: away from the kink of relu and abs."""
    return rng.choice([-1.0, 1.0], shape) * rng.uniform(0.2, 2.0, shape)


def avoiding(*points, gap=0.1):
    """Normal values moved at least ``gap`` away from each of ``points`` (kinks, thresholds)."""
    def draw(rng, shape):
        x = 2 * rng.standard_normal(shape)
        for p in points:
            near = np.abs(x - p) < gap
            x = np.where(near, p + np.where(x >= p, gap, -gap) * 1.5, x)
        return x
    draw.__name__ = f"avoiding{points}"
    return draw


def with_zeros(positions):
    """Values away from zero, then exact zeros at ``positions`` (index tuples): for prod."""
    def draw(rng, shape):
        x = nonzero(rng, shape)
        for p in positions:
            x[p] = 0.0
        return x
    draw.__name__ = f"with_zeros{positions}"
    return draw


def fixed(*arrays):
    """Exactly these values (e.g. ties), one array per input."""
    def draw(rng, shapes):
        return [np.array(a, dtype=np.float64).reshape(s) for a, s in zip(arrays, shapes)]
    draw.joint = True
    return draw


def distinct(rng, shapes):
    """Values over all inputs together that differ pairwise by at least 6/n: no ties anywhere."""
    sizes = [int(np.prod(s)) for s in shapes]
    total = max(sum(sizes), 1)
    values = (rng.permutation(total) + 0.5) / total * 6 - 3
    out, start = [], 0
    for shape, size in zip(shapes, sizes):
        out.append(values[start:start + size].reshape(shape))
        start += size
    return out


distinct.joint = True


# --------------------------------------------------------------------------- cases and samples
@dataclasses.dataclass
class Sample:
    shapes: tuple                  # one shape per tensor input
    kwargs: dict = dataclasses.field(default_factory=dict)   # for both fn and torch_fn
    domain: object = real          # a generator, one per input (tuple), or a joint one
    dtypes: tuple = None           # input dtypes (default float64 for all)
    gradcheck: bool = True         # False where the function has no derivative (ties)
    eps: float = 1e-6              # gradcheck's step; larger where an output is float32

    def describe(self):
        shapes = ",".join(str(tuple(s)).replace(" ", "") for s in self.shapes)
        kw = ",".join(f"{k}=array{v.shape}" if isinstance(v, np.ndarray) else f"{k}={v!r}"
                      for k, v in self.kwargs.items())
        dtypes = "," + ",".join(np.dtype(d).name for d in self.dtypes) if self.dtypes else ""
        return f"{shapes}{dtypes}" + (f"|{kw}" if kw else "")


@dataclasses.dataclass
class OpCase:
    name: str
    fn: object
    torch_fn: object
    samples: list
    integer_inputs: bool = True    # False where chainrule requires floating inputs by design


CASES = []


def case(name, fn, torch_fn, *samples, integer_inputs=True):
    samples = [s if isinstance(s, Sample) else Sample(s) for s in samples]
    assert samples, f"case {name} has no samples"
    assert name not in {c.name for c in CASES}, f"case name {name} is used twice"
    CASES.append(OpCase(name, fn, torch_fn, samples, integer_inputs))


def all_samples():
    """(id, case, sample) for every sample of every case, with a stable, readable id."""
    return [(f"{c.name}#{i}:{s.describe()}", c, s) for c in CASES for i, s in enumerate(c.samples)]


def make_arrays(sample, sample_id, dtype=None):
    """The input arrays of ``sample``, drawn from a generator seeded by the sample's id.

    ``dtype`` overrides the sample's dtypes for every floating input (the float32 run).
    """
    rng = np.random.default_rng(zlib.crc32(sample_id.encode()))
    shapes = [tuple(s) for s in sample.shapes]
    domain = sample.domain
    if getattr(domain, "joint", False):
        arrays = domain(rng, shapes)
    else:
        draws = domain if isinstance(domain, tuple) else (domain,) * len(shapes)
        arrays = [draw(rng, shape) for draw, shape in zip(draws, shapes)]
    dtypes = sample.dtypes or (np.float64,) * len(shapes)
    if dtype is not None:
        dtypes = (dtype,) * len(shapes)
    return [np.asarray(a, dtype=np.float64).astype(d) for a, d in zip(arrays, dtypes)]


def outputs_of(result):
    """A function's result as a list (a tensor, a tuple, a namedtuple or a list of them)."""
    return list(result) if isinstance(result, (tuple, list)) else [result]


# --------------------------------------------------------------------------- shapes used repeatedly
BINARY_SHAPES = [
    ((2, 3), (2, 3)),
    ((), (2, 3)),            # a 0-d tensor against a matrix, both ways
    ((2, 3), ()),
    ((), ()),
    ((2, 1), (1, 3)),        # size-1 dims broadcasting both ways
    ((3,), (2, 3)),          # fewer dims on the left ...
    ((2, 3, 4), (3, 1)),     # ... and on the right
    ((2, 1, 3), (4, 1)),
    ((0, 3), (3,)),          # empty dims
    ((2, 1, 3), (2, 0, 1)),
]
UNARY_SHAPES = [(), (5,), (2, 3), (2, 1, 3), (0, 3)]


def _unary_samples(domain=real):
    return [Sample((s,), domain=domain) for s in UNARY_SHAPES]


def _binary_samples(domain=real, shapes=BINARY_SHAPES):
    return [Sample(pair, domain=domain) for pair in shapes]


# --------------------------------------------------------------------------- arithmetic
case("add", lambda a, b: a + b, lambda a, b: a + b, *_binary_samples(),
     Sample(((2, 3), (3,)), dtypes=(np.float32, np.float64)))
case("add_fn", lambda a, b: cr.add(a, b), lambda a, b: torch.add(a, b), ((2, 3), (3,)))
case("add_method", lambda a, b: a.add(b), lambda a, b: a.add(b), ((2, 1), (3,)))
case("add_scalar", lambda x: x + 2.5, lambda x: x + 2.5, *_unary_samples())
case("radd_scalar", lambda x: 2 + x, lambda x: 2 + x, ((2, 3),), ((),))


def _array_dtype(x):
    """The dtype a raw NumPy operand takes beside the tensor ``x`` in chainrule: x's own if
    x is floating (a raw array adopts the tensor's dtype), else the array's (float64)."""
    return x.dtype if x.is_floating_point() else torch.float64


case("add_array_operand", lambda x: x + np.arange(3.0),
     lambda x: x + torch.arange(3.0, dtype=_array_dtype(x)), ((2, 3),))
case("radd_array_operand", lambda x: np.arange(3.0) + x,
     lambda x: torch.arange(3.0, dtype=_array_dtype(x)) + x, ((2, 3),))
case("sub", lambda a, b: a - b, lambda a, b: a - b, *_binary_samples(),
     Sample(((2, 3), (2, 3)), dtypes=(np.float64, np.float32)))
case("sub_fn", lambda a, b: cr.subtract(a, b), lambda a, b: torch.subtract(a, b), ((3,), (2, 3)))
case("sub_method", lambda a, b: cr.sub(a, b).sub(b), lambda a, b: torch.sub(a, b).sub(b), ((2, 3), (3,)))
case("sub_scalar", lambda x: x - 1.5, lambda x: x - 1.5, *_unary_samples())
case("rsub_scalar", lambda x: 2.0 - x, lambda x: 2.0 - x, *_unary_samples())
case("rsub_array_operand", lambda x: np.ones(3) - x, lambda x: torch.ones(3, dtype=_array_dtype(x)) - x,
     ((2, 3),))
case("mul", lambda a, b: a * b, lambda a, b: a * b, *_binary_samples())
case("mul_fn", lambda a, b: cr.multiply(a, cr.mul(a, b)), lambda a, b: torch.multiply(a, torch.mul(a, b)),
     ((2, 3), (2, 1)))
case("mul_method", lambda a, b: a.mul(b), lambda a, b: a.mul(b), ((4,), (3, 1)))
case("mul_self", lambda a: a * a, lambda a: a * a, ((2, 3),))
case("mul_scalar", lambda x: x * 3, lambda x: x * 3, *_unary_samples())
case("rmul_scalar", lambda x: -0.5 * x, lambda x: -0.5 * x, ((2, 3),), ((),))
case("div", lambda a, b: a / b, lambda a, b: a / b, *_binary_samples(domain=(real, nonzero)))
case("div_fn", lambda a, b: cr.div(a, b) + cr.divide(b, a) + cr.true_divide(a, 2.0),
     lambda a, b: torch.div(a, b) + torch.divide(b, a) + torch.true_divide(a, 2.0),
     Sample(((2, 3), (3,)), domain=nonzero))
case("div_method", lambda a, b: a.div(b), lambda a, b: a.div(b), Sample(((3,), (2, 1)), domain=nonzero))
case("div_scalar", lambda x: x / 4.0, lambda x: x / 4.0, *_unary_samples())
case("rdiv_scalar", lambda x: 3.0 / x, lambda x: 3.0 / x, *_unary_samples(domain=nonzero))
case("rdiv_array_operand", lambda x: np.full(3, 2.0) / x,
     lambda x: torch.full((3,), 2.0, dtype=_array_dtype(x)) / x,
     Sample(((2, 3),), domain=nonzero))
case("pow", lambda a, b: a ** b, lambda a, b: a ** b,
     *_binary_samples(domain=(positive, real)))
case("pow_fn", lambda a, b: cr.pow(a, b), lambda a, b: torch.pow(a, b),
     Sample(((2, 3), (3,)), domain=(positive, real)))
case("pow_method", lambda a, b: a.pow(b), lambda a, b: a.pow(b),
     Sample(((2, 1), (3,)), domain=(positive, real)))
case("pow_scalar_square", lambda x: x ** 2, lambda x: x ** 2, *_unary_samples())
case("pow_scalar_cube", lambda x: x ** 3, lambda x: x ** 3, ((2, 3),), ((),))
case("pow_scalar_half", lambda x: x ** 0.5, lambda x: x ** 0.5, *_unary_samples(domain=positive))
case("pow_scalar_negative", lambda x: x ** -1.5, lambda x: x ** -1.5, Sample(((2, 3),), domain=positive))
case("pow_scalar_negative_int", lambda x: x ** -2, lambda x: x ** -2, Sample(((2, 3),), domain=nonzero))
case("pow_scalar_zero", lambda x: x ** 0, lambda x: x ** 0, ((2, 3),))
case("pow_scalar_one", lambda x: cr.pow(x, 1.0), lambda x: torch.pow(x, 1.0), ((2, 3),))
case("rpow_scalar", lambda x: 2.0 ** x, lambda x: 2.0 ** x, *_unary_samples())
case("rpow_scalar_fraction", lambda x: 0.5 ** x, lambda x: 0.5 ** x, ((2, 3),))
case("rpow_scalar_int", lambda x: 3 ** x, lambda x: 3 ** x, ((2, 3),))
case("rpow_scalar_fn", lambda x: cr.pow(2.0, x), lambda x: torch.pow(2.0, x), ((2, 3),))
case("rpow_scalar_zero_base", lambda x: 0.0 ** x, lambda x: 0.0 ** x, Sample(((2, 3),), domain=positive))
case("neg", lambda x: -x, lambda x: -x, *_unary_samples())
case("neg_fn", lambda x: cr.neg(x) + cr.negative(x) + x.neg(),
     lambda x: torch.neg(x) + torch.negative(x) + x.neg(), ((2, 3),))
case("pos", lambda x: +x * 2, lambda x: +x * 2, ((2, 3),))

# --------------------------------------------------------------------------- matrix products
MATMUL_SHAPES = [
    ((3,), (3,)),              # 1-D . 1-D
    ((3,), (3, 4)),            # 1-D @ 2-D
    ((2, 3), (3,)),            # 2-D @ 1-D
    ((2, 3), (3, 4)),          # 2-D @ 2-D
    ((5, 2, 3), (5, 3, 4)),    # batched
    ((2, 1, 2, 3), (3, 3, 2)),  # batch dims broadcasting both ways
    ((5, 2, 3), (3, 4)),       # N-D @ 2-D (a layer over a sequence)
    ((2, 3), (5, 3, 4)),       # 2-D @ N-D
    ((3,), (2, 3, 4)),         # 1-D @ N-D
    ((2, 4, 3), (3,)),         # N-D @ 1-D
    ((1, 2, 3), (4, 3, 2)),    # a size-1 batch dim
    ((0, 3), (3, 2)),          # empty rows
    ((2, 0), (0, 3)),          # empty inner dim
]
case("matmul", lambda a, b: a @ b, lambda a, b: a @ b, *[Sample(p) for p in MATMUL_SHAPES])
case("matmul_fn", lambda a, b: cr.matmul(a, b), lambda a, b: torch.matmul(a, b), ((2, 3), (3, 4)))
case("matmul_method", lambda a, b: a.matmul(b), lambda a, b: a.matmul(b), ((4, 2, 3), (3, 4)))
case("rmatmul_array", lambda b: np.arange(6.0).reshape(2, 3) @ b,
     lambda b: torch.arange(6.0, dtype=_array_dtype(b)).reshape(2, 3) @ b, ((3, 4),))

EINSUM_SAMPLES = [
    Sample(((2, 3), (3, 4)), dict(equation="ij,jk->ik")),          # matrix product
    Sample(((5, 2, 3), (5, 3, 4)), dict(equation="bij,bjk->bik")),  # batched
    Sample(((3, 3),), dict(equation="ii->")),                       # trace
    Sample(((3, 3),), dict(equation="ii->i")),                      # diagonal
    Sample(((3,), (4,)), dict(equation="i,j->ij")),                 # outer product
    Sample(((2, 5, 2, 3), (5, 3, 4)), dict(equation="...ij,...jk->...ik")),  # ellipsis
    Sample(((2, 1, 2, 3), (5, 3, 4)), dict(equation="...ij,...jk->...ik")),  # ellipsis, broadcast
    Sample(((2, 3), (3, 4)), dict(equation="ij,jk")),               # implicit output
    Sample(((3, 2), (2, 3)), dict(equation="ba,ac")),               # implicit output, sorted
    Sample(((2, 3), (3, 4), (4, 5)), dict(equation="ij,jk,kl->il")),  # three operands
    Sample(((2, 3, 4), (3,)), dict(equation="ijk,j->i")),           # k summed in operand 0 only
    Sample(((2, 3), (4, 3)), dict(equation="ij,kj->i")),            # k summed in operand 1 only
    Sample(((2, 3, 3),), dict(equation="bii->b")),                  # batched trace
    Sample(((2, 3),), dict(equation="ij->ji")),                     # transpose
    Sample(((2, 3),), dict(equation="ij->")),                       # sum of everything
    Sample(((2, 3, 4),), dict(equation="...j->j...")),              # ellipsis moved
    Sample(((3,), (3,)), dict(equation="i,i->")),                   # dot product
    Sample(((),), dict(equation="->")),                             # 0-d operands
    Sample(((), (3,)), dict(equation=",i->i")),
    Sample(((3, 3), (3,)), dict(equation="ii,i->i")),               # a diagonal times a vector
    Sample(((2, 3, 4), (2, 5, 4)), dict(equation="bij,bkj->bik")),
    Sample(((2, 3), (2, 3)), dict(equation="ij,ij->ij")),           # elementwise product
    Sample(((2, 3),), dict(equation="ij->j")),                      # an implicit-sum reduction
]
case("einsum", lambda *ops, equation: cr.einsum(equation, *ops),
     lambda *ops, equation: torch.einsum(equation, *ops), *EINSUM_SAMPLES)
case("einsum_list", lambda a, b: cr.einsum("ij,jk->ik", [a, b]),
     lambda a, b: torch.einsum("ij,jk->ik", [a, b]), ((2, 3), (3, 2)))

# --------------------------------------------------------------------------- linear algebra
def _orthogonal(rng, batch, n):
    q, r = np.linalg.qr(rng.standard_normal(batch + (n, n)))
    return q * np.sign(np.diagonal(r, axis1=-2, axis2=-1))[..., None, :]


def _spread(rng, batch, k, low, high):
    """k values per matrix, evenly spaced over [low, high] (so pairwise apart), shuffled."""
    values = np.linspace(low, high, k) if k > 1 else np.full(k, (low + high) / 2)
    return rng.permuted(np.broadcast_to(values, batch + (k,)).copy(), axis=-1)


def well_conditioned(rng, shape):
    """U diag(s) Vᵀ with distinct singular values s in [1, 3]: invertible, a stable SVD."""
    *batch, m, n = shape
    batch, k = tuple(batch), min(m, n)
    s = _spread(rng, batch, k, 1.0, 3.0)
    return (_orthogonal(rng, batch, m)[..., :k] * s[..., None, :]) @ _orthogonal(rng, batch, n)[..., :k, :]


def symmetric_distinct(rng, shape):
    """Q diag(λ) Qᵀ with eigenvalues of both signs, pairwise at least 0.5 apart."""
    *batch, n, _ = shape
    q = _orthogonal(rng, tuple(batch), n)
    return (q * _spread(rng, tuple(batch), n, -2.0, -2.0 + 0.8 * n)[..., None, :]) @ np.swapaxes(q, -1, -2)


def positive_definite(rng, shape):
    """Q diag(λ) Qᵀ with distinct eigenvalues in [1, 3]."""
    *batch, n, _ = shape
    q = _orthogonal(rng, tuple(batch), n)
    return (q * _spread(rng, tuple(batch), n, 1.0, 3.0)[..., None, :]) @ np.swapaxes(q, -1, -2)


def _sym(x):
    """(x + xᵀ) / 2: a symmetric input for the functions that read one triangle, so that a
    gradient check's perturbation of either triangle means the same thing."""
    return (x + x.mT) / 2


def _signs(array, axis=-2):
    """+1 or -1 per vector (a column, or a row for axis=-1), making its largest entry positive."""
    peak = np.take_along_axis(array, np.argmax(np.abs(array), axis=axis, keepdims=True), axis=axis)
    return np.sign(peak)


def _cr_signs(t, axis=-2):
    return cr.Tensor(_signs(t.data, axis))


def _torch_signs(t, axis=-2):
    return torch.from_numpy(_signs(t.detach().numpy(), axis))


def _gauge_fixed_svd(U, S, Vh, signs):
    """The SVD with each pair (u_i, v_i) turned to one fixed sign, and U, Vh cut to k vectors:
    what both libraries must agree on (the signs and extra vectors are arbitrary)."""
    k = S.shape[-1]
    s = signs(U[..., :k])
    return U[..., :k] * s, S, Vh[..., :k, :] * s.mT


def _diagonal_signs(array):
    """The sign of each diagonal element of (a batch of) square matrices, as a column."""
    return np.sign(np.diagonal(array, axis1=-2, axis2=-1))[..., :, None]


def _gauge_fixed_qr(Q, R, wrap):
    """Q and R with R's diagonal made positive (each library may flip a column of Q), Q cut
    to min(m, n) columns (the rest of a complete Q is any basis of its space)."""
    k = min(R.shape[-2:])
    d = wrap(_diagonal_signs((R.data if isinstance(R, cr.Tensor) else R.detach().numpy())[..., :k, :k]))
    return Q[..., :k] * d.mT, R[..., :k, :] * d


WELL = well_conditioned
case("mm", lambda a, b: cr.mm(a, b) + a.mm(b), lambda a, b: torch.mm(a, b) + a.mm(b),
     ((2, 3), (3, 4)), ((0, 3), (3, 2)))
case("bmm", lambda a, b: cr.bmm(a, b) + a.bmm(b), lambda a, b: torch.bmm(a, b) + a.bmm(b),
     ((2, 2, 3), (2, 3, 4)))
case("mv", lambda a, v: cr.mv(a, v) + a.mv(v), lambda a, v: torch.mv(a, v) + a.mv(v), ((2, 3), (3,)))
case("dot", lambda a, b: cr.dot(a, b) + a.dot(b) + cr.vdot(a, b) + a.vdot(b),
     lambda a, b: torch.dot(a, b) + a.dot(b) + torch.vdot(a, b) + a.vdot(b), ((3,), (3,)))
case("outer", lambda a, b: cr.outer(a, b) + a.outer(b) + cr.ger(a, b) + a.ger(b),
     lambda a, b: torch.outer(a, b) + a.outer(b) + torch.ger(a, b) + a.ger(b), ((3,), (4,)))
case("inner", lambda a, b: cr.inner(a, b) + a.inner(b), lambda a, b: torch.inner(a, b) + a.inner(b),
     ((2, 3), (4, 3)), ((3,), (3,)), ((), (2, 3)), ((2, 1, 3), (3,)))
case("addmm", lambda x, a, b, **kw: cr.addmm(x, a, b, **kw) + x.addmm(a, b, **kw),
     lambda x, a, b, **kw: torch.addmm(x, a, b, **kw) + x.addmm(a, b, **kw),
     ((2, 4), (2, 3), (3, 4)), ((4,), (2, 3), (3, 4)), Sample(((1, 4), (2, 3), (3, 4)), dict(beta=2, alpha=-3)))
case("addmv", lambda x, a, v, **kw: cr.addmv(x, a, v, **kw) + x.addmv(a, v, **kw),
     lambda x, a, v, **kw: torch.addmv(x, a, v, **kw) + x.addmv(a, v, **kw),
     ((2,), (2, 3), (3,)), Sample(((), (2, 3), (3,)), dict(beta=3.0, alpha=0.5)))
case("addbmm", lambda x, a, b, **kw: cr.addbmm(x, a, b, **kw) + x.addbmm(a, b, **kw),
     lambda x, a, b, **kw: torch.addbmm(x, a, b, **kw) + x.addbmm(a, b, **kw),
     ((2, 4), (3, 2, 3), (3, 3, 4)), Sample(((4,), (3, 2, 3), (3, 3, 4)), dict(beta=-1, alpha=2)))
case("baddbmm", lambda x, a, b, **kw: cr.baddbmm(x, a, b, **kw) + x.baddbmm(a, b, **kw),
     lambda x, a, b, **kw: torch.baddbmm(x, a, b, **kw) + x.baddbmm(a, b, **kw),
     ((3, 2, 4), (3, 2, 3), (3, 3, 4)), Sample(((2, 1), (3, 2, 3), (3, 3, 4)), dict(beta=3, alpha=-2)))
case("tensordot", lambda a, b, **kw: cr.tensordot(a, b, **kw), lambda a, b, **kw: torch.tensordot(a, b, **kw),
     ((2, 3, 4), (3, 4, 5)), Sample(((3, 2, 4), (2, 3, 5)), dict(dims=([1, 0], [0, 1]))),
     Sample(((2,), (3,)), dict(dims=0)), Sample(((2, 3), (3, 4)), dict(dims=1)),
     Sample(((2, 3), (4, 3)), dict(dims=([-1], [1]))))
case("kron", lambda a, b: cr.kron(a, b) + a.kron(b), lambda a, b: torch.kron(a, b) + a.kron(b),
     ((2, 3), (3, 2)), ((2,), (2, 3)), ((2, 1, 2), (3, 2)), ((), (2,)))
case("cross", lambda a, b, dim: cr.cross(a, b, dim) + a.cross(b, dim=dim),
     lambda a, b, dim: torch.cross(a, b, dim) + a.cross(b, dim=dim),
     Sample(((4, 3), (4, 3)), dict(dim=1)), Sample(((3, 2), (3, 2)), dict(dim=0)),
     Sample(((2, 1, 3), (1, 4, 3)), dict(dim=-1)))
case("linalg_cross", lambda a, b, **kw: cr.linalg.cross(a, b, **kw),
     lambda a, b, **kw: torch.linalg.cross(a, b, **kw), ((4, 3), (4, 3)),
     Sample(((3, 2), (3, 1)), dict(dim=0)))
case("cdist", lambda a, b, **kw: cr.cdist(a, b, **kw), lambda a, b, **kw: torch.cdist(a, b, **kw),
     ((4, 3), (5, 3)), ((2, 4, 3), (1, 5, 3)), ((30, 3), (5, 3)),
     Sample(((4, 3), (5, 3)), dict(compute_mode="use_mm_for_euclid_dist")),
     Sample(((30, 3), (5, 3)), dict(compute_mode="donot_use_mm_for_euclid_dist")),
     Sample(((4, 3), (5, 3)), dict(p=1.0)), Sample(((4, 3), (5, 3)), dict(p=3.0)),
     Sample(((4, 3), (5, 3)), dict(p=float("inf"))))
case("multi_dot", lambda *ts: cr.linalg.multi_dot(list(ts)), lambda *ts: torch.linalg.multi_dot(list(ts)),
     ((2, 3), (3, 4), (4, 2)), ((3,), (3, 4), (4,)), ((3,), (3, 2)))
case("chain_matmul", lambda *ts: cr.chain_matmul(*ts), lambda *ts: torch.linalg.multi_dot(ts),
     ((2, 3), (3, 4), (4, 2)), ((2, 3), (3, 2)))
case("block_diag", lambda *ts: cr.block_diag(*ts), lambda *ts: torch.block_diag(*ts),
     ((2, 3), (), (2,), (1, 2)), ((2, 2),))
case("cartesian_prod", lambda *ts: cr.cartesian_prod(*ts), lambda *ts: torch.cartesian_prod(*ts),
     ((2,), (3,)), ((2,), (1,), (3,)), ((3,),))
case("det", lambda x: cr.det(x) + x.det() + cr.linalg.det(x), lambda x: 3 * torch.det(x),
     Sample(((3, 3),), domain=WELL), Sample(((2, 3, 3),), domain=WELL), Sample(((1, 1),), domain=WELL))
case("slogdet", lambda x: cr.slogdet(x).sign * cr.slogdet(x).logabsdet + x.slogdet()[1]
     + cr.linalg.slogdet(x).logabsdet,
     lambda x: torch.slogdet(x).sign * torch.slogdet(x).logabsdet + 2 * torch.slogdet(x)[1],
     Sample(((3, 3),), domain=WELL), Sample(((2, 3, 3),), domain=WELL))
case("logdet", lambda x: cr.logdet(x) + x.logdet(), lambda x: 2 * torch.logdet(x),
     Sample(((3, 3),), domain=positive_definite), Sample(((2, 3, 3),), domain=positive_definite))
case("inverse", lambda x: cr.inverse(x) + x.inverse() + cr.linalg.inv(x), lambda x: 3 * torch.inverse(x),
     Sample(((3, 3),), domain=WELL), Sample(((2, 3, 3),), domain=WELL), Sample(((1, 1),), domain=WELL))
case("pinv", lambda x, **kw: cr.linalg.pinv(x, **kw), lambda x, **kw: torch.linalg.pinv(x, **kw),
     Sample(((4, 3),), domain=WELL), Sample(((3, 4),), domain=WELL), Sample(((2, 3, 3),), domain=WELL),
     Sample(((4, 3),), dict(atol=0.1), domain=WELL))
case("pinv_hermitian", lambda x: cr.linalg.pinv(_sym(x), hermitian=True),
     lambda x: torch.linalg.pinv(_sym(x), hermitian=True), Sample(((3, 3),), domain=symmetric_distinct),
     integer_inputs=False)
case("pinverse", lambda x: cr.pinverse(x) + x.pinverse(), lambda x: 2 * torch.pinverse(x),
     Sample(((4, 3),), domain=WELL))
case("matrix_power", lambda x, n: cr.matrix_power(x, n) + x.matrix_power(n) + cr.linalg.matrix_power(x, n),
     lambda x, n: 3 * torch.matrix_power(x, n),
     *[Sample(((3, 3),), dict(n=n), domain=WELL) for n in (1, 2, 3, 4, -1, -2)],
     Sample(((2, 3, 3),), dict(n=3), domain=WELL))
case("solve", lambda a, b, **kw: cr.linalg.solve(a, b, **kw), lambda a, b, **kw: torch.linalg.solve(a, b, **kw),
     Sample(((3, 3), (3, 2)), domain=(WELL, real)), Sample(((3, 3), (3,)), domain=(WELL, real)),
     Sample(((2, 3, 3), (2, 3)), domain=(WELL, real)), Sample(((2, 3, 3), (3, 1)), domain=(WELL, real)),
     Sample(((3, 3), (2, 3, 2)), domain=(WELL, real)),
     Sample(((3, 3), (2, 3)), dict(left=False), domain=(WELL, real)))
case("lstsq", lambda a, b: cr.linalg.lstsq(a, b).solution, lambda a, b: torch.linalg.lstsq(a, b).solution,
     Sample(((5, 3), (5, 2)), domain=(WELL, real)), Sample(((2, 4, 2), (2, 4, 3)), domain=(WELL, real)))
case("cholesky", lambda x, **kw: cr.linalg.cholesky(_sym(x), **kw),
     lambda x, **kw: torch.linalg.cholesky(_sym(x), **kw),
     Sample(((3, 3),), domain=positive_definite), Sample(((2, 4, 4),), domain=positive_definite),
     Sample(((3, 3),), dict(upper=True), domain=positive_definite),
     integer_inputs=False)
case("eigh", lambda x, **kw: (lambda w, v: (w, v * _cr_signs(v)))(*cr.linalg.eigh(_sym(x), **kw)),
     lambda x, **kw: (lambda w, v: (w, v * _torch_signs(v)))(*torch.linalg.eigh(_sym(x), **kw)),
     Sample(((3, 3),), domain=symmetric_distinct), Sample(((2, 4, 4),), domain=symmetric_distinct),
     Sample(((3, 3),), dict(UPLO="U"), domain=symmetric_distinct),
     integer_inputs=False)
case("eigvalsh", lambda x, **kw: cr.linalg.eigvalsh(_sym(x), **kw),
     lambda x, **kw: torch.linalg.eigvalsh(_sym(x), **kw),
     Sample(((3, 3),), domain=symmetric_distinct), Sample(((2, 4, 4),), dict(UPLO="U"), domain=symmetric_distinct),
     integer_inputs=False)
case("svd", lambda x, **kw: _gauge_fixed_svd(*cr.linalg.svd(x, **kw), _cr_signs),
     lambda x, **kw: _gauge_fixed_svd(*torch.linalg.svd(x, **kw), _torch_signs),
     *[Sample((s,), dict(full_matrices=f), domain=WELL)
       for s in [(3, 3), (4, 3), (3, 4), (2, 4, 2)] for f in (False, True)])
case("svdvals", lambda x: cr.linalg.svdvals(x), lambda x: torch.linalg.svdvals(x),
     Sample(((4, 3),), domain=WELL), Sample(((2, 3, 4),), domain=WELL))
case("qr", lambda x, **kw: _gauge_fixed_qr(*cr.linalg.qr(x, **kw), cr.Tensor),
     lambda x, **kw: _gauge_fixed_qr(*torch.linalg.qr(x, **kw), torch.from_numpy),
     Sample(((4, 3),), domain=WELL), Sample(((3, 3),), domain=WELL), Sample(((3, 4),), domain=WELL),
     Sample(((2, 4, 3),), domain=WELL), Sample(((3, 4),), dict(mode="complete"), domain=WELL),
     Sample(((3, 3),), dict(mode="complete"), domain=WELL))
case("vector_norm", lambda x, **kw: cr.linalg.vector_norm(x, **kw),
     lambda x, **kw: torch.linalg.vector_norm(x, **kw),
     Sample(((2, 3),), domain=nonzero), Sample(((2, 3, 4),), dict(dim=(0, 2), keepdim=True), domain=nonzero),
     Sample(((2, 3),), dict(ord=1, dim=1), domain=nonzero), Sample(((2, 3),), dict(ord=float("inf")), domain=distinct),
     Sample(((2, 3),), dict(ord=-float("inf"), dim=0), domain=distinct),
     Sample(((2, 3),), dict(ord=3.5, dim=-1), domain=nonzero), Sample(((),), domain=nonzero),
     Sample(((2, 3),), dict(keepdim=True), domain=nonzero))
case("matrix_norm", lambda x, **kw: cr.linalg.matrix_norm(x, **kw),
     lambda x, **kw: torch.linalg.matrix_norm(x, **kw),
     *[Sample(((3, 4),), dict(ord=o), domain=distinct) for o in ("fro", 1, -1, float("inf"), -float("inf"))],
     *[Sample(((3, 4),), dict(ord=o), domain=WELL) for o in ("nuc", 2, -2)],
     Sample(((2, 3, 4),), dict(ord="nuc", dim=(0, 2), keepdim=True), domain=distinct),
     Sample(((2, 3, 4),), dict(ord=1, dim=(2, 0)), domain=distinct),
     Sample(((2, 3, 4),), dict(ord=-float("inf"), keepdim=True), domain=distinct))
case("linalg_norm", lambda x, **kw: cr.linalg.norm(x, **kw), lambda x, **kw: torch.linalg.norm(x, **kw),
     Sample(((2, 3),), domain=nonzero), Sample(((4,),), dict(ord=1), domain=nonzero),
     Sample(((3, 4),), dict(ord="nuc"), domain=WELL), Sample(((2, 3, 4),), dict(dim=1), domain=nonzero),
     Sample(((2, 3, 4),), dict(ord=float("inf"), dim=(1, 2)), domain=distinct),
     Sample(((2, 3),), dict(ord=3, dim=1), domain=nonzero))
case("cond", lambda x, **kw: cr.linalg.cond(x, **kw), lambda x, **kw: torch.linalg.cond(x, **kw),
     Sample(((3, 3),), domain=WELL), Sample(((4, 3),), domain=WELL), Sample(((3, 3),), dict(p=-2), domain=WELL))
# torch.linalg.cond cannot backpropagate for these p (its inverse is overwritten in place), so the
# twin spells out its definition; test_linalg.py compares the values with torch.linalg.cond
case("cond_norms", lambda x, p: cr.linalg.cond(x, p),
     lambda x, p: torch.linalg.matrix_norm(x, p) * torch.linalg.matrix_norm(torch.linalg.inv(x), p),
     *[Sample(((3, 3),), dict(p=p), domain=WELL) for p in ("fro", "nuc", float("inf"), -1)],
     Sample(((2, 3, 3),), dict(p=1), domain=WELL))
case("vecdot", lambda a, b, **kw: cr.linalg.vecdot(a, b, **kw), lambda a, b, **kw: torch.linalg.vecdot(a, b, **kw),
     ((2, 3), (3,)), Sample(((2, 3), (2, 1)), dict(dim=0)))
case("linalg_diagonal", lambda x, **kw: cr.linalg.diagonal(x, **kw),
     lambda x, **kw: torch.linalg.diagonal(x, **kw), ((3, 4),), Sample(((2, 3, 4),), dict(offset=1)),
     Sample(((3, 4, 2),), dict(offset=-1, dim1=0, dim2=1)), Sample(((3, 4),), dict(offset=5)))

# --------------------------------------------------------------------------- elementwise functions
case("exp", lambda x: cr.exp(x), lambda x: torch.exp(x), *_unary_samples())
case("exp_method", lambda x: x.exp(), lambda x: x.exp(), ((2, 3),))
case("log", lambda x: cr.log(x), lambda x: torch.log(x), *_unary_samples(domain=positive))
case("log_method", lambda x: x.log(), lambda x: x.log(), Sample(((2, 3),), domain=positive))
case("log1p", lambda x: cr.log1p(x), lambda x: torch.log1p(x),
     *_unary_samples(domain=positive), Sample(((4,),), domain=lambda rng, s: rng.uniform(-0.5, 0.5, s)))
case("log1p_method", lambda x: x.log1p(), lambda x: x.log1p(), Sample(((2, 3),), domain=positive))
case("sqrt", lambda x: cr.sqrt(x), lambda x: torch.sqrt(x), *_unary_samples(domain=positive))
case("sqrt_method", lambda x: x.sqrt(), lambda x: x.sqrt(), Sample(((2, 3),), domain=positive))
case("abs", lambda x: cr.abs(x), lambda x: torch.abs(x), *_unary_samples(domain=nonzero))
case("abs_method", lambda x: abs(x) + x.abs(), lambda x: abs(x) + x.abs(), Sample(((2, 3),), domain=nonzero))
case("abs_at_zero", lambda x: cr.abs(x), lambda x: torch.abs(x),
     Sample(((3,),), domain=fixed([-1.0, 0.0, 2.0]), gradcheck=False))
case("sin", lambda x: cr.sin(x), lambda x: torch.sin(x), *_unary_samples())
case("sin_method", lambda x: x.sin(), lambda x: x.sin(), ((2, 3),))
case("cos", lambda x: cr.cos(x), lambda x: torch.cos(x), *_unary_samples())
case("cos_method", lambda x: x.cos(), lambda x: x.cos(), ((2, 3),))
case("tanh", lambda x: cr.tanh(x), lambda x: torch.tanh(x), *_unary_samples())
case("tanh_method", lambda x: x.tanh(), lambda x: x.tanh(), ((2, 3),))
case("sigmoid", lambda x: cr.sigmoid(x), lambda x: torch.sigmoid(x), *_unary_samples(),
     Sample(((4,),), domain=fixed([-40.0, -5.0, 5.0, 40.0])))
case("sigmoid_method", lambda x: x.sigmoid(), lambda x: x.sigmoid(), ((2, 3),))


def within(low, high):
    """Uniform values in (low, high): the domain of asin, atanh, erfinv, acosh..."""
    def draw(rng, shape):
        return rng.uniform(low, high, shape)
    draw.__name__ = f"within({low},{high})"
    return draw


UNIT = within(-0.9, 0.9)
case("tan", lambda x: cr.tan(x), lambda x: torch.tan(x), *_unary_samples(domain=within(-1.2, 1.2)))
case("sinh", lambda x: cr.sinh(x), lambda x: torch.sinh(x), *_unary_samples())
case("cosh", lambda x: cr.cosh(x), lambda x: torch.cosh(x), *_unary_samples())
case("asin", lambda x: cr.asin(x), lambda x: torch.asin(x), *_unary_samples(domain=UNIT))
case("acos", lambda x: cr.acos(x), lambda x: torch.acos(x), *_unary_samples(domain=UNIT))
case("atan", lambda x: cr.atan(x), lambda x: torch.atan(x), *_unary_samples())
case("asinh", lambda x: cr.asinh(x), lambda x: torch.asinh(x), *_unary_samples())
case("acosh", lambda x: cr.acosh(x), lambda x: torch.acosh(x), *_unary_samples(domain=within(1.2, 3.0)))
case("atanh", lambda x: cr.atanh(x), lambda x: torch.atanh(x), *_unary_samples(domain=UNIT))
case("trig_methods", lambda x: x.tan() + x.sinh() + x.cosh() + x.asin() + x.acos() + x.atan() + x.asinh()
     + x.atanh() + (x + 2).acosh(),
     lambda x: x.tan() + x.sinh() + x.cosh() + x.asin() + x.acos() + x.atan() + x.asinh()
     + x.atanh() + (x + 2).acosh(), Sample(((2, 3),), domain=UNIT))
case("arc_aliases", lambda x: cr.arcsin(x) + cr.arccos(x) + cr.arctan(x) + cr.arcsinh(x) + cr.arctanh(x)
     + cr.arccosh(x + 2) + x.arcsin() + x.arccos() + x.arctan() + x.arcsinh() + x.arctanh()
     + (x + 2).arccosh(),
     lambda x: torch.arcsin(x) + torch.arccos(x) + torch.arctan(x) + torch.arcsinh(x) + torch.arctanh(x)
     + torch.arccosh(x + 2) + x.arcsin() + x.arccos() + x.arctan() + x.arcsinh() + x.arctanh()
     + (x + 2).arccosh(),
     Sample(((2, 3),), domain=UNIT))
case("atan2", lambda a, b: cr.atan2(a, b), lambda a, b: torch.atan2(a, b), *_binary_samples(),
     Sample(((3,), (3,)), domain=fixed([0.0, 0.0, 1.0], [0.0, 1.0, 0.0]), gradcheck=False))  # the origin
case("atan2_aliases", lambda a, b: a.atan2(b) + cr.arctan2(b, a) + a.arctan2(2.0),
     lambda a, b: a.atan2(b) + torch.arctan2(b, a) + a.arctan2(torch.tensor(2.0, dtype=a.dtype)),
     Sample(((2, 3), (3,)), domain=nonzero))
case("erf", lambda x: cr.erf(x), lambda x: torch.erf(x), *_unary_samples(),
     Sample(((6,),), domain=fixed([-30.0, -3.0, -2.0, 1.99, 2.5, 30.0])))
case("erfc", lambda x: cr.erfc(x), lambda x: torch.erfc(x), *_unary_samples(),
     Sample(((6,),), domain=fixed([-30.0, -3.0, -2.0, 1.99, 2.5, 10.0])))
case("erfinv", lambda x: cr.erfinv(x), lambda x: torch.erfinv(x), *_unary_samples(domain=UNIT),
     Sample(((6,),), domain=fixed([-0.999999, -0.5, 0.0, 0.5000001, 0.99, 0.999999999]),
            gradcheck=False))  # gradcheck's step would cross 1
case("erf_methods", lambda x: x.erf() + x.erfc() + x.erfinv(), lambda x: x.erf() + x.erfc() + x.erfinv(),
     Sample(((2, 3),), domain=UNIT))
case("exp2", lambda x: cr.exp2(x), lambda x: torch.exp2(x), *_unary_samples())
case("expm1", lambda x: cr.expm1(x), lambda x: torch.expm1(x), *_unary_samples(),
     Sample(((3,),), domain=fixed([-1e-10, 1e-8, 3e-5])))
case("log2", lambda x: cr.log2(x), lambda x: torch.log2(x), *_unary_samples(domain=positive))
case("log10", lambda x: cr.log10(x), lambda x: torch.log10(x), *_unary_samples(domain=positive))
case("reciprocal", lambda x: cr.reciprocal(x), lambda x: torch.reciprocal(x), *_unary_samples(domain=nonzero))
case("rsqrt", lambda x: cr.rsqrt(x), lambda x: torch.rsqrt(x), *_unary_samples(domain=positive))
case("square", lambda x: cr.square(x), lambda x: torch.square(x), *_unary_samples())
case("exp_log_methods", lambda x: x.exp2() + x.expm1() + x.log2() + x.log10() + x.reciprocal() + x.rsqrt()
     + x.square(), lambda x: x.exp2() + x.expm1() + x.log2() + x.log10() + x.reciprocal() + x.rsqrt()
     + x.square(), Sample(((2, 3),), domain=positive))
# sinc(n) is 0 up to rounding at integers, and the two libraries round sin(πn) differently
case("sinc", lambda x: cr.sinc(x) + x.sinc(), lambda x: torch.sinc(x) + x.sinc(), *_unary_samples(),
     Sample(((5,),), domain=fixed([-1.0, 0.0, 1e-9, 0.5, 2.0]), gradcheck=False), integer_inputs=False)
# rounding: away from the jumps the gradient is 0, as PyTorch defines it; -0.5 and 2.5 round to even
ROUNDING = fixed([-2.5, -0.5, 0.5, 1.5, 2.5, -1.0, 0.0, 3.0])
case("floor", lambda x: cr.floor(x) + x.floor(), lambda x: torch.floor(x) + x.floor(), *_unary_samples(),
     Sample(((8,),), domain=ROUNDING, gradcheck=False))
case("ceil", lambda x: cr.ceil(x) + x.ceil(), lambda x: torch.ceil(x) + x.ceil(), *_unary_samples(),
     Sample(((8,),), domain=ROUNDING, gradcheck=False))
case("trunc", lambda x: cr.trunc(x) + x.trunc() + cr.fix(x) + x.fix(),
     lambda x: torch.trunc(x) + x.trunc() + torch.fix(x) + x.fix(), *_unary_samples(),
     Sample(((8,),), domain=ROUNDING, gradcheck=False))
case("round", lambda x, **kw: cr.round(x, **kw), lambda x, **kw: torch.round(x, **kw), *_unary_samples(),
     Sample(((8,),), domain=ROUNDING, gradcheck=False),
     Sample(((2, 3),), dict(decimals=2)), Sample(((2, 3),), dict(decimals=-1), domain=within(-80, 80)),
     Sample(((4,),), dict(decimals=1), domain=fixed([0.25, 0.35, -1.45, 2.05]), gradcheck=False))
case("round_method", lambda x: x.round() + x.round(decimals=1), lambda x: x.round() + x.round(decimals=1),
     ((2, 3),))
case("sign", lambda x: cr.sign(x) + x.sign() + cr.sgn(x) + x.sgn(),
     lambda x: torch.sign(x) + x.sign() + torch.sgn(x) + x.sgn(), *_unary_samples(domain=nonzero),
     Sample(((4,),), domain=fixed([-0.0, 0.0, np.nan, -np.inf]), gradcheck=False))
case("frac", lambda x: cr.frac(x) + x.frac(), lambda x: torch.frac(x) + x.frac(), *_unary_samples(),
     Sample(((8,),), domain=ROUNDING, gradcheck=False))
case("hypot", lambda a, b: cr.hypot(a, b) + a.hypot(b), lambda a, b: torch.hypot(a, b) + a.hypot(b),
     *_binary_samples(domain=nonzero),
     Sample(((2,), (2,)), domain=fixed([1e30, 3.0], [1e30, 4.0]), gradcheck=False))  # float32: no overflow
case("logaddexp", lambda a, b: cr.logaddexp(a, b) + a.logaddexp(b),
     lambda a, b: torch.logaddexp(a, b) + a.logaddexp(b), *_binary_samples(),
     Sample(((3,), (3,)), domain=fixed([800.0, -800.0, 1.0], [799.0, -801.0, 1.0])))
case("logaddexp2", lambda a, b: cr.logaddexp2(a, b) + a.logaddexp2(b),
     lambda a, b: torch.logaddexp2(a, b) + a.logaddexp2(b), *_binary_samples(),
     Sample(((3,), (3,)), domain=fixed([800.0, -800.0, 1.0], [799.0, -801.0, 1.0])))
case("xlogy", lambda a, b: cr.xlogy(a, b) + a.xlogy(b), lambda a, b: torch.xlogy(a, b) + a.xlogy(b),
     *_binary_samples(domain=(real, positive)),
     Sample(((4,), (4,)), domain=fixed([0.0, 0.0, 0.0, 2.0], [0.0, np.nan, 1.5, 0.5]), gradcheck=False))
case("xlogy_scalar", lambda x: cr.xlogy(x, 3.0) + cr.xlogy(2.0, x),
     lambda x: torch.xlogy(x, 3.0) + torch.xlogy(2.0, x), Sample(((2, 3),), domain=positive))
# the sign of the remainder: the divisor's in remainder (Python's %), the dividend's in fmod (C's)
SIGNS = fixed([-5.5, -5.5, 5.5, 5.5], [2.0, -2.0, 2.0, -2.0])
case("remainder", lambda a, b: cr.remainder(a, b) + a.remainder(b),
     lambda a, b: torch.remainder(a, b) + a.remainder(b),
     *_binary_samples(domain=(real, nonzero)), Sample(((4,), (4,)), domain=SIGNS))
case("remainder_scalar", lambda x: cr.remainder(x, -1.5) + x.remainder(0.7),
     lambda x: torch.remainder(x, -1.5) + x.remainder(0.7), Sample(((2, 3),), domain=nonzero))
case("fmod", lambda a, b: cr.fmod(a, b) + a.fmod(b), lambda a, b: torch.fmod(a, b) + a.fmod(b),
     *_binary_samples(domain=(real, nonzero)), Sample(((4,), (4,)), domain=SIGNS))
case("fmod_scalar", lambda x: cr.fmod(x, -1.5) + x.fmod(0.7), lambda x: torch.fmod(x, -1.5) + x.fmod(0.7),
     Sample(((2, 3),), domain=nonzero))
case("lerp", lambda a, b, w: cr.lerp(a, b, w) + a.lerp(b, w),
     lambda a, b, w: torch.lerp(a, b, w) + a.lerp(b, w),
     Sample(((2, 3), (2, 3), (2, 3))), Sample(((2, 3), (3,), (2, 1))), Sample(((), (), ())),
     Sample(((2, 1, 3), (4, 1), ())), Sample(((0, 3), (3,), (1,))))
case("lerp_scalar_weight", lambda a, b, **kw: cr.lerp(a, b, **kw), lambda a, b, **kw: torch.lerp(a, b, **kw),
     Sample(((2, 3), (2, 3)), dict(weight=0.3)), Sample(((2, 3), (3,)), dict(weight=0.8)),
     Sample(((), (2, 3)), dict(weight=-1.5)))
case("float_power", lambda a, b: cr.float_power(a, b) + a.float_power(b),
     lambda a, b: torch.float_power(a, b) + a.float_power(b), *_binary_samples(domain=(positive, real)),
     Sample(((2, 3), (3,)), domain=(positive, real), dtypes=(np.float32, np.float32)))
case("float_power_scalar", lambda x: cr.float_power(x, 2) + cr.float_power(x, -0.5) + cr.float_power(1.5, x),
     lambda x: torch.float_power(x, 2) + torch.float_power(x, -0.5) + torch.float_power(1.5, x),
     Sample(((2, 3),), domain=positive))
case("nan_to_num", lambda x, **kw: cr.nan_to_num(x, **kw) - 0.5 * x.nan_to_num(**kw),
     lambda x, **kw: torch.nan_to_num(x, **kw) - 0.5 * x.nan_to_num(**kw), *_unary_samples(),
     Sample(((4,),), domain=fixed([np.nan, np.inf, -np.inf, 1.5]), gradcheck=False),  # ±float max: no step
     Sample(((4,),), dict(nan=1.0, posinf=2.0, neginf=-3.0), domain=fixed([np.nan, np.inf, -np.inf, 1.5])))

# --------------------------------------------------------------------------- activations
case("relu", lambda x: cr.relu(x), lambda x: torch.relu(x), *_unary_samples(domain=nonzero))
case("relu_method", lambda x: x.relu(), lambda x: x.relu(), Sample(((2, 3),), domain=nonzero))
case("relu_at_zero", lambda x: cr.relu(x), lambda x: torch.relu(x),
     Sample(((3,),), domain=fixed([-1.0, 0.0, 2.0]), gradcheck=False))
case("leaky_relu", lambda x, **kw: cr.leaky_relu(x, **kw),
     lambda x, **kw: torch.nn.functional.leaky_relu(x, **kw),
     *_unary_samples(domain=nonzero), Sample(((2, 3),), dict(negative_slope=0.2), domain=nonzero),
     Sample(((3,),), domain=fixed([-1.0, 0.0, 2.0]), gradcheck=False))
case("elu", lambda x, **kw: cr.elu(x, **kw), lambda x, **kw: torch.nn.functional.elu(x, **kw),
     *_unary_samples(domain=nonzero), Sample(((2, 3),), dict(alpha=0.5), domain=nonzero),
     Sample(((3,),), dict(alpha=2.0), domain=fixed([-1.0, 0.0, 2.0]), gradcheck=False))
case("gelu", lambda x, **kw: cr.gelu(x, **kw), lambda x, **kw: torch.nn.functional.gelu(x, **kw),
     *_unary_samples(), Sample(((2, 3),), dict(approximate="none")),
     Sample(((9,),), domain=fixed([-30.0, -6.0, -2.5, -2.0, 0.0, 1.99, 2.0, 6.0, 30.0])))
case("gelu_tanh", lambda x: cr.gelu(x, approximate="tanh"),
     lambda x: torch.nn.functional.gelu(x, approximate="tanh"), *_unary_samples(),
     Sample(((5,),), domain=fixed([-30.0, -6.0, 0.0, 6.0, 30.0])))
case("softplus", lambda x, **kw: cr.softplus(x, **kw), lambda x, **kw: torch.nn.functional.softplus(x, **kw),
     *_unary_samples(),
     Sample(((4, 5),), dict(beta=2.0, threshold=1.0), domain=avoiding(0.5)),   # many above threshold
     Sample(((3, 4),), dict(beta=0.5), domain=avoiding(40.0)),
     Sample(((4,),), domain=fixed([-50.0, 19.0, 21.0, 100.0])))                # default threshold 20


def activation_case(name, fn, *samples):
    """A case of ``fn`` (calling chainrule.<name>), with torch.nn.functional.<name> as its twin."""
    case(name, fn, lambda *xs, **kw: getattr(torch.nn.functional, name)(*xs, **kw), *samples)


# each "at kinks" sample holds the points where the derivative jumps: both libraries must take
# the same side there (gradcheck=False: no derivative exists)
HUGE = fixed([-800.0, -40.0, -1.0, 0.0, 1.0, 40.0, 800.0])       # no overflow, no nan
activation_case("silu", lambda x, **kw: cr.silu(x, **kw),
                *_unary_samples(), Sample(((7,),), domain=HUGE))
activation_case("mish", lambda x, **kw: cr.mish(x, **kw),
                *_unary_samples(), Sample(((7,),), domain=HUGE))
activation_case("logsigmoid", lambda x, **kw: cr.logsigmoid(x, **kw),
                *_unary_samples(), Sample(((7,),), domain=HUGE))
activation_case("softsign", lambda x, **kw: cr.softsign(x, **kw),
                *_unary_samples(), Sample(((7,),), domain=HUGE))
activation_case("tanhshrink", lambda x, **kw: cr.tanhshrink(x, **kw),
                *_unary_samples(), Sample(((7,),), domain=HUGE))
activation_case("hardtanh", lambda x, **kw: cr.hardtanh(x, **kw),
                *_unary_samples(domain=avoiding(-1.0, 1.0)),
                Sample(((3, 4),), dict(min_val=-0.5, max_val=2.0), domain=avoiding(-0.5, 2.0)),
                Sample(((5,),), domain=fixed([-2.0, -1.0, 0.0, 1.0, 2.0]), gradcheck=False))
activation_case("relu6", lambda x, **kw: cr.relu6(x, **kw),
                *_unary_samples(domain=avoiding(0.0)),
                Sample(((6,),), domain=fixed([-1.5, 0.5, 3.0, 5.5, 6.5, 9.0])),
                Sample(((5,),), domain=fixed([-1.0, 0.0, 3.0, 6.0, 7.0]), gradcheck=False))
THREES = fixed([-5.0, -2.5, 0.3, 2.9, 3.2, 6.0])                  # both sides of -3 and 3
AT_THREES = fixed([-4.0, -3.0, 0.0, 3.0, 4.0])
# PyTorch's own hardsigmoid backward uses 1/6 rounded to float32, also in float64 (a relative error
# of 3e-8); its relu6(x + 3) / 6 is the same function with the exact gradient, so it is the twin
case("hardsigmoid", lambda x: cr.hardsigmoid(x), lambda x: torch.nn.functional.relu6(x + 3) / 6,
     *_unary_samples(domain=avoiding(-3.0, 3.0)), Sample(((6,),), domain=THREES),
     Sample(((5,),), domain=AT_THREES, gradcheck=False), integer_inputs=False)
activation_case("hardswish", lambda x, **kw: cr.hardswish(x, **kw),
                *_unary_samples(domain=avoiding(-3.0, 3.0)), Sample(((6,),), domain=THREES),
                Sample(((5,),), domain=AT_THREES, gradcheck=False))
AT_ZERO = fixed([-1.0, 0.0, 2.0])
activation_case("selu", lambda x, **kw: cr.selu(x, **kw),
                *_unary_samples(domain=nonzero), Sample(((3,),), domain=AT_ZERO, gradcheck=False))
activation_case("celu", lambda x, **kw: cr.celu(x, **kw),
                *_unary_samples(domain=nonzero), Sample(((2, 3),), dict(alpha=2.0), domain=nonzero),
                Sample(((3,),), dict(alpha=0.5), domain=AT_ZERO, gradcheck=False))
activation_case("softshrink", lambda x, **kw: cr.softshrink(x, **kw),
                *_unary_samples(domain=avoiding(-0.5, 0.5)),
                Sample(((3, 4),), dict(lambd=1.0), domain=avoiding(-1.0, 1.0)),
                Sample(((5,),), domain=fixed([-1.0, -0.5, 0.0, 0.5, 1.0]), gradcheck=False))
activation_case("hardshrink", lambda x, **kw: cr.hardshrink(x, **kw),
                *_unary_samples(domain=avoiding(-0.5, 0.5)),
                Sample(((3, 4),), dict(lambd=1.0), domain=avoiding(-1.0, 1.0)),
                Sample(((5,),), domain=fixed([-1.0, -0.5, 0.0, 0.5, 1.0]), gradcheck=False))
activation_case("threshold", lambda x, **kw: cr.threshold(x, **kw),
                Sample(((2, 3),), dict(threshold=0.5, value=-2.0), domain=avoiding(0.5)),
                Sample(((),), dict(threshold=0.0, value=0.0), domain=nonzero),
                Sample(((4,),), dict(threshold=1.0, value=3.0), domain=fixed([-1.0, 1.0, 2.0, 0.5]),
                       gradcheck=False))
activation_case("prelu", lambda x, w: cr.prelu(x, w),
                Sample(((2, 3, 4), (3,)), domain=(nonzero, real)),
                Sample(((2, 3), (3,)), domain=(nonzero, real)),
                Sample(((2, 3, 2, 2), (1,)), domain=(nonzero, real)),
                Sample(((5,), (1,)), domain=(nonzero, real)),
                Sample(((), (1,)), domain=(nonzero, real)),
                Sample(((2, 3), ()), domain=(nonzero, real)),
                Sample(((1, 3), (1,)), domain=fixed([-1.0, 0.0, 2.0], [0.25]), gradcheck=False))
activation_case("softmin", lambda x, **kw: cr.softmin(x, **kw),
                *[Sample(((2, 3, 4),), dict(dim=d)) for d in (0, 1, -1)],
                Sample(((2, 3),), dict(dim=1), domain=fixed([[1000.0, 999.0, -5.0], [-1e3, -1e3, 2.0]])))
activation_case("glu", lambda x, **kw: cr.glu(x, **kw),
                Sample(((3, 4),)), Sample(((2, 6, 3),), dict(dim=1)), Sample(((4,),), dict(dim=0)),
                Sample(((4, 3, 2),), dict(dim=0)), Sample(((2, 0),)),
                Sample(((2,),), domain=fixed([-800.0, 800.0])))
case("clamp", lambda x, **kw: cr.clamp(x, **kw), lambda x, **kw: torch.clamp(x, **kw),
     Sample(((2, 3),), dict(min=-0.5, max=0.5), domain=avoiding(-0.5, 0.5)),
     Sample(((2, 3),), dict(min=-0.5), domain=avoiding(-0.5)),
     Sample(((2, 3),), dict(max=0.5), domain=avoiding(0.5)),
     Sample(((),), dict(min=0.0, max=1.0), domain=avoiding(0.0, 1.0)),
     Sample(((0, 3),), dict(min=0.0)),
     Sample(((4,),), dict(min=-1.0, max=1.0), domain=fixed([-1.0, 1.0, 0.0, 3.0]), gradcheck=False))
case("clamp_method", lambda x: x.clamp(-1, 1) + x.clip(max=0.25), lambda x: x.clamp(-1, 1) + x.clip(max=0.25),
     Sample(((3, 4),), domain=avoiding(-1, 1, 0.25)))
case("clip", lambda x: cr.clip(x, 0.0, 1.0), lambda x: torch.clip(x, 0.0, 1.0),
     Sample(((3, 4),), domain=avoiding(0.0, 1.0)))
case("clamp_tensor_bounds", lambda x, lo, hi: cr.clamp(x, lo, hi), lambda x, lo, hi: torch.clamp(x, lo, hi),
     Sample(((3, 4), (4,), (3, 1)), domain=fixed(
         np.linspace(-3, 3, 12), [-1.0, -0.5, -2.2, 0.3], [0.9, 2.5, 1.6])))
case("clamp_tensor_min", lambda x, lo: cr.clamp(x, min=lo), lambda x, lo: torch.clamp(x, min=lo),
     Sample(((2, 3), (2, 3)), domain=distinct))
case("maximum", lambda a, b: cr.maximum(a, b), lambda a, b: torch.maximum(a, b),
     *_binary_samples(domain=distinct),
     Sample(((4,), (4,)), domain=fixed([1.0, 2.0, 3.0, -1.0], [1.0, 0.0, 3.0, 5.0]), gradcheck=False))
case("maximum_method", lambda a, b: a.maximum(b), lambda a, b: a.maximum(b),
     Sample(((2, 3), (3,)), domain=distinct))
case("max_binary", lambda a, b: cr.max(a, b), lambda a, b: torch.max(a, b),
     Sample(((2, 3), (3,)), domain=distinct))
case("minimum", lambda a, b: cr.minimum(a, b), lambda a, b: torch.minimum(a, b),
     *_binary_samples(domain=distinct),
     Sample(((4,), (4,)), domain=fixed([1.0, 2.0, 3.0, -1.0], [1.0, 0.0, 3.0, 5.0]), gradcheck=False))
case("minimum_method", lambda a, b: a.minimum(b), lambda a, b: a.minimum(b),
     Sample(((3,), (2, 3)), domain=distinct))
case("min_binary", lambda a, b: cr.min(a, b), lambda a, b: torch.min(a, b),
     Sample(((2, 3), (2, 1)), domain=distinct))

# conditions for where, fixed so that chainrule and torch see the same one
COND_23 = np.array([[True, False, True], [False, False, True]])
COND_3 = np.array([False, True, True])
COND_0 = np.array(True)
case("where", lambda a, b, cond: cr.where(cond, a, b),
     lambda a, b, cond: torch.where(torch.from_numpy(cond), a, b),
     Sample(((2, 3), (2, 3)), dict(cond=COND_23)),
     Sample(((2, 3), (3,)), dict(cond=COND_23)),
     Sample(((), (2, 3)), dict(cond=COND_23)),
     Sample(((2, 1), (1, 3)), dict(cond=COND_3)),        # all three broadcast
     Sample(((2, 3), ()), dict(cond=COND_0)),
     Sample(((4, 1, 3), (2, 3)), dict(cond=COND_3)),
     Sample(((0, 3), (3,)), dict(cond=COND_3)))
case("where_tensor_condition", lambda a, b: cr.where(a > b, a, b),
     lambda a, b: torch.where(a > b, a, b), Sample(((2, 3), (3,)), domain=distinct))
case("where_scalar_other", lambda a: cr.where(COND_23, a, 0.5) + cr.where(COND_3, -1.0, a),
     lambda a: (torch.where(torch.from_numpy(COND_23), a, 0.5)
                + torch.where(torch.from_numpy(COND_3), -1.0, a)),
     ((2, 3),))


# --------------------------------------------------------------------------- reductions
def _torch_dims(kw):
    """chainrule's keywords (and NumPy's aliases) as torch's: axis -> dim, keepdims -> keepdim."""
    kw = dict(kw)
    if "axis" in kw:
        kw["dim"] = kw.pop("axis")
    if "keepdims" in kw:
        kw["keepdim"] = kw.pop("keepdims")
    return kw


REDUCTION_SAMPLES = [
    Sample(((2, 3, 4),), dict(dim=1)),
    Sample(((2, 3, 4),), dict(dim=1, keepdim=True)),
    Sample(((2, 3, 4),), dict(dim=-1)),
    Sample(((2, 3, 4),), dict(dim=-1, keepdim=True)),
    Sample(((2, 3, 4),), dict(dim=(0, 2))),
    Sample(((2, 3, 4),), dict(dim=(0, -1), keepdim=True)),
    Sample(((2, 3, 4),), dict(dim=None)),
    Sample(((2, 3, 4),), dict(dim=None, keepdim=True)),
    Sample(((2, 3, 4),), dict(axis=(1, 2), keepdims=True)),    # NumPy's names
    Sample(((2, 3, 4),), dict(axis=0)),
    Sample(((3,),), dict()),
    Sample(((),), dict()),
    Sample(((),), dict(dim=0)),
    Sample(((2, 1, 3),), dict(dim=1)),
    Sample(((4, 1),), dict(dim=(0, 1), keepdim=True)),
]
EMPTY_REDUCTION_SAMPLES = [
    Sample(((0, 3),), dict(dim=0)),
    Sample(((0, 3),), dict(dim=1, keepdim=True)),
]


def _distinct_samples(samples):
    return [dataclasses.replace(s, domain=distinct) for s in samples]


case("sum", lambda x, **kw: cr.sum(x, **kw), lambda x, **kw: torch.sum(x, **_torch_dims(kw)),
     *REDUCTION_SAMPLES, *EMPTY_REDUCTION_SAMPLES)
case("sum_method", lambda x, **kw: x.sum(**kw), lambda x, **kw: x.sum(**_torch_dims(kw)),
     Sample(((2, 3),), dict(dim=0)), Sample(((2, 3),), dict(axis=-1, keepdims=True)))
case("mean", lambda x, **kw: cr.mean(x, **kw), lambda x, **kw: torch.mean(x, **_torch_dims(kw)),
     *REDUCTION_SAMPLES, Sample(((0, 3),), dict(dim=1)))
case("mean_method", lambda x, **kw: x.mean(**kw), lambda x, **kw: x.mean(**_torch_dims(kw)),
     Sample(((2, 3),), dict(dim=0)), Sample(((2, 3),), dict(axis=-1, keepdims=True)))


_VAR_EXTRA = [
    Sample(((2, 3, 4),), dict(dim=1, unbiased=False)),
    Sample(((2, 3, 4),), dict(dim=(0, 2), unbiased=True, keepdim=True)),
    Sample(((2, 3, 4),), dict(dim=None, unbiased=False)),
    Sample(((2, 3, 4),), dict(dim=-1, correction=0)),
    Sample(((2, 3, 4),), dict(dim=1, correction=2, keepdim=True)),
    Sample(((5,),), dict(correction=1)),
]
# (a variance over one element divides by n - 1 = 0: NaN, left out here)
_VAR_SAMPLES = [s for s in REDUCTION_SAMPLES if s.shapes not in (((),), ((2, 1, 3),))] + _VAR_EXTRA
case("var", lambda x, **kw: cr.var(x, **kw), lambda x, **kw: torch.var(x, **_torch_dims(kw)), *_VAR_SAMPLES)
case("var_method", lambda x, **kw: x.var(**kw), lambda x, **kw: x.var(**_torch_dims(kw)),
     Sample(((2, 3),), dict(dim=1)), Sample(((2, 3),), dict(dim=0, unbiased=False, keepdims=True)))
case("std", lambda x, **kw: cr.std(x, **kw), lambda x, **kw: torch.std(x, **_torch_dims(kw)), *_VAR_SAMPLES)
case("std_method", lambda x, **kw: x.std(**kw), lambda x, **kw: x.std(**_torch_dims(kw)),
     Sample(((2, 3),), dict(dim=1)), Sample(((2, 3),), dict(axis=0, correction=0, keepdims=True)))


def _torch_all_dims(fn):
    """torch's prod or logsumexp (one dim at a time) over chainrule's dim: an int, a tuple, or
    None for all dims; reducing the dims one after another gives the same values and gradients."""
    def call(x, **kw):
        kw = _torch_dims(kw)
        dim, keepdim = kw.get("dim"), kw.get("keepdim", False)
        dims = range(x.ndim) if dim is None else (dim if isinstance(dim, tuple) else (dim,))
        dims = sorted({d % max(x.ndim, 1) for d in dims}, reverse=True)
        out = x
        for d in dims if x.ndim else ():
            out = fn(out, d, keepdim=True)
        if x.ndim == 0:
            out = fn(x.reshape(1), 0, keepdim=False)
        elif not keepdim:
            out = out.reshape([s for i, s in enumerate(out.shape) if i not in dims])
        return out
    return call


def _torch_prod(x, d, keepdim):
    return torch.prod(x, d, keepdim=keepdim)


def _torch_logsumexp(x, d, keepdim):
    return torch.logsumexp(x, d, keepdim=keepdim)


def _torch_extremes(fn):
    """torch.amax/amin with chainrule's dim=None (all dims, which torch spells dim=())."""
    def call(x, **kw):
        kw = _torch_dims(kw)
        if kw.get("dim", None) is None:
            kw["dim"] = ()
        return fn(x, **kw)
    return call


case("amax", lambda x, **kw: cr.amax(x, **kw), _torch_extremes(torch.amax if torch else None),
     *_distinct_samples(REDUCTION_SAMPLES),
     Sample(((2, 3),), dict(dim=1), domain=fixed([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]]), gradcheck=False),
     Sample(((2, 3),), dict(dim=None), domain=fixed([[1.0, 3.0, 3.0], [2.0, 3.0, 2.0]]), gradcheck=False))
case("amax_method", lambda x, **kw: x.amax(**kw), _torch_extremes(torch.amax if torch else None),
     Sample(((2, 3),), dict(dim=0), domain=distinct))
case("amin", lambda x, **kw: cr.amin(x, **kw), _torch_extremes(torch.amin if torch else None),
     *_distinct_samples(REDUCTION_SAMPLES),
     Sample(((2, 3),), dict(dim=(0, 1), keepdim=True), domain=fixed([[1.0, 3.0, 1.0], [2.0, 1.0, 2.0]]),
            gradcheck=False))
case("amin_method", lambda x, **kw: x.amin(**kw), _torch_extremes(torch.amin if torch else None),
     Sample(((2, 3),), dict(dim=-1, keepdim=True), domain=distinct))

_EXTREME_SAMPLES = [
    Sample(((2, 3, 4),), dict(), domain=distinct),
    Sample(((),), dict(), domain=distinct),
    Sample(((2, 3, 4),), dict(dim=1), domain=distinct),
    Sample(((2, 3, 4),), dict(dim=-1, keepdim=True), domain=distinct),
    Sample(((2, 3, 4),), dict(axis=0, keepdims=False), domain=distinct),
    Sample(((5,),), dict(dim=0), domain=distinct),
    Sample(((2, 1, 3),), dict(dim=1), domain=distinct),
    Sample(((),), dict(dim=0), domain=distinct),
]


def _torch_extreme(fn):
    def call(x, **kw):
        return fn(x, **_torch_dims(kw))
    return call


case("max", lambda x, **kw: cr.max(x, **kw), _torch_extreme(torch.max if torch else None), *_EXTREME_SAMPLES,
     Sample(((2, 3),), dict(), domain=fixed([[1.0, 3.0, 3.0], [2.0, 3.0, 2.0]]), gradcheck=False))
case("max_method", lambda x, **kw: x.max(**kw), _torch_extreme(torch.max if torch else None),
     Sample(((2, 3),), dict(dim=1), domain=distinct), Sample(((2, 3),), dict(), domain=distinct))
case("min", lambda x, **kw: cr.min(x, **kw), _torch_extreme(torch.min if torch else None), *_EXTREME_SAMPLES,
     Sample(((2, 3),), dict(), domain=fixed([[1.0, 3.0, 1.0], [2.0, 3.0, 2.0]]), gradcheck=False))
case("min_method", lambda x, **kw: x.min(**kw), _torch_extreme(torch.min if torch else None),
     Sample(((2, 3),), dict(dim=0, keepdim=True), domain=distinct))
case("max_values", lambda x: cr.max(x, dim=1).values * cr.min(x, 1, True).values,
     lambda x: torch.max(x, dim=1).values * torch.min(x, 1, True).values,
     Sample(((2, 3),), domain=distinct))

case("logsumexp", lambda x, **kw: cr.logsumexp(x, **kw), _torch_all_dims(_torch_logsumexp),
     *REDUCTION_SAMPLES,
     Sample(((2, 3),), dict(dim=1), domain=fixed([[1000.0, 999.0, -5.0], [-1e3, -1e3, 2.0]])))
case("logsumexp_method", lambda x, **kw: x.logsumexp(**kw), _torch_all_dims(_torch_logsumexp),
     Sample(((2, 3),), dict(dim=0)))



def _prod_domain(rng, shape):
    """Values of magnitude 0.6 to 1.4, so that products of many stay moderate."""
    return rng.choice([-1.0, 1.0], shape) * rng.uniform(0.6, 1.4, shape)


case("prod", lambda x, **kw: cr.prod(x, **kw), _torch_all_dims(_torch_prod),
     *[dataclasses.replace(s, domain=_prod_domain) for s in REDUCTION_SAMPLES],
     Sample(((3, 4),), dict(dim=1), domain=with_zeros([(0, 1), (1, 0), (1, 3)])),    # one and two zeros
     Sample(((3, 4),), dict(dim=0, keepdim=True), domain=with_zeros([(0, 1), (2, 1), (1, 2)])),
     Sample(((2, 3, 2),), dict(dim=(0, 2)), domain=with_zeros([(0, 1, 0)])),
     Sample(((2, 3),), dict(dim=None), domain=with_zeros([(1, 2)])),
     Sample(((2, 3),), dict(dim=None, keepdim=True), domain=with_zeros([(0, 0), (1, 2)])),
     Sample(((4,),), dict(), domain=fixed([0.0, 0.0, 0.0, 2.0])),
     *EMPTY_REDUCTION_SAMPLES)
case("prod_method", lambda x, **kw: x.prod(**kw), _torch_all_dims(_torch_prod),
     Sample(((2, 3),), dict(dim=1), domain=with_zeros([(0, 0)])))

# --------------------------------------------------------------------------- scans
SCAN_SAMPLES = [
    Sample(((2, 3, 4),), dict(dim=1)),
    Sample(((2, 3, 4),), dict(dim=-1)),
    Sample(((5,),), dict(dim=0)),
    Sample(((),), dict(dim=0)),
    Sample(((2, 1, 3),), dict(dim=1)),
    Sample(((0, 3),), dict(dim=1)),
]
case("cumsum", lambda x, **kw: cr.cumsum(x, **kw), lambda x, **kw: torch.cumsum(x, **kw), *SCAN_SAMPLES)
case("cumsum_dtype", lambda x: cr.cumsum(x, 1, dtype=cr.float64), lambda x: torch.cumsum(x, 1, dtype=torch.float64),
     Sample(((2, 3),), dtypes=(np.float32,), eps=1e-3))
case("cumsum_method", lambda x: x.cumsum(0), lambda x: x.cumsum(0), ((3, 2),))
case("cumprod", lambda x, **kw: cr.cumprod(x, **kw), lambda x, **kw: torch.cumprod(x, **kw),
     *[dataclasses.replace(s, domain=_prod_domain) for s in SCAN_SAMPLES],
     Sample(((3, 5),), dict(dim=1), domain=with_zeros([(0, 1), (1, 1), (1, 3), (2, 4)])),  # one, two zeros
     Sample(((4, 2),), dict(dim=0), domain=with_zeros([(0, 0), (3, 1)])),                    # first, last
     Sample(((4,),), dict(dim=0), domain=fixed([0.0, 0.0, 0.0, 2.0])))
case("cumprod_method", lambda x: x.cumprod(-1), lambda x: x.cumprod(-1),
     Sample(((2, 3),), domain=with_zeros([(1, 1)])))
case("logcumsumexp", lambda x, **kw: cr.logcumsumexp(x, **kw), lambda x, **kw: torch.logcumsumexp(x, **kw),
     *SCAN_SAMPLES, Sample(((2, 3),), dict(dim=1), domain=fixed([[100.0, 99.0, -5.0], [-100.0, -100.0, 2.0]])))
case("logcumsumexp_method", lambda x: x.logcumsumexp(0), lambda x: x.logcumsumexp(0), ((3, 2),))
_CUMULATIVE_SAMPLES = [dataclasses.replace(s, domain=distinct) for s in SCAN_SAMPLES]
case("cummax", lambda x, **kw: cr.cummax(x, **kw), lambda x, **kw: torch.cummax(x, **kw), *_CUMULATIVE_SAMPLES,
     # ties: the index moves to the latest equal maximum, and its gradient adds up there
     Sample(((2, 4),), dict(dim=1), domain=fixed([[1.0, 3.0, 3.0, 2.0], [2.0, 2.0, 1.0, 2.0]]), gradcheck=False))
case("cummax_method", lambda x: x.cummax(0).values, lambda x: x.cummax(0).values, Sample(((3, 2),), domain=distinct))
case("cummin", lambda x, **kw: cr.cummin(x, **kw), lambda x, **kw: torch.cummin(x, **kw), *_CUMULATIVE_SAMPLES,
     Sample(((5,),), dict(dim=0), domain=fixed([1.0, 3.0, 1.0, 2.0, 0.0]), gradcheck=False))
case("cummin_method", lambda x: x.cummin(-1)[0], lambda x: x.cummin(-1)[0], Sample(((3, 2),), domain=distinct))

# --------------------------------------------------------------------------- sorting and ranks
# Where elements tie, PyTorch documents no index for topk, kthvalue and median; rounded integer
# inputs tie, so those cases compare floating inputs only (integer_inputs=False).
_SORT_SAMPLES = [
    Sample(((2, 3, 4),), dict(), domain=distinct),
    Sample(((2, 3, 4),), dict(dim=1), domain=distinct),
    Sample(((2, 3, 4),), dict(dim=0, descending=True), domain=distinct),
    Sample(((5,),), dict(descending=True), domain=distinct),
    Sample(((),), dict(), domain=distinct),
    Sample(((0, 3),), dict(dim=0)),
]


def _torch_stable(fn):
    def call(x, **kw):
        return fn(x, **kw, stable=True)
    return call


case("sort", lambda x, **kw: cr.sort(x, **kw), _torch_stable(torch.sort if torch else None), *_SORT_SAMPLES,
     # ties keep their order, ascending and descending; NaN counts as the largest value
     Sample(((7,),), dict(), domain=fixed([3.0, 1.0, 3.0, 2.0, 3.0, 1.0, 3.0]), gradcheck=False),
     Sample(((7,),), dict(descending=True), domain=fixed([3.0, 1.0, 3.0, 2.0, 3.0, 1.0, 3.0]), gradcheck=False),
     Sample(((2, 3),), dict(descending=True), domain=fixed([[1.0, np.nan, 3.0], [np.nan, 0.0, np.nan]]),
            gradcheck=False))
case("sort_method", lambda x: x.sort(0, True, stable=True).values,
     lambda x: x.sort(dim=0, descending=True, stable=True).values, Sample(((3, 2),), domain=distinct))
case("msort", lambda x: cr.msort(x) + x.msort(), lambda x: torch.msort(x) + x.msort(),
     Sample(((4, 3),), domain=distinct), Sample(((5,),), domain=distinct))
case("topk", lambda x, **kw: cr.topk(x, **kw), lambda x, **kw: torch.topk(x, **kw),
     Sample(((2, 5),), dict(k=3), domain=distinct),
     Sample(((2, 5),), dict(k=2, largest=False), domain=distinct),
     Sample(((4, 3),), dict(k=4, dim=0), domain=distinct),
     Sample(((6,),), dict(k=0), domain=distinct),
     Sample(((),), dict(k=1), domain=distinct),
     integer_inputs=False)
case("topk_method", lambda x: x.topk(2, 0, False, True)[0], lambda x: x.topk(2, 0, False, True)[0],
     Sample(((3, 2),), domain=distinct), integer_inputs=False)
case("kthvalue", lambda x, **kw: cr.kthvalue(x, **kw), lambda x, **kw: torch.kthvalue(x, **kw),
     Sample(((2, 5),), dict(k=2), domain=distinct),
     Sample(((4, 3),), dict(k=4, dim=0, keepdim=True), domain=distinct),
     Sample(((2, 3, 4),), dict(k=1, dim=1), domain=distinct),
     Sample(((),), dict(k=1), domain=distinct),
     integer_inputs=False)
case("kthvalue_method", lambda x: x.kthvalue(3).values, lambda x: x.kthvalue(3).values,
     Sample(((2, 4),), domain=distinct), integer_inputs=False)
_MEDIAN_SAMPLES = [
    Sample(((2, 5),), dict(), domain=distinct),
    Sample(((2, 4),), dict(dim=1), domain=distinct),        # even count: the lower middle value
    Sample(((2, 5),), dict(dim=-1, keepdim=True), domain=distinct),
    Sample(((4, 3),), dict(dim=0), domain=distinct),
    Sample(((),), dict(dim=0), domain=distinct),
    Sample(((),), dict(), domain=distinct),
]
case("median", lambda x, **kw: cr.median(x, **kw), lambda x, **kw: torch.median(x, **kw), *_MEDIAN_SAMPLES,
     # of all elements, tied medians share the gradient; a NaN makes the median NaN
     Sample(((7,),), dict(), domain=fixed([3.0, 1.0, 3.0, 2.0, 3.0, 1.0, 3.0]), gradcheck=False),
     Sample(((4,),), dict(), domain=fixed([1.0, np.nan, 3.0, np.nan]), gradcheck=False),
     Sample(((2, 4),), dict(dim=1), domain=fixed([[1.0, np.nan, 3.0, 2.0], [1.0, 4.0, 3.0, 2.0]]),
            gradcheck=False),
     integer_inputs=False)
case("median_method", lambda x: x.median() * x.median(0).values, lambda x: x.median() * x.median(0).values,
     Sample(((3, 2),), domain=distinct), integer_inputs=False)
# (where a row is all NaN, PyTorch documents no index for nanmedian: tests/test_reductions.py)
_NAN_ROWS = [[1.0, np.nan, 3.0, 2.0], [np.nan, 4.0, np.nan, 2.0], [np.nan, 5.0, np.nan, np.nan]]
case("nanmedian", lambda x, **kw: cr.nanmedian(x, **kw), lambda x, **kw: torch.nanmedian(x, **kw),
     *_MEDIAN_SAMPLES,
     Sample(((4,),), dict(), domain=fixed([1.0, np.nan, 3.0, np.nan])),
     Sample(((3, 4),), dict(dim=1), domain=fixed(_NAN_ROWS), gradcheck=False),
     integer_inputs=False)
case("nanmedian_method", lambda x: x.nanmedian(), lambda x: x.nanmedian(), Sample(((2, 3),), domain=distinct))
case("mode", lambda x, **kw: cr.mode(x, **kw), lambda x, **kw: torch.mode(x, **kw),
     # the most frequent value (the smallest of equally frequent ones), at its last occurrence
     Sample(((2, 7),), dict(), domain=fixed([[1.0, 3.0, 3.0, 2.0, 3.0, 1.0, 1.0], [2.0, 2.0, 1.0, 1.0, 5.0, 0.0, 9.0]]),
            gradcheck=False),
     Sample(((3, 2),), dict(dim=0, keepdim=True), domain=fixed([[1.0, 2.0], [1.0, 3.0], [0.0, 3.0]]),
            gradcheck=False),
     Sample(((2, 4),), dict(dim=1), domain=distinct),
     Sample(((),), dict(), domain=distinct))
case("mode_method", lambda x: x.mode(0).values, lambda x: x.mode(0).values, Sample(((3, 2),), domain=distinct))


def _torch_quantile(fn):
    """torch's quantile with chainrule's q (a number or a NumPy array) as a tensor of x's dtype."""
    def call(x, q, **kw):
        return fn(x, torch.as_tensor(q, dtype=x.dtype) if isinstance(q, np.ndarray) else q, **kw)
    return call


_QUANTILE_SAMPLES = [
    Sample(((2, 5),), dict(q=0.3), domain=distinct),
    Sample(((2, 5),), dict(q=np.array([0.0, 0.25, 0.8, 1.0]), dim=1), domain=distinct),
    Sample(((3, 4, 2),), dict(q=np.array([0.1, 0.6]), dim=1, keepdim=True), domain=distinct),
    Sample(((3, 4),), dict(q=0.7, dim=0, keepdim=True), domain=distinct),
    Sample(((3, 4),), dict(q=np.array([0.4]), keepdim=True), domain=distinct),
    *[Sample(((3, 5),), dict(q=np.array([0.1, 0.5, 0.6, 0.875]), dim=-1, interpolation=mode), domain=distinct)
      for mode in ("lower", "higher", "midpoint", "nearest")],
]
case("quantile", lambda x, **kw: cr.quantile(x, **kw), _torch_quantile(torch.quantile if torch else None),
     *_QUANTILE_SAMPLES,
     Sample(((2, 3),), dict(q=0.5, dim=1), domain=fixed([[1.0, np.nan, 3.0], [1.0, 2.0, 3.0]]), gradcheck=False))
case("quantile_method", lambda x: x.quantile(0.25, 0), lambda x: x.quantile(0.25, 0),
     Sample(((4, 2),), domain=distinct))
case("nanquantile", lambda x, **kw: cr.nanquantile(x, **kw), _torch_quantile(torch.nanquantile if torch else None),
     *_QUANTILE_SAMPLES,
     Sample(((3, 4),), dict(q=np.array([0.3, 0.5]), dim=1), domain=fixed(_NAN_ROWS), gradcheck=False))
case("nanquantile_method", lambda x: x.nanquantile(0.6), lambda x: x.nanquantile(0.6),
     Sample(((4, 2),), domain=distinct))

# --------------------------------------------------------------------------- reductions built from others
_STAT_SAMPLES = [s for s in _VAR_SAMPLES if "axis" not in s.kwargs][:8]
case("std_mean", lambda x, **kw: cr.std_mean(x, **kw), lambda x, **kw: torch.std_mean(x, **_torch_dims(kw)),
     *_STAT_SAMPLES)
case("var_mean", lambda x, **kw: cr.var_mean(x, **kw), lambda x, **kw: torch.var_mean(x, **_torch_dims(kw)),
     *_STAT_SAMPLES)
case("aminmax", lambda x, **kw: cr.aminmax(x, **kw), lambda x, **kw: torch.aminmax(x, **kw),
     Sample(((2, 3, 4),), dict(), domain=distinct),
     Sample(((2, 3, 4),), dict(dim=1), domain=distinct),
     Sample(((2, 3, 4),), dict(dim=-1, keepdim=True), domain=distinct),
     Sample(((2, 3),), dict(dim=0), domain=fixed([[1.0, 3.0, 2.0], [1.0, 0.0, 2.0]]), gradcheck=False))
case("aminmax_method", lambda x: x.aminmax(dim=0).max, lambda x: x.aminmax(dim=0).max,
     Sample(((3, 2),), domain=distinct))
_NAN_SAMPLES = [
    Sample(((2, 3, 4),), dict()),
    Sample(((2, 3, 4),), dict(dim=1)),
    Sample(((2, 3, 4),), dict(dim=(0, 2), keepdim=True)),
    Sample(((2, 4),), dict(dim=1), domain=fixed([[1.0, np.nan, 3.0, 2.0], [np.nan, 1.0, np.nan, np.nan]])),
    Sample(((2, 4),), dict(), domain=fixed([[1.0, np.nan, 3.0, 2.0], [np.nan, 4.0, np.nan, np.nan]])),
]
case("nansum", lambda x, **kw: cr.nansum(x, **kw), lambda x, **kw: torch.nansum(x, **kw), *_NAN_SAMPLES)
case("nansum_method", lambda x: x.nansum(0), lambda x: x.nansum(0), ((3, 2),))
case("nanmean", lambda x, **kw: cr.nanmean(x, **kw), lambda x, **kw: torch.nanmean(x, **kw), *_NAN_SAMPLES)
case("nanmean_method", lambda x: x.nanmean(-1, True), lambda x: x.nanmean(-1, True), ((3, 2),))
_NORM_SAMPLES = [
    Sample(((2, 3, 4),), dict(), domain=nonzero),
    Sample(((2, 3, 4),), dict(p="fro", dim=(1, 2)), domain=nonzero),
    Sample(((2, 3, 4),), dict(p=2, dim=1, keepdim=True), domain=nonzero),
    Sample(((2, 3, 4),), dict(p=1, dim=-1), domain=nonzero),
    Sample(((2, 3, 4),), dict(p=3, dim=(0, 2)), domain=nonzero),
    Sample(((2, 3, 4),), dict(p=0.5, dim=0), domain=nonzero),
    Sample(((2, 3, 4),), dict(p=-2, dim=1), domain=nonzero),
    Sample(((2, 3, 4),), dict(p=0, dim=1)),
    Sample(((2, 3, 4),), dict(p=float("inf"), dim=2), domain=distinct),
    Sample(((2, 3, 4),), dict(p=float("-inf")), domain=distinct),
    Sample(((),), dict(), domain=nonzero),
    Sample(((2, 3),), dict(dim=1), domain=fixed([[0.0, 0.0, 0.0], [3.0, -4.0, 0.0]])),   # a zero norm
    Sample(((2, 3),), dict(p=float("inf"), dim=1), domain=fixed([[1.0, -3.0, 3.0], [2.0, 2.0, -1.0]]),
           gradcheck=False),                                                            # tied maxima
]
case("norm", lambda x, **kw: cr.norm(x, **kw), lambda x, **kw: torch.norm(x, **kw), *_NORM_SAMPLES)
case("norm_method", lambda x: x.norm(1, 0), lambda x: x.norm(1, 0), Sample(((3, 2),), domain=nonzero))
case("dist", lambda a, b, **kw: cr.dist(a, b, **kw), lambda a, b, **kw: torch.dist(a, b, **kw),
     Sample(((2, 3), (2, 3)), domain=distinct), Sample(((2, 3), (3,)), dict(p=1), domain=distinct),
     Sample(((4,), (4,)), dict(p=float("inf")), domain=distinct), Sample(((2, 1), (3,)), dict(p=3), domain=distinct))
case("dist_method", lambda a, b: a.dist(b, 2.5), lambda a, b: a.dist(b, 2.5), Sample(((3,), (3,)), domain=distinct))
case("diff", lambda x, **kw: cr.diff(x, **kw), lambda x, **kw: torch.diff(x, **kw),
     Sample(((2, 5),)), Sample(((2, 5),), dict(n=2)), Sample(((4, 3),), dict(dim=0)),
     Sample(((6,),), dict(n=3)), Sample(((3,),), dict(n=4)), Sample(((2, 3),), dict(n=0)))
case("diff_pieces", lambda x, p, a, **kw: cr.diff(x, prepend=p, append=a, **kw),
     lambda x, p, a, **kw: torch.diff(x, prepend=p, append=a, **kw),
     Sample(((2, 3), (2, 1), (2, 2)), dict(dim=1)), Sample(((2, 3), (1, 3), (2, 3)), dict(n=2, dim=0)))
case("diff_method", lambda x: x.diff(1, 0), lambda x: x.diff(1, 0), ((3, 2),))

# --------------------------------------------------------------------------- shape
case("reshape", lambda x, **kw: cr.reshape(x, kw["shape"]), lambda x, **kw: torch.reshape(x, kw["shape"]),
     Sample(((2, 3, 4),), dict(shape=(6, 4))), Sample(((2, 3, 4),), dict(shape=(4, -1))),
     Sample(((),), dict(shape=(1, 1))), Sample(((6,),), dict(shape=(3, 2))),
     Sample(((1, 1),), dict(shape=())), Sample(((0, 3),), dict(shape=(3, 0))))
case("reshape_method", lambda x: x.reshape(3, 2).reshape((6,)), lambda x: x.reshape(3, 2).reshape((6,)),
     ((2, 3),))
case("view", lambda x: x.view(-1, 2) * cr.view(x, 12)[:2],
     lambda x: x.view(-1, 2) * x.view(12)[:2], ((2, 3, 2),))
case("flatten", lambda x, **kw: cr.flatten(x, **kw), lambda x, **kw: torch.flatten(x, **kw),
     Sample(((2, 3, 4),)), Sample(((2, 3, 4),), dict(start_dim=1)),
     Sample(((2, 3, 4, 5),), dict(start_dim=1, end_dim=2)), Sample(((2, 3, 4),), dict(end_dim=-2)),
     Sample(((),)), Sample(((5,),)))
case("flatten_method", lambda x: x.flatten(1), lambda x: x.flatten(1), ((2, 3, 4),))
case("squeeze", lambda x, **kw: cr.squeeze(x, **kw), lambda x, **kw: torch.squeeze(x, **kw),
     Sample(((2, 1, 3, 1),)), Sample(((2, 1, 3, 1),), dict(dim=1)), Sample(((2, 1, 3, 1),), dict(dim=-1)),
     Sample(((2, 1, 3, 1),), dict(dim=0)), Sample(((2, 1, 3, 1),), dict(dim=(1, 3))), Sample(((1,),)))
case("squeeze_method", lambda x: x.squeeze(0), lambda x: x.squeeze(0), ((1, 3),))
case("unsqueeze", lambda x, **kw: cr.unsqueeze(x, **kw), lambda x, **kw: torch.unsqueeze(x, **kw),
     Sample(((2, 3),), dict(dim=0)), Sample(((2, 3),), dict(dim=2)), Sample(((2, 3),), dict(dim=-1)),
     Sample(((2, 3),), dict(dim=-3)), Sample(((),), dict(dim=0)))
case("unsqueeze_method", lambda x: x.unsqueeze(1), lambda x: x.unsqueeze(1), ((2, 3),))
case("transpose", lambda x, **kw: cr.transpose(x, **kw), lambda x, **kw: torch.transpose(x, **kw),
     Sample(((2, 3),), dict(dim0=0, dim1=1)), Sample(((2, 3, 4),), dict(dim0=0, dim1=-1)),
     Sample(((2, 3, 4),), dict(dim0=1, dim1=1)), Sample(((3,),), dict(dim0=0, dim1=-1)))
case("transpose_method", lambda x: x.transpose(1, 2) + cr.swapaxes(x, -1, -2),
     lambda x: x.transpose(1, 2) + torch.swapaxes(x, -1, -2), ((2, 3, 3),))
case("permute", lambda x, **kw: cr.permute(x, kw["dims"]), lambda x, **kw: torch.permute(x, kw["dims"]),
     Sample(((2, 3, 4),), dict(dims=(2, 0, 1))), Sample(((2, 3, 4),), dict(dims=(-1, 1, 0))),
     Sample(((2, 3),), dict(dims=(0, 1))), Sample(((0, 3),), dict(dims=(1, 0))))
case("permute_method", lambda x: x.permute(1, 0, 2), lambda x: x.permute(1, 0, 2), ((2, 3, 4),))
case("T", lambda x: x.T, lambda x: x.permute(*reversed(range(x.ndim))) if x.ndim else x,
     ((2, 3),), ((2, 3, 4),), ((3,),), ((),))
case("mT", lambda x: x.mT, lambda x: x.mT, ((2, 3),), ((4, 2, 3),))
case("expand", lambda x, **kw: cr.expand(x, kw["sizes"]), lambda x, **kw: x.expand(kw["sizes"]),
     Sample(((3, 1),), dict(sizes=(3, 4))), Sample(((3, 1),), dict(sizes=(2, -1, 4))),
     Sample(((),), dict(sizes=(2, 3))), Sample(((1, 3),), dict(sizes=(0, 3))),
     Sample(((2, 3),), dict(sizes=(2, 3))))
case("expand_method", lambda x: x.expand(2, 3, -1), lambda x: x.expand(2, 3, -1), ((1, 4),))
case("broadcast_to", lambda x, **kw: cr.broadcast_to(x, kw["shape"]),
     lambda x, **kw: torch.broadcast_to(x, kw["shape"]),
     Sample(((3, 1),), dict(shape=(2, 3, 4))), Sample(((),), dict(shape=(3,))),
     Sample(((3,),), dict(shape=(2, 3))), Sample(((1, 1),), dict(shape=(1, 1))))
case("broadcast_to_method", lambda x: x.broadcast_to((2, 3)), lambda x: x.broadcast_to((2, 3)), ((3,),))
case("cat", lambda *xs, **kw: cr.cat(list(xs), **kw), lambda *xs, **kw: torch.cat(list(xs), **kw),
     Sample(((2, 3), (4, 3))), Sample(((2, 3), (2, 1), (2, 2)), dict(dim=1)),
     Sample(((2, 3, 1), (2, 3, 2)), dict(dim=-1)), Sample(((2, 3), (0, 3))), Sample(((3,),)))
case("cat_aliases", lambda a, b: cr.concat((a, b), 0) + cr.concatenate([b, a]),
     lambda a, b: torch.concat((a, b), 0) + torch.concatenate([b, a]), ((2, 3), (2, 3)))
case("cat_mixed_dtypes", lambda a, b: cr.cat([a, b]), lambda a, b: torch.cat([a, b]),
     Sample(((2, 3), (1, 3)), dtypes=(np.float32, np.float64)))
case("stack", lambda *xs, **kw: cr.stack(list(xs), **kw), lambda *xs, **kw: torch.stack(list(xs), **kw),
     Sample(((2, 3), (2, 3))), Sample(((2, 3), (2, 3), (2, 3)), dict(dim=1)),
     Sample(((2, 3), (2, 3)), dict(dim=-1)), Sample(((), ())), Sample(((0, 2), (0, 2)), dict(dim=2)),
     Sample(((2, 3),), dict(dim=1)))
case("vstack", lambda *xs: cr.vstack(list(xs)), lambda *xs: torch.vstack(list(xs)),
     Sample(((3,), (3,))), Sample(((2, 3), (1, 3), (3,))), Sample(((), ())), Sample(((2, 3, 1), (1, 3, 1))))
case("row_stack", lambda a, b: cr.row_stack((a, b)), lambda a, b: torch.vstack((a, b)), ((2,), (1, 2)))
case("hstack", lambda *xs: cr.hstack(list(xs)), lambda *xs: torch.hstack(list(xs)),
     Sample(((3,), (2,))), Sample(((2, 1), (2, 3))), Sample(((), (2,))), Sample(((2, 1, 3), (2, 2, 3))))
case("dstack", lambda *xs: cr.dstack(list(xs)), lambda *xs: torch.dstack(list(xs)),
     Sample(((3,), (3,))), Sample(((2, 3), (2, 3, 2))), Sample(((), ())),
     Sample(((1, 2, 1, 2), (1, 2, 2, 2))))
case("column_stack", lambda *xs: cr.column_stack(list(xs)), lambda *xs: torch.column_stack(list(xs)),
     Sample(((3,), (3, 2))), Sample(((), ())), Sample(((2,), (2,), (2, 1))), Sample(((2, 2, 1), (2, 1, 1))))
case("atleast_1d", lambda *xs: cr.atleast_1d(*xs), lambda *xs: torch.atleast_1d(*xs),
     Sample(((),)), Sample(((2, 3),)), Sample(((), (3,))))
case("atleast_2d", lambda *xs: cr.atleast_2d(*xs), lambda *xs: torch.atleast_2d(*xs),
     Sample(((),)), Sample(((3,),)), Sample(((2, 3),)), Sample(((), (3,), (2, 1, 2))))
case("atleast_3d", lambda *xs: cr.atleast_3d(list(xs)), lambda *xs: torch.atleast_3d(list(xs)),
     Sample(((),)), Sample(((3,),)), Sample(((2, 3),)), Sample(((2, 3, 1), (1, 2, 1, 2))))
case("split", lambda x, **kw: cr.split(x, **kw), lambda x, **kw: torch.split(x, **kw),
     Sample(((5, 3),), dict(split_size_or_sections=2)),
     Sample(((5, 3),), dict(split_size_or_sections=[1, 4])),
     Sample(((2, 6),), dict(split_size_or_sections=[3, 0, 3], dim=1)),
     Sample(((2, 6),), dict(split_size_or_sections=6, dim=-1)))
case("split_method", lambda x: x.split(2, 1), lambda x: x.split(2, 1), ((2, 5),))
case("chunk", lambda x, **kw: cr.chunk(x, **kw), lambda x, **kw: torch.chunk(x, **kw),
     Sample(((5, 3),), dict(chunks=2)), Sample(((6, 3),), dict(chunks=3)),
     Sample(((2, 7),), dict(chunks=3, dim=1)), Sample(((2, 2),), dict(chunks=4, dim=-1)))
case("chunk_method", lambda x: x.chunk(2), lambda x: x.chunk(2), ((4, 3),))
case("pad", lambda x, **kw: cr.pad(x, **kw), lambda x, **kw: torch.nn.functional.pad(x, **kw),
     Sample(((2, 3),), dict(pad=(1, 2))), Sample(((2, 3, 4),), dict(pad=(1, 0, 0, 2))),
     Sample(((2, 3),), dict(pad=(1, 1, 2, 0), value=1.5)), Sample(((2, 3),), dict(pad=(0, 0))),
     Sample(((0, 3),), dict(pad=(1, 1))),
     *[Sample(((2, 3, 4),), dict(pad=(3, 2), mode=m)) for m in ("reflect", "replicate", "circular")],
     *[Sample(((2, 3, 4, 3),), dict(pad=(2, 1, 0, 3), mode=m)) for m in ("reflect", "replicate", "circular")],
     Sample(((3, 4, 3),), dict(pad=(2, 2, 3, 1), mode="reflect")),
     Sample(((1, 2, 2, 3, 3),), dict(pad=(1, 2, 2, 0, 1, 1), mode="replicate")),
     Sample(((2, 3),), dict(pad=(3, 3), mode="circular")),
     Sample(((2, 3),), dict(pad=(0, 5), mode="replicate")))
case("repeat", lambda x, **kw: cr.repeat(x, kw["sizes"]), lambda x, **kw: x.repeat(kw["sizes"]),
     Sample(((2, 3),), dict(sizes=(2, 1))), Sample(((2, 3),), dict(sizes=(2, 3, 2))),
     Sample(((),), dict(sizes=(3,))), Sample(((3,),), dict(sizes=(0,))),
     Sample(((2, 1),), dict(sizes=(1, 1))))
case("repeat_method", lambda x: x.repeat(1, 2), lambda x: x.repeat(1, 2), ((2, 3),))
case("tile", lambda x, **kw: cr.tile(x, kw["dims"]), lambda x, **kw: torch.tile(x, kw["dims"]),
     Sample(((2, 3),), dict(dims=(2,))), Sample(((2, 3),), dict(dims=(2, 1, 2))),
     Sample(((2, 3),), dict(dims=(1, 2))))
case("tile_method", lambda x: x.tile(3), lambda x: x.tile(3), ((2,),))
case("flip", lambda x, **kw: cr.flip(x, kw["dims"]), lambda x, **kw: torch.flip(x, kw["dims"]),
     Sample(((2, 3, 4),), dict(dims=(0,))), Sample(((2, 3, 4),), dict(dims=(0, 2))),
     Sample(((2, 3, 4),), dict(dims=(-1,))), Sample(((5,),), dict(dims=(0,))))
case("flip_method", lambda x: x.flip(1), lambda x: x.flip(1), ((2, 3),))
case("movedim", lambda x, **kw: cr.movedim(x, **kw), lambda x, **kw: torch.movedim(x, **kw),
     Sample(((2, 3, 4),), dict(source=0, destination=2)),
     Sample(((2, 3, 4),), dict(source=(0, 1), destination=(2, 0))),
     Sample(((2, 3, 4),), dict(source=(-1, 0), destination=(0, -1))),
     Sample(((3,),), dict(source=0, destination=0)))
case("moveaxis", lambda x: cr.moveaxis(x, 1, 0) + x.moveaxis(-1, 0) * x.movedim(0, 1),
     lambda x: torch.moveaxis(x, 1, 0) + x.moveaxis(-1, 0) * x.movedim(0, 1), ((3, 3),))
case("roll", lambda x, **kw: cr.roll(x, **kw), lambda x, **kw: torch.roll(x, **kw),
     Sample(((3, 4),), dict(shifts=1)), Sample(((3, 4),), dict(shifts=(1, -2), dims=(0, 1))),
     Sample(((3, 4),), dict(shifts=5, dims=1)), Sample(((2, 3, 4),), dict(shifts=(-1,), dims=(-1,))),
     Sample(((3, 4),), dict(shifts=(1, 2), dims=(1, 1))), Sample(((0, 3),), dict(shifts=1, dims=1)))
case("roll_method", lambda x: x.roll(-3), lambda x: x.roll(-3), ((2, 3),))
case("rot90", lambda x, **kw: cr.rot90(x, **kw), lambda x, **kw: torch.rot90(x, **kw),
     *[Sample(((3, 4),), dict(k=k)) for k in (0, 1, 2, 3, -1, 6)],
     Sample(((3, 4),), dict(k=1, dims=(1, 0))), Sample(((2, 3, 4),), dict(k=3, dims=(2, 0))))
case("rot90_method", lambda x: x.rot90(), lambda x: x.rot90(), ((2, 3),))
TRIANGLE_SAMPLES = [Sample(((4, 4),)), Sample(((3, 5),), dict(diagonal=1)),
Sample(((2, 3, 4),), dict(diagonal=-1)),
                    Sample(((3, 4),), dict(diagonal=7)), Sample(((3, 4),), dict(diagonal=-5)),
                    Sample(((0, 2),))]
case("tril", lambda x, **kw: cr.tril(x, **kw), lambda x, **kw: torch.tril(x, **kw), *TRIANGLE_SAMPLES)
case("triu", lambda x, **kw: cr.triu(x, **kw), lambda x, **kw: torch.triu(x, **kw), *TRIANGLE_SAMPLES)
case("tril_triu_method", lambda x: x.tril(1) * x.triu(-1), lambda x: x.tril(1) * x.triu(-1), ((3, 4),))
case("diag", lambda x, **kw: cr.diag(x, **kw), lambda x, **kw: torch.diag(x, **kw),
     Sample(((3,),)), Sample(((3,),), dict(diagonal=1)), Sample(((3,),), dict(diagonal=-2)),
     Sample(((3, 4),)), Sample(((3, 4),), dict(diagonal=-1)), Sample(((3, 4),), dict(diagonal=2)),
     Sample(((3, 4),), dict(diagonal=5)), Sample(((0,),)))
case("diag_method", lambda x: x.diag(1).diag(1), lambda x: x.diag(1).diag(1), ((3,),))
case("diagonal", lambda x, **kw: cr.diagonal(x, **kw), lambda x, **kw: torch.diagonal(x, **kw),
     Sample(((3, 4),)), Sample(((3, 4),), dict(offset=1)), Sample(((4, 3),), dict(offset=-2)),
     Sample(((2, 3, 4),), dict(offset=-1, dim1=2, dim2=0)), Sample(((2, 3, 4),), dict(dim1=-1, dim2=1)),
     Sample(((3, 4),), dict(offset=4)))
case("diagonal_method", lambda x: x.diagonal(0, 1, 2), lambda x: x.diagonal(0, 1, 2), ((2, 3, 3),))
case("diag_embed", lambda x, **kw: cr.diag_embed(x, **kw), lambda x, **kw: torch.diag_embed(x, **kw),
     Sample(((3,),)), Sample(((2, 3),), dict(offset=1)), Sample(((2, 3),), dict(dim1=0, dim2=2)),
     Sample(((2, 3),), dict(offset=-1, dim1=2, dim2=0)), Sample(((2, 0),)))
case("diag_embed_method", lambda x: x.diag_embed(-1), lambda x: x.diag_embed(-1), ((2, 3),))
case("trace", lambda x: cr.trace(x), lambda x: torch.trace(x), ((3, 3),), ((2, 4),), ((4, 2),))
case("trace_method", lambda x: x.trace(), lambda x: x.trace(), ((3, 3),))
REPEATS_3 = np.array([1, 0, 2])


def _as_tensors(kw, make):
    """Keyword arguments with their arrays (indices, masks, counts) made tensors by ``make``."""
    return {k: make(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}


def index_case(name, fn, torch_fn, *samples):
    """A case whose array keywords are passed to each library as its own tensors."""
    case(name, lambda *xs, **kw: fn(*xs, **_as_tensors(kw, cr.tensor)),
         lambda *xs, **kw: torch_fn(*xs, **_as_tensors(kw, _t)), *samples)


index_case("repeat_interleave", lambda x, **kw: cr.repeat_interleave(x, **kw),
           lambda x, **kw: torch.repeat_interleave(x, **kw),
           Sample(((3,),), dict(repeats=2)), Sample(((2, 3),), dict(repeats=2)),
           Sample(((2, 3),), dict(repeats=REPEATS_3, dim=1)),
           Sample(((2, 3),), dict(repeats=np.array([3]), dim=0)),
           Sample(((2, 3),), dict(repeats=np.array(2), dim=-1, output_size=6)),
           Sample(((),), dict(repeats=3)),
           Sample(((2, 3),), dict(repeats=0, dim=0)))
case("repeat_interleave_method", lambda x: x.repeat_interleave(cr.tensor(REPEATS_3), dim=0),
     lambda x: x.repeat_interleave(_t(REPEATS_3), dim=0), ((3, 2),))
case("meshgrid", lambda *xs, **kw: cr.meshgrid(*xs, **kw), lambda *xs, **kw: torch.meshgrid(*xs, **kw),
     Sample(((3,), (4,)), dict(indexing="ij")), Sample(((3,), (4,)), dict(indexing="xy")),
     Sample(((2,), (3,), (4,)), dict(indexing="xy")), Sample(((), (3,)), dict(indexing="ij")),
     Sample(((3,),), dict(indexing="xy")), Sample(((0,), (2,)), dict(indexing="ij")))
case("meshgrid_list", lambda a, b: cr.meshgrid([a, b]), lambda a, b: torch.meshgrid([a, b], indexing="ij"),
     ((2,), (3,)))
case("unflatten", lambda x, **kw: cr.unflatten(x, **kw), lambda x, **kw: torch.unflatten(x, **kw),
     Sample(((2, 6),), dict(dim=1, sizes=(2, 3))), Sample(((2, 6),), dict(dim=-1, sizes=(3, -1))),
     Sample(((6,),), dict(dim=0, sizes=(1, 6, 1))), Sample(((4, 3),), dict(dim=0, sizes=(4,))))
case("unflatten_method", lambda x: x.unflatten(0, (2, 2)), lambda x: x.unflatten(0, (2, 2)), ((4, 3),))
case("t", lambda x: cr.t(x), lambda x: torch.t(x), ((2, 3),), ((3,),), ((),), ((0, 2),))
case("t_method", lambda x: x.t(), lambda x: x.t(), ((2, 3),))
case("view_reshape_expand_as", lambda x: x.view_as(cr.zeros(3, 2)) + x.reshape_as(cr.zeros(3, 2)).contiguous()
     + x[:1, :1].expand_as(cr.zeros(3, 2)),
     lambda x: x.view_as(torch.zeros(3, 2)) + x.reshape_as(torch.zeros(3, 2)).contiguous()
     + x[:1, :1].expand_as(torch.zeros(3, 2)), ((2, 3),))

# --------------------------------------------------------------------------- indexing
MASK_34 = np.array([[True, False, True, True], [False, False, False, False], [True, True, False, True]])
MASK_3 = np.array([True, False, True])
INDEX_REPEATED = [0, 2, 0, 0, -1]


def _t(array):
    return torch.as_tensor(np.asarray(array))


INDEX_CASES = [
    # name, chainrule indexing, torch indexing (same semantics; torch lacks negative steps)
    ("int", lambda x: x[1], lambda x: x[1]),
    ("ints", lambda x: x[1, 2], lambda x: x[1, 2]),
    ("negative_int", lambda x: x[-1, -2], lambda x: x[-1, -2]),
    ("slice", lambda x: x[1:], lambda x: x[1:]),
    ("slice_step", lambda x: x[::2, 1::2], lambda x: x[::2, 1::2]),
    ("negative_slice", lambda x: x[-2:, :-1], lambda x: x[-2:, :-1]),
    ("negative_step", lambda x: x[::-1, ::-2], lambda x: x.flip(0).flip(1)[:, ::2]),
    ("none", lambda x: x[None, :, None], lambda x: x[None, :, None]),
    ("ellipsis", lambda x: x[..., 1], lambda x: x[..., 1]),
    ("ellipsis_none", lambda x: x[1, ..., None], lambda x: x[1, ..., None]),
    ("int_array_repeated", lambda x: x[INDEX_REPEATED], lambda x: x[_t(INDEX_REPEATED)]),
    ("int_array_2d", lambda x: x[np.array([[0, 1], [1, 1]])], lambda x: x[_t([[0, 1], [1, 1]])]),
    ("int_tensor", lambda x: x[cr.tensor([2, 2, 1])], lambda x: x[_t([2, 2, 1])]),
    ("int_arrays_pair", lambda x: x[[0, 2, 0], [1, 1, 1]], lambda x: x[_t([0, 2, 0]), _t([1, 1, 1])]),
    ("mixed_slice_array", lambda x: x[1:, [3, 0, 3]], lambda x: x[1:, _t([3, 0, 3])]),
    ("mixed_int_array", lambda x: x[[0, 0, 2], 1], lambda x: x[_t([0, 0, 2]), 1]),
    ("mask", lambda x: x[MASK_34], lambda x: x[_t(MASK_34)]),
    ("mask_rows", lambda x: x[MASK_3], lambda x: x[_t(MASK_3)]),
    ("mask_tensor", lambda x: x[cr.tensor(MASK_3), 1:], lambda x: x[_t(MASK_3), 1:]),
    ("mask_from_comparison", lambda x: x[x > 0], lambda x: x[x > 0]),
]
for _name, _fn, _torch_fn in INDEX_CASES:
    case(f"index_{_name}", _fn, _torch_fn, Sample(((3, 4),), domain=nonzero))
# integers mixed with arrays: PyTorch applies the integers first (NumPy would not)
case("index_3d", lambda x: x[1, :, [0, 0, 2]], lambda x: x[1, :, _t([0, 0, 2])], ((2, 3, 4),))
case("index_3d_int_ellipsis_array", lambda x: x[1, ..., [0, 2]], lambda x: x[1, ..., _t([0, 2])],
     ((2, 3, 4),))
case("index_3d_slice_int_array_none", lambda x: x[:, 1, [0, 1], None], lambda x: x[:, 1, _t([0, 1]), None],
     ((2, 3, 4),))
case("index_3d_int_mask", lambda x: x[1, MASK_34], lambda x: x[1, _t(MASK_34)], ((2, 3, 4),))
case("index_3d_0d_tensor_int", lambda x: x[cr.tensor(1), :, cr.tensor([3, 0])],
     lambda x: x[torch.tensor(1), :, _t([3, 0])], ((2, 3, 4),))
case("index_3d_ellipsis_array", lambda x: x[..., [1, 1]], lambda x: x[..., _t([1, 1])], ((2, 3, 4),))
case("index_0d_ellipsis", lambda x: x[...] * 2, lambda x: x[...] * 2, ((),))
case("index_empty_result", lambda x: x[2:2], lambda x: x[2:2], ((3, 4),))

# gather, scatter and friends: fixed index arrays (repeats where the gradient must add up)
GATHER_DIM0 = np.array([[0, 2, 2, 1], [1, 1, 0, 0]])
GATHER_DIM1 = np.array([[3, 3], [0, 1], [2, 2]])
GATHER_3D = np.array([[[2, 0], [1, 1], [0, 0], [2, 2], [1, 0]]])     # longer than the dim it indexes
SCATTER_DIM0 = np.array([[0, 2, 1, 2], [1, 0, 2, 0]])      # no repeat within a column: one value lands
SCATTER_DIM1 = np.array([[4, 0, 2], [1, 3, 0]])


index_case("gather", lambda x, **kw: cr.gather(x, **kw), lambda x, **kw: torch.gather(x, **kw),
           Sample(((3, 4),), dict(dim=0, index=GATHER_DIM0)),
           Sample(((3, 4),), dict(dim=1, index=GATHER_DIM1)),
           Sample(((3, 4),), dict(dim=-1, index=GATHER_DIM1[:2, :1])),
           Sample(((2, 3, 4),), dict(dim=1, index=GATHER_3D)),
           Sample(((),), dict(dim=0, index=np.array(0))),
           Sample(((3, 4),), dict(dim=0, index=np.zeros((0, 4), int))))
case("gather_method", lambda x: x.gather(1, cr.tensor(GATHER_DIM1)), lambda x: x.gather(1, _t(GATHER_DIM1)),
     ((3, 4),))
# (a src larger than index is tested in test_indexing.py: torch's backward refuses it)
index_case("scatter", lambda x, s, **kw: cr.scatter(x, src=s, **kw),
           lambda x, s, **kw: torch.scatter(x, src=s, **kw),
           Sample(((3, 4), (2, 4)), dict(dim=0, index=SCATTER_DIM0)),
           Sample(((2, 5), (2, 3)), dict(dim=1, index=SCATTER_DIM1)),
           Sample(((2, 5), (1, 3)), dict(dim=-1, index=SCATTER_DIM1[:1])))
case("scatter_value",
     lambda x: cr.scatter(x, 0, cr.tensor(SCATTER_DIM0), 1.5) + cr.scatter(x, 1, SCATTER_DIM0, value=-2),
     lambda x: torch.scatter(x, 0, _t(SCATTER_DIM0), 1.5) + torch.scatter(x, 1, _t(SCATTER_DIM0), value=-2),
     ((3, 4),))
case("scatter_method", lambda x, s: x.scatter(1, cr.tensor(SCATTER_DIM1), s),
     lambda x, s: x.scatter(1, _t(SCATTER_DIM1), s), ((2, 5), (2, 3)))
index_case("scatter_add", lambda x, s, **kw: cr.scatter_add(x, src=s, **kw),
           lambda x, s, **kw: torch.scatter_add(x, src=s, **kw),
           Sample(((3, 4), (2, 4)), dict(dim=0, index=GATHER_DIM0)),
           Sample(((3, 4), (3, 2)), dict(dim=1, index=GATHER_DIM1)),
           Sample(((2, 3, 4), (1, 5, 2)), dict(dim=1, index=GATHER_3D)))
case("scatter_add_method", lambda x, s: x.scatter_add(0, cr.tensor(GATHER_DIM0), s),
     lambda x, s: x.scatter_add(0, _t(GATHER_DIM0), s), ((3, 4), (2, 4)))
index_case("index_select", lambda x, **kw: cr.index_select(x, **kw),
           lambda x, **kw: torch.index_select(x, **kw),
           Sample(((3, 4),), dict(dim=0, index=np.array([2, 0, 2]))),
           Sample(((3, 4),), dict(dim=1, index=np.array([3, 3, 1, 0, 0]))),
           Sample(((2, 3, 4),), dict(dim=-2, index=np.array(1))),
           Sample(((3, 4),), dict(dim=1, index=np.array([], dtype=np.int64))))
case("index_select_method", lambda x: x.index_select(1, cr.tensor([1, 1])),
     lambda x: x.index_select(1, _t([1, 1])), ((3, 4),))
index_case("index_add", lambda x, s, **kw: cr.index_add(x, source=s, **kw),
           lambda x, s, **kw: torch.index_add(x, source=s, **kw),
           Sample(((3, 4), (3, 4)), dict(dim=0, index=np.array([2, 0, 2]))),
           Sample(((3, 4), (3, 2)), dict(dim=1, index=np.array([1, 1]), alpha=2)),
           Sample(((2, 3, 4), (2, 1, 4)), dict(dim=-2, index=np.array([0]), alpha=-1)))
case("index_add_method", lambda x, s: x.index_add(0, cr.tensor([1, 1]), s, alpha=3),
     lambda x, s: x.index_add(0, _t([1, 1]), s, alpha=3), ((3, 4), (2, 4)))
# a value given as a 0-d tensor input (it gets the gradient of the filled elements)
index_case("index_fill", lambda x, *v, **kw: cr.index_fill(x, value=v[0] if v else kw.pop("value"), **kw),
           lambda x, *v, **kw: torch.index_fill(x, value=v[0] if v else kw.pop("value"), **kw),
           Sample(((3, 4),), dict(dim=1, index=np.array([0, -1, 0]), value=-2.0)),
           Sample(((3, 4), ()), dict(dim=0, index=np.array([2, 0]))),
           Sample(((2, 3, 4),), dict(dim=-1, index=np.array(3), value=0.5)))
case("index_fill_method", lambda x: x.index_fill(0, cr.tensor([1]), 7), lambda x: x.index_fill(0, _t([1]), 7),
     ((3, 4),))
index_case("masked_fill", lambda x, *v, **kw: cr.masked_fill(x, value=v[0] if v else kw.pop("value"), **kw),
           lambda x, *v, **kw: torch.masked_fill(x, value=v[0] if v else kw.pop("value"), **kw),
           Sample(((3, 4),), dict(mask=MASK_34, value=0.5)),
           Sample(((3, 4),), dict(mask=MASK_3.reshape(3, 1), value=-1)),
           Sample(((4,),), dict(mask=MASK_34, value=2.0)), Sample(((3, 4), ()), dict(mask=MASK_34)),
           Sample(((3, 4), ()), dict(mask=MASK_3[:, None]), dtypes=(np.float32, np.float64)))
case("masked_fill_method", lambda x: x.masked_fill(x > 0, 0.0), lambda x: x.masked_fill(x > 0, 0.0),
     Sample(((3, 4),), domain=nonzero))
index_case("masked_select", lambda x, **kw: cr.masked_select(x, **kw),
           lambda x, **kw: torch.masked_select(x, **kw),
           Sample(((3, 4),), dict(mask=MASK_34)), Sample(((4,),), dict(mask=MASK_34)),
           Sample(((3, 1),), dict(mask=MASK_34[0])), Sample(((3, 4),), dict(mask=np.zeros((3, 4), bool))))
case("masked_select_method", lambda x: x.masked_select(x > 0), lambda x: x.masked_select(x > 0),
     Sample(((3, 4),), domain=nonzero))
TAKE_INDEX = np.array([[0, 11], [-1, 5], [5, 5]])
case("take", lambda x: cr.take(x, cr.tensor(TAKE_INDEX)), lambda x: torch.take(x, _t(TAKE_INDEX)),
     ((3, 4),), ((12,),), ((2, 2, 3),))
case("take_method", lambda x: x.take(cr.tensor(3)), lambda x: x.take(torch.tensor(3)), ((3, 4),))


index_case("take_along_dim", lambda x, **kw: cr.take_along_dim(x, **kw),
           lambda x, **kw: torch.take_along_dim(x, **kw),
           Sample(((3, 4),), dict(indices=GATHER_DIM1, dim=1)),
           Sample(((3, 4),), dict(indices=GATHER_DIM1[:1], dim=1)),
           Sample(((1, 4),), dict(indices=GATHER_DIM1, dim=-1)),
           Sample(((3, 4),), dict(indices=GATHER_DIM0, dim=0)),
           Sample(((3, 4),), dict(indices=np.array([[0, 7, 7, 11]]))),
           Sample(((2, 3, 1),), dict(indices=np.array([[[0, 2]], [[-1, 1]]]), dim=1)))
case("take_along_dim_method", lambda x: x.take_along_dim(cr.tensor(GATHER_DIM0), 0),
     lambda x: x.take_along_dim(_t(GATHER_DIM0), 0), ((3, 4),))
case("select", lambda x, **kw: cr.select(x, **kw), lambda x, **kw: torch.select(x, **kw),
     Sample(((3, 4),), dict(dim=1, index=-1)), Sample(((3, 4),), dict(dim=0, index=2)),
     Sample(((2, 3, 4),), dict(dim=-2, index=0)))
case("select_method", lambda x: x.select(0, 1), lambda x: x.select(0, 1), ((3, 4),))
case("narrow", lambda x, **kw: cr.narrow(x, **kw), lambda x, **kw: torch.narrow(x, **kw),
     Sample(((3, 4),), dict(dim=1, start=1, length=2)), Sample(((3, 4),), dict(dim=0, start=-2, length=2)),
     Sample(((3, 4),), dict(dim=-1, start=4, length=0)), Sample(((2, 3, 4),), dict(dim=1, start=0, length=3)))
case("narrow_method", lambda x: x.narrow(0, 1, 1), lambda x: x.narrow(0, 1, 1), ((3, 4),))
case("unbind", lambda x, **kw: cr.unbind(x, **kw), lambda x, **kw: torch.unbind(x, **kw),
     Sample(((3, 4),)), Sample(((3, 4),), dict(dim=-1)), Sample(((2, 1, 3),), dict(dim=1)))
case("unbind_method", lambda x: x.unbind(1), lambda x: x.unbind(1), ((2, 3),))

# --------------------------------------------------------------------------- softmax
SOFTMAX_SAMPLES = [Sample(((2, 3, 4),), dict(dim=d)) for d in (0, 1, 2, -1)] + [
    Sample(((5,),), dict(dim=0)),
    Sample(((2, 3),), dict(dim=1), domain=fixed([[1000.0, 999.0, -5.0], [-1e3, -1e3, 2.0]])),
]
case("softmax", lambda x, **kw: cr.softmax(x, **kw), lambda x, **kw: torch.softmax(x, **kw), *SOFTMAX_SAMPLES)
case("softmax_method", lambda x: x.softmax(-1), lambda x: x.softmax(-1), ((2, 3),))
case("log_softmax", lambda x, **kw: cr.log_softmax(x, **kw), lambda x, **kw: torch.log_softmax(x, **kw),
     *SOFTMAX_SAMPLES)
case("log_softmax_method", lambda x: x.log_softmax(0), lambda x: x.log_softmax(0), ((2, 3),))

# --------------------------------------------------------------------------- dtype conversion and copies
# float32 outputs round each perturbed value, so gradcheck steps by 1e-3 (the ops are linear)
case("astype_to_float32", lambda x: x.astype(cr.float32), lambda x: x.to(torch.float32),
     Sample(((2, 3),), eps=1e-3))
case("astype_to_float64", lambda x: x.astype("float64") * 2, lambda x: x.to(torch.float64) * 2,
     Sample(((2, 3),), dtypes=(np.float32,)))
case("astype_same", lambda x: x.astype(cr.float64) * 2, lambda x: x.to(torch.float64) * 2, ((3,),))
case("float_double_to", lambda x: x.float().double() + x.to(cr.float32),
     lambda x: x.float().double() + x.to(torch.float32), Sample(((2, 3),), eps=1e-3))
case("clone", lambda x: cr.clone(x) * x.clone(), lambda x: torch.clone(x) * x.clone(), ((2, 3),), ((),))
case("type_as", lambda a, b: a.type_as(b) * b, lambda a, b: a.type_as(b) * b,
     Sample(((2, 3), (2, 3)), dtypes=(np.float32, np.float64)), Sample(((3,), (3,))))
case("type_method", lambda x: x.type(cr.float32).type("torch.DoubleTensor") * x.cpu(),
     lambda x: x.type(torch.float32).type("torch.DoubleTensor") * x.cpu(), Sample(((2, 3),), eps=1e-3))

# --------------------------------------------------------------------------- random samples
# PyTorch gives the parameters of a sample a zero gradient, which no finite difference shows
# (a sample moves with its mean), so these samples are deterministic ones (std 0, p in {0, 1},
# rate 0) and skip gradcheck; tests/test_creation.py gradchecks bernoulli and poisson seeded
def zero(rng, shape):
    """Exact zeros: a standard deviation or a rate that makes a sample certain."""
    return np.zeros(shape)


def certain(rng, shape):
    """Probabilities of exactly 0 or 1."""
    return rng.integers(0, 2, shape).astype(np.float64)


case("normal", lambda m, s: cr.normal(m, s) + cr.normal(s, 0.0),
     lambda m, s: torch.normal(m, s) + torch.normal(s, 0.0),
     Sample(((2, 3), (3,)), domain=(real, zero), gradcheck=False),
     Sample(((), ()), domain=(real, zero), gradcheck=False), integer_inputs=False)
case("bernoulli", lambda p: cr.bernoulli(p), lambda p: torch.bernoulli(p),
     Sample(((2, 3),), domain=certain, gradcheck=False), Sample(((),), domain=certain, gradcheck=False),
     integer_inputs=False)
case("poisson", lambda rate: cr.poisson(rate), lambda rate: torch.poisson(rate),
     Sample(((2, 3),), domain=zero, gradcheck=False), integer_inputs=False)

# --------------------------------------------------------------------------- layers and losses
import chainrule.nn.functional as CF  # noqa: E402


def probability(rng, shape):
    """Values in [0.05, 0.95]: probabilities for the binary cross-entropy and KL divergence."""
    return rng.uniform(0.05, 0.95, shape)


def _constants(kw, like, module):
    """Keyword arrays (targets, weights, statistics) as fresh chainrule or torch tensors.

    Floating arrays take the dtype of the input ``like``; each call gets its own copy, so a
    function that updates one in place (batch_norm's running statistics) changes no sample.
    """
    out = {}
    for key, value in kw.items():
        if isinstance(value, np.ndarray):
            if value.dtype.kind == "f":
                value = value.astype(like.numpy().dtype if module is torch else like.dtype)
            value = torch.from_numpy(value.copy()) if module is torch else cr.Tensor(value.copy())
        out[key] = value
    return out


def nn_case(name, *samples, function=None):
    """A case calling chainrule.nn.functional.<name> and torch.nn.functional.<name> alike
    (<function> instead, where a further case of one function needs a name of its own)."""
    function = function or name

    def ours(*xs, **kw):
        return getattr(CF, function)(*xs, **_constants(kw, xs[0], cr))

    def theirs(*xs, **kw):
        return getattr(torch.nn.functional, function)(*xs, **_constants(kw, xs[0].detach(), torch))
    case(name, ours, theirs, *samples, integer_inputs=False)  # layers and losses want floats


nn_case("linear",
        Sample(((4, 3), (2, 3), (2,))), Sample(((5, 4, 3), (2, 3))), Sample(((3,), (2, 3), (2,))),
        Sample(((0, 3), (2, 3), (2,))), Sample(((2, 1, 3), (1, 3), (1,))))

nn_case("conv1d", Sample(((2, 4, 7), (6, 2, 3), (6,)), dict(stride=2, padding=1, groups=2)),
        Sample(((3, 6), (2, 3, 2)), dict(padding="same", dilation=2)))
nn_case("conv2d", Sample(((2, 2, 5, 6), (3, 2, 3, 2), (3,)), dict(stride=(2, 1), padding=1)),
        Sample(((1, 4, 5, 5), (4, 2, 2, 3)), dict(padding="same", dilation=(1, 2), groups=2)))
nn_case("conv3d", Sample(((2, 2, 4, 5, 3), (3, 2, 2, 3, 2), (3,)), dict(stride=(2, 1, 1), padding=1)),
        Sample(((4, 3, 4, 5), (4, 2, 3, 2, 2)), dict(padding="same", dilation=(1, 2, 1), groups=2)))
nn_case("conv_transpose1d",
        Sample(((2, 4, 5), (4, 3, 3), (6,)), dict(stride=2, padding=1, output_padding=1, groups=2)),
        Sample(((3, 4), (3, 2, 2)), dict(dilation=3, stride=2, output_padding=2)))
nn_case("conv_transpose2d",
        Sample(((2, 4, 3, 4), (4, 1, 3, 2), (2,)), dict(stride=2, padding=1, output_padding=1, groups=2)),
        Sample(((3, 3, 3), (3, 2, 2, 2)), dict(dilation=2)))

_REDUCTIONS = ("mean", "sum", "none")
for _loss, _domain in (("mse_loss", real), ("l1_loss", distinct)):
    nn_case(_loss, *[Sample(((3, 4), (3, 4)), dict(reduction=r), domain=_domain) for r in _REDUCTIONS],
            Sample(((), ()), domain=_domain), Sample(((2, 3, 2), (2, 3, 2)), domain=_domain))
nn_case("huber_loss", *[Sample(((3, 4), (3, 4)), dict(reduction=r)) for r in _REDUCTIONS],
        Sample(((3, 4), (3, 4)), dict(delta=0.5)), Sample(((5,), (5,)), dict(delta=2.0, reduction="sum")))
nn_case("smooth_l1_loss", *[Sample(((3, 4), (3, 4)), dict(reduction=r)) for r in _REDUCTIONS],
        Sample(((3, 4), (3, 4)), dict(beta=0.5)), Sample(((5,), (5,)), dict(beta=2.0, reduction="sum")))
nn_case("kl_div",
        *[Sample(((3, 4), (3, 4)), dict(reduction=r), domain=(real, probability))
          for r in _REDUCTIONS + ("batchmean",)],
        Sample(((3, 4), (3, 4)), dict(reduction="batchmean", log_target=True)),
        Sample(((2, 3), (2, 3)), dict(reduction="sum", log_target=True)))
BCE_WEIGHT = np.array([0.5, 1.0, 2.0, 0.25])
nn_case("binary_cross_entropy",
        *[Sample(((3, 4), (3, 4)), dict(reduction=r), domain=probability) for r in _REDUCTIONS],
        Sample(((3, 4), (3, 4)), dict(weight=BCE_WEIGHT), domain=probability),
        Sample(((5,), (5,)), domain=probability))
nn_case("binary_cross_entropy_with_logits",
        *[Sample(((3, 4), (3, 4)), dict(reduction=r), domain=(real, probability)) for r in _REDUCTIONS],
        Sample(((3, 4), (3, 4)), dict(weight=BCE_WEIGHT), domain=(real, probability)),
        Sample(((3, 4), (3, 4)), dict(pos_weight=np.array([1.0, 3.0, 0.5, 2.0])), domain=(real, probability)),
        Sample(((3, 4), (3, 4)), dict(weight=np.array([[0.5], [1.0], [2.0]]),
                                      pos_weight=np.array([2.0, 1.0, 1.0, 0.5])), domain=(real, probability)),
        Sample(((4,), (4,)), domain=fixed([-40.0, -3.0, 3.0, 40.0], [0.0, 1.0, 0.5, 0.25])))

CLASS_WEIGHT = np.array([0.2, 1.0, 3.0])
TARGET_4 = np.array([0, 2, 1, 2])
TARGET_2x5 = np.array([[0, 2, 1, 1, 0], [2, 2, 0, 1, 1]])
TARGET_IGNORED = np.array([0, -100, 1, 2])
nn_case("cross_entropy",
        *[Sample(((4, 3),), dict(target=TARGET_4, reduction=r)) for r in _REDUCTIONS],
        Sample(((4, 3),), dict(target=TARGET_4, weight=CLASS_WEIGHT)),
        Sample(((4, 3),), dict(target=TARGET_IGNORED)),
        Sample(((4, 3),), dict(target=TARGET_IGNORED, weight=CLASS_WEIGHT, label_smoothing=0.1)),
        Sample(((4, 3),), dict(target=TARGET_4, ignore_index=2, reduction="sum")),
        Sample(((4, 3),), dict(target=TARGET_4, label_smoothing=0.2)),
        Sample(((2, 3, 5),), dict(target=TARGET_2x5)),
        Sample(((2, 3, 5),), dict(target=TARGET_2x5, weight=CLASS_WEIGHT, reduction="none")),
        Sample(((3,),), dict(target=np.array(1))),                                # unbatched
        Sample(((4, 3), (4, 3)), domain=(real, probability)),                     # probabilities
        Sample(((4, 3), (4, 3)), dict(weight=CLASS_WEIGHT, label_smoothing=0.1), domain=(real, probability)),
        Sample(((2, 3, 5), (2, 3, 5)), dict(reduction="sum"), domain=(real, probability)))
nn_case("nll_loss",
        *[Sample(((4, 3),), dict(target=TARGET_4, reduction=r)) for r in _REDUCTIONS],
        Sample(((4, 3),), dict(target=TARGET_IGNORED, weight=CLASS_WEIGHT)),
        Sample(((2, 3, 5),), dict(target=TARGET_2x5)))

# margin, ranking and embedding losses (labels in {1, -1}; class indices for multi_margin_loss)
SIGNS_4 = np.array([1.0, -1.0, -1.0, 1.0])
SIGNS_3x4 = np.array([[1.0, -1.0, 1.0, 1.0], [-1.0, -1.0, 1.0, -1.0], [1.0, 1.0, -1.0, 1.0]])
SIGNS_3 = np.array([1.0, -1.0, 1.0])


def counts(rng, shape):
    """Poisson counts in [0, 4] kept 0.1 away from 1, where Stirling's term switches on."""
    t = rng.uniform(0.0, 4.0, shape)
    return np.where(np.abs(t - 1) < 0.1, t + 0.3, t)


nn_case("soft_margin_loss",
        *[Sample(((3, 4),), dict(target=SIGNS_3x4, reduction=r)) for r in _REDUCTIONS],
        Sample(((3, 4),), dict(target=SIGNS_4)),                                 # broadcast target
        Sample(((4,),), dict(target=SIGNS_4, reduction="none"), domain=fixed([-30.0, -3.0, 3.0, 30.0])))
nn_case("multilabel_soft_margin_loss",
        *[Sample(((3, 4), (3, 4)), dict(reduction=r), domain=(real, probability)) for r in _REDUCTIONS],
        Sample(((3, 4), (3, 4)), dict(weight=BCE_WEIGHT, reduction="none"), domain=(real, probability)),
        Sample(((4,), (4,)), domain=(real, probability)))
nn_case("multi_margin_loss",
        *[Sample(((4, 3),), dict(target=TARGET_4, reduction=r)) for r in _REDUCTIONS],
        *[Sample(((4, 3),), dict(target=TARGET_4, p=2, margin=0.5, reduction=r)) for r in _REDUCTIONS],
        Sample(((4, 3),), dict(target=TARGET_4, weight=CLASS_WEIGHT)),
        Sample(((4, 3),), dict(target=TARGET_4, p=2, weight=CLASS_WEIGHT, reduction="none")),
        Sample(((3,),), dict(target=np.array(1), reduction="none")))                # unbatched
nn_case("margin_ranking_loss",
        *[Sample(((4,), (4,), (4,)), dict(reduction=r), domain=(real, real, nonzero)) for r in _REDUCTIONS],
        Sample(((3, 4), (1, 4), (3, 1)), dict(margin=0.5, reduction="none"), domain=(real, real, nonzero)))
nn_case("hinge_embedding_loss",
        *[Sample(((3, 4),), dict(target=SIGNS_3x4, reduction=r), domain=positive) for r in _REDUCTIONS],
        Sample(((3, 4),), dict(target=SIGNS_4, margin=1.5, reduction="none"), domain=positive),
        Sample(((4,),), dict(target=np.array([1.0, 0.0, -1.0, 2.0]), reduction="none")))   # other labels
nn_case("cosine_embedding_loss",
        *[Sample(((3, 4), (3, 4)), dict(target=SIGNS_3, reduction=r)) for r in _REDUCTIONS],
        Sample(((3, 4), (3, 4)), dict(target=SIGNS_3, margin=0.3, reduction="none")),
        Sample(((4,), (4,)), dict(target=np.array(-1.0), margin=-0.5)),                    # unbatched
        Sample(((3, 4), (1, 4)), dict(target=np.array([1.0, 0.0, -1.0]), reduction="sum")))
nn_case("triplet_margin_loss",
        *[Sample(((3, 4), (3, 4), (3, 4)), dict(reduction=r, margin=2.0)) for r in _REDUCTIONS],
        Sample(((3, 4), (3, 4), (3, 4)), dict(p=1, swap=True, margin=2.0, reduction="none")),
        Sample(((3, 4), (1, 4), (3, 4)), dict(p=3, eps=1e-3, margin=2.0)),
        Sample(((4,), (4,), (4,)), dict(margin=3.0)))
nn_case("poisson_nll_loss",
        *[Sample(((3, 4), (3, 4)), dict(reduction=r), domain=(real, counts)) for r in _REDUCTIONS],
        *[Sample(((3, 4), (3, 4)), dict(full=True, reduction=r), domain=(real, counts)) for r in _REDUCTIONS],
        Sample(((3, 4), (3, 4)), dict(log_input=False, full=True, reduction="none"), domain=(positive, counts)),
        Sample(((3, 4), (4,)), dict(log_input=False, eps=0.1), domain=(positive, counts)))
nn_case("gaussian_nll_loss",
        *[Sample(((3, 4), (3, 4), (3, 4)), dict(reduction=r), domain=(real, real, positive)) for r in _REDUCTIONS],
        Sample(((3, 4), (3, 4), (3,)), dict(full=True), domain=(real, real, positive)),     # one var per row
        Sample(((3, 4), (3, 4), (3, 1)), dict(reduction="none"), domain=(real, real, positive)),
        Sample(((2, 3, 4), (2, 3, 4), (2, 1, 4)), dict(reduction="sum"), domain=(real, real, positive)),
        # var below eps is clamped, and its gradient taken at the clamp (not a derivative)
        Sample(((4,), (4,), (4,)), dict(eps=0.1, reduction="none"),
               domain=fixed([0.5, -1.0, 2.0, 0.0], [0.0, 1.0, 1.0, -1.0], [0.01, 0.5, 0.05, 2.0]),
               gradcheck=False))

# distances, similarities and normalization
nn_case("cosine_similarity",
        Sample(((3, 4), (3, 4))), Sample(((3, 4), (3, 4)), dict(dim=0)),
        Sample(((3, 1, 4), (2, 4)), dict(dim=-1)), Sample(((5,), (5,)), dict(dim=0)),
        Sample(((), ()), dict(dim=0), domain=nonzero),
        # norms below eps are clamped, and the clamp is left out of the gradient (as PyTorch)
        Sample(((2, 3), (2, 3)), dict(eps=0.5), domain=fixed([[0.1, -0.2, 0.05], [1.0, 2.0, -1.0]],
                                                          [[0.2, 0.1, -0.1], [0.5, 0.5, 0.5]]),
               gradcheck=False))
nn_case("pairwise_distance",
        *[Sample(((3, 4), (3, 4)), dict(p=p)) for p in (2.0, 1.0, 3.0, 0.5, -1.0)],
        Sample(((3, 4), (3, 4)), dict(p=float("inf")), domain=distinct),
        Sample(((3, 4), (3, 4)), dict(p=float("-inf")), domain=distinct),
        Sample(((3, 4), (3, 4)), dict(p=0.0)),
        Sample(((3, 4), (4,)), dict(keepdim=True, eps=1e-3)), Sample(((2, 3, 4), (3, 4))),
        Sample(((4,), (4,)), dict(keepdim=True)), Sample(((), ())))
nn_case("normalize",
        *[Sample(((3, 4),), dict(p=p)) for p in (2.0, 1.0, 3.0, 0.5)],
        Sample(((3, 4),), dict(p=float("inf")), domain=distinct),
        Sample(((2, 3, 4),), dict(dim=-1)), Sample(((5,),), dict(dim=0)),
        Sample(((3, 4),), dict(eps=10.0)))                                           # every norm below eps

RUNNING_MEAN = np.array([0.1, -0.2, 0.3])
RUNNING_VAR = np.array([0.5, 1.5, 2.0])


def _batch_norm(module, lib):
    def call(x, *params, training, affine=True):
        stats = _constants(dict(m=RUNNING_MEAN, v=RUNNING_VAR), x.detach() if lib is torch else x, lib)
        weight, bias = params if affine else (None, None)
        return module.batch_norm(x, stats["m"], stats["v"], weight, bias, training=training)
    return call


case("batch_norm", _batch_norm(CF, cr), _batch_norm(torch.nn.functional if torch else None, torch),
     Sample(((4, 3), (3,), (3,)), dict(training=True)),
     Sample(((4, 3, 5), (3,), (3,)), dict(training=True)),
     Sample(((2, 3, 2, 2), (3,), (3,)), dict(training=True)),
     Sample(((4, 3),), dict(training=True, affine=False)),
     Sample(((4, 3), (3,), (3,)), dict(training=False)),
     Sample(((2, 3, 4), (3,), (3,)), dict(training=False)),
     Sample(((2, 3, 4),), dict(training=False, affine=False)))


def _layer_norm(module):
    def call(x, *params, shape):
        return module.layer_norm(x, shape, *params)
    return call


case("layer_norm", _layer_norm(CF), _layer_norm(torch.nn.functional if torch else None),
     Sample(((2, 3, 4), (4,), (4,)), dict(shape=(4,))),
     Sample(((2, 3, 4), (3, 4), (3, 4)), dict(shape=(3, 4))),
     Sample(((2, 3, 4),), dict(shape=(4,))),
     Sample(((5,), (5,)), dict(shape=(5,))))


def _with_params(name, *keys):
    """A case calling F.<name>(x, *params as the keywords ``keys``, **kw) in both libraries."""
    def make(module):
        def call(x, *params, **kw):
            return getattr(module, name)(x, **dict(zip(keys, params)), **kw)
        return call
    case(name, make(CF), make(torch.nn.functional if torch else None), *SAMPLES_BY_NAME[name],
         integer_inputs=False)


SAMPLES_BY_NAME = {
    "group_norm": [Sample(((2, 6, 3, 2), (6,), (6,)), dict(num_groups=3)),
                   Sample(((3, 4, 5), (4,)), dict(num_groups=2, eps=1e-3)),
                   Sample(((3, 8),), dict(num_groups=2)),
                   Sample(((2, 4, 3),), dict(num_groups=1))],
    "instance_norm": [Sample(((2, 3, 5), (3,), (3,))), Sample(((2, 3, 4, 3),)),
                      Sample(((1, 2, 4), (2,)), dict(eps=1e-3))],
    "rms_norm": [Sample(((2, 3, 4), (4,)), dict(normalized_shape=(4,))),
                 Sample(((2, 3, 4), (3, 4)), dict(normalized_shape=(3, 4), eps=1e-3)),
                 Sample(((2, 5),), dict(normalized_shape=(5,))),
                 Sample(((5,), (5,)), dict(normalized_shape=(5,)))],
}
_with_params("group_norm", "weight", "bias")
_with_params("instance_norm", "weight", "bias")
_with_params("rms_norm", "weight")


def _instance_norm_running(module, lib):
    """instance_norm given running statistics: used when not use_input_stats (their updates are
    compared with torch's in test_nn_layers_torch.py)."""
    def call(x, *params, use_input_stats):
        stats = _constants(dict(m=RUNNING_MEAN, v=RUNNING_VAR), x.detach() if lib is torch else x, lib)
        return module.instance_norm(x, stats["m"], stats["v"], *params,
                                    use_input_stats=use_input_stats, momentum=0.3)
    return call


case("instance_norm_running_stats", _instance_norm_running(CF, cr),
     _instance_norm_running(torch.nn.functional if torch else None, torch),
     Sample(((2, 3, 4), (3,), (3,)), dict(use_input_stats=True)),
     Sample(((2, 3, 4), (3,), (3,)), dict(use_input_stats=False)),
     Sample(((2, 3, 2, 3),), dict(use_input_stats=False)), integer_inputs=False)

# pooling, upsampling and embedding (distinct values: max pooling has no derivative at a tie)
nn_case("max_pool2d", Sample(((2, 3, 5, 6),), dict(kernel_size=2), domain=distinct),
        Sample(((1, 2, 7, 5),), dict(kernel_size=3, stride=2, padding=1, dilation=(1, 2), ceil_mode=True),
               domain=distinct),
        Sample(((2, 5, 5),), dict(kernel_size=(2, 3), stride=1), domain=distinct))
nn_case("max_pool1d", Sample(((2, 3, 9),), dict(kernel_size=3, stride=2, padding=1), domain=distinct))
nn_case("avg_pool2d", Sample(((2, 3, 5, 6),), dict(kernel_size=2)),
        Sample(((1, 2, 7, 5),), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)),
        Sample(((2, 4, 4),), dict(kernel_size=3, stride=1, padding=1, divisor_override=4)))
nn_case("adaptive_avg_pool2d", Sample(((2, 3, 6, 4),), dict(output_size=(3, 2))),
        Sample(((2, 3, 7, 5),), dict(output_size=(3, 4))), Sample(((3, 5, 5),), dict(output_size=1)))
nn_case("avg_pool1d", Sample(((2, 3, 9),), dict(kernel_size=3, stride=2, padding=1)),
        Sample(((2, 8),), dict(kernel_size=2)),
        Sample(((1, 2, 7),), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)))
nn_case("adaptive_avg_pool1d", Sample(((2, 3, 7),), dict(output_size=3)), Sample(((3, 4),), dict(output_size=1)),
        Sample(((1, 2, 3),), dict(output_size=5)))
nn_case("pixel_shuffle", Sample(((2, 8, 3, 2),), dict(upscale_factor=2)), Sample(((9, 2, 3),), dict(upscale_factor=3)),
        Sample(((2, 1, 4, 2, 2),), dict(upscale_factor=2)))
nn_case("pixel_unshuffle", Sample(((2, 2, 4, 6),), dict(downscale_factor=2)),
        Sample(((1, 3, 3),), dict(downscale_factor=3)))
nn_case("bilinear", Sample(((4, 3), (4, 2), (5, 3, 2), (5,))), Sample(((2, 4, 3), (2, 4, 2), (5, 3, 2))),
        Sample(((3,), (2,), (1, 3, 2), (1,))))
nn_case("interpolate", Sample(((1, 2, 4, 5),), dict(scale_factor=2)), Sample(((1, 2, 5),), dict(size=8)),
        Sample(((1, 1, 6, 5),), dict(scale_factor=(0.5, 1.5))),
        Sample(((2, 1, 5),), dict(scale_factor=1.7, mode="linear")),
        Sample(((1, 2, 7),), dict(size=4, mode="linear", align_corners=True)),
        Sample(((1, 2, 5),), dict(scale_factor=1.1, mode="linear")),       # out = in: PyTorch copies
        Sample(((2, 2, 3, 5),), dict(scale_factor=(2.5, 0.7), mode="bilinear")),
        Sample(((1, 1, 4, 3),), dict(size=(7, 1), mode="bilinear", align_corners=True)),
        Sample(((1, 2, 3, 4),), dict(scale_factor=1.6, mode="bilinear", recompute_scale_factor=True)),
        Sample(((1, 2, 4, 5),), dict(scale_factor=(1.3, 2.2), mode="bicubic")),
        Sample(((2, 1, 5, 3),), dict(size=(3, 8), mode="bicubic", align_corners=True)),
        Sample(((1, 1, 2, 3, 4),), dict(scale_factor=(1.5, 2.0, 0.8), mode="trilinear")),
        Sample(((1, 1, 3, 2, 3),), dict(size=(4, 3, 5), mode="trilinear", align_corners=True)),
        Sample(((1, 2, 7, 5),), dict(scale_factor=(1.4, 0.6), mode="nearest-exact")),
        Sample(((2, 1, 5),), dict(size=9, mode="nearest-exact")),
        Sample(((1, 2, 7, 5),), dict(size=(3, 2), mode="area")),
        Sample(((2, 1, 5),), dict(scale_factor=1.5, mode="area")),
        Sample(((1, 1, 5, 3, 4),), dict(size=(2, 5, 3), mode="area")))
nn_case("unfold", Sample(((2, 3, 5, 6),), dict(kernel_size=2)),
        Sample(((1, 2, 7, 6),), dict(kernel_size=(3, 2), dilation=(1, 2), padding=(1, 0), stride=(2, 1))),
        Sample(((2, 5, 4),), dict(kernel_size=3, padding=2, stride=3)))
nn_case("fold", Sample(((2, 12, 20),), dict(output_size=(5, 6), kernel_size=2)),
        Sample(((1, 12, 16),), dict(output_size=(7, 6), kernel_size=(3, 2), dilation=(1, 2), padding=(1, 0),
                                    stride=(2, 1))),
        Sample(((18, 6),), dict(output_size=(5, 4), kernel_size=3, padding=2, stride=3)))
nn_case("adaptive_max_pool2d", Sample(((2, 3, 7, 5),), dict(output_size=(3, 2)), domain=distinct),
        Sample(((3, 5, 6),), dict(output_size=4), domain=distinct),          # overlapping windows
        Sample(((1, 2, 6, 4),), dict(output_size=(3, None)), domain=distinct),
        Sample(((1, 2, 3, 2),), dict(output_size=(5, 3)), domain=distinct))  # windows repeat elements
nn_case("adaptive_max_pool1d", Sample(((2, 3, 11),), dict(output_size=4), domain=distinct),
        Sample(((3, 5),), dict(output_size=3), domain=distinct),
        Sample(((1, 2, 3),), dict(output_size=5), domain=distinct))


def _unpool_indices(shape, plane):
    """Distinct flat positions in each output plane of ``plane`` positions, one per input element."""
    count = int(np.prod(shape[-2:])) if len(shape) == 4 else shape[-1]
    rng = np.random.default_rng(len(shape))
    planes = int(np.prod(shape)) // count
    return np.stack([rng.permutation(plane)[:count] for _ in range(planes)]).reshape(shape)


nn_case("max_unpool2d", Sample(((2, 3, 2, 3),), dict(indices=_unpool_indices((2, 3, 2, 3), 24), kernel_size=2)),
        Sample(((1, 2, 3, 2),), dict(indices=_unpool_indices((1, 2, 3, 2), 42), kernel_size=(3, 2), stride=(2, 3),
                                     padding=(1, 0), output_size=(6, 7))))
nn_case("max_unpool1d", Sample(((2, 2, 4),), dict(indices=_unpool_indices((2, 2, 4), 9), kernel_size=3, stride=2)),
        Sample(((2, 5),), dict(indices=_unpool_indices((2, 5), 9), kernel_size=2, padding=1, output_size=(9,))))
nn_case("lp_pool2d", Sample(((2, 3, 5, 6),), dict(norm_type=2, kernel_size=2), domain=positive),
        Sample(((1, 2, 7, 5),), dict(norm_type=3, kernel_size=(3, 2), stride=2, ceil_mode=True), domain=positive),
        Sample(((2, 4, 5),), dict(norm_type=1.5, kernel_size=3, stride=1), domain=positive))
nn_case("lp_pool1d", Sample(((2, 3, 9),), dict(norm_type=2, kernel_size=3, stride=2), domain=positive),
        Sample(((3, 8),), dict(norm_type=4, kernel_size=2, ceil_mode=True), domain=positive))
nn_case("local_response_norm", Sample(((2, 5, 7),), dict(size=3)),
        Sample(((2, 6, 3, 4),), dict(size=2, alpha=0.3, beta=0.6, k=1.5)),
        Sample(((1, 4, 2, 3, 2),), dict(size=5, alpha=0.5)))
nn_case("channel_shuffle", Sample(((2, 6, 3, 2),), dict(groups=3)), Sample(((1, 4, 5),), dict(groups=2)))
nn_case("max_pool3d", Sample(((2, 2, 4, 5, 6),), dict(kernel_size=2), domain=distinct),
        Sample(((1, 2, 5, 6, 5),), dict(kernel_size=3, stride=2, padding=1, dilation=(2, 1, 1), ceil_mode=True),
               domain=distinct),
        Sample(((2, 4, 5, 3),), dict(kernel_size=(2, 3, 1), stride=(1, 2, 2)), domain=distinct))
nn_case("avg_pool3d", Sample(((2, 2, 4, 5, 6),), dict(kernel_size=2)),
        Sample(((1, 2, 5, 6, 5),), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)),
        Sample(((2, 4, 5, 3),), dict(kernel_size=(2, 3, 1), stride=1, padding=(1, 1, 0), divisor_override=5)))
nn_case("adaptive_avg_pool3d", Sample(((2, 2, 5, 7, 4),), dict(output_size=(2, 3, None))),
        Sample(((3, 4, 3, 2),), dict(output_size=(3, 5, 1))), Sample(((1, 1, 4, 4, 4),), dict(output_size=2)))
EMBEDDING_INDICES = np.array([[0, 3, 3, 1], [4, 3, 0, 3]])
case("embedding", lambda w, **kw: CF.embedding(cr.tensor(EMBEDDING_INDICES), w, **kw),
     lambda w, **kw: torch.nn.functional.embedding(torch.from_numpy(EMBEDDING_INDICES), w, **kw),
     Sample(((5, 3),)),
     Sample(((6, 2),), dict(padding_idx=3), gradcheck=False),  # by definition, not a derivative: row 3 gets 0
     integer_inputs=False)

# recurrent layers (ops.recurrent): one layer run with the weights given as inputs
# (torch.func.functional_call swaps them into the torch module); outputs: output, h_n[, c_n]
def _recurrent_case(name, cls_name, states, **options):
    names = ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"]

    def build(lib, x, weights):
        return getattr(lib, cls_name)(x.shape[-1], weights[1].shape[1], bias=len(weights) == 4,
                                      bidirectional=False, **options)

    def flat(result):
        output, state = result
        return (output, *state) if isinstance(state, tuple) else (output, state)

    def ours(x, *rest):
        module = build(cr.nn, x, rest[states:])
        for key, w in zip(names, rest[states:]):
            module._parameters[key] = w
        hx = rest[:states] if states == 2 else rest[0]
        return flat(module(x, hx))

    def theirs(x, *rest):
        module = build(torch.nn, x, rest[states:])
        hx = rest[:states] if states == 2 else rest[0]
        return flat(torch.func.functional_call(module, dict(zip(names, rest[states:])), (x, hx)))

    gates = {"LSTM": 4, "GRU": 3}.get(cls_name, 1)
    shapes = ((4, 2, 3),) + ((1, 2, 2),) * states + ((gates * 2, 3), (gates * 2, 2))
    case(name, ours, theirs, Sample(shapes + ((gates * 2,), (gates * 2,))),
         Sample(shapes), Sample(((3, 3),) + ((1, 2),) * states + shapes[-2:]),
         integer_inputs=False)


_recurrent_case("rnn_tanh", "RNN", 1)
_recurrent_case("rnn_relu", "RNN", 1, nonlinearity="relu")
_recurrent_case("lstm", "LSTM", 2)
_recurrent_case("gru", "GRU", 1)

# --------------------------------------------------------------------------- one tensor used twice in one op
# (its two gradients must add up: variadic ops return one per position)
case("same_tensor_cat", lambda x: cr.cat([x, x * 2, x], dim=1), lambda x: torch.cat([x, x * 2, x], dim=1),
     ((2, 3),))
case("same_tensor_stack", lambda x: cr.stack([x, x]), lambda x: torch.stack([x, x]), ((2, 3),))
case("same_tensor_einsum", lambda x: cr.einsum("ij,kj->ik", x, x), lambda x: torch.einsum("ij,kj->ik", x, x),
     ((2, 3),))
case("same_tensor_matmul", lambda x: x @ x, lambda x: x @ x, ((3, 3),), ((4,),))
case("same_tensor_maximum", lambda x: cr.maximum(x, x) + cr.minimum(x, x),
     lambda x: torch.maximum(x, x) + torch.minimum(x, x), ((2, 3),))
case("same_tensor_where", lambda x: cr.where(COND_23, x, x * 3),
     lambda x: torch.where(torch.from_numpy(COND_23), x, x * 3), ((2, 3),))
case("same_tensor_pow", lambda x: x ** x, lambda x: x ** x, Sample(((2, 3),), domain=positive))

# --------------------------------------------------------------------------- remaining losses and functional ops
# CTC on log_softmax(logits): PyTorch's rule for log_probs assumes that softmax (see ctc_loss)
CTC_TARGETS = np.array([[1, 2, 2], [3, 1, 0], [4, 4, 4]])      # a repeat, padding, three repeats


def _ctc(lib, functional):
    def call(x, **kw):
        if "targets" in kw:
            kw = _constants(kw, x.detach() if lib is torch else x, lib)
        return functional.ctc_loss(functional.log_softmax(x, -1), **kw)
    return call


case("ctc_loss", _ctc(cr, CF), _ctc(torch, torch.nn.functional if torch else None),
     *[Sample(((7, 3, 5),), dict(targets=CTC_TARGETS, input_lengths=(7, 6, 5), target_lengths=(3, 2, 3),
                                 reduction=r)) for r in _REDUCTIONS],
     # the third sequence cannot fit in 4 frames: its infinite loss is zeroed
     Sample(((7, 3, 5),), dict(targets=CTC_TARGETS, input_lengths=np.array([7, 6, 4]),
                               target_lengths=np.array([3, 2, 3]), zero_infinity=True, reduction="none")),
     Sample(((6, 3, 5),), dict(targets=np.array([[1, 2, 2], [3, 1, 0], [0, 0, 0]]), input_lengths=(6, 3, 2),
                               target_lengths=(3, 1, 0), blank=4, reduction="sum")),
     Sample(((7, 3, 5),), dict(targets=np.array([1, 2, 2, 3, 1, 4]), input_lengths=(7, 6, 4),
                               target_lengths=(3, 2, 1))),                   # concatenated targets
     Sample(((6, 4),), dict(targets=np.array([1, 3, 3]), input_lengths=np.array(6),
                            target_lengths=np.array(3), reduction="none")),   # one sequence
     integer_inputs=False)

MULTILABEL_TARGETS = np.array([[3, 0, -1, 1], [1, 1, 2, -1], [-1, 0, 1, 2]])   # ends, a repeat, none
nn_case("multilabel_margin_loss",
        *[Sample(((3, 4),), dict(target=MULTILABEL_TARGETS, reduction=r)) for r in _REDUCTIONS],
        Sample(((4,),), dict(target=np.array([2, 1, -1, 0]), reduction="none")),      # unbatched
        Sample(((2, 3),), dict(target=np.array([[0, 1, 2], [2, -1, 0]]))))           # every class a target


def _triplet_with_distance(lib, functional):
    """distance='cosine' stands for a function of the case's library (1 - cosine similarity)."""
    def call(anchor, positive, negative, distance=None, **kw):
        if distance == "cosine":
            kw["distance_function"] = lambda x, y: 1.0 - functional.cosine_similarity(x, y)
        return functional.triplet_margin_with_distance_loss(anchor, positive, negative, **kw)
    return call


case("triplet_margin_with_distance_loss", _triplet_with_distance(cr, CF),
     _triplet_with_distance(torch, torch.nn.functional if torch else None),
     *[Sample(((3, 4), (3, 4), (3, 4)), dict(reduction=r, margin=2.0)) for r in _REDUCTIONS],
     Sample(((3, 4), (3, 4), (3, 4)), dict(distance="cosine", swap=True, margin=0.5, reduction="none")),
     Sample(((3, 4), (1, 4), (3, 4)), dict(distance="cosine", margin=1.5)),
     Sample(((4,), (4,), (4,)), dict(swap=True, margin=3.0)), integer_inputs=False)


def _seeded_exponentials(x):
    """The standard exponential draws gumbel_softmax takes after manual_seed(0), as an array."""
    dtype = np.float32 if x.dtype == torch.float32 else np.float64
    return cr.manual_seed(0).standard_exponential(tuple(x.shape), dtype=dtype)


def _gumbel_softmax_torch(x, **kw):
    """torch's gumbel_softmax, its exponential_ draws replaced by chainrule's seeded ones."""
    draws = torch.from_numpy(_seeded_exponentials(x))
    original = torch.Tensor.exponential_
    torch.Tensor.exponential_ = lambda self, *args, **kwargs: self.copy_(draws)
    try:
        return torch.nn.functional.gumbel_softmax(x, **kw)
    finally:
        torch.Tensor.exponential_ = original


def _gumbel_softmax_ours(x, **kw):
    cr.manual_seed(0)                     # the same noise in every call, so gradcheck can run
    return CF.gumbel_softmax(x, **kw)


# hard=True: one-hot values with the soft sample's gradient (straight through), not a derivative
case("gumbel_softmax", _gumbel_softmax_ours, _gumbel_softmax_torch,
     Sample(((3, 5),)), Sample(((3, 5),), dict(tau=0.5, dim=0)), Sample(((2, 3, 4),), dict(tau=2.0, dim=1)),
     Sample(((4,),), dict(tau=0.3)),
     Sample(((3, 5),), dict(hard=True), gradcheck=False),
     Sample(((2, 3, 4),), dict(hard=True, tau=0.7, dim=1), gradcheck=False), integer_inputs=False)

# spatial transformers: grid points drawn from N(0, 1), so many fall outside [-1, 1] and meet the padding
nn_case("grid_sample",
        *[Sample(((2, 3, 5, 4), (2, 3, 4, 2)), dict(padding_mode=p, align_corners=a))
          for p in ("zeros", "border", "reflection") for a in (False, True)],
        *[Sample(((2, 3, 5, 4), (2, 3, 4, 2)), dict(mode="nearest", padding_mode=p, align_corners=a))
          for p, a in (("zeros", False), ("border", True), ("reflection", False))],
        Sample(((1, 2, 1, 3), (1, 2, 2, 2)), dict(padding_mode="reflection", align_corners=True)),  # one row
        Sample(((1, 1, 4, 4), (1, 5, 1, 2)), dict(align_corners=False)))
nn_case("affine_grid",
        Sample(((2, 2, 3),), dict(size=(2, 3, 4, 5), align_corners=False)),
        Sample(((2, 2, 3),), dict(size=(2, 1, 3, 1), align_corners=False)),
        Sample(((2, 2, 3),), dict(size=(2, 1, 3, 4), align_corners=True)),
        Sample(((1, 2, 3),), dict(size=(1, 2, 1, 4), align_corners=False)))

# softmax family with dtype=: the float32 input is converted first (float64 arithmetic, float32 gradient)
case("softmax_dtype",
     lambda x: CF.softmax(x, 1, dtype=cr.float64) + CF.log_softmax(x, 0, dtype=cr.float64)
     + CF.softmin(x, 1, dtype=cr.float64) + x.log_softmax(1, dtype=cr.float64),
     lambda x: torch.nn.functional.softmax(x, 1, dtype=torch.float64)
     + torch.nn.functional.log_softmax(x, 0, dtype=torch.float64)
     + torch.nn.functional.softmin(x, 1, dtype=torch.float64) + x.log_softmax(1, dtype=torch.float64),
     Sample(((2, 3),), dtypes=(np.float32,), eps=1e-3), Sample(((3, 4),)))


# nll_loss on (N, C, d1, d2) log-probabilities, and binary_cross_entropy's weight broadcast to the input
TARGET_2x4x3 = np.array([[[0, 2, 1], [1, 1, 0], [2, 2, 2], [0, -100, 1]],
                         [[1, 0, 0], [2, 1, -100], [0, 0, 1], [2, 1, 0]]])
nn_case("nll_loss_spatial",
        *[Sample(((2, 3, 4, 3),), dict(target=TARGET_2x4x3, weight=CLASS_WEIGHT, reduction=r)) for r in _REDUCTIONS],
        Sample(((2, 3, 4, 3),), dict(target=np.where(TARGET_2x4x3 < 0, 0, TARGET_2x4x3), ignore_index=2)),
        function="nll_loss")
BCE_WEIGHTS_BROADCAST = [(np.array([[0.5], [1.0], [2.0]]), "mean"), (np.array([[[0.3, 1.0, 2.0, 0.5]]]), "sum"),
                         (np.array(1.5), "none"), (np.array([0.1, 0.2, 0.3, 0.4]), "mean")]
nn_case("binary_cross_entropy_broadcast_weight",
        *[Sample(((2, 3, 4), (2, 3, 4)), dict(weight=w, reduction=r), domain=probability)
          for w, r in BCE_WEIGHTS_BROADCAST],
        function="binary_cross_entropy")



# adaptive softmax: the module run with its weights given as inputs (as the recurrent cases)
ASM_KEYS = ["head.weight", "tail.0.0.weight", "tail.0.1.weight", "tail.1.0.weight", "tail.1.1.weight"]
ASM_TARGETS = np.array([0, 3, 4, 6, 7, 9])                     # the head, and both clusters


def _adaptive_softmax(lib):
    """(output, loss, log_prob) of AdaptiveLogSoftmaxWithLoss(8, 10, [4, 7], div_value=2)."""
    def call(x, *weights):
        module = lib.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [4, 7], div_value=2.0)
        for key, weight in zip(ASM_KEYS, weights):
            *path, name = key.split(".")
            owner = functools.reduce(getattr, path, module)
            delattr(owner, name)                # a parameter replaced by the input tensor
            setattr(owner, name, weight)
        return (*module(x, lib.tensor(ASM_TARGETS)), module.log_prob(x))
    return call


case("adaptive_log_softmax_with_loss", _adaptive_softmax(cr), _adaptive_softmax(torch),
     Sample(((6, 8), (6, 8), (4, 8), (3, 4), (2, 8), (3, 2))), integer_inputs=False)
# --------------------------------------------------------------------------- attention
# boolean masks: True = the key takes part (row 1 of ATTN_MASK_46 sees no key: output 0)
ATTN_MASK_46 = np.array([[True, False, True, True, False, True], [False] * 6,
                         [True, True, True, False, False, False], [False, False, False, False, False, True]])
ATTN_BIAS_346 = np.linspace(-2.0, 2.0, 72).reshape(3, 4, 6)
QKV = ((2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 7))
nn_case("scaled_dot_product_attention",
        Sample(QKV), Sample(QKV, dict(is_causal=True)), Sample(QKV, dict(attn_mask=ATTN_MASK_46)),
        Sample(QKV, dict(attn_mask=ATTN_MASK_46[[0, 2], None, None, :])),             # per-batch (2, 1, 1, 6)
        Sample(QKV, dict(attn_mask=ATTN_BIAS_346, scale=0.3)),
        Sample(((4, 5), (6, 5), (6, 2)), dict(is_causal=True)),                  # no batch dims
        Sample(((3, 4, 5), (6, 5), (6, 5)), dict(attn_mask=ATTN_MASK_46)),       # key, value broadcast
        Sample(((2, 4, 3, 5), (2, 2, 6, 5), (2, 2, 6, 3)), dict(enable_gqa=True)),
        Sample(((1, 5, 3), (1, 2, 3), (1, 2, 4)), dict(is_causal=True)))        # L > S: causal rows 2.. see all
case("scaled_dot_product_attention_mask_grad",                                   # a trainable additive mask
     lambda q, k, v, m: CF.scaled_dot_product_attention(q, k, v, attn_mask=m),
     lambda q, k, v, m: torch.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=m),
     Sample(QKV + ((4, 6),)), Sample(((3, 4, 5), (3, 6, 5), (3, 6, 2), (3, 1, 6))), integer_inputs=False)


def _mha_case(name, options, keys, *samples):
    """MultiheadAttention(**options) run with its parameters ``keys`` given as inputs after
    query, key and value (torch.func.functional_call swaps them into the torch module); a
    sample's keywords go to forward().  Outputs: attn_output[, attn_weights].  Values are drawn
    from (-0.9, 0.9): with normal ones, float32 gradients summing terms of size 6 to 0.04 differ
    from float64 by 4e-6 in both libraries, above the float32 run's tolerance."""
    def flat(result):
        out, weights = result
        return (out,) if weights is None else (out, weights)

    def ours(q, k, v, *weights, **kw):
        module = cr.nn.MultiheadAttention(**options, dtype=q.dtype)
        for key, w in zip(keys, weights):
            *path, leaf = key.split(".")
            owner = module
            for part in path:
                owner = getattr(owner, part)
            owner._parameters[leaf] = w
        return flat(module(q, k, v, **_constants(kw, q, cr)))

    def theirs(q, k, v, *weights, **kw):
        module = torch.nn.MultiheadAttention(**options, dtype=q.dtype)
        return flat(torch.func.functional_call(module, dict(zip(keys, weights)),
                                               (q, k, v), _constants(kw, q.detach(), torch)))
    samples = [dataclasses.replace(s, domain=UNIT) for s in samples]
    case(name, ours, theirs, *samples, integer_inputs=False)


# in_proj_bias is an input only where a zero-attention key or bias_k is added: otherwise its key
# part shifts every score of a row alike, so its gradient is 0 (float32 compares round-off there)
PACKED = ["in_proj_weight", "out_proj.weight", "out_proj.bias"]
PACKED_SHAPES = ((12, 4), (4, 4), (4,))
KEY_PADDING_25 = np.array([[False, False, True, False, True], [False] * 5])
_mha_case("multihead_attention", dict(embed_dim=4, num_heads=2), PACKED,
          Sample(((3, 2, 4), (5, 2, 4), (5, 2, 4)) + PACKED_SHAPES),
          Sample(((3, 2, 4), (5, 2, 4), (5, 2, 4)) + PACKED_SHAPES, dict(average_attn_weights=False)),
          Sample(((3, 2, 4), (5, 2, 4), (5, 2, 4)) + PACKED_SHAPES, dict(need_weights=False)),
          Sample(((3, 2, 4), (5, 2, 4), (5, 2, 4)) + PACKED_SHAPES,
                 dict(key_padding_mask=KEY_PADDING_25, attn_mask=ATTN_MASK_46[[0, 2, 3], :5])),   # True = not allowed
          Sample(((3, 2, 4), (5, 2, 4), (5, 2, 4)) + PACKED_SHAPES,
                 dict(attn_mask=ATTN_BIAS_346.reshape(-1)[:60].reshape(4, 3, 5), need_weights=False,
                      key_padding_mask=ATTN_BIAS_346[0, :2, :5])),
          Sample(((3, 4), (5, 4), (5, 4)) + PACKED_SHAPES,                                 # unbatched
                 dict(key_padding_mask=KEY_PADDING_25[0],
                      attn_mask=np.stack([ATTN_MASK_46[[0, 2, 3], :5], np.zeros((3, 5), bool)]))))
_mha_case("multihead_attention_batch_first", dict(embed_dim=4, num_heads=2, batch_first=True, add_zero_attn=True),
          ["in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"],
          Sample(((2, 3, 4), (2, 5, 4), (2, 5, 4), (12, 4), (12,), (4, 4), (4,)),
                 dict(key_padding_mask=KEY_PADDING_25, is_causal=True,
                      attn_mask=np.triu(np.ones((3, 5), bool), 1))))
_mha_case("multihead_attention_kdim_vdim",
          dict(embed_dim=4, num_heads=2, kdim=3, vdim=2, add_bias_kv=True, add_zero_attn=True),
          ["q_proj_weight", "k_proj_weight", "v_proj_weight", "in_proj_bias", "bias_k", "bias_v",
           "out_proj.weight", "out_proj.bias"],
          Sample(((3, 2, 4), (5, 2, 3), (5, 2, 2), (4, 4), (4, 3), (4, 2), (12,), (1, 1, 4), (1, 1, 4),
                  (4, 4), (4,)), dict(key_padding_mask=KEY_PADDING_25)))
_mha_case("multihead_attention_no_bias", dict(embed_dim=6, num_heads=3, bias=False),
          ["in_proj_weight", "out_proj.weight"],
          Sample(((4, 1, 6), (2, 1, 6), (2, 1, 6), (18, 6), (6, 6)), dict(need_weights=False)))
# --------------------------------------------------------------------------- nn.utils: sequences and parameters
PACK_LENGTHS = [2, 4, 1]   # unsorted: the packing sorts, and h_n comes back in batch order


def _utils_rnn(lib):
    return cr.nn.utils.rnn if lib is cr else torch.nn.utils.rnn


case("pad_sequence", lambda *xs, **kw: cr.nn.utils.rnn.pad_sequence(list(xs), **kw),
     lambda *xs, **kw: torch.nn.utils.rnn.pad_sequence(list(xs), **kw),
     Sample(((3, 2), (1, 2), (4, 2))),
     Sample(((2,), (5,)), dict(batch_first=True, padding_value=-1.5)),
     Sample(((3, 2, 1), (1, 2, 1)), dict(padding_side="left", batch_first=True)))


def _pack_then_pad(lib, x, **kw):
    rnn = _utils_rnn(lib)
    packed = rnn.pack_padded_sequence(x, PACK_LENGTHS, batch_first=kw.get("batch_first", False),
                                      enforce_sorted=False)
    padded, _ = rnn.pad_packed_sequence(packed, **kw)
    return packed.data, padded


case("pack_padded_sequence", lambda x, **kw: _pack_then_pad(cr, x, **kw),
     lambda x, **kw: _pack_then_pad(torch, x, **kw),
     Sample(((4, 3, 2),)), Sample(((3, 4),), dict(batch_first=True, padding_value=2.0, total_length=6)))
case("parameters_to_vector", lambda *xs: cr.nn.utils.parameters_to_vector(xs),
     lambda *xs: torch.nn.utils.parameters_to_vector(xs), ((2, 3), (4,), ()))


def _packed_recurrent_case(name, cls_name, states):
    """A bidirectional layer over a PackedSequence of the unsorted PACK_LENGTHS."""
    gates = {"LSTM": 4, "GRU": 3}.get(cls_name, 1)
    names = [f"{stem}_l0{suffix}" for suffix in ("", "_reverse")
             for stem in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]

    def run(lib, x, rest, call):
        rnn = _utils_rnn(lib)
        module = getattr(lib.nn, cls_name)(3, 2, bidirectional=True)
        packed = rnn.pack_padded_sequence(x, PACK_LENGTHS, enforce_sorted=False)
        hx = rest[:states] if states == 2 else rest[0]
        output, state = call(module, dict(zip(names, rest[states:])), packed, hx)
        return (output.data, *state) if isinstance(state, tuple) else (output.data, state)

    def call_ours(module, weights, packed, hx):
        module._parameters.update(weights)
        return module(packed, hx)

    def call_theirs(module, weights, packed, hx):
        return torch.func.functional_call(module, weights, (packed, hx))

    per_direction = ((gates * 2, 3), (gates * 2, 2), (gates * 2,), (gates * 2,))
    case(name, lambda x, *rest: run(cr, x, rest, call_ours),
         lambda x, *rest: run(torch, x, rest, call_theirs),
         Sample(((4, 3, 3),) + ((2, 3, 2),) * states + per_direction * 2), integer_inputs=False)


_packed_recurrent_case("packed_rnn", "RNN", 1)
_packed_recurrent_case("packed_lstm", "LSTM", 2)
_packed_recurrent_case("packed_gru", "GRU", 1)

# --------------------------------------------------------------------------- embedding_bag (1-d input cut at
# offsets, one empty bag; or a 2-d input of fixed-size bags); max needs distinct values (no ties)
BAG_INDICES, BAG_OFFSETS = np.array([1, 2, 4, 5, 4, 3, 2, 0]), np.array([0, 2, 2, 5])
BAG_ROWS = np.array([[1, 2, 0], [4, 4, 5]])


def _embedding_bag(lib, weight, *rest, fixed_bags=False, **kw):
    F = CF if lib is cr else torch.nn.functional
    wrap = cr.tensor if lib is cr else torch.from_numpy
    if fixed_bags:
        return F.embedding_bag(wrap(BAG_ROWS), weight, per_sample_weights=rest[0] if rest else None, **kw)
    return F.embedding_bag(wrap(BAG_INDICES), weight, wrap(BAG_OFFSETS),
                           per_sample_weights=rest[0] if rest else None, **kw)


case("embedding_bag", lambda *xs, **kw: _embedding_bag(cr, *xs, **kw),
     lambda *xs, **kw: _embedding_bag(torch, *xs, **kw),
     Sample(((6, 3),)), Sample(((6, 3),), dict(mode="sum", padding_idx=4)),
     Sample(((6, 3),), dict(mode="max"), domain=distinct),
     Sample(((6, 2),), dict(mode="max", fixed_bags=True, padding_idx=5), domain=distinct),
     Sample(((6, 3), (8,)), dict(mode="sum")),
     Sample(((6, 3), (2, 3)), dict(mode="sum", fixed_bags=True, include_last_offset=False)),
     integer_inputs=False)


def _hooked_linear(lib, x, weight):
    """Linear with full backward (pre-)hooks that only look: the gradients must be unchanged."""
    layer = lib.nn.Linear(weight.shape[1], weight.shape[0], bias=False)
    layer.register_full_backward_pre_hook(lambda module, grad_output: None)
    layer.register_full_backward_hook(lambda module, grad_input, grad_output: None)
    if lib is cr:
        layer._parameters["weight"] = weight
        return layer(x)
    return torch.func.functional_call(layer, {"weight": weight}, (x,))


case("module_full_backward_hook", lambda x, w: _hooked_linear(cr, x, w),
     lambda x, w: _hooked_linear(torch, x, w), ((4, 3), (2, 3)), integer_inputs=False)
