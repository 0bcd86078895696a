"""The affine map of a Linear layer as one op: one matrix product and a broadcast add.

Fusing x @ Wᵀ + b saves the graph two nodes and a temporary per call, and lets the
backward fold every leading (batch, sequence...) axis into the rows of one product.
"""
from chainrule.ops.base import Op


class Linear(Op):
    """y = x Wᵀ + b  for x of shape (*, in), W (out, in), b (out,);
    dx = g W,  dW = gᵀ x,  db = Σ g over the leading axes  (leading axes folded into rows).
    """

    def forward(self, x, weight, bias=None):
        self.x_shape = x.shape
        rows = x.reshape(-1, x.shape[-1])          # (*, in) -> (n, in); a view when it can be
        self.rows, self.weight = rows, weight
        y = rows @ weight.T
        if bias is not None:
            y += bias                              # in place: no second (n, out) array
        return y.reshape(x.shape[:-1] + (weight.shape[0],))

    def backward(self, g):
        needs = self.needs_input_grad
        g = g.reshape(-1, g.shape[-1])             # (n, out)
        gx = (g @ self.weight).reshape(self.x_shape) if needs[0] else None
        gw = g.T @ self.rows if needs[1] else None
        if len(needs) == 2:
            return gx, gw
        gb = g.sum(axis=0) if needs[2] else None
        return gx, gw, gb
