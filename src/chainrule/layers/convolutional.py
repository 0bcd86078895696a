"""Keras's convolution layers: Conv1D, Conv2D, Conv2DTranspose, 1-d and 2-d pooling, and
global pooling.

Keras lays images out channels-last, (batch, height, width, channels), and a Conv2D kernel
as (kh, kw, in/groups, filters); the fused ops of ``chainrule.nn`` work on (N, C, H, W)
images with (filters, in/groups, kh, kw) kernels.  Sequences (Conv1D, the 1-d pools) are
(batch, steps, channels) the same way, with (k, in/groups, filters) kernels.  So each layer permutes its input to
channels-first and its output back, and Conv2D views its kernel the same way, all as graph
ops so that gradients flow; the weights themselves keep Keras's layout.

'same' padding is TensorFlow's: an axis of ``size`` gives ceil(size / stride) outputs, and
the padding that needs, max((out - 1)·stride + span - size, 0) with span the (dilated)
window, is split with the odd element at the bottom/right.  Max pooling pads with -inf and
average pooling averages only over the input elements a window covers, as Keras does.
"""
import math
import numbers

from chainrule import activations, functions as F, initializers, regularizers
from chainrule.backend import xp
from chainrule.layers.base import Layer
from chainrule.nn.conv import conv1d, conv2d, conv_transpose2d
from chainrule.nn.pooling import avg_pool2d, max_pool2d
from chainrule.tensor import Tensor

DATA_FORMATS = ("channels_last", "channels_first")


# --------------------------------------------------------------------------- arguments
def _sizes(value, n, name, where):
    """An int or a sequence of n positive ints, as a tuple of n ints."""
    items = (value,) * n if isinstance(value, numbers.Integral) else value
    try:
        items = tuple(items)
    except TypeError:
        items = ()
    if len(items) != n or not all(isinstance(v, numbers.Integral) and not isinstance(v, bool)
                                  and v >= 1 for v in items):
        raise ValueError(f"{where}: {name} must be a positive int or a tuple of {n} positive "
                         f"ints, got {value!r}")
    return tuple(int(v) for v in items)


def _positive_int(value, name, where):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{where}: {name} must be a positive integer, got {value!r}")
    return int(value)


def _padding_argument(padding, where, choices=("valid", "same")):
    if not isinstance(padding, str) or padding.lower() not in choices:
        names = " or ".join(", ".join(map(repr, choices)).rsplit(", ", 1))
        raise ValueError(f"{where}: padding must be {names}, got {padding!r}")
    return padding.lower()


def _data_format_argument(data_format, where):
    """None means Keras's default, 'channels_last'."""
    if data_format is None:
        return "channels_last"
    if not isinstance(data_format, str) or data_format.lower() not in DATA_FORMATS:
        raise ValueError(f"{where}: data_format must be 'channels_last' or 'channels_first', "
                         f"got {data_format!r}")
    return data_format.lower()


# --------------------------------------------------------------------------- geometry
def same_padding(size, span, stride):
    """(before, after) padding of one axis for Keras's (TensorFlow's) padding='same'."""
    out = -(-size // stride)
    total = max((out - 1) * stride + span - size, 0)
    return total // 2, total - total // 2


def _spatial_axes(data_format, rank=2):
    return tuple(range(1, 1 + rank)) if data_format == "channels_last" else \
        tuple(range(2, 2 + rank))


def _channels_first(x, data_format):
    """(N, *spatial, C) -> (N, C, *spatial), a view; channels-first input passes unchanged."""
    return F.permute(x, 0, x.ndim - 1, *range(1, x.ndim - 1)) \
        if data_format == "channels_last" else x


def _back_to(data_format, y):
    """(N, C, *spatial) -> the layer's own layout."""
    return F.permute(y, 0, *range(2, y.ndim), 1) if data_format == "channels_last" else y


_AXES = {1: ("steps",), 2: ("height", "width")}


class _ImageLayer(Layer):
    """What the convolution and pooling layers share: the data format, and the check that
    inputs are (rank + 2)-d: sequences for the 1-d layers, images for the 2-d ones."""

    rank = 2

    def _layout(self):
        axes = _AXES[self.rank]
        axes = (*axes, "channels") if self.data_format == "channels_last" else \
            ("channels", *axes)
        return "(" + ", ".join(("batch",) + axes) + ")"

    def _check_rank(self, shape):
        if len(shape) != self.rank + 2:
            raise ValueError(f"{type(self).__name__} {self.name!r} expects {self.rank + 2}-d "
                             f"inputs {self._layout()} (data_format={self.data_format!r}), got "
                             f"input of shape {tuple(shape)}")

    def _spatial(self, shape):
        return tuple(shape[a] for a in _spatial_axes(self.data_format, self.rank))

    def _pads(self, shape, window, strides, dilation=None, what="pool_size"):
        """(before, after) for each spatial axis, flat ((top, bottom, left, right) for
        images), for ``self.padding``, or a clear error when 'valid' windows do not fit."""
        spatial = self._spatial(shape)
        dilation = dilation or (1,) * self.rank
        spans = tuple(d * (k - 1) + 1 for k, d in zip(window, dilation))
        if self.padding == "same":
            return tuple(p for n, s, st in zip(spatial, spans, strides)
                         for p in same_padding(n, s, st))
        if self.padding == "causal":   # Conv1D: every output sees only the past
            return (spans[0] - 1, 0)
        if any(n < s for n, s in zip(spatial, spans)):
            raise ValueError(f"{type(self).__name__} {self.name!r}: the {what} {spans} is larger "
                             f"than the input's spatial size {spatial} (input shape "
                             f"{tuple(shape)}, padding='valid')")
        return (0,) * (2 * self.rank)

    def _config(self, config):
        config = dict(super().get_config(), **config)
        config["data_format"] = self.data_format
        return config


def _pad_explicitly(x, pads, value):
    """x (N, C, *spatial) padded by ``pads`` ((top, bottom, left, right) for images) with
    ``value``, as a graph op."""
    if not any(pads):
        return x
    pairs = [pads[i:i + 2] for i in range(0, len(pads), 2)]
    return F.pad(x, tuple(p for pair in reversed(pairs) for p in pair), value=value)


# --------------------------------------------------------------------------- convolution
class _Conv(_ImageLayer):
    """What Conv1D, Conv2D and Conv2DTranspose share: arguments, weights, checks, config."""

    _paddings = ("valid", "same")

    def __init__(self, filters, kernel_size, strides, padding, data_format, dilation_rate,
                 groups, activation, use_bias, kernel_initializer, bias_initializer,
                 kernel_regularizer, bias_regularizer, **kwargs):
        super().__init__(**kwargs)
        where = type(self).__name__
        self.filters = _positive_int(filters, "filters", where)
        self.groups = _positive_int(groups, "groups", where)
        if self.filters % self.groups:
            raise ValueError(f"{where}: filters ({filters}) must be divisible by groups "
                             f"({groups})")
        self.kernel_size = _sizes(kernel_size, self.rank, "kernel_size", where)
        self.strides = _sizes(strides, self.rank, "strides", where)
        self.padding = _padding_argument(padding, where, self._paddings)
        self.data_format = _data_format_argument(data_format, where)
        self.dilation_rate = _sizes(dilation_rate, self.rank, "dilation_rate", where)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self._set_weight_options(
            kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer)

    def _channels(self, shape):
        return shape[-1] if self.data_format == "channels_last" else shape[1]

    def _kernel_shape(self, channels):
        return self.kernel_size + (channels // self.groups, self.filters)

    def build(self, input_shape):
        self._check_rank(input_shape)
        channels = int(self._channels(input_shape))
        if channels % self.groups:
            raise ValueError(f"{type(self).__name__} {self.name!r}: the input's {channels} "
                             f"channels must be divisible by groups ({self.groups}); input "
                             f"shape {tuple(input_shape)}")
        self.in_channels = channels
        self.kernel = self.add_weight("kernel", self._kernel_shape(channels),
                                      self.kernel_initializer, self.kernel_regularizer)
        if self.use_bias:
            self.bias = self.add_weight("bias", (self.filters,), self.bias_initializer,
                                        self.bias_regularizer)
        else:
            self.register_parameter("bias", None)

    def _checked_input(self, x):
        """x, checked against the built layer and cast to the kernel's dtype (as Keras)."""
        self._check_rank(x.shape)
        if self._channels(x.shape) != self.in_channels:
            raise ValueError(f"{type(self).__name__} {self.name!r} expects inputs with "
                             f"{self.in_channels} channels ({self.data_format}), got input of "
                             f"shape {x.shape}")
        return x if x.dtype == self.kernel.dtype else F.astype(x, self.kernel.dtype)

    def _activate(self, y):
        y = _back_to(self.data_format, y)
        return y if self.activation is activations.linear else self.activation(y)

    def forward(self, x):
        x = self._checked_input(x)
        pads = self._pads(x.shape, self.kernel_size, self.strides, self.dilation_rate,
                          "(dilated) kernel")
        x = _channels_first(x, self.data_format)
        before, after = pads[::2], pads[1::2]
        if before == after:
            padding = before
        else:   # TensorFlow's odd padding (or causal): the op pads symmetrically, so pad first
            x, padding = _pad_explicitly(x, pads, 0.0), 0
        # (*k, in, out) -> (out, in, *k)
        weight = F.permute(self.kernel, self.rank + 1, self.rank, *range(self.rank))
        convolve = conv1d if self.rank == 1 else conv2d
        return self._activate(convolve(x, weight, self._parameters["bias"], self.strides,
                                       padding, self.dilation_rate, self.groups))

    def get_config(self):
        return self._config(dict(
            filters=self.filters, kernel_size=list(self.kernel_size),
            strides=list(self.strides), padding=self.padding,
            dilation_rate=list(self.dilation_rate), groups=self.groups,
            activation=activations.serialize(self.activation), use_bias=self.use_bias,
            kernel_initializer=initializers.serialize(self.kernel_initializer),
            bias_initializer=initializers.serialize(self.bias_initializer),
            kernel_regularizer=regularizers.serialize(self.kernel_regularizer),
            bias_regularizer=regularizers.serialize(self.bias_regularizer)))

    def extra_repr(self):
        return (f"{self.filters}, kernel_size={self.kernel_size}, strides={self.strides}, "
                f"padding={self.padding!r}, activation="
                f"{activations.serialize(self.activation)!r}, " + super().extra_repr())


class Conv2D(_Conv):
    """2-d convolution, Keras's way: y = activation(conv(x, kernel) + bias).

    ``kernel`` has shape (kh, kw, in/groups, filters) and ``bias`` (filters,); inputs are
    (batch, height, width, channels), or (batch, channels, height, width) with
    ``data_format='channels_first'``.  Output size per axis: ceil(size / stride) with
    padding='same', floor((size - dilation·(k - 1) - 1) / stride) + 1 with 'valid'.
    Defaults as Keras: Glorot-uniform kernel, zero bias, no activation.

    >>> layer = chainrule.layers.Conv2D(32, (3, 3), activation="relu")
    >>> layer(chainrule.randn(8, 28, 28, 1)).shape, layer.kernel.shape
    ((8, 26, 26, 32), (3, 3, 1, 32))
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1), groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, **kwargs):
        super().__init__(filters, kernel_size, strides, padding, data_format, dilation_rate,
                         groups, activation, use_bias, kernel_initializer, bias_initializer,
                         kernel_regularizer, bias_regularizer, **kwargs)


class Conv1D(_Conv):
    """1-d convolution over (batch, steps, channels) sequences: y = activation(conv(x, kernel)
    + bias), ``kernel`` (k, in/groups, filters), ``bias`` (filters,).  padding='causal' pads
    dilation·(k - 1) zeros on the left only, so that output t sees inputs up to t.

    >>> layer = chainrule.layers.Conv1D(16, 3, padding="causal")
    >>> layer(chainrule.randn(8, 20, 4)).shape, layer.kernel.shape
    ((8, 20, 16), (3, 4, 16))
    """

    rank = 1
    _paddings = ("valid", "same", "causal")

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, **kwargs):
        super().__init__(filters, kernel_size, strides, padding, data_format, dilation_rate,
                         groups, activation, use_bias, kernel_initializer, bias_initializer,
                         kernel_regularizer, bias_regularizer, **kwargs)


class Conv2DTranspose(_Conv):
    """2-d transposed convolution (the gradient of Conv2D with respect to its input), Keras's
    way: ``kernel`` (kh, kw, filters, in), ``bias`` (filters,).  Output size per axis, with
    span = dilation·(k - 1) + 1: size·stride with padding='same', size·stride + max(span -
    stride, 0) with 'valid'; with ``output_padding`` p, (size - 1)·stride + span - 2·pad + p
    (pad = span // 2 for 'same', 0 for 'valid').  The full transposed output is cropped as
    TensorFlow does, the odd element at the bottom/right.

    >>> layer = chainrule.layers.Conv2DTranspose(8, 3, strides=2, padding="same")
    >>> layer(chainrule.randn(2, 7, 7, 4)).shape, layer.kernel.shape
    ((2, 14, 14, 8), (3, 3, 8, 4))
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid",
                 output_padding=None, data_format=None, dilation_rate=(1, 1), activation=None,
                 use_bias=True, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, **kwargs):
        super().__init__(filters, kernel_size, strides, padding, data_format, dilation_rate, 1,
                         activation, use_bias, kernel_initializer, bias_initializer,
                         kernel_regularizer, bias_regularizer, **kwargs)
        if output_padding is not None:
            items = (output_padding,) * 2 if isinstance(output_padding, numbers.Integral) \
                else tuple(output_padding)
            if len(items) != 2 or any(not 0 <= p < s for p, s in zip(items, self.strides)):
                raise ValueError(f"Conv2DTranspose: output_padding must be None or 2 ints, each "
                                 f"in [0, stride) for strides {self.strides}, got "
                                 f"{output_padding!r}")
            output_padding = tuple(int(p) for p in items)
        self.output_padding = output_padding

    def _kernel_shape(self, channels):
        return self.kernel_size + (self.filters, channels)

    def _geometry(self, size, axis):
        """(output length, crop at the start, zeros to add at the end) along one axis."""
        stride, span = self.strides[axis], self.dilation_rate[axis] * (self.kernel_size[axis] - 1) + 1
        full = (size - 1) * stride + span            # what the transposed product gives
        if self.output_padding is None:
            length = size * stride + (max(span - stride, 0) if self.padding == "valid" else 0)
        else:
            pad = span // 2 if self.padding == "same" else 0
            length = full - 2 * pad + self.output_padding[axis]
        crop = max(full - length, 0) // 2 if self.padding == "same" else 0
        return length, crop, max(length + crop - full, 0)

    def forward(self, x):
        x = self._checked_input(x)
        geometry = [self._geometry(n, axis) for axis, n in enumerate(self._spatial(x.shape))]
        weight = F.permute(self.kernel, 3, 2, 0, 1)   # (kh, kw, out, in) -> (in, out, kh, kw)
        y = conv_transpose2d(_channels_first(x, self.data_format), weight,
                             self._parameters["bias"], self.strides, 0,
                             tuple(extra for _, _, extra in geometry), 1, self.dilation_rate)
        (height, top, _), (width, left, _) = geometry
        if y.shape[2:] != (height, width):
            y = y[:, :, top:top + height, left:left + width]
        return self._activate(y)

    def get_config(self):
        config = super().get_config()
        del config["groups"]
        config["output_padding"] = None if self.output_padding is None else \
            list(self.output_padding)
        return config


# --------------------------------------------------------------------------- pooling
class _Pooling(_ImageLayer):
    """Pooling over pool_size windows moved by ``strides`` (default: pool_size)."""

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None,
                 **kwargs):
        super().__init__(**kwargs)
        where = type(self).__name__
        self.pool_size = _sizes(pool_size, self.rank, "pool_size", where)
        self.strides = self.pool_size if strides is None else \
            _sizes(strides, self.rank, "strides", where)
        self.padding = _padding_argument(padding, where)
        self.data_format = _data_format_argument(data_format, where)
        self.built = True   # no weights

    def forward(self, x):
        self._check_rank(x.shape)
        pads = self._pads(x.shape, self.pool_size, self.strides)
        x = _channels_first(x, self.data_format)
        if self.rank == 1:   # pool (N, C, L) as the image (N, C, L, 1)
            y = self._pool(F.unsqueeze(x, -1), pads + (0, 0), self.pool_size + (1,),
                           self.strides + (1,))
            y = F.squeeze(y, -1)
        else:
            y = self._pool(x, pads, self.pool_size, self.strides)
        return _back_to(self.data_format, y)

    def get_config(self):
        return self._config(dict(pool_size=list(self.pool_size), strides=list(self.strides),
                                 padding=self.padding))

    def extra_repr(self):
        return (f"pool_size={self.pool_size}, strides={self.strides}, padding={self.padding!r}, "
                + super().extra_repr())


class MaxPooling2D(_Pooling):
    """The maximum over each pool_size window; 'same' padding never wins (it is -inf).

    >>> chainrule.layers.MaxPooling2D()(chainrule.randn(8, 28, 28, 32)).shape
    (8, 14, 14, 32)
    """

    @staticmethod
    def _pool(x, pads, window, strides):
        return max_pool2d(_pad_explicitly(x, pads, -math.inf), window, strides)


class AveragePooling2D(_Pooling):
    """The mean over each pool_size window; with padding='same', the mean of the input
    elements the window covers (the padding is not counted), as Keras's.

    >>> chainrule.layers.AveragePooling2D(3, strides=2, padding="same")(
    ...     chainrule.randn(8, 7, 7, 4)).shape
    (8, 4, 4, 4)
    """

    def _pool(self, x, pads, window, strides):
        if not any(pads):
            return avg_pool2d(x, window, strides)
        sums = avg_pool2d(_pad_explicitly(x, pads, 0.0), window, strides, divisor_override=1)
        counts = [self._covered(size, k, s, before, out) for size, k, s, before, out in
                  zip(x.shape[2:], window, strides, pads[::2], sums.shape[2:])]
        return sums * Tensor((1.0 / (counts[0][:, None] * counts[1])).astype(x.data.dtype))

    @staticmethod
    def _covered(size, window, stride, before, out):
        """How many input elements each output's window covers along one axis."""
        start = xp.arange(out) * stride - before
        return xp.minimum(start + window, size) - xp.maximum(start, 0)


class _GlobalPooling2D(_ImageLayer):
    """Reduce the spatial axes; ``keepdims`` keeps them with size 1."""

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.data_format = _data_format_argument(data_format, type(self).__name__)
        self.keepdims = bool(keepdims)
        self.built = True   # no weights

    def forward(self, x):
        self._check_rank(x.shape)
        return self._reduce(x, dim=_spatial_axes(self.data_format, self.rank),
                            keepdim=self.keepdims)

    def get_config(self):
        return self._config({"keepdims": self.keepdims})


class GlobalAveragePooling2D(_GlobalPooling2D):
    """The mean of each channel over height and width: (N, H, W, C) -> (N, C).

    >>> chainrule.layers.GlobalAveragePooling2D()(chainrule.randn(8, 7, 7, 64)).shape
    (8, 64)
    """

    _reduce = staticmethod(F.mean)


class GlobalMaxPooling2D(_GlobalPooling2D):
    """The maximum of each channel over height and width: (N, H, W, C) -> (N, C); tied
    maxima share the gradient evenly.

    >>> chainrule.layers.GlobalMaxPooling2D(keepdims=True)(chainrule.randn(8, 7, 7, 64)).shape
    (8, 1, 1, 64)
    """

    _reduce = staticmethod(F.amax)


class MaxPooling1D(MaxPooling2D):
    """The maximum over each window of ``pool_size`` steps of (batch, steps, channels).

    >>> chainrule.layers.MaxPooling1D(2)(chainrule.randn(8, 10, 4)).shape
    (8, 5, 4)
    """

    rank = 1

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class AveragePooling1D(AveragePooling2D):
    """The mean over each window of ``pool_size`` steps; with padding='same', of the steps
    the window covers.

    >>> chainrule.layers.AveragePooling1D(3, padding="same")(chainrule.randn(8, 10, 4)).shape
    (8, 4, 4)
    """

    rank = 1

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class GlobalAveragePooling1D(GlobalAveragePooling2D):
    """The mean of each channel over the steps: (N, steps, C) -> (N, C).

    >>> chainrule.layers.GlobalAveragePooling1D()(chainrule.randn(8, 10, 4)).shape
    (8, 4)
    """

    rank = 1


class GlobalMaxPooling1D(GlobalMaxPooling2D):
    """The maximum of each channel over the steps: (N, steps, C) -> (N, C).

    >>> chainrule.layers.GlobalMaxPooling1D()(chainrule.randn(8, 10, 4)).shape
    (8, 4)
    """

    rank = 1


# Keras's other spellings of the same layers
Convolution1D = Conv1D
Convolution2DTranspose = Conv2DTranspose
MaxPool1D = MaxPooling1D
AvgPool1D = AveragePooling1D
GlobalAvgPool1D = GlobalAveragePooling1D
GlobalMaxPool1D = GlobalMaxPooling1D
Convolution2D = Conv2D
MaxPool2D = MaxPooling2D
AvgPool2D = AveragePooling2D
GlobalAvgPool2D = GlobalAveragePooling2D
GlobalMaxPool2D = GlobalMaxPooling2D
