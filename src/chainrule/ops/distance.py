"""Norms and similarities along one axis: the vector p-norm and the cosine similarity.

Both reduce one axis of their (broadcast) input.  A norm of zero has the gradient 0, as in
PyTorch, rather than the NaN that 0 / 0 would give.
"""
import math

from chainrule.backend import xp
from chainrule.ops.base import Op, unbroadcast


def _safe_divide(a, b):
    """a / b, and 0 where b is 0 (the gradient of a norm at the origin)."""
    with xp.errstate(divide="ignore", invalid="ignore"):
        return xp.where(b == 0, 0, a / b)


class VectorNorm(Op):
    """y = (Σ_i |x_i|^p)^(1/p) along ``axis``;  dx = sign(x) |x|^(p-1) / y^(p-1) g.

    p = 2: dx = x / y g.  p = 1: dx = sign(x) g.  p = ±inf (max or min of |x|): the gradient
    goes to the extreme elements, split evenly between ties.  p = 0 counts the nonzero
    elements, a step function whose gradient is 0.
    """

    def __init__(self, p, axis, keepdim):
        self.p, self.axis, self.keepdim = p, axis, keepdim

    def forward(self, x):
        self.x, p, axis = x, self.p, self.axis
        size = xp.abs(x)
        if p == 2:
            y = xp.sqrt((x * x).sum(axis=axis, keepdims=True))
        elif p == 1:
            y = size.sum(axis=axis, keepdims=True)
        elif math.isinf(p):
            y = (size.max if p > 0 else size.min)(axis=axis, keepdims=True)
        elif p == 0:
            y = (x != 0).sum(axis=axis, keepdims=True).astype(x.dtype)
        else:
            with xp.errstate(divide="ignore"):
                y = (size ** p).sum(axis=axis, keepdims=True) ** (1 / p)
        self.y = y
        return y if self.keepdim else y.squeeze(axis)

    def backward(self, g):
        x, y, p = self.x, self.y, self.p
        if not self.keepdim:
            g = xp.expand_dims(g, self.axis)
        if p == 2:
            return _safe_divide(x, y) * g
        if p == 1:
            return xp.sign(x) * g
        if math.isinf(p):
            extreme = xp.abs(x) == y
            return xp.sign(x) * extreme * (g / extreme.sum(axis=self.axis, keepdims=True).astype(x.dtype))
        if p == 0:
            return xp.zeros_like(x)
        with xp.errstate(divide="ignore", invalid="ignore"):
            share = xp.where(x == 0, 0, xp.sign(x) * (xp.abs(x) / y) ** (p - 1))
        return xp.where(y == 0, 0, share) * g


class CosineSimilarity(Op):
    """y = Σ x1 x2 / (max(|x1|, ε) max(|x2|, ε)) along ``axis`` of the broadcast inputs.

    As in PyTorch, each norm is clamped at ε without the clamp entering the gradient:
    dx1 = (x2 / n2' - y x1 / |x1|) / n1' g, with n' = max(|x|, ε); likewise for x2.
    """

    def __init__(self, axis, eps):
        self.axis, self.eps = axis, eps

    def forward(self, x1, x2):
        self.shapes = (x1.shape, x2.shape)
        x1, x2 = xp.broadcast_arrays(x1, x2)
        axis = self.axis
        self.x1, self.x2 = x1, x2
        self.n1 = xp.sqrt((x1 * x1).sum(axis=axis, keepdims=True))
        self.n2 = xp.sqrt((x2 * x2).sum(axis=axis, keepdims=True))
        self.c1 = xp.maximum(self.n1, self.eps)
        self.c2 = xp.maximum(self.n2, self.eps)
        self.y = ((x1 / self.c1) * (x2 / self.c2)).sum(axis=axis, keepdims=True)
        return self.y.squeeze(axis)

    def backward(self, g):
        g = xp.expand_dims(g, self.axis)
        need1, need2 = self.needs_input_grad
        g1 = g2 = None
        if need1:
            g1 = (self.x2 / self.c2 - self.y * _safe_divide(self.x1, self.n1)) * (g / self.c1)
            g1 = unbroadcast(g1, self.shapes[0])
        if need2:
            g2 = (self.x1 / self.c1 - self.y * _safe_divide(self.x2, self.n2)) * (g / self.c2)
            g2 = unbroadcast(g2, self.shapes[1])
        return g1, g2
