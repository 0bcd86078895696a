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
