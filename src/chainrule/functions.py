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


tan = _unary(_elem.Tan)
sinh = _unary(_elem.Sinh)
cosh = _unary(_elem.Cosh)
asin = arcsin = _unary(_elem.Asin)
acos = arccos = _unary(_elem.Acos)
atan = arctan = _unary(_elem.Atan)
asinh = arcsinh = _unary(_elem.Asinh)
acosh = arccosh = _unary(_elem.Acosh)
atanh = arctanh = _unary(_elem.Atanh)
erf = _unary(_elem.Erf)
erfc = _unary(_elem.Erfc)
erfinv = _unary(_elem.Erfinv)
exp2 = _unary(_elem.Exp2)
expm1 = _unary(_elem.Expm1)
log2 = _unary(_elem.Log2)
log10 = _unary(_elem.Log10)
reciprocal = _unary(_elem.Reciprocal)
rsqrt = _unary(_elem.Rsqrt)
sinc = _unary(_elem.Sinc)
frac = _unary(_elem.Frac)


def square(x):
    """x * x, elementwise; an integer tensor stays integer, as in PyTorch."""
    return pow(as_tensor(x), 2)


def _integer_valued(op, x):
    """``op`` (a rounding) on a floating tensor; an integer or boolean tensor is already rounded."""
    x = as_tensor(x)
    if x.data.dtype.kind in "biu":
        return Tensor(x.data.copy())
    return apply(op, x)


def floor(x):
    """The largest integer <= x, elementwise; the gradient is 0, as in PyTorch."""
    return _integer_valued(_elem.Floor(), x)


def ceil(x):
    """The smallest integer >= x, elementwise; the gradient is 0, as in PyTorch."""
    return _integer_valued(_elem.Ceil(), x)


def trunc(x):
    """x rounded toward zero, elementwise; the gradient is 0, as in PyTorch."""
    return _integer_valued(_elem.Trunc(), x)


fix = trunc


def round(x, decimals=0):
    """x rounded to ``decimals`` decimal places (negative: to tens, hundreds...), halves to even.

    The gradient is 0, as in PyTorch.

    >>> chainrule.round(chainrule.tensor([0.5, 1.5, 2.5])).tolist()
    [0.0, 2.0, 2.0]
    >>> chainrule.round(chainrule.tensor([15.0, 1234.5]), decimals=-1).tolist()
    [20.0, 1230.0]
    """
    if not isinstance(decimals, numbers.Integral):
        raise TypeError(f"round: decimals must be an integer, got {decimals!r}")
    x = as_tensor(x)
    if x.data.dtype.kind in "iu" and decimals < 0:
        return Tensor(xp.round(x.data, int(decimals)))  # to tens, hundreds...: still integers
    return _integer_valued(_elem.Round(int(decimals)), x)


def sign(x):
    """-1, 0 or 1 by the sign of each element (0 for NaN, as in PyTorch); the gradient is 0."""
    x = as_tensor(x)
    if x.data.dtype == xp.bool_:
        return Tensor(x.data.copy())
    return apply(_elem.Sign(), x)


sgn = sign  # x / |x| for complex numbers in PyTorch; the same as sign for the real tensors here


def nan_to_num(input, nan=0.0, posinf=None, neginf=None):
    """NaN replaced by ``nan``, ±inf by ``posinf``/``neginf`` (default: the dtype's largest and
    smallest finite numbers); no gradient flows to the replaced elements."""
    x = as_tensor(input)
    if x.data.dtype.kind in "biu":
        return Tensor(x.data.copy())
    return apply(_elem.NanToNum(nan, posinf, neginf), x)


def _operands(a, b, op):
    """Two tensors of one dtype (PyTorch's promotion) from a tensor and a tensor or number, either side."""
    if isinstance(a, Tensor):
        return _pair(a, b)
    if isinstance(b, Tensor):
        b, a = _pair(b, a)
        return a, b
    return _pair(as_tensor(a, op), b)


def _binary_float(op, a, b, name):
    a, b = _operands(a, b, name)
    return apply(op, to_floating(a), to_floating(b))


def atan2(input, other):
    """The angle of the point (other, input) in (-π, π], elementwise, broadcasting."""
    return _binary_float(_elem.Atan2(), input, other, "atan2")


arctan2 = atan2


def hypot(input, other):
    """√(input² + other²), elementwise, without overflow for large inputs."""
    return _binary_float(_elem.Hypot(), input, other, "hypot")


def logaddexp(input, other):
    """ln(e^input + e^other), elementwise, finite wherever the result is."""
    return _binary_float(_elem.LogAddExp(), input, other, "logaddexp")


def logaddexp2(input, other):
    """log₂(2^input + 2^other), elementwise, finite wherever the result is."""
    return _binary_float(_elem.LogAddExp2(), input, other, "logaddexp2")


def xlogy(input, other):
    """input · ln(other), and 0 where input is 0 (unless other is NaN), as in PyTorch and SciPy."""
    return _binary_float(_elem.Xlogy(), input, other, "xlogy")


def _integer_division(op, a, b, name):
    a, b = _operands(a, b, name)
    if b.data.dtype.kind in "biu" and not b.data.all():
        raise ZeroDivisionError(f"{name}: integer division by zero (the divisor of shape {b.shape} "
                                "holds a 0)")
    return apply(op, a, b)


def remainder(input, other):
    """input - other · ⌊input / other⌋: the remainder with the sign of the divisor, as Python's %."""
    return _integer_division(_arith.Remainder(), input, other, "remainder")


def fmod(input, other):
    """input - other · trunc(input / other): the remainder with the sign of the dividend, as C's fmod."""
    return _integer_division(_arith.Fmod(), input, other, "fmod")


def lerp(input, end, weight):
    """input + weight · (end - input): linear interpolation, with a tensor or a number as weight."""
    start, end = _pair(to_floating(as_tensor(input)), end)
    weight_shape = weight.shape if isinstance(weight, Tensor) else xp.shape(weight)
    _check_broadcast("lerp", start.shape, end.shape, weight_shape)
    return start + weight * (end - start)


def float_power(input, exponent):
    """input ** exponent computed in float64, whatever the dtypes of the operands, as in PyTorch."""
    def in_float64(operand):
        if isinstance(operand, numbers.Number):
            return operand
        return astype(as_tensor(operand, "float_power"), xp.float64)
    if isinstance(input, numbers.Number) and isinstance(exponent, numbers.Number):
        raise TypeError("float_power: input or exponent must be a tensor, got two numbers")
    return pow(in_float64(input), in_float64(exponent))


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


def _check_integral(x, op):
    if x.data.dtype.kind not in "biu":
        raise TypeError(f"{op}: only integer and boolean tensors have bits to operate on, got "
                        f"{x.dtype} (shape {x.shape})")


def _elementwise_test(ufunc, name, doc):
    def function(input):
        return Tensor(ufunc(as_tensor(input).data))
    function.__name__ = name
    function.__doc__ = doc
    return function


isnan = _elementwise_test(xp.isnan, "isnan", "True where an element is NaN.")
isinf = _elementwise_test(xp.isinf, "isinf", "True where an element is +inf or -inf.")
isposinf = _elementwise_test(xp.isposinf, "isposinf", "True where an element is +inf.")
isneginf = _elementwise_test(xp.isneginf, "isneginf", "True where an element is -inf.")
isfinite = _elementwise_test(xp.isfinite, "isfinite", "True where an element is neither NaN nor ±inf.")
logical_not = _elementwise_test(xp.logical_not, "logical_not", "True where an element is zero.")

logical_and = _compare(xp.logical_and, "logical_and")
logical_or = _compare(xp.logical_or, "logical_or")
logical_xor = _compare(xp.logical_xor, "logical_xor")
for _function in (logical_and, logical_or, logical_xor):
    _function.__doc__ = f"Elementwise {_function.__name__} of the truth of each element (nonzero is true)."


def _bitwise(ufunc, name):
    compare = _compare(ufunc, name)

    def function(input, other):
        a, b = _operands(input, other, name)
        _check_integral(a, name)
        return compare(a, b)
    function.__name__ = name
    function.__doc__ = f"Elementwise {name} of integer or boolean tensors, broadcasting."
    return function


bitwise_and = _bitwise(xp.bitwise_and, "bitwise_and")
bitwise_or = _bitwise(xp.bitwise_or, "bitwise_or")
bitwise_xor = _bitwise(xp.bitwise_xor, "bitwise_xor")


def bitwise_not(input):
    """Each bit flipped (~x); for a boolean tensor, the logical not."""
    x = as_tensor(input)
    _check_integral(x, "bitwise_not")
    return Tensor(xp.invert(x.data))


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """True where |input - other| <= atol + rtol · |other| (or both are the same infinity)."""
    if rtol < 0 or atol < 0:
        raise ValueError(f"isclose: rtol and atol must be non-negative, got rtol={rtol}, atol={atol}")
    a, b = _operands(input, other, "isclose")
    _check_broadcast("isclose", a.shape, b.shape)
    if a.data.dtype == xp.bool_:
        return Tensor(a.data == b.data)
    return Tensor(xp.isclose(a.data, b.data, rtol=rtol, atol=atol, equal_nan=equal_nan))


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """True (a Python bool) if ``isclose`` holds for every element."""
    return builtins.bool(isclose(input, other, rtol, atol, equal_nan).data.all())


def equal(input, other):
    """True (a Python bool) if both have the same shape and the same elements."""
    a, b = as_tensor(input), as_tensor(other)
    return a.shape == b.shape and builtins.bool(xp.array_equal(a.data, b.data))
