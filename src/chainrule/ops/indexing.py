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


def along_axis(index, axis):
    """The index tuple that picks ``index[..., i, ...]`` along ``axis`` and the same position
    elsewhere: x[along_axis(index, axis)] is PyTorch's gather, with ``index`` as its shape."""
    grids = list(xp.ogrid[tuple(slice(size) for size in index.shape)]) if index.ndim else []
    grids[axis] = index
    return tuple(grids)


def leading_block(shape):
    """The slice of a tensor's first ``shape`` elements along every dim (PyTorch's gather and
    scatter use only that block of a larger input or source)."""
    return tuple(slice(size) for size in shape)


class Gather(Op):
    """y[..., i, ...] = x[..., index[..., i, ...], ...] along ``axis``;
    dx = zeros with g added at the gathered positions (repeats add up)"""

    def __init__(self, index, axis):
        self.where = along_axis(index, axis)

    def forward(self, x):
        self.shape = x.shape
        return x[self.where]

    def backward(self, g):
        gx = xp.zeros(self.shape, dtype=g.dtype)
        xp.add.at(gx, self.where, g)
        return gx


class Scatter(Op):
    """y = x with src written at the positions ``index`` names along ``axis``;
    dx = g with zeros where x was overwritten,  dsrc = g gathered from those positions"""

    def __init__(self, index, axis):
        self.where, self.block = along_axis(index, axis), leading_block(index.shape)

    def forward(self, x, src):
        self.src_shape = src.shape
        y = x.copy()
        y[self.where] = src[self.block]
        return y

    def backward(self, g):
        need_x, need_src = self.needs_input_grad
        gx = gsrc = None
        if need_x:
            gx = g.copy()
            gx[self.where] = 0
        if need_src:
            gsrc = xp.zeros(self.src_shape, dtype=g.dtype)
            gsrc[self.block] = g[self.where]
        return gx, gsrc


class ScatterAdd(Op):
    """y = x with src added at the positions ``index`` names along ``axis`` (repeats add up);
    dx = g,  dsrc = g gathered from those positions"""

    def __init__(self, index, axis):
        self.where, self.block = along_axis(index, axis), leading_block(index.shape)

    def forward(self, x, src):
        self.src_shape = src.shape
        y = x.copy()
        xp.add.at(y, self.where, src[self.block])
        return y

    def backward(self, g):
        gsrc = None
        if self.needs_input_grad[1]:
            gsrc = xp.zeros(self.src_shape, dtype=g.dtype)
            gsrc[self.block] = g[self.where]
        return g, gsrc
