"""Reductions over axes (``axes`` is a tuple of non-negative ints, or None for all axes).

Each backward first puts the reduced axes back (``expand_reduced``) so the output's
gradient lines up with the input, then applies the local derivative.
"""
import math

from chainrule.backend import xp
from chainrule.ops.base import Op, expand_reduced


def reduced_count(shape, axes):
    """How many elements each output element of a reduction over ``axes`` summarises."""
    if axes is None:
        return math.prod(shape)
    return math.prod(shape[a] for a in axes)


class Sum(Op):
    """y = Σ x over axes;  dx = g, copied to every summed position"""

    def __init__(self, axes, keepdim):
        self.axes, self.keepdim = axes, keepdim

    def forward(self, x):
        self.shape = x.shape
        return x.sum(axis=self.axes, keepdims=self.keepdim)

    def backward(self, g):
        return expand_reduced(g, self.shape, self.axes, self.keepdim)


class Mean(Op):
    """y = Σ x / n over axes;  dx = g / n"""

    def __init__(self, axes, keepdim):
        self.axes, self.keepdim = axes, keepdim

    def forward(self, x):
        self.shape = x.shape
        return x.mean(axis=self.axes, keepdims=self.keepdim)

    def backward(self, g):
        count = reduced_count(self.shape, self.axes)
        return expand_reduced(g / count, self.shape, self.axes, self.keepdim)


def _centered(x, axes, correction):
    """x minus its mean over ``axes``, the sum of its squares there, and n - correction."""
    centered = x - x.mean(axis=axes, keepdims=True)
    dof = max(reduced_count(x.shape, axes) - correction, 0)
    return centered, (centered * centered).sum(axis=axes, keepdims=True), dof


class Var(Op):
    """y = Σ (x - mean)² / (n - correction);  dx = g * 2 (x - mean) / (n - correction)"""

    def __init__(self, axes, correction, keepdim):
        self.axes, self.correction, self.keepdim = axes, correction, keepdim

    def forward(self, x):
        self.shape = x.shape
        self.centered, squares, self.dof = _centered(x, self.axes, self.correction)
        with xp.errstate(divide="ignore", invalid="ignore"):
            y = squares / self.dof
        return y if self.keepdim else _drop_axes(y, self.axes)

    def backward(self, g):
        g = expand_reduced(g, self.shape, self.axes, self.keepdim)
        scale = 2 / self.dof if self.dof else float("inf")
        return g * scale * self.centered


class Std(Op):
    """y = √var;  dx = g * (x - mean) / ((n - correction) y)  (0 where y = 0)"""

    def __init__(self, axes, correction, keepdim):
        self.axes, self.correction, self.keepdim = axes, correction, keepdim

    def forward(self, x):
        self.shape = x.shape
        self.centered, squares, self.dof = _centered(x, self.axes, self.correction)
        with xp.errstate(divide="ignore", invalid="ignore"):
            self.y = xp.sqrt(squares / self.dof)
        return self.y if self.keepdim else _drop_axes(self.y, self.axes)

    def backward(self, g):
        g = expand_reduced(g, self.shape, self.axes, self.keepdim)
        with xp.errstate(divide="ignore", invalid="ignore"):
            scale = xp.where(self.y == 0, 0, 1 / (self.dof * self.y))
        return g * scale * self.centered


def _drop_axes(kept, axes):
    """Remove the size-1 axes a keepdims reduction left behind."""
    return kept.reshape(()) if axes is None else xp.squeeze(kept, axis=axes)


class Amax(Op):
    """y = max of x over axes;  the gradient is shared evenly among the tied maxima"""

    pick = staticmethod(xp.max)

    def __init__(self, axes, keepdim):
        self.axes, self.keepdim = axes, keepdim

    def forward(self, x):
        self.x = x
        self.y = self.pick(x, axis=self.axes, keepdims=True)
        return self.y if self.keepdim else _drop_axes(self.y, self.axes)

    def backward(self, g):
        winners = self.x == self.y
        count = winners.sum(axis=self.axes, keepdims=True)
        g = expand_reduced(g, self.x.shape, self.axes, self.keepdim)
        return g * winners / count.astype(g.dtype)


class Amin(Amax):
    """y = min of x over axes;  the gradient is shared evenly among the tied minima"""

    pick = staticmethod(xp.min)


class MaxAlongDim(Op):
    """y = max of x along one axis, with the index it came from;  dx = g at that index only"""

    select = staticmethod(xp.argmax)

    def __init__(self, axis, keepdim):
        self.axis, self.keepdim = axis, keepdim

    def forward(self, x):
        self.shape = x.shape
        self.indices = self.select(x, axis=self.axis, keepdims=True)
        values = xp.take_along_axis(x, self.indices, axis=self.axis)
        return values if self.keepdim else xp.squeeze(values, axis=self.axis)

    def backward(self, g):
        if not self.keepdim:
            g = xp.expand_dims(g, self.axis)
        gx = xp.zeros(self.shape, dtype=g.dtype)
        xp.put_along_axis(gx, self.indices, g, axis=self.axis)
        return gx


class MinAlongDim(MaxAlongDim):
    """y = min of x along one axis, with the index it came from;  dx = g at that index only"""

    select = staticmethod(xp.argmin)


class LogSumExp(Op):
    """y = log Σ e^x, computed as m + log Σ e^(x - m) with m the max;  dx = g * e^(x - y)"""

    def __init__(self, axes, keepdim):
        self.axes, self.keepdim = axes, keepdim

    def forward(self, x):
        self.x = x
        m = xp.max(x, axis=self.axes, keepdims=True)
        m = xp.where(xp.isfinite(m), m, 0)  # all -inf (or an inf) along the axes
        with xp.errstate(divide="ignore"):
            self.y = m + xp.log(xp.exp(x - m).sum(axis=self.axes, keepdims=True))
        return self.y if self.keepdim else _drop_axes(self.y, self.axes)

    def backward(self, g):
        g = expand_reduced(g, self.x.shape, self.axes, self.keepdim)
        return g * xp.exp(self.x - self.y)


class Prod(Op):
    """y = Π x over axes;  dx_i = g * Π_{j≠i} x_j (exclusive products, exact with zeros)"""

    def __init__(self, axes, keepdim):
        self.axes, self.keepdim = axes, keepdim

    def forward(self, x):
        self.x = x
        return xp.prod(x, axis=self.axes, keepdims=self.keepdim)

    def backward(self, g):
        x = self.x
        if x.size == 0:
            return xp.zeros(x.shape, dtype=g.dtype)
        axes = tuple(range(x.ndim)) if self.axes is None else self.axes
        kept = [a for a in range(x.ndim) if a not in axes]
        order = kept + list(axes)
        kept_shape = tuple(x.shape[a] for a in kept)
        rows = x.transpose(order).reshape(kept_shape + (-1,))
        ones = xp.ones(kept_shape + (1,), dtype=x.dtype)
        before = xp.cumprod(xp.concatenate([ones, rows[..., :-1]], axis=-1), axis=-1)
        after = xp.cumprod(xp.concatenate([ones, rows[..., :0:-1]], axis=-1), axis=-1)[..., ::-1]
        others = (before * after).reshape(tuple(x.shape[a] for a in order))
        others = others.transpose(xp.argsort(order))
        return expand_reduced(g, x.shape, self.axes, self.keepdim) * others


class MedianAll(Op):
    """y = the lower median of all elements (NaN if any is NaN, unless ``ignore_nan``);
    the gradient is shared evenly among the elements equal to y, as PyTorch does"""

    def __init__(self, ignore_nan=False):
        self.ignore_nan = ignore_nan

    def forward(self, x):
        self.x = x
        flat = xp.sort(x.reshape(-1))               # NaNs sort last
        nans = int(xp.isnan(flat).sum()) if flat.dtype.kind == "f" else 0
        if self.ignore_nan:
            rank = max((flat.size - nans - 1) // 2, 0)
        else:
            rank = flat.size - nans if nans else (flat.size - 1) // 2   # the first NaN, if any
        self.y = flat[rank]
        return xp.asarray(self.y)

    def backward(self, g):
        x = self.x
        winners = xp.isnan(x) if xp.isnan(self.y) else x == self.y
        return g * winners / winners.sum().astype(g.dtype)


class Norm(Op):
    """y = (Σ |x|^p)^(1/p) over axes, with p = inf the max of |x|, -inf the min, 0 the count of
    non-zeros;  dx = g x |x|^(p-2) / y^(p-1), g sign(x) for p = 1, and for ±inf g sign(x)
    shared evenly among the extreme elements (the gradient is 0 where y = 0, as PyTorch)"""

    def __init__(self, p, axes, keepdim):
        self.p, self.axes, self.keepdim = p, axes, keepdim

    def forward(self, x):
        self.x, p = x, self.p
        a = xp.abs(x)
        if p == math.inf or p == -math.inf:
            y = (xp.max if p > 0 else xp.min)(a, axis=self.axes, keepdims=True)
        elif p == 0:
            y = (a != 0).sum(axis=self.axes, keepdims=True).astype(x.dtype)
        elif p == 1:
            y = a.sum(axis=self.axes, keepdims=True)
        elif p == 2:
            y = xp.sqrt((a * a).sum(axis=self.axes, keepdims=True))
        else:
            with xp.errstate(divide="ignore"):
                y = (a ** p).sum(axis=self.axes, keepdims=True) ** (1 / p)
        self.y = y
        return y if self.keepdim else _drop_axes(y, self.axes)

    def backward(self, g):
        x, y, p = self.x, self.y, self.p
        g = expand_reduced(g, x.shape, self.axes, self.keepdim)
        if p == 0:
            return xp.zeros(x.shape, dtype=g.dtype)
        if p == 1:
            return g * xp.sign(x)
        if p == math.inf or p == -math.inf:
            winners = xp.abs(x) == y
            return g * xp.sign(x) * winners / winners.sum(axis=self.axes, keepdims=True)
        with xp.errstate(divide="ignore", invalid="ignore"):
            scaled = x / y if p == 2 else x * xp.abs(x) ** (p - 2) / y ** (p - 1)
        return g * xp.where(y == 0, 0, scaled)
