"""Pixel shuffle: trade channels for resolution and back, by a reshape and a permutation;
and channel shuffle, which interleaves the channels of groups (ShuffleNet).

PixelShuffle(r) turns (*, C·r², H, W) into (*, C, H·r, W·r): channel c·r² + i·r + j of
input pixel (h, w) becomes output pixel (h·r + i, w·r + j) of channel c.  PixelUnshuffle(r)
is its inverse.  Both are views and a copy, so their gradients are the same moves reversed.
"""
import numbers

from chainrule.functions import as_tensor
from chainrule.nn.module import Module


def _factor(value, name, where):
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"{where}: {name} must be a positive integer, got {value!r}")
    return int(value)


def _image(input, factor, name, where):
    """The input as a tensor of at least 3 dims (*, C, H, W), and the factor as a positive int."""
    factor = _factor(factor, name, where)
    input = as_tensor(input, where)
    if input.ndim < 3:
        raise ValueError(f"{where} expects an input of shape (*, C, H, W) with at least 3 dims, "
                         f"got shape {input.shape}")
    return input, factor


def _regroup(input, split, order, merged):
    """Reshape the last 3 dims of ``input`` to ``split``, reorder those by ``order``, and
    reshape them to ``merged``: one view, one permutation, one copy."""
    *batch, _, _, _ = input.shape
    n = len(batch)
    x = input.reshape(*batch, *split).permute(*range(n), *(n + axis for axis in order))
    return x.reshape(*batch, *merged)


def pixel_shuffle(input, upscale_factor):
    """(*, C·r², H, W) -> (*, C, H·r, W·r) with r = ``upscale_factor`` (sub-pixel convolution).

    >>> pixel_shuffle(chainrule.ones(1, 8, 3, 3), 2).shape
    (1, 2, 6, 6)
    """
    where = "pixel_shuffle"
    input, r = _image(input, upscale_factor, "upscale_factor", where)
    channels, h, w = input.shape[-3:]
    if channels % (r * r):
        raise ValueError(f"{where}: the {channels} channels of input of shape {input.shape} must be "
                         f"divisible by upscale_factor² = {r * r}")
    c = channels // (r * r)
    return _regroup(input, (c, r, r, h, w), (0, 3, 1, 4, 2), (c, h * r, w * r))   # (c, h, r, w, r)


def pixel_unshuffle(input, downscale_factor):
    """(*, C, H·r, W·r) -> (*, C·r², H, W) with r = ``downscale_factor``; undoes pixel_shuffle.

    >>> pixel_unshuffle(chainrule.ones(1, 2, 6, 6), 2).shape
    (1, 8, 3, 3)
    """
    where = "pixel_unshuffle"
    input, r = _image(input, downscale_factor, "downscale_factor", where)
    c, height, width = input.shape[-3:]
    if height % r or width % r:
        raise ValueError(f"{where}: the height and width of input of shape {input.shape} must be "
                         f"divisible by downscale_factor = {r}")
    h, w = height // r, width // r
    return _regroup(input, (c, h, r, w, r), (0, 2, 4, 1, 3), (c * r * r, h, w))   # (c, r, r, h, w)


class _Shuffle(Module):
    """What PixelShuffle and PixelUnshuffle share: one factor, kept under its PyTorch name."""

    _function, _factor_name = None, ""

    def __init__(self, factor):
        super().__init__()
        setattr(self, self._factor_name, _factor(factor, self._factor_name, type(self).__name__))

    def forward(self, input):
        function = type(self)._function
        try:
            return function(input, getattr(self, self._factor_name))
        except ValueError as error:   # name the layer, not the function
            raise ValueError(str(error).replace(function.__name__, repr(self), 1)) from None

    def extra_repr(self):
        return f"{self._factor_name}={getattr(self, self._factor_name)}"


class PixelShuffle(_Shuffle):
    """(*, C·r², H, W) -> (*, C, H·r, W·r); see ``pixel_shuffle``.

    >>> chainrule.nn.PixelShuffle(3)(chainrule.ones(2, 9, 4, 4)).shape
    (2, 1, 12, 12)
    """

    _function, _factor_name = pixel_shuffle, "upscale_factor"

    def __init__(self, upscale_factor):
        super().__init__(upscale_factor)


class PixelUnshuffle(_Shuffle):
    """(*, C, H·r, W·r) -> (*, C·r², H, W); see ``pixel_unshuffle``."""

    _function, _factor_name = pixel_unshuffle, "downscale_factor"

    def __init__(self, downscale_factor):
        super().__init__(downscale_factor)


def channel_shuffle(input, groups):
    """(N, C, *) with C = g·m -> channels interleaved across the g groups: output channel
    j·g + i is input channel i·m + j, so that the next grouped convolution sees every group.

    >>> channel_shuffle(chainrule.arange(4.0).reshape(1, 4, 1), 2).flatten().tolist()
    [0.0, 2.0, 1.0, 3.0]
    """
    where = "channel_shuffle"
    g = _factor(groups, "groups", where)
    input = as_tensor(input, where)
    if input.ndim < 3:
        raise ValueError(f"{where} expects an input of shape (N, C, *) with at least 3 dims, got "
                         f"shape {input.shape}")
    n, c, *rest = input.shape
    if c % g:
        raise ValueError(f"{where}: the {c} channels of input of shape {input.shape} are not "
                         f"divisible by groups = {g}")
    return input.reshape(n, g, c // g, *rest).transpose(1, 2).reshape(n, c, *rest)


class ChannelShuffle(_Shuffle):
    """Interleave the channels of ``groups`` groups of (N, C, *); see ``channel_shuffle``.

    >>> chainrule.nn.ChannelShuffle(2)(chainrule.ones(1, 4, 2, 2)).shape
    (1, 4, 2, 2)
    """

    _function, _factor_name = channel_shuffle, "groups"

    def __init__(self, groups):
        super().__init__(groups)
