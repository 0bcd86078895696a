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
from chainrule.ops import distance as _distance
from chainrule.ops import elementwise as _elem
from chainrule.ops import indexing as _index
from chainrule.ops import linalg as _linalg
from chainrule.ops import reduction as _red
from chainrule.ops import scan as _scan_ops
from chainrule.ops import shape as _shape
from chainrule.ops import softmax as _softmax
from chainrule.ops import sorting as _sort
from chainrule.ops.base import Op
from chainrule.tensor import Tensor, _pair, apply, as_array, get_default_dtype, to_dtype

MaxResult = collections.namedtuple("max", ["values", "indices"])
MinResult = collections.namedtuple("min", ["values", "indices"])


# --------------------------------------------------------------------------- argument helpers
def as_tensor(x, op="operand"):
    """``x`` itself if it is a Tensor, else a new tensor made from it (no copy of an ndarray)."""
    return x if isinstance(x, Tensor) else Tensor(as_array(x, copy=False, op=op))


def to_floating(x):
    """``x`` unchanged if floating, else converted to the default float dtype."""
    return x if x.data.dtype.kind in "fc" else astype(x, get_default_dtype())


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


def softmin(x, dim, *, dtype=None):
    """softmax(-x) along ``dim``: probabilities that favour the smallest entries."""
    x = _softmax_input(x, dtype)
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


def _values_indices(name):
    return collections.namedtuple(name, ["values", "indices"])


SortResult, TopkResult, KthvalueResult = (_values_indices(n) for n in ("sort", "topk", "kthvalue"))
MedianResult, NanmedianResult, ModeResult = (_values_indices(n) for n in ("median", "nanmedian", "mode"))
CummaxResult, CumminResult = _values_indices("cummax"), _values_indices("cummin")
AminmaxResult = collections.namedtuple("aminmax", ["min", "max"])


def _one_dim(x):
    """``x`` itself, or a 0-d ``x`` as one element (scans and sorts treat a 0-d tensor so)."""
    return reshape(x, (1,)) if x.ndim == 0 else x


def _scan(op_class, name, x, dim, dtype):
    x = as_tensor(x)
    axis = normalize_dim(dim, x.ndim, name)
    if dtype is not None:
        x = astype(x, dtype)
    elif x.data.dtype.kind in "bui":
        x = astype(x, xp.int64)   # integers and booleans add up in int64, as in PyTorch
    y = apply(op_class(axis), _one_dim(x))
    return reshape(y, ()) if x.ndim == 0 else y


def cumsum(x, dim, *, dtype=None):
    """Running sum along ``dim``: y_i = x_0 + ... + x_i.

    >>> chainrule.cumsum(chainrule.tensor([1, 2, 3]), dim=0).tolist()
    [1, 3, 6]
    """
    return _scan(_scan_ops.CumSum, "cumsum", x, dim, dtype)


def cumprod(x, dim, *, dtype=None):
    """Running product along ``dim``: y_i = x_0 · ... · x_i; exact gradients where x has zeros."""
    return _scan(_scan_ops.CumProd, "cumprod", x, dim, dtype)


def logcumsumexp(x, dim):
    """Running log Σ e^x along ``dim``, without overflow: y_i = log(e^x_0 + ... + e^x_i)."""
    return _scan(_scan_ops.LogCumSumExp, "logcumsumexp", to_floating(as_tensor(x)), dim, None)


def _select(name, x, dim, keepdim, choose):
    """The values of x along ``dim`` at the indices ``choose(array, axis)`` picks (with the
    axis kept), and those indices as int64; the gradient reaches only the picked elements."""
    x = as_tensor(x)
    axis = normalize_dim(dim, x.ndim, name)
    whole = _one_dim(x)
    indices = choose(whole.data, axis)
    values = apply(_sort.TakeAlongAxis(indices, axis, keepdim or x.ndim == 0), whole)
    if x.ndim == 0:
        return reshape(values, ()), Tensor(indices.reshape(()).astype(xp.int64))
    if not keepdim:
        indices = xp.squeeze(indices, axis=axis)
    return values, Tensor(indices.astype(xp.int64, copy=False))


def _order(a, axis, descending=False):
    """Indices that sort ``a`` along ``axis``, stably (equal elements keep their order) and
    with NaN counted as the largest value, as PyTorch's sort."""
    if not descending:
        return xp.argsort(a, axis=axis, kind="stable")
    # sorting the reversed array and reversing the result keeps ties in their order
    backwards = xp.argsort(xp.flip(a, axis), axis=axis, kind="stable")
    return a.shape[axis] - 1 - xp.flip(backwards, axis)


def _first(a, k, axis):
    return a[(slice(None),) * axis + (slice(0, k),)]


def sort(x, dim=-1, descending=False, stable=False):
    """(values, indices) of x sorted along ``dim``; equal elements keep their order, NaN is largest."""
    return SortResult(*_select("sort", x, dim, True, lambda a, axis: _order(a, axis, descending)))


def argsort(x, dim=-1, descending=False, stable=False):
    """The int64 indices that sort x along ``dim`` (``sort(...).indices``). No gradient."""
    x = as_tensor(x)
    return Tensor(_order(_one_dim(x).data, normalize_dim(dim, x.ndim, "argsort"),
                         descending).reshape(x.shape).astype(xp.int64))


def msort(x):
    """x sorted along its first dim: ``sort(x, dim=0).values``."""
    return sort(x, dim=0).values


def _check_k(name, x, k, dim, lowest):
    """Raise unless ``lowest <= k <= n``, n the size of ``dim`` (1 for a 0-d tensor)."""
    size = x.shape[normalize_dim(dim, x.ndim, name)] if x.ndim else 1
    if not isinstance(k, numbers.Integral) or not lowest <= k <= size:
        raise ValueError(f"{name}: k={k!r} is out of range for dim {dim} of size {size} "
                         f"(tensor shape {x.shape}); expected {lowest} <= k <= {size}")


def topk(x, k, dim=-1, largest=True, sorted=True):
    """(values, indices) of the k largest (or smallest) elements along ``dim``, in order."""
    x = as_tensor(x)
    _check_k("topk", x, k, dim, 0)
    return TopkResult(*_select("topk", x, dim, True,
                               lambda a, axis: _first(_order(a, axis, largest), k, axis)))


def _rank_along(a, axis, ranks):
    """The indices of the elements of rank ``ranks`` (an int, or an array with the axis of size 1)
    along ``axis`` in the stable ascending order."""
    order = _order(a, axis)
    ranks = xp.broadcast_to(xp.asarray(ranks), order.shape[:axis] + (1,) + order.shape[axis + 1:])
    return xp.take_along_axis(order, ranks, axis=axis)


def kthvalue(x, k, dim=-1, keepdim=False):
    """(values, indices) of the k-th smallest element (k from 1) along ``dim``.

    Among equal elements the index is the one a stable sort puts at rank k; PyTorch
    documents no choice there.
    """
    x = as_tensor(x)
    _check_k("kthvalue", x, k, dim, 1)
    return KthvalueResult(*_select("kthvalue", x, dim, keepdim,
                                   lambda a, axis: _rank_along(a, axis, k - 1)))


def _median_rank(a, axis, ignore_nan):
    """The rank of the lower median along ``axis``: of the non-NaN elements for nanmedian; of
    all elements for median, unless one is NaN, whose first one is then the median."""
    nans = xp.isnan(a).sum(axis=axis, keepdims=True) if a.dtype.kind == "f" else 0
    size = a.shape[axis]
    if ignore_nan:
        return xp.maximum((size - nans - 1) // 2, 0)
    return xp.where(nans > 0, size - nans, (size - 1) // 2)


def _median(name, result_type, ignore_nan, x, dim, keepdim):
    x = as_tensor(x)
    if dim is None:
        _check_not_empty(x, None, name)
        return apply(_red.MedianAll(ignore_nan), x)
    axis = normalize_dim(dim, x.ndim, name)
    _check_not_empty(x, (axis,), name)
    return result_type(*_select(name, x, dim, keepdim, lambda a, axis: _rank_along(
        a, axis, _median_rank(a, axis, ignore_nan))))


def median(x, dim=None, keepdim=False):
    """The lower of the two middle values: of all elements (dim=None; the gradient is shared by
    ties), or (values, indices) along ``dim``.  NaN if the elements include a NaN."""
    return _median("median", MedianResult, False, x, dim, keepdim)


def nanmedian(x, dim=None, keepdim=False):
    """``median`` of the elements that are not NaN (NaN where all are)."""
    return _median("nanmedian", NanmedianResult, True, x, dim, keepdim)


def _mode_index(a, axis):
    """The index of the last occurrence of the most frequent value (the smallest on ties)."""
    order = _order(a, axis)
    ordered = xp.take_along_axis(a, order, axis=axis)
    position = _scan_ops.positions(a.shape, axis)
    starts = xp.ones(a.shape, dtype=bool)
    later = (slice(None),) * axis + (slice(1, None),)
    starts[later] = ordered[later] != _first(ordered, a.shape[axis] - 1, axis)
    run_start = xp.maximum.accumulate(xp.where(starts, position, 0), axis=axis)
    longest = xp.argmax(position - run_start, axis=axis, keepdims=True)
    value = xp.take_along_axis(ordered, longest, axis=axis)
    same = a == value
    if a.dtype.kind == "f":  # an all-NaN slice's mode is NaN, and NaN equals nothing
        same |= xp.isnan(a) & xp.isnan(value)
    return xp.max(xp.where(same, position, -1), axis=axis, keepdims=True)


def mode(x, dim=-1, keepdim=False):
    """(values, indices): the most frequent value along ``dim`` (the smallest if several are),
    and the index of its last occurrence, as PyTorch."""
    x = as_tensor(x)
    _check_not_empty(x, (normalize_dim(dim, x.ndim, "mode"),) if x.ndim else None, "mode")
    return ModeResult(*_select("mode", x, dim, keepdim, _mode_index))


def _cumulative_extreme(name, result_type, accumulate, x, dim):
    def choose(a, axis):
        running = accumulate(a, axis=axis)
        # a new extreme, a tie with it (PyTorch moves the index to the latest), or a NaN
        new = a == running
        if a.dtype.kind == "f":
            new |= xp.isnan(a)
        position = _scan_ops.positions(a.shape, axis)
        return xp.maximum.accumulate(xp.where(new, position, 0), axis=axis)
    return result_type(*_select(name, x, dim, True, choose))


def cummax(x, dim):
    """(values, indices): the running maximum along ``dim`` and where it was found (the latest
    of equal maxima); each value's gradient goes to that element."""
    return _cumulative_extreme("cummax", CummaxResult, xp.maximum.accumulate, x, dim)


def cummin(x, dim):
    """(values, indices): the running minimum along ``dim`` and where it was found."""
    return _cumulative_extreme("cummin", CumminResult, xp.minimum.accumulate, x, dim)


_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile(name, ignore_nan, x, q, dim, keepdim, interpolation):
    x = as_tensor(x)
    if x.data.dtype.kind != "f":
        raise TypeError(f"{name}: input must be a floating-point tensor, got {x.dtype}")
    if interpolation not in _INTERPOLATIONS:
        raise ValueError(f"{name}: interpolation must be one of {', '.join(_INTERPOLATIONS)}, "
                         f"got {interpolation!r}")
    qs = as_array(q.data if isinstance(q, Tensor) else q, dtype=x.dtype, copy=False)
    if qs.ndim > 1:
        raise ValueError(f"{name}: q must be a number or a 1-D tensor, got shape {qs.shape}")
    if qs.size and not ((qs >= 0) & (qs <= 1)).all():
        raise ValueError(f"{name}: q values must lie in [0, 1], got {qs.tolist()}")
    if dim is None:
        whole, axis = reshape(x, (-1,)), 0
    else:
        axis = normalize_dim(dim, x.ndim, name)
        whole = _one_dim(x)
    if whole.shape[axis] == 0:
        raise ValueError(f"{name}: cannot take quantiles over an empty dim (tensor shape {x.shape})")
    a = whole.data
    size = a.shape[axis]
    nans = xp.isnan(a).sum(axis=axis, keepdims=True)
    # each q's rank in the sorted elements, per row, on a new last axis
    if ignore_nan:
        ranks = xp.maximum(qs.reshape(-1) * (size - nans[..., None] - 1), 0)
    else:
        ranks = xp.where(nans[..., None] > 0, size - 1, qs.reshape(-1) * (size - 1))
    ranks = xp.moveaxis(xp.squeeze(ranks, axis), -1, axis)      # the q's along the reduced axis
    rounding = {"lower": xp.floor, "higher": xp.ceil, "nearest": xp.round}.get(interpolation)
    order = _order(a, axis)

    def at(rank):
        indices = xp.take_along_axis(order, rank.astype(xp.int64), axis=axis)
        return apply(_sort.TakeAlongAxis(indices, axis), whole)

    if rounding is not None:
        out = at(rounding(ranks))
    else:
        below, above = at(xp.floor(ranks)), at(xp.ceil(ranks))
        weight = 0.5 if interpolation == "midpoint" else ranks - xp.floor(ranks)
        out = below + Tensor(xp.asarray(weight, dtype=x.dtype)) * (above - below)
    if axis:
        out = permute(out, [axis] + [d for d in range(out.ndim) if d != axis])
    if keepdim:
        out = reshape(out, (qs.size,) + ((1,) * x.ndim if dim is None else
                                         x.shape[:axis] + (1,) + x.shape[axis + 1:]))
    return reshape(out, out.shape[1:]) if qs.ndim == 0 else out


def quantile(x, q, dim=None, keepdim=False, *, interpolation="linear"):
    """The q-th quantiles of x along ``dim`` (all elements if None): the value at rank
    q·(n-1) of the sorted elements, between ranks by ``interpolation`` ('linear', 'lower',
    'higher', 'midpoint', 'nearest').  With a 1-D ``q`` its dim comes first in the result.
    NaN where the elements include a NaN."""
    return _quantile("quantile", False, x, q, dim, keepdim, interpolation)


def nanquantile(x, q, dim=None, keepdim=False, *, interpolation="linear"):
    """``quantile`` of the elements that are not NaN (NaN where all are)."""
    return _quantile("nanquantile", True, x, q, dim, keepdim, interpolation)


def _no_grad_outputs(values, inverse, counts, return_inverse, return_counts):
    outputs = [Tensor(values)]
    if return_inverse:
        outputs.append(Tensor(inverse.astype(xp.int64)))
    if return_counts:
        outputs.append(Tensor(counts.astype(xp.int64)))
    return outputs[0] if len(outputs) == 1 else tuple(outputs)


def unique(x, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """The distinct elements of x (or distinct slices along ``dim``), in ascending order, with
    optionally the index of each element's value (``inverse``) and how often each occurs.
    The result is always sorted (PyTorch allows that for sorted=False too). No gradient."""
    x = as_tensor(x)
    if dim is None:
        values, inverse, counts = xp.unique(x.data.reshape(-1), return_inverse=True, return_counts=True)
        inverse = inverse.reshape(x.shape)
    else:
        axis = normalize_dim(dim, x.ndim, "unique")
        values, inverse, counts = xp.unique(_one_dim(x).data, return_inverse=True,
                                            return_counts=True, axis=axis)
        inverse = inverse.reshape(-1)
    return _no_grad_outputs(values, inverse, counts, return_inverse, return_counts)


def unique_consecutive(x, return_inverse=False, return_counts=False, dim=None):
    """x with each run of equal consecutive elements (or slices along ``dim``) kept once,
    optionally with each element's run index (``inverse``) and the run lengths. No gradient."""
    x = as_tensor(x)
    if dim is None:
        a, axis = x.data.reshape(-1), 0
    else:
        axis = normalize_dim(dim, x.ndim, "unique_consecutive")
        a = _one_dim(x).data
    size = a.shape[axis]
    later = (slice(None),) * axis + (slice(1, None),)
    changes = a[later] != _first(a, size - 1, axis) if size else xp.zeros(a.shape, dtype=bool)
    if a.ndim > 1:
        changes = changes.any(axis=tuple(d for d in range(a.ndim) if d != axis))
    starts = xp.concatenate([xp.ones(builtins.min(size, 1), dtype=bool), changes.reshape(-1)])
    first_of_run = xp.flatnonzero(starts)
    values = xp.take(a, first_of_run, axis=axis)
    inverse = xp.cumsum(starts) - 1
    counts = xp.diff(xp.append(first_of_run, size))
    return _no_grad_outputs(values, inverse.reshape(x.shape if dim is None else -1),
                            counts, return_inverse, return_counts)


def count_nonzero(x, dim=None):
    """How many elements are not zero, over ``dim`` (an int, a tuple, or None for all): int64."""
    x = as_tensor(x)
    axes = reduction_axes(dim, x.ndim, "count_nonzero")
    return Tensor(xp.asarray(xp.count_nonzero(x.data, axis=axes), dtype=xp.int64))


def std_mean(x, dim=None, unbiased=None, keepdim=False, *, correction=None, **aliases):
    """(std, mean) over ``dim``, as ``std`` and ``mean`` give them."""
    return (std(x, dim, unbiased, keepdim, correction=correction, **aliases),
            mean(x, dim, keepdim, **aliases))


def var_mean(x, dim=None, unbiased=None, keepdim=False, *, correction=None, **aliases):
    """(var, mean) over ``dim``, as ``var`` and ``mean`` give them."""
    return (var(x, dim, unbiased, keepdim, correction=correction, **aliases),
            mean(x, dim, keepdim, **aliases))


def aminmax(x, *, dim=None, keepdim=False):
    """(min, max) over ``dim`` (one int, or None for all); ties share each gradient evenly."""
    if isinstance(dim, (tuple, list)):
        raise TypeError(f"aminmax: dim must be one int or None, got {dim!r}")
    return AminmaxResult(amin(x, dim, keepdim), amax(x, dim, keepdim))


def _without_nan(x):
    """x with its NaNs replaced by 0 (their gradient is 0), and the mask of the others."""
    if x.data.dtype.kind != "f":
        return x, None
    kept = ~xp.isnan(x.data)
    return where(kept, x, 0.0), kept


def nansum(x, dim=None, keepdim=False, *, dtype=None):
    """Sum over ``dim``, counting NaNs as zero."""
    x = as_tensor(x)
    if dtype is not None:
        x = astype(x, dtype)
    return sum(_without_nan(x)[0], dim, keepdim)


def nanmean(x, dim=None, keepdim=False, *, dtype=None):
    """Mean over ``dim`` of the elements that are not NaN (NaN where all are)."""
    x = to_floating(as_tensor(x)) if dtype is None else astype(as_tensor(x), dtype)
    total, kept = _without_nan(x)
    axes = reduction_axes(dim, x.ndim, "nanmean")
    count = kept.sum(axis=axes, keepdims=keepdim) if kept is not None else _red.reduced_count(x.shape, axes)
    return sum(total, dim, keepdim) / Tensor(xp.asarray(count, dtype=x.dtype))


def norm(x, p="fro", dim=None, keepdim=False, dtype=None):
    """The p-norm of x over ``dim`` (an int, a tuple, or None for all): (Σ |x|^p)^(1/p), with
    p = inf the largest |x|, -inf the smallest, 0 the number of non-zeros; 'fro' is p = 2.

    >>> chainrule.norm(chainrule.tensor([3.0, -4.0])).item()
    5.0
    """
    x = as_tensor(x)
    if dtype is not None:
        x = astype(x, dtype)
    x = to_floating(x)
    if p == "fro":
        p = 2
    elif isinstance(p, str) or not isinstance(p, numbers.Real):
        raise ValueError(f"norm: p must be 'fro' or a number, got {p!r} ('nuc' is not supported)")
    axes = reduction_axes(dim, x.ndim, "norm")
    if p < 0 or p in (math.inf, -math.inf):
        _check_not_empty(x, axes, "norm")
    return apply(_red.Norm(float(p), axes, bool(keepdim)), x)


def dist(x, other, p=2):
    """The p-norm of x - other (broadcasting), over all elements."""
    return norm(as_tensor(x) - other, p)


def diff(x, n=1, dim=-1, prepend=None, append=None):
    """The n-th forward difference along ``dim``: x[i + 1] - x[i], n times, after joining
    ``prepend`` and ``append`` to x along ``dim``; booleans differ by exclusive or."""
    x = as_tensor(x)
    if x.ndim == 0:
        raise ValueError("diff: expects a tensor with at least one dim, got a 0-d tensor")
    if not isinstance(n, numbers.Integral) or n < 0:
        raise ValueError(f"diff: n must be a non-negative integer, got {n!r}")
    axis = normalize_dim(dim, x.ndim, "diff")
    parts = [as_tensor(t, "diff") for t in (prepend, x, append) if t is not None]
    for t in parts:
        if t.ndim != x.ndim or t.shape[:axis] + t.shape[axis + 1:] != x.shape[:axis] + x.shape[axis + 1:]:
            raise ValueError(f"diff: prepend/append of shape {t.shape} must match the input of "
                             f"shape {x.shape} in every dim but {axis}")
    x = cat(parts, axis) if len(parts) > 1 else x
    for _ in range(n):
        length = x.shape[axis]
        later, earlier = _narrow(x, axis, 1, length), _narrow(x, axis, 0, builtins.max(length - 1, 0))
        x = Tensor(later.data ^ earlier.data) if x.data.dtype == xp.bool_ else later - earlier
    return x


def _positions_in(boundaries, values, right, sorter=None):
    """For each value, how many boundaries lie below it (``right``: at or below it)."""
    if sorter is not None:
        boundaries = xp.take_along_axis(boundaries, sorter, axis=-1)
    if boundaries.ndim <= 1:
        return xp.searchsorted(boundaries, values, side="right" if right else "left")
    below = xp.less_equal if right else xp.less
    return below(boundaries[..., None, :], values[..., :, None]).sum(axis=-1)


def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None, sorter=None):
    """Where each element of ``input`` would be inserted into ``sorted_sequence`` (along its last
    dim) to keep it sorted: the first such place, or the last with ``right`` (or side='right').
    A multi-dim sequence holds one sorted row per row of ``input``. No gradient."""
    seq = as_tensor(sorted_sequence, "searchsorted").data
    values = input.data if isinstance(input, Tensor) else xp.asarray(input)
    if side is not None:
        if side not in ("left", "right") or (right and side == "left"):
            raise ValueError(f"searchsorted: side must be 'left' or 'right' and agree with right="
                             f"{right}, got side={side!r}")
        right = side == "right"
    if seq.ndim > 1 and (values.ndim != seq.ndim or values.shape[:-1] != seq.shape[:-1]):
        raise ValueError(f"searchsorted: a sorted_sequence of shape {seq.shape} needs input with the "
                         f"same leading dims {seq.shape[:-1]}, got shape {values.shape}")
    if seq.ndim == 0:
        raise ValueError("searchsorted: sorted_sequence must have at least one dim, got a 0-d tensor")
    if sorter is not None:
        sorter = sorter.data if isinstance(sorter, Tensor) else xp.asarray(sorter)
        if sorter.shape != seq.shape:
            raise ValueError(f"searchsorted: sorter of shape {sorter.shape} must have the shape of "
                             f"sorted_sequence {seq.shape}")
    found = _positions_in(seq, values, right, sorter)
    return Tensor(xp.asarray(found, dtype=xp.int32 if out_int32 else xp.int64))


def bucketize(input, boundaries, *, out_int32=False, right=False):
    """The bucket of each element: i with boundaries[i-1] < x <= boundaries[i], or
    boundaries[i-1] <= x < boundaries[i] with ``right``. No gradient."""
    edges = as_tensor(boundaries, "bucketize").data
    if edges.ndim != 1:
        raise ValueError(f"bucketize: boundaries must be 1-D, got shape {edges.shape}")
    values = input.data if isinstance(input, Tensor) else xp.asarray(input)
    found = xp.searchsorted(edges, values, side="right" if right else "left")
    return Tensor(xp.asarray(found, dtype=xp.int32 if out_int32 else xp.int64))


def bincount(input, weights=None, minlength=0):
    """How often each value 0, 1, ... occurs in the 1-D non-negative integer ``input`` (or the
    sum of ``weights`` at its occurrences), over at least ``minlength`` bins. No gradient."""
    x = as_tensor(input, "bincount").data
    if x.ndim != 1 or x.dtype.kind not in "biu":
        raise ValueError(f"bincount: input must be a 1-D tensor of integers, got shape {x.shape} "
                         f"and dtype {x.dtype}")
    if x.size and x.min() < 0:
        raise ValueError(f"bincount: input must be non-negative, got {x.min()}")
    if weights is None:
        return Tensor(xp.bincount(x, minlength=minlength).astype(xp.int64))
    w = as_tensor(weights, "bincount").data
    if w.shape != x.shape:
        raise ValueError(f"bincount: weights of shape {w.shape} must have the input's shape {x.shape}")
    counts = xp.bincount(x, weights=w, minlength=minlength)
    return Tensor(counts.astype(w.dtype if w.dtype.kind == "f" else xp.float64))


def histc(input, bins=100, min=0, max=0):
    """A histogram of the elements with ``bins`` equal bins over [min, max] (the elements' own
    range if min = max); elements outside are left out. No gradient."""
    x = as_tensor(input, "histc").data
    if x.dtype.kind != "f":
        raise TypeError(f"histc: input must be a floating-point tensor, got {x.dtype}")
    if not isinstance(bins, numbers.Integral) or bins <= 0:
        raise ValueError(f"histc: bins must be a positive integer, got {bins!r}")
    if min > max:
        raise ValueError(f"histc: max ({max}) must not be less than min ({min})")
    low, high = x.dtype.type(min), x.dtype.type(max)
    if low == high and x.size:
        low, high = x.min(), x.max()
    if low == high:
        low, high = low - 1, high + 1
    inside = x[(x >= low) & (x <= high)]
    index = ((inside - low) * bins / (high - low)).astype(xp.int64)
    return Tensor(xp.bincount(xp.minimum(index, bins - 1), minlength=bins).astype(x.dtype))


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


def _at_least(op, tensors, grow):
    """``grow`` applied to each tensor: one tensor in, one out; several (or a sequence), a tuple."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        return tuple(grow(as_tensor(t, op)) for t in tensors[0])
    if not tensors:
        raise TypeError(f"{op}: expected one or more tensors")
    grown = tuple(grow(as_tensor(t, op)) for t in tensors)
    return grown[0] if len(grown) == 1 else grown


def atleast_1d(*tensors):
    """Each tensor with at least 1 dim: a 0-d tensor becomes shape (1,)."""
    return _at_least("atleast_1d", tensors, lambda x: reshape(x, 1) if x.ndim == 0 else x)


def atleast_2d(*tensors):
    """Each tensor with at least 2 dims: () becomes (1, 1) and (n,) becomes (1, n)."""
    return _at_least("atleast_2d", tensors,
                     lambda x: reshape(x, (1,) * (2 - x.ndim) + x.shape) if x.ndim < 2 else x)


def _grow_3d(x):
    if x.ndim == 0:
        return reshape(x, 1, 1, 1)
    if x.ndim == 1:
        return reshape(x, 1, x.shape[0], 1)
    return unsqueeze(x, -1) if x.ndim == 2 else x


def atleast_3d(*tensors):
    """Each tensor with at least 3 dims: () -> (1, 1, 1), (n,) -> (1, n, 1), (m, n) -> (m, n, 1)."""
    return _at_least("atleast_3d", tensors, _grow_3d)


def _join(op, tensors, grow, dim=None):
    """``cat`` of the tensors after ``grow``, along ``dim`` (None: 0 for 1-d tensors, else 1)."""
    tensors = [grow(t) for t in _as_tensor_list(tensors, op)]
    if dim is None:
        dim = 0 if tensors[0].ndim == 1 else 1
    try:
        return cat(tensors, dim)
    except ValueError as error:
        raise ValueError(f"{op}: {error}") from None


def hstack(tensors):
    """Join tensors column-wise: along dim 0 for 1-d tensors, else along dim 1 (0-d count as 1-d).

    >>> chainrule.hstack([chainrule.ones(2, 1), chainrule.zeros(2, 3)]).shape    # (2, 4)
    """
    return _join("hstack", tensors, atleast_1d)


def vstack(tensors):
    """Join tensors row-wise (along dim 0), after making each at least 2-d: (n,) rows become (1, n).

    >>> chainrule.vstack([chainrule.ones(3), chainrule.zeros(3)]).shape    # (2, 3)
    """
    return _join("vstack", tensors, atleast_2d, 0)


row_stack = vstack


def dstack(tensors):
    """Join tensors depth-wise (along dim 2), after making each at least 3-d."""
    return _join("dstack", tensors, atleast_3d, 2)


def column_stack(tensors):
    """Join tensors as columns (along dim 1): 0-d and 1-d tensors become columns of shape (n, 1).

    >>> chainrule.column_stack([chainrule.ones(3), chainrule.zeros(3, 2)]).shape    # (3, 3)
    """
    return _join("column_stack", tensors, lambda x: reshape(x, x.numel(), 1) if x.ndim <= 1 else x, 1)


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


def _expect_dims(name, tensors, dims, what="operands"):
    """A clear error unless each tensor has the number of dims listed for it."""
    if builtins.any(t.ndim != d for t, d in zip(tensors, dims)):
        expected = ", ".join(f"{d}-D" for d in dims)
        shapes = ", ".join(str(t.shape) for t in tensors)
        raise ValueError(f"{name}: expected {expected} {what}, got shapes {shapes}")


def _matrix_operands(name, a, b, dims):
    """``a`` and ``b`` as tensors of one dtype, checked to have ``dims`` dims."""
    a, b = _pair(as_tensor(a), b)
    _expect_dims(name, (a, b), dims)
    return a, b


def mm(input, mat2):
    """Product of two matrices (2-D only, no broadcasting: see ``matmul`` for that)."""
    return matmul(*_matrix_operands("mm", input, mat2, (2, 2)))


def bmm(input, mat2):
    """Products of two stacks of matrices, (b, n, m) @ (b, m, p) -> (b, n, p), no broadcasting."""
    a, b = _matrix_operands("bmm", input, mat2, (3, 3))
    if a.shape[0] != b.shape[0]:
        raise ValueError(f"bmm: batch sizes {a.shape[0]} and {b.shape[0]} differ "
                         f"(shapes {a.shape} and {b.shape})")
    return matmul(a, b)


def mv(input, vec):
    """Matrix-vector product, (n, m) @ (m,) -> (n,)."""
    return matmul(*_matrix_operands("mv", input, vec, (2, 1)))


def dot(input, other):
    """Σ a_i b_i of two 1-D tensors of the same size."""
    a, b = _matrix_operands("dot", input, other, (1, 1))
    if a.shape != b.shape:
        raise ValueError(f"dot: vectors of sizes {a.shape[0]} and {b.shape[0]} differ")
    return matmul(a, b)


vdot = dot   # the complex conjugate of a real vector is itself


def outer(input, vec2):
    """a_i b_j for two 1-D tensors: an (n, m) matrix."""
    a, b = _matrix_operands("outer", input, vec2, (1, 1))
    return reshape(a, (-1, 1)) * b


ger = outer


def inner(input, other):
    """Σ over the last dims of both: shape a.shape[:-1] + b.shape[:-1] (a product for 0-d)."""
    a, b = _pair(as_tensor(input), other)
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    if a.shape[-1] != b.shape[-1]:
        raise ValueError(f"inner: the last dims of shapes {a.shape} and {b.shape} differ")
    return tensordot(a, b, ([-1], [-1]))


def _add_scaled(name, input, product, beta, alpha):
    """beta · input + alpha · product, ``input`` broadcasting to the product's shape; with
    beta = 0 the input is ignored (its NaNs do not spread), as PyTorch."""
    out = product if alpha == 1 else product * alpha
    input = as_tensor(input)
    try:
        if xp.broadcast_shapes(input.shape, out.shape) != out.shape:
            raise ValueError
    except ValueError:
        raise ValueError(f"{name}: input of shape {input.shape} does not broadcast to the product's "
                         f"shape {out.shape}") from None
    if beta == 0:
        return out
    return out + (input if beta == 1 else input * beta)


def addmm(input, mat1, mat2, *, beta=1, alpha=1):
    """beta · input + alpha · (mat1 @ mat2), mat1 and mat2 matrices."""
    return _add_scaled("addmm", input, mm(mat1, mat2), beta, alpha)


def addmv(input, mat, vec, *, beta=1, alpha=1):
    """beta · input + alpha · (mat @ vec)."""
    return _add_scaled("addmv", input, mv(mat, vec), beta, alpha)


def addbmm(input, batch1, batch2, *, beta=1, alpha=1):
    """beta · input + alpha · Σ_b batch1[b] @ batch2[b]."""
    products = bmm(batch1, batch2)
    return _add_scaled("addbmm", input, sum(products, 0), beta, alpha)


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1):
    """beta · input + alpha · bmm(batch1, batch2), batch by batch."""
    return _add_scaled("baddbmm", input, bmm(batch1, batch2), beta, alpha)


def tensordot(a, b, dims=2):
    """Sum of products over dims of a paired with dims of b: ``dims`` is a count (the last
    dims of a with the first of b) or two lists of dims; the free dims of a, then of b, remain."""
    a, b = _pair(as_tensor(a), b)
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, numbers.Integral):
        if not 0 <= dims <= builtins.min(a.ndim, b.ndim):
            raise ValueError(f"tensordot: dims={dims} is not a count in [0, "
                             f"{builtins.min(a.ndim, b.ndim)}] for shapes {a.shape} and {b.shape}")
        dims_a, dims_b = range(a.ndim - dims, a.ndim), range(dims)
    else:
        dims_a, dims_b = ([d] if isinstance(d, numbers.Integral) else list(d) for d in dims)
        if len(dims_a) != len(dims_b):
            raise ValueError(f"tensordot: {len(dims_a)} dims of a paired with {len(dims_b)} of b")
    dims_a = [normalize_dim(d, a.ndim, "tensordot") for d in dims_a]
    dims_b = [normalize_dim(d, b.ndim, "tensordot") for d in dims_b]
    letters_a = list(_LETTERS[:a.ndim])
    letters_b = list(_LETTERS[a.ndim:a.ndim + b.ndim])
    for da, db in zip(dims_a, dims_b):
        if a.shape[da] != b.shape[db]:
            raise ValueError(f"tensordot: dim {da} of a (size {a.shape[da]}) and dim {db} of b "
                             f"(size {b.shape[db]}) differ; shapes {a.shape} and {b.shape}")
        letters_b[db] = letters_a[da]
    free = [c for i, c in enumerate(letters_a) if i not in dims_a]
    free += [c for i, c in enumerate(letters_b) if i not in dims_b]
    return einsum(f"{''.join(letters_a)},{''.join(letters_b)}->{''.join(free)}", a, b)


def kron(input, other):
    """The Kronecker product: every element of a times the whole of b, as blocks."""
    a, b = _pair(as_tensor(input), other)
    n = builtins.max(a.ndim, b.ndim)
    a = reshape(a, (1,) * (n - a.ndim) + a.shape)
    b = reshape(b, (1,) * (n - b.ndim) + b.shape)
    la, lb = _LETTERS[:n], _LETTERS[n:2 * n]
    blocks = einsum(f"{la},{lb}->{''.join(p + q for p, q in zip(la, lb))}", a, b)
    return reshape(blocks, tuple(p * q for p, q in zip(a.shape, b.shape)))


def cross(input, other, dim=None):
    """The cross product of 3-vectors along ``dim`` (batch dims broadcasting); without ``dim``,
    the first dim of size 3, as PyTorch (``linalg.cross`` defaults to the last)."""
    a, b = _pair(as_tensor(input), other)
    shape = _check_broadcast("cross", a.shape, b.shape)
    if dim is None:
        threes = [i for i, s in enumerate(shape) if s == 3]
        if not threes:
            raise ValueError(f"cross: no dim of size 3 in the shapes {a.shape} and {b.shape}")
        axis = threes[0]
    else:
        axis = normalize_dim(dim, len(shape), "cross")
    if not shape or shape[axis] != 3:
        raise ValueError(f"cross: dim {dim} must have size 3, but the shapes are {a.shape} and {b.shape}")
    a, b = broadcast_to(a, shape), broadcast_to(b, shape)

    def turned(t, order):  # the components in the given order along ``axis``
        return apply(_index.GetItem((slice(None),) * axis + (xp.array(order),)), t)
    return turned(a, [1, 2, 0]) * turned(b, [2, 0, 1]) - turned(a, [2, 0, 1]) * turned(b, [1, 2, 0])


_CDIST_MODES = ("use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist",
                "donot_use_mm_for_euclid_dist")


def cdist(x1, x2, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    """The p-norm distance between each row of x1 (..., P, M) and each of x2 (..., R, M): (..., P, R).

    For p = 2 the squared distances come from one matrix product, ‖a‖² + ‖b‖² - 2 a·b, as
    PyTorch does where either side has more than 25 rows (``compute_mode`` as PyTorch's);
    otherwise from the differences themselves, which is exact but takes P·R·M memory.
    """
    x1, x2 = _pair(to_floating(as_tensor(x1)), to_floating(as_tensor(x2)))
    if x1.ndim < 2 or x2.ndim < 2 or x1.shape[-1] != x2.shape[-1]:
        raise ValueError(f"cdist: expected x1 (..., P, M) and x2 (..., R, M) with the same M, got "
                         f"shapes {x1.shape} and {x2.shape}")
    if not isinstance(p, numbers.Real) or p < 0:
        raise ValueError(f"cdist: p must be a non-negative number, got {p!r}")
    if compute_mode not in _CDIST_MODES:
        raise ValueError(f"cdist: compute_mode must be one of {', '.join(_CDIST_MODES)}, got {compute_mode!r}")
    _check_broadcast("cdist", x1.shape[:-2], x2.shape[:-2])
    rows = builtins.max(x1.shape[-2], x2.shape[-2])
    if p == 2 and (compute_mode == _CDIST_MODES[1] or (compute_mode == _CDIST_MODES[0] and rows > 25)):
        squared = (sum(x1 * x1, -1, keepdim=True) + unsqueeze(sum(x2 * x2, -1), -2)
                   - 2 * matmul(x1, transpose(x2, -1, -2)))
        return sqrt(clamp(squared, min=1e-30))
    return vector_norm(unsqueeze(x1, -2) - unsqueeze(x2, -3), p, -1)


def multi_dot(tensors):
    """The product of a chain of matrices; the first may be a row vector, the last a column."""
    tensors = _as_tensor_list(tensors, "multi_dot")
    if len(tensors) < 2:
        raise ValueError(f"multi_dot: expected at least 2 tensors, got {len(tensors)}")
    for i, t in enumerate(tensors):
        allowed = (1, 2) if i in (0, len(tensors) - 1) else (2,)
        if t.ndim not in allowed:
            raise ValueError(f"multi_dot: tensor {i} has shape {t.shape}; the first and last must "
                             "be 1-D or 2-D, the others 2-D")
    result = tensors[0]
    for t in tensors[1:]:
        result = matmul(result, t)
    return result


def chain_matmul(*matrices):
    """The product of a chain of 2-D matrices (``multi_dot`` also takes vectors at the ends)."""
    if len(matrices) == 1:
        _expect_dims("chain_matmul", (as_tensor(matrices[0]),), (2,))
        return as_tensor(matrices[0])
    for t in matrices:
        _expect_dims("chain_matmul", (as_tensor(t),), (2,), "matrices")
    return multi_dot(matrices)


def block_diag(*tensors):
    """The tensors (0-D, 1-D as a row, or 2-D) along the diagonal of one matrix, zeros elsewhere."""
    if not tensors:
        return Tensor(xp.zeros((1, 0), dtype=DEFAULT_FLOAT))
    blocks = []
    for i, t in enumerate(_as_tensor_list(list(tensors), "block_diag")):
        if t.ndim > 2:
            raise ValueError(f"block_diag: tensor {i} has shape {t.shape}; blocks must have at most 2 dims")
        blocks.append(reshape(t, (1, 1)) if t.ndim == 0 else reshape(t, (1, -1)) if t.ndim == 1 else t)
    width = builtins.sum(b.shape[1] for b in blocks)
    rows, left = [], 0
    for b in blocks:
        rows.append(pad(b, (left, width - left - b.shape[1])))
        left += b.shape[1]
    return cat(rows, 0)


def cartesian_prod(*tensors):
    """Every combination of one element from each 1-D tensor, as the rows of a (N, k) matrix."""
    tensors = _as_tensor_list(list(tensors), "cartesian_prod")
    for i, t in enumerate(tensors):
        if t.ndim != 1:
            raise ValueError(f"cartesian_prod: tensor {i} has shape {t.shape}; expected 1-D tensors")
    if len(tensors) == 1:
        return tensors[0]
    grids = xp.indices([t.shape[0] for t in tensors]).reshape(len(tensors), -1)
    return stack([apply(_index.GetItem(g), t) for t, g in zip(tensors, grids)], dim=1)


def _square(name, a, floating=True):
    """``a`` as a tensor, checked to be a (batch of) square matri(ces) of a floating dtype."""
    a = as_tensor(a)
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise ValueError(f"{name}: expected a square matrix or a batch of them (..., n, n), "
                         f"got shape {a.shape}")
    if floating:
        _check_floating(name, a)
    return a


def _check_floating(name, a):
    if a.dtype.kind not in "fc":
        raise TypeError(f"{name}: expected a floating-point tensor, got {a.dtype} (shape {a.shape})")


def _matrix(name, a):
    a = as_tensor(a)
    if a.ndim < 2:
        raise ValueError(f"{name}: expected a matrix or a batch of them (..., m, n), got shape {a.shape}")
    _check_floating(name, a)
    return a


def _decompose(name, op, a, failure):
    """apply(op, a), with LAPACK's failure reported as ``failure`` for the input's shape."""
    try:
        return apply(op, a)
    except xp.linalg.LinAlgError:
        raise xp.linalg.LinAlgError(f"{name}: {failure} (input of shape {a.shape})") from None


def det(A):
    """The determinant of each square matrix; its gradient is the cofactor matrix (finite even
    where A is singular)."""
    return apply(_linalg.Det(), _square("det", A))


SlogdetResult = collections.namedtuple("slogdet", ["sign", "logabsdet"])


def slogdet(A):
    """(sign, log|det|) of each square matrix, without the overflow of det itself; the sign
    carries no gradient."""
    op = _linalg.LogAbsDet()
    logabsdet = apply(op, _square("slogdet", A))
    return SlogdetResult(Tensor(op.sign.astype(logabsdet.dtype)), logabsdet)


def logdet(A):
    """log det(A): NaN where the determinant is negative, -inf where it is 0."""
    sign, logabsdet = slogdet(_square("logdet", A))
    return where(sign.data < 0, math.nan, logabsdet)


def inverse(A):
    """A⁻¹ of each square matrix; a singular matrix raises LinAlgError."""
    return _decompose("inverse", _linalg.Inv(), _square("inverse", A), "the matrix is singular")


def matrix_power(A, n):
    """A multiplied by itself n times (by repeated squaring); n = 0 gives I, n < 0 powers of A⁻¹."""
    A = _square("matrix_power", A, floating=False)
    if not isinstance(n, numbers.Integral):
        raise TypeError(f"matrix_power: n must be an integer, got {n!r}")
    if n == 0:
        return Tensor(xp.broadcast_to(xp.eye(A.shape[-1], dtype=A.dtype), A.shape).copy())
    if n < 0:
        A, n = inverse(A), -n
    result, square = None, A
    while n:
        if n & 1:
            result = square if result is None else matmul(result, square)
        n >>= 1
        if n:
            square = matmul(square, square)
    return result


def solve(A, B, *, left=True):
    """X with A X = B (or X A = B when ``left`` is False); B is (..., n, k) or, where its shape
    is A's without the last dim (or it is 1-D), a vector; batch dims broadcast."""
    A = _square("linalg.solve", A)
    A, B = _pair(A, B)
    if not left:
        return transpose(solve(transpose(A, -1, -2), transpose(B, -1, -2)), -1, -2)
    vector = B.ndim == 1 or (B.ndim == A.ndim - 1 and B.shape == A.shape[:-1])
    column = unsqueeze(B, -1) if vector else B
    if column.ndim < 2 or column.shape[-2] != A.shape[-1]:
        raise ValueError(f"linalg.solve: A of shape {A.shape} and B of shape {B.shape} do not fit "
                         f"(B needs {A.shape[-1]} rows)")
    _check_broadcast("linalg.solve", A.shape[:-2], column.shape[:-2])
    try:
        X = apply(_linalg.Solve(), A, column)
    except xp.linalg.LinAlgError:
        raise xp.linalg.LinAlgError(f"linalg.solve: A of shape {A.shape} is singular") from None
    return squeeze(X, -1) if vector else X


def cholesky(A, *, upper=False):
    """L lower triangular with A = L Lᵀ, for symmetric positive-definite A (its lower triangle
    is read); ``upper=True`` gives U = Lᵀ."""
    L = _decompose("linalg.cholesky", _linalg.Cholesky(), _square("linalg.cholesky", A),
                   "the matrix is not positive-definite")
    return transpose(L, -1, -2) if upper else L


def _unpacked(packed, shapes):
    """The outputs a decomposition op packed after the batch dims (see ops.linalg._pack)."""
    out, start = [], 0
    for shape in shapes:
        size = math.prod(shape)
        piece = apply(_index.GetItem((Ellipsis, slice(start, start + size))), packed)
        out.append(reshape(piece, packed.shape[:-1] + tuple(shape)))
        start += size
    return out


QRResult = collections.namedtuple("qr", ["Q", "R"])


def qr(A, mode="reduced"):
    """A = QR, Q with orthonormal columns, R upper triangular.  ``mode``: 'reduced' (k = min(m, n)
    columns of Q), 'complete' (Q square) or 'r' (R only; Q is empty)."""
    if mode not in ("reduced", "complete", "r"):
        raise ValueError(f"linalg.qr: mode must be 'reduced', 'complete' or 'r', got {mode!r}")
    A = _matrix("linalg.qr", A)
    op = _linalg.QR("reduced" if mode == "r" else mode)
    Q, R = _unpacked(apply(op, A), op.shapes)
    if mode == "r":
        Q = Tensor(xp.zeros((0,), dtype=A.dtype))
    return QRResult(Q, R)


EighResult = collections.namedtuple("eigh", ["eigenvalues", "eigenvectors"])


def eigh(A, UPLO="L"):
    """Eigenvalues (ascending) and orthonormal eigenvectors (columns) of symmetric matrices,
    reading the lower (``UPLO='L'``) or upper triangle.  Gradients need distinct eigenvalues."""
    if UPLO not in ("L", "U"):
        raise ValueError(f"linalg.eigh: UPLO must be 'L' or 'U', got {UPLO!r}")
    A = _square("linalg.eigh", A)
    packed = _decompose("linalg.eigh", _linalg.Eigh(UPLO), A, "the eigenvalues did not converge")
    n = A.shape[-1]
    vectors = apply(_index.GetItem((Ellipsis, slice(0, n), slice(None))), packed)
    return EighResult(apply(_index.GetItem((Ellipsis, n, slice(None))), packed), vectors)


def eigvalsh(A, UPLO="L"):
    """The eigenvalues of symmetric matrices, ascending (see ``eigh``)."""
    return eigh(A, UPLO).eigenvalues


SVDResult = collections.namedtuple("svd", ["U", "S", "Vh"])


def svd(A, full_matrices=True, *, driver=None):
    """A = U diag(S) Vh, S descending.  Gradients need distinct (and, through U or Vh, nonzero)
    singular values; with ``full_matrices`` the extra columns of U and rows of Vh get none."""
    A = _matrix("linalg.svd", A)
    op = _linalg.SVD(full_matrices, compute_uv=True)
    packed = _decompose("linalg.svd", op, A, "the SVD did not converge")
    return SVDResult(*_unpacked(packed, op.shapes))


def svdvals(A, *, driver=None):
    """The singular values of each matrix, descending."""
    A = _matrix("linalg.svdvals", A)
    return _decompose("linalg.svdvals", _linalg.SVD(False, compute_uv=False), A, "the SVD did not converge")


def _tolerance(values, shape, atol, rtol):
    """PyTorch's cut-off for singular values (or |eigenvalues|): max(atol, rtol · largest), rtol
    defaulting to eps · max(m, n) when neither is given, and to 0 when only atol is."""
    if rtol is None:
        rtol = xp.finfo(values.dtype).eps * builtins.max(shape[-2:]) if atol in (None, 0) else 0.0
    largest = values.max(axis=-1, keepdims=True) if values.shape[-1] else xp.zeros(values.shape[:-1] + (1,))
    return xp.maximum(0.0 if atol is None else atol, rtol * largest)


def pinv(A, *, atol=None, rtol=None, hermitian=False):
    """The Moore-Penrose pseudo-inverse, from the SVD (or eigh when ``hermitian``); singular values
    at or below max(atol, rtol · the largest) count as zero."""
    A = _matrix("linalg.pinv", A)
    if hermitian:
        values, V = eigh(_square("linalg.pinv", A))
        keep = xp.abs(values.data) > _tolerance(xp.abs(values.data), A.shape, atol, rtol)
        inverted = where(keep, 1 / where(keep, values, 1.0), 0.0)
        return matmul(V * unsqueeze(inverted, -2), transpose(V, -1, -2))
    U, S, Vh = svd(A, full_matrices=False)
    keep = S.data > _tolerance(S.data, A.shape, atol, rtol)
    inverted = where(keep, 1 / where(keep, S, 1.0), 0.0)
    return matmul(transpose(Vh, -1, -2) * unsqueeze(inverted, -2), transpose(U, -1, -2))


def pinverse(input, rcond=1e-15):
    """The pseudo-inverse, singular values at or below rcond · the largest counting as zero."""
    return pinv(input, rtol=rcond)


def matrix_rank(A, *, atol=None, rtol=None, hermitian=False):
    """The number of singular values above max(atol, rtol · the largest): an int64 tensor, no gradient."""
    A = _matrix("linalg.matrix_rank", A)
    if hermitian:
        values = xp.abs(xp.linalg.eigvalsh(_square("linalg.matrix_rank", A).data))
    else:
        values = xp.linalg.svd(A.data, compute_uv=False)
    limit = _tolerance(values, A.shape, atol, rtol)
    return Tensor((values > limit).sum(axis=-1).astype(xp.int64))


LstsqResult = collections.namedtuple("lstsq", ["solution", "residuals", "rank", "singular_values"])


def lstsq(A, B, rcond=None, *, driver=None):
    """The X minimizing ‖A X - B‖, as pinv(A) @ B.  As PyTorch's default CPU driver ('gelsy'),
    residuals and singular_values are empty and rank is given."""
    A = _matrix("linalg.lstsq", A)
    A, B = _pair(A, B)
    vector = B.ndim == A.ndim - 1
    column = unsqueeze(B, -1) if vector else B
    if column.ndim < 2 or column.shape[-2] != A.shape[-2]:
        raise ValueError(f"linalg.lstsq: A of shape {A.shape} and B of shape {B.shape} do not fit "
                         f"(B needs {A.shape[-2]} rows)")
    X = matmul(pinv(A, rtol=rcond), column)
    empty = Tensor(xp.zeros((0,), dtype=A.dtype))
    return LstsqResult(squeeze(X, -1) if vector else X, empty, matrix_rank(A, rtol=rcond), empty)


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None):
    """(Σ |x|^ord)^(1/ord) over ``dim`` (an int, a tuple, or None for all elements); ord may be
    any real, inf (max |x|), -inf (min |x|) or 0 (the count of nonzeros)."""
    x = as_tensor(x)
    if dtype is not None:
        x = astype(x, dtype)
    _check_floating("linalg.vector_norm", x)
    if not isinstance(ord, numbers.Real):
        raise TypeError(f"linalg.vector_norm: ord must be a real number (inf allowed), got {ord!r}")
    if x.ndim == 0:
        reduction_axes(dim, 0, "linalg.vector_norm")
        return apply(_distance.VectorNorm(float(ord), 0, False), reshape(x, 1))
    axes = reduction_axes(dim, x.ndim, "linalg.vector_norm") or tuple(range(x.ndim))
    return apply(_distance.VectorNorm(float(ord), axes, keepdim), x)


def _last_two(name, A, dim):
    """A with the two dims of ``dim`` moved to the end, and those dims (non-negative)."""
    if len(dim) != 2:
        raise ValueError(f"{name}: dim must name two dims, got {dim!r}")
    d0, d1 = (normalize_dim(d, A.ndim, name) for d in dim)
    if d0 == d1:
        raise ValueError(f"{name}: dim {dim} names the same dim twice")
    rest = [i for i in range(A.ndim) if i not in (d0, d1)]
    return permute(A, rest + [d0, d1]), (d0, d1)


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None):
    """A matrix norm over the two dims ``dim``: 'fro', 'nuc' (Σ singular values), 2 / -2 (the
    largest / smallest singular value), 1 / -1 (max / min column sum of |A|), inf / -inf (rows)."""
    A = _matrix("linalg.matrix_norm", A)
    if dtype is not None:
        A = astype(A, dtype)
    if ord == "fro":
        return vector_norm(A, 2, dim, keepdim)
    moved, (d0, d1) = _last_two("linalg.matrix_norm", A, dim)
    if ord == "nuc":
        result = sum(svdvals(moved), -1)
    elif ord in (2, -2):
        result = (amax if ord == 2 else amin)(svdvals(moved), -1)
    elif ord in (1, -1, math.inf, -math.inf):
        summed, kept = (-2, -1) if ord in (1, -1) else (-1, -2)
        result = (amax if ord > 0 else amin)(sum(abs(moved), summed, keepdim=True), kept)
        result = squeeze(result, -1)
    else:
        raise ValueError(f"linalg.matrix_norm: ord must be 'fro', 'nuc', 1, -1, 2, -2, inf or -inf, "
                         f"got {ord!r}")
    if keepdim:
        result = unsqueeze(unsqueeze(result, builtins.min(d0, d1)), builtins.max(d0, d1))
    return result


def cond(A, p=None):
    """The condition number ‖A‖ ‖A⁻¹‖ in the norm ``p`` (default 2: largest / smallest singular value)."""
    A = _matrix("linalg.cond", A)
    if p in (None, 2, -2):
        s = svdvals(A)
        largest, smallest = amax(s, -1), amin(s, -1)
        return largest / smallest if p != -2 else smallest / largest
    A = _square("linalg.cond", A)
    return matrix_norm(A, p) * matrix_norm(inverse(A), p)


def vecdot(x, y, *, dim=-1):
    """Σ x y along ``dim`` of the broadcast inputs."""
    x, y = _pair(as_tensor(x), y)
    shape = _check_broadcast("linalg.vecdot", x.shape, y.shape)
    return sum(x * y, normalize_dim(dim, len(shape), "linalg.vecdot"))


# --------------------------------------------------------------------------- softmax
def _softmax_input(x, dtype):
    """x as a floating tensor, converted to ``dtype`` first where one is given (as PyTorch's
    ``dtype=``, e.g. float64 for a float32 input; the gradient comes back in x's dtype)."""
    x = as_tensor(x)
    return to_floating(x) if dtype is None else astype(x, dtype)


def softmax(x, dim, *, dtype=None):
    """e^x / Σ e^x along ``dim``, stable for logits of any size; computed in ``dtype`` if given."""
    x = _softmax_input(x, dtype)
    return apply(_softmax.Softmax(normalize_dim(dim, x.ndim, "softmax")), x)


def log_softmax(x, dim, *, dtype=None):
    """x - logsumexp(x) along ``dim``, stable for logits of any size; computed in ``dtype`` if given."""
    x = _softmax_input(x, dtype)
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
