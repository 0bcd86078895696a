"""Margin, ranking and embedding losses with PyTorch's names and arguments (``chainrule.nn.functional``).

Hinge-type losses for labels in {1, -1} (soft_margin_loss, hinge_embedding_loss), for
rankings and pairs or triplets of embeddings (margin_ranking_loss, cosine_embedding_loss,
triplet_margin_loss) and for classes (multi_margin_loss, multilabel_soft_margin_loss).
The soft-margin and multi-margin losses are fused ops; the others are written with
differentiable functions.

>>> import chainrule.nn.functional as F
>>> anchor, positive, negative = chainrule.randn(8, 16), chainrule.randn(8, 16), chainrule.randn(8, 16)
>>> loss = F.triplet_margin_loss(anchor, positive, negative, margin=0.5)
"""
import numbers

from chainrule import functions as fn
from chainrule.backend import xp
from chainrule.nn.distance import pairwise_distance
from chainrule.nn.loss_functions import (
    _class_weight, _constant_weight, _float_option, _floating_input, _reduction, _target_like,
    check_reduction, reduce_tensor,
)
from chainrule.ops import loss as _loss
from chainrule.tensor import apply

COSINE_EPSILON = 1e-12   # cosine_embedding_loss adds this to each squared norm, as PyTorch


def _broadcast_shape(op, **tensors):
    """The broadcast shape of the named tensors, or an error naming each shape."""
    try:
        return xp.broadcast_shapes(*(t.shape for t in tensors.values()))
    except ValueError:
        shapes = ", ".join(f"{name} of shape {t.shape}" for name, t in tensors.items())
        raise ValueError(f"{op}: {shapes} do not broadcast together") from None


def _same_rank(op, **tensors):
    """The named tensors, the first floating and the others in its dtype, checked to have one
    number of dims and to broadcast together (as PyTorch's ranking and triplet losses ask)."""
    names = list(tensors)
    first = _floating_input(tensors[names[0]], op)
    tensors = {name: first if name == names[0] else _target_like(t, first, op)
               for name, t in tensors.items()}
    if len({t.ndim for t in tensors.values()}) > 1:
        shapes = ", ".join(str(t.shape) for t in tensors.values())
        raise ValueError(f"{op}: {', '.join(names[:-1])} and {names[-1]} must have the same number "
                         f"of dims; got shapes {shapes}")
    _broadcast_shape(op, **tensors)
    return tensors.values()


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Two-class logistic loss log(1 + exp(-target · input)), target in {1, -1}; stable for
    inputs of any size.  input and target broadcast together."""
    op = "soft_margin_loss"
    reduction = _reduction(op, size_average, reduce, reduction)
    input = _floating_input(input, op)
    target = _target_like(target, input, op)
    _broadcast_shape(op, input=input, target=target)
    return apply(_loss.SoftMarginLoss(reduction), input, target)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None,
                                reduction="mean"):
    """Multi-label one-versus-all loss: the binary cross-entropy of logits ``input`` (N, C) with
    0/1 ``target`` (N, C), weighted per class by ``weight`` (C,), averaged over the C classes."""
    op = "multilabel_soft_margin_loss"
    reduction = _reduction(op, size_average, reduce, reduction)
    input = _floating_input(input, op)
    if input.ndim == 0:
        raise ValueError(f"{op}: input must have a class dim, shape (C,) or (N, C); got a 0-d tensor")
    target = _target_like(target, input, op)
    _broadcast_shape(op, input=input, target=target)
    weight = _constant_weight(weight, input, op)
    per_class = apply(_loss.BinaryCrossEntropyWithLogits("none", weight, None), input, target)
    return reduce_tensor(per_class.sum(dim=-1) / input.shape[-1], reduction)


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None,
                      reduce=None, reduction="mean"):
    """Multi-class hinge loss: Σ_{i≠y} max(0, margin - input[y] + input[i])^p / C per sample.

    input: (N, C) or (C,) scores; target: (N,) or () class indices; p is 1 or 2; ``weight``
    (C,) scales each sample's loss by the weight of its target class.
    """
    op = "multi_margin_loss"
    reduction = _reduction(op, size_average, reduce, reduction)
    if p not in (1, 2):
        raise ValueError(f"{op}: p must be 1 or 2, got {p!r}")
    margin = _float_option(margin, "margin", op)
    input = _floating_input(input, op)
    target = fn.as_tensor(target, op)
    if input.ndim > 2:
        raise ValueError(f"{op}: input must have shape (N, C) or (C,), got {input.shape}")
    unbatched = input.ndim < 2
    scores = input.reshape(1, -1) if unbatched else input
    expected = [(), (1,)] if unbatched else [scores.shape[:1]]
    if target.shape not in expected:
        raise ValueError(f"{op}: input of shape {input.shape} needs class-index targets of shape "
                         f"{' or '.join(str(e) for e in expected)}; got {target.shape}")
    classes = scores.shape[1]
    y = target.data.reshape(-1)
    if y.dtype.kind not in "iu":
        raise TypeError(f"{op}: class-index targets must be integers, got {y.dtype}")
    if y.size and not (0 <= y.min() and y.max() < classes):
        bad = int(y.min() if y.min() < 0 else y.max())
        raise IndexError(f"{op}: target class index {bad} is out of range for {classes} classes "
                         f"(expected values in [0, {classes}))")
    weight = _class_weight(weight, classes, input.dtype, op)
    losses = apply(_loss.MultiMarginLoss(y, p, margin, weight, reduction), scores)
    return losses.reshape(target.shape) if reduction == "none" else losses


def margin_ranking_loss(input1, input2, target, margin=0.0, size_average=None, reduce=None,
                        reduction="mean"):
    """Ranking hinge loss max(0, -target · (input1 - input2) + margin): target 1 asks for
    input1 to rank above input2, -1 below.  All three have the same number of dims and broadcast."""
    op = "margin_ranking_loss"
    reduction = _reduction(op, size_average, reduce, reduction)
    margin = _float_option(margin, "margin", op)
    input1, input2, target = _same_rank(op, input1=input1, input2=input2, target=target)
    return reduce_tensor(fn.clamp(margin - target * (input1 - input2), min=0), reduction)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None,
                         reduction="mean"):
    """input where target is 1, max(0, margin - input) where target is -1 (input typically a
    distance between two embeddings).  input and target broadcast together."""
    op = "hinge_embedding_loss"
    reduction = _reduction(op, size_average, reduce, reduction)
    margin = _float_option(margin, "margin", op)
    input = _floating_input(input, op)
    target = fn.as_tensor(target, op)
    _broadcast_shape(op, input=input, target=target)
    # as PyTorch: a target that is neither 1 nor -1 gets both terms
    t = target.data
    pull = fn.where(t != 1, fn.clamp(margin - input, min=0), 0.0)
    return reduce_tensor(pull + fn.where(t != -1, input, 0.0), reduction)


def cosine_embedding_loss(input1, input2, target, margin=0.0, size_average=None, reduce=None,
                          reduction="mean"):
    """1 - cos(input1, input2) where target is 1, max(0, cos(input1, input2) - margin) where it
    is -1 (0 for other targets).  input1, input2: (N, D) with target (N,), or (D,) with target ().

    The cosine is Σ x1 x2 / √((Σ x1² + 1e-12)(Σ x2² + 1e-12)) along D, as PyTorch.
    """
    op = "cosine_embedding_loss"
    reduction = _reduction(op, size_average, reduce, reduction)
    margin = _float_option(margin, "margin", op)
    input1 = _floating_input(input1, op)
    input2 = _target_like(input2, input1, op)
    target = fn.as_tensor(target, op)
    if target.ndim > 1 or input1.ndim != target.ndim + 1 or input2.ndim != input1.ndim:
        raise ValueError(f"{op}: needs inputs (N, D) with target (N,), or inputs (D,) with target "
                         f"(); got input1 {input1.shape}, input2 {input2.shape}, target "
                         f"{target.shape}")
    _broadcast_shape(op, input1=input1, input2=input2)
    if target.ndim and target.shape[0] not in (1, max(input1.shape[0], input2.shape[0])):
        raise ValueError(f"{op}: target of shape {target.shape} needs one label per pair of "
                         f"input1 {input1.shape} and input2 {input2.shape}")
    dim = input1.ndim - 1
    dot = fn.sum(input1 * input2, dim=dim)
    squares = (fn.sum(input1 * input1, dim=dim) + COSINE_EPSILON) * (
        fn.sum(input2 * input2, dim=dim) + COSINE_EPSILON)
    cosine = dot / fn.sqrt(squares)
    t = target.data
    similar = fn.where(t == 1, 1 - cosine, 0.0)
    dissimilar = fn.where(t == -1, fn.clamp(cosine - margin, min=0), 0.0)
    return reduce_tensor(similar + dissimilar, reduction)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False,
                        size_average=None, reduce=None, reduction="mean"):
    """max(0, d(anchor, positive) - d(anchor, negative) + margin), d = pairwise_distance(p, eps)
    along the last dim.  ``swap`` uses min(d(anchor, negative), d(positive, negative)) instead of
    d(anchor, negative) (Balntas et al., 2016).  The three inputs have the same number of dims."""
    op = "triplet_margin_loss"
    reduction = _reduction(op, size_average, reduce, reduction)
    if not isinstance(p, numbers.Real):
        raise TypeError(f"{op}: p must be a real number, got {p!r}")
    return _triplet(op, anchor, positive, negative, lambda x1, x2: pairwise_distance(x1, x2, p, eps),
                    margin, swap, reduction)


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None,
                                      margin=1.0, swap=False, reduction="mean"):
    """max(0, d(anchor, positive) - d(anchor, negative) + margin) for any distance function d
    of two tensors (default: pairwise_distance, the Euclidean distance along the last dim).

    ``swap`` uses min(d(anchor, negative), d(positive, negative)) as the negative distance.
    """
    op = "triplet_margin_with_distance_loss"
    check_reduction(reduction, op)
    distance = pairwise_distance if distance_function is None else distance_function
    if not callable(distance):
        raise TypeError(f"{op}: distance_function must be callable, got {distance!r}")
    return _triplet(op, anchor, positive, negative, distance, margin, swap, reduction)


def _triplet(op, anchor, positive, negative, distance, margin, swap, reduction):
    """The triplet hinge max(0, margin + d(a, p) - d(a, n)), reduced, for a distance function d."""
    margin = _float_option(margin, "margin", op, low=0)
    anchor, positive, negative = _same_rank(op, anchor=anchor, positive=positive, negative=negative)
    d_positive = distance(anchor, positive)
    d_negative = distance(anchor, negative)
    if swap:
        d_negative = fn.minimum(d_negative, distance(positive, negative))
    return reduce_tensor(fn.clamp(margin + d_positive - d_negative, min=0), reduction)


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Multi-label hinge loss: Σ_j Σ_{i not a target} max(0, 1 - (input[y_j] - input[i])) / C.

    input: (N, C) or (C,) scores; target: class indices of the same shape, the targets of a
    sample being those before its first -1 (the rest is padding).  Every target class must
    score at least 1 above every other class.
    """
    op = "multilabel_margin_loss"
    reduction = _reduction(op, size_average, reduce, reduction)
    input = _floating_input(input, op)
    target = fn.as_tensor(target, op)
    if input.ndim not in (1, 2):
        raise ValueError(f"{op}: input must have shape (N, C) or (C,), got {input.shape}")
    if target.shape != input.shape:
        raise ValueError(f"{op}: target of shape {target.shape} must have the input's shape "
                         f"{input.shape}")
    y = target.data
    if y.dtype.kind not in "iu":
        raise TypeError(f"{op}: class-index targets must be integers, got {y.dtype}")
    scores = input if input.ndim == 2 else input.reshape(1, -1)
    y = y.reshape(scores.shape)
    classes = scores.shape[1]
    counted = xp.cumprod(y != -1, axis=1).astype(bool)      # the targets before the first -1
    bad = counted & ((y < 0) | (y >= classes))
    if bad.any():
        raise IndexError(f"{op}: target class index {int(y[bad][0])} is out of range for "
                         f"{classes} classes (expected values in [0, {classes}), -1 ending the list)")
    y = xp.where(counted, y, 0)
    is_target = xp.zeros(scores.shape, dtype=bool)
    rows = xp.broadcast_to(xp.arange(scores.shape[0])[:, None], y.shape)
    is_target[rows[counted], y[counted]] = True
    # hinge[n, j, i]: target slot j against class i, counted where j is a target and i is not
    target_scores = fn.gather(scores, 1, fn.as_tensor(y))
    hinge = fn.clamp(1 - target_scores.unsqueeze(2) + scores.unsqueeze(1), min=0)
    pairs = counted[:, :, None] & ~is_target[:, None, :]
    losses = fn.sum(fn.where(pairs, hinge, 0.0), dim=(1, 2)) / classes
    return reduce_tensor(losses if input.ndim == 2 else losses.reshape(()), reduction)
