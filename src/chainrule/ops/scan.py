"""Scans along one axis: running sums, products and log-sum-exps, each output element
summarising the input up to its position.

Their gradients run the other way: an input element affects every output from its own
position to the end, so each backward is a sum taken from the end (``reverse_cumsum``).
"""
from chainrule.backend import xp
from chainrule.ops.base import Op


def reverse_cumsum(a, axis):
    """Σ_{k ≥ i} a_k along ``axis``: the sum from each position to the end."""
    return xp.flip(xp.cumsum(xp.flip(a, axis), axis=axis), axis)


def positions(shape, axis):
    """Each element's position along ``axis``, shaped to broadcast against ``shape``."""
    return xp.arange(shape[axis]).reshape((-1,) + (1,) * (len(shape) - axis - 1))


class CumSum(Op):
    """y_i = Σ_{k ≤ i} x_k;  dx_i = Σ_{k ≥ i} g_k"""

    def __init__(self, axis, dtype=None):
        self.axis, self.dtype = axis, dtype

    def forward(self, x):
        return xp.cumsum(x, axis=self.axis, dtype=self.dtype)

    def backward(self, g):
        return reverse_cumsum(g, self.axis)


class CumProd(Op):
    """y_i = Π_{k ≤ i} x_k;  dx_i = Σ_{k ≥ i} g_k Π_{j ≤ k, j ≠ i} x_j, exact where x has zeros.

    Before the first zero z of a row, dx_i = Σ_{i ≤ k < z} g_k y_k / x_i (x_i is not zero);
    at z, the products skip x_z, so they are the running product with x_z set to 1; after z
    every product holds x_z = 0, and so does the gradient.
    """

    def __init__(self, axis, dtype=None):
        self.axis, self.dtype = axis, dtype

    def forward(self, x):
        self.x = x
        return xp.cumprod(x, axis=self.axis, dtype=self.dtype)

    def backward(self, g):
        x, axis = self.x, self.axis
        if x.size == 0:
            return xp.zeros(x.shape, dtype=g.dtype)
        position = positions(x.shape, axis)
        zero = x == 0
        first_zero = xp.where(zero.any(axis=axis, keepdims=True),
                              xp.argmax(zero, axis=axis, keepdims=True), x.shape[axis])
        before, at = position < first_zero, position == first_zero
        skipped = xp.cumprod(xp.where(at, 1, x), axis=axis)     # y, with x_z replaced by 1
        terms = g * skipped
        gx = xp.where(before, reverse_cumsum(xp.where(before, terms, 0), axis)
                      / xp.where(before, x, 1), 0)
        from_zero = reverse_cumsum(xp.where(before, 0, terms), axis)
        return xp.where(at, from_zero, gx).astype(g.dtype, copy=False)


class LogCumSumExp(Op):
    """y_i = log Σ_{k ≤ i} e^(x_k), by pairwise log-add-exp;  dx_i = Σ_{k ≥ i} g_k e^(x_i - y_k).

    The backward sums the positive and the negative parts of g separately in log space,
    e^(x_i + log Σ_{k ≥ i} |g_k| e^(-y_k)), so no exponential overflows.
    """

    def __init__(self, axis):
        self.axis = axis

    def forward(self, x):
        self.x = x
        self.y = xp.logaddexp.accumulate(x, axis=self.axis) if x.size else x.copy()
        return self.y

    def backward(self, g):
        x, y, axis = self.x, self.y, self.axis
        if x.size == 0:
            return xp.zeros(x.shape, dtype=g.dtype)
        # x_i + log Σ |g_k| e^(-y_k) cancels two large numbers: in float64 (y recomputed so),
        # float32 inputs get gradients exact to float32
        if x.dtype != xp.float64:
            x = x.astype(xp.float64)
            y = xp.logaddexp.accumulate(x, axis=axis)
        wide = g.astype(xp.float64)
        parts = []
        with xp.errstate(divide="ignore", invalid="ignore"):
            for part in (xp.maximum(wide, 0), xp.maximum(-wide, 0)):
                log_terms = xp.flip(xp.log(part) - y, axis)
                log_sums = xp.flip(xp.logaddexp.accumulate(log_terms, axis=axis), axis)
                parts.append(xp.exp(x + log_sums))
        return (parts[0] - parts[1]).astype(g.dtype, copy=False)
