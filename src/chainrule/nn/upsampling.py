"""Resizing: ``interpolate`` and the ``Upsample`` layers, with PyTorch's modes and index rules.

Input (N, C, L), (N, C, H, W) or (N, C, D, H, W).  'nearest' copies input element
min(floor(i · s), in - 1) (s = 1/scale_factor when a scale factor is given, else in/out);
'nearest-exact' samples at the pixel centre, floor((i + 0.5) · s).  'linear', 'bilinear',
'trilinear' and 'bicubic' interpolate between neighbours, axis after axis, at the source
position (i + 0.5) · s - 0.5 (or i · (in - 1)/(out - 1) with ``align_corners``); 'area'
averages windows, as adaptive average pooling.
"""
import math
import numbers

from chainrule.nn._inputs import layer_input
from chainrule.nn.module import Module
from chainrule.ops import pooling as _pooling
from chainrule.ops import resampling as _resampling
from chainrule.tensor import apply

# the interpolating modes, and the one input rank each accepts
_LINEAR_MODES = {"linear": 3, "bilinear": 4, "bicubic": 4, "trilinear": 5}
MODES = ("nearest", "nearest-exact", "area") + tuple(_LINEAR_MODES)


def _per_axis(value, d, name, where):
    items = (value,) * d if isinstance(value, numbers.Real) else tuple(value)
    if len(items) != d:
        raise ValueError(f"{where}: {name} must be one number or {d} (one per spatial axis of a "
                         f"{d + 2}-d input), got {value!r}")
    return items


def _check_mode(mode, align_corners, where):
    if mode not in MODES:
        raise NotImplementedError(f"{where}: mode={mode!r} is not one of {', '.join(MODES)}")
    if align_corners is not None and mode not in _LINEAR_MODES:
        raise ValueError(f"{where}: align_corners can only be set with the interpolating modes "
                         f"(linear, bilinear, bicubic, trilinear), not with {mode!r}")


def _output_geometry(input, size, scale_factor, recompute_scale_factor, where):
    """The output's spatial sizes, and the scale factors the source positions use (None: in/out)."""
    if (size is None) == (scale_factor is None):
        raise ValueError(f"{where}: give exactly one of size and scale_factor")
    d, spatial = input.ndim - 2, input.shape[2:]
    if size is not None:
        if recompute_scale_factor:
            raise ValueError(f"{where}: recompute_scale_factor is not meaningful with an explicit size")
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
    return tuple(int(s) for s in sizes), scales


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Resize the spatial axes of (N, C, *spatial) to ``size``, or by ``scale_factor`` (output
    size floor(in · scale_factor)), by ``mode``: 'nearest', 'nearest-exact', 'linear' (3-d),
    'bilinear' or 'bicubic' (4-d), 'trilinear' (5-d) or 'area'.

    ``align_corners`` (interpolating modes only, default False) maps the corner pixels onto
    each other; ``recompute_scale_factor`` positions samples by in/out instead of the given
    scale factor.  ``antialias`` is not supported.

    >>> interpolate(chainrule.ones(1, 2, 3, 4), scale_factor=2).shape
    (1, 2, 6, 8)
    >>> interpolate(chainrule.ones(1, 2, 3, 4), size=(5, 7), mode="bilinear").shape
    (1, 2, 5, 7)
    """
    where = "interpolate"
    _check_mode(mode, align_corners, where)
    input = layer_input(input, None, where)
    if input.ndim not in (3, 4, 5):
        raise ValueError(f"{where} expects a 3-d, 4-d or 5-d input (N, C, *spatial), got shape "
                         f"{input.shape}")
    if antialias:
        if mode in ("bilinear", "bicubic") and input.ndim == 4:
            raise NotImplementedError(f"{where}: antialias=True is not implemented")
        raise ValueError(f"{where}: antialias applies to the bilinear and bicubic modes of a 4-d "
                         f"input only, got mode={mode!r} and input of shape {input.shape}")
    if _LINEAR_MODES.get(mode, input.ndim) != input.ndim:
        raise NotImplementedError(f"{where}: mode={mode!r} needs a {_LINEAR_MODES[mode]}-d input, got "
                                  f"shape {input.shape}")
    sizes, scales = _output_geometry(input, size, scale_factor, recompute_scale_factor, where)
    spatial, dtype = input.shape[2:], input.data.dtype
    if mode in ("nearest", "nearest-exact"):
        indices = [_pooling.nearest_indices(n, out, s, exact=mode == "nearest-exact")
                   for n, out, s in zip(spatial, sizes, scales)]
        return apply(_pooling.UpsampleNearest(indices), input)
    if mode == "area":
        tables = [_resampling.area_table(n, out, dtype) for n, out in zip(spatial, sizes)]
    else:
        table = _resampling.cubic_table if mode == "bicubic" else _resampling.linear_table
        tables = [table(n, out, s, bool(align_corners), dtype) for n, out, s in zip(spatial, sizes, scales)]
    return apply(_resampling.Resample(tables), input)


class Upsample(Module):
    """Resize (N, C, *spatial) to ``size`` or by ``scale_factor``, by ``mode``; see ``interpolate``.

    >>> chainrule.nn.Upsample(scale_factor=2)(chainrule.ones(1, 3, 4, 4)).shape
    (1, 3, 8, 8)
    """

    def __init__(self, size=None, scale_factor=None, mode="nearest", align_corners=None,
                 recompute_scale_factor=None):
        super().__init__()
        _check_mode(mode, align_corners, type(self).__name__)   # fail early
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
        except (ValueError, NotImplementedError) as error:   # name the layer, not the function
            raise type(error)(str(error).replace("interpolate", repr(self), 1)) from None

    def extra_repr(self):
        if self.scale_factor is not None:
            info = f"scale_factor={self.scale_factor!r}"
        else:
            info = f"size={self.size!r}"
        return f"{info}, mode={self.mode!r}"


class UpsamplingNearest2d(Upsample):
    """Upsample(size, scale_factor, mode='nearest') for (N, C, H, W).

    >>> chainrule.nn.UpsamplingNearest2d(scale_factor=2)(chainrule.ones(1, 3, 4, 4)).shape
    (1, 3, 8, 8)
    """

    def __init__(self, size=None, scale_factor=None):
        super().__init__(size, scale_factor, mode="nearest")


class UpsamplingBilinear2d(Upsample):
    """Upsample(size, scale_factor, mode='bilinear', align_corners=True) for (N, C, H, W).

    >>> chainrule.nn.UpsamplingBilinear2d(size=(5, 9))(chainrule.ones(1, 3, 4, 4)).shape
    (1, 3, 5, 9)
    """

    def __init__(self, size=None, scale_factor=None):
        super().__init__(size, scale_factor, mode="bilinear", align_corners=True)
