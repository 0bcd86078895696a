"""Embedding lookup: y = W[indices], whose gradient adds up the rows of g that share an index."""
from chainrule.backend import xp
from chainrule.ops.base import Op


def segment_sum(index, values, num_rows):
    """out[r] = sum of values[k] over all k with index[k] == r, for r < num_rows.

    index (n,) integers, values (n, d) -> out (num_rows, d).  ``np.add.at`` does this, but
    slowly (3 ms for 3200 rows of 128).  Here the rows are sorted by index, so that each
    index's rows form one run, and every run is summed as a tree: in round s = 1, 2, 4, ...
    each row whose rank in its run is a multiple of 2s adds the row s places after it (if
    that row is in the same run).  A round is one vectorized add with no repeated target,
    and after log2(longest run) rounds the first row of each run holds the run's sum; a
    token repeated 1000 times costs 10 rounds, not 1000.
    """
    order = xp.argsort(index, kind="stable")
    index, values = index[order], values[order]  # copies: the rounds below add in place
    starts = xp.flatnonzero(xp.diff(index, prepend=-1))
    counts = xp.diff(starts, append=index.size)
    out = xp.zeros((num_rows,) + values.shape[1:], dtype=values.dtype)
    if index.size == 0:
        return out
    rank = xp.arange(index.size) - xp.repeat(starts, counts)   # position within its run
    left = xp.repeat(counts, counts) - rank                     # rows from this one to the run's end
    step = 1
    while step < counts.max():
        receivers = xp.flatnonzero((rank % (2 * step) == 0) & (left > step))
        values[receivers] += values[receivers + step]
        step *= 2
    out[index[starts]] = values[starts]
    return out


class Embedding(Op):
    """y = W[indices] (shape indices.shape + (d,));  dW[r] = sum of g over the positions
    where indices == r, and 0 for the ``padding_idx`` row."""

    def __init__(self, indices, padding_idx=None):
        self.indices, self.padding_idx = indices, padding_idx

    def forward(self, weight):
        self.num_rows = weight.shape[0]
        return xp.take(weight, self.indices, axis=0)

    def backward(self, g):
        d = g.shape[-1]
        gw = segment_sum(self.indices.reshape(-1), g.reshape(-1, d), self.num_rows)
        if self.padding_idx is not None:
            gw[self.padding_idx] = 0
        return gw


class EmbeddingBag(Op):
    """Each bag of indices reduced to one vector: out[b] = sum, mean or max of W[i] over the
    entries i of bag b (entries equal to ``padding_idx`` left out, an empty bag gives 0).

    ``bags`` (n,): the bag of each flat entry (non-decreasing); ``per_sample_weights`` (mode
    'sum' only) scale the rows: out[b] = sum_k w_k W[i_k].  Gradients: sum: dW[i_k] += w_k g[b_k],
    dw_k = W[i_k] · g[b_k];  mean: dW[i_k] += g[b_k] / |bag|;  max: dW[i, j] += g[b, j] for the
    entry i holding each bag's maximum in column j.
    """

    def __init__(self, indices, bags, num_bags, mode, padding_idx=None):
        keep = xp.ones(indices.shape, dtype=bool) if padding_idx is None else indices != padding_idx
        self.indices, self.bags = indices[keep], bags[keep]
        self.keep, self.num_bags, self.mode = keep, num_bags, mode

    def forward(self, weight, per_sample_weights=None):
        self.weight_shape, self.weight = weight.shape, weight
        rows = xp.take(weight, self.indices, axis=0)                       # (n, d)
        if per_sample_weights is not None:
            self.sample_weights = per_sample_weights[self.keep]
            rows *= self.sample_weights[:, None]
        out = xp.zeros((self.num_bags, weight.shape[1]), dtype=weight.dtype)
        if self.mode != "max":
            out = segment_sum(self.bags, rows, self.num_bags)
            if self.mode == "mean":
                self.counts = xp.maximum(xp.bincount(self.bags, minlength=self.num_bags), 1)
                out /= self.counts[:, None].astype(out.dtype)
            return out
        if self.bags.size:
            starts = xp.flatnonzero(xp.diff(self.bags, prepend=-1))
            filled = self.bags[starts]
            out[filled] = xp.maximum.reduceat(rows, starts, axis=0)
            # the first entry of each bag that reaches its maximum, column by column
            position = xp.where(rows == out[self.bags], xp.arange(rows.shape[0])[:, None],
                                rows.shape[0])
            self.argmax, self.filled = xp.minimum.reduceat(position, starts, axis=0), filled
        return out

    def backward(self, g):
        gw = xp.zeros(self.weight_shape, dtype=g.dtype)
        if self.mode == "max":
            if self.bags.size:
                columns = xp.broadcast_to(xp.arange(g.shape[1]), self.argmax.shape)
                xp.add.at(gw, (self.indices[self.argmax], columns), g[self.filled])
            return gw
        g_rows = g[self.bags]                                              # (n, d)
        if self.mode == "mean":
            g_rows = g_rows / self.counts[self.bags][:, None].astype(g.dtype)
        if len(self.needs_input_grad) == 1:
            return segment_sum(self.indices, g_rows, self.weight_shape[0])
        gw = d_weights = None
        if self.needs_input_grad[1]:
            d_weights = xp.zeros(self.keep.shape, dtype=g.dtype)
            d_weights[self.keep] = (xp.take(self.weight, self.indices, axis=0) * g_rows).sum(axis=1)
        if self.needs_input_grad[0]:
            gw = segment_sum(self.indices, g_rows * self.sample_weights[:, None], self.weight_shape[0])
        return gw, d_weights
