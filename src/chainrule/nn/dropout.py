"""Dropout: during training, zero each element with probability p and scale the rest by 1/(1-p).

Scaling at training time ("inverted" dropout) keeps every activation's expected value
unchanged, so evaluation needs no correction: in eval mode the layer is the identity.
The mask is drawn from ``chainrule.random.generator()``, so ``manual_seed`` fixes it.
"""
import math
import numbers

from chainrule import random as _random
from chainrule.backend import xp
from chainrule.functions import as_tensor, to_floating
from chainrule.nn.module import Module
from chainrule.ops import arithmetic as _arith
from chainrule.tensor import Tensor, apply


def _check_p(p, where):
    if isinstance(p, bool) or not isinstance(p, numbers.Real) or not 0 <= p <= 1:
        raise ValueError(f"{where}: dropout probability has to be between 0 and 1, but got {p!r}")
    return p


def _keep_mask(shape, p, dtype):
    """1 where an element (or channel) is kept, with probability 1 - p, else 0; in ``dtype``."""
    draw_dtype = dtype if dtype in (xp.float32, xp.float64) else xp.float32
    return (_random.generator().random(shape, dtype=draw_dtype) >= p).astype(dtype)


def dropout(input, p=0.5, training=True, inplace=False):
    """Zero elements with probability ``p`` and scale the survivors by 1/(1-p) when ``training``.

    y = x · m / (1-p),  m ~ Bernoulli(1-p) per element;  dx = g · m / (1-p).
    With ``training=False`` (or p = 0) the input is returned as it is.
    ``inplace`` is accepted for PyTorch compatibility; the result is always a new tensor.
    """
    p = float(_check_p(p, "dropout"))
    input = to_floating(as_tensor(input, "dropout"))
    if not training or p == 0:
        return input
    dtype = input.data.dtype
    if p == 1:
        mask = xp.zeros(input.shape, dtype=dtype)
    else:
        mask = _keep_mask(input.shape, p, dtype)
        mask *= 1.0 / (1.0 - p)
    return apply(_arith.Mul(), input, Tensor(mask))


class Dropout(Module):
    """During training, zero each element with probability ``p`` and scale the rest by 1/(1-p);
    in eval mode, pass the input through unchanged.

    >>> layer = chainrule.nn.Dropout(0.5)
    >>> layer.eval()(chainrule.ones(3)).tolist()
    [1.0, 1.0, 1.0]
    """

    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        self.p = _check_p(p, type(self).__name__)
        self.inplace = inplace

    def forward(self, input):
        return dropout(input, self.p, self.training)

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"


def _channel_dropout(input, p, training, where, batched, layouts):
    """Zero whole channels: one Bernoulli(1-p) draw per (sample, channel) of (N, C, *), shared by
    all its positions, y = x · m / (1-p).  ``batched`` maps each accepted rank to whether it has
    a batch axis; an unbatched input (C, *) gets one draw per channel."""
    p = float(_check_p(p, where))
    input = to_floating(as_tensor(input, where))
    if input.ndim not in batched:
        raise ValueError(f"{where} expects {layouts}, got shape {input.shape}")
    if not training or p == 0:
        return input
    dtype = input.data.dtype
    draw_dtype = dtype if dtype in (xp.float32, xp.float64) else xp.float32
    channels = 2 if batched[input.ndim] else 1
    mask_shape = input.shape[:channels] + (1,) * (input.ndim - channels)
    if p == 1:
        mask = xp.zeros(mask_shape, dtype=dtype)
    else:
        keep = _random.generator().random(mask_shape, dtype=draw_dtype) >= p
        mask = keep.astype(dtype)
        mask *= 1.0 / (1.0 - p)
    return apply(_arith.Mul(), input, Tensor(mask))  # Mul's gradient sums back over the positions


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, L) or (C, L) with probability ``p``, scaling the rest by
    1/(1-p), when ``training``: one draw per (sample, channel), shared along L.

    >>> dropout1d(chainrule.ones(2, 3, 4), training=False).shape
    (2, 3, 4)
    """
    return _channel_dropout(input, p, training, "dropout1d", {3: True, 2: False},
                            "a 3-d input (N, C, L) or a 2-d one (C, L)")


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels with probability ``p`` and scale the rest by 1/(1-p) when ``training``.

    Input (N, C, H, W): one Bernoulli(1-p) draw per (sample, channel), shared by all its H·W
    positions; y = x · m / (1-p).  As in PyTorch, a 3-d input is taken as (N, C, L) (channel-
    wise 1-d dropout).  Neighbouring pixels of a feature map are strongly correlated, so
    dropping single pixels hardly regularizes a convolutional layer; dropping maps does.
    """
    return _channel_dropout(input, p, training, "dropout2d", {4: True, 3: True},
                            "a 4-d input (N, C, H, W) or a 3-d one (N, C, L)")


def dropout3d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, D, H, W) or (C, D, H, W) with probability ``p``, scaling the
    rest by 1/(1-p), when ``training``: one draw per (sample, channel), shared by its D·H·W positions.

    >>> dropout3d(chainrule.ones(2, 3, 2, 2, 2), p=1.0).sum().item()
    0.0
    """
    return _channel_dropout(input, p, training, "dropout3d", {5: True, 4: False},
                            "a 5-d input (N, C, D, H, W) or a 4-d one (C, D, H, W)")


class _ChannelDropout(Module):
    """What Dropout1d, Dropout2d and Dropout3d share: p, inplace, and eval mode as the identity."""

    _function = None

    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        self.p = _check_p(p, type(self).__name__)
        self.inplace = inplace

    def forward(self, input):
        function = type(self)._function
        try:
            return function(input, self.p, self.training)
        except ValueError as error:   # name the layer, not the function
            raise ValueError(str(error).replace(function.__name__, repr(self), 1)) from None

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"


class Dropout1d(_ChannelDropout):
    """During training, zero each whole channel of (N, C, L) or (C, L) with probability ``p``
    and scale the rest by 1/(1-p); in eval mode, the identity.  See ``dropout1d``."""

    _function = dropout1d


class Dropout2d(_ChannelDropout):
    """During training, zero each whole channel of (N, C, H, W) with probability ``p`` and scale
    the rest by 1/(1-p); in eval mode, the identity.  See ``dropout2d``.

    >>> chainrule.nn.Dropout2d(0.3)(chainrule.ones(8, 16, 5, 5)).shape
    (8, 16, 5, 5)
    """

    _function = dropout2d


class Dropout3d(_ChannelDropout):
    """During training, zero each whole channel of (N, C, D, H, W) or (C, D, H, W) with
    probability ``p`` and scale the rest by 1/(1-p); in eval mode, the identity.  See ``dropout3d``."""

    _function = dropout3d


# SELU's negative saturation value, -scale·alpha: where a SELU network's units sit when "off"
_SELU_SATURATION = 1.7580993408473766


def _alpha_dropout(input, p, training, where, per_channel):
    """y = a·(x·m + α'(1 - m)) + b with m ~ Bernoulli(1 - p) (per element, or per (N, C)
    channel), α' the SELU saturation value, and a, b chosen so that an input of zero mean
    and unit variance keeps them; dx = g·a·m."""
    p = float(_check_p(p, where))
    input = to_floating(as_tensor(input, where))
    if per_channel and input.ndim < 2:
        raise ValueError(f"{where} expects an input with at least 2 dims (N, C, *), got shape "
                         f"{input.shape}")
    if not training or p == 0:
        return input
    dtype = input.data.dtype
    if p == 1:
        return apply(_arith.Mul(), input, Tensor(xp.zeros((), dtype=dtype)))
    shape = input.shape[:2] + (1,) * (input.ndim - 2) if per_channel else input.shape
    keep = _keep_mask(shape, p, dtype)
    a = 1.0 / math.sqrt((_SELU_SATURATION ** 2 * p + 1) * (1 - p))
    shift = (keep - 1) * (_SELU_SATURATION * a) + _SELU_SATURATION * a * p
    return apply(_arith.Add(), apply(_arith.Mul(), input, Tensor(keep * dtype.type(a))),
                 Tensor(shift.astype(dtype, copy=False)))


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Dropout for SELU networks: dropped elements become SELU's saturation value instead of 0,
    then an affine map restores zero mean and unit variance (self-normalization survives)."""
    return _alpha_dropout(input, p, training, "alpha_dropout", per_channel=False)


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    """alpha_dropout with one draw per channel of (N, C, *), shared by the channel's positions."""
    return _alpha_dropout(input, p, training, "feature_alpha_dropout", per_channel=True)


class AlphaDropout(Dropout):
    """During training, alpha dropout (see ``alpha_dropout``); in eval mode, the identity.

    >>> chainrule.nn.AlphaDropout(0.2).eval()(chainrule.ones(2)).tolist()
    [1.0, 1.0]
    """

    def forward(self, input):
        return alpha_dropout(input, self.p, self.training)


class FeatureAlphaDropout(Dropout):
    """During training, alpha dropout of whole channels (see ``feature_alpha_dropout``); in eval
    mode, the identity."""

    def forward(self, input):
        return feature_alpha_dropout(input, self.p, self.training)
