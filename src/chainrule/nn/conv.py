"""Convolution layers: Conv1d, Conv2d, Conv3d, ConvTranspose1d and ConvTranspose2d, with
PyTorch's arguments and layouts.

A convolution slides a small learned kernel over the input and takes, at every position,
the dot product of the kernel with the window under it: the same weights everywhere, so
the layer finds a pattern wherever it occurs.  The arithmetic is one fused op
(``chainrule.ops.convolution``): a matrix product over a strided view of the input.

Weights: Conv (out, in/groups, *kernel); ConvTranspose (in, out/groups, *kernel), as PyTorch,
so state dicts load either way.
"""
import math
import numbers
import operator

from chainrule.functions import as_tensor, pad
from chainrule.nn import init
from chainrule.nn._inputs import factory_dtype, layer_input
from chainrule.nn.module import Module
from chainrule.nn.parameter import Parameter
from chainrule.backend import xp
from chainrule.ops import convolution as _conv
from chainrule.tensor import apply

PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


# --------------------------------------------------------------------------- argument checks
def _tuple(value, n, name, where, minimum):
    """An int or a sequence of ``n`` ints as a tuple of ``n`` ints, each >= ``minimum``."""
    items = tuple(value) if isinstance(value, (tuple, list)) else (value,) * n
    try:
        items = tuple(operator.index(v) for v in items)
    except TypeError:
        raise TypeError(f"{where}: {name} must be an int or a tuple of {n} ints, got {value!r}") from None
    if len(items) != n:
        raise ValueError(f"{where}: {name} must be an int or a tuple of {n} ints, got {value!r}")
    if any(v < minimum for v in items):
        raise ValueError(f"{where}: {name} must be >= {minimum}, got {value!r}")
    return items


def _padding_arg(padding, n, where):
    """``padding`` as given to a convolution: 'same', 'valid', or a tuple of ``n`` ints."""
    if isinstance(padding, str):
        if padding not in ("same", "valid"):
            raise ValueError(f"{where}: invalid padding string {padding!r}, should be one of "
                             "'valid', 'same'")
        return padding
    return _tuple(padding, n, "padding", where, 0)


def _pad_pairs(padding, kernel, stride, dilation, where):
    """(before, after) per spatial dim, flattened: 'same' pads d·(k-1) in all, the odd one after."""
    if padding == "valid":
        return (0,) * (2 * len(kernel))
    if padding == "same":
        if any(s != 1 for s in stride):
            raise ValueError(f"{where}: padding='same' is not supported for strided convolutions "
                             f"(stride={stride})")
        pairs = []
        for k, d in zip(kernel, dilation):
            total = d * (k - 1)
            pairs += [total // 2, total - total // 2]
        return tuple(pairs)
    return tuple(p for p in padding for _ in range(2))


def _check_groups(in_channels, out_channels, groups, where):
    if not isinstance(groups, numbers.Integral) or groups < 1:
        raise ValueError(f"{where}: groups must be a positive integer, got {groups!r}")
    if in_channels % groups:
        raise ValueError(f"{where}: in_channels ({in_channels}) must be divisible by groups ({groups})")
    if out_channels % groups:
        raise ValueError(f"{where}: out_channels ({out_channels}) must be divisible by groups ({groups})")


def _batched(input, spatial, channels, where):
    """``input`` (N, C, *spatial) or unbatched (C, *spatial), checked; returns (tensor, batched)."""
    dims = {1: "(N, C, L) or (C, L)", 2: "(N, C, H, W) or (C, H, W)",
            3: "(N, C, D, H, W) or (C, D, H, W)"}[spatial]
    if input.ndim not in (spatial + 1, spatial + 2):
        raise ValueError(f"{where} needs input of shape {dims}, got {input.ndim}-d input of shape "
                         f"{tuple(input.shape)}")
    batched = input.ndim == spatial + 2
    if not batched:
        input = input.unsqueeze(0)
    if input.shape[1] != channels:
        raise ValueError(f"{where} expects {channels} input channels, got input of shape "
                         f"{tuple(input.shape if batched else input.shape[1:])} with {input.shape[1]}")
    return input, batched


def _check_fits(input_shape, pads, kernel, dilation, where):
    padded = tuple(size + pads[2 * i] + pads[2 * i + 1] for i, size in enumerate(input_shape[2:]))
    reach = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation))
    if any(p < r for p, r in zip(padded, reach)):
        raise ValueError(f"{where}: input of shape {tuple(input_shape)} is {padded} after padding, "
                         f"smaller than the (dilated) kernel {reach}")


def _check_mode_padding(input_shape, pads, mode, where):
    sizes = input_shape[2:]
    for i, size in enumerate(sizes):
        largest = max(pads[2 * i], pads[2 * i + 1])
        if mode == "reflect" and largest >= size or mode == "circular" and largest > size:
            raise ValueError(f"{where}: padding {largest} is too large for padding_mode={mode!r} on "
                             f"an input of shape {tuple(input_shape)} (spatial size {size})")


def _weight_and_bias(input, weight, bias, spatial, where):
    weight = as_tensor(weight, where)
    if weight.ndim != spatial + 2:
        raise ValueError(f"{where}: weight must be {spatial + 2}-d (out, in/groups, *kernel), got "
                         f"shape {tuple(weight.shape)}")
    input = layer_input(input, weight.dtype, where)
    if bias is not None:
        bias = as_tensor(bias, where)
        if bias.dtype != weight.dtype:
            raise TypeError(f"{where}: bias has dtype {bias.dtype} but weight has {weight.dtype}")
    return input, weight, bias


def _convolve(input, weight, bias, stride, padding, dilation, groups, mode, spatial, where):
    """The shared body of every convolution: checks, then one Convolution op."""
    kernel = tuple(weight.shape[2:])
    in_channels = weight.shape[1] * groups
    input, batched = _batched(input, spatial, in_channels, where)
    pads = _pad_pairs(padding, kernel, stride, dilation, where)
    _check_fits(input.shape, pads, kernel, dilation, where)
    if mode != "zeros":
        _check_mode_padding(input.shape, pads, mode, where)
    if spatial == 3:
        out = _convolve3d(input, weight, bias, stride, pads, dilation, groups, mode)
        return out if batched else out.squeeze(0)
    op = _conv.Convolution(stride, pads, dilation, groups, mode)
    out = apply(op, input, weight) if bias is None else apply(op, input, weight, bias)
    return out if batched else out.squeeze(0)


_PAD_MODE = {"zeros": "constant", "reflect": "reflect", "replicate": "replicate", "circular": "circular"}


def _convolve3d(input, weight, bias, stride, pads, dilation, groups, mode):
    """A 3-d convolution as a sum over the kernel's depth offsets of 2-d ones.

    Offset i along D sees the input's depth slices i·dd, i·dd + sd, ...: one strided slab
    (N, C, D_out, H, W), run as N·D_out images through the 2-d op with the kernel slice
    W[:, :, i]; a loop over kd, never over voxels, and no 3-d im2col.
    """
    (d0, d1), hw_pads = pads[:2], pads[2:]
    if mode == "zeros":   # the 2-d op pads H and W itself; only D is padded here
        x = pad(input, (0, 0, 0, 0, d0, d1)) if d0 or d1 else input
    else:
        x, hw_pads = pad(input, pads[4:] + pads[2:4] + pads[:2], mode=_PAD_MODE[mode]), (0, 0, 0, 0)
    n, c, depth, h, w = x.shape
    kd, sd, dd = weight.shape[2], stride[0], dilation[0]
    d_out = (depth - dd * (kd - 1) - 1) // sd + 1
    op_args = (stride[1:], hw_pads, dilation[1:], groups)
    out = None
    for i in range(kd):
        slab = x[:, :, i * dd:i * dd + sd * (d_out - 1) + 1:sd].transpose(1, 2).reshape(n * d_out, c, h, w)
        y = apply(_conv.Convolution(*op_args), slab, weight[:, :, i])
        out = y if out is None else out + y
    out = out.reshape(n, d_out, *out.shape[1:]).transpose(1, 2)          # (N, O, D_out, H_out, W_out)
    return out if bias is None else out + bias.reshape(-1, 1, 1, 1)


def _functional_conv(input, weight, bias, stride, padding, dilation, groups, spatial, where):
    input, weight, bias = _weight_and_bias(input, weight, bias, spatial, where)
    stride = _tuple(stride, spatial, "stride", where, 1)
    dilation = _tuple(dilation, spatial, "dilation", where, 1)
    padding = _padding_arg(padding, spatial, where)
    _check_groups(weight.shape[1] * groups if isinstance(groups, numbers.Integral) else 0,
                  weight.shape[0], groups, where)
    if bias is not None and tuple(bias.shape) != (weight.shape[0],):
        raise ValueError(f"{where}: bias must have shape ({weight.shape[0]},) to match weight of "
                         f"shape {tuple(weight.shape)}, got {tuple(bias.shape)}")
    return _convolve(input, weight, bias, stride, padding, dilation, groups, "zeros", spatial, where)


# --------------------------------------------------------------------------- functions
def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-d convolution (cross-correlation, as in every DL library) over (N, C, L) or (C, L).

    y[n, o, t] = b[o] + Σ_{c, i} W[o, c, i] · x_pad[n, c, t·stride + i·dilation].
    Shapes: weight (out, in/groups, k), bias (out,); L_out = ⌊(L + 2p - d(k-1) - 1)/s⌋ + 1.
    ``padding``: int, (p,), 'valid' (none) or 'same' (L_out = L, stride 1 only).

    >>> conv1d(chainrule.ones(2, 3, 10), chainrule.ones(4, 3, 3)).shape
    (2, 4, 8)
    """
    return _functional_conv(input, weight, bias, stride, padding, dilation, groups, 1, "conv1d")


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-d convolution (cross-correlation) over (N, C, H, W) or (C, H, W).

    y[n, o, y, x] = b[o] + Σ_{c, i, j} W[o, c, i, j] · x_pad[n, c, y·sh + i·dh, x·sw + j·dw],
    c running over the input channels of o's group.  Shapes: weight (out, in/groups, kh, kw),
    bias (out,); H_out = ⌊(H + 2p - d(k-1) - 1)/s⌋ + 1, likewise W_out.  ``padding``: int,
    (ph, pw), 'valid' or 'same'.

    >>> conv2d(chainrule.ones(1, 1, 28, 28), chainrule.ones(6, 1, 5, 5), padding=2).shape
    (1, 6, 28, 28)
    """
    return _functional_conv(input, weight, bias, stride, padding, dilation, groups, 2, "conv2d")


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """3-d convolution (cross-correlation) over (N, C, D, H, W) or (C, D, H, W).

    y[n, o, z, y, x] = b[o] + Σ_{c, i, j, l} W[o, c, i, j, l] · x_pad[n, c, z·sd + i·dd, y·sh + j·dh,
    x·sw + l·dw]; weight (out, in/groups, kd, kh, kw), bias (out,); each output size as conv2d's.

    >>> conv3d(chainrule.ones(1, 2, 5, 6, 6), chainrule.ones(4, 2, 3, 3, 3), padding=1).shape
    (1, 4, 5, 6, 6)
    """
    return _functional_conv(input, weight, bias, stride, padding, dilation, groups, 3, "conv3d")


def _transpose_output_padding(input_shape, kernel, stride, padding, dilation, output_padding,
                              output_size, where):
    """``output_padding``, or the one that makes the output ``output_size`` (H, W) when given."""
    smallest = tuple((size - 1) * s - 2 * p + d * (k - 1) + 1 for size, k, s, p, d in
                     zip(input_shape[2:], kernel, stride, padding, dilation))
    if output_size is not None:
        output_size = tuple(output_size)[-len(kernel):]
        output_padding = tuple(o - m for o, m in zip(output_size, smallest))
        if any(not 0 <= op < max(s, d) for op, s, d in zip(output_padding, stride, dilation)):
            largest = tuple(m + max(s, d) - 1 for m, s, d in zip(smallest, stride, dilation))
            raise ValueError(f"{where}: requested output size {output_size} is not between "
                             f"{smallest} and {largest} for input of shape {tuple(input_shape)}")
    elif any(op >= max(s, d) for op, s, d in zip(output_padding, stride, dilation)):
        raise ValueError(f"{where}: output_padding {output_padding} must be smaller than either "
                         f"stride {stride} or dilation {dilation}")
    if any(m + op < 1 for m, op in zip(smallest, output_padding)):
        raise ValueError(f"{where}: input of shape {tuple(input_shape)} gives an empty output "
                         f"(size {tuple(m + op for m, op in zip(smallest, output_padding))})")
    return output_padding


def _transpose(input, weight, bias, stride, padding, output_padding, groups, dilation, where,
               output_size=None):
    kernel = tuple(weight.shape[2:])
    spatial = len(kernel)
    input, batched = _batched(input, spatial, weight.shape[0], where)
    output_padding = _transpose_output_padding(input.shape, kernel, stride, padding, dilation,
                                               output_padding, output_size, where)
    op = _conv.ConvolutionTranspose(stride, padding, output_padding, dilation, groups)
    out = apply(op, input, weight) if bias is None else apply(op, input, weight, bias)
    return out if batched else out.squeeze(0)


def _functional_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation,
                          spatial, where):
    input, weight, bias = _weight_and_bias(input, weight, bias, spatial, where)
    stride = _tuple(stride, spatial, "stride", where, 1)
    padding = _tuple(padding, spatial, "padding", where, 0)
    output_padding = _tuple(output_padding, spatial, "output_padding", where, 0)
    dilation = _tuple(dilation, spatial, "dilation", where, 1)
    _check_groups(weight.shape[0], weight.shape[1] * groups if isinstance(groups, numbers.Integral)
                  else 0, groups, where)
    out_channels = weight.shape[1] * groups
    if bias is not None and tuple(bias.shape) != (out_channels,):
        raise ValueError(f"{where}: bias must have shape ({out_channels},) to match weight of "
                         f"shape {tuple(weight.shape)} and groups={groups}, got {tuple(bias.shape)}")
    return _transpose(input, weight, bias, stride, padding, output_padding, groups, dilation, where)


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """1-d transposed convolution (the gradient of conv1d with respect to its input).

    Shapes: input (N, C_in, L) or (C_in, L), weight (C_in, C_out/groups, k), bias (C_out,);
    L_out = (L - 1)·s - 2p + d(k - 1) + output_padding + 1.

    >>> conv_transpose1d(chainrule.ones(1, 4, 5), chainrule.ones(4, 2, 3), stride=2).shape
    (1, 2, 11)
    """
    return _functional_transpose(input, weight, bias, stride, padding, output_padding, groups,
                                 dilation, 1, "conv_transpose1d")


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """2-d transposed convolution (the gradient of conv2d with respect to its input).

    Each input pixel scatters kernel-weighted copies of itself to the output: the usual way
    to upsample in decoders.  Shapes: input (N, C_in, H, W) or (C_in, H, W), weight
    (C_in, C_out/groups, kh, kw), bias (C_out,);
    H_out = (H - 1)·s - 2p + d(k - 1) + output_padding + 1, likewise W_out.

    >>> conv_transpose2d(chainrule.ones(1, 4, 5, 5), chainrule.ones(4, 2, 3, 3), stride=2).shape
    (1, 2, 11, 11)
    """
    return _functional_transpose(input, weight, bias, stride, padding, output_padding, groups,
                                 dilation, 2, "conv_transpose2d")


# --------------------------------------------------------------------------- layers
class _ConvNd(Module):
    """What the convolution layers share: arguments, parameters, initialization."""

    _spatial = 2
    _transposed = False

    def __init__(self, in_channels, out_channels, kernel_size, stride, padding, dilation, groups,
                 bias, padding_mode, output_padding, device, dtype):
        super().__init__()
        n, kind = self._spatial, type(self).__name__
        where = kind
        dtype = factory_dtype(dtype, device, kind)
        self.in_channels, self.out_channels = operator.index(in_channels), operator.index(out_channels)
        if self.in_channels < 1 or self.out_channels < 1:
            raise ValueError(f"{kind}: in_channels and out_channels must be positive, got "
                             f"{in_channels} and {out_channels}")
        _check_groups(self.in_channels, self.out_channels, groups, where)
        self.kernel_size = _tuple(kernel_size, n, "kernel_size", where, 1)
        self.stride = _tuple(stride, n, "stride", where, 1)
        self.padding = _padding_arg(padding, n, where)
        self.dilation = _tuple(dilation, n, "dilation", where, 1)
        self.output_padding = _tuple(output_padding, n, "output_padding", where, 0)
        self.groups, self.transposed = int(groups), self._transposed
        if padding_mode not in PADDING_MODES:
            raise ValueError(f"{kind}: padding_mode must be one of {', '.join(PADDING_MODES)}, got "
                             f"{padding_mode!r}")
        self.padding_mode = padding_mode
        if self.padding == "same" and any(s != 1 for s in self.stride):
            raise ValueError(f"{kind}: padding='same' is not supported for strided convolutions "
                             f"(stride={self.stride})")
        if self._transposed:
            shape = (self.in_channels, self.out_channels // self.groups) + self.kernel_size
        else:
            shape = (self.out_channels, self.in_channels // self.groups) + self.kernel_size
        self.weight = Parameter(xp.zeros(shape, dtype))
        if bias:
            self.bias = Parameter(xp.zeros(self.out_channels, dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        """PyTorch's default: W ~ Kaiming-uniform with a = √5, that is U(-1/√fan_in, 1/√fan_in),
        and b ~ U(-1/√fan_in, 1/√fan_in), fan_in = weight.shape[1] · kernel area."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def _name(self):
        return (f"{type(self).__name__}({self.in_channels}, {self.out_channels}, "
                f"kernel_size={self.kernel_size})")

    def extra_repr(self):
        n = self._spatial
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
             f"stride={self.stride}")
        if self.padding != (0,) * n:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * n:
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * n:
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class _Conv(_ConvNd):
    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
                 groups=1, bias=True, padding_mode="zeros", device=None, dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups,
                         bias, padding_mode, 0, device, dtype)

    def forward(self, input):
        where = self._name()
        weight = self.weight   # read once: a parametrized weight is computed on each read
        input = layer_input(input, weight.dtype, where)
        return _convolve(input, weight, self.bias, self.stride, self.padding, self.dilation,
                         self.groups, self.padding_mode, self._spatial, where)


class Conv1d(_Conv):
    """1-d convolution over (N, C_in, L) or (C_in, L) -> (N, C_out, L_out); see ``conv1d``.

    weight (out_channels, in_channels/groups, k), bias (out_channels,).  ``padding``: int,
    'valid' or 'same'; ``padding_mode``: 'zeros', 'reflect', 'replicate' or 'circular'.

    >>> chainrule.nn.Conv1d(3, 8, 5, padding="same")(chainrule.randn(2, 3, 20)).shape
    (2, 8, 20)
    """

    _spatial = 1


class Conv2d(_Conv):
    """2-d convolution over (N, C_in, H, W) or (C_in, H, W) -> (N, C_out, H_out, W_out).

    weight (out_channels, in_channels/groups, kh, kw), bias (out_channels,); see ``conv2d``
    for the formula.  ``padding``: int, (ph, pw), 'valid' or 'same'; ``padding_mode``:
    'zeros', 'reflect', 'replicate' or 'circular'.  ``groups`` splits the channels into
    independent convolutions (groups = in_channels: depthwise).

    >>> chainrule.nn.Conv2d(1, 6, 5, padding=2)(chainrule.randn(64, 1, 28, 28)).shape
    (64, 6, 28, 28)
    """

    _spatial = 2


class Conv3d(_Conv):
    """3-d convolution over (N, C_in, D, H, W) or (C_in, D, H, W) -> (N, C_out, D_out, H_out, W_out).

    weight (out_channels, in_channels/groups, kd, kh, kw), bias (out_channels,); see ``conv3d``.
    Arguments as Conv2d's, with 3 entries per size.

    >>> chainrule.nn.Conv3d(2, 4, 3, padding=1)(chainrule.randn(1, 2, 5, 6, 6)).shape
    (1, 4, 5, 6, 6)
    """

    _spatial = 3


class _ConvTransposeNd(_ConvNd):
    _transposed = True

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 output_padding=0, groups=1, bias=True, dilation=1, padding_mode="zeros",
                 device=None, dtype=None):
        kind, n = type(self).__name__, self._spatial
        if padding_mode != "zeros":
            raise ValueError(f"{kind}: only padding_mode='zeros' is supported, got {padding_mode!r}")
        if isinstance(padding, str):
            raise ValueError(f"{kind}: padding must be an int or a tuple of {n} ints, got {padding!r}")
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups,
                         bias, padding_mode, output_padding, device, dtype)
        if any(op >= max(s, d) for op, s, d in zip(self.output_padding, self.stride, self.dilation)):
            raise ValueError(f"{kind}: output_padding {self.output_padding} must be smaller "
                             f"than either stride {self.stride} or dilation {self.dilation}")

    def forward(self, input, output_size=None):
        where = self._name()
        weight = self.weight   # read once: a parametrized weight is computed on each read
        input = layer_input(input, weight.dtype, where)
        return _transpose(input, weight, self.bias, self.stride, self.padding,
                          self.output_padding, self.groups, self.dilation, where, output_size)


class ConvTranspose1d(_ConvTransposeNd):
    """1-d transposed convolution (learned upsampling): (N, C_in, L) -> (N, C_out, L_out).

    weight (in_channels, out_channels/groups, k), bias (out_channels,);
    L_out = (L - 1)·stride - 2·padding + dilation·(k - 1) + output_padding + 1.
    ``forward(input, output_size=None)`` as ConvTranspose2d's.

    >>> chainrule.nn.ConvTranspose1d(16, 8, 2, stride=2)(chainrule.randn(4, 16, 7)).shape
    (4, 8, 14)
    """

    _spatial = 1


class ConvTranspose2d(_ConvTransposeNd):
    """2-d transposed convolution (learned upsampling): (N, C_in, H, W) -> (N, C_out, H_out, W_out).

    weight (in_channels, out_channels/groups, kh, kw), bias (out_channels,);
    H_out = (H - 1)·stride - 2·padding + dilation·(k - 1) + output_padding + 1.
    ``forward(input, output_size=None)``: ``output_size`` picks the output_padding that
    gives that size, as PyTorch's.

    >>> chainrule.nn.ConvTranspose2d(16, 8, 2, stride=2)(chainrule.randn(4, 16, 7, 7)).shape
    (4, 8, 14, 14)
    """

    _spatial = 2
