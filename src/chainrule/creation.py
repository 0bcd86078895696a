"""Making tensors: from data, filled with a constant, in a range, or at random (float32 by default)."""
import builtins

from chainrule import random as _random
from chainrule.backend import xp
from chainrule.functions import _sizes
from chainrule.tensor import DEFAULT_FLOAT, Tensor, as_array, to_dtype


def tensor(data, dtype=None, requires_grad=False):
    """A new leaf tensor holding a copy of ``data`` (a number, nested lists, an ndarray, a tensor).

    Python floats become float32 and ints int64; an ndarray keeps its dtype unless ``dtype``
    is given.  Only floating-point tensors may require grad.

    >>> chainrule.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    """
    return Tensor(as_array(data, dtype=dtype, copy=True), requires_grad=requires_grad)


def _shape(size, op):
    """The shape of a new tensor, from f(2, 3) or f((2, 3)); no size may be negative."""
    shape = _sizes(size, op)
    if builtins.any(s < 0 for s in shape):
        raise ValueError(f"{op}: sizes must be non-negative, got {shape}")
    return shape


def _make(array, requires_grad):
    return Tensor(array, requires_grad=requires_grad)


def _dtype(dtype, default=DEFAULT_FLOAT):
    return default if dtype is None else to_dtype(dtype)


def zeros(*size, dtype=None, requires_grad=False):
    """A tensor of zeros; ``zeros(2, 3)`` or ``zeros((2, 3))``."""
    return _make(xp.zeros(_shape(size, "zeros"), _dtype(dtype)), requires_grad)


def ones(*size, dtype=None, requires_grad=False):
    """A tensor of ones."""
    return _make(xp.ones(_shape(size, "ones"), _dtype(dtype)), requires_grad)


def empty(*size, dtype=None, requires_grad=False):
    """An uninitialized tensor (its values are whatever memory held)."""
    return _make(xp.empty(_shape(size, "empty"), _dtype(dtype)), requires_grad)


def full(size, fill_value, dtype=None, requires_grad=False):
    """A tensor of ``size`` filled with ``fill_value`` (dtype inferred from it when not given)."""
    if dtype is None:
        dtype = as_array(fill_value).dtype
    return _make(xp.full(_shape((size,), "full"), fill_value, _dtype(dtype)), requires_grad)


def zeros_like(x, dtype=None, requires_grad=False):
    return _make(xp.zeros(x.shape, _dtype(dtype, x.dtype)), requires_grad)


def ones_like(x, dtype=None, requires_grad=False):
    return _make(xp.ones(x.shape, _dtype(dtype, x.dtype)), requires_grad)


def full_like(x, fill_value, dtype=None, requires_grad=False):
    return _make(xp.full(x.shape, fill_value, _dtype(dtype, x.dtype)), requires_grad)


def rand(*size, dtype=None, requires_grad=False):
    """Uniform samples from [0, 1), drawn from the generator ``manual_seed`` controls."""
    dtype = _dtype(dtype)
    samples = _random.generator().random(_shape(size, "rand"), dtype=xp.float64)
    return _make(samples.astype(dtype, copy=False), requires_grad)


def randn(*size, dtype=None, requires_grad=False):
    """Standard normal samples, drawn from the generator ``manual_seed`` controls."""
    dtype = _dtype(dtype)
    samples = _random.generator().standard_normal(_shape(size, "randn"), dtype=xp.float64)
    return _make(samples.astype(dtype, copy=False), requires_grad)


def randint(low, high=None, size=(), dtype=None):
    """Integers from [low, high) (or [0, low) when high is omitted), int64 by default."""
    if high is None:
        low, high = 0, low
    if low >= high:
        raise ValueError(f"randint: low ({low}) must be less than high ({high})")
    values = _random.generator().integers(low, high, size=_shape((size,), "randint"))
    return Tensor(values.astype(_dtype(dtype, xp.dtype(xp.int64))))


def randperm(n, dtype=None):
    """A random permutation of 0..n-1."""
    _shape((n,), "randperm")
    return Tensor(_random.generator().permutation(n).astype(_dtype(dtype, xp.dtype(xp.int64))))


def arange(start, end=None, step=1, dtype=None, requires_grad=False):
    """Values from start up to (not including) end; int64 for integer arguments, else float32."""
    if end is None:
        start, end = 0, start
    if step == 0:
        raise ValueError("arange: step must be nonzero")
    integral = builtins.all(isinstance(v, int) for v in (start, end, step))
    default = xp.dtype(xp.int64) if integral else DEFAULT_FLOAT
    return _make(xp.arange(start, end, step).astype(_dtype(dtype, default)), requires_grad)


def linspace(start, end, steps, dtype=None, requires_grad=False):
    """``steps`` evenly spaced values from start to end, both included."""
    _shape((steps,), "linspace")
    return _make(xp.linspace(start, end, int(steps)).astype(_dtype(dtype)), requires_grad)


def eye(n, m=None, dtype=None, requires_grad=False):
    """An n x m identity matrix (m defaults to n)."""
    _shape((n, n if m is None else m), "eye")
    return _make(xp.eye(n, m, dtype=_dtype(dtype)), requires_grad)


def from_numpy(array):
    """A tensor sharing memory with ``array`` (no copy), keeping its dtype."""
    return Tensor(array)
