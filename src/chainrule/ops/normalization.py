"""Batch, layer, group and RMS normalization, each forward and its whole backward in one op.

Written as a chain of primitives (mean, subtract, square, mean, sqrt, divide, scale,
shift), normalization costs a dozen graph nodes and as many full-size temporaries, and
its gradient sums the same terms several times.  The fused rule needs two reductions:

    x̂ = (x - μ) / σ,  y = γ x̂ + β
    dβ = Σ g,  dγ = Σ g x̂,  dx = γ/σ · (g - mean(g) - x̂ · mean(g x̂))

where the sums and means run over the elements each statistic summarises.  When μ and σ
are fixed (BatchNorm in eval mode) they carry no gradient and dx = γ/σ · g.  RMS
normalization divides by √(mean(x²) + eps) without centring, so the mean(g) term drops out.
"""
from chainrule.backend import xp
from chainrule.ops.base import Op


def _channel_layout(shape):
    """How BatchNorm views an input of ``shape``: (N, C, L) with spatial axes, (N, C) without;
    with the per-channel view of a (C,) statistic and the einsum subscripts that go with it."""
    if len(shape) == 2:
        return shape, (lambda v: v), "nc"
    return (shape[0], shape[1], -1), (lambda v: v[:, None]), "ncl"


class BatchNorm(Op):
    """y = (x - μ) / √(σ² + eps) · γ + β per channel (axis 1), inputs (x[, γ][, β]);
    dx = γ/σ · (g - mean(g) - x̂ · mean(g x̂)) with batch statistics, γ/σ · g with fixed ones;
    dγ = Σ g x̂,  dβ = Σ g  (sums over every axis but the channel axis).

    ``mean`` and ``var`` are the fixed statistics (arrays of shape (C,)), or None to use
    the batch's; after ``forward``, ``batch_mean`` and ``batch_var`` (biased) hold the
    batch's for the caller's running averages.  The input is viewed as (N, C, L) so that
    every per-channel sum is one einsum, which NumPy runs much faster than a reduction
    over the non-adjacent axes (0, 2, 3); an (N, C) input stays 2-d, with the statistics
    broadcast along its contiguous last axis (as (N, C, 1), every broadcast loop would be
    one element long: 2x slower for BatchNorm1d).
    """

    def __init__(self, eps, has_weight, has_bias, mean=None, var=None):
        self.eps, self.has_weight, self.has_bias = eps, has_weight, has_bias
        self.fixed_mean, self.fixed_var = mean, var

    def forward(self, x, *params):
        self.shape = x.shape
        layout, per_channel, axes = _channel_layout(x.shape)
        x3 = x.reshape(layout)
        weight = params[0] if self.has_weight else None
        bias = params[-1] if self.has_bias else None
        self.weight = weight
        if self.fixed_mean is None:
            count = x3.size // x3.shape[1]
            mean = xp.einsum(f"{axes}->c", x3) / count
            x_hat = x3 - per_channel(mean)
            var = xp.einsum(f"{axes},{axes}->c", x_hat, x_hat) / count
            self.batch_mean, self.batch_var = mean, var
            self.inv_std = 1.0 / xp.sqrt(var + self.eps)
            x_hat *= per_channel(self.inv_std)                     # reuse the centered array
            self.x_hat = x_hat
            y = x_hat * per_channel(weight) if weight is not None else x_hat.copy()
            if bias is not None:
                y += per_channel(bias)
            return y.reshape(x.shape)
        # fixed statistics: an affine map per channel, y = x · scale + shift
        mean = self.fixed_mean.astype(x.dtype, copy=False)
        self.inv_std = 1.0 / xp.sqrt(self.fixed_var.astype(x.dtype, copy=False) + self.eps)
        self.x3, self.mean = x3, mean
        scale = self.inv_std if weight is None else weight * self.inv_std
        shift = -mean * scale
        if bias is not None:
            shift += bias
        y = x3 * per_channel(scale)
        y += per_channel(shift)
        return y.reshape(x.shape)

    def backward(self, g):
        needs = self.needs_input_grad
        layout, per_channel, axes = _channel_layout(g.shape)
        g3 = g.reshape(layout)
        weight, inv_std = self.weight, self.inv_std
        batch_stats = self.fixed_mean is None
        need_weight = self.has_weight and needs[1]
        need_bias = self.has_bias and needs[-1]
        g_sum = g_xhat_sum = None
        if need_bias or needs[0] and batch_stats:
            g_sum = xp.einsum(f"{axes}->c", g3)
        if need_weight or needs[0] and batch_stats:
            if batch_stats:
                g_xhat_sum = xp.einsum(f"{axes},{axes}->c", g3, self.x_hat)
            else:  # x̂ was not kept (eval mode rarely needs it): centre x again
                centered = self.x3 - per_channel(self.mean)
                g_xhat_sum = xp.einsum(f"{axes},{axes}->c", g3, centered) * inv_std
        scale = inv_std if weight is None else weight * inv_std
        gx = None
        if needs[0]:
            if batch_stats:
                count = g3.size // g3.shape[1]
                # one full-size array, updated in place: (g - mean(g) - x̂ mean(g x̂)) γ/σ
                gx = self.x_hat * per_channel(-g_xhat_sum / count)
                gx += g3
                gx -= per_channel(g_sum / count)
                gx *= per_channel(scale)
            else:
                gx = g3 * per_channel(scale)
            gx = gx.reshape(self.shape)
        grads = [gx]
        if self.has_weight:
            grads.append(g_xhat_sum if need_weight else None)
        if self.has_bias:
            grads.append(g_sum if need_bias else None)
        return tuple(grads) if len(grads) > 1 else grads[0]


def _standardize(rows, eps, centered):
    """Each row of a 2-d array scaled to unit RMS (centred first when ``centered``): (x̂, 1/σ)."""
    features = rows.shape[1]
    if centered:
        mean = xp.einsum("ij->i", rows) / features           # einsum: faster than .sum here
        x_hat = rows - mean[:, None]
    else:
        x_hat = rows.copy()
    var = xp.einsum("ij,ij->i", x_hat, x_hat) / features
    inv_std = 1.0 / xp.sqrt(var + eps)
    x_hat *= inv_std[:, None]
    return x_hat, inv_std


def _standardize_backward(g_hat, x_hat, inv_std, centered):
    """The gradient wrt each row, given ĝ (the gradient wrt x̂):
    1/σ · (ĝ - mean(ĝ) - x̂ · mean(ĝ x̂)), without the mean(ĝ) term when not centred."""
    features = x_hat.shape[1]
    gx = x_hat * (-xp.einsum("ij,ij->i", g_hat, x_hat) / features)[:, None]
    gx += g_hat
    if centered:
        gx -= (xp.einsum("ij->i", g_hat) / features)[:, None]
    gx *= inv_std[:, None]
    return gx


class LayerNorm(Op):
    """y = (x - μ) / √(σ² + eps) · γ + β over the last ``k`` axes, inputs (x[, γ][, β]);
    dx = 1/σ · (ĝ - mean(ĝ) - x̂ · mean(ĝ x̂)) with ĝ = g γ, over the normalized axes;
    dγ = Σ g x̂,  dβ = Σ g over the other axes.

    The input is viewed as (rows, features) so each statistic is a reduction along the
    contiguous last axis.
    """

    centered = True

    def __init__(self, k, eps, has_weight, has_bias):
        self.k, self.eps, self.has_weight, self.has_bias = k, eps, has_weight, has_bias

    def forward(self, x, *params):
        self.shape = x.shape
        features = 1
        for size in x.shape[x.ndim - self.k:]:
            features *= size
        self.x_hat, self.inv_std = _standardize(x.reshape(-1, features), self.eps, self.centered)
        weight = params[0].reshape(-1) if self.has_weight else None
        bias = params[-1].reshape(-1) if self.has_bias else None
        self.weight = weight
        y = self.x_hat * weight if weight is not None else self.x_hat.copy()
        if bias is not None:
            y += bias
        return y.reshape(x.shape)

    def backward(self, g):
        needs = self.needs_input_grad
        x_hat = self.x_hat
        g = g.reshape(x_hat.shape)
        grads = []
        if needs[0]:
            g_hat = g if self.weight is None else g * self.weight   # the gradient wrt x̂
            gx = _standardize_backward(g_hat, x_hat, self.inv_std, self.centered)
            grads.append(gx.reshape(self.shape))
        else:
            grads.append(None)
        param_shape = self.shape[len(self.shape) - self.k:]
        if self.has_weight:
            grads.append(xp.einsum("ij,ij->j", g, x_hat).reshape(param_shape) if needs[1] else None)
        if self.has_bias:
            grads.append(g.sum(axis=0).reshape(param_shape) if needs[-1] else None)
        return tuple(grads) if len(grads) > 1 else grads[0]


class RMSNorm(LayerNorm):
    """y = x / √(mean(x²) + eps) · γ over the last ``k`` axes, inputs (x[, γ]);
    dx = 1/σ · (ĝ - x̂ · mean(ĝ x̂)) with ĝ = g γ;  dγ = Σ g x̂.  LayerNorm without centring."""

    centered = False

    def __init__(self, k, eps, has_weight):
        super().__init__(k, eps, has_weight, False)


class GroupNorm(Op):
    """y = (x - μ) / √(σ² + eps) · γ + β with μ, σ² per sample and group of channels, and γ, β
    per channel, inputs (x[, γ][, β]) with x of shape (N, C, *);
    dx = 1/σ · (ĝ - mean(ĝ) - x̂ · mean(ĝ x̂)) over each group, with ĝ = g γ;
    dγ = Σ g x̂,  dβ = Σ g over every axis but the channel axis.

    The input is viewed as (N·G, C/G·L) rows for the statistics and as (N, C, L) for the
    per-channel scale and shift.  With one channel per group it is instance normalization.
    """

    def __init__(self, groups, eps, has_weight, has_bias):
        self.groups, self.eps, self.has_weight, self.has_bias = groups, eps, has_weight, has_bias

    def forward(self, x, *params):
        self.shape = x.shape
        n, c = x.shape[0], x.shape[1]
        x_hat, self.inv_std = _standardize(x.reshape(n * self.groups, -1), self.eps, True)
        self.x_hat = x_hat.reshape(n, c, -1)
        self.weight = params[0] if self.has_weight else None
        y = self.x_hat * self.weight[:, None] if self.has_weight else self.x_hat.copy()
        if self.has_bias:
            y += params[-1][:, None]
        return y.reshape(x.shape)

    def backward(self, g):
        needs = self.needs_input_grad
        g3 = g.reshape(self.x_hat.shape)
        grads = [None]
        if needs[0]:
            g_hat = g3 if self.weight is None else g3 * self.weight[:, None]
            rows = self.x_hat.shape[0] * self.groups
            gx = _standardize_backward(g_hat.reshape(rows, -1), self.x_hat.reshape(rows, -1),
                                       self.inv_std, True)
            grads[0] = gx.reshape(self.shape)
        if self.has_weight:
            grads.append(xp.einsum("ncl,ncl->c", g3, self.x_hat) if needs[1] else None)
        if self.has_bias:
            grads.append(xp.einsum("ncl->c", g3) if needs[-1] else None)
        return tuple(grads) if len(grads) > 1 else grads[0]
