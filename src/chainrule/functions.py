"""The differentiable functions users call: ``chainrule.exp(x)``, ``chainrule.sum(x, dim=1)``...

Each function checks its arguments, so a mistake is reported here, naming the operation
and the shapes or values at fault, and then hands the arrays to an op from ``chainrule.ops``
through ``apply``.  Tensor methods and operators call these same functions.
"""
import builtins
import collections
import math
import numbers
import operator

from chainrule.backend import xp
from chainrule.ops import activation as _act
from chainrule.ops import arithmetic as _arith
from chainrule.ops import elementwise as _elem
from chainrule.ops import indexing as _index
from chainrule.ops import linalg as _linalg
from chainrule.ops import reduction as _red
from chainrule.ops import shape as _shape
from chainrule.ops import softmax as _softmax
from chainrule.ops.base import Op
from chainrule.tensor import DEFAULT_FLOAT, Tensor, _pair, apply, as_array, to_dtype

MaxResult = collections.namedtuple("max", ["values", "indices"])
MinResult = collections.namedtuple("min", ["values", "indices"])


# --------------------------------------------------------------------------- argument helpers
def as_tensor(x, op="operand"):
    """``x`` itself if it is a Tensor, else a new tensor made from it (no copy of an ndarray)."""
    return x if isinstance(x, Tensor) else Tensor(as_array(x, copy=False, op=op))


def to_floating(x):
    """``x`` unchanged if floating, else converted to the default float dtype."""
    return x if x.data.dtype.kind in "fc" else astype(x, DEFAULT_FLOAT)


def normalize_dim(dim, ndim, op):
    """A dim in [-ndim, ndim) as a non-negative int, or a clear IndexError."""
    if not isinstance(dim, numbers.Integral):
        raise TypeError(f"{op}: dim must be an integer, got {dim!r}")
    if not -builtins.max(ndim, 1) <= dim < builtins.max(ndim, 1):
        raise IndexError(f"{op}: dim {dim} is out of range for a tensor with {ndim} dims "
                         f"(expected a dim in [{-builtins.max(ndim, 1)}, {builtins.max(ndim, 1) - 1}])")
    return int(dim) % builtins.max(ndim, 1) if ndim else 0


def reduction_axes(dim, ndim, op):
    """``dim`` (int, tuple, list or None) as a sorted tuple of axes, or None for all axes."""
    if dim is None:
        return None
    dims = dim if isinstance(dim, (tuple, list)) else (dim,)
    if ndim == 0:
        for d in dims:
            normalize_dim(d, 0, op)
        return None
    axes = tuple(sorted(normalize_dim(d, ndim, op) for d in dims))
    if len(set(axes)) != len(axes):
        raise ValueError(f"{op}: dim {dim} names the same dim twice")
    return axes


def _dim_keepdim(op, dim, keepdim, aliases):
    """Accept NumPy's ``axis``/``keepdims`` as well as PyTorch's ``dim``/``keepdim``."""
    if aliases:
        unknown = set(aliases) - {"axis", "keepdims"}
        if unknown:
            raise TypeError(f"{op}: unexpected keyword argument {sorted(unknown)[0]!r}")
        if "axis" in aliases:
            dim = aliases["axis"]
        if "keepdims" in aliases:
            keepdim = aliases["keepdims"]
    return dim, bool(keepdim)


def _sizes(args, op):
    """Shapes given as f(2, 3) or f((2, 3)) or f([2, 3])."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = tuple(args[0])
    try:
        return tuple(operator.index(a) for a in args)  # 2.5 is an error, not 2
    except (TypeError, ValueError):
        raise TypeError(f"{op}: sizes must be integers, got {args!r}") from None


# --------------------------------------------------------------------------- arithmetic
def add(a, b):
    """a + b, broadcasting."""
    return as_tensor(a) + b


def sub(a, b):
    """a - b, broadcasting."""
    return as_tensor(a) - b


def mul(a, b):
    """a * b, broadcasting."""
    return as_tensor(a) * b


def div(a, b):
    """a / b, broadcasting; integer inputs give a floating result, as in PyTorch."""
    if isinstance(b, numbers.Number) and not isinstance(b, xp.generic) and isinstance(a, Tensor):
        return a / b
    a, b = _pair(to_floating(as_tensor(a)), b)
    return apply(_arith.Div(), to_floating(a), to_floating(b))


def pow(base, exponent):
    """base ** exponent, with a tensor or a Python number on either side."""
    if isinstance(exponent, xp.generic):
        exponent = exponent.item()  # a NumPy scalar acts as a Python number: no widening
    if isinstance(base, xp.generic):
        base = base.item()
    if isinstance(exponent, numbers.Number) and not isinstance(base, numbers.Number):
        base = as_tensor(base)
        if isinstance(exponent, float) or exponent < 0:
            base = to_floating(base)
        return apply(_arith.PowScalar(exponent), base)
    if isinstance(base, numbers.Number):
        return apply(_arith.RPowScalar(base), to_floating(as_tensor(exponent)))
    return apply(_arith.Pow(), *_pair(as_tensor(base), exponent))


def neg(x):
    return -as_tensor(x)


subtract, multiply, divide, true_divide, negative = sub, mul, div, div, neg


def astype(x, dtype):
    """``x`` converted to ``dtype``; the gradient flows back converted to x's dtype."""
    target = to_dtype(dtype, "astype")
    if x.data.dtype == target:
        return x
    if target.kind not in "fc":
        return Tensor(x.data.astype(target))  # integers and booleans carry no gradient
    return apply(_Cast(target), x)


class _Cast(Op):
    """y = x as another float dtype;  dx = g as x's dtype (the engine converts it)"""

    def __init__(self, dtype):
        self.dtype = dtype

    def forward(self, x):
        return x.astype(self.dtype)

    def backward(self, g):
        return g


def clone(x):
    """A copy of ``x`` that stays in the graph (its gradient flows to ``x``)."""
    return apply(_Clone(), x)


class _Clone(Op):
    """y = a copy of x;  dx = g"""

    def forward(self, x):
        return x.copy()

    def backward(self, g):
        return g


# --------------------------------------------------------------------------- elementwise
def _unary(op_class):
    def function(x):
        return apply(op_class(), to_floating(as_tensor(x)))
    function.__name__ = op_class.__name__.lower()
    function.__doc__ = f"Elementwise: {op_class.__doc__}"
    return function


exp = _unary(_elem.Exp)
log = _unary(_elem.Log)
log1p = _unary(_elem.Log1p)
sqrt = _unary(_elem.Sqrt)
sin = _unary(_elem.Sin)
cos = _unary(_elem.Cos)
tanh = _unary(_elem.Tanh)
sigmoid = _unary(_elem.Sigmoid)


def abs(x):
    """Elementwise |x|; its gradient at 0 is 0."""
    return apply(_elem.Abs(), as_tensor(x))


# ``inplace`` is accepted where PyTorch has it, for code written for PyTorch; the result is
# always a new tensor, because overwriting the input would corrupt what earlier ops saved.
def relu(x, inplace=False):
    """max(x, 0), elementwise."""
    return apply(_act.ReLU(), as_tensor(x))


def leaky_relu(x, negative_slope=0.01, inplace=False):
    """x where x > 0, else negative_slope * x."""
    return apply(_act.LeakyReLU(negative_slope), to_floating(as_tensor(x)))


def elu(x, alpha=1.0, inplace=False):
    """x where x > 0, else alpha * (e^x - 1)."""
    return apply(_act.ELU(alpha), to_floating(as_tensor(x)))


def gelu(x, approximate="none"):
    """x Φ(x), Φ the standard normal CDF; ``approximate='tanh'`` for the tanh formula."""
    if approximate not in ("none", "tanh"):
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    return apply(_act.GELU(approximate), to_floating(as_tensor(x)))


def softplus(x, beta=1.0, threshold=20.0):
    """log(1 + e^(βx)) / β, and x itself where βx > threshold (as PyTorch)."""
    return apply(_act.Softplus(beta, threshold), to_floating(as_tensor(x)))


def _float_activation(op, x):
    return apply(op, to_floating(as_tensor(x)))


def silu(x, inplace=False):
    """x · sigmoid(x) (also called swish)."""
    return _float_activation(_act.SiLU(), x)


def mish(x, inplace=False):
    """x · tanh(softplus(x)), computed without overflow for large |x|."""
    return _float_activation(_act.Mish(), x)


def hardtanh(x, min_val=-1.0, max_val=1.0, inplace=False):
    """x limited to [min_val, max_val]; the gradient is 0 at the bounds, as in PyTorch.

    >>> chainrule.hardtanh(chainrule.tensor([-2.0, 0.5, 3.0])).tolist()
    [-1.0, 0.5, 1.0]
    """
    if not max_val > min_val:
        raise ValueError(f"hardtanh: max_val ({max_val}) must be greater than min_val ({min_val})")
    return apply(_act.Hardtanh(min_val, max_val), as_tensor(x))


def relu6(x, inplace=False):
    """min(max(x, 0), 6): hardtanh with bounds 0 and 6."""
    return apply(_act.Hardtanh(0.0, 6.0), as_tensor(x))


def hardsigmoid(x, inplace=False):
    """relu6(x + 3) / 6: a piecewise-linear sigmoid, 0 below -3 and 1 above 3."""
    return _float_activation(_act.Hardsigmoid(), x)


def hardswish(x, inplace=False):
    """x · hardsigmoid(x): a piecewise-quadratic SiLU."""
    return _float_activation(_act.Hardswish(), x)


# SELU's constants (Klambauer et al., 2017): they make unit mean and variance a fixed point
_SELU_ALPHA = 1.6732632423543772
_SELU_SCALE = 1.0507009873554805


def selu(x, inplace=False):
    """scale · elu(x, alpha) with SELU's fixed constants (self-normalizing networks)."""
    return _float_activation(_act.ELU(_SELU_ALPHA, scale=_SELU_SCALE), x)


def celu(x, alpha=1.0, inplace=False):
    """x where x > 0, else alpha · (e^(x/alpha) - 1): an ELU whose slope is continuous."""
    if alpha == 0:
        raise ValueError("celu: alpha must not be 0 (it divides x)")
    return _float_activation(_act.ELU(alpha, input_scale=1 / alpha), x)


def prelu(x, weight):
    """x where x > 0, else weight · x, with one learned slope per channel (dim 1).

    ``weight`` has shape (1,) (one slope for all) or (C,) with C = x.shape[1]; a 0-d or
    1-D ``x`` counts as one channel.
    """
    x, weight = _pair(to_floating(as_tensor(x)), weight)
    if weight.ndim > 1:
        raise ValueError(f"prelu: weight must be 0-d or 1-D, got shape {weight.shape}")
    channels = x.shape[1] if x.ndim >= 2 else 1
    if weight.numel() == 1:
        weight = reshape(weight, ())
    elif weight.numel() != channels:
        raise ValueError(f"prelu: weight has {weight.numel()} slopes but the input of shape {x.shape} "
                         f"has {channels} channels (dim 1); give 1 or {channels} slopes")
    else:
        weight = reshape(weight, (channels,) + (1,) * (x.ndim - 2))
    return apply(_act.PReLU(), x, weight)


def logsigmoid(x):
    """log(sigmoid(x)) = -softplus(-x), finite for any x."""
    return _float_activation(_act.LogSigmoid(), x)


def softsign(x):
    """x / (1 + |x|)."""
    return _float_activation(_act.Softsign(), x)


def tanhshrink(x):
    """x - tanh(x)."""
    return _float_activation(_act.Tanhshrink(), x)


def _check_lambd(lambd, op):
    if lambd < 0:
        raise ValueError(f"{op}: lambd must be non-negative, got {lambd}")


def softshrink(x, lambd=0.5):
    """x - lambd where x > lambd, x + lambd where x < -lambd, else 0."""
    _check_lambd(lambd, "softshrink")
    return _float_activation(_act.Softshrink(lambd), x)


def hardshrink(x, lambd=0.5):
    """x where |x| > lambd, else 0."""
    return _float_activation(_act.Hardshrink(lambd), x)


def threshold(x, threshold, value, inplace=False):
    """x where x > threshold, else value."""
    return apply(_act.Threshold(threshold, value), as_tensor(x))


def softmin(x, dim):
    """softmax(-x) along ``dim``: probabilities that favour the smallest entries."""
    x = to_floating(as_tensor(x))
    return softmax(-x, normalize_dim(dim, x.ndim, "softmin"))


def glu(x, dim=-1):
    """a · sigmoid(b), where a and b are the first and second halves of x along ``dim``."""
    x = to_floating(as_tensor(x))
    if x.ndim == 0:
        raise ValueError("glu: a 0-d input cannot be split in halves")
    axis = normalize_dim(dim, x.ndim, "glu")
    if x.shape[axis] % 2:
        raise ValueError(f"glu: dim {dim} of the input (shape {x.shape}) has odd size "
                         f"{x.shape[axis]}; it must split into two equal halves")
    half = x.shape[axis] // 2
    return _narrow(x, axis, 0, half) * sigmoid(_narrow(x, axis, half, 2 * half))


def clamp(x, min=None, max=None):
    """Each element limited to [min, max]; the gradient passes where min <= x <= max."""
    x = as_tensor(x)
    if min is None and max is None:
        raise ValueError("clamp: at least one of min and max must be given")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        if min is not None:
            x = where(x < min, min, x)
        if max is not None:
            x = where(x > max, max, x)
        return x
    if x.data.dtype.kind in "biu" and (isinstance(min, float) or isinstance(max, float)):
        x = to_floating(x)  # an integer tensor clamped to a float bound is float32, as in PyTorch
    return apply(_elem.Clamp(min, max), x)


clip = clamp


def maximum(a, b):
    """Elementwise max(a, b); on ties the gradient is split evenly."""
    return apply(_elem.Maximum(), *_pair(as_tensor(a), b))


def minimum(a, b):
    """Elementwise min(a, b); on ties the gradient is split evenly."""
    return apply(_elem.Minimum(), *_pair(as_tensor(a), b))


def where(condition, input, other):
    """``input`` where ``condition`` holds, else ``other`` (broadcasting all three)."""
    condition = condition.data if isinstance(condition, Tensor) else xp.asarray(condition)
    if condition.dtype != xp.bool_:
        condition = condition.astype(bool)
    if not isinstance(input, Tensor):
        if not isinstance(other, Tensor):
            raise TypeError("where: input or other must be a Tensor")
        other, input = _pair(other, input)
    else:
        input, other = _pair(input, other)
    _check_broadcast("where", condition.shape, input.shape, other.shape)
    return apply(_elem.Where(condition), input, other)


def _check_broadcast(op, *shapes):
    try:
        return xp.broadcast_shapes(*shapes)
    except ValueError:
        raise ValueError(f"{op}: shapes {', '.join(str(tuple(s)) for s in shapes)} cannot be "
                         "broadcast together") from None


# --------------------------------------------------------------------------- reductions
def _reduce(op_class, name, x, dim, keepdim, aliases):
    x = as_tensor(x)
    dim, keepdim = _dim_keepdim(name, dim, keepdim, aliases)
    return apply(op_class(reduction_axes(dim, x.ndim, name), keepdim), x)


def sum(x, dim=None, keepdim=False, **aliases):
    """Sum over ``dim`` (an int, a tuple, or None for all)."""
    return _reduce(_red.Sum, "sum", x, dim, keepdim, aliases)


def mean(x, dim=None, keepdim=False, **aliases):
    """Mean over ``dim`` (an int, a tuple, or None for all)."""
    return _reduce(_red.Mean, "mean", to_floating(as_tensor(x)), dim, keepdim, aliases)


def _correction(op, unbiased, correction):
    if correction is not None and unbiased is not None:
        raise TypeError(f"{op}: give unbiased or correction, not both")
    if correction is not None:
        return correction
    return 0 if unbiased is False else 1


def var(x, dim=None, unbiased=None, keepdim=False, *, correction=None, **aliases):
    """Variance over ``dim``, dividing by n - correction (correction=1 unless unbiased=False)."""
    x = to_floating(as_tensor(x))
    dim, keepdim = _dim_keepdim("var", dim, keepdim, aliases)
    axes = reduction_axes(dim, x.ndim, "var")
    return apply(_red.Var(axes, _correction("var", unbiased, correction), keepdim), x)


def std(x, dim=None, unbiased=None, keepdim=False, *, correction=None, **aliases):
    """Standard deviation over ``dim``: the square root of ``var``."""
    x = to_floating(as_tensor(x))
    dim, keepdim = _dim_keepdim("std", dim, keepdim, aliases)
    axes = reduction_axes(dim, x.ndim, "std")
    return apply(_red.Std(axes, _correction("std", unbiased, correction), keepdim), x)


def _check_not_empty(x, axes, op):
    if x.data.size == 0 and (axes is None or builtins.any(x.shape[a] == 0 for a in axes)):
        raise ValueError(f"{op}: cannot reduce over an empty dim (tensor shape {x.shape})")


def _extreme(name, along_class, whole_class, result_type, other_fn, x, dim, keepdim, aliases):
    x = as_tensor(x)
    if isinstance(dim, (Tensor, xp.ndarray)):
        return other_fn(x, dim)
    dim, keepdim = _dim_keepdim(name, dim, keepdim, aliases)
    if dim is None:
        _check_not_empty(x, None, name)
        return apply(whole_class(None, False), x)
    if isinstance(dim, (tuple, list)):
        raise TypeError(f"{name}: dim must be one int (which returns values and indices); "
                        f"use a{name}(x, dim={tuple(dim)}) to reduce over several dims")
    axis = normalize_dim(dim, x.ndim, name)
    _check_not_empty(x, (axis,), name)
    if x.ndim == 0:
        return result_type(x, Tensor(xp.zeros((), dtype=xp.int64)))
    op = along_class(axis, keepdim)
    values = apply(op, x)
    indices = op.indices if keepdim else xp.squeeze(op.indices, axis=axis)
    return result_type(values, Tensor(indices.astype(xp.int64)))


def max(x, dim=None, keepdim=False, **aliases):
    """The largest element; with an int ``dim``, (values, indices) along it; with a tensor, maximum."""
    return _extreme("max", _red.MaxAlongDim, _red.Amax, MaxResult, maximum, x, dim, keepdim, aliases)


def min(x, dim=None, keepdim=False, **aliases):
    """The smallest element; with an int ``dim``, (values, indices) along it; with a tensor, minimum."""
    return _extreme("min", _red.MinAlongDim, _red.Amin, MinResult, minimum, x, dim, keepdim, aliases)


def amax(x, dim=None, keepdim=False, **aliases):
    """Max over ``dim`` (int, tuple or None); ties share the gradient evenly."""
    x = as_tensor(x)
    dim, keepdim = _dim_keepdim("amax", dim, keepdim, aliases)
    axes = reduction_axes(dim, x.ndim, "amax")
    _check_not_empty(x, axes, "amax")
    return apply(_red.Amax(axes, keepdim), x)


def amin(x, dim=None, keepdim=False, **aliases):
    """Min over ``dim`` (int, tuple or None); ties share the gradient evenly."""
    x = as_tensor(x)
    dim, keepdim = _dim_keepdim("amin", dim, keepdim, aliases)
    axes = reduction_axes(dim, x.ndim, "amin")
    _check_not_empty(x, axes, "amin")
    return apply(_red.Amin(axes, keepdim), x)


def logsumexp(x, dim=None, keepdim=False, **aliases):
    """log Σ e^x over ``dim``, without overflow."""
    return _reduce(_red.LogSumExp, "logsumexp", to_floating(as_tensor(x)), dim, keepdim, aliases)


def prod(x, dim=None, keepdim=False, **aliases):
    """Product over ``dim``; exact gradients even where elements are zero."""
    return _reduce(_red.Prod, "prod", x, dim, keepdim, aliases)


def _arg(name, pick, x, dim, keepdim, aliases):
    x = as_tensor(x)
    dim, keepdim = _dim_keepdim(name, dim, keepdim, aliases)
    if dim is None:
        _check_not_empty(x, None, name)
        result = pick(x.data.reshape(-1), axis=0)
        if keepdim:
            result = xp.reshape(result, (1,) * x.ndim)
        return Tensor(xp.asarray(result, dtype=xp.int64))
    axis = normalize_dim(dim, x.ndim, name)
    _check_not_empty(x, (axis,), name)
    if x.ndim == 0:
        return Tensor(xp.zeros((), dtype=xp.int64))
    return Tensor(pick(x.data, axis=axis, keepdims=keepdim).astype(xp.int64))


def argmax(x, dim=None, keepdim=False, **aliases):
    """Index of the largest element (of the flattened tensor when dim is None). No gradient."""
    return _arg("argmax", xp.argmax, x, dim, keepdim, aliases)


def argmin(x, dim=None, keepdim=False, **aliases):
    """Index of the smallest element (of the flattened tensor when dim is None). No gradient."""
    return _arg("argmin", xp.argmin, x, dim, keepdim, aliases)


def any(x, dim=None, keepdim=False):
    x = as_tensor(x)
    return Tensor(xp.any(x.data, axis=reduction_axes(dim, x.ndim, "any"), keepdims=keepdim))


def all(x, dim=None, keepdim=False):
    x = as_tensor(x)
    return Tensor(xp.all(x.data, axis=reduction_axes(dim, x.ndim, "all"), keepdims=keepdim))


# --------------------------------------------------------------------------- shape
def reshape(x, *shape):
    """The same elements in a new shape; one size may be -1 (inferred)."""
    x = as_tensor(x)
    shape = _sizes(shape, "reshape")
    known = math.prod(s for s in shape if s != -1)
    unknown = shape.count(-1)
    size = x.data.size
    if unknown > 1 or builtins.any(s < -1 for s in shape) or (
            size != known if not unknown else (known == 0 or size % known)):
        raise ValueError(f"reshape: cannot reshape a tensor of shape {x.shape} ({size} elements) "
                         f"into {shape}")
    if unknown:
        shape = tuple(size // known if s == -1 else s for s in shape)
    if shape == x.shape:
        return x
    return apply(_shape.Reshape(shape), x)


view = reshape


def flatten(x, start_dim=0, end_dim=-1):
    """Merge dims start_dim..end_dim (inclusive) into one."""
    x = as_tensor(x)
    if x.ndim == 0:
        return reshape(x, 1)
    start = normalize_dim(start_dim, x.ndim, "flatten")
    end = normalize_dim(end_dim, x.ndim, "flatten")
    if start > end:
        raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
    shape = x.shape[:start] + (math.prod(x.shape[start:end + 1]),) + x.shape[end + 1:]
    return reshape(x, shape)


def squeeze(x, dim=None):
    """Remove dims of size 1 (all of them, or those in ``dim`` that have size 1)."""
    x = as_tensor(x)
    if dim is None:
        axes = [i for i, s in enumerate(x.shape) if s == 1]
    else:
        axes = [a for a in reduction_axes(dim, x.ndim, "squeeze") or () if x.shape[a] == 1]
    shape = tuple(s for i, s in enumerate(x.shape) if i not in axes)
    return reshape(x, shape)


def unsqueeze(x, dim):
    """Insert a dim of size 1 at position ``dim`` (in [-ndim-1, ndim])."""
    x = as_tensor(x)
    axis = normalize_dim(dim, x.ndim + 1, "unsqueeze")
    return reshape(x, x.shape[:axis] + (1,) + x.shape[axis:])


def permute(x, *dims):
    """Reorder the dims: ``dims`` is a permutation of range(ndim)."""
    x = as_tensor(x)
    dims = _sizes(dims, "permute")
    axes = tuple(normalize_dim(d, x.ndim, "permute") for d in dims)
    if sorted(axes) != list(range(x.ndim)):
        raise ValueError(f"permute: {dims} is not a permutation of the {x.ndim} dims of a tensor "
                         f"of shape {x.shape}")
    if axes == tuple(range(x.ndim)):
        return x
    return apply(_shape.Permute(axes), x)


def transpose(x, dim0, dim1):
    """Swap two dims."""
    x = as_tensor(x)
    axes = list(range(x.ndim))
    a, b = normalize_dim(dim0, x.ndim, "transpose"), normalize_dim(dim1, x.ndim, "transpose")
    if x.ndim < 2:
        return x
    axes[a], axes[b] = axes[b], axes[a]
    return permute(x, axes)


swapaxes = transpose


def broadcast_to(x, shape):
    """``x`` repeated along broadcast dims to ``shape``; the gradient is summed back."""
    x = as_tensor(x)
    shape = _sizes((shape,) if isinstance(shape, int) else shape, "broadcast_to")
    try:
        xp.broadcast_shapes(x.shape, shape)
        if len(shape) < x.ndim or xp.broadcast_shapes(x.shape, shape) != shape:
            raise ValueError
    except ValueError:
        raise ValueError(f"broadcast_to: cannot broadcast shape {x.shape} to {shape}") from None
    if shape == x.shape:
        return x
    return apply(_shape.BroadcastTo(shape), x)


def expand(x, *sizes):
    """Like ``broadcast_to``; a size of -1 keeps that dim's size."""
    x = as_tensor(x)
    sizes = _sizes(sizes, "expand")
    lead = len(sizes) - x.ndim
    if lead < 0:
        raise ValueError(f"expand: {len(sizes)} sizes given for a tensor of shape {x.shape}")
    shape = tuple(x.shape[i - lead] if s == -1 and i >= lead else s for i, s in enumerate(sizes))
    if builtins.any(s < 0 for s in shape):
        raise ValueError(f"expand: -1 is not allowed for the new leading dims in {sizes}")
    try:
        return broadcast_to(x, shape)
    except ValueError:
        raise ValueError(f"expand: cannot expand shape {x.shape} to {sizes}") from None


def _as_tensor_list(tensors, op):
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)) or not tensors:
        raise TypeError(f"{op}: expected a non-empty list or tuple of tensors")
    tensors = [as_tensor(t, op) for t in tensors]
    dtype = tensors[0].dtype
    for t in tensors[1:]:
        if t.dtype != dtype:
            dtype = xp.result_type(dtype, t.dtype)
    return [t if t.dtype == dtype else astype(t, dtype) for t in tensors]


def cat(tensors, dim=0):
    """Join tensors along an existing dim; all other dims must match."""
    tensors = _as_tensor_list(tensors, "cat")
    first = tensors[0]
    axis = normalize_dim(dim, first.ndim, "cat")
    for i, t in enumerate(tensors):
        if t.ndim != first.ndim or t.shape[:axis] + t.shape[axis + 1:] != first.shape[:axis] + first.shape[axis + 1:]:
            raise ValueError(f"cat: tensor {i} has shape {t.shape}, which does not match tensor 0's "
                             f"shape {first.shape} outside dim {axis}")
    if first.ndim == 0:
        raise ValueError("cat: zero-dimensional tensors cannot be concatenated (use stack)")
    return apply(_shape.Concatenate(axis), *tensors)


concatenate = concat = cat


def stack(tensors, dim=0):
    """Join same-shaped tensors along a new dim."""
    tensors = _as_tensor_list(tensors, "stack")
    axis = normalize_dim(dim, tensors[0].ndim + 1, "stack")
    for i, t in enumerate(tensors):
        if t.shape != tensors[0].shape:
            raise ValueError(f"stack: tensor {i} has shape {t.shape} but tensor 0 has shape "
                             f"{tensors[0].shape}")
    return apply(_shape.Stack(axis), *tensors)


def _narrow(x, axis, start, stop):
    index = (slice(None),) * axis + (slice(start, stop),)
    return apply(_index.GetItem(index), x)


def split(x, split_size_or_sections, dim=0):
    """Pieces along ``dim``: of size ``split_size`` each (the last may be smaller), or of the given sizes."""
    x = as_tensor(x)
    axis = normalize_dim(dim, x.ndim, "split")
    length = x.shape[axis]
    if isinstance(split_size_or_sections, numbers.Integral):
        size = int(split_size_or_sections)
        if size <= 0:
            raise ValueError(f"split: split_size must be positive, got {size}")
        sizes = [builtins.min(size, length - start) for start in range(0, length, size)] or [0]
    else:
        sizes = [int(s) for s in split_size_or_sections]
        if builtins.sum(sizes) != length or builtins.any(s < 0 for s in sizes):
            raise ValueError(f"split: sizes {sizes} do not add up to {length}, the size of dim "
                             f"{axis} of a tensor of shape {x.shape}")
    bounds = [0]
    for s in sizes:
        bounds.append(bounds[-1] + s)
    return tuple(_narrow(x, axis, a, b) for a, b in zip(bounds[:-1], bounds[1:]))


def chunk(x, chunks, dim=0):
    """Split into ``chunks`` pieces of size ceil(n / chunks) (possibly fewer pieces), as PyTorch."""
    x = as_tensor(x)
    if not isinstance(chunks, numbers.Integral) or chunks <= 0:
        raise ValueError(f"chunk: chunks must be a positive integer, got {chunks!r}")
    axis = normalize_dim(dim, x.ndim, "chunk")
    length = x.shape[axis]
    return split(x, builtins.max(1, -(-length // chunks)), axis)


_PAD_SOURCES = {  # mode: the source position of each border position i (< 0 or >= n) along an axis
    "reflect": lambda i, n: xp.where(i < 0, -i, 2 * (n - 1) - i),
    "replicate": lambda i, n: xp.clip(i, 0, n - 1),
    "circular": lambda i, n: i % n,
}


def pad(x, pad, mode="constant", value=None):
    """Pad the last dims; ``pad`` lists (before, after) pairs starting from the last dim, as PyTorch.

    ``mode``: 'constant' (borders of ``value``, default 0), 'reflect' (mirrored without
    repeating the edge: a pad smaller than the dim), 'replicate' (the edge repeated, any
    pad) or 'circular' (wrapped around: a pad at most the dim).  The three copying modes pad the
    last 1, 2 or 3 dims of an input with one or two leading dims (N, C), as PyTorch.

    >>> pad(chainrule.tensor([[1.0, 2.0, 3.0]]), (2, 1), mode="reflect").tolist()
    [[3.0, 2.0, 1.0, 2.0, 3.0, 2.0]]
    """
    x = as_tensor(x)
    pad = _sizes(pad, "pad")
    if len(pad) % 2 or len(pad) // 2 > x.ndim:
        raise ValueError(f"pad: {pad} must hold (before, after) pairs for at most {x.ndim} dims")
    if builtins.any(p < 0 for p in pad):
        raise ValueError(f"pad: negative padding {pad} is not supported; slice the tensor instead")
    widths = [(0, 0)] * x.ndim
    for i in range(len(pad) // 2):
        widths[x.ndim - 1 - i] = (pad[2 * i], pad[2 * i + 1])
    if mode == "constant":
        return apply(_shape.Pad(tuple(widths), 0 if value is None else value), x)
    if mode not in _PAD_SOURCES:
        raise ValueError(f"pad: mode must be 'constant', 'reflect', 'replicate' or 'circular', "
                         f"got {mode!r}")
    if value not in (None, 0):
        raise ValueError(f"pad: mode {mode!r} takes no value (got value={value!r})")
    dims = len(pad) // 2
    if dims not in (1, 2, 3) or x.ndim not in (dims + 1, dims + 2):
        raise ValueError(f"pad: mode {mode!r} pads the last 1, 2 or 3 dims of an input with 1 or 2 "
                         f"more dims, but got {len(pad)} padding sizes {pad} for input of shape "
                         f"{x.shape}")
    borders = []
    for axis in range(x.ndim - dims, x.ndim):
        (before, after), size = widths[axis], x.shape[axis]
        if size == 0:
            raise ValueError(f"pad: mode {mode!r} has nothing to copy along dim {axis} of input of "
                             f"shape {x.shape}")
        limit = {"reflect": size - 1, "circular": size}.get(mode, builtins.max(before, after))
        if builtins.max(before, after) > limit:
            raise ValueError(f"pad: mode {mode!r} needs padding at most {limit} along dim {axis} of "
                             f"input of shape {x.shape}, got ({before}, {after})")
        source = _PAD_SOURCES[mode]
        borders.append((axis, source(xp.arange(-before, 0), size),
                        source(xp.arange(size, size + after), size)))
    return apply(_shape.PadCopies(tuple(borders)), x)


def repeat(x, *sizes):
    """Tile the tensor ``sizes[i]`` times along dim i (``Tensor.repeat`` in PyTorch)."""
    x = as_tensor(x)
    sizes = _sizes(sizes, "repeat")
    if len(sizes) < x.ndim:
        raise ValueError(f"repeat: {len(sizes)} repeat counts given for a tensor with {x.ndim} dims")
    if builtins.any(s < 0 for s in sizes):
        raise ValueError(f"repeat: repeat counts must be non-negative, got {sizes}")
    return apply(_shape.Tile(sizes), x)


def tile(x, *dims):
    """Like ``repeat``, but fewer counts than dims are padded with leading 1s."""
    x = as_tensor(x)
    dims = _sizes(dims, "tile")
    return repeat(x, (1,) * (x.ndim - len(dims)) + dims)


def flip(x, *dims):
    """Reverse the order of elements along ``dims``."""
    x = as_tensor(x)
    axes = reduction_axes(_sizes(dims, "flip"), x.ndim, "flip")
    return apply(_shape.Flip(axes), x)


def _dim_tuple(dims, ndim, op):
    """``dims`` (an int, tuple or list) as a tuple of non-negative dims, in the order given."""
    axes = tuple(normalize_dim(d, ndim, op) for d in (dims if isinstance(dims, (tuple, list)) else (dims,)))
    if len(set(axes)) != len(axes):
        raise ValueError(f"{op}: {dims} names the same dim twice")
    return axes


def narrow(input, dim, start, length):
    """The ``length`` elements along ``dim`` from ``start`` (negative counts from the end).

    >>> chainrule.narrow(chainrule.arange(5), 0, -3, 2).tolist()
    [2, 3]
    """
    x = as_tensor(input)
    if x.ndim == 0:
        raise ValueError("narrow: a 0-d tensor has no dim to narrow")
    axis = normalize_dim(dim, x.ndim, "narrow")
    size, start, length = x.shape[axis], operator.index(start), operator.index(length)
    if not -size <= start <= size:
        raise IndexError(f"narrow: start {start} is out of range for dim {axis} of size {size} "
                         f"(tensor shape {x.shape})")
    if start < 0:
        start += size
    if length < 0 or start + length > size:
        raise ValueError(f"narrow: start {start} and length {length} run past the end of dim {axis} "
                         f"of size {size} (tensor shape {x.shape})")
    return _narrow(x, axis, start, start + length)


def unbind(input, dim=0):
    """The slices along ``dim``, each without that dim, as a tuple."""
    x = as_tensor(input)
    if x.ndim == 0:
        raise ValueError("unbind: a 0-d tensor has no dim to unbind")
    axis = normalize_dim(dim, x.ndim, "unbind")
    lead = (slice(None),) * axis
    return tuple(apply(_index.GetItem(lead + (i,)), x) for i in range(x.shape[axis]))


def movedim(input, source, destination):
    """Move dims ``source`` (an int or a tuple) to positions ``destination``; the rest keep their order."""
    x = as_tensor(input)
    sources = _dim_tuple(source, x.ndim, "movedim")
    destinations = _dim_tuple(destination, x.ndim, "movedim")
    if len(sources) != len(destinations):
        raise ValueError(f"movedim: source {source} and destination {destination} name different "
                         "numbers of dims")
    if x.ndim == 0:
        return x
    order = [d for d in range(x.ndim) if d not in sources]
    for to, origin in sorted(zip(destinations, sources)):
        order.insert(to, origin)
    return permute(x, order)


moveaxis = movedim


def roll(input, shifts, dims=None):
    """Shift elements cyclically by ``shifts`` along ``dims`` (over the flattened tensor when None).

    >>> chainrule.roll(chainrule.arange(5), 2).tolist()
    [3, 4, 0, 1, 2]
    """
    x = as_tensor(input)
    shifts = _sizes((shifts,) if isinstance(shifts, numbers.Integral) else shifts, "roll")
    if dims is None:
        if len(shifts) != 1:
            raise ValueError(f"roll: {len(shifts)} shifts {shifts} need as many dims, got dims=None")
        return apply(_shape.Roll(shifts[0], None), x)
    axes = tuple(normalize_dim(d, x.ndim, "roll")
                 for d in (dims if isinstance(dims, (tuple, list)) else (dims,)))
    if len(axes) != len(shifts):
        raise ValueError(f"roll: {len(shifts)} shifts {shifts} for {len(axes)} dims {dims}")
    return apply(_shape.Roll(shifts, axes), x)


def rot90(input, k=1, dims=(0, 1)):
    """Rotate by 90° ``k`` times in the plane of ``dims``, from the first dim towards the second."""
    x = as_tensor(input)
    if len(dims) != 2:
        raise ValueError(f"rot90: dims must name two dims, got {tuple(dims)}")
    if x.ndim < 2:
        raise ValueError(f"rot90: needs a tensor with at least 2 dims, got shape {x.shape}")
    a, b = _dim_tuple(dims, x.ndim, "rot90")
    k = operator.index(k) % 4
    if k == 0:
        return clone(x)
    if k == 2:
        return flip(x, a, b)
    return transpose(flip(x, b if k == 1 else a), a, b)


def _triangle(op, x, diagonal, lower):
    x = as_tensor(x)
    if x.ndim < 2:
        raise ValueError(f"{op}: needs matrices (at least 2 dims), got shape {x.shape}")
    diagonal = operator.index(diagonal)
    below = xp.tri(*x.shape[-2:], k=diagonal if lower else diagonal - 1, dtype=bool)
    return where(below if lower else ~below, x, Tensor(xp.zeros((), dtype=x.dtype)))


def tril(input, diagonal=0):
    """The lower triangle of the matrices in the last two dims (on and below diagonal
    ``diagonal``); the rest 0, and no gradient flows there."""
    return _triangle("tril", input, diagonal, lower=True)


def triu(input, diagonal=0):
    """The upper triangle of the matrices in the last two dims (on and above diagonal
    ``diagonal``); the rest 0, and no gradient flows there."""
    return _triangle("triu", input, diagonal, lower=False)


def _two_dims(ndim, dim1, dim2, op):
    a, b = normalize_dim(dim1, ndim, op), normalize_dim(dim2, ndim, op)
    if a == b:
        raise ValueError(f"{op}: dim1 and dim2 both name dim {a}")
    return a, b


def diagonal(input, offset=0, dim1=0, dim2=1):
    """The diagonal ``offset`` (above the main one when positive) of the matrices in dims
    ``dim1``, ``dim2``, as a new last dim."""
    x = as_tensor(input)
    if x.ndim < 2:
        raise ValueError(f"diagonal: needs at least 2 dims, got shape {x.shape}")
    return apply(_shape.Diagonal(operator.index(offset), _two_dims(x.ndim, dim1, dim2, "diagonal")), x)


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """Matrices (in dims ``dim1``, ``dim2`` of the result) whose diagonal ``offset`` holds the
    last dim of ``input``, zeros elsewhere: the inverse of ``diagonal``."""
    x = as_tensor(input)
    if x.ndim == 0:
        raise ValueError("diag_embed: needs at least 1 dim, got a 0-d tensor")
    offset = operator.index(offset)
    axes = _two_dims(x.ndim + 1, dim1, dim2, "diag_embed")
    shape = list(x.shape[:-1])
    for axis in sorted(axes):
        shape.insert(axis, x.shape[-1] + builtins.abs(offset))
    return apply(_shape.DiagEmbed(offset, axes, tuple(shape)), x)


def diag(input, diagonal=0):
    """A 1-D input: the square matrix with it on diagonal ``diagonal``.  A 2-D input: that diagonal."""
    x = as_tensor(input)
    if x.ndim == 1:
        return diag_embed(x, diagonal, 0, 1)
    if x.ndim == 2:
        return apply(_shape.Diagonal(operator.index(diagonal), (0, 1)), x)
    raise ValueError(f"diag: expected a 1-D or 2-D tensor, got shape {x.shape}")


def trace(input):
    """The sum of the main diagonal of a matrix."""
    x = as_tensor(input)
    if x.ndim != 2:
        raise ValueError(f"trace: expected a matrix (2 dims), got shape {x.shape}")
    return sum(apply(_shape.Diagonal(0, (0, 1)), x))


def _repeat_counts(repeats, size, op):
    counts = repeats.data if isinstance(repeats, Tensor) else xp.asarray(repeats)
    if counts.dtype.kind not in "iu" or counts.ndim > 1:
        raise TypeError(f"{op}: repeats must be an int or a 0-d or 1-d integer tensor, got "
                        f"shape {counts.shape} and dtype {counts.dtype}")
    if counts.size == 1 and size is not None:
        counts = xp.full(size, counts.reshape(()), dtype=counts.dtype)
    elif size is not None and counts.shape != (size,):
        raise ValueError(f"{op}: {counts.size} repeat counts for a dim of size {size}")
    if counts.size and counts.min() < 0:
        raise ValueError(f"{op}: repeat counts must be non-negative, got {counts.min()}")
    return counts


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Each element (or each slice along ``dim``) repeated in place: [a, b] -> [a, a, b, b].

    ``repeats``: an int, or one count per element along ``dim``; with dim=None the input is
    flattened.  Given only an integer tensor of counts, it returns the indices that many times.

    >>> chainrule.repeat_interleave(chainrule.tensor([1, 2]), 2).tolist()
    [1, 1, 2, 2]
    """
    if repeats is None:
        counts = _repeat_counts(input, None, "repeat_interleave")
        return Tensor(xp.repeat(xp.arange(counts.size, dtype=counts.dtype), counts.reshape(-1)))
    x = as_tensor(input)
    axis = normalize_dim(0 if dim is None else dim, x.ndim, "repeat_interleave")
    if dim is None or x.ndim == 0:
        x = reshape(x, -1)
    counts = _repeat_counts(repeats, x.shape[axis], "repeat_interleave")
    positions = xp.repeat(xp.arange(x.shape[axis]), counts)
    if output_size is not None and output_size != positions.size:
        raise ValueError(f"repeat_interleave: output_size {output_size} but the repeats give "
                         f"{positions.size}")
    return apply(_index.GetItem((slice(None),) * axis + (positions,)), x)


def meshgrid(*tensors, indexing=None):
    """Coordinate grids: output i holds tensor i's values along its own dim, repeated along the
    others.  ``indexing='ij'`` (default): dims in the order of the tensors; 'xy': the first two swapped."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing not in (None, "ij", "xy"):
        raise ValueError(f"meshgrid: indexing must be 'ij' or 'xy', got {indexing!r}")
    if not tensors:
        raise ValueError("meshgrid: expected at least one tensor")
    tensors = [as_tensor(t, "meshgrid") for t in tensors]
    for i, t in enumerate(tensors):
        if t.ndim > 1 or t.dtype != tensors[0].dtype:
            raise ValueError(f"meshgrid: tensor {i} has shape {t.shape} and dtype {t.dtype}; all must "
                             f"be 0-d or 1-d, of one dtype ({tensors[0].dtype})")
    order = list(range(len(tensors)))
    if indexing == "xy" and len(tensors) > 1:
        order[:2] = [1, 0]
    shape = tuple(tensors[i].numel() for i in order)
    grids = []
    for i, t in enumerate(tensors):
        view = [1] * len(shape)
        view[order.index(i)] = t.numel()
        grids.append(broadcast_to(reshape(t, view), shape))
    return tuple(grids)


def _triangle_indices(op, select, row, col, offset, dtype):
    row, col, offset = operator.index(row), operator.index(col), operator.index(offset)
    if row < 0 or col < 0:
        raise ValueError(f"{op}: row and col must be non-negative, got {row} and {col}")
    rows, cols = select(row, offset, col)
    return Tensor(xp.stack([rows, cols]).astype(xp.int64 if dtype is None else to_dtype(dtype, op)))


def tril_indices(row, col, offset=0, *, dtype=None):
    """The (row, column) indices of the lower triangle of a row x col matrix, as a 2 x N tensor."""
    return _triangle_indices("tril_indices", xp.tril_indices, row, col, offset, dtype)


def triu_indices(row, col, offset=0, *, dtype=None):
    """The (row, column) indices of the upper triangle of a row x col matrix, as a 2 x N tensor."""
    return _triangle_indices("triu_indices", xp.triu_indices, row, col, offset, dtype)


def unflatten(input, dim, sizes):
    """Split dim ``dim`` into several with ``sizes`` (one may be -1, inferred)."""
    x = as_tensor(input)
    axis = normalize_dim(dim, x.ndim, "unflatten")
    sizes = _sizes(sizes, "unflatten")
    known, size = math.prod(s for s in sizes if s != -1), x.shape[axis]
    if not sizes or sizes.count(-1) > 1 or (size % known if -1 in sizes and known else size != known):
        raise ValueError(f"unflatten: sizes {sizes} do not multiply to {size}, the size of dim "
                         f"{axis} of a tensor of shape {x.shape}")
    return reshape(x, x.shape[:axis] + sizes + x.shape[axis + 1:])


def t(input):
    """The transpose of a matrix; a 0-d or 1-d tensor is returned as it is."""
    x = as_tensor(input)
    if x.ndim > 2:
        raise ValueError(f"t: expects a tensor with at most 2 dims, got shape {x.shape} "
                         "(use transpose(x, dim0, dim1) or x.mT)")
    return transpose(x, 0, 1) if x.ndim == 2 else x


# --------------------------------------------------------------------------- indexing
def array_index(index, shape, op):
    """``index`` with tensors replaced by arrays, and checked against ``shape``."""
    items = index if isinstance(index, tuple) else (index,)
    converted = []
    for item in items:
        if isinstance(item, Tensor):
            item = item.data
        elif isinstance(item, list):
            item = xp.asarray(item)
        if isinstance(item, xp.ndarray) and item.dtype.kind not in "biu":
            raise IndexError(f"{op}: index arrays must be integers or booleans, got {item.dtype}")
        converted.append(item)
    _check_index(converted, shape, op)
    return tuple(converted) if isinstance(index, tuple) else converted[0]


def _dims_consumed(item):
    if item is None or item is Ellipsis:
        return 0
    if isinstance(item, xp.ndarray) and item.dtype == xp.bool_:
        return item.ndim
    return 1


def _check_index(items, shape, op):
    """Raise a clear IndexError for an integer or integer array out of range."""
    consumed = builtins.sum(_dims_consumed(item) for item in items)
    if consumed > len(shape):
        raise IndexError(f"{op}: too many indices ({consumed}) for a tensor of shape {shape}")
    axis = 0
    for position, item in enumerate(items):
        if item is Ellipsis:
            axis = len(shape) - builtins.sum(
                _dims_consumed(later) for later in items[position + 1:])
            continue
        if item is None:
            continue
        if isinstance(item, xp.ndarray) and item.dtype == xp.bool_:
            if item.shape != shape[axis:axis + item.ndim]:
                raise IndexError(f"{op}: boolean mask of shape {item.shape} does not match dims "
                                 f"{axis}..{axis + item.ndim - 1} of a tensor of shape {shape}")
            axis += item.ndim
            continue
        if isinstance(item, (numbers.Integral, xp.ndarray)) and not isinstance(item, bool):
            size = shape[axis]
            values = xp.asarray(item)
            if values.size and (values.max() >= size or values.min() < -size):
                bad = values.max() if values.max() >= size else values.min()
                raise IndexError(f"{op}: index {bad} is out of range for dim {axis} of size {size} "
                                 f"(tensor shape {shape})")
        axis += 1


def index(x, index):
    """x[index]: ints, slices, None, Ellipsis, integer arrays and boolean masks, as PyTorch.

    PyTorch applies integers first (each selects and removes its dim), then the arrays;
    NumPy broadcasts integers together with the arrays instead, which moves the arrays'
    dims to the front when a slice separates them (x[1, :, [0, 2]]).  So an index that
    mixes the two is applied in those two steps.
    """
    index = array_index(index, x.shape, "index")
    if isinstance(index, tuple) and builtins.any(map(_is_int_index, index)) and builtins.any(
            isinstance(item, xp.ndarray) and item.ndim for item in index):
        integers_first, arrays_then = _split_integers(index)
        x = apply(_index.GetItem(integers_first), x)
        index = arrays_then
    return apply(_index.GetItem(index), x)


def _is_int_index(item):
    """An int, or a 0-d integer array (PyTorch treats a 0-d integer tensor as an int)."""
    if isinstance(item, xp.ndarray):
        return item.ndim == 0 and item.dtype.kind in "iu"
    return isinstance(item, numbers.Integral) and not isinstance(item, bool)


def _split_integers(index):
    """``index`` as two: the ints, slices, None and Ellipsis; then the arrays on what remains."""
    first, second = [], []
    for item in index:
        if _is_int_index(item):
            first.append(int(item))                      # its dim is gone after the first step
        elif isinstance(item, xp.ndarray):
            first += [slice(None)] * (item.ndim if item.dtype == xp.bool_ else 1)
            second.append(item)
        elif item is Ellipsis:
            first.append(item)
            second.append(item)
        else:                                            # a slice, or None (a new dim of size 1)
            first.append(item)
            second.append(slice(None))
    return tuple(first), tuple(second)


def _integer_index(index, op, name="index"):
    """An index given as a tensor, array, list or int, as an integer array (it takes no gradient)."""
    array = index.data if isinstance(index, Tensor) else xp.asarray(index)
    if array.dtype.kind not in "iu":
        raise TypeError(f"{op}: {name} must hold integers, got dtype {array.dtype}")
    return array


def _in_range(index, size, axis, shape, op, negative=False):
    """``index`` checked against dim ``axis`` (of ``size``); negative entries count from the end
    where ``negative``, and are errors elsewhere, as in PyTorch."""
    bad = (index < (-size if negative else 0)) | (index >= size)
    if bad.any():
        raise IndexError(f"{op}: index {index[bad].flat[0]} is out of range for dim {axis} of size "
                         f"{size} (tensor shape {shape})")
    return xp.where(index < 0, index + size, index) if negative else index


def _vector_index(index, x, dim, op, negative=False):
    """A 0-d or 1-d integer ``index`` into dim ``dim`` of ``x``: (axis, index as a checked 1-d array)."""
    index = _integer_index(index, op)
    if index.ndim > 1:
        raise IndexError(f"{op}: index must be 0-d or 1-d, got shape {index.shape}")
    axis = normalize_dim(dim, x.ndim, op)
    size = x.shape[axis] if x.ndim else 1
    return axis, _in_range(index.reshape(-1), size, axis, x.shape, op, negative)


def _check_index_shape(op, axis, index_shape, **shapes):
    """``index`` must have as many dims as each of ``shapes`` and be no larger than them (except
    along ``axis`` where a name is 'input')."""
    for name, shape in shapes.items():
        if len(shape) != len(index_shape):
            raise ValueError(f"{op}: index has shape {index_shape} but {name} has shape {shape}; "
                             "they must have the same number of dims")
        for d, (i, s) in enumerate(zip(index_shape, shape)):
            if i > s and not (d == axis and name == "input"):
                raise ValueError(f"{op}: index of shape {index_shape} is larger than {name} of shape "
                                 f"{shape} in dim {d}")


def gather(input, dim, index, *, sparse_grad=False):
    """Values picked along ``dim``: out[i][j] = input[index[i][j]][j] for dim 0 (likewise for others).

    ``index`` has input's number of dims and is no larger in the other dims; the gradient adds
    up where an index repeats.

    >>> chainrule.gather(chainrule.tensor([[1, 2], [3, 4]]), 1, chainrule.tensor([[0, 0], [1, 0]])).tolist()
    [[1, 1], [4, 3]]
    """
    x = as_tensor(input)
    index = _integer_index(index, "gather")
    if x.ndim == 0 and index.ndim == 0:
        return reshape(gather(reshape(x, 1), 0, index.reshape(1)), ())
    axis = normalize_dim(dim, x.ndim, "gather")
    _check_index_shape("gather", axis, index.shape, input=x.shape)
    index = _in_range(index, x.shape[axis], axis, x.shape, "gather")
    return apply(_index.Gather(index, axis), x)


def _scatter_arguments(op, input, dim, index, src):
    x, src = as_tensor(input), as_tensor(src, op)
    index = _integer_index(index, op)
    axis = normalize_dim(dim, x.ndim, op)
    if src.dtype != x.dtype:
        raise TypeError(f"{op}: src has dtype {src.dtype} but input has dtype {x.dtype}; they must match")
    _check_index_shape(op, axis, index.shape, input=x.shape, src=src.shape)
    return x, axis, _in_range(index, x.shape[axis], axis, x.shape, op), src


def scatter(input, dim, index, src=None, value=None):
    """A copy of ``input`` with ``src`` written where ``index`` points along ``dim``:
    out[index[i][j]][j] = src[i][j] for dim 0.  ``src`` may be a number (or give ``value=``).

    The overwritten elements of ``input`` get no gradient; ``src``'s gradient is the output's
    gradient gathered back.  Where an index repeats, which src element lands is unspecified.
    """
    if (src is None) == (value is None):
        raise TypeError("scatter: give either src (a tensor or a number) or value (a number)")
    x = as_tensor(input)
    if src is None or isinstance(src, numbers.Number):
        index = _integer_index(index, "scatter")
        src = Tensor(xp.full(index.shape, src if value is None else value).astype(x.dtype))
    x, axis, index, src = _scatter_arguments("scatter", x, dim, index, src)
    return apply(_index.Scatter(index, axis), x, src)


def scatter_add(input, dim, index, src):
    """A copy of ``input`` with ``src`` added where ``index`` points along ``dim``:
    out[index[i][j]][j] += src[i][j] for dim 0; repeated indices add up."""
    x, axis, index, src = _scatter_arguments("scatter_add", input, dim, index, src)
    return apply(_index.ScatterAdd(index, axis), x, src)


def index_select(input, dim, index):
    """The slices along ``dim`` named by the 0-d or 1-d ``index``, in its order (repeats allowed)."""
    x = as_tensor(input)
    axis, index = _vector_index(index, x, dim, "index_select")
    if x.ndim == 0:
        if index.size != 1:
            raise IndexError(f"index_select: a 0-d input takes one index, got {index.size}")
        return clone(x)
    return apply(_index.GetItem((slice(None),) * axis + (index,)), x)


def index_add(input, dim, index, source, *, alpha=1):
    """A copy of ``input`` with alpha * source[..., i, ...] added to slice index[i] along ``dim``;
    repeated indices add up."""
    x, source = as_tensor(input), as_tensor(source, "index_add")
    axis, index = _vector_index(index, x, dim, "index_add")
    expected = x.shape[:axis] + (index.size,) + x.shape[axis + 1:]
    if source.shape != expected:
        raise ValueError(f"index_add: source has shape {source.shape}; for input of shape {x.shape} "
                         f"and {index.size} indices along dim {axis} it must be {expected}")
    if source.dtype != x.dtype:
        raise TypeError(f"index_add: source has dtype {source.dtype} but input has dtype {x.dtype}")
    if alpha != 1:
        source = source * alpha
    along = xp.broadcast_to(index.reshape([-1 if d == axis else 1 for d in range(x.ndim)]), expected)
    return apply(_index.ScatterAdd(along, axis), x, source)


def _fill(op, x, mask, value):
    """``x`` with ``value`` (a number, or a 0-d tensor that then gets the gradient) where ``mask``."""
    if isinstance(value, Tensor):
        if value.ndim:
            raise ValueError(f"{op}: value must be a number or a 0-d tensor, got shape {value.shape}")
        value = astype(value, x.dtype)
    elif isinstance(value, numbers.Number):
        value = Tensor(xp.asarray(value).astype(x.dtype))
    else:
        raise TypeError(f"{op}: value must be a number or a 0-d tensor, got {type(value).__name__}")
    return where(mask, value, x)


def index_fill(input, dim, index, value):
    """A copy of ``input`` with ``value`` in the slices along ``dim`` named by ``index``;
    no gradient flows to the filled elements."""
    x = as_tensor(input)
    axis, index = _vector_index(index, x, dim, "index_fill", negative=True)
    size = x.shape[axis] if x.ndim else 1
    filled = xp.zeros(size, dtype=bool)
    filled[index] = True
    return _fill("index_fill", x, filled.reshape([size if d == axis else 1 for d in range(x.ndim)]), value)


def _bool_mask(mask, x, op):
    mask = mask.data if isinstance(mask, Tensor) else xp.asarray(mask)
    if mask.dtype != xp.bool_:
        raise TypeError(f"{op}: mask must be a boolean tensor, got dtype {mask.dtype}")
    return mask, _check_broadcast(op, x.shape, mask.shape)


def masked_fill(input, mask, value):
    """A copy of ``input`` with ``value`` where the boolean ``mask`` (broadcast) is True;
    no gradient flows to the filled elements."""
    x = as_tensor(input)
    mask, _ = _bool_mask(mask, x, "masked_fill")
    return _fill("masked_fill", x, mask, value)


def masked_select(input, mask):
    """The elements where the boolean ``mask`` is True (both broadcast), as a 1-d tensor."""
    x = as_tensor(input)
    mask, shape = _bool_mask(mask, x, "masked_select")
    return apply(_index.GetItem(xp.broadcast_to(mask, shape)), broadcast_to(x, shape))


def take(input, index):
    """Elements of the flattened ``input`` at ``index`` (negative counts from the end), in index's shape."""
    flat = reshape(as_tensor(input), -1)
    index = _in_range(_integer_index(index, "take"), flat.shape[0], 0, flat.shape, "take", negative=True)
    return apply(_index.GetItem(index), flat)


def take_along_dim(input, indices, dim=None):
    """``gather`` after broadcasting ``input`` and ``indices`` in every dim but ``dim``; over the
    flattened tensors when dim is None.  Negative indices count from the end along a ``dim``
    (not over the flattened tensor: PyTorch refuses them there)."""
    x = as_tensor(input)
    index = _integer_index(indices, "take_along_dim", "indices")
    if dim is None:
        x, index, axis = reshape(x, -1), index.reshape(-1), 0
    else:
        axis = normalize_dim(dim, x.ndim, "take_along_dim")
        if index.ndim != x.ndim:
            raise ValueError(f"take_along_dim: indices of shape {index.shape} and input of shape "
                             f"{x.shape} must have the same number of dims")
        rest = _check_broadcast("take_along_dim", x.shape[:axis] + (1,) + x.shape[axis + 1:],
                                index.shape[:axis] + (1,) + index.shape[axis + 1:])
        x = broadcast_to(x, rest[:axis] + x.shape[axis:axis + 1] + rest[axis + 1:])
        index = xp.broadcast_to(index, rest[:axis] + index.shape[axis:axis + 1] + rest[axis + 1:])
    index = _in_range(index, x.shape[axis], axis, x.shape, "take_along_dim", negative=dim is not None)
    return apply(_index.Gather(index, axis), x)


def nonzero(input, *, as_tuple=False):
    """The indices of the non-zero elements: an (n, ndim) int64 tensor, or with ``as_tuple``
    one 1-d tensor per dim. No gradient."""
    x = as_tensor(input)
    if as_tuple:
        return tuple(Tensor(i.astype(xp.int64)) for i in xp.nonzero(x.data.reshape(x.shape or (1,))))
    return Tensor(xp.argwhere(x.data).astype(xp.int64))


def argwhere(input):
    """The indices of the non-zero elements, as an (n, ndim) int64 tensor. No gradient."""
    return nonzero(input)


def select(input, dim, index):
    """The slice at ``index`` along ``dim`` (negative counts from the end), without that dim."""
    x = as_tensor(input)
    if x.ndim == 0:
        raise IndexError("select: a 0-d tensor has no dim to select from")
    axis = normalize_dim(dim, x.ndim, "select")
    index = int(_in_range(xp.asarray(operator.index(index)), x.shape[axis], axis, x.shape, "select",
                          negative=True))
    return apply(_index.GetItem((slice(None),) * axis + (index,)), x)


# --------------------------------------------------------------------------- linear algebra
def matmul(a, b):
    """Matrix product of 1-D, 2-D or batched operands, batch dims broadcasting, as ``@``."""
    a, b = _pair(as_tensor(a), b)
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError(f"matmul: {a.shape} @ {b.shape}: both operands need at least one dim "
                         "(use * to multiply by a scalar)")
    inner_a = a.shape[-1]
    inner_b = b.shape[0] if b.ndim == 1 else b.shape[-2]
    if inner_a != inner_b:
        raise ValueError(f"matmul: {a.shape} @ {b.shape}: inner sizes {inner_a} and {inner_b} differ")
    batch_a, batch_b = a.shape[:-2], b.shape[:-2]
    try:
        xp.broadcast_shapes(batch_a, batch_b)
    except ValueError:
        raise ValueError(f"matmul: {a.shape} @ {b.shape}: batch shapes {batch_a} and {batch_b} "
                         "cannot be broadcast together") from None
    return apply(_linalg.MatMul(), a, b)


_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def einsum(equation, *operands):
    """Einstein summation, e.g. ``einsum('bij,bjk->bik', a, b)``; ellipses allowed."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    operands = [as_tensor(t, "einsum") for t in operands]
    dtype = operands[0].dtype
    for t in operands[1:]:
        dtype = xp.result_type(dtype, t.dtype)
    operands = [astype(t, dtype) for t in operands]
    inputs, output = _parse_einsum(equation.replace(" ", ""), [t.shape for t in operands])
    try:
        xp.einsum(",".join(inputs) + "->" + output,
                  *[xp.empty(t.shape, dtype) for t in operands])
    except ValueError as error:
        shapes = ", ".join(str(t.shape) for t in operands)
        raise ValueError(f"einsum: {equation!r} does not fit operands of shapes {shapes}: {error}") from None
    return apply(_linalg.Einsum(inputs, output), *operands)


def _parse_einsum(equation, shapes):
    """Subscripts with every '...' replaced by letters, and the explicit output subscripts."""
    lhs, arrow, rhs = equation.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(shapes):
        raise ValueError(f"einsum: {equation!r} names {len(terms)} operands but {len(shapes)} were given")
    unused = [c for c in _LETTERS if c not in equation]
    ellipsis_rank = builtins.max([len(s) - len(t.replace("...", "")) for t, s in zip(terms, shapes)
                                  if "..." in t] or [0])
    ellipsis = "".join(unused[:ellipsis_rank])
    inputs = []
    for term, shape in zip(terms, shapes):
        if "..." in term:
            rank = len(shape) - len(term.replace("...", ""))
            term = term.replace("...", ellipsis[ellipsis_rank - rank:] if rank else "")
        if len(term) != len(shape):
            raise ValueError(f"einsum: subscripts {term!r} do not fit an operand of shape {shape}")
        inputs.append(term)
    if arrow:
        output = rhs.replace("...", ellipsis)
    else:
        letters = "".join(inputs)
        output = ellipsis + "".join(sorted(c for c in set(letters)
                                           if letters.count(c) == 1 and c not in ellipsis))
    return inputs, output


# --------------------------------------------------------------------------- softmax
def softmax(x, dim):
    """e^x / Σ e^x along ``dim``, stable for logits of any size."""
    x = to_floating(as_tensor(x))
    return apply(_softmax.Softmax(normalize_dim(dim, x.ndim, "softmax")), x)


def log_softmax(x, dim):
    """x - logsumexp(x) along ``dim``, stable for logits of any size."""
    x = to_floating(as_tensor(x))
    return apply(_softmax.LogSoftmax(normalize_dim(dim, x.ndim, "log_softmax")), x)


# --------------------------------------------------------------------------- comparisons
def _compare(ufunc, name):
    def function(a, b):
        a = as_tensor(a)
        other = b.data if isinstance(b, Tensor) else b
        try:
            return Tensor(ufunc(a.data, other))
        except ValueError:
            raise ValueError(f"{name}: shapes {a.shape} and {xp.shape(other)} cannot be broadcast "
                             "together") from None
    function.__name__ = name
    function.__doc__ = f"Elementwise {name} comparison: a boolean tensor with no gradient."
    return function


eq = _compare(xp.equal, "eq")
ne = _compare(xp.not_equal, "ne")
lt = _compare(xp.less, "lt")
le = _compare(xp.less_equal, "le")
gt = _compare(xp.greater, "gt")
ge = _compare(xp.greater_equal, "ge")
