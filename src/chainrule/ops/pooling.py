"""Pooling and nearest-neighbour upsampling over the last two axes of an array (..., H, W).

A pooling window visits the input at kernel offsets (i, j); for one offset, the input
elements that all the windows see form one strided view of the (padded) input, of the
output's shape.  So each op runs one vectorized step per kernel offset (4 for a 2x2
kernel), never a Python loop over samples or pixels, and its backward scatters the
gradient through the same views.  1-d pooling is 2-d pooling with H = 1.
"""
from chainrule.backend import xp
from chainrule.ops.base import Op


def pool_output_size(size, kernel, stride, padding, dilation=1, ceil_mode=False):
    """How many windows fit along one axis, by PyTorch's rule.

    out = floor((size + 2·padding - dilation·(kernel-1) - 1) / stride) + 1 (ceil with
    ``ceil_mode``, but a last window must start inside the input or its left padding).
    """
    span = size + 2 * padding - dilation * (kernel - 1) - 1
    out = (-(-span // stride) if ceil_mode else span // stride) + 1
    if ceil_mode and (out - 1) * stride >= size + padding:
        out -= 1
    return out


def _padded(x, padding, extent, fill):
    """``x`` inside a border of ``fill``: ``padding`` (ph, pw) before each of the last two
    axes, and after them as much as the windows reach (``extent``: the padded (H, W) they need)."""
    (ph, pw), (eh, ew) = padding, extent
    h, w = x.shape[-2:]
    eh, ew = max(eh, h + 2 * ph), max(ew, w + 2 * pw)
    if (ph, pw) == (0, 0) and (eh, ew) == (h, w):
        return x
    out = xp.full(x.shape[:-2] + (eh, ew), fill, dtype=x.dtype)
    out[..., ph:ph + h, pw:pw + w] = x
    return out


class _Pool2d(Op):
    """What the pooling ops share: their geometry, and the strided view for each kernel offset."""

    def __init__(self, kernel, stride, padding, dilation=(1, 1), ceil_mode=False):
        self.kernel, self.stride, self.padding = kernel, stride, padding
        self.dilation, self.ceil_mode = dilation, ceil_mode

    def _geometry(self, x):
        """Output size (OH, OW) and the padded extent the windows reach."""
        out = tuple(pool_output_size(x.shape[-2 + a], self.kernel[a], self.stride[a],
                                     self.padding[a], self.dilation[a], self.ceil_mode)
                    for a in range(2))
        extent = tuple((out[a] - 1) * self.stride[a] + self.dilation[a] * (self.kernel[a] - 1) + 1
                       for a in range(2))
        return out, extent

    def _views(self, a, out):
        """For each kernel offset in row-major order: the view of ``a`` that the windows see there."""
        (kh, kw), (sh, sw), (dh, dw), (oh, ow) = self.kernel, self.stride, self.dilation, out
        for i in range(kh):
            for j in range(kw):
                yield a[..., i * dh:i * dh + sh * (oh - 1) + 1:sh, j * dw:j * dw + sw * (ow - 1) + 1:sw]

    def _overlapping(self):
        """True when an input element can fall in two windows (then gradients must add up)."""
        return any(s < d * (k - 1) + 1 for k, s, d in zip(self.kernel, self.stride, self.dilation))

    def _unpad(self, gx_padded):
        (ph, pw), (h, w) = self.padding, self.in_shape[-2:]
        return gx_padded[..., ph:ph + h, pw:pw + w]


class MaxPool2d(_Pool2d):
    """y = max of each window (padding counts as -inf);  dx = g at each window's (first) maximum.

    ``argmax`` keeps, per output element, the kernel offset of the maximum: the first one in
    row-major order on ties (the comparison is strict), and a NaN wins, as in PyTorch.
    """

    def forward(self, x):
        out, extent = self._geometry(x)
        self.in_shape = x.shape
        padded = _padded(x, self.padding, extent, -xp.inf)
        self.padded_shape = padded.shape
        if self._tiling(extent, x.shape[-2:]):
            y = self._tiled_forward(x, out)
            if y is not None:
                return y
        views = self._views(padded, out)
        y = next(views).copy()
        small = self.kernel[0] * self.kernel[1] <= 127
        self.argmax = argmax = xp.zeros(y.shape, dtype=xp.int8 if small else xp.int32)
        for k, v in enumerate(views, start=1):
            wins = (v > y) | (v != v)  # strictly greater keeps the first maximum; NaN propagates
            xp.maximum(y, v, out=y)
            # arithmetic instead of a masked assignment: argmax = k where wins (several times faster)
            argmax += wins * (argmax.dtype.type(k) - argmax)
        return y

    def _tiling(self, extent, size):
        """True when the windows tile the input: stride = kernel, no padding or dilation, and
        no window reaching past the input's end."""
        return (tuple(self.stride) == tuple(self.kernel) and not any(self.padding)
                and tuple(self.dilation) == (1, 1) and all(e <= s for e, s in zip(extent, size)))

    def _tiled_forward(self, x, out):
        """The max and first argmax of windows that tile ``x``, or None if a maximum is NaN.

        One copy puts the kernel offset first, (kh·kw, ..., OH, OW); every step after it is a
        contiguous pass (on strided views they run 2-3x slower).  The first offset k holding
        the maximum comes from the last offset down: r = 0 at the last one, and at each
        earlier k, r = (r + 1) if x_k differs from the maximum, else 0; argmax = r at k = 0.
        """
        (kh, kw), (oh, ow), lead = self.kernel, out, x.shape[:-2]
        d = len(lead)
        tiles = x[..., :oh * kh, :ow * kw].reshape(lead + (oh, kh, ow, kw))
        order = (d + 1, d + 3) + tuple(range(d)) + (d, d + 2)
        by_offset = xp.ascontiguousarray(tiles.transpose(order)).reshape((kh * kw,) + lead + out)
        y = by_offset[0].copy()
        for v in by_offset[1:]:
            xp.maximum(y, v, out=y)
        if xp.isnan(y).any():  # a NaN wins, the last one as PyTorch: the general loop says which
            return None
        dtype = xp.int8 if kh * kw <= 127 else xp.int32
        self.argmax = argmax = xp.zeros(y.shape, dtype=dtype)
        for v in by_offset[-2::-1]:
            argmax += 1
            argmax *= v != y
        return y

    def backward(self, g):
        gx = xp.zeros(self.padded_shape, dtype=g.dtype)
        overlapping = self._overlapping()
        for k, view in enumerate(self._views(gx, self.argmax.shape[-2:])):
            if overlapping:
                view += g * (self.argmax == k)
            else:  # the views are disjoint: write, no read-modify-write
                xp.multiply(g, self.argmax == k, out=view)
        return self._unpad(gx)

    def indices(self):
        """The flat position (row · W + column) in each (H, W) input plane of every maximum, as
        PyTorch's ``return_indices``."""
        kh, kw = self.kernel
        oh, ow = self.argmax.shape[-2:]
        i, j = xp.divmod(self.argmax.astype(xp.int64), kw)
        rows = (xp.arange(oh) * self.stride[0] - self.padding[0])[:, None] + i * self.dilation[0]
        cols = xp.arange(ow) * self.stride[1] - self.padding[1] + j * self.dilation[1]
        return rows * self.in_shape[-1] + cols


def _avg_divisors(size, kernel, stride, padding, out, count_include_pad):
    """Per output position along one axis, how many positions its window counts: the window cut
    at the padded input's end, and (without ``count_include_pad``) at the input's own ends."""
    start = xp.arange(out) * stride - padding
    end = xp.minimum(start + kernel, size + padding)
    if count_include_pad:
        return end - start
    return xp.minimum(end, size) - xp.maximum(start, 0)


class AvgPool2d(_Pool2d):
    """y = (sum of each window) / divisor;  dx = g / divisor added at every element of its window.

    The divisor is the kernel's area, or what PyTorch counts: the window cut at the padded
    input's end (``ceil_mode``), without the padding if not ``count_include_pad``, or
    ``divisor_override``.
    """

    def __init__(self, kernel, stride, padding, ceil_mode=False, count_include_pad=True,
                 divisor_override=None):
        super().__init__(kernel, stride, padding, (1, 1), ceil_mode)
        self.count_include_pad, self.divisor_override = count_include_pad, divisor_override

    def forward(self, x):
        out, extent = self._geometry(x)
        self.in_shape = x.shape
        padded = _padded(x, self.padding, extent, 0)
        self.padded_shape = padded.shape
        views = self._views(padded, out)
        y = next(views).copy()
        for v in views:
            y += v
        if self.divisor_override is not None:
            self.divisor = x.dtype.type(self.divisor_override)
        else:
            rows, cols = (_avg_divisors(x.shape[-2 + a], self.kernel[a], self.stride[a],
                                        self.padding[a], out[a], self.count_include_pad)
                          for a in range(2))
            divisor = rows[:, None] * cols
            # a whole kernel everywhere (the usual case) divides by one number
            same = divisor.size and (divisor == divisor.flat[0]).all()
            self.divisor = (x.dtype.type(divisor.flat[0]) if same else divisor.astype(x.dtype))
        y /= self.divisor
        return y

    def backward(self, g):
        share = g / self.divisor
        gx = xp.zeros(self.padded_shape, dtype=g.dtype)
        overlapping = self._overlapping()
        for view in self._views(gx, g.shape[-2:]):
            if overlapping:
                view += share
            else:
                view[...] = share
        return self._unpad(gx)


def adaptive_windows(size, out):
    """PyTorch's adaptive windows along one axis: window i is [floor(i·size/out), ceil((i+1)·size/out))."""
    i = xp.arange(out)
    return (i * size) // out, -((-(i + 1) * size) // out)


class AdaptiveAvgPool2d(Op):
    """y[i, j] = mean of x over rows [h0(i), h1(i)) and columns [w0(j), w1(j));  dx = g spread evenly.

    When the output divides the input, the windows tile it and y is a reshape and a mean;
    otherwise y = A_h x A_wᵀ with averaging matrices A (out, size) (dx = A_hᵀ g A_w).
    """

    def __init__(self, output_size):
        self.output_size = output_size

    def forward(self, x):
        (h, w), (oh, ow) = x.shape[-2:], self.output_size
        self.in_shape = x.shape
        self.tiled = h % oh == 0 and w % ow == 0
        if self.tiled:
            tiles = x.reshape(x.shape[:-2] + (oh, h // oh, ow, w // ow))
            return tiles.mean(axis=(-3, -1))
        self.a_h, self.a_w = (self._averaging(size, out, x.dtype) for size, out in ((h, oh), (w, ow)))
        return xp.matmul(xp.matmul(self.a_h, x), self.a_w.T)

    @staticmethod
    def _averaging(size, out, dtype):
        """The (out, size) matrix whose row i averages window i."""
        start, end = adaptive_windows(size, out)
        position = xp.arange(size)
        inside = (position >= start[:, None]) & (position < end[:, None])
        return (inside / (end - start)[:, None]).astype(dtype)

    def backward(self, g):
        (h, w), (oh, ow) = self.in_shape[-2:], self.output_size
        if self.tiled:
            kh, kw = h // oh, w // ow
            share = (g / (kh * kw))[..., :, None, :, None]
            return xp.broadcast_to(share, g.shape[:-2] + (oh, kh, ow, kw)).reshape(self.in_shape)
        return xp.matmul(xp.matmul(self.a_h.T, g), self.a_w)


def _scatter_to_planes(g, flat_index, plane_size):
    """out[..., p] = Σ of g's entries whose ``flat_index`` is p, per plane (the last axis of
    ``out``, of length ``plane_size``): one bincount over every plane at once."""
    lead = g.shape[:-2]
    planes = int(xp.prod(lead, dtype=xp.int64)) if lead else 1
    offsets = (xp.arange(planes) * plane_size).reshape(lead + (1, 1))
    summed = xp.bincount((flat_index + offsets).ravel(), weights=g.ravel(), minlength=planes * plane_size)
    return summed.astype(g.dtype, copy=False).reshape(lead + (plane_size,))


class AdaptiveMaxPool2d(Op):
    """y[i, j] = max of x over rows [h0(i), h1(i)) and columns [w0(j), w1(j)) (the windows of
    adaptive average pooling);  dx = g at each window's (first) maximum, summed where windows overlap.

    Max is separable: first the maximum of each column window in every row, then of each row
    window over those; along each axis window i reads idx[i, k] = min(start_i + k, end_i - 1),
    k < the longest window (repeating an element leaves a maximum unchanged).  The first
    maximum in row-major order wins ties, and a NaN wins, as in PyTorch.
    """

    def __init__(self, output_size):
        self.output_size = output_size

    @staticmethod
    def _window_max(x, size, out, axis):
        """The maximum and its position along ``axis`` over each adaptive window."""
        start, end = adaptive_windows(size, out)
        idx = xp.minimum(start[:, None] + xp.arange(int((end - start).max())), end[:, None] - 1)
        trailing = (1,) * (x.ndim - axis - 1)          # idx[:, k] shaped to broadcast along axis
        y = xp.take(x, idx[:, 0], axis=axis)
        where = xp.broadcast_to(idx[:, 0].reshape((-1,) + trailing), y.shape)
        for k in range(1, idx.shape[1]):
            v = xp.take(x, idx[:, k], axis=axis)
            wins = (v > y) | (v != v)   # strictly greater keeps the first maximum; NaN propagates
            y = xp.where(wins, v, y)
            where = xp.where(wins, idx[:, k].reshape((-1,) + trailing), where)
        return y, where

    def forward(self, x):
        (h, w), (oh, ow) = x.shape[-2:], self.output_size
        self.in_shape = x.shape
        by_column, column = self._window_max(x, w, ow, x.ndim - 1)          # (..., H, OW)
        y, row = self._window_max(by_column, h, oh, x.ndim - 2)            # (..., OH, OW)
        column = xp.take_along_axis(column, row, axis=-2)                  # the winning row's column
        self.flat_index = row * w + column
        return y

    def backward(self, g):
        plane = self.in_shape[-2] * self.in_shape[-1]
        return _scatter_to_planes(g, self.flat_index, plane).reshape(self.in_shape)


class MaxUnpool2d(Op):
    """y = zeros of (..., OH, OW) with y.flat_plane[indices] = x: each value put back where its
    maximum came from;  dx = g.flat_plane[indices] (a gather).  ``indices`` has x's shape."""

    def __init__(self, indices, output_hw):
        self.indices, self.output_hw = indices, tuple(output_hw)

    def forward(self, x):
        lead = x.shape[:-2]
        y = xp.zeros(lead + (self.output_hw[0] * self.output_hw[1],), dtype=x.dtype)
        xp.put_along_axis(y, self.indices.reshape(lead + (-1,)), x.reshape(lead + (-1,)), axis=-1)
        return y.reshape(lead + self.output_hw)

    def backward(self, g):
        lead = g.shape[:-2]
        flat = xp.take_along_axis(g.reshape(lead + (-1,)), self.indices.reshape(lead + (-1,)), axis=-1)
        return flat.reshape(self.indices.shape)


def nearest_indices(in_size, out_size, scale=None, exact=False):
    """PyTorch's 'nearest' source index for each output position along one axis:
    min(floor(i · s), in_size - 1), s = 1/scale_factor if given else in_size/out_size, in float32.
    ``exact`` ('nearest-exact'): i + 0.5 in place of i, the pixel centre, so no half-pixel shift."""
    s = xp.float32(1.0 / scale if scale else in_size / out_size)
    i = xp.arange(out_size, dtype=xp.float32) + xp.float32(0.5 if exact else 0)
    return xp.minimum(xp.floor(i * s).astype(xp.int64), in_size - 1)


class UpsampleNearest(Op):
    """y = x[..., idx_1, ..., idx_d] along the last d axes;  dx = g summed over the outputs that
    copied each input element.

    An axis enlarged by a whole factor f (idx = i // f) repeats each element f times, and its
    gradient is the sum of the f strided slices g[r::f]; any other axis is a ``take``, and its
    gradient a segment sum over runs of equal indices (each idx is sorted).
    """

    def __init__(self, indices):
        self.indices = indices  # one sorted index array per spatial axis, the last axes of x

    def forward(self, x):
        self.in_shape = x.shape
        self.first = x.ndim - len(self.indices)
        self.factors = []
        for axis, index in enumerate(self.indices, start=self.first):
            factor = index.size // x.shape[axis]
            if factor * x.shape[axis] == index.size and (index == xp.arange(index.size) // factor).all():
                self.factors.append(factor)
                x = xp.repeat(x, factor, axis=axis)
            else:
                self.factors.append(None)
                x = xp.take(x, index, axis=axis)
        return x

    def backward(self, g):
        for axis, index, factor in zip(range(self.first, g.ndim), self.indices, self.factors):
            before = (slice(None),) * axis
            if factor is not None:
                summed = g[before + (slice(0, None, factor),)].copy()
                for r in range(1, factor):
                    summed += g[before + (slice(r, None, factor),)]
                g = summed
                continue
            g = segment_sum(g, index, self.in_shape[axis], axis)
        return g


def segment_sum(g, index, size, axis):
    """out[j] = Σ_{i: index[i] = j} g[i] along ``axis``, out of length ``size``; ``index`` is
    sorted, so each j's terms are one run, summed by one ``add.reduceat`` (inputs that no
    output read get zero)."""
    starts = xp.flatnonzero(xp.diff(index, prepend=-1))      # where a new index begins
    summed = xp.add.reduceat(g, starts, axis=axis)
    if summed.shape[axis] == size:
        return summed
    out = xp.zeros(g.shape[:axis] + (size,) + g.shape[axis + 1:], dtype=g.dtype)
    out[(slice(None),) * axis + (index[starts],)] = summed
    return out


__all__ = ["AdaptiveAvgPool2d", "AdaptiveMaxPool2d", "AvgPool2d", "MaxPool2d", "MaxUnpool2d", "UpsampleNearest",
           "adaptive_windows", "nearest_indices", "pool_output_size", "segment_sum"]
