"""Normalization layers with PyTorch's state and rules: BatchNorm, LayerNorm, GroupNorm,
InstanceNorm and RMSNorm.

Batch normalization standardizes each channel with the statistics of the current batch
while training, and keeps running averages of them for evaluation; layer normalization
standardizes each sample over its last dims, group normalization each sample's groups of
channels, instance normalization each sample's channels, and RMS normalization scales each
sample over its last dims without centring.  Each then applies a learned scale (``weight``,
γ) and, but for RMSNorm, a shift (``bias``, β).
"""
import numbers
import warnings

from chainrule.backend import xp
from chainrule.functions import as_tensor, pad
from chainrule.nn._inputs import factory_dtype, layer_input
from chainrule.nn.module import Module
from chainrule.nn.parameter import Parameter
from chainrule.nn.pooling import avg_pool2d
from chainrule.ops import normalization as _norm
from chainrule.tensor import Tensor, apply


# --------------------------------------------------------------------------- functions
def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    """Normalize each channel (dim 1) of ``input`` (N, C, *): y = (x - μ) / √(σ² + eps) · γ + β.

    With ``training=True``, μ and σ² (biased) come from the batch and, where given, the
    running statistics are updated in place: r = (1 - momentum) r + momentum s, using the
    unbiased variance for ``running_var``.  With ``training=False`` the running
    statistics are used.  ``weight``, ``bias``, ``running_mean``, ``running_var``: (C,).
    """
    return _batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps,
                       "batch_norm")


def _check_channels(tensor, name, channels, where):
    if tensor is not None and tuple(tensor.shape) != (channels,):
        raise ValueError(f"{where}: {name} must have shape ({channels},) for an input with "
                         f"{channels} channels, got {tuple(tensor.shape)}")


def _check_batch(input, training, where):
    if training and input.data.size // input.shape[1] <= 1:
        raise ValueError(f"{where}: expected more than 1 value per channel when training, got "
                         f"input of shape {input.shape} (use a batch of at least 2, or eval mode)")


def _batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps, where):
    input = as_tensor(input, where)
    if input.data.dtype.kind != "f":
        raise TypeError(f"{where} expects a floating-point input, got dtype {input.dtype}")
    if input.ndim < 2:
        raise ValueError(f"{where}: input must have shape (N, C, *), got {input.shape}")
    channels = input.shape[1]
    for name, tensor in (("running_mean", running_mean), ("running_var", running_var),
                         ("weight", weight), ("bias", bias)):
        _check_channels(tensor, name, channels, where)
    _check_batch(input, training, where)
    if not training and (running_mean is None or running_var is None):
        raise ValueError(f"{where}: running_mean and running_var are needed when training=False")
    weight = None if weight is None else as_tensor(weight)
    bias = None if bias is None else as_tensor(bias)
    return _batch_norm_checked(input, running_mean, running_var, weight, bias, training, momentum,
                               eps)


def _batch_norm_checked(input, running_mean, running_var, weight, bias, training, momentum, eps):
    """batch_norm on arguments already checked (by the function above or by the layer)."""
    params = [p for p in (weight, bias) if p is not None]
    if training:
        op = _norm.BatchNorm(eps, weight is not None, bias is not None)
        output = apply(op, input, *params)
        if running_mean is not None:
            _update_running(running_mean, op.batch_mean, momentum)
        if running_var is not None:
            count = input.data.size // input.shape[1]
            _update_running(running_var, op.batch_var * (count / (count - 1)), momentum)
        return output
    op = _norm.BatchNorm(eps, weight is not None, bias is not None,
                         mean=_array(running_mean), var=_array(running_var))
    return apply(op, input, *params)


def _array(x):
    return x.data if isinstance(x, Tensor) else xp.asarray(x)


def _update_running(buffer, batch_value, momentum):
    """buffer = (1 - momentum) · buffer + momentum · batch_value, in place (never recorded)."""
    array = _array(buffer)
    array *= 1.0 - momentum
    array += momentum * batch_value.astype(array.dtype, copy=False)
    if isinstance(buffer, Tensor):
        buffer._mark_modified()


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalize each sample over its last dims (``normalized_shape``):
    y = (x - μ) / √(σ² + eps) · γ + β, with μ and σ² (biased) per sample and γ, β of
    shape ``normalized_shape``.
    """
    return _layer_norm(input, normalized_shape, weight, bias, eps, "layer_norm")


def _normalized_shape(normalized_shape, where):
    if isinstance(normalized_shape, numbers.Integral):
        normalized_shape = (normalized_shape,)
    try:
        shape = tuple(int(s) for s in normalized_shape)
    except (TypeError, ValueError):
        raise TypeError(f"{where}: normalized_shape must be an int or a sequence of ints, got "
                        f"{normalized_shape!r}") from None
    if not shape or any(s <= 0 for s in shape):
        raise ValueError(f"{where}: normalized_shape must be a non-empty list of positive sizes, "
                         f"got {normalized_shape!r}")
    return shape


def _layer_norm(input, normalized_shape, weight, bias, eps, where):
    shape = _normalized_shape(normalized_shape, where)
    input = _float_input(input, where)
    for name, tensor in (("weight", weight), ("bias", bias)):
        if tensor is not None and tuple(tensor.shape) != shape:
            raise ValueError(f"{where}: {name} must have shape {shape}, got {tuple(tensor.shape)}")
    return _layer_norm_checked(input, shape, _optional(weight), _optional(bias), eps, where)


def _layer_norm_checked(input, shape, weight, bias, eps, where):
    """layer_norm once the arguments are known good, but for the input's trailing shape."""
    op = _norm.LayerNorm(len(shape), eps, weight is not None, bias is not None)
    return _apply_over_trailing(op, input, shape, (weight, bias), where)


def _apply_over_trailing(op, input, shape, params, where):
    """Run a normalization over the input's last dims, once they are checked to be ``shape``."""
    k = len(shape)
    if input.data.shape[input.ndim - k:] != shape or input.ndim < k:
        raise ValueError(f"{where} got input of shape {input.shape}; its last {k} dim"
                         f"{'s' if k > 1 else ''} must be {shape}")
    return apply(op, input, *[p for p in params if p is not None])


def _float_input(input, where):
    input = as_tensor(input, where)
    if input.data.dtype.kind != "f":
        raise TypeError(f"{where} expects a floating-point input, got dtype {input.dtype}")
    return input


def _optional(tensor):
    return None if tensor is None else as_tensor(tensor)


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """Scale each sample to unit root mean square over its last dims (``normalized_shape``):
    y = x / √(mean(x²) + eps) · γ, with γ of shape ``normalized_shape``.  ``eps`` None
    means the machine epsilon of the input's dtype, as PyTorch.
    """
    return _rms_norm(input, normalized_shape, weight, eps, "rms_norm")


def _rms_norm(input, normalized_shape, weight, eps, where):
    shape = _normalized_shape(normalized_shape, where)
    input = _float_input(input, where)
    if weight is not None and tuple(weight.shape) != shape:
        raise ValueError(f"{where}: weight must have shape {shape}, got {tuple(weight.shape)}")
    if eps is None:
        eps = float(xp.finfo(input.data.dtype).eps)
    op = _norm.RMSNorm(len(shape), eps, weight is not None)
    return _apply_over_trailing(op, input, shape, (_optional(weight),), where)


def _check_norm_input(input, where, spatial):
    """(N, C, *) with, when ``spatial``, more than one element per channel and sample."""
    if input.ndim < 2:
        raise ValueError(f"{where}: input must have shape (N, C, *), got {input.shape}")
    if spatial and input.data.size // max(input.shape[0] * input.shape[1], 1) <= 1:
        raise ValueError(f"{where}: expected more than 1 spatial element per channel, got input of "
                         f"shape {input.shape}")


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Normalize (N, C, *) over each sample's groups of C / ``num_groups`` channels:
    y = (x - μ) / √(σ² + eps) · γ + β, with μ and σ² (biased) per sample and group, and
    γ, β of shape (C,).
    """
    where = "group_norm"
    input = _float_input(input, where)
    _check_norm_input(input, where, spatial=False)
    channels = input.shape[1]
    if not isinstance(num_groups, numbers.Integral) or num_groups <= 0 or channels % num_groups:
        raise ValueError(f"{where}: the {channels} channels of input of shape {input.shape} must "
                         f"be divisible by num_groups={num_groups!r}")
    for name, tensor in (("weight", weight), ("bias", bias)):
        _check_channels(tensor, name, channels, where)
    op = _norm.GroupNorm(int(num_groups), eps, weight is not None, bias is not None)
    return apply(op, input, *[p for p in (_optional(weight), _optional(bias)) if p is not None])


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None,
                  use_input_stats=True, momentum=0.1, eps=1e-5):
    """Normalize each channel of each sample of (N, C, *) over its spatial dims:
    y = (x - μ) / √(σ² + eps) · γ + β, with μ and σ² (biased) per sample and channel.

    With ``use_input_stats`` the given running statistics (C,) are updated in place with
    the batch's average of those statistics (the unbiased variance for ``running_var``);
    without, the running statistics are used, as batch_norm's eval mode.
    """
    return _instance_norm(input, running_mean, running_var, weight, bias, use_input_stats,
                          momentum, eps, "instance_norm")


def _instance_norm(input, running_mean, running_var, weight, bias, use_input_stats, momentum, eps,
                   where):
    input = _float_input(input, where)
    _check_norm_input(input, where, spatial=use_input_stats)
    channels = input.shape[1]
    for name, tensor in (("running_mean", running_mean), ("running_var", running_var),
                         ("weight", weight), ("bias", bias)):
        _check_channels(tensor, name, channels, where)
    weight, bias = _optional(weight), _optional(bias)
    if not use_input_stats:
        if running_mean is None or running_var is None:
            raise ValueError(f"{where}: running_mean and running_var are needed when "
                             "use_input_stats=False")
        return _batch_norm_checked(input, running_mean, running_var, weight, bias, False, momentum,
                                   eps)
    if running_mean is not None or running_var is not None:
        per_instance = input.data.reshape(input.shape[0], channels, -1)
        if running_mean is not None:
            _update_running(running_mean, per_instance.mean(axis=(0, 2)), momentum)
        if running_var is not None:
            _update_running(running_var, per_instance.var(axis=2, ddof=1).mean(axis=0), momentum)
    op = _norm.GroupNorm(channels, eps, weight is not None, bias is not None)
    return apply(op, input, *[p for p in (weight, bias) if p is not None])


# --------------------------------------------------------------------------- layers
class _BatchNorm(Module):
    """What BatchNorm1d and BatchNorm2d share; they differ only in the input ranks they accept."""

    _ranks = ()
    _layouts = ""

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True,
                 track_running_stats=True, device=None, dtype=None, *, bias=True):
        super().__init__()
        name = type(self).__name__
        dtype = factory_dtype(dtype, device, name)
        if not isinstance(num_features, numbers.Integral) or num_features <= 0:
            raise ValueError(f"{name}: num_features must be a positive integer, got "
                             f"{num_features!r}")
        if momentum is not None and not 0 <= momentum <= 1:
            raise ValueError(f"{name}: momentum must be in [0, 1] or None, got {momentum!r}")
        self.num_features, self.eps, self.momentum = int(num_features), eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        if affine:
            self.weight = Parameter(xp.ones(self.num_features, dtype))
            if bias:
                self.bias = Parameter(xp.zeros(self.num_features, dtype))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", Tensor(xp.zeros(self.num_features, dtype)))
            self.register_buffer("running_var", Tensor(xp.ones(self.num_features, dtype)))
            self.register_buffer("num_batches_tracked", Tensor(xp.array(0, dtype=xp.int64)))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_running_stats(self):
        """Running mean 0, running variance 1, no batches seen."""
        if self.track_running_stats:
            self.running_mean.data[...] = 0
            self.running_var.data[...] = 1
            self.num_batches_tracked.data[...] = 0

    def reset_parameters(self):
        """Running statistics reset; weight 1 and bias 0."""
        self.reset_running_stats()
        if self.weight is not None:
            self.weight.data[...] = 1
        if self.bias is not None:
            self.bias.data[...] = 0

    def _name(self):
        return f"{type(self).__name__}({self.num_features})"

    def _check_input(self, input):
        expected = self._layouts.format(C=self.num_features)
        if input.ndim not in self._ranks:
            raise ValueError(f"{self._name()} expects input of shape {expected}, got a "
                             f"{input.ndim}-d input of shape {input.shape}")
        if input.shape[1] != self.num_features:
            raise ValueError(f"{self._name()} got input with {input.shape[1]} channels (input "
                             f"shape {input.shape}); expected shape {expected}")

    def forward(self, input):
        params, buffers = self._parameters, self._buffers   # direct lookups: this runs every step
        weight, bias = params["weight"], params["bias"]
        running_mean, running_var = buffers["running_mean"], buffers["running_var"]
        reference = weight if weight is not None else running_mean
        where = self._name()
        input = layer_input(input, None if reference is None else reference.dtype, where)
        self._check_input(input)
        use_batch_stats = self.training or (running_mean is None and running_var is None)
        _check_batch(input, use_batch_stats, where)
        factor = 0.0 if self.momentum is None else self.momentum
        counter = buffers["num_batches_tracked"]
        if self.training and self.track_running_stats and counter is not None:
            counter.data += 1                  # a 0-d array, updated in place
            counter._mark_modified()
            if self.momentum is None:          # cumulative average of every batch so far
                factor = 1.0 / float(counter.data)
        if self.training and not self.track_running_stats:
            running_mean = running_var = None  # batch statistics only, nothing to update
        return _batch_norm_checked(input, running_mean, running_var, weight, bias,
                                   use_batch_stats, factor, self.eps)

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, bias={self.bias is not None}, "
                f"track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch normalization over (N, C) or (N, C, L) inputs, per channel C.

    Training: y = (x - μ_B) / √(σ²_B + eps) · γ + β with the batch's mean and (biased)
    variance per channel; running_mean and running_var (unbiased) are updated with
    ``momentum`` (None: a cumulative average), and num_batches_tracked counts the batches.
    Eval: the running statistics replace the batch's.  State-dict keys and layouts are
    PyTorch's: weight, bias, running_mean, running_var (C,), num_batches_tracked (int64).

    >>> bn = chainrule.nn.BatchNorm1d(512)
    >>> bn(chainrule.randn(32, 512)).shape
    (32, 512)
    """

    _ranks = (2, 3)
    _layouts = "(N, {C}) or (N, {C}, L)"


class BatchNorm2d(_BatchNorm):
    """Batch normalization over (N, C, H, W) inputs, per channel C (statistics over N, H, W).

    Everything else as :class:`BatchNorm1d`.
    """

    _ranks = (4,)
    _layouts = "(N, {C}, H, W)"


class BatchNorm3d(_BatchNorm):
    """Batch normalization over (N, C, D, H, W) inputs, per channel C (statistics over N, D, H, W).

    Everything else as :class:`BatchNorm1d`.
    """

    _ranks = (5,)
    _layouts = "(N, {C}, D, H, W)"


class _AffineNorm(Module):
    """What LayerNorm, GroupNorm and RMSNorm share: a weight of 1s and a bias of 0s (each
    optional), and inputs that must take the weight's dtype."""

    def _register_affine(self, shape, dtype, weight, bias):
        self.register_parameter("weight", Parameter(xp.ones(shape, dtype)) if weight else None)
        if bias is not None:  # None: the layer has no bias at all (RMSNorm)
            self.register_parameter("bias", Parameter(xp.zeros(shape, dtype))
                                    if weight and bias else None)

    def reset_parameters(self):
        """Weight 1 and bias 0."""
        weight, bias = self._parameters["weight"], self._parameters.get("bias")
        if weight is not None:
            weight.data[...] = 1
        if bias is not None:
            bias.data[...] = 0

    def _over_trailing_dims(self, normalized_shape, eps, elementwise_affine, bias, device, dtype):
        """The state of LayerNorm and RMSNorm, which normalize over the last dims."""
        name = type(self).__name__
        dtype = factory_dtype(dtype, device, name)
        self.normalized_shape = _normalized_shape(normalized_shape, name)
        self.eps, self.elementwise_affine = eps, elementwise_affine
        self._register_affine(self.normalized_shape, dtype, elementwise_affine, bias)

    def _input(self, input, where):
        weight = self._parameters["weight"]
        return layer_input(input, None if weight is None else weight.dtype, where)


class LayerNorm(_AffineNorm):
    """Layer normalization over the last dims (``normalized_shape``) of each sample:
    y = (x - μ) / √(σ² + eps) · γ + β, with γ (``weight``) 1 and β (``bias``) 0 initially,
    both of shape ``normalized_shape`` when ``elementwise_affine``.

    >>> ln = chainrule.nn.LayerNorm(512)
    >>> ln(chainrule.randn(8, 10, 512)).shape
    (8, 10, 512)
    """

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True,
                 device=None, dtype=None):
        super().__init__()
        self._over_trailing_dims(normalized_shape, eps, elementwise_affine, bias, device, dtype)

    def forward(self, input):
        where = f"LayerNorm({self.normalized_shape})"
        input = self._input(input, where)
        return _layer_norm_checked(input, self.normalized_shape, self._parameters["weight"],
                                   self._parameters["bias"], self.eps, where)

    def extra_repr(self):
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}")


class GroupNorm(_AffineNorm):
    """Group normalization: the C channels of (N, C, *) are split into ``num_groups`` groups,
    and each sample's group is normalized over its channels and spatial positions;
    y = (x - μ) / √(σ² + eps) · γ + β with γ (``weight``) 1 and β (``bias``) 0 initially,
    both of shape (C,) when ``affine``.  Independent of the batch size, unlike BatchNorm.

    >>> gn = chainrule.nn.GroupNorm(4, 32)
    >>> gn(chainrule.randn(2, 32, 8, 8)).shape
    (2, 32, 8, 8)
    """

    def __init__(self, num_groups, num_channels, eps=1e-5, affine=True, device=None, dtype=None, *,
                 bias=True):
        super().__init__()
        dtype = factory_dtype(dtype, device, "GroupNorm")
        for name, value in (("num_groups", num_groups), ("num_channels", num_channels)):
            if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value <= 0:
                raise ValueError(f"GroupNorm: {name} must be a positive integer, got {value!r}")
        if num_channels % num_groups:
            raise ValueError(f"GroupNorm: num_channels ({num_channels}) must be divisible by "
                             f"num_groups ({num_groups})")
        self.num_groups, self.num_channels = int(num_groups), int(num_channels)
        self.eps, self.affine = eps, affine
        self._register_affine(self.num_channels, dtype, affine, bias)

    def forward(self, input):
        weight, bias = self._parameters["weight"], self._parameters["bias"]
        where = f"GroupNorm({self.num_groups}, {self.num_channels})"
        input = self._input(input, where)
        if input.ndim < 2 or input.shape[1] != self.num_channels:
            raise ValueError(f"{where} expects input of shape (N, {self.num_channels}, *), got "
                             f"{input.shape}")
        op = _norm.GroupNorm(self.num_groups, self.eps, weight is not None, bias is not None)
        return apply(op, input, *[p for p in (weight, bias) if p is not None])

    def extra_repr(self):
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
                f"bias={self.bias is not None}")


class _InstanceNorm(_BatchNorm):
    """What InstanceNorm1d and InstanceNorm2d share: BatchNorm's state, per-sample statistics."""

    _layouts = ""

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=False,
                 track_running_stats=False, device=None, dtype=None, *, bias=True):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype,
                         bias=bias)

    def forward(self, input):
        params, buffers = self._parameters, self._buffers
        weight, bias = params["weight"], params["bias"]
        reference = weight if weight is not None else buffers["running_mean"]
        where = self._name()
        input = layer_input(input, None if reference is None else reference.dtype, where)
        if input.ndim not in self._ranks:
            raise ValueError(f"{where} expects input of shape "
                             f"{self._layouts.format(C=self.num_features)}, got a {input.ndim}-d "
                             f"input of shape {input.shape}")
        batched = input.ndim == self._ranks[1]
        channels = input.shape[1 if batched else 0]
        if channels != self.num_features:
            message = (f"{where} got input of shape {input.shape} with {channels} channels, "
                       f"expected {self.num_features}")
            if self.affine or self.track_running_stats:
                raise ValueError(message)
            warnings.warn(message + "; each channel is normalized on its own all the same")
        y = _instance_norm(input if batched else input.unsqueeze(0), buffers["running_mean"],
                           buffers["running_var"], weight, bias,
                           self.training or not self.track_running_stats,
                           0.0 if self.momentum is None else self.momentum, self.eps, where)
        return y if batched else y.squeeze(0)


class InstanceNorm1d(_InstanceNorm):
    """Instance normalization of (N, C, L) or (C, L): each channel of each sample is
    normalized over L.  Without ``affine`` (the default) there are no parameters; with
    ``track_running_stats`` the averaged statistics are kept for eval mode, as BatchNorm1d.

    >>> chainrule.nn.InstanceNorm1d(16)(chainrule.randn(4, 16, 50)).shape
    (4, 16, 50)
    """

    _ranks = (2, 3)
    _layouts = "(N, {C}, L) or ({C}, L)"


class InstanceNorm2d(_InstanceNorm):
    """Instance normalization of (N, C, H, W) or (C, H, W), each channel of each sample over
    H and W; everything else as :class:`InstanceNorm1d`.
    """

    _ranks = (3, 4)
    _layouts = "(N, {C}, H, W) or ({C}, H, W)"


class RMSNorm(_AffineNorm):
    """Root-mean-square normalization over the last dims (``normalized_shape``):
    y = x / √(mean(x²) + eps) · γ, with γ (``weight``) 1 initially, of shape
    ``normalized_shape`` when ``elementwise_affine``.  ``eps`` None: the machine epsilon
    of the input's dtype.

    >>> chainrule.nn.RMSNorm(512)(chainrule.randn(8, 10, 512)).shape
    (8, 10, 512)
    """

    def __init__(self, normalized_shape, eps=None, elementwise_affine=True, device=None,
                 dtype=None):
        super().__init__()
        self._over_trailing_dims(normalized_shape, eps, elementwise_affine, None, device, dtype)

    def forward(self, input):
        where = f"RMSNorm({self.normalized_shape})"
        return _rms_norm(self._input(input, where), self.normalized_shape,
                         self._parameters["weight"], self.eps, where)

    def extra_repr(self):
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}")


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """Divide each element of (N, C, *) by a power of its neighbours' energy across channels:
    y[n, c] = x[n, c] / (k + α/size · Σ_{c'} x[n, c']²)^β, c' from c - size//2 to c + (size-1)//2
    (channels past either end count as zeros), as AlexNet's "brightness normalization".

    >>> local_response_norm(chainrule.ones(2, 5, 3, 3), size=3).shape
    (2, 5, 3, 3)
    """
    where = "local_response_norm"
    input = layer_input(input, None, where)
    if input.ndim < 3:
        raise ValueError(f"{where} expects an input of shape (N, C, *) with at least 3 dims, got "
                         f"shape {input.shape}")
    if isinstance(size, bool) or not isinstance(size, numbers.Integral) or size < 1:
        raise ValueError(f"{where}: size must be a positive int, got {size!r}")
    if input.numel() == 0:
        return input
    n, c = input.shape[:2]
    # the channel-window average of x² is an average pooling over C of a (N, 1, C, rest) view
    squares = (input * input).reshape(n, 1, c, -1)
    squares = pad(squares, (0, 0, size // 2, (size - 1) // 2))
    energy = avg_pool2d(squares, (size, 1), stride=1).reshape(input.shape)
    return input / (energy * alpha + k) ** beta


class LocalResponseNorm(Module):
    """Local response normalization across channels of (N, C, *); see ``local_response_norm``.

    >>> chainrule.nn.LocalResponseNorm(2)(chainrule.ones(2, 4, 5)).shape
    (2, 4, 5)
    """

    def __init__(self, size, alpha=1e-4, beta=0.75, k=1.0):
        super().__init__()
        self.size, self.alpha, self.beta, self.k = size, alpha, beta, k

    def forward(self, input):
        try:
            return local_response_norm(input, self.size, self.alpha, self.beta, self.k)
        except ValueError as error:   # name the layer, not the function
            raise ValueError(str(error).replace("local_response_norm", repr(self), 1)) from None

    def extra_repr(self):
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"
