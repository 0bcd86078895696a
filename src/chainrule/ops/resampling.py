"""Separable resampling: linear, cubic and area interpolation, one spatial axis after another.

Along one axis, every output position i is a weighted sum of a few input positions,
y[i] = Σ_k w[i, k] · x[idx[i, k]]  (k < 2 for linear, 4 for cubic, the window for area).
So the forward pass is, per k, one gather along the axis and one broadcast product, and
the backward pass sends w[i, k] · g[i] back to idx[i, k].  Every idx[:, k] is sorted, so
that scatter-add is a segment sum (``add.reduceat``) over runs of equal indices: no
Python loop over pixels, and no ``add.at``.

The tables (idx, w) follow PyTorch's source-position rules (``source_positions``), computed
in the input's float type, as PyTorch's CPU kernels do.
"""
from chainrule.backend import xp
from chainrule.ops.base import Op
from chainrule.ops.pooling import adaptive_windows, segment_sum

CUBIC_A = -0.75   # the sharpness of Keys' cubic convolution kernel, PyTorch's (and OpenCV's) choice


def source_positions(in_size, out_size, scale, align_corners, dtype):
    """Where output position i samples the input, as a real position.

    align_corners: i · (in - 1)/(out - 1), so the corner pixels' centres meet.  Otherwise
    pixel centres meet: (i + 0.5) · s - 0.5, s = 1/scale_factor if given, else in/out.
    """
    i = xp.arange(out_size, dtype=dtype)
    if align_corners:
        step = (in_size - 1) / (out_size - 1) if out_size > 1 else 0.0
        return i * dtype.type(step)
    step = dtype.type(1.0 / scale if scale else in_size / out_size)
    return (i + dtype.type(0.5)) * step - dtype.type(0.5)


def linear_table(in_size, out_size, scale, align_corners, dtype):
    """(idx, w), each (out, 2): the two neighbours of each source position and their weights;
    a source position before the first pixel is the first pixel (PyTorch clamps it at 0)."""
    if out_size == in_size and not align_corners:     # PyTorch copies, whatever the scale factor
        idx = xp.arange(in_size)[:, None].repeat(2, axis=1)
        return idx, xp.array([[1, 0]], dtype=dtype).repeat(in_size, axis=0)
    src = xp.maximum(source_positions(in_size, out_size, scale, align_corners, dtype), 0)
    left = xp.minimum(src.astype(xp.int64), in_size - 1)
    right = xp.minimum(left + 1, in_size - 1)
    t = xp.clip(src - left, 0, 1).astype(dtype)
    return xp.stack([left, right], axis=1), xp.stack([1 - t, t], axis=1)


def cubic_table(in_size, out_size, scale, align_corners, dtype):
    """(idx, w), each (out, 4): the four neighbours floor(src) - 1 .. floor(src) + 2 (clamped to
    the input) and Keys' cubic convolution weights at their distances from src."""
    src = source_positions(in_size, out_size, scale, align_corners, dtype)
    base = xp.floor(src)
    t = (src - base).astype(dtype)
    idx = xp.clip(base.astype(xp.int64)[:, None] + xp.arange(-1, 3), 0, in_size - 1)
    a = dtype.type(CUBIC_A)

    def near(d):  # |d| <= 1
        return ((a + 2) * d - (a + 3)) * d * d + 1

    def far(d):   # 1 < |d| < 2
        return ((a * d - 5 * a) * d + 8 * a) * d - 4 * a
    return idx, xp.stack([far(t + 1), near(t), near(1 - t), far(2 - t)], axis=1)


def area_table(in_size, out_size, dtype):
    """(idx, w), each (out, K): window i of adaptive average pooling, [floor(i·in/out),
    ceil((i+1)·in/out)), with weight 1/length; shorter windows are padded with weight 0."""
    start, end = adaptive_windows(in_size, out_size)
    length = end - start
    k = xp.arange(int(length.max()))
    idx = xp.minimum(start[:, None] + k, in_size - 1)
    w = (k < length[:, None]) / length[:, None]
    return idx, w.astype(dtype)


class Resample(Op):
    """y = x resampled along its last d axes by tables (idx, w), one per axis:
    y[..., i, ...] = Σ_k w[i, k] · x[..., idx[i, k], ...];
    dx[..., j, ...] = Σ_{i, k: idx[i, k] = j} w[i, k] · g[..., i, ...]  (axis by axis, in reverse).
    """

    def __init__(self, tables):
        self.tables = tables   # one (idx, w) pair per spatial axis, the last axes of x

    @staticmethod
    def _along(w, axis, ndim):
        """A weight column shaped to broadcast along ``axis`` of an ndim-d array."""
        return w.reshape((-1,) + (1,) * (ndim - axis - 1))

    def forward(self, x):
        self.shapes = []
        first = x.ndim - len(self.tables)
        for axis, (idx, w) in enumerate(self.tables, start=first):
            self.shapes.append(x.shape)
            y = xp.take(x, idx[:, 0], axis=axis) * self._along(w[:, 0], axis, x.ndim)
            for k in range(1, idx.shape[1]):
                y += xp.take(x, idx[:, k], axis=axis) * self._along(w[:, k], axis, x.ndim)
            x = y
        return x

    def backward(self, g):
        first = g.ndim - len(self.tables)
        for axis in reversed(range(first, g.ndim)):
            (idx, w), size = self.tables[axis - first], self.shapes[axis - first][axis]
            gx = segment_sum(g * self._along(w[:, 0], axis, g.ndim), idx[:, 0], size, axis)
            for k in range(1, idx.shape[1]):
                gx += segment_sum(g * self._along(w[:, k], axis, g.ndim), idx[:, k], size, axis)
            g = gx
        return g
