"""Selections by rank or order (sort, topk, kthvalue, median, mode, cummax, cummin): the
indices are found without gradient, then the values are gathered along an axis.

The gradient of a gather is a scatter: each output's gradient goes back to the position
it was taken from, adding up where one position was taken more than once (cummax).
"""
from chainrule.backend import xp
from chainrule.ops.base import Op


class TakeAlongAxis(Op):
    """y = x gathered at ``indices`` along ``axis``;  dx = zeros with g added at those indices"""

    def __init__(self, indices, axis, keepdim=True):
        self.indices, self.axis, self.keepdim = indices, axis, keepdim

    def forward(self, x):
        self.shape = x.shape
        y = xp.take_along_axis(x, self.indices, axis=self.axis)
        return y if self.keepdim else xp.squeeze(y, axis=self.axis)

    def backward(self, g):
        if not self.keepdim:
            g = xp.expand_dims(g, self.axis)
        gx = xp.zeros(self.shape, dtype=g.dtype)
        where = list(xp.ix_(*[xp.arange(n) for n in self.indices.shape]))
        where[self.axis] = self.indices
        xp.add.at(gx, tuple(where), g)
        return gx
