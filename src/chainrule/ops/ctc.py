"""Connectionist temporal classification (CTC, Graves et al. 2006) as one fused op.

The loss of a label sequence l given per-frame log-probabilities is -log of the summed
probability of every alignment of l to the frames.  The labels are extended with blanks,
l' = (b, l1, b, l2, ..., lS, b), and two recursions in log space run over the frames:
alpha[t, s], the log-probability of the alignments of frames 0..t that end at l'[s], and
beta[t, s], of frames t..T-1 that start at l'[s].  Each step is vectorized over the batch
and the positions s; only the frames are a Python loop, as in the recurrent layers.
"""
from chainrule.backend import xp
from chainrule.ops.base import Op


def _back(a, by):
    """a[..., s - by] at position s (-inf before the start): the position ``by`` steps back."""
    out = xp.full_like(a, -xp.inf)
    out[..., by:] = a[..., :a.shape[-1] - by]
    return out


def _ahead(a, by):
    """a[..., s + by] at position s (-inf past the end): the position ``by`` steps ahead."""
    out = xp.full_like(a, -xp.inf)
    out[..., :a.shape[-1] - by] = a[..., by:]
    return out


class CTCLoss(Op):
    """loss[n] = -log Σ_alignments Π_t lp[t, n, π_t]  over the frames t < input_lengths[n];
    d lp[t, n, c] = -g[n] Σ_{s: l'[s] = c} exp(alpha + beta - lp)[t, n, s] / p(l | x)
    (the posterior of class c at frame t; zero past the input length, and for infinite
    losses with ``zero_infinity``).

    ``targets`` is (N, S), padded; the lengths are (N,) integer arrays.
    """

    def __init__(self, targets, input_lengths, target_lengths, blank, zero_infinity):
        self.targets, self.blank, self.zero_infinity = targets, blank, zero_infinity
        self.input_lengths, self.target_lengths = input_lengths, target_lengths

    def forward(self, lp):
        frames, batch, self.classes = lp.shape
        labels = xp.full((batch, 2 * self.targets.shape[1] + 1), self.blank, dtype=xp.int64)
        labels[:, 1::2] = self.targets
        positions = xp.arange(labels.shape[1])
        extended = 2 * self.target_lengths[:, None] + 1              # len(l') per sample
        # a step may skip the blank between two different labels: l'[s] != l'[s - 2]
        self.skip = xp.zeros(labels.shape, dtype=bool)
        self.skip[:, 2:] = labels[:, 2:] != labels[:, :-2]
        index = xp.broadcast_to(labels, (frames,) + labels.shape)
        emit = xp.take_along_axis(lp, index, axis=2)
        self.emit = emit = xp.where(positions < extended, emit, -xp.inf)
        self.labels, self.last = labels, self.input_lengths - 1
        self.ends = (positions == extended - 1) | (positions == extended - 2)

        self.alpha = alpha = xp.empty_like(emit)
        alpha[0] = xp.where(positions < 2, emit[0], -xp.inf)
        for t in range(1, frames):
            a = alpha[t - 1]
            reach = xp.logaddexp(a, _back(a, 1))
            alpha[t] = xp.logaddexp(reach, xp.where(self.skip, _back(a, 2), -xp.inf)) + emit[t]

        final = alpha[xp.maximum(self.last, 0), xp.arange(batch)]
        log_p = xp.logaddexp.reduce(xp.where(self.ends, final, -xp.inf), axis=1)
        empty = self.input_lengths == 0        # no frames: only the empty label sequence
        log_p = xp.where(empty, xp.where(self.target_lengths == 0, 0.0, -xp.inf), log_p)
        self.losses = -log_p.astype(lp.dtype)
        self.infinite = xp.isinf(self.losses)
        if self.zero_infinity:
            return xp.where(self.infinite, 0, self.losses).astype(lp.dtype)
        return self.losses

    def backward(self, g):
        emit, skip = self.emit, self.skip
        frames, batch, _ = emit.shape
        beta = xp.empty_like(emit)
        following = xp.full(emit.shape[1:], -xp.inf, dtype=emit.dtype)
        at_end = xp.where(self.ends, emit, -xp.inf)
        for t in range(frames - 1, -1, -1):
            reach = xp.logaddexp(following, _ahead(following, 1))
            reach = xp.logaddexp(reach, _ahead(xp.where(skip, following, -xp.inf), 2)) + emit[t]
            beta[t] = following = xp.where((t == self.last)[:, None], at_end[t],
                                           xp.where((t < self.last)[:, None], reach, -xp.inf))

        # alpha and beta both count lp at frame t: take it out once (where it is finite)
        log_ab = self.alpha + beta - xp.where(emit > -xp.inf, emit, 0)
        counted = (xp.arange(frames)[:, None] <= self.last)[..., None]
        with xp.errstate(invalid="ignore", over="ignore"):
            posterior = xp.where(counted, xp.exp(log_ab + self.losses[:, None]), 0)
        if self.zero_infinity:
            posterior = xp.where(self.infinite[:, None], 0, posterior)
        else:   # no alignment: NaN for every class of every counted frame, as in PyTorch
            posterior = xp.where(self.infinite[:, None] & counted, xp.nan, posterior)
        weights = -posterior * g[:, None]

        classes = self.classes
        rows = (xp.arange(frames)[:, None] * batch + xp.arange(batch)) * classes
        index = rows[..., None] + self.labels                 # (t, n, l'[n, s]) flattened
        gx = xp.bincount(index.ravel(), weights=weights.ravel(), minlength=frames * batch * classes)
        return gx.reshape(frames, batch, classes).astype(emit.dtype, copy=False)
