"""Gumbel-softmax: a differentiable sample of a categorical distribution (Jang et al., 2017).

softmax((logits + g) / tau) with g standard Gumbel noise is a relaxed one-hot sample whose
argmax is distributed as softmax(logits); a small ``tau`` brings it close to one-hot.  The
noise is -log of standard exponential draws from ``chainrule.random.generator()`` (or a
given ``Generator``), so ``manual_seed`` fixes it.
"""
import numbers
import warnings

from chainrule import random as _random
from chainrule.backend import xp
from chainrule.functions import as_tensor, normalize_dim, softmax
from chainrule.tensor import Tensor


def gumbel_softmax(logits, tau=1, hard=False, eps=1e-10, dim=-1, *, generator=None):
    """A relaxed one-hot sample softmax((logits + g) / tau) along ``dim``, g ~ Gumbel(0, 1).

    With ``hard=True`` the result is the exact one-hot of the sample's argmax, while its
    gradient is that of the soft sample (the straight-through estimator):
    y_hard - y_soft.detach() + y_soft.  ``eps`` is unused, as in PyTorch (deprecated there).

    >>> import chainrule.nn.functional as F
    >>> y = F.gumbel_softmax(chainrule.randn(4, 10, requires_grad=True), tau=0.5, hard=True)
    """
    op = "gumbel_softmax"
    if eps != 1e-10:
        warnings.warn(f"{op}: eps is deprecated and has no effect", UserWarning, stacklevel=2)
    if isinstance(tau, bool) or not isinstance(tau, numbers.Real) or not tau > 0:
        raise ValueError(f"{op}: tau must be a positive number, got {tau!r}")
    logits = as_tensor(logits, op)
    if logits.dtype.kind != "f":
        raise TypeError(f"{op}: logits must be a floating-point tensor, got {logits.dtype}")
    dim = normalize_dim(dim, logits.ndim, op)
    exponential = _random.numpy_generator(generator, op).standard_exponential(
        logits.shape, dtype=logits.dtype if logits.dtype == xp.float32 else xp.float64)
    gumbels = Tensor(-xp.log(exponential).astype(logits.dtype, copy=False))
    y_soft = softmax((logits + gumbels) / tau, dim)
    if not hard:
        return y_soft
    y_hard = xp.zeros_like(y_soft.data)
    xp.put_along_axis(y_hard, xp.expand_dims(y_soft.data.argmax(axis=dim), dim), 1, axis=dim)
    return (Tensor(y_hard) - y_soft.detach()) + y_soft
