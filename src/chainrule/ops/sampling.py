"""Random samples as graph nodes: PyTorch gives their parameters a zero gradient."""
from chainrule.backend import xp
from chainrule.ops.base import Op, one_or_tuple


class Sample(Op):
    """y = draw(*params), random;  each parameter's gradient is zero (no reparameterization)"""

    def __init__(self, draw):
        self.draw = draw

    def forward(self, *params):
        self.params = [(p.shape, p.dtype) for p in params]
        return self.draw(*params)

    def backward(self, g):
        return one_or_tuple([xp.zeros(shape, dtype) if need else None
                             for (shape, dtype), need in zip(self.params, self.needs_input_grad)])
