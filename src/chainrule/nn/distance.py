"""Distances and similarities between vectors, as ``torch.nn.functional`` and ``torch.nn``.

>>> import chainrule.nn.functional as F
>>> a, b = chainrule.randn(8, 16), chainrule.randn(8, 16)
>>> F.cosine_similarity(a, b).shape, F.pairwise_distance(a, b).shape
((8,), (8,))
"""
import numbers

from chainrule.backend import xp
from chainrule.functions import as_tensor, clamp, normalize_dim, to_floating
from chainrule.nn.module import Module
from chainrule.ops import distance as _distance
from chainrule.tensor import _pair, apply


def _floating_pair(x1, x2, op):
    """x1 and x2 as floating tensors of one dtype whose shapes broadcast, or a clear error."""
    x1, x2 = _pair(to_floating(as_tensor(x1, op)), to_floating(as_tensor(x2, op)))
    try:
        shape = xp.broadcast_shapes(x1.shape, x2.shape)
    except ValueError:
        raise ValueError(f"{op}: x1 of shape {x1.shape} and x2 of shape {x2.shape} do not "
                         "broadcast together") from None
    return x1, x2, shape


def _norm_order(p, op):
    if not isinstance(p, numbers.Real):
        raise TypeError(f"{op}: p must be a real number (inf allowed), got {p!r}")
    return float(p)


def vector_norm(x, p, dim, keepdim, op):
    """The p-norm of ``x`` along one dim (p may be any real, or ±inf)."""
    axis = normalize_dim(dim, x.ndim, op)
    if x.ndim == 0:
        x = x.reshape(1)
        return apply(_distance.VectorNorm(p, 0, False), x)
    return apply(_distance.VectorNorm(p, axis, keepdim), x)


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """x1 · x2 / (max(‖x1‖, eps) · max(‖x2‖, eps)) along ``dim`` of the broadcast inputs.

    Shapes: x1 and x2 broadcast together; the result drops ``dim``.
    """
    op = "cosine_similarity"
    x1, x2, shape = _floating_pair(x1, x2, op)
    if len(shape) == 0:
        normalize_dim(dim, 0, op)
        x1, x2 = x1.reshape(1), x2.reshape(1)
        return apply(_distance.CosineSimilarity(0, float(eps)), x1, x2).reshape(())
    axis = normalize_dim(dim, len(shape), op)
    return apply(_distance.CosineSimilarity(axis, float(eps)), x1, x2)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """‖x1 - x2 + eps‖_p along the last dim of the broadcast inputs: (N, D), (N, D) -> (N,).

    ``eps`` is added to the difference (not to the norm), as in PyTorch, so that the
    gradient at x1 = x2 is defined.
    """
    op = "pairwise_distance"
    p = _norm_order(p, op)
    x1, x2, shape = _floating_pair(x1, x2, op)
    difference = x1 - x2 + eps
    if len(shape) == 0:
        return vector_norm(difference, p, 0, False, op)
    return vector_norm(difference, p, -1, keepdim, op)


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """``input`` divided by its p-norm along ``dim`` (a norm below ``eps`` counts as eps).

    >>> F.normalize(chainrule.tensor([[0.0, 2.0], [4.0, 0.0]])).tolist()
    [[0.0, 1.0], [1.0, 0.0]]
    """
    op = "normalize"
    if out is not None:
        raise NotImplementedError(f"{op}: out= is not supported; use the returned tensor")
    p = _norm_order(p, op)
    input = as_tensor(input, op)
    if input.dtype.kind != "f":
        raise TypeError(f"{op}: input must be a floating-point tensor, got {input.dtype} "
                        "(convert it with .float())")
    if input.ndim == 0:
        normalize_dim(dim, 0, op)
        return input / clamp(vector_norm(input, p, 0, False, op), min=eps)
    norm = vector_norm(input, p, dim, True, op)
    return input / clamp(norm, min=eps)


class CosineSimilarity(Module):
    """Cosine similarity of x1 and x2 along ``dim``; see ``cosine_similarity``."""

    def __init__(self, dim=1, eps=1e-8):
        super().__init__()
        self.dim, self.eps = dim, eps

    def forward(self, x1, x2):
        return cosine_similarity(x1, x2, self.dim, self.eps)


class PairwiseDistance(Module):
    """p-norm distance of x1 and x2 along their last dim; see ``pairwise_distance``."""

    def __init__(self, p=2.0, eps=1e-6, keepdim=False):
        super().__init__()
        self.norm, self.eps, self.keepdim = p, eps, keepdim   # PyTorch names p ``norm``

    def forward(self, x1, x2):
        return pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)
