"""Weight initializers with PyTorch's names, formulas and fan rules (``torch.nn.init``).

Every function fills its tensor in place (no graph is recorded, as under ``no_grad``),
keeps the tensor's dtype, and returns the tensor.  Random values come from
``chainrule.random.generator()`` (or the ``generator`` given), so ``manual_seed`` makes
them repeatable.

The scale of a layer's initial weights decides whether signals and gradients keep their
size through depth: Xavier/Glorot keeps the variance of both passes near 1 for linear and
tanh units, Kaiming/He does the same for ReLU-like units by accounting for the half of the
signal the nonlinearity discards.
"""
import math
import numbers
import warnings

from chainrule import random as _random
from chainrule.backend import xp
from chainrule.tensor import Tensor

_LINEAR_LIKE = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
                "conv_transpose3d", "sigmoid")


def calculate_gain(nonlinearity, param=None):
    """The recommended gain for a nonlinearity, to scale an initializer's standard deviation.

    linear, conv*, sigmoid: 1;  tanh: 5/3;  relu: √2;  leaky_relu: √(2 / (1 + slope²))
    (slope ``param``, default 0.01);  selu: 3/4.

    >>> calculate_gain("relu")
    1.4142135623730951
    """
    if nonlinearity in _LINEAR_LIKE:
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, numbers.Real) and not isinstance(param, bool):
            slope = param
        else:
            raise ValueError(f"calculate_gain: negative_slope {param!r} is not a valid number")
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"calculate_gain: unsupported nonlinearity {nonlinearity!r} (expected one of "
                     f"{', '.join(_LINEAR_LIKE)}, tanh, relu, leaky_relu, selu)")


def _calculate_fan_in_and_fan_out(tensor):
    """(fan_in, fan_out) of a weight laid out as PyTorch's: (out, in, *kernel).

    fan_in = in * prod(kernel), fan_out = out * prod(kernel); a Linear weight (out, in) has
    no kernel dims, a Conv2d weight (out, in/groups, kh, kw) has two.
    """
    shape = tuple(tensor.shape)
    if len(shape) < 2:
        raise ValueError(f"fan in and fan out can not be computed for a tensor with fewer than 2 "
                         f"dimensions (shape {shape})")
    receptive_field = math.prod(shape[2:])
    return shape[1] * receptive_field, shape[0] * receptive_field


def _calculate_correct_fan(tensor, mode):
    mode = mode.lower()
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"mode {mode!r} is not supported; use one of fan_in, fan_out")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def _array(tensor, op):
    if isinstance(tensor, Tensor):
        return tensor.data
    if isinstance(tensor, xp.ndarray):
        return tensor
    raise TypeError(f"{op}: expected a Tensor (or an ndarray) to fill, got {type(tensor).__name__}")


def _fill(tensor, values):
    """Write ``values`` into ``tensor`` in place, cast to its dtype, outside any graph."""
    array = _array(tensor, "init")
    array[...] = values
    if isinstance(tensor, Tensor):
        tensor._mark_modified()
    return tensor


def _rng(generator):
    return _random.numpy_generator(generator, "nn.init")


def uniform_(tensor, a=0.0, b=1.0, generator=None):
    """Fill with samples of U(a, b)."""
    shape = _array(tensor, "uniform_").shape
    return _fill(tensor, _rng(generator).uniform(a, b, size=shape))


def normal_(tensor, mean=0.0, std=1.0, generator=None):
    """Fill with samples of N(mean, std²)."""
    shape = _array(tensor, "normal_").shape
    return _fill(tensor, _rng(generator).normal(mean, std, size=shape))


def trunc_normal_(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0, generator=None):
    """Fill with samples of N(mean, std²) restricted to [a, b] (redrawing those outside)."""
    shape = _array(tensor, "trunc_normal_").shape
    if not a < b:
        raise ValueError(f"trunc_normal_: the bounds must satisfy a < b, got a={a}, b={b}")
    rng = _rng(generator)
    values = rng.normal(mean, std, size=shape)
    outside = (values < a) | (values > b)
    while outside.any():  # each round redraws only the rejected samples, all at once
        values[outside] = rng.normal(mean, std, size=int(outside.sum()))
        outside = (values < a) | (values > b)
    return _fill(tensor, values)


def constant_(tensor, val):
    """Fill with the value ``val``."""
    return _fill(tensor, val)


def zeros_(tensor):
    """Fill with 0."""
    return _fill(tensor, 0)


def ones_(tensor):
    """Fill with 1."""
    return _fill(tensor, 1)


def xavier_uniform_(tensor, gain=1.0, generator=None):
    """Glorot initialization: U(-bound, bound), bound = gain · √(6 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor, gain=1.0, generator=None):
    """Glorot initialization: N(0, std²), std = gain · √(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return normal_(tensor, 0.0, std, generator)


def _kaiming_std(tensor, a, mode, nonlinearity, op):
    if _array(tensor, op).size == 0:
        warnings.warn(f"{op}: initializing a zero-element tensor is a no-op", stacklevel=3)
        return None
    fan = _calculate_correct_fan(tensor, mode)
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """He initialization: U(-bound, bound), bound = gain · √(3 / fan).

    ``mode`` picks fan_in (keeps the forward signal's variance) or fan_out (the backward
    gradient's); ``a`` is the negative slope for ``nonlinearity='leaky_relu'``.
    """
    std = _kaiming_std(tensor, a, mode, nonlinearity, "kaiming_uniform_")
    if std is None:
        return tensor
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """He initialization: N(0, std²), std = gain / √fan."""
    std = _kaiming_std(tensor, a, mode, nonlinearity, "kaiming_normal_")
    if std is None:
        return tensor
    return normal_(tensor, 0.0, std, generator)


def eye_(tensor):
    """Fill a 2-d tensor with the identity matrix (ones on the main diagonal): a Linear layer
    that starts by passing its inputs through (as far as its shape allows)."""
    array = _array(tensor, "eye_")
    if array.ndim != 2:
        raise ValueError(f"eye_: only 2-d tensors are supported, got shape {array.shape}")
    return _fill(tensor, xp.eye(*array.shape))


def dirac_(tensor, groups=1):
    """Fill a 3-, 4- or 5-d convolution weight (out, in, *kernel) with the Dirac delta: within
    each of ``groups``, output channel d copies input channel d through the kernel's centre, so
    the convolution starts as the identity on as many channels as it can."""
    array = _array(tensor, "dirac_")
    if array.ndim not in (3, 4, 5):
        raise ValueError(f"dirac_: only 3-, 4- and 5-d tensors are supported, got shape "
                         f"{array.shape}")
    if array.shape[0] % groups != 0:
        raise ValueError(f"dirac_: dim 0 ({array.shape[0]}) must be divisible by groups "
                         f"({groups})")
    per_group = array.shape[0] // groups
    channels = min(per_group, array.shape[1])
    group, channel = xp.meshgrid(xp.arange(groups), xp.arange(channels), indexing="ij")
    values = xp.zeros(array.shape)
    centre = tuple(size // 2 for size in array.shape[2:])
    values[((group * per_group + channel).ravel(), channel.ravel()) + centre] = 1
    return _fill(tensor, values)


def orthogonal_(tensor, gain=1, generator=None):
    """Fill with a (semi-)orthogonal matrix times ``gain``: the QR factor Q of a Gaussian
    matrix, its signs fixed by R's diagonal so that Q is uniformly distributed.  Dims after
    the first are flattened, so rows (or columns, whichever are fewer) are orthonormal;
    such weights keep the norm of signals and gradients through many layers."""
    array = _array(tensor, "orthogonal_")
    if array.ndim < 2:
        raise ValueError(f"orthogonal_: only tensors with 2 or more dimensions are supported, "
                         f"got shape {array.shape}")
    if array.size == 0:
        return tensor
    rows = array.shape[0]
    cols = array.size // rows
    flat = _rng(generator).normal(0.0, 1.0, size=(rows, cols))
    if rows < cols:
        flat = flat.T
    q, r = xp.linalg.qr(flat)
    q *= xp.sign(xp.diagonal(r))
    if rows < cols:
        q = q.T
    return _fill(tensor, gain * q.reshape(array.shape))


def sparse_(tensor, sparsity, std=0.01, generator=None):
    """Fill a 2-d tensor with N(0, std²) values, then zero a ``sparsity`` fraction of each
    column (ceil(sparsity · rows) entries at random rows): Martens's sparse initialization."""
    array = _array(tensor, "sparse_")
    if array.ndim != 2:
        raise ValueError(f"sparse_: only 2-d tensors are supported, got shape {array.shape}")
    rows, cols = array.shape
    zeros = int(math.ceil(sparsity * rows))
    rng = _rng(generator)
    values = rng.normal(0.0, std, size=(rows, cols))
    # each column's zeroed rows: the first ``zeros`` of an independent random permutation
    picked = xp.argsort(rng.random((rows, cols)), axis=0)[:zeros]
    values[picked, xp.arange(cols)] = 0
    return _fill(tensor, values)


# PyTorch's deprecated spellings, kept because older tutorials still use them
uniform, normal, constant = uniform_, normal_, constant_
xavier_uniform, xavier_normal = xavier_uniform_, xavier_normal_
kaiming_uniform, kaiming_normal = kaiming_uniform_, kaiming_normal_
eye, dirac, orthogonal, sparse = eye_, dirac_, orthogonal_, sparse_
