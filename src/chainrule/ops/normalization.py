"""Batch and layer normalization, each forward and its whole backward in one op.

Written as a chain of primitives (mean, subtract, square, mean, sqrt, divide, scale,
shift), normalization costs a dozen graph nodes and as many full-size temporaries, and
its gradient sums the same terms several times.  The fused rule needs two reductions:

    x̂ = (x - μ) / σ,  y = γ x̂ + β
    dβ = Σ g,  dγ = Σ g x̂,  dx = γ/σ · (g - mean(g) - x̂ · mean(g x̂))

where the sums and means run over the elements each statistic summarises.  When μ and σ
are fixed (BatchNorm in eval mode) they carry no gradient and dx = γ/σ · g.
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


class LayerNorm(Op):
    """y = (x - μ) / √(σ² + eps) · γ + β over the last ``k`` axes, inputs (x[, γ][, β]);
    dx = 1/σ · (ĝ - mean(ĝ) - x̂ · mean(ĝ x̂)) with ĝ = g γ, over the normalized axes;
    dγ = Σ g x̂,  dβ = Σ g over the other axes.

    The input is viewed as (rows, features) so each statistic is a reduction along the
    contiguous last axis.
    """

    def __init__(self, k, eps, has_weight, has_bias):
        self.k, self.eps, self.has_weight, self.has_bias = k, eps, has_weight, has_bias

    def forward(self, x, *params):
        self.shape = x.shape
        features = 1
        for size in x.shape[x.ndim - self.k:]:
            features *= size
        rows = x.reshape(-1, features)
        mean = xp.einsum("ij->i", rows) / features           # einsum: faster than .sum here
        x_hat = rows - mean[:, None]
        var = xp.einsum("ij,ij->i", x_hat, x_hat) / features
        self.inv_std = 1.0 / xp.sqrt(var + self.eps)
        x_hat *= self.inv_std[:, None]
        self.x_hat = x_hat
        weight = params[0].reshape(-1) if self.has_weight else None
        bias = params[-1].reshape(-1) if self.has_bias else None
        self.weight = weight
        y = x_hat * weight if weight is not None else x_hat.copy()
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
            features = x_hat.shape[1]
            gx = x_hat * (-xp.einsum("ij,ij->i", g_hat, x_hat) / features)[:, None]
            gx += g_hat
            gx -= (xp.einsum("ij->i", g_hat) / features)[:, None]
            gx *= self.inv_std[:, None]
            grads.append(gx.reshape(self.shape))
        else:
            grads.append(None)
        param_shape = self.shape[len(self.shape) - self.k:]
        if self.has_weight:
            grads.append(xp.einsum("ij,ij->j", g, x_hat).reshape(param_shape) if needs[1] else None)
        if self.has_bias:
            grads.append(g.sum(axis=0).reshape(param_shape) if needs[-1] else None)
        return tuple(grads) if len(grads) > 1 else grads[0]
