"""Softmax and log-softmax along one axis, stable for logits of any size."""
from chainrule.backend import xp
from chainrule.ops.base import Op


def log_softmax_array(x, axis):
    """x - logsumexp(x): subtracting the max first keeps every exponent <= 0."""
    shifted = x - xp.max(x, axis=axis, keepdims=True)
    return shifted - xp.log(xp.exp(shifted).sum(axis=axis, keepdims=True))


class Softmax(Op):
    """y = e^x / Σ e^x;  dx = y * (g - Σ g y)"""

    def __init__(self, axis):
        self.axis = axis

    def forward(self, x):
        shifted = xp.exp(x - xp.max(x, axis=self.axis, keepdims=True))
        self.y = shifted / shifted.sum(axis=self.axis, keepdims=True)
        return self.y

    def backward(self, g):
        y = self.y
        return y * (g - (g * y).sum(axis=self.axis, keepdims=True))


class LogSoftmax(Op):
    """y = x - log Σ e^x;  dx = g - e^y Σ g"""

    def __init__(self, axis):
        self.axis = axis

    def forward(self, x):
        self.y = log_softmax_array(x, self.axis)
        return self.y

    def backward(self, g):
        return g - xp.exp(self.y) * g.sum(axis=self.axis, keepdims=True)
