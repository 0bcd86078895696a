"""Nearest-neighbour resizing: ``interpolate(mode='nearest')`` and the ``Upsample`` layer.

Input (N, C, L), (N, C, H, W) or (N, C, D, H, W); each output position copies the input
element PyTorch's 'nearest' mode picks: index min(floor(i · s), in - 1), s = 1/scale_factor
when a scale factor is given, else in/out.
"""
import math
import numbers

from chainrule.nn._inputs import layer_input
from chainrule.nn.module import Module
from chainrule.ops import pooling as _pooling
from chainrule.tensor import apply


def _per_axis(value, d, name, where):
    items = (value,) * d if isinstance(value, numbers.Real) else tuple(value)
    if len(items) != d:
        raise ValueError(f"{where}: {name} must be one number or {d} (one per spatial axis of a "
                         f"{d + 2}-d input), got {value!r}")
    return items


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Resize the spatial axes of (N, C, *spatial) to ``size``, or by ``scale_factor``
    (output size floor(in · scale_factor)); only mode='nearest'.

    >>> interpolate(chainrule.ones(1, 2, 3, 4), scale_factor=2).shape
    (1, 2, 6, 8)
    """
    where = "interpolate"
    if mode != "nearest":
        raise NotImplementedError(f"{where}: mode={mode!r} is not implemented; only 'nearest' is")
    if align_corners is not None:
        raise ValueError(f"{where}: align_corners can only be set with the interpolating modes "
                         "(linear, bilinear, bicubic, trilinear), not with 'nearest'")
    if antialias:
        raise ValueError(f"{where}: antialias applies to the bilinear and bicubic modes only")
    input = layer_input(input, None, where)
    if input.ndim not in (3, 4, 5):
        raise ValueError(f"{where} expects a 3-d, 4-d or 5-d input (N, C, *spatial), got shape "
                         f"{input.shape}")
    if (size is None) == (scale_factor is None):
        raise ValueError(f"{where}: give exactly one of size and scale_factor")
    d = input.ndim - 2
    spatial = input.shape[2:]
    if size is not None:
        sizes = _per_axis(size, d, "size", where)
        scales = (None,) * d
    else:
        scales = tuple(float(s) for s in _per_axis(scale_factor, d, "scale_factor", where))
        if not all(s > 0 and math.isfinite(s) for s in scales):
            raise ValueError(f"{where}: scale_factor must be positive, got {scale_factor!r}")
        sizes = tuple(math.floor(n * s) for n, s in zip(spatial, scales))
        if recompute_scale_factor:
            scales = (None,) * d
    if not all(isinstance(s, numbers.Integral) and not isinstance(s, bool) and s >= 1 for s in sizes):
        raise ValueError(f"{where}: input of shape {input.shape} would be resized to spatial size "
                         f"{tuple(sizes)}; every output size must be a positive int")
    if any(n == 0 for n in spatial):
        raise ValueError(f"{where}: cannot resize an input with an empty spatial axis: {input.shape}")
    indices = [_pooling.nearest_indices(n, int(out), s) for n, out, s in zip(spatial, sizes, scales)]
    return apply(_pooling.UpsampleNearest(indices), input)


class Upsample(Module):
    """Resize (N, C, *spatial) by nearest-neighbour copying, to ``size`` or by ``scale_factor``;
    see ``interpolate``.

    >>> chainrule.nn.Upsample(scale_factor=2)(chainrule.ones(1, 3, 4, 4)).shape
    (1, 3, 8, 8)
    """

    def __init__(self, size=None, scale_factor=None, mode="nearest", align_corners=None,
                 recompute_scale_factor=None):
        super().__init__()
        if mode != "nearest":
            raise NotImplementedError(f"Upsample: mode={mode!r} is not implemented; only 'nearest' is")
        self.name = type(self).__name__
        self.size = size
        if isinstance(scale_factor, (tuple, list)):
            self.scale_factor = tuple(float(s) for s in scale_factor)
        else:
            self.scale_factor = float(scale_factor) if scale_factor else None
        self.mode, self.align_corners = mode, align_corners
        self.recompute_scale_factor = recompute_scale_factor

    def forward(self, input):
        try:
            return interpolate(input, self.size, self.scale_factor, self.mode, self.align_corners,
                               self.recompute_scale_factor)
        except ValueError as error:
            raise ValueError(str(error).replace("interpolate", repr(self), 1)) from None

    def extra_repr(self):
        if self.scale_factor is not None:
            info = f"scale_factor={self.scale_factor!r}"
        else:
            info = f"size={self.size!r}"
        return f"{info}, mode={self.mode!r}"
