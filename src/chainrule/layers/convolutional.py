"""Keras's image layers: Conv2D, MaxPooling2D, AveragePooling2D and global pooling.

Keras lays images out channels-last, (batch, height, width, channels), and a Conv2D kernel
as (kh, kw, in/groups, filters); the fused ops of ``chainrule.nn`` work on (N, C, H, W)
images with (filters, in/groups, kh, kw) kernels.  So each layer permutes its input to
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
from chainrule.nn.conv import conv2d
from chainrule.nn.pooling import avg_pool2d, max_pool2d
from chainrule.tensor import Tensor

DATA_FORMATS = ("channels_last", "channels_first")


# --------------------------------------------------------------------------- arguments
def _pair(value, name, where):
    """An int or a sequence of 2 positive ints, as a tuple of 2 ints."""
    items = (value, value) if isinstance(value, numbers.Integral) else value
    try:
        items = tuple(items)
    except TypeError:
        items = ()
    if len(items) != 2 or not all(isinstance(v, numbers.Integral) and not isinstance(v, bool)
                                  and v >= 1 for v in items):
        raise ValueError(f"{where}: {name} must be a positive int or a tuple of 2 positive "
                         f"ints, got {value!r}")
    return tuple(int(v) for v in items)


def _padding_argument(padding, where):
    if not isinstance(padding, str) or padding.lower() not in ("valid", "same"):
        raise ValueError(f"{where}: padding must be 'valid' or 'same', got {padding!r}")
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


def _spatial_axes(data_format):
    return (1, 2) if data_format == "channels_last" else (2, 3)


def _channels_first(x, data_format):
    """(N, H, W, C) -> (N, C, H, W), a view; channels-first input passes unchanged."""
    return F.permute(x, 0, 3, 1, 2) if data_format == "channels_last" else x


def _back_to(data_format, y):
    """(N, C, H, W) -> the layer's own layout."""
    return F.permute(y, 0, 2, 3, 1) if data_format == "channels_last" else y


class _ImageLayer(Layer):
    """What the 2-d layers share: the data format, and the check that inputs are 4-d images."""

    def _layout(self):
        return ("(batch, height, width, channels)" if self.data_format == "channels_last"
                else "(batch, channels, height, width)")

    def _check_rank(self, shape):
        if len(shape) != 4:
            raise ValueError(f"{type(self).__name__} {self.name!r} expects 4-d inputs "
                             f"{self._layout()} (data_format={self.data_format!r}), got "
                             f"input of shape {tuple(shape)}")

    def _spatial(self, shape):
        return tuple(shape[a] for a in _spatial_axes(self.data_format))

    def _pads(self, shape, window, strides, dilation=(1, 1), what="pool_size"):
        """(top, bottom, left, right) for ``self.padding``, or a clear error when 'valid'
        windows do not fit in the input."""
        spatial = self._spatial(shape)
        spans = tuple(d * (k - 1) + 1 for k, d in zip(window, dilation))
        if self.padding == "same":
            (top, bottom), (left, right) = (same_padding(n, s, st) for n, s, st in
                                            zip(spatial, spans, strides))
            return top, bottom, left, right
        if any(n < s for n, s in zip(spatial, spans)):
            raise ValueError(f"{type(self).__name__} {self.name!r}: the {what} {spans} is larger "
                             f"than the input's spatial size {spatial} (input shape "
                             f"{tuple(shape)}, padding='valid')")
        return 0, 0, 0, 0

    def _config(self, config):
        config = dict(super().get_config(), **config)
        config["data_format"] = self.data_format
        return config


def _pad_explicitly(x, pads, value):
    """x (N, C, H, W) padded by (top, bottom, left, right) with ``value``, as a graph op."""
    top, bottom, left, right = pads
    return F.pad(x, (left, right, top, bottom), value=value) if any(pads) else x


# --------------------------------------------------------------------------- Conv2D
class Conv2D(_ImageLayer):
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
        super().__init__(**kwargs)
        where = "Conv2D"
        if isinstance(filters, bool) or not isinstance(filters, numbers.Integral) or filters < 1:
            raise ValueError(f"{where}: filters must be a positive integer, got {filters!r}")
        if isinstance(groups, bool) or not isinstance(groups, numbers.Integral) or groups < 1:
            raise ValueError(f"{where}: groups must be a positive integer, got {groups!r}")
        if filters % groups:
            raise ValueError(f"{where}: filters ({filters}) must be divisible by groups "
                             f"({groups})")
        self.filters, self.groups = int(filters), int(groups)
        self.kernel_size = _pair(kernel_size, "kernel_size", where)
        self.strides = _pair(strides, "strides", where)
        self.padding = _padding_argument(padding, where)
        self.data_format = _data_format_argument(data_format, where)
        self.dilation_rate = _pair(dilation_rate, "dilation_rate", where)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self._set_weight_options(
            kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer)

    def _channels(self, shape):
        return shape[-1] if self.data_format == "channels_last" else shape[1]

    def build(self, input_shape):
        self._check_rank(input_shape)
        channels = int(self._channels(input_shape))
        if channels % self.groups:
            raise ValueError(f"Conv2D {self.name!r}: the input's {channels} channels must be "
                             f"divisible by groups ({self.groups}); input shape "
                             f"{tuple(input_shape)}")
        self.in_channels = channels
        shape = self.kernel_size + (channels // self.groups, self.filters)
        self.kernel = self.add_weight("kernel", shape, self.kernel_initializer,
                                      self.kernel_regularizer)
        if self.use_bias:
            self.bias = self.add_weight("bias", (self.filters,), self.bias_initializer,
                                        self.bias_regularizer)
        else:
            self.register_parameter("bias", None)

    def forward(self, x):
        self._check_rank(x.shape)
        if self._channels(x.shape) != self.in_channels:
            raise ValueError(f"Conv2D {self.name!r} expects inputs with {self.in_channels} "
                             f"channels ({self.data_format}), got input of shape {x.shape}")
        kernel = self.kernel
        if x.dtype != kernel.dtype:   # Keras casts inputs to the layer's dtype
            x = F.astype(x, kernel.dtype)
        pads = self._pads(x.shape, self.kernel_size, self.strides, self.dilation_rate,
                          "(dilated) kernel")
        x = _channels_first(x, self.data_format)
        top, bottom, left, right = pads
        if (top, left) == (bottom, right):
            padding = (top, left)
        else:   # TensorFlow's odd padding: conv2d pads symmetrically, so pad first
            x, padding = _pad_explicitly(x, pads, 0.0), 0
        weight = F.permute(kernel, 3, 2, 0, 1)   # (kh, kw, in, out) -> (out, in, kh, kw)
        y = conv2d(x, weight, self._parameters["bias"], self.strides, padding,
                   self.dilation_rate, self.groups)
        y = _back_to(self.data_format, y)
        return y if self.activation is activations.linear else self.activation(y)

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


# --------------------------------------------------------------------------- pooling
class _Pooling2D(_ImageLayer):
    """Pooling over pool_size windows moved by ``strides`` (default: pool_size)."""

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None,
                 **kwargs):
        super().__init__(**kwargs)
        where = type(self).__name__
        self.pool_size = _pair(pool_size, "pool_size", where)
        self.strides = self.pool_size if strides is None else _pair(strides, "strides", where)
        self.padding = _padding_argument(padding, where)
        self.data_format = _data_format_argument(data_format, where)
        self.built = True   # no weights

    def forward(self, x):
        self._check_rank(x.shape)
        pads = self._pads(x.shape, self.pool_size, self.strides)
        y = self._pool(_channels_first(x, self.data_format), pads)
        return _back_to(self.data_format, y)

    def get_config(self):
        return self._config(dict(pool_size=list(self.pool_size), strides=list(self.strides),
                                 padding=self.padding))

    def extra_repr(self):
        return (f"pool_size={self.pool_size}, strides={self.strides}, padding={self.padding!r}, "
                + super().extra_repr())


class MaxPooling2D(_Pooling2D):
    """The maximum over each pool_size window; 'same' padding never wins (it is -inf).

    >>> chainrule.layers.MaxPooling2D()(chainrule.randn(8, 28, 28, 32)).shape
    (8, 14, 14, 32)
    """

    def _pool(self, x, pads):
        x = _pad_explicitly(x, pads, -math.inf)
        return max_pool2d(x, self.pool_size, self.strides)


class AveragePooling2D(_Pooling2D):
    """The mean over each pool_size window; with padding='same', the mean of the input
    elements the window covers (the padding is not counted), as Keras's.

    >>> chainrule.layers.AveragePooling2D(3, strides=2, padding="same")(
    ...     chainrule.randn(8, 7, 7, 4)).shape
    (8, 4, 4, 4)
    """

    def _pool(self, x, pads):
        if not any(pads):
            return avg_pool2d(x, self.pool_size, self.strides)
        sums = avg_pool2d(_pad_explicitly(x, pads, 0.0), self.pool_size, self.strides,
                          divisor_override=1)
        counts = [self._covered(size, k, s, before, out) for size, k, s, before, out in
                  zip(x.shape[2:], self.pool_size, self.strides, pads[::2], sums.shape[2:])]
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
        return self._reduce(x, dim=_spatial_axes(self.data_format), keepdim=self.keepdims)

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


# Keras's other spellings of the same layers
Convolution2D = Conv2D
MaxPool2D = MaxPooling2D
AvgPool2D = AveragePooling2D
GlobalAvgPool2D = GlobalAveragePooling2D
GlobalMaxPool2D = GlobalMaxPooling2D
