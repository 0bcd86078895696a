"""Spatial transformers (Jaderberg et al., 2015): ``affine_grid`` makes a sampling grid from
affine matrices, ``grid_sample`` reads an image at the grid's points, as PyTorch's.

Coordinates are normalized: (-1, -1) is the top-left of the image and (1, 1) its
bottom-right (the centres of the corner pixels with ``align_corners=True``, their outer
corners without), so one grid serves images of any size.

>>> import chainrule.nn.functional as F
>>> images = chainrule.randn(1, 3, 32, 32)
>>> theta = chainrule.tensor([[[0.8, -0.2, 0.1], [0.2, 0.8, 0.0]]], requires_grad=True)
>>> grid = F.affine_grid(theta, (1, 3, 32, 32), align_corners=False)
>>> warped = F.grid_sample(images, grid, align_corners=False)
"""
import warnings

from chainrule.backend import xp
from chainrule.functions import as_tensor, matmul
from chainrule.ops import grid as _grid
from chainrule.tensor import Tensor, apply

MODES = ("bilinear", "nearest")
PADDING_MODES = ("zeros", "border", "reflection")


def _align_corners(align_corners):
    if align_corners is None:
        warnings.warn("Default grid_sample and affine_grid behavior has changed to "
                      "align_corners=False since PyTorch 1.3.0; pass align_corners=True for the "
                      "old behavior", UserWarning, stacklevel=3)
        return False
    return bool(align_corners)


def _floating(tensor, name, op):
    tensor = as_tensor(tensor, op)
    if tensor.dtype.kind != "f":
        raise TypeError(f"{op}: {name} must be a floating-point tensor, got {tensor.dtype}")
    return tensor


def _base_coordinates(steps, align_corners, dtype):
    """The normalized coordinates of the centres of ``steps`` pixels along one axis."""
    if steps <= 1:
        return xp.zeros(steps, dtype)
    coords = xp.linspace(-1, 1, steps, dtype=dtype)
    return coords if align_corners else coords * ((steps - 1) / steps)


def affine_grid(theta, size, align_corners=None):
    """The sampling grid (N, H, W, 2) of the affine maps ``theta`` (N, 2, 3) for an output of
    ``size`` (N, C, H, W): grid[n, i, j] = theta[n] @ (x_j, y_i, 1), with (x_j, y_i) the
    normalized coordinates of output pixel (i, j).  Differentiable with respect to theta.
    """
    op = "affine_grid"
    align_corners = _align_corners(align_corners)
    theta = _floating(theta, "theta", op)
    size = tuple(int(s) for s in size)
    if len(size) != 4:
        raise ValueError(f"{op}: size must be (N, C, H, W) for 2-D affine maps; got {size}")
    if theta.shape != (size[0], 2, 3):
        raise ValueError(f"{op}: expected a batch of 2-D affine matrices of shape ({size[0]}, 2, 3) "
                         f"for size {size}; got {theta.shape}")
    if min(size) <= 0:
        raise ValueError(f"{op}: size must be positive, got {size}")
    n, _, h, w = size
    if align_corners and min(h, w) == 1:
        warnings.warn(f"{op}: with align_corners=True a size-1 dim has no corners to align; its "
                      "coordinate is 0, as in PyTorch since 1.3.0", UserWarning, stacklevel=2)
    ys = _base_coordinates(h, align_corners, theta.dtype)
    xs = _base_coordinates(w, align_corners, theta.dtype)
    base = xp.stack([xp.broadcast_to(xs, (h, w)), xp.broadcast_to(ys[:, None], (h, w)),
                     xp.ones((h, w), theta.dtype)], axis=-1).reshape(1, h * w, 3)
    return matmul(Tensor(base), theta.transpose(1, 2)).reshape(n, h, w, 2)


def grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=None):
    """The input (N, C, H, W) read at the points of ``grid`` (N, H_out, W_out, 2), given as
    normalized (x, y): the output is (N, C, H_out, W_out).

    ``mode`` 'bilinear' blends the four nearest pixels, 'nearest' takes the closest;
    points outside the image read zeros ('zeros'), the nearest border pixel ('border') or
    the image mirrored at its borders ('reflection').  Differentiable with respect to the
    input and (bilinear) the grid.
    """
    op = "grid_sample"
    if mode not in MODES:
        raise ValueError(f"{op}: mode must be 'bilinear' or 'nearest', got {mode!r}")
    if padding_mode not in PADDING_MODES:
        raise ValueError(f"{op}: padding_mode must be 'zeros', 'border' or 'reflection', got "
                         f"{padding_mode!r}")
    align_corners = _align_corners(align_corners)
    input = _floating(input, "input", op)
    grid = _floating(grid, "grid", op)
    if input.ndim != 4:
        raise ValueError(f"{op}: input must have shape (N, C, H, W), got {input.shape}")
    if grid.ndim != 4 or grid.shape[-1] != 2 or grid.shape[0] != input.shape[0]:
        raise ValueError(f"{op}: grid must have shape (N, H_out, W_out, 2) with N = "
                         f"{input.shape[0]} for the input of shape {input.shape}; got {grid.shape}")
    if grid.dtype != input.dtype:
        raise TypeError(f"{op}: input and grid must have the same dtype, got {input.dtype} and "
                        f"{grid.dtype}")
    if 0 in input.shape[2:]:
        raise ValueError(f"{op}: input of shape {input.shape} has no pixels to sample")
    return apply(_grid.GridSample(mode, padding_mode, align_corners), input, grid)
