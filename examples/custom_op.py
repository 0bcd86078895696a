"""Writing your own differentiable operation, and proving its gradient right.

An op is a class with ``forward`` on arrays and ``backward``, its vector-Jacobian product:
given dL/dy, return dL/dx.  ``apply`` runs it and records it in the graph; ``gradcheck``
compares its backward with central finite differences.

    python examples/custom_op.py
"""
import numpy as np

import chainrule as cr
from chainrule.ops import Op
from chainrule.tensor import apply


class Swish(Op):
    """y = x * sigmoid(x);  dx = g * (s + x s (1 - s)) with s = sigmoid(x)"""

    def forward(self, x):
        self.x = x
        self.s = 1 / (1 + np.exp(-x))
        return x * self.s

    def backward(self, g):
        s = self.s
        return g * (s + self.x * s * (1 - s))


def swish(x):
    return apply(Swish(), x)


x = cr.randn(5, requires_grad=True)
swish(x).sum().backward()
print("swish'(x) =", x.grad)
print("gradcheck:", cr.gradcheck(swish, cr.randn(4, 3, dtype=cr.float64, requires_grad=True)))
