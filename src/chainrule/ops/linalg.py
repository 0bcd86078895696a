"""Matrix products: matmul for 1-D, 2-D and batched operands, and einsum."""
from chainrule.backend import xp
from chainrule.ops.base import Op, one_or_tuple, unbroadcast


class MatMul(Op):
    """y = a @ b;  da = g @ bᵀ,  db = aᵀ @ g  (batch axes summed back where they broadcast).

    1-D operands are treated as a row (a) or a column (b) for the rule, as in NumPy.
    """

    def forward(self, a, b):
        self.a, self.b = a, b
        return a @ b

    def backward(self, g):
        a, b = self.a, self.b
        need_a, need_b = self.needs_input_grad
        if a.ndim == 1 and b.ndim == 1:
            return (g * b if need_a else None), (g * a if need_b else None)
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        if a.ndim == 1:
            g = xp.expand_dims(g, -2)
        if b.ndim == 1:
            g = xp.expand_dims(g, -1)
        ga = gb = None
        if need_a:
            ga = unbroadcast(g @ xp.swapaxes(b2, -1, -2), a2.shape).reshape(a.shape)
        if need_b:
            if b2.ndim == 2 and a2.ndim > 2:
                # a batch against one matrix (a Linear layer over a sequence): fold the batch
                # into the rows and make one product instead of a stack of them and a sum
                k, m = a2.shape[-1], g.shape[-1]
                gb = a2.reshape(-1, k).T @ g.reshape(-1, m)
            else:
                gb = unbroadcast(xp.swapaxes(a2, -1, -2) @ g, b2.shape)
            gb = gb.reshape(b.shape)
        return ga, gb


class Einsum(Op):
    """y = einsum(equation, *operands);  each operand's gradient is an einsum of g with the others.

    ``inputs_subscripts`` and ``output_subscripts`` are the equation with ellipses already
    spelled out as letters.  Letters that appear in one operand only and not in the output
    are broadcast back; repeated letters (a diagonal) are written onto the diagonal.
    """

    def __init__(self, inputs_subscripts, output_subscripts):
        self.inputs_subscripts, self.output_subscripts = inputs_subscripts, output_subscripts

    def forward(self, *arrays):
        self.arrays = arrays
        equation = ",".join(self.inputs_subscripts) + "->" + self.output_subscripts
        return xp.einsum(equation, *arrays, optimize=len(arrays) > 2)

    def backward(self, g):
        return one_or_tuple([self._grad_for(i, g) if need else None
                             for i, need in enumerate(self.needs_input_grad)])

    def _grad_for(self, i, g):
        target = self.inputs_subscripts[i]
        shape = self.arrays[i].shape
        others = [(s, a) for j, (s, a) in enumerate(zip(self.inputs_subscripts, self.arrays))
                  if j != i]
        available = set(self.output_subscripts).union(*(s for s, _ in others))
        unique = "".join(dict.fromkeys(target))             # letters of the target, once each
        produced = "".join(c for c in unique if c in available)
        operands = [g] + [a for _, a in others]
        equation = ",".join([self.output_subscripts] + [s for s, _ in others]) + "->" + produced
        grad = xp.einsum(equation, *operands, optimize=len(operands) > 2)
        sizes = dict(zip(target, shape))
        # a size-1 dim that broadcast against a longer one (under '...'): sum its copies back
        stretched = tuple(k for k, c in enumerate(produced) if sizes[c] == 1 and grad.shape[k] != 1)
        if stretched:
            grad = grad.sum(axis=stretched, keepdims=True)
        if produced != unique:   # letters summed within this operand only: broadcast back
            grad = xp.expand_dims(grad, [unique.index(c) for c in unique if c not in produced])
            grad = xp.broadcast_to(grad, [sizes[c] for c in unique])
        if unique == target:
            return xp.ascontiguousarray(grad).reshape(shape)   # (ascontiguousarray makes 0-d 1-d)
        full = xp.zeros(shape, dtype=g.dtype)
        diagonal = xp.einsum(f"{target}->{unique}", full)   # a writable view of the diagonal
        diagonal[...] = grad
        return full
