"""Activation layers: each a Module around the function of the same name.

``inplace=True`` is accepted for PyTorch compatibility and shown in ``repr``, but the
result is always a new tensor: overwriting the input would destroy what the gradient
rules of earlier operations saved.
"""
import warnings

from chainrule import functions as F
from chainrule.nn.module import Module


class ReLU(Module):
    """max(x, 0), elementwise."""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return F.relu(input)

    def extra_repr(self):
        return "inplace=True" if self.inplace else ""


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
