"""Activation layers: each a Module around the function of the same name.

``inplace=True`` is accepted for PyTorch compatibility and shown in ``repr``, but the
result is always a new tensor: overwriting the input would destroy what the gradient
rules of earlier operations saved.
"""
import warnings

from chainrule import functions as F
from chainrule.backend import xp
from chainrule.nn import init as _init
from chainrule.nn._inputs import factory_dtype, layer_input
from chainrule.nn.module import Module
from chainrule.nn.parameter import Parameter


class _InplaceActivation(Module):
    """An activation whose only argument is PyTorch's ``inplace`` (accepted, shown in repr)."""

    repr_shows_inplace = True     # as PyTorch's repr of each subclass

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def extra_repr(self):
        return "inplace=True" if self.inplace and self.repr_shows_inplace else ""


class ReLU(_InplaceActivation):
    """max(x, 0), elementwise."""

    def forward(self, input):
        return F.relu(input)


class LeakyReLU(Module):
    """x where x > 0, else negative_slope · x."""

    def __init__(self, negative_slope=0.01, inplace=False):
        super().__init__()
        self.negative_slope, self.inplace = negative_slope, inplace

    def forward(self, input):
        return F.leaky_relu(input, self.negative_slope)

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


class Sigmoid(Module):
    """1 / (1 + e^-x), elementwise."""

    def forward(self, input):
        return F.sigmoid(input)


class Tanh(Module):
    """tanh x, elementwise."""

    def forward(self, input):
        return F.tanh(input)


class GELU(Module):
    """x Φ(x) with Φ the standard normal CDF; ``approximate='tanh'`` for the tanh formula."""

    def __init__(self, approximate="none"):
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, input):
        return F.gelu(input, approximate=self.approximate)

    def extra_repr(self):
        return f"approximate={self.approximate!r}"


class ELU(Module):
    """x where x > 0, else alpha · (e^x - 1)."""

    def __init__(self, alpha=1.0, inplace=False):
        super().__init__()
        self.alpha, self.inplace = alpha, inplace

    def forward(self, input):
        return F.elu(input, self.alpha)

    def extra_repr(self):
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class Softplus(Module):
    """log(1 + e^(βx)) / β, and x itself where βx > threshold: a smooth ReLU."""

    def __init__(self, beta=1.0, threshold=20.0):
        super().__init__()
        self.beta, self.threshold = beta, threshold

    def forward(self, input):
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self):
        return f"beta={self.beta}, threshold={self.threshold}"


def _legacy_softmax_dim(ndim, name):
    # PyTorch's rule for a softmax built without dim: the last dim of a 0/1/3-d input, else 1
    warnings.warn(f"{name}: implicit dimension choice is deprecated; give dim= explicitly",
                  stacklevel=4)
    return 0 if ndim in (0, 1, 3) else 1


class Softmax(Module):
    """e^x / Σ e^x along ``dim``: turns scores into probabilities that sum to 1."""

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        input = F.as_tensor(input)
        dim = self.dim if self.dim is not None else _legacy_softmax_dim(input.ndim, "Softmax")
        return F.softmax(input, dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class LogSoftmax(Module):
    """x - log Σ e^x along ``dim``: log-probabilities, computed without overflow."""

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        input = F.as_tensor(input)
        dim = self.dim if self.dim is not None else _legacy_softmax_dim(input.ndim, "LogSoftmax")
        return F.log_softmax(input, dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class Softmin(Module):
    """e^-x / Σ e^-x along ``dim``: probabilities that favour the smallest entries."""

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        input = F.as_tensor(input)
        dim = self.dim if self.dim is not None else _legacy_softmax_dim(input.ndim, "Softmin")
        return F.softmin(input, dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class SiLU(_InplaceActivation):
    """x · sigmoid(x), elementwise (also called swish)."""

    def forward(self, input):
        return F.silu(input)


class Mish(_InplaceActivation):
    """x · tanh(softplus(x)), elementwise."""

    def forward(self, input):
        return F.mish(input)


class SELU(_InplaceActivation):
    """scale · elu(x, alpha) with SELU's fixed constants: keeps activations near unit variance."""

    def forward(self, input):
        return F.selu(input)


class Hardtanh(Module):
    """x limited to [min_val, max_val]; the gradient is 0 outside and at the bounds."""

    def __init__(self, min_val=-1.0, max_val=1.0, inplace=False):
        super().__init__()
        if not max_val > min_val:
            raise ValueError(f"{type(self).__name__}: max_val ({max_val}) must be greater than "
                             f"min_val ({min_val})")
        self.min_val, self.max_val, self.inplace = min_val, max_val, inplace

    def forward(self, input):
        return F.hardtanh(input, self.min_val, self.max_val)

    def extra_repr(self):
        return f"min_val={self.min_val}, max_val={self.max_val}" + (
            ", inplace=True" if self.inplace else "")


class ReLU6(Hardtanh):
    """min(max(x, 0), 6): a Hardtanh with bounds 0 and 6 (its subclass, as in PyTorch)."""

    def __init__(self, inplace=False):
        super().__init__(0.0, 6.0, inplace)

    def extra_repr(self):
        return "inplace=True" if self.inplace else ""


class Hardsigmoid(_InplaceActivation):
    """relu6(x + 3) / 6: a piecewise-linear sigmoid."""

    repr_shows_inplace = False

    def forward(self, input):
        return F.hardsigmoid(input)


class Hardswish(_InplaceActivation):
    """x · relu6(x + 3) / 6: a piecewise-quadratic SiLU."""

    repr_shows_inplace = False

    def forward(self, input):
        return F.hardswish(input)


class CELU(Module):
    """x where x > 0, else alpha · (e^(x/alpha) - 1)."""

    def __init__(self, alpha=1.0, inplace=False):
        super().__init__()
        self.alpha, self.inplace = alpha, inplace

    def forward(self, input):
        return F.celu(input, self.alpha)

    def extra_repr(self):
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class PReLU(Module):
    """x where x > 0, else a · x, with a learned slope ``a`` per channel (dim 1), or one for all.

    ``weight`` has shape (num_parameters,), every slope starting at ``init``, as PyTorch's,
    so state dicts load either way.

    >>> chainrule.nn.PReLU(3)(chainrule.ones(2, 3, 5)).shape
    (2, 3, 5)
    """

    def __init__(self, num_parameters=1, init=0.25, device=None, dtype=None):
        super().__init__()
        dtype = factory_dtype(dtype, device, "PReLU")
        self.num_parameters, self.init = int(num_parameters), init
        if self.num_parameters < 1:
            raise ValueError(f"PReLU: num_parameters must be at least 1, got {num_parameters}")
        self.weight = Parameter(xp.empty(self.num_parameters, dtype))
        self.reset_parameters()

    def reset_parameters(self):
        """Every slope set to ``init``."""
        _init.constant_(self.weight, self.init)

    def forward(self, input):
        input = layer_input(input, self.weight.dtype, "PReLU")
        channels = input.shape[1] if input.ndim >= 2 else 1
        if self.num_parameters not in (1, channels):
            raise ValueError(f"PReLU(num_parameters={self.num_parameters}) got an input of shape "
                             f"{input.shape}, which has {channels} channels (dim 1)")
        return F.prelu(input, self.weight)

    def extra_repr(self):
        return f"num_parameters={self.num_parameters}"


class LogSigmoid(Module):
    """log(sigmoid(x)), finite for any x."""

    def forward(self, input):
        return F.logsigmoid(input)


class Softsign(Module):
    """x / (1 + |x|), elementwise."""

    def forward(self, input):
        return F.softsign(input)


class Tanhshrink(Module):
    """x - tanh(x), elementwise."""

    def forward(self, input):
        return F.tanhshrink(input)


class _Shrink(Module):
    """An activation that zeroes the inputs in [-lambd, lambd]."""

    def __init__(self, lambd=0.5):
        super().__init__()
        self.lambd = lambd

    def extra_repr(self):
        return str(self.lambd)


class Softshrink(_Shrink):
    """x - lambd where x > lambd, x + lambd where x < -lambd, else 0."""

    def forward(self, input):
        return F.softshrink(input, self.lambd)


class Hardshrink(_Shrink):
    """x where |x| > lambd, else 0."""

    def forward(self, input):
        return F.hardshrink(input, self.lambd)


class Threshold(Module):
    """x where x > threshold, else value."""

    def __init__(self, threshold, value, inplace=False):
        super().__init__()
        self.threshold, self.value, self.inplace = threshold, value, inplace

    def forward(self, input):
        return F.threshold(input, self.threshold, self.value)

    def extra_repr(self):
        return f"threshold={self.threshold}, value={self.value}" + (
            ", inplace=True" if self.inplace else "")


class GLU(Module):
    """a · sigmoid(b), with a and b the two halves of the input along ``dim`` (its size must be even)."""

    def __init__(self, dim=-1):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.glu(input, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"
