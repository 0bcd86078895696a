"""Linear (fully connected) layers: y = x Wᵀ + b and the bilinear y = x₁ᵀ A x₂ + b, and the
Identity placeholder."""
import math
import numbers

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
        weight = self.weight   # read once: a parametrized weight is computed on each read
        input = layer_input(input, weight.dtype, self._name())
        if input.ndim == 0 or input.shape[-1] != self.in_features:
            width = "a 0-d input" if input.ndim == 0 else f"input of width {input.shape[-1]}"
            raise ValueError(f"{self._name()} got {width} (input shape {input.shape}); expected "
                             f"shape (*, {self.in_features})")
        if self.bias is None:
            return apply(_linear.Linear(), input, weight)
        return apply(_linear.Linear(), input, weight, self.bias)

    def _name(self):
        return f"Linear({self.in_features} -> {self.out_features})"

    def extra_repr(self):
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


def bilinear(input1, input2, weight, bias=None):
    """y_k = input1 · weight[k] · input2 + bias[k]: one bilinear form per output feature.

    Shapes: input1 (*, in1), input2 (*, in2) with the same leading dims, weight
    (out, in1, in2), bias (out,) or None -> y (*, out).  Computed as two matrix products,
    (input1 · A reshaped to (in1, out·in2)) then one batched product with input2.

    >>> bilinear(chainrule.ones(5, 3), chainrule.ones(5, 4), chainrule.ones(2, 3, 4)).shape
    (5, 2)
    """
    where = "bilinear"
    weight = as_tensor(weight, where)
    input1 = layer_input(input1, weight.dtype, where)
    input2 = layer_input(input2, weight.dtype, where)
    if weight.ndim != 3:
        raise ValueError(f"{where}: weight must have shape (out_features, in1_features, "
                         f"in2_features), got {weight.shape}")
    out, in1, in2 = weight.shape
    if (input1.ndim == 0 or input2.ndim != input1.ndim or input1.shape[:-1] != input2.shape[:-1]
            or input1.shape[-1] != in1 or input2.shape[-1] != in2):
        raise ValueError(f"{where}: inputs of shapes {input1.shape} and {input2.shape} do not fit "
                         f"weight of shape {weight.shape}: expected (*, {in1}) and (*, {in2}) with "
                         "the same leading dims")
    if bias is not None:
        bias = as_tensor(bias, where)
        if bias.shape != (out,):
            raise ValueError(f"{where}: bias must have shape ({out},) to match weight of shape "
                             f"{weight.shape}, got {bias.shape}")
    lead = input1.shape[:-1]
    left = input1.reshape(-1, in1) @ weight.permute(1, 0, 2).reshape(in1, out * in2)
    y = (left.reshape(-1, out, in2) @ input2.reshape(-1, in2, 1)).reshape(*lead, out)
    return y if bias is None else y + bias


class Bilinear(Module):
    """Bilinear layer: y_k = x₁ᵀ A_k x₂ + b_k for x₁ of shape (*, in1_features) and x₂ of
    shape (*, in2_features).

    ``weight`` (out_features, in1_features, in2_features) and ``bias`` (out_features,) are
    initialized, as PyTorch does, from U(-1/√in1_features, 1/√in1_features).

    >>> layer = chainrule.nn.Bilinear(20, 30, 40)
    >>> layer(chainrule.randn(128, 20), chainrule.randn(128, 30)).shape
    (128, 40)
    """

    def __init__(self, in1_features, in2_features, out_features, bias=True, device=None,
                 dtype=None):
        super().__init__()
        dtype = factory_dtype(dtype, device, "Bilinear")
        sizes = (in1_features, in2_features, out_features)
        if not all(isinstance(s, numbers.Integral) and not isinstance(s, bool) and s > 0
                   for s in sizes):
            raise ValueError(f"Bilinear: sizes must be positive integers, got in1_features="
                             f"{in1_features}, in2_features={in2_features}, out_features="
                             f"{out_features}")
        self.in1_features, self.in2_features, self.out_features = (int(s) for s in sizes)
        self.weight = Parameter(xp.zeros((out_features, in1_features, in2_features), dtype))
        self.register_parameter("bias", Parameter(xp.zeros(out_features, dtype)) if bias else None)
        self.reset_parameters()

    def reset_parameters(self):
        """PyTorch's default initialization (see the class docstring)."""
        bound = 1 / math.sqrt(self.in1_features)
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1, input2):
        try:
            return bilinear(input1, input2, self.weight, self.bias)
        except ValueError as error:   # name the layer, not the function
            raise ValueError(str(error).replace("bilinear", repr(self), 1)) from None

    def extra_repr(self):
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")


class Identity(Module):
    """Returns its input unchanged; a placeholder where an architecture needs a layer.

    Any constructor arguments are accepted and ignored, as in PyTorch.
    """

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, input):
        return input
