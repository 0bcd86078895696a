"""Operations that move elements without changing them: their gradients move them back."""
from chainrule.backend import xp
from chainrule.ops.base import Op, one_or_tuple, unbroadcast


class Reshape(Op):
    """y = x viewed with a new shape;  dx = g viewed with x's shape"""

    def __init__(self, shape):
        self.shape = shape

    def forward(self, x):
        self.in_shape = x.shape
        return x.reshape(self.shape)

    def backward(self, g):
        return g.reshape(self.in_shape)


class Permute(Op):
    """y = x with its axes reordered by ``axes``;  dx = g with the inverse order"""

    def __init__(self, axes):
        self.axes = axes

    def forward(self, x):
        return x.transpose(self.axes)

    def backward(self, g):
        return g.transpose(xp.argsort(self.axes))


class BroadcastTo(Op):
    """y = x copied along broadcast axes;  dx = g summed over the copies"""

    def __init__(self, shape):
        self.shape = shape

    def forward(self, x):
        self.in_shape = x.shape
        return xp.broadcast_to(x, self.shape)

    def backward(self, g):
        return unbroadcast(g, self.in_shape)


class Concatenate(Op):
    """y = the inputs joined along ``axis``;  each input's gradient is its slice of g"""

    def __init__(self, axis):
        self.axis = axis

    def forward(self, *arrays):
        self.bounds = xp.cumsum([a.shape[self.axis] for a in arrays])[:-1]
        return xp.concatenate(arrays, axis=self.axis)

    def backward(self, g):
        pieces = xp.split(g, self.bounds, axis=self.axis)
        return one_or_tuple([p if need else None for p, need in zip(pieces, self.needs_input_grad)])


class Stack(Op):
    """y = the inputs stacked along a new ``axis``;  input i's gradient is g[..., i, ...]"""

    def __init__(self, axis):
        self.axis = axis

    def forward(self, *arrays):
        return xp.stack(arrays, axis=self.axis)

    def backward(self, g):
        return one_or_tuple([xp.take(g, i, axis=self.axis) if need else None
                             for i, need in enumerate(self.needs_input_grad)])


class Pad(Op):
    """y = x with constant borders;  dx = the interior of g"""

    def __init__(self, widths, value):
        self.widths, self.value = widths, value

    def forward(self, x):
        return xp.pad(x, self.widths, mode="constant", constant_values=self.value)

    def backward(self, g):
        interior = tuple(slice(before, g.shape[i] - after)
                         for i, (before, after) in enumerate(self.widths))
        return g[interior]


class PadCopies(Op):
    """y = x extended along each padded axis by copies of its own elements (``borders``: for each
    axis, the source positions of the elements before and after it);
    dx = the interior of g, plus each border's gradient added onto the elements it copies"""

    def __init__(self, borders):
        self.borders = borders

    def forward(self, x):
        for axis, before, after in self.borders:
            x = xp.concatenate([xp.take(x, before, axis), x, xp.take(x, after, axis)], axis=axis)
        return x

    def backward(self, g):
        for axis, before, after in reversed(self.borders):
            lead = (slice(None),) * axis
            end = g.shape[axis] - len(after)
            gx = g[lead + (slice(len(before), end),)].copy()
            xp.add.at(gx, lead + (before,), g[lead + (slice(0, len(before)),)])
            xp.add.at(gx, lead + (after,), g[lead + (slice(end, None),)])
            g = gx
        return g


class Tile(Op):
    """y = x repeated ``reps[i]`` times along axis i;  dx = the sum of g over the repeats"""

    def __init__(self, reps):
        self.reps = reps

    def forward(self, x):
        self.in_shape = x.shape
        return xp.tile(x, self.reps)

    def backward(self, g):
        # reps may have more entries than x has axes: those lead, over size-1 axes of x
        shape = (1,) * (len(self.reps) - len(self.in_shape)) + tuple(self.in_shape)
        split = []
        for rep, size in zip(self.reps, shape):
            split += [rep, size]
        summed = g.reshape(split).sum(axis=tuple(range(0, len(split), 2)))
        return summed.reshape(self.in_shape)


class Flip(Op):
    """y = x reversed along ``axes``;  dx = g reversed along the same axes"""

    def __init__(self, axes):
        self.axes = axes

    def forward(self, x):
        return xp.flip(x, axis=self.axes)

    def backward(self, g):
        return xp.flip(g, axis=self.axes)


class Roll(Op):
    """y = x shifted cyclically by ``shifts`` along ``axes`` (the flattened x when None);
    dx = g shifted back"""

    def __init__(self, shifts, axes):
        self.shifts, self.axes = shifts, axes

    def forward(self, x):
        return xp.roll(x, self.shifts, self.axes)

    def backward(self, g):
        back = -self.shifts if self.axes is None else tuple(-s for s in self.shifts)
        return xp.roll(g, back, self.axes)


def diagonal_positions(offset, length):
    """Row and column indices of the ``length`` elements of a matrix's diagonal ``offset``
    (above the main diagonal when positive, below when negative)."""
    steps = xp.arange(length)
    return steps + max(-offset, 0), steps + max(offset, 0)


class Diagonal(Op):
    """y[..., i] = x[..., r_i, ..., c_i, ...]: the diagonal ``offset`` of the matrices in
    ``axes`` of x, as a new last dim;  dx = zeros with g written back onto that diagonal"""

    def __init__(self, offset, axes):
        self.offset, self.axes = offset, axes

    def forward(self, x):
        self.shape = x.shape
        return xp.diagonal(x, self.offset, *self.axes).copy()

    def backward(self, g):
        gx = xp.zeros(self.shape, dtype=g.dtype)
        rows, cols = diagonal_positions(self.offset, g.shape[-1])
        xp.moveaxis(gx, self.axes, (-2, -1))[..., rows, cols] = g
        return gx


class DiagEmbed(Op):
    """y = zeros with x's last dim written onto the diagonal ``offset`` of the matrices in
    ``axes`` of y (``shape``);  dx = that diagonal of g (the adjoint of Diagonal)"""

    def __init__(self, offset, axes, shape):
        self.offset, self.axes, self.shape = offset, axes, shape

    def forward(self, x):
        y = xp.zeros(self.shape, dtype=x.dtype)
        rows, cols = diagonal_positions(self.offset, x.shape[-1])
        xp.moveaxis(y, self.axes, (-2, -1))[..., rows, cols] = x
        return y

    def backward(self, g):
        return xp.diagonal(g, self.offset, *self.axes).copy()
