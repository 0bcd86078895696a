"""Loss functions with PyTorch's names, arguments and reductions (``chainrule.nn.functional``).

Each function checks its arguments here, so a wrong target shape, dtype or class index is
reported naming the loss and the shapes or values at fault, and then applies one fused op
from ``chainrule.ops.loss``.  Every loss takes ``reduction='mean' | 'sum' | 'none'``; the
legacy ``size_average``/``reduce`` flags are honoured as PyTorch does.

>>> import chainrule.nn.functional as F
>>> logits = chainrule.randn(8, 10, requires_grad=True)
>>> loss = F.cross_entropy(logits, chainrule.tensor([1, 0, 4, 9, 2, 2, 7, 3]))
>>> loss.backward()
"""
import numbers
import warnings

from chainrule.backend import xp
from chainrule.functions import as_tensor, astype
from chainrule.ops import ctc as _ctc
from chainrule.ops import loss as _loss
from chainrule.tensor import Tensor, apply

REDUCTIONS = ("mean", "sum", "none")


# --------------------------------------------------------------------------- argument checks
def legacy_reduction(size_average, reduce, reduction, op):
    """``reduction`` from the deprecated ``size_average`` and ``reduce`` flags, where either is given."""
    if size_average is None and reduce is None:
        return reduction
    warnings.warn(f"{op}: size_average and reduce are deprecated; use reduction='mean', 'sum' "
                  "or 'none' instead", DeprecationWarning, stacklevel=3)
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if not reduce:
        return "none"
    return "mean" if size_average else "sum"


def check_reduction(reduction, op, allowed=REDUCTIONS):
    if reduction not in allowed:
        choices = ", ".join(repr(r) for r in allowed[:-1]) + f" or {allowed[-1]!r}"
        raise ValueError(f"{op}: reduction must be {choices}; got {reduction!r}")
    return reduction


def _reduction(op, size_average, reduce, reduction, allowed=REDUCTIONS):
    return check_reduction(legacy_reduction(size_average, reduce, reduction, op), op, allowed)


def _floating_input(input, op):
    input = as_tensor(input, op)
    if input.dtype.kind != "f":
        raise TypeError(f"{op}: input must be a floating-point tensor, got {input.dtype} "
                        "(convert it with .float())")
    return input


def _target_like(target, input, op):
    """The target as a tensor of the input's floating dtype (differentiably, if it needs grad)."""
    target = as_tensor(target, op)
    if target.dtype.kind not in "biuf":
        raise TypeError(f"{op}: target must hold numbers, got {target.dtype}")
    return target if target.dtype == input.dtype else astype(target, input.dtype)


def _same_shape(input, target, op):
    if target.shape != input.shape:
        raise ValueError(f"{op}: target of shape {target.shape} must have the input's shape "
                         f"{input.shape}")


def _broadcastable(input, target, op):
    """Regression losses broadcast input against target, with PyTorch's warning when shapes differ."""
    if target.shape == input.shape:
        return
    try:
        xp.broadcast_shapes(input.shape, target.shape)
    except ValueError:
        raise ValueError(f"{op}: target of shape {target.shape} does not match (or broadcast "
                         f"with) the input's shape {input.shape}") from None
    warnings.warn(f"{op}: target shape {target.shape} differs from input shape {input.shape}; "
                  "they are broadcast together, which is likely not what you want", stacklevel=3)


def _constant_weight(weight, input, op, name="weight"):
    """An elementwise weight as an array of the input's dtype that broadcasts to the input's shape."""
    if weight is None:
        return None
    array = weight.data if isinstance(weight, Tensor) else xp.asarray(weight)
    try:
        fits = xp.broadcast_shapes(array.shape, input.shape) == input.shape
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(f"{op}: {name} of shape {array.shape} does not broadcast to the input's "
                         f"shape {input.shape}")
    return array.astype(input.dtype, copy=False)


def _class_weight(weight, classes, dtype, op):
    """A per-class weight as a (C,) array of the input's dtype."""
    if weight is None:
        return None
    array = weight.data if isinstance(weight, Tensor) else xp.asarray(weight)
    if array.shape != (classes,):
        raise ValueError(f"{op}: weight must hold one value per class, shape ({classes},); "
                         f"got {array.shape}")
    return array.astype(dtype, copy=False)


def _class_indices(target, classes, ignore_index, op):
    """(indices, keep): class indices checked against [0, C), ignored ones replaced by 0.

    ``keep`` is a boolean array (False where target == ignore_index), or None when no target
    is ignored, which lets the op skip the masking altogether.
    """
    y = target.data
    if y.dtype.kind not in "iu":
        raise TypeError(f"{op}: class-index targets must be integers, got {y.dtype}")
    if y.size == 0:
        return y, None
    low, high = y.min(), y.max()
    if 0 <= low and high < classes and not low <= ignore_index <= high:
        return y, None                      # the common case: every index valid, none ignored
    keep = y != ignore_index
    bad = (y < 0) | (y >= classes)
    bad &= keep
    if bad.any():
        value = int(y[bad].flat[0])
        raise IndexError(f"{op}: target class index {value} is out of range for {classes} classes "
                         f"(expected values in [0, {classes}) or ignore_index={ignore_index})")
    if keep.all():
        return y, None
    return xp.where(keep, y, 0), keep


def _class_shapes(input, op):
    """(number of classes, the shape of class-index targets) for an input (C,) or (N, C, d...)."""
    if input.ndim == 0:
        raise ValueError(f"{op}: input must have a class dim, shape (C,), (N, C) or "
                         "(N, C, d1, ...); got a 0-d tensor")
    if input.ndim == 1:
        return input.shape[0], ()
    return input.shape[1], input.shape[:1] + input.shape[2:]


def reduce_tensor(losses, reduction):
    """A loss tensor composed of differentiable functions, reduced: as is, summed or averaged."""
    if reduction == "none":
        return losses
    return losses.sum() if reduction == "sum" else losses.mean()


def _float_option(value, name, op, low=None):
    """A number option (margin, eps...) as a float; ``low`` is an exclusive lower bound."""
    if not isinstance(value, numbers.Real) or (low is not None and not value > low):
        bound = "a number" if low is None else f"a number greater than {low}"
        raise ValueError(f"{op}: {name} must be {bound}, got {value!r}")
    return float(value)


# --------------------------------------------------------------------------- regression
def mse_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Mean squared error: reduce((input - target)²), broadcasting input against target."""
    reduction = _reduction("mse_loss", size_average, reduce, reduction)
    input = _floating_input(input, "mse_loss")
    target = _target_like(target, input, "mse_loss")
    _broadcastable(input, target, "mse_loss")
    return apply(_loss.MSELoss(reduction), input, target)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Mean absolute error: reduce(|input - target|); the gradient at input = target is 0."""
    reduction = _reduction("l1_loss", size_average, reduce, reduction)
    input = _floating_input(input, "l1_loss")
    target = _target_like(target, input, "l1_loss")
    _broadcastable(input, target, "l1_loss")
    return apply(_loss.L1Loss(reduction), input, target)


def huber_loss(input, target, reduction="mean", delta=1.0):
    """Huber loss: ½ d² where |d| < delta, else delta (|d| - ½ delta), with d = input - target."""
    check_reduction(reduction, "huber_loss")
    if not isinstance(delta, numbers.Real) or not delta > 0:
        raise ValueError(f"huber_loss: delta must be a positive number, got {delta!r}")
    input = _floating_input(input, "huber_loss")
    target = _target_like(target, input, "huber_loss")
    _broadcastable(input, target, "huber_loss")
    return apply(_loss.HuberLoss(reduction, float(delta)), input, target)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """Smooth L1: ½ d² / beta where |d| < beta, else |d| - ½ beta (huber_loss / beta); beta=0 is L1."""
    reduction = _reduction("smooth_l1_loss", size_average, reduce, reduction)
    if not isinstance(beta, numbers.Real) or not beta >= 0:
        raise ValueError(f"smooth_l1_loss: beta must be a non-negative number, got {beta!r}")
    input = _floating_input(input, "smooth_l1_loss")
    target = _target_like(target, input, "smooth_l1_loss")
    _broadcastable(input, target, "smooth_l1_loss")
    if beta == 0:
        return apply(_loss.L1Loss(reduction), input, target)
    return apply(_loss.SmoothL1Loss(reduction, float(beta)), input, target)


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """Kullback-Leibler divergence Σ target (log target - input), with ``input`` log-probabilities.

    ``target`` holds probabilities (log-probabilities with ``log_target=True``).  Use
    reduction='batchmean' for the true KL divergence per sample (the sum over the batch
    divided by its size); 'mean' divides by the number of elements, as PyTorch (which warns).
    """
    allowed = ("mean", "batchmean", "sum", "none")
    reduction = _reduction("kl_div", size_average, reduce, reduction, allowed)
    if reduction == "mean":
        warnings.warn("kl_div: reduction='mean' divides the total by the number of elements, "
                      "not by the batch size; reduction='batchmean' gives the KL divergence "
                      "per sample", UserWarning, stacklevel=2)
    input = _floating_input(input, "kl_div")
    target = _target_like(target, input, "kl_div")
    try:
        xp.broadcast_shapes(input.shape, target.shape)
    except ValueError:
        raise ValueError(f"kl_div: target of shape {target.shape} does not match (or broadcast "
                         f"with) the input's shape {input.shape}") from None
    return apply(_loss.KLDivLoss(reduction, bool(log_target)), input, target)


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8,
                     reduce=None, reduction="mean"):
    """Poisson negative log-likelihood of counts ``target`` with rate exp(input) (``log_input``)
    or ``input``: exp(input) - target · input, or input - target · log(input + eps).

    ``full`` adds Stirling's term target log target - target + ½ log(2π target) where
    target > 1.  input and target broadcast together.
    """
    op = "poisson_nll_loss"
    reduction = _reduction(op, size_average, reduce, reduction)
    eps = _float_option(eps, "eps", op)
    input = _floating_input(input, op)
    target = _target_like(target, input, op)
    try:
        xp.broadcast_shapes(input.shape, target.shape)
    except ValueError:
        raise ValueError(f"{op}: target of shape {target.shape} does not broadcast with the "
                         f"input's shape {input.shape}") from None
    return apply(_loss.PoissonNLLLoss(reduction, bool(log_input), bool(full), eps), input, target)


def _gaussian_variance(var, input, op):
    """``var`` shaped to broadcast against ``input`` by PyTorch's rules, or a clear error.

    var may have the input's shape, lack its last dim (one variance per sample), or have
    size 1 in exactly one dim where the input's size differs (shared along that dim).
    """
    if isinstance(var, numbers.Real):
        var = as_tensor(xp.full(input.shape, float(var), dtype=input.dtype), op)
    var = _target_like(var, input, op)
    if var.data.size and var.data.min() < 0:
        raise ValueError(f"{op}: var must be non-negative, got a minimum of {var.data.min()}")
    if var.shape == input.shape:
        return var
    if var.shape == input.shape[:-1]:
        return var.reshape(var.shape + (1,))
    if var.ndim == input.ndim:
        differing = [v for v, i in zip(var.shape, input.shape) if v != i]
        if differing == [1]:
            return var
    raise ValueError(f"{op}: var of shape {var.shape} does not fit the input's shape "
                     f"{input.shape}: it must have that shape, lack its last dim "
                     f"{input.shape[:-1]}, or have size 1 in one dim")


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """Gaussian negative log-likelihood: ½ (log max(var, eps) + (input - target)² / max(var, eps)).

    ``input`` is the predicted mean and ``var`` the predicted variance (a tensor, or a float
    for all elements): of the input's shape, or one per sample (the last dim left out or of
    size 1).  ``full`` adds the constant ½ log 2π.  The clamp at ``eps`` is not
    differentiated, as in PyTorch.
    """
    op = "gaussian_nll_loss"
    check_reduction(reduction, op)
    eps = _float_option(eps, "eps", op)
    input = _floating_input(input, op)
    target = _target_like(target, input, op)
    var = _gaussian_variance(var, input, op)
    try:
        xp.broadcast_shapes(input.shape, target.shape, var.shape)
    except ValueError:
        raise ValueError(f"{op}: target of shape {target.shape} does not broadcast with the "
                         f"input's shape {input.shape}") from None
    return apply(_loss.GaussianNLLLoss(reduction, bool(full), eps), input, target, var)


# --------------------------------------------------------------------------- binary classification
def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction="mean"):
    """-weight [target log(input) + (1 - target) log(1 - input)], input probabilities in [0, 1].

    The logs are clamped at -100, as PyTorch, so input 0 or 1 gives a finite loss; prefer
    ``binary_cross_entropy_with_logits``, which is stable without clamping.  ``weight``
    broadcasts to the input's shape.
    """
    op = "binary_cross_entropy"
    reduction = _reduction(op, size_average, reduce, reduction)
    input = _floating_input(input, op)
    target = _target_like(target, input, op)
    _same_shape(input, target, op)
    if input.data.size:
        low, high = input.data.min(), input.data.max()
        if not (low >= 0 and high <= 1):
            raise ValueError(f"{op}: input must hold probabilities in [0, 1], got values from "
                             f"{low} to {high} (for logits use binary_cross_entropy_with_logits)")
    weight = _constant_weight(weight, input, op)
    return apply(_loss.BinaryCrossEntropy(reduction, weight), input, target)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    """Sigmoid and binary cross-entropy in one stable op, input logits of any size.

    loss = -weight [pos_weight · target log σ(input) + (1 - target) log(1 - σ(input))];
    ``pos_weight`` (e.g. shape (C,) for input (N, C)) weighs the positive examples of each
    class, ``weight`` each element; both broadcast to the input's shape.
    """
    op = "binary_cross_entropy_with_logits"
    reduction = _reduction(op, size_average, reduce, reduction)
    input = _floating_input(input, op)
    target = _target_like(target, input, op)
    _same_shape(input, target, op)
    weight = _constant_weight(weight, input, op)
    pos_weight = _constant_weight(pos_weight, input, op, "pos_weight")
    return apply(_loss.BinaryCrossEntropyWithLogits(reduction, weight, pos_weight), input, target)


# --------------------------------------------------------------------------- multi-class
def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    """Cross-entropy of logits: log-softmax over the class dim and negative log-likelihood, fused.

    input: (C,), (N, C) or (N, C, d1, ...) logits.  target: class indices of shape (), (N,)
    or (N, d1, ...) (targets equal to ``ignore_index`` count zero), or class probabilities of
    the input's shape.  ``weight`` (C,) rescales each class; with class indices 'mean'
    divides by the summed weights of the counted targets.  ``label_smoothing`` ε mixes the
    target with the uniform distribution: (1 - ε) target + ε / C.
    """
    op = "cross_entropy"
    reduction = _reduction(op, size_average, reduce, reduction)
    input = _floating_input(input, op)
    classes, index_shape = _class_shapes(input, op)
    if not isinstance(label_smoothing, numbers.Real) or not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"{op}: label_smoothing must be in [0, 1], got {label_smoothing!r}")
    weight = _class_weight(weight, classes, input.dtype, op)
    target = as_tensor(target, op)
    if target.shape == input.shape:
        if target.dtype.kind != "f":
            raise TypeError(f"{op}: targets of the input's shape {input.shape} are class "
                            f"probabilities and must be floating point, got {target.dtype} "
                            f"(class indices have shape {index_shape})")
        if ignore_index != -100:
            raise ValueError(f"{op}: ignore_index={ignore_index} applies to class-index targets "
                             "only, not to class probabilities")
        target = _target_like(target, input, op)
        return apply(_loss.CrossEntropyWithProbabilities(weight, float(label_smoothing), reduction),
                     input, target)
    if target.shape != index_shape:
        raise ValueError(f"{op}: input of shape {input.shape} needs class-index targets of shape "
                         f"{index_shape} or probabilities of shape {input.shape}; "
                         f"got {target.shape}")
    y, keep = _class_indices(target, classes, ignore_index, op)
    return apply(_loss.CrossEntropy(y, keep, weight, float(label_smoothing), reduction), input)


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    """Negative log-likelihood: -weight[target] · input[target] for log-probabilities ``input``.

    input: (C,), (N, C) or (N, C, d1, ...) log-probabilities (e.g. from log_softmax);
    target: class indices of shape (), (N,) or (N, d1, ...).  Targets equal to
    ``ignore_index`` count zero; 'mean' divides by the summed weights of the counted targets.
    """
    op = "nll_loss"
    reduction = _reduction(op, size_average, reduce, reduction)
    input = _floating_input(input, op)
    classes, index_shape = _class_shapes(input, op)
    weight = _class_weight(weight, classes, input.dtype, op)
    target = as_tensor(target, op)
    if target.shape != index_shape:
        raise ValueError(f"{op}: input of shape {input.shape} needs class-index targets of shape "
                         f"{index_shape}; got {target.shape}")
    y, keep = _class_indices(target, classes, ignore_index, op)
    return apply(_loss.NLLLoss(y, keep, weight, reduction), input)


# --------------------------------------------------------------------------- sequences
def _ctc_lengths(lengths, name, batch, op):
    """``input_lengths`` or ``target_lengths`` as a (batch,) int64 array, checked."""
    array = lengths.data if isinstance(lengths, Tensor) else xp.asarray(lengths)
    if array.dtype.kind not in "iu":
        raise TypeError(f"{op}: {name} must hold integers, got {array.dtype}")
    if array.size != batch or array.ndim > 1:
        raise ValueError(f"{op}: {name} must hold one length per sample ({batch}); got shape "
                         f"{array.shape}")
    array = array.reshape(batch).astype(xp.int64)
    if array.size and array.min() < 0:
        raise ValueError(f"{op}: {name} must be non-negative, got {int(array.min())}")
    return array


def _ctc_targets(targets, target_lengths, batched, op):
    """Targets padded to (N, S): given so, or cut from the concatenation of all of them."""
    y = as_tensor(targets, op).data
    if y.dtype.kind not in "iu":
        raise TypeError(f"{op}: targets must be class indices (integers), got {y.dtype}")
    longest = int(target_lengths.max(initial=0))
    if y.ndim == 1 and batched:
        total = int(target_lengths.sum())
        if y.shape[0] != total:
            raise ValueError(f"{op}: concatenated targets must hold sum(target_lengths) = {total} "
                             f"labels; got {y.shape[0]}")
        starts = xp.cumsum(target_lengths) - target_lengths
        index = starts[:, None] + xp.arange(longest)
        return y[xp.minimum(index, total - 1)] if total else xp.zeros((len(starts), 0), y.dtype)
    y = y.reshape(1, -1) if not batched and y.ndim == 1 else y
    if y.ndim != 2 or y.shape[0] != target_lengths.shape[0]:
        expected = "(N, S) or (sum(target_lengths),)" if batched else "(S,)"
        raise ValueError(f"{op}: targets must have shape {expected}; got {targets.shape}")
    if y.shape[1] < longest:
        raise ValueError(f"{op}: padded targets of shape {tuple(targets.shape)} are shorter than "
                         f"the longest target length {longest}")
    return y[:, :longest]


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean",
             zero_infinity=False):
    """Connectionist temporal classification loss: -log of the total probability of every
    alignment of each target sequence to the frames of its input (Graves et al., 2006).

    log_probs: (T, N, C) log-probabilities (e.g. ``log_softmax(x, dim=2)``), or (T, C) for
    one sequence.  targets: (N, S) padded, or the N sequences concatenated, of class indices
    other than ``blank``.  input_lengths, target_lengths: (N,) lengths (0-d for one sequence).
    'mean' divides each loss by its target length, then averages over the batch;
    ``zero_infinity`` turns the infinite losses of impossible alignments (and their gradients)
    to zero.  The gradient is the exact derivative with respect to ``log_probs``; through a
    log_softmax it equals PyTorch's (whose rule for log_probs assumes that softmax).

    >>> log_probs = F.log_softmax(chainrule.randn(50, 2, 20, requires_grad=True), dim=2)
    >>> loss = F.ctc_loss(log_probs, chainrule.tensor([[3, 7, 7, 1], [5, 2, 0, 0]]), [50, 40], [4, 2])
    """
    op = "ctc_loss"
    check_reduction(reduction, op)
    log_probs = _floating_input(log_probs, op)
    if log_probs.ndim not in (2, 3):
        raise ValueError(f"{op}: log_probs must have shape (T, N, C) or (T, C); got "
                         f"{log_probs.shape}")
    batched = log_probs.ndim == 3
    lp = log_probs if batched else log_probs.reshape(log_probs.shape[0], 1, -1)
    frames, batch, classes = lp.shape
    if not (isinstance(blank, numbers.Integral) and 0 <= blank < classes):
        raise ValueError(f"{op}: blank must be a class index in [0, {classes}), got {blank!r}")
    input_lengths = _ctc_lengths(input_lengths, "input_lengths", batch, op)
    target_lengths = _ctc_lengths(target_lengths, "target_lengths", batch, op)
    if input_lengths.size and input_lengths.max() > frames:
        raise ValueError(f"{op}: input_lengths must be at most the number of frames {frames}, "
                         f"got {int(input_lengths.max())}")
    y = _ctc_targets(targets, target_lengths, batched, op)
    counted = xp.arange(y.shape[1]) < target_lengths[:, None]
    bad = counted & ((y < 0) | (y >= classes))
    if bad.any():
        raise IndexError(f"{op}: target class index {int(y[bad][0])} is out of range for "
                         f"{classes} classes")
    y = xp.where(counted, y, blank)
    losses = apply(_ctc.CTCLoss(y, input_lengths, target_lengths, blank, bool(zero_infinity)),
                   lp)
    if reduction == "mean":
        per_label = xp.maximum(target_lengths, 1).astype(lp.dtype)
        return (losses / Tensor(per_label)).mean()
    if reduction == "sum":
        return losses.sum()
    return losses if batched else losses.reshape(())
