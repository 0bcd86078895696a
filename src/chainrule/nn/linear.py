"""Linear (fully connected) layers: y = x Wᵀ + b, and the Identity placeholder."""
import math

from chainrule.backend import xp
from chainrule.functions import as_tensor
from chainrule.nn import init
from chainrule.nn._inputs import factory_dtype, layer_input
from chainrule.nn.module import Module
from chainrule.nn.parameter import Parameter
from chainrule.ops import linear as _linear
from chainrule.tensor import apply


def linear(input, weight, bias=None):
    """y = input @ weightᵀ + bias, as one op.

    Shapes: input (*, in), weight (out, in), bias (out,) or None -> y (*, out).
    The three must share one floating dtype.

    >>> linear(chainrule.ones(2, 3), chainrule.ones(4, 3)).shape
    (2, 4)
    """
    weight = as_tensor(weight, "linear")
    input = layer_input(input, weight.dtype, "linear")
    if weight.ndim != 2:
        raise ValueError(f"linear: weight must have shape (out_features, in_features), got "
                         f"{weight.shape}")
    if input.ndim == 0 or input.shape[-1] != weight.shape[1]:
        raise ValueError(f"linear: input of shape {input.shape} does not fit weight of shape "
                         f"{weight.shape}: the input's last dim must be {weight.shape[1]}")
    if bias is None:
        return apply(_linear.Linear(), input, weight)
    bias = as_tensor(bias, "linear")
    if bias.shape != (weight.shape[0],):
        raise ValueError(f"linear: bias must have shape ({weight.shape[0]},) to match weight of "
                         f"shape {weight.shape}, got {bias.shape}")
    if bias.dtype != weight.dtype:
        raise TypeError(f"linear: bias has dtype {bias.dtype} but weight has {weight.dtype}")
    return apply(_linear.Linear(), input, weight, bias)


class Linear(Module):
    """Fully connected layer: y = x Wᵀ + b for x of shape (*, in_features).

    ``weight`` has shape (out_features, in_features), as PyTorch's, so state dicts load
    either way.  Initialization is PyTorch's: W ~ U(-1/√in, 1/√in) (Kaiming-uniform with
    a = √5) and b ~ U(-1/√in, 1/√in).

    >>> layer = chainrule.nn.Linear(784, 512)
    >>> layer(chainrule.randn(32, 784)).shape
    (32, 512)
    """

    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        dtype = factory_dtype(dtype, device, "Linear")
        self.in_features, self.out_features = int(in_features), int(out_features)
        if self.in_features < 0 or self.out_features < 0:
            raise ValueError(f"Linear: sizes must be non-negative, got in_features={in_features}, "
                             f"out_features={out_features}")
        self.weight = Parameter(xp.zeros((self.out_features, self.in_features), dtype))
        if bias:
            self.bias = Parameter(xp.zeros(self.out_features, dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        """PyTorch's default initialization (see the class docstring)."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input):
        input = layer_input(input, self.weight.dtype, self._name())
        if input.ndim == 0 or input.shape[-1] != self.in_features:
            width = "a 0-d input" if input.ndim == 0 else f"input of width {input.shape[-1]}"
            raise ValueError(f"{self._name()} got {width} (input shape {input.shape}); expected "
                             f"shape (*, {self.in_features})")
        if self.bias is None:
            return apply(_linear.Linear(), input, self.weight)
        return apply(_linear.Linear(), input, self.weight, self.bias)

    def _name(self):
        return f"Linear({self.in_features} -> {self.out_features})"

    def extra_repr(self):
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class Identity(Module):
    """Returns its input unchanged; a placeholder where an architecture needs a layer.

    Any constructor arguments are accepted and ignored, as in PyTorch.
    """

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, input):
        return input
