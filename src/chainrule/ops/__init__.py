"""Differentiable operations on raw arrays: each one a forward and its vector-Jacobian product.

One module per family.  Nothing here knows about tensors or the graph; the engine
(``chainrule.tensor.apply``) runs an op's forward and records it for ``backward``.
"""
from chainrule.ops.base import Op, unbroadcast
from chainrule.ops import activation, arithmetic, elementwise, indexing, linalg, reduction, shape, softmax

__all__ = ["Op", "unbroadcast", "activation", "arithmetic", "elementwise", "indexing", "linalg",
           "reduction", "shape", "softmax"]
