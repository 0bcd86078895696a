"""Indexing: y = x[index], with gradients that add up where an index repeats."""
from chainrule.backend import xp
from chainrule.ops.base import Op


def is_basic_index(index):
    """True for ints, slices, None and Ellipsis only: NumPy then returns a view, no repeats."""
    items = index if isinstance(index, tuple) else (index,)
    return all(item is None or item is Ellipsis or isinstance(item, (int, slice))
               for item in items)


class GetItem(Op):
    """y = x[index];  dx = zeros with g added at the indexed positions (``add.at`` for arrays)"""

    def __init__(self, index):
        self.index = index

    def forward(self, x):
        self.shape = x.shape
        return x[self.index]

    def backward(self, g):
        gx = xp.zeros(self.shape, dtype=g.dtype)
        if is_basic_index(self.index):
            gx[self.index] = g
        else:
            xp.add.at(gx, self.index, g)
        return gx
