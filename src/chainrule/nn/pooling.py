"""Pooling layers: max, average and power-average (LP) pooling over sliding windows, adaptive
average and max pooling, and max unpooling; 1-d and 2-d, and 3-d max, average and adaptive average.

Shapes follow PyTorch: 2-d pooling takes (N, C, H, W) or an unbatched (C, H, W); 1-d pooling
takes (N, C, L) or (C, L).  The arguments (kernel_size, stride, padding, dilation, ceil_mode)
mean what they mean in PyTorch, down to its output-size formula and its rule that padding may
be at most half the kernel.
"""
import numbers

from chainrule.backend import xp
from chainrule import functions as _fn
from chainrule.nn._inputs import layer_input
from chainrule.nn.module import Module
from chainrule.ops import pooling as _pooling
from chainrule.ops import resampling as _resampling
from chainrule.tensor import Tensor, apply


def _int_tuple(value, n, name, where, minimum):
    """``value`` (an int or n ints) as a tuple of n ints, each at least ``minimum``."""
    items = (value,) * n if isinstance(value, numbers.Integral) else tuple(value)
    if len(items) != n or not all(isinstance(v, numbers.Integral) and not isinstance(v, bool)
                                  for v in items):
        raise ValueError(f"{where}: {name} must be an int or a tuple of {n} ints, got {value!r}")
    if any(v < minimum for v in items):
        raise ValueError(f"{where}: {name} must be {'positive' if minimum else 'non-negative'}, "
                         f"got {value!r}")
    return tuple(int(v) for v in items)


def _geometry(where, n, kernel_size, stride, padding, dilation=1):
    """Kernel, stride, padding and dilation as n-tuples; stride None (or empty) means the kernel."""
    kernel = _int_tuple(kernel_size, n, "kernel_size", where, 1)
    stride = kernel if stride is None or stride == () or stride == [] else \
        _int_tuple(stride, n, "stride", where, 1)
    padding = _int_tuple(padding, n, "padding", where, 0)
    dilation = _int_tuple(dilation, n, "dilation", where, 1)
    for k, p in zip(kernel, padding):
        if p > k // 2:
            raise ValueError(f"{where}: padding should be at most half of kernel size, but got "
                             f"padding={padding[0] if n == 1 else padding} and kernel_size="
                             f"{kernel[0] if n == 1 else kernel}")
    return kernel, stride, padding, dilation


def _spatial_input(input, n, where):
    """The input as a floating tensor with n spatial axes after (N, C) or (C); a clear error otherwise."""
    input = layer_input(input, None, where)
    ranks = (n + 1, n + 2)
    if input.ndim not in ranks:
        layout = {1: "(N, C, L) or (C, L)", 2: "(N, C, H, W) or (C, H, W)",
                  3: "(N, C, D, H, W) or (C, D, H, W)"}[n]
        raise ValueError(f"{where} expects a {ranks[0]}-d or {ranks[1]}-d input {layout}, "
                         f"got shape {input.shape}")
    if any(size == 0 for size in input.shape[-n - 1:]):
        raise ValueError(f"{where} expects non-empty channel and spatial sizes, got shape {input.shape}")
    return input


def _pool(op, input, n, where):
    """Run a 2-d pooling op (1-d pooling views (..., L) as (..., 1, L)), or say why no window fits."""
    x = input if n == 2 else input.unsqueeze(-2)
    out, _ = op._geometry(x.data)
    if min(out) < 1:
        raise ValueError(f"{where}: input of shape {input.shape} is smaller than the kernel: "
                         f"kernel_size={op.kernel[2 - n:]}, padding={op.padding[2 - n:]} and "
                         f"dilation={op.dilation[2 - n:]} give an output of spatial size "
                         f"{out[2 - n:]}")
    y = apply(op, x)
    return y if n == 2 else y.squeeze(-2)


def _max_pool(input, n, where, kernel_size, stride, padding, dilation, ceil_mode, return_indices):
    kernel, stride, padding, dilation = _geometry(where, n, kernel_size, stride, padding, dilation)
    if n == 3:
        return _max_pool3d(input, where, kernel, stride, padding, dilation, ceil_mode, return_indices)
    input = _spatial_input(input, n, where)
    pad1 = (1,) if n == 1 else ()
    pad0 = (0,) if n == 1 else ()
    op = _pooling.MaxPool2d(pad1 + kernel, pad1 + stride, pad0 + padding, pad1 + dilation,
                            bool(ceil_mode))
    output = _pool(op, input, n, where)
    if not return_indices:
        return output
    indices = op.indices()
    return output, Tensor(indices if n == 2 else indices[..., 0, :])


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """The maximum over each window of length ``kernel_size`` of (N, C, L) or (C, L).

    L_out = floor((L + 2·padding - dilation·(kernel_size-1) - 1) / stride) + 1; padding
    counts as -inf.  The gradient goes to each window's maximum (the first one on ties).
    With ``return_indices``, also the position of each maximum along L (int64).

    >>> max_pool1d(chainrule.tensor([[[1.0, 3.0, 2.0, 0.0]]]), 2).tolist()
    [[[3.0, 2.0]]]
    """
    return _max_pool(input, 1, "max_pool1d", kernel_size, stride, padding, dilation, ceil_mode,
                     return_indices)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """The maximum over each kernel_size window of (N, C, H, W) or (C, H, W).

    Output size per axis: floor((in + 2·padding - dilation·(kernel-1) - 1) / stride) + 1
    (ceil with ``ceil_mode``); padding counts as -inf; stride defaults to kernel_size.
    The gradient goes to each window's maximum (the first in row-major order on ties, as
    PyTorch).  With ``return_indices``, also each maximum's flat position in its H·W plane.

    >>> max_pool2d(chainrule.arange(16.0).reshape(1, 1, 4, 4), 2).tolist()
    [[[[5.0, 7.0], [13.0, 15.0]]]]
    """
    return _max_pool(input, 2, "max_pool2d", kernel_size, stride, padding, dilation, ceil_mode,
                     return_indices)


def _avg_pool(input, n, where, kernel_size, stride, padding, ceil_mode, count_include_pad,
              divisor_override=None):
    kernel, stride, padding, _ = _geometry(where, n, kernel_size, stride, padding)
    if divisor_override is not None and (isinstance(divisor_override, bool) or
                                         not isinstance(divisor_override, numbers.Integral) or
                                         divisor_override == 0):
        raise ValueError(f"{where}: divisor_override must be a non-zero int, got {divisor_override!r}")
    if n == 3:
        return _avg_pool3d(input, where, kernel, stride, padding, ceil_mode, count_include_pad,
                           divisor_override)
    input = _spatial_input(input, n, where)
    pad1, pad0 = (1,) * (2 - n), (0,) * (2 - n)
    op = _pooling.AvgPool2d(pad1 + kernel, pad1 + stride, pad0 + padding, bool(ceil_mode),
                            bool(count_include_pad), divisor_override)
    return _pool(op, input, n, where)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """The mean over each window of length ``kernel_size`` of (N, C, L) or (C, L).

    L_out = floor((L + 2·padding - kernel_size) / stride) + 1 (ceil with ``ceil_mode``);
    padding counts as zeros, and in the divisor only when ``count_include_pad``.

    >>> avg_pool1d(chainrule.tensor([[[1.0, 3.0, 2.0, 0.0]]]), 2).tolist()
    [[[2.0, 1.0]]]
    """
    return _avg_pool(input, 1, "avg_pool1d", kernel_size, stride, padding, ceil_mode,
                     count_include_pad)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """The mean over each kernel_size window of (N, C, H, W) or (C, H, W).

    Padding counts as zeros.  The divisor is the window's size (its zero padding included
    when ``count_include_pad``, and its overhang past the padded input, with ``ceil_mode``,
    never), or ``divisor_override``.

    >>> avg_pool2d(chainrule.arange(16.0).reshape(1, 1, 4, 4), 2).tolist()
    [[[[2.5, 4.5], [10.5, 12.5]]]]
    """
    return _avg_pool(input, 2, "avg_pool2d", kernel_size, stride, padding, ceil_mode,
                     count_include_pad, divisor_override)


def _adaptive_size(output_size, input, n, where):
    """``output_size`` (an int, or n of them with None meaning 'the input's size') as n ints."""
    items = (output_size,) * n if isinstance(output_size, numbers.Integral) or output_size is None \
        else tuple(output_size)
    if len(items) != n:
        raise ValueError(f"{where}: output_size must be an int{({2: ' or a pair', 3: ' or a triple'}).get(n, '')}, "
                         f"got {output_size!r}")
    sizes = tuple(input.shape[-n + a] if s is None else s for a, s in enumerate(items))
    if not all(isinstance(s, numbers.Integral) and not isinstance(s, bool) and s >= 1 for s in sizes):
        raise ValueError(f"{where}: output_size must hold positive ints (or None), got {output_size!r}")
    return tuple(int(s) for s in sizes)


def adaptive_avg_pool1d(input, output_size):
    """Average (N, C, L) or (C, L) down to (..., ``output_size``), whatever L is.

    Output cell i averages positions floor(i·L/OL) to ceil((i+1)·L/OL) - 1, as PyTorch.

    >>> adaptive_avg_pool1d(chainrule.ones(2, 3, 7), 2).shape
    (2, 3, 2)
    """
    where = "adaptive_avg_pool1d"
    input = _spatial_input(input, 1, where)
    size = (1,) + _adaptive_size(output_size, input, 1, where)
    return apply(_pooling.AdaptiveAvgPool2d(size), input.unsqueeze(-2)).squeeze(-2)


def adaptive_avg_pool2d(input, output_size):
    """Average (N, C, H, W) or (C, H, W) down to (..., OH, OW), whatever H and W are.

    Output cell i along H averages rows floor(i·H/OH) to ceil((i+1)·H/OH) - 1 (PyTorch's
    windows; likewise along W).  ``output_size`` is an int or a pair; None keeps that size.

    >>> adaptive_avg_pool2d(chainrule.ones(2, 3, 7, 5), 1).shape
    (2, 3, 1, 1)
    """
    where = "adaptive_avg_pool2d"
    input = _spatial_input(input, 2, where)
    return apply(_pooling.AdaptiveAvgPool2d(_adaptive_size(output_size, input, 2, where)), input)


class _MaxPoolNd(Module):
    _n = 2

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False,
                 ceil_mode=False):
        super().__init__()
        _geometry(type(self).__name__, self._n, kernel_size, stride, padding, dilation)  # fail early
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding, self.dilation = padding, dilation
        self.return_indices, self.ceil_mode = return_indices, ceil_mode

    def forward(self, input):
        return _max_pool(input, self._n, self._name(), self.kernel_size, self.stride, self.padding,
                         self.dilation, self.ceil_mode, self.return_indices)

    def _name(self):
        return f"{type(self).__name__}({self.extra_repr()})"

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class MaxPool1d(_MaxPoolNd):
    """The maximum over windows of length ``kernel_size`` sliding along L of (N, C, L) or (C, L);
    see ``max_pool1d``.  ``stride`` defaults to ``kernel_size``.

    >>> chainrule.nn.MaxPool1d(2)(chainrule.ones(8, 4, 10)).shape
    (8, 4, 5)
    """
    _n = 1


class MaxPool2d(_MaxPoolNd):
    """The maximum over kernel_size windows of (N, C, H, W) or (C, H, W); see ``max_pool2d``.
    ``stride`` defaults to ``kernel_size``; padding counts as -inf.

    >>> chainrule.nn.MaxPool2d(2)(chainrule.ones(64, 6, 28, 28)).shape
    (64, 6, 14, 14)
    """
    _n = 2


class _AvgPoolNd(Module):
    _n = 2

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
                 divisor_override=None):
        super().__init__()
        name = type(self).__name__
        _geometry(name, self._n, kernel_size, stride, padding)  # fail early
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding, self.ceil_mode = padding, ceil_mode
        self.count_include_pad, self.divisor_override = count_include_pad, divisor_override

    def forward(self, input):
        where = f"{type(self).__name__}({self.extra_repr()})"   # name the layer, not the function
        return _avg_pool(input, self._n, where, self.kernel_size, self.stride, self.padding,
                         self.ceil_mode, self.count_include_pad, self.divisor_override)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool1d(_AvgPoolNd):
    """The mean over windows of length ``kernel_size`` along L of (N, C, L) or (C, L); see
    ``avg_pool1d``.  Sizes are kept as 1-tuples, as PyTorch does (and prints).

    >>> chainrule.nn.AvgPool1d(2)(chainrule.ones(8, 3, 6)).shape
    (8, 3, 3)
    """
    _n = 1

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
        super().__init__(kernel_size, stride, padding, ceil_mode, count_include_pad)
        self.kernel_size, self.stride, self.padding = (
            _int_tuple(v, 1, name, "AvgPool1d", 0)
            for v, name in ((self.kernel_size, "kernel_size"), (self.stride, "stride"),
                            (self.padding, "padding")))


class AvgPool2d(_AvgPoolNd):
    """The mean over kernel_size windows of (N, C, H, W) or (C, H, W); see ``avg_pool2d``.

    >>> chainrule.nn.AvgPool2d(2)(chainrule.ones(8, 3, 6, 6)).shape
    (8, 3, 3, 3)
    """
    _n = 2


class _AdaptiveAvgPoolNd(Module):
    _function = None

    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def forward(self, input):
        function = type(self)._function
        try:
            return function(input, self.output_size)
        except ValueError as error:
            raise ValueError(str(error).replace(function.__name__, repr(self), 1)) from None

    def extra_repr(self):
        return f"output_size={self.output_size}"


class AdaptiveAvgPool1d(_AdaptiveAvgPoolNd):
    """Average (N, C, L) or (C, L) down to ``output_size`` whatever L is; see
    ``adaptive_avg_pool1d``.

    >>> chainrule.nn.AdaptiveAvgPool1d(4)(chainrule.ones(2, 8, 9)).shape
    (2, 8, 4)
    """
    _function = adaptive_avg_pool1d


class AdaptiveAvgPool2d(_AdaptiveAvgPoolNd):
    """Average (N, C, H, W) or (C, H, W) down to ``output_size`` whatever the input's size;
    see ``adaptive_avg_pool2d``.  AdaptiveAvgPool2d(1) is global average pooling.

    >>> chainrule.nn.AdaptiveAvgPool2d((2, 3))(chainrule.ones(4, 8, 7, 9)).shape
    (4, 8, 2, 3)
    """
    _function = adaptive_avg_pool2d


# --------------------------------------------------------------------------- adaptive max, unpooling, power-average
def _adaptive_max_pool(input, output_size, return_indices, n, where):
    input = _spatial_input(input, n, where)
    size = (1,) * (2 - n) + _adaptive_size(output_size, input, n, where)
    x = input if n == 2 else input.unsqueeze(-2)
    op = _pooling.AdaptiveMaxPool2d(size)
    output = apply(op, x)
    output = output if n == 2 else output.squeeze(-2)
    if not return_indices:
        return output
    indices = op.flat_index if n == 2 else op.flat_index[..., 0, :]
    return output, Tensor(indices.astype("int64", copy=False))


def adaptive_max_pool1d(input, output_size, return_indices=False):
    """The maximum over ``output_size`` adaptive windows along L of (N, C, L) or (C, L).

    Window i covers positions floor(i·L/OL) to ceil((i+1)·L/OL) - 1 (as adaptive average
    pooling).  With ``return_indices``, also each maximum's position along L (int64).

    >>> adaptive_max_pool1d(chainrule.tensor([[[1.0, 3.0, 2.0, 0.0, 5.0]]]), 2).tolist()
    [[[3.0, 5.0]]]
    """
    return _adaptive_max_pool(input, output_size, return_indices, 1, "adaptive_max_pool1d")


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """The maximum over adaptive windows of (N, C, H, W) or (C, H, W), down to (..., OH, OW).

    The windows are those of ``adaptive_avg_pool2d``; the gradient goes to each window's first
    maximum in row-major order.  With ``return_indices``, also each maximum's flat position in
    its H·W plane (int64), as ``max_unpool2d`` takes.

    >>> adaptive_max_pool2d(chainrule.ones(2, 3, 7, 5), (2, 3)).shape
    (2, 3, 2, 3)
    """
    return _adaptive_max_pool(input, output_size, return_indices, 2, "adaptive_max_pool2d")


def _unpool_size(input, kernel, stride, padding, output_size, n, where):
    """The unpooled spatial size: (in - 1)·stride - 2·padding + kernel, or ``output_size`` if
    given (its last n entries), which must lie strictly within one stride of that."""
    default = tuple((size - 1) * s - 2 * p + k for size, k, s, p in
                    zip(input.shape[-n:], kernel, stride, padding))
    if output_size is None:
        sizes = default
    else:
        sizes = tuple(output_size)[-n:] if len(tuple(output_size)) > n else tuple(output_size)
        if len(sizes) != n or not all(d - s < o < d + s for o, d, s in zip(sizes, default, stride)):
            low = tuple(d - s + 1 for d, s in zip(default, stride))
            high = tuple(d + s - 1 for d, s in zip(default, stride))
            raise ValueError(f"{where}: output_size {tuple(output_size)} must give each of the {n} "
                             f"spatial sizes between {low} and {high} for input of shape {input.shape}")
    if min(sizes) < 1:
        raise ValueError(f"{where}: input of shape {input.shape} unpools to an empty size {sizes}")
    return sizes


def _unpool_geometry(kernel_size, stride, padding, n, where):
    """Kernel, stride (None: the kernel) and padding as n-tuples; unlike pooling, any padding."""
    kernel = _int_tuple(kernel_size, n, "kernel_size", where, 1)
    stride = kernel if stride is None else _int_tuple(stride, n, "stride", where, 1)
    return kernel, stride, _int_tuple(padding, n, "padding", where, 0)


def _max_unpool(input, indices, kernel_size, stride, padding, output_size, n, where):
    input = _spatial_input(input, n, where)
    kernel, stride, padding = _unpool_geometry(kernel_size, stride, padding, n, where)
    index = indices.data if isinstance(indices, Tensor) else xp.asarray(indices)
    if tuple(index.shape) != tuple(input.shape) or index.dtype.kind not in "iu":
        raise ValueError(f"{where}: indices must be integers of the input's shape {input.shape}, got "
                         f"{index.dtype} of shape {tuple(index.shape)}")
    sizes = _unpool_size(input, kernel, stride, padding, output_size, n, where)
    plane = sizes[0] * (sizes[1] if n == 2 else 1)
    if index.size and (index.min() < 0 or index.max() >= plane):
        bad = index.min() if index.min() < 0 else index.max()
        raise IndexError(f"{where}: index {int(bad)} is outside the output's {plane} positions "
                         f"(spatial size {sizes})")
    hw = sizes if n == 2 else (1,) + sizes
    x = input if n == 2 else input.unsqueeze(-2)
    index = index if n == 2 else index[..., None, :]
    y = apply(_pooling.MaxUnpool2d(index.astype("int64", copy=False), hw), x)
    return y if n == 2 else y.squeeze(-2)


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """The partial inverse of ``max_pool1d``: each value of (N, C, L) or (C, L) put back at its
    ``indices`` (from max_pool1d(..., return_indices=True)), zeros elsewhere.

    L_out = (L - 1)·stride - 2·padding + kernel_size, or ``output_size``.

    >>> x, i = max_pool1d(chainrule.tensor([[[1.0, 3.0, 2.0, 0.0]]]), 2, return_indices=True)
    >>> max_unpool1d(x, i, 2).tolist()
    [[[0.0, 3.0, 2.0, 0.0]]]
    """
    return _max_unpool(input, indices, kernel_size, stride, padding, output_size, 1, "max_unpool1d")


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """The partial inverse of ``max_pool2d``: each value of (N, C, H, W) or (C, H, W) put at its
    flat position ``indices`` in an (H_out, W_out) plane of zeros.

    H_out = (H - 1)·stride - 2·padding + kernel_size (likewise W_out), or ``output_size``.

    >>> x, i = max_pool2d(chainrule.arange(16.0).reshape(1, 1, 4, 4), 2, return_indices=True)
    >>> max_unpool2d(x, i, 2).shape
    (1, 1, 4, 4)
    """
    return _max_unpool(input, indices, kernel_size, stride, padding, output_size, 2, "max_unpool2d")


def _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, n, where):
    if isinstance(norm_type, bool) or not isinstance(norm_type, numbers.Real) or norm_type == 0:
        raise ValueError(f"{where}: norm_type must be a non-zero number, got {norm_type!r}")
    input = _spatial_input(input, n, where)
    kernel = _int_tuple(kernel_size, n, "kernel_size", where, 1)
    pooled = _avg_pool(input ** norm_type, n, where, kernel_size, stride, 0, ceil_mode, True)
    area = kernel[0] * (kernel[1] if n == 2 else 1)
    # sign · relu(|·|) is the identity in value; PyTorch composes it so, and so its gradient at 0
    return (_fn.sign(pooled) * _fn.relu(_fn.abs(pooled)) * area) ** (1.0 / norm_type)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """The p-norm of each window along L of (N, C, L) or (C, L): (Σ_window x^p)^(1/p), p = norm_type.

    p = 1 sums the window (for non-negative x), p -> ∞ approaches max pooling.  As PyTorch,
    no padding, and a negative sum of powers (odd p) gives NaN where 1/p is not an integer.

    >>> lp_pool1d(chainrule.tensor([[[3.0, 4.0, 1.0, 1.0]]]), 2, 2).tolist()
    [[[5.0, 1.4142135381698608]]]
    """
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 1, "lp_pool1d")


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """The p-norm of each kernel_size window of (N, C, H, W) or (C, H, W), p = norm_type; see
    ``lp_pool1d``.

    >>> lp_pool2d(chainrule.ones(1, 1, 4, 4), 2, 2).tolist()
    [[[[2.0, 2.0], [2.0, 2.0]]]]
    """
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 2, "lp_pool2d")


class _AdaptiveMaxPoolNd(_AdaptiveAvgPoolNd):
    def __init__(self, output_size, return_indices=False):
        super().__init__(output_size)
        self.return_indices = return_indices

    def forward(self, input):
        function = type(self)._function
        try:
            return function(input, self.output_size, self.return_indices)
        except ValueError as error:
            raise ValueError(str(error).replace(function.__name__, repr(self), 1)) from None


class AdaptiveMaxPool1d(_AdaptiveMaxPoolNd):
    """The maximum over ``output_size`` adaptive windows along L; see ``adaptive_max_pool1d``.

    >>> chainrule.nn.AdaptiveMaxPool1d(4)(chainrule.ones(2, 8, 9)).shape
    (2, 8, 4)
    """
    _function = adaptive_max_pool1d


class AdaptiveMaxPool2d(_AdaptiveMaxPoolNd):
    """The maximum over adaptive windows down to ``output_size``; see ``adaptive_max_pool2d``.

    >>> chainrule.nn.AdaptiveMaxPool2d((2, 3))(chainrule.ones(4, 8, 7, 9)).shape
    (4, 8, 2, 3)
    """
    _function = adaptive_max_pool2d


class _MaxUnpoolNd(Module):
    _n = 2
    _function = None

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        where = type(self).__name__
        self.kernel_size, self.stride, self.padding = _unpool_geometry(kernel_size, stride, padding,
                                                                       self._n, where)

    def forward(self, input, indices, output_size=None):
        where = f"{type(self).__name__}({self.extra_repr()})"
        return _max_unpool(input, indices, self.kernel_size, self.stride, self.padding, output_size,
                           self._n, where)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool1d(_MaxUnpoolNd):
    """Put each value back at its max_pool1d index, zeros elsewhere; see ``max_unpool1d``.

    >>> pool, unpool = chainrule.nn.MaxPool1d(2, return_indices=True), chainrule.nn.MaxUnpool1d(2)
    >>> unpool(*pool(chainrule.ones(1, 2, 6))).shape
    (1, 2, 6)
    """
    _n = 1


class MaxUnpool2d(_MaxUnpoolNd):
    """Put each value back at its max_pool2d index, zeros elsewhere; see ``max_unpool2d``.

    >>> pool, unpool = chainrule.nn.MaxPool2d(2, return_indices=True), chainrule.nn.MaxUnpool2d(2)
    >>> unpool(*pool(chainrule.ones(1, 2, 4, 6))).shape
    (1, 2, 4, 6)
    """
    _n = 2


class _LPPoolNd(Module):
    _n = 2

    def __init__(self, norm_type, kernel_size, stride=None, ceil_mode=False):
        super().__init__()
        _geometry(type(self).__name__, self._n, kernel_size, stride, 0)   # fail early
        self.norm_type, self.kernel_size, self.stride, self.ceil_mode = norm_type, kernel_size, stride, ceil_mode

    def forward(self, input):
        where = f"{type(self).__name__}({self.extra_repr()})"
        return _lp_pool(input, self.norm_type, self.kernel_size, self.stride, self.ceil_mode, self._n, where)

    def extra_repr(self):
        return (f"norm_type={self.norm_type}, kernel_size={self.kernel_size}, stride={self.stride}, "
                f"ceil_mode={self.ceil_mode}")


class LPPool1d(_LPPoolNd):
    """The p-norm of each window along L; see ``lp_pool1d``.

    >>> chainrule.nn.LPPool1d(2, 3, stride=2)(chainrule.ones(2, 4, 9)).shape
    (2, 4, 4)
    """
    _n = 1


class LPPool2d(_LPPoolNd):
    """The p-norm of each kernel_size window; see ``lp_pool2d``.

    >>> chainrule.nn.LPPool2d(2, 2)(chainrule.ones(2, 4, 6, 6)).shape
    (2, 4, 3, 3)
    """
    _n = 2


# --------------------------------------------------------------------------- 3-d pooling
# A box's maximum (or sum) is the maximum (sum) over D of the maxima (sums) over H·W: 3-d
# pooling is the 2-d op over (H, W), then the same op with kernel (kd, 1) over a (D, H'·W')
# view.  The first maximum of the second pass lies in the first D slice holding the box's
# maximum, at that slice's first maximum: PyTorch's raster-order first, NaNs winning likewise.
def _pool3d(input, where, kernel, stride, padding, dilation, ceil_mode, make_op):
    """Run ``make_op(kernel, stride, padding, dilation)`` (a 2-d pooling op) over (H, W), then over D;
    returns the output and the two ops."""
    input = _spatial_input(input, 3, where)
    sizes = tuple(_pooling.pool_output_size(input.shape[-3 + a], kernel[a], stride[a], padding[a], dilation[a],
                                            ceil_mode) for a in range(3))
    if min(sizes) < 1:
        raise ValueError(f"{where}: input of shape {input.shape} is smaller than the kernel: "
                         f"kernel_size={kernel}, padding={padding} and dilation={dilation} give an "
                         f"output of spatial size {sizes}")
    plane_op = make_op(kernel[1:], stride[1:], padding[1:], dilation[1:])
    planes = apply(plane_op, input)                                         # (..., D, H', W')
    depth_op = make_op((kernel[0], 1), (stride[0], 1), (padding[0], 0), (dilation[0], 1))
    lead, depth = input.shape[:-3], input.shape[-3]
    output = apply(depth_op, planes.reshape(*lead, depth, sizes[1] * sizes[2]))
    return output.reshape(*lead, *sizes), plane_op, depth_op


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """The maximum over each kernel_size box of (N, C, D, H, W) or (C, D, H, W).

    Output size per axis as ``max_pool2d``'s; padding counts as -inf.  With
    ``return_indices``, also each maximum's flat position in its D·H·W volume (int64).

    >>> max_pool3d(chainrule.ones(2, 3, 4, 6, 6), 2).shape
    (2, 3, 2, 3, 3)
    """
    return _max_pool(input, 3, "max_pool3d", kernel_size, stride, padding, dilation, ceil_mode,
                     return_indices)


def _max_pool3d(input, where, kernel, stride, padding, dilation, ceil_mode, return_indices):
    def make_op(k, s, p, d):
        return _pooling.MaxPool2d(k, s, p, d, bool(ceil_mode))
    output, plane_op, depth_op = _pool3d(input, where, kernel, stride, padding, dilation, ceil_mode, make_op)
    if not return_indices:
        return output
    h, w = input.shape[-2:]
    depth = depth_op.indices() // depth_op.in_shape[-1]       # the D slice of each maximum
    in_plane = plane_op.indices().reshape(depth_op.in_shape)  # (..., D, H'·W'): h · W + w per slice
    in_plane = xp.take_along_axis(in_plane, depth, axis=-2)
    return output, Tensor((depth * (h * w) + in_plane).reshape(output.shape))


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """The mean over each kernel_size box of (N, C, D, H, W) or (C, D, H, W); the divisor as
    ``avg_pool2d``'s, over the box.

    >>> avg_pool3d(chainrule.ones(2, 3, 4, 6, 6), 2).shape
    (2, 3, 2, 3, 3)
    """
    return _avg_pool(input, 3, "avg_pool3d", kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override)


def _avg_pool3d(input, where, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override):
    dilation = (1, 1, 1)
    # the box's divisor is the product of its per-axis ones; an override divides once, at the end
    overrides = iter((None, None) if divisor_override is None else (1, divisor_override))

    def make_op(k, s, p, d):
        return _pooling.AvgPool2d(k, s, p, bool(ceil_mode), bool(count_include_pad), next(overrides))
    return _pool3d(input, where, kernel, stride, padding, dilation, ceil_mode, make_op)[0]


def adaptive_avg_pool3d(input, output_size):
    """Average (N, C, D, H, W) or (C, D, H, W) down to (..., OD, OH, OW), whatever the input's
    size; the windows along each axis are those of ``adaptive_avg_pool1d``.

    >>> adaptive_avg_pool3d(chainrule.ones(2, 3, 5, 7, 4), (2, 3, None)).shape
    (2, 3, 2, 3, 4)
    """
    where = "adaptive_avg_pool3d"
    input = _spatial_input(input, 3, where)
    sizes = _adaptive_size(output_size, input, 3, where)
    dtype = input.data.dtype
    tables = [_resampling.area_table(n, out, dtype) for n, out in zip(input.shape[-3:], sizes)]
    return apply(_resampling.Resample(tables), input)


class MaxPool3d(_MaxPoolNd):
    """The maximum over kernel_size boxes of (N, C, D, H, W) or (C, D, H, W); see ``max_pool3d``.

    >>> chainrule.nn.MaxPool3d(2)(chainrule.ones(2, 3, 4, 6, 6)).shape
    (2, 3, 2, 3, 3)
    """
    _n = 3


class AvgPool3d(_AvgPoolNd):
    """The mean over kernel_size boxes of (N, C, D, H, W) or (C, D, H, W); see ``avg_pool3d``.

    >>> chainrule.nn.AvgPool3d(2)(chainrule.ones(2, 3, 4, 6, 6)).shape
    (2, 3, 2, 3, 3)
    """
    _n = 3


class AdaptiveAvgPool3d(_AdaptiveAvgPoolNd):
    """Average (N, C, D, H, W) or (C, D, H, W) down to ``output_size``; see ``adaptive_avg_pool3d``.

    >>> chainrule.nn.AdaptiveAvgPool3d(1)(chainrule.ones(2, 3, 4, 5, 6)).shape
    (2, 3, 1, 1, 1)
    """
    _function = adaptive_avg_pool3d
