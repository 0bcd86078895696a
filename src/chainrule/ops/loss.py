"""Loss functions as fused ops: each computes its loss, reduces it, and states its gradient beside it.

Fusing is for three reasons.  Stability: cross-entropy is log-softmax and the negative
log-likelihood in one op, whose gradient is softmax - onehot, and BCE-with-logits never
forms a probability, so logits of ±1e4 give finite losses and gradients.  Fidelity: BCE on
probabilities clamps its logs at -100 and uses PyTorch's gradient formula.  Speed: one op
instead of three or four for the regression losses, so the graph stays small.

``reduction`` is 'none' (one loss per element or sample), 'sum', or 'mean'.  The mean divides
by a count the op is given (the number of elements, or the summed weights of the targets
that count, as in PyTorch's weighted cross-entropy).  In backward, ``spread`` turns the
gradient of the reduced loss into the gradient of each unreduced loss.

Class-index targets pick one logit per sample along the class axis (axis 1, or axis 0 for
an unbatched (C,) input) by advanced indexing; no Python loop runs over samples.
"""
import math

from chainrule.backend import xp
from chainrule.ops.base import Op, unbroadcast
from chainrule.ops.elementwise import stable_sigmoid

LOG_FLOOR = -100.0     # BCE clamps log(p) and log(1 - p) here, as PyTorch does
BCE_EPSILON = 1e-12    # ... and keeps p (1 - p) at least this in its gradient


# --------------------------------------------------------------------------- shared helpers
def reduce_loss(losses, reduction, count=None):
    """losses as they are ('none'), summed ('sum'), or summed and divided by ``count`` ('mean').

    ``count`` defaults to the number of losses; a mean over nothing is NaN, as in PyTorch.
    """
    if reduction == "none":
        return losses
    total = losses.sum()
    if reduction == "sum":
        return total
    with xp.errstate(invalid="ignore", divide="ignore"):
        return total / (losses.size if count is None else count)


def spread(g, reduction, count):
    """The gradient of each unreduced loss, from the gradient ``g`` of the reduced one."""
    if reduction == "mean":
        with xp.errstate(invalid="ignore", divide="ignore"):
            return g / count
    return g  # 'sum': the same g for every loss (a 0-d array); 'none': one g per loss


def class_index(y, axis):
    """An index that picks ``x[n, y[n, d...], d...]`` along ``axis`` (1, or 0 for unbatched) of x.

    ``x[index]`` has y's shape; ``gx[index] -= v`` scatters back (no position repeats).
    """
    if axis == 0:
        return (y,)
    if y.ndim == 1:
        return (xp.arange(y.shape[0]), y)
    grid = xp.indices(y.shape, sparse=True)
    return (grid[0], y) + tuple(grid[1:])


def class_sum(a, weight, axis):
    """Σ_c weight_c a[n, c, ...] over the class axis (Σ_c a[n, c, ...] when weight is None)."""
    if weight is None:
        return a.sum(axis=axis)
    if a.ndim == 2:
        return a @ weight
    return xp.tensordot(a, weight, axes=([axis], [0]))


def along_classes(per_sample, axis):
    """A per-sample array (or a scalar) shaped to broadcast against (N, C, d...) arrays."""
    if xp.ndim(per_sample) == 0:
        return per_sample
    return xp.expand_dims(per_sample, axis)


def class_weight_shape(weight, ndim, axis):
    """A (C,) weight vector shaped to broadcast along the class axis of an ndim-array."""
    shape = [1] * ndim
    shape[axis] = weight.shape[0]
    return weight.reshape(shape)


def softmax_parts(x, axis):
    """(m, e, z): the max along the class axis, e = exp(x - m) (every exponent <= 0, so no
    overflow), and z = Σ e; then softmax(x) = e / z and logsumexp(x) = m + log z."""
    m = x.max(axis=axis, keepdims=True)
    e = x - m
    xp.exp(e, out=e)
    return m, e, e.sum(axis=axis, keepdims=True)


def sample_weights(weight, y, keep, dtype):
    """Each target's weight w_y, zeroed where ignored; None when all are 1 (no weight, none ignored)."""
    if weight is not None:
        return weight[y] if keep is None else weight[y] * keep
    return None if keep is None else keep.astype(dtype)


class PointwiseLoss(Op):
    """Base of the losses of (input, target) pairs, elementwise with broadcasting.

    Subclasses compute the loss elements in ``forward`` and, in ``backward``, the gradient
    of each element times ``spread(g)``; ``grads`` sums those back to the two inputs' shapes.
    """

    def __init__(self, reduction):
        self.reduction = reduction

    def reduce(self, x, t, losses):
        self.shapes = (x.shape, t.shape)
        self.count = losses.size
        return reduce_loss(losses, self.reduction)

    def scale(self, g):
        return spread(g, self.reduction, self.count)

    def grads(self, gx, gt):
        needs = self.needs_input_grad
        return (unbroadcast(gx, self.shapes[0]) if needs[0] else None,
                unbroadcast(gt, self.shapes[1]) if needs[1] else None)


# --------------------------------------------------------------------------- regression
class MSELoss(PointwiseLoss):
    """loss = (x - t)²;  dx = 2 (x - t) g,  dt = -dx"""

    def forward(self, x, t):
        self.diff = x - t
        return self.reduce(x, t, self.diff * self.diff)

    def backward(self, g):
        gx = self.diff * (2 * self.scale(g))
        return self.grads(gx, -gx)


class L1Loss(PointwiseLoss):
    """loss = |x - t|;  dx = sign(x - t) g  (0 where x = t),  dt = -dx"""

    def forward(self, x, t):
        self.diff = x - t
        return self.reduce(x, t, xp.abs(self.diff))

    def backward(self, g):
        gx = xp.sign(self.diff) * self.scale(g)
        return self.grads(gx, -gx)


class HuberLoss(PointwiseLoss):
    """loss = ½ d² where |d| < δ, else δ (|d| - ½ δ), d = x - t;  dx = clip(d, -δ, δ) g,  dt = -dx"""

    def __init__(self, reduction, delta):
        super().__init__(reduction)
        self.delta = delta

    def forward(self, x, t):
        self.diff = d = x - t
        size = xp.abs(d)
        delta = self.delta
        losses = xp.where(size < delta, 0.5 * d * d, delta * (size - 0.5 * delta))
        return self.reduce(x, t, losses)

    def backward(self, g):
        gx = xp.clip(self.diff, -self.delta, self.delta) * self.scale(g)
        return self.grads(gx, -gx)


class SmoothL1Loss(PointwiseLoss):
    """loss = ½ d² / β where |d| < β, else |d| - ½ β, d = x - t;  dx = clip(d / β, -1, 1) g,  dt = -dx

    (β > 0; β = 0 is the L1 loss.)
    """

    def __init__(self, reduction, beta):
        super().__init__(reduction)
        self.beta = beta

    def forward(self, x, t):
        self.diff = d = x - t
        size = xp.abs(d)
        beta = self.beta
        losses = xp.where(size < beta, (0.5 / beta) * d * d, size - 0.5 * beta)
        return self.reduce(x, t, losses)

    def backward(self, g):
        gx = xp.clip(self.diff * (1 / self.beta), -1, 1) * self.scale(g)
        return self.grads(gx, -gx)


class KLDivLoss(PointwiseLoss):
    """loss = t (log t - x), 0 where t = 0  (x log-probabilities, t probabilities);
    dx = -t g,  dt = (log t + 1 - x) g.

    With ``log_target`` (t log-probabilities): loss = e^t (t - x);  dx = -e^t g,
    dt = e^t (t - x + 1) g.  'batchmean' divides the sum by the input's first size.
    """

    def __init__(self, reduction, log_target):
        super().__init__(reduction)
        self.log_target = log_target

    def forward(self, x, t):
        self.x, self.t = x, t
        with xp.errstate(divide="ignore", invalid="ignore"):
            if self.log_target:
                self.p = xp.exp(t)
                losses = self.p * (t - x)
            else:
                self.log_t = xp.log(t)
                losses = xp.where(t == 0, 0, t * self.log_t) - t * x
        self.shapes = (x.shape, t.shape)
        if self.reduction == "batchmean":
            self.count = x.shape[0] if x.ndim else 1
            return reduce_loss(losses, "mean", self.count)
        self.count = losses.size
        return reduce_loss(losses, self.reduction)

    def backward(self, g):
        s = spread(g, "mean" if self.reduction == "batchmean" else self.reduction, self.count)
        x, t = self.x, self.t
        if self.log_target:
            gx = -self.p * s
            gt = self.p * (t - x + 1) * s if self.needs_input_grad[1] else None
        else:
            gx = -t * s
            gt = (self.log_t + 1 - x) * s if self.needs_input_grad[1] else None
        return self.grads(xp.broadcast_to(gx, xp.broadcast_shapes(x.shape, t.shape)), gt)


class PoissonNLLLoss(PointwiseLoss):
    """Negative log-likelihood of a Poisson target t with rate e^x (``log_input``) or x.

    log_input: loss = e^x - t x;  dx = (e^x - t) g,  dt = -x g.
    otherwise: loss = x - t log(x + ε);  dx = (1 - t / (x + ε)) g,  dt = -log(x + ε) g.
    ``full`` adds Stirling's approximation of log(t!), t log t - t + ½ log(2π t), where
    t > 1 (0 elsewhere); its derivative is log t + 1 / (2t).
    """

    def __init__(self, reduction, log_input, full, eps):
        super().__init__(reduction)
        self.log_input, self.full, self.eps = log_input, full, eps

    def forward(self, x, t):
        self.x, self.t = x, t
        if self.log_input:
            self.rate = xp.exp(x)
            losses = self.rate - t * x
        else:
            self.log_rate = xp.log(x + self.eps)
            losses = x - t * self.log_rate
        if self.full:
            self.counted = t > 1
            safe = xp.where(self.counted, t, 1)      # the log of t <= 1 is never used
            self.log_t = xp.log(safe)
            stirling = safe * self.log_t - safe + 0.5 * xp.log(2 * math.pi * safe)
            losses = losses + xp.where(self.counted, stirling, 0)
        return self.reduce(x, t, losses)

    def backward(self, g):
        s = self.scale(g)
        x, t = self.x, self.t
        if self.log_input:
            gx = (self.rate - t) * s
        else:
            gx = (1 - t / (x + self.eps)) * s
        gt = None
        if self.needs_input_grad[1]:
            gt = -x if self.log_input else -self.log_rate
            if self.full:
                safe = xp.where(self.counted, t, 1)
                gt = gt + xp.where(self.counted, self.log_t + 0.5 / safe, 0)
            gt = xp.broadcast_to(gt * s, xp.broadcast_shapes(*self.shapes))
        return self.grads(gx, gt)


class GaussianNLLLoss(Op):
    """Negative log-likelihood of t under a Gaussian of mean x and variance v (all broadcast).

    loss = ½ (log v' + (x - t)² / v') [+ ½ log 2π with ``full``],  v' = max(v, ε);
    dx = (x - t) / v' g,  dt = -dx,  dv = ½ (1 / v' - (x - t)² / v'²) g.
    As in PyTorch, the clamp is not differentiated: v's gradient is taken at v'.
    """

    def __init__(self, reduction, full, eps):
        self.reduction, self.full, self.eps = reduction, full, eps

    def forward(self, x, t, v):
        self.shapes = (x.shape, t.shape, v.shape)
        self.diff = x - t
        self.var = xp.maximum(v, self.eps)
        losses = 0.5 * (xp.log(self.var) + self.diff * self.diff / self.var)
        if self.full:
            losses = losses + 0.5 * math.log(2 * math.pi)
        self.count = losses.size
        return reduce_loss(losses, self.reduction)

    def backward(self, g):
        s = spread(g, self.reduction, self.count)
        shape = xp.broadcast_shapes(*self.shapes)
        ratio = self.diff / self.var
        gx = xp.broadcast_to(ratio * s, shape)
        need_x, need_t, need_v = self.needs_input_grad
        gv = 0.5 * (1 / self.var - ratio * ratio) * s if need_v else None
        return (unbroadcast(gx, self.shapes[0]) if need_x else None,
                unbroadcast(-gx, self.shapes[1]) if need_t else None,
                unbroadcast(xp.broadcast_to(gv, shape), self.shapes[2]) if need_v else None)


# --------------------------------------------------------------------------- binary cross-entropy
class BinaryCrossEntropy(PointwiseLoss):
    """loss = -w [t max(log p, -100) + (1 - t) max(log(1 - p), -100)]  (p probabilities);
    dp = w (p - t) / max(p (1 - p), 1e-12) g,   dt = w [max(log(1 - p), -100) - max(log p, -100)] g.

    ``weight`` (an array broadcasting to p's shape, or None) is a constant.
    """

    def __init__(self, reduction, weight):
        super().__init__(reduction)
        self.weight = weight

    def forward(self, p, t):
        self.p, self.t = p, t
        with xp.errstate(divide="ignore"):
            self.log_p = xp.maximum(xp.log(p), LOG_FLOOR)
            self.log_q = xp.maximum(xp.log1p(-p), LOG_FLOOR)
        losses = -(self.log_q + t * (self.log_p - self.log_q))
        if self.weight is not None:
            losses = losses * self.weight
        return self.reduce(p, t, losses)

    def backward(self, g):
        s = self.scale(g)
        if self.weight is not None:
            s = s * self.weight
        p = self.p
        gp = (p - self.t) / xp.maximum(p * (1 - p), BCE_EPSILON) * s
        gt = (self.log_q - self.log_p) * s if self.needs_input_grad[1] else None
        return self.grads(gp, gt)


class BinaryCrossEntropyWithLogits(PointwiseLoss):
    """loss = w [(1 - t) x + (1 + (q - 1) t) softplus(-x)]  (x logits, q = pos_weight);
    dx = w [(1 - t) - (1 + (q - 1) t) σ(-x)] g   (= w (σ(x) - t) g without pos_weight),
    dt = w [(q - 1) softplus(-x) - x] g.

    softplus(-x) = max(-x, 0) + log(1 + e^-|x|) and σ are evaluated without overflow, so the
    loss and its gradient stay finite for logits of any size.  Weights are constants.
    """

    def __init__(self, reduction, weight, pos_weight):
        super().__init__(reduction)
        self.weight, self.pos_weight = weight, pos_weight

    def forward(self, x, t):
        self.x, self.t = x, t
        self.softplus_neg = xp.maximum(-x, 0) + xp.log1p(xp.exp(-xp.abs(x)))
        if self.pos_weight is None:
            losses = (1 - t) * x + self.softplus_neg
        else:
            losses = (1 - t) * x + (1 + (self.pos_weight - 1) * t) * self.softplus_neg
        if self.weight is not None:
            losses = losses * self.weight
        return self.reduce(x, t, losses)

    def backward(self, g):
        s = self.scale(g)
        if self.weight is not None:
            s = s * self.weight
        x, t, q = self.x, self.t, self.pos_weight
        if q is None:
            gx = (stable_sigmoid(x) - t) * s
        else:
            gx = ((1 - t) - (1 + (q - 1) * t) * stable_sigmoid(-x)) * s
        gt = None
        if self.needs_input_grad[1]:
            gt = (-x if q is None else (q - 1) * self.softplus_neg - x) * s
        return self.grads(gx, gt)


class SoftMarginLoss(PointwiseLoss):
    """loss = log(1 + e^(-t x)) = softplus(-t x), evaluated without overflow;
    dx = -t σ(-t x) g,  dt = -x σ(-t x) g.
    """

    def forward(self, x, t):
        self.x, self.t = x, t
        z = -t * x
        self.z = z
        losses = xp.maximum(z, 0) + xp.log1p(xp.exp(-xp.abs(z)))
        return self.reduce(x, t, losses)

    def backward(self, g):
        share = stable_sigmoid(self.z) * self.scale(g)
        gt = -self.x * share if self.needs_input_grad[1] else None
        return self.grads(-self.t * share, gt)


# --------------------------------------------------------------------------- classification
class CrossEntropy(Op):
    """Cross-entropy of logits x (N, C, d...) with class indices y (N, d...), log-softmax fused in.

    loss_n = w_{y_n} (lse_n - x_{n,y_n}),  lse_n = log Σ_c e^{x_{n,c}}  (= -w_y log softmax(x)_y);
    dx = g_n w_{y_n} (softmax(x)_n - onehot(y_n)).

    With label smoothing ε the loss is (1 - ε) times that plus ε/C times
    Σ_c w_c (lse_n - x_{n,c}), whose gradient is g_n (W softmax(x)_n - w), W = Σ_c w_c.
    Ignored targets (``keep`` False) count zero.  'mean' divides by Σ_n w_{y_n} over the kept
    targets (their number without weights), for both terms, as PyTorch.

    ``y`` holds valid class indices (ignored ones replaced by 0); ``keep`` is
    a boolean array of y's shape or None when every target counts; ``weight`` (C,) or None.
    """

    def __init__(self, y, keep, weight, label_smoothing, reduction):
        self.y, self.keep, self.weight = y, keep, weight
        self.smoothing, self.reduction = label_smoothing, reduction

    def forward(self, x):
        self.axis = axis = 1 if x.ndim > 1 else 0
        self.classes = x.shape[axis]
        self.index = class_index(self.y, axis)
        m, self.e, self.z = softmax_parts(x, axis)
        lse = (m + xp.log(self.z)).squeeze(axis)
        losses = lse - x[self.index]         # -log softmax(x)[y]
        self.sample_w = sample_w = sample_weights(self.weight, self.y, self.keep, x.dtype)
        if sample_w is not None:
            losses = losses * sample_w
        self.count = losses.size if sample_w is None else sample_w.sum()

        w, eps = self.weight, self.smoothing
        if eps:
            total_w = self.classes if w is None else w.sum()
            smooth = total_w * lse - class_sum(x, w, axis)
            if self.keep is not None:
                smooth = smooth * self.keep
            losses = (1 - eps) * losses + (eps / self.classes) * smooth
        return reduce_loss(losses, self.reduction, self.count)

    def backward(self, g):
        if self.keep is not None and not self.keep.any():
            return xp.zeros_like(self.e)     # every target ignored: zero, as PyTorch (even for NaN means)
        axis, w, eps = self.axis, self.weight, self.smoothing
        r = spread(g, self.reduction, self.count)          # per-sample gradient (or a scalar)
        onehot = r if self.sample_w is None else r * self.sample_w
        if eps:
            onehot = onehot * (1 - eps)
            smooth = r * (eps / self.classes)
            if self.keep is not None:
                smooth = smooth * self.keep
            total_w = self.classes if w is None else w.sum()
            softmax_scale = onehot + smooth * total_w
        else:
            softmax_scale = onehot
        gx = self.e * (along_classes(softmax_scale, axis) / self.z)   # softmax times its scale
        gx[self.index] -= onehot
        if eps:
            smooth = along_classes(smooth, axis)
            gx -= smooth if w is None else smooth * class_weight_shape(w, gx.ndim, axis)
        return gx


class CrossEntropyWithProbabilities(Op):
    """Cross-entropy of logits x (N, C, d...) with class probabilities t of the same shape.

    loss_n = -Σ_c w_c t'_{n,c} log softmax(x)_{n,c},  t' = (1 - ε) t + ε / C;
    dx = g_n (S_n softmax(x)_n - w t'_n) with S_n = Σ_c w_c t'_{n,c};
    dt = -g_n (1 - ε) w log softmax(x)_n.
    'mean' divides by the number of samples N · d1 · ... (not by the weights), as PyTorch.
    """

    def __init__(self, weight, label_smoothing, reduction):
        self.weight, self.smoothing, self.reduction = weight, label_smoothing, reduction

    def forward(self, x, t):
        self.axis = axis = 1 if x.ndim > 1 else 0
        classes = x.shape[axis]
        m, self.e, self.z = softmax_parts(x, axis)
        self.log_p = x - (m + xp.log(self.z))
        self.w = None if self.weight is None else class_weight_shape(self.weight, x.ndim, axis)
        eps = self.smoothing
        target = (1 - eps) * t + eps / classes if eps else t
        self.wt = target if self.w is None else target * self.w
        losses = -(self.wt * self.log_p).sum(axis=axis)
        self.count = losses.size
        return reduce_loss(losses, self.reduction)

    def backward(self, g):
        axis = self.axis
        r = along_classes(spread(g, self.reduction, self.count), axis)
        gx = gt = None
        if self.needs_input_grad[0]:
            total = self.wt.sum(axis=axis, keepdims=True)
            gx = (self.e * (total / self.z) - self.wt) * r
        if self.needs_input_grad[1]:
            scale = r * (1 - self.smoothing)
            if self.w is not None:
                scale = scale * self.w
            gt = -self.log_p * scale
        return gx, gt


class NLLLoss(Op):
    """Negative log-likelihood of log-probabilities x (N, C, d...) at class indices y (N, d...).

    loss_n = -w_{y_n} x_{n, y_n};  dx = -g_n w_{y_n} at (n, y_n), 0 elsewhere.
    Ignored targets count zero; 'mean' divides by Σ_n w_{y_n} over the kept targets.
    """

    def __init__(self, y, keep, weight, reduction):
        self.y, self.keep, self.weight, self.reduction = y, keep, weight, reduction

    def forward(self, x):
        axis = 1 if x.ndim > 1 else 0
        self.shape, self.dtype = x.shape, x.dtype
        self.index = class_index(self.y, axis)
        losses = -x[self.index]
        self.sample_w = sample_w = sample_weights(self.weight, self.y, self.keep, x.dtype)
        if sample_w is not None:
            losses = losses * sample_w
        self.count = losses.size if sample_w is None else sample_w.sum()
        return reduce_loss(losses, self.reduction, self.count)

    def backward(self, g):
        gx = xp.zeros(self.shape, dtype=self.dtype)
        if self.keep is not None and not self.keep.any():
            return gx                        # every target ignored: zero, as PyTorch (even for NaN means)
        r = spread(g, self.reduction, self.count)
        picked = r if self.sample_w is None else r * self.sample_w
        gx[self.index] = -picked
        return gx


class MultiMarginLoss(Op):
    """Multi-class hinge loss of scores x (N, C) at class indices y (N,).

    loss_n = w_{y_n} / C Σ_{i ≠ y_n} max(0, margin - x_{n,y_n} + x_{n,i})^p,  p = 1 or 2;
    dx_{n,i} = w_{y_n} / C p h_{n,i}^(p-1) [h > 0] g_n  for i ≠ y_n, and at y_n minus their sum.
    'mean' divides by N (not by the weights).  ``weight`` (C,) or None is a constant.
    """

    def __init__(self, y, p, margin, weight, reduction):
        self.y, self.p, self.margin, self.weight, self.reduction = y, p, margin, weight, reduction

    def forward(self, x):
        self.index = class_index(self.y, 1)
        self.hinge = h = self.margin - x[self.index][:, None] + x
        xp.maximum(h, 0, out=h)
        h[self.index] = 0                    # the target class is not compared with itself
        losses = (h if self.p == 1 else h * h).sum(axis=1) / x.shape[1]
        if self.weight is not None:
            losses = losses * self.weight[self.y]
        self.count = losses.size
        return reduce_loss(losses, self.reduction)

    def backward(self, g):
        h = self.hinge
        r = spread(g, self.reduction, self.count) / h.shape[1]
        if self.weight is not None:
            r = r * self.weight[self.y]
        slope = (h > 0).astype(h.dtype) if self.p == 1 else 2 * h
        gx = slope * along_classes(r, 1)
        gx[self.index] = -gx.sum(axis=1)
        return gx
