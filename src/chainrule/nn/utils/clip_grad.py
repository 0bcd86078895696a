"""Gradient clipping and the L1 penalty, as ``torch.nn.utils.clip_grad`` (clip_grad_norm_, ...).

Clipping runs between ``loss.backward()`` and ``optimizer.step()``; it changes the
gradients in place::

    loss.backward()
    chainrule.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
    optimizer.step()
"""
import math

from chainrule.backend import xp
from chainrule.tensor import Tensor

__all__ = ["clip_grad_norm_", "clip_grad_value_", "clip_grads_with_norm_", "get_total_norm",
           "l1_penalty"]


def _tensors(parameters, what):
    if isinstance(parameters, Tensor):
        return [parameters]
    parameters = list(parameters)
    for i, p in enumerate(parameters):
        if not isinstance(p, Tensor):
            raise TypeError(f"{what}: item {i} is a {type(p).__name__}, not a tensor")
    return parameters


def _grads(parameters, what):
    return [p.grad.data for p in _tensors(parameters, what) if p.grad is not None]


def _vector_norm(array, norm_type):
    """The ``norm_type``-norm of all elements of ``array`` (inf: max |x|; 0: count of non-zeros)."""
    flat = array.reshape(-1)
    if norm_type == 2.0:
        return math.sqrt(float(xp.dot(flat, flat))) if flat.dtype.kind == "f" else \
            float(xp.linalg.norm(flat))
    return float(xp.linalg.norm(flat, ord=norm_type)) if flat.size else 0.0


def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False):
    """The norm of all ``tensors`` taken together, as if concatenated into one vector.

    ``norm_type``: any p (``float('inf')`` for the largest absolute value).  Returns a 0-d
    tensor of the tensors' dtype.
    """
    arrays = [t.data if isinstance(t, Tensor) else t for t in _tensors(tensors, "get_total_norm")]
    norm_type = float(norm_type)
    if not arrays:
        return Tensor(xp.asarray(0.0, dtype=xp.float32))
    dtype = arrays[0].dtype
    norms = xp.array([_vector_norm(a, norm_type) for a in arrays], dtype=xp.float64)
    total = dtype.type(xp.linalg.norm(norms, ord=norm_type))
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(f"get_total_norm: the total norm of order {norm_type} of the gradients "
                           f"is {float(total)}, so they cannot be clipped; set "
                           "error_if_nonfinite=False to scale them by it anyway")
    return Tensor(xp.asarray(total, dtype=dtype))


def clip_grads_with_norm_(parameters, max_norm, total_norm):
    """Scale the gradients in place by ``max_norm / (total_norm + 1e-6)`` when that is below 1."""
    grads = _grads(parameters, "clip_grads_with_norm_")
    if not grads:
        return
    dtype = grads[0].dtype
    total = dtype.type(total_norm.item() if isinstance(total_norm, Tensor) else total_norm)
    coef = dtype.type(max_norm) / (total + dtype.type(1e-6))
    coef = xp.minimum(coef, dtype.type(1.0))  # NaN stays NaN, as in PyTorch
    if coef == 1.0:
        return  # multiplying by exactly 1 would change nothing
    for g in grads:
        g *= coef


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Rescale the gradients of ``parameters`` so that their total norm is at most ``max_norm``.

    total = || (||g_1||, ..., ||g_n||) ||  (the ``norm_type``-norm of all gradients as one vector);
    each g <- g * min(1, max_norm / (total + 1e-6)).  Parameters without a gradient are
    skipped.  Returns the total norm before clipping, as a 0-d tensor.  ``foreach`` is
    accepted for PyTorch compatibility and ignored.
    """
    max_norm = float(max_norm)
    if not max_norm >= 0:
        raise ValueError(f"clip_grad_norm_: max_norm must be >= 0, got {max_norm}")
    parameters = _tensors(parameters, "clip_grad_norm_")
    grads = [p.grad for p in parameters if p.grad is not None]
    total = get_total_norm(grads, norm_type, error_if_nonfinite)
    clip_grads_with_norm_(parameters, max_norm, total)
    return total


def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp every gradient element of ``parameters`` into [-clip_value, clip_value], in place."""
    clip_value = float(clip_value)
    if not clip_value >= 0:
        raise ValueError(f"clip_grad_value_: clip_value must be >= 0, got {clip_value}")
    for g in _grads(parameters, "clip_grad_value_"):
        xp.clip(g, -clip_value, clip_value, out=g)


def l1_penalty(parameters):
    """sum |w| over all elements of ``parameters``: a differentiable 0-d tensor.

    The L1 counterpart of the optimizers' ``weight_decay`` (which adds the gradient of the
    L2 penalty weight_decay/2 * |w|^2): add ``lam * l1_penalty(model.parameters())`` to the
    loss, and backward adds ``lam * sign(w)`` to each gradient, pushing weights to exactly 0
    (a sparse model).  The gradient at w = 0 is 0.
    """
    total = None
    for p in _tensors(parameters, "l1_penalty"):
        term = p.abs().sum()
        total = term if total is None else total + term
    if total is None:
        raise ValueError("l1_penalty: got no parameters")
    return total
