"""Adaptive softmax (Grave et al., 2016): a softmax over many classes, cheap when they are
sorted by frequency, as ``torch.nn.AdaptiveLogSoftmaxWithLoss``.

The frequent classes [0, cutoffs[0]) sit in a head, together with one entry per cluster of
rarer classes [cutoffs[i], cutoffs[i + 1]); each cluster has its own small projection
(in_features -> in_features / div_value^(i+1) -> cluster size).  log p(c) is the head's
log-probability of c, or of c's cluster plus the cluster's log-probability of c.
"""
import collections
import numbers

from chainrule import functions as fn
from chainrule.backend import xp
from chainrule.nn.container import ModuleList, Sequential
from chainrule.nn.linear import Linear
from chainrule.nn.module import Module

ASMoutput = collections.namedtuple("_ASMoutput", ["output", "loss"])


class AdaptiveLogSoftmaxWithLoss(Module):
    """``module(input, target)`` -> (output, loss): the log-probability of each target
    (N,) and the mean negative log-likelihood.  input: (N, in_features) or (in_features,);
    target: (N,) or () class indices in [0, n_classes).  ``log_prob(input)`` gives all
    (N, n_classes) log-probabilities, ``predict(input)`` the most likely class.
    """

    def __init__(self, in_features, n_classes, cutoffs, div_value=4.0, head_bias=False,
                 device=None, dtype=None):
        super().__init__()
        cutoffs = list(cutoffs)
        if (not cutoffs or cutoffs != sorted(cutoffs) or len(set(cutoffs)) != len(cutoffs)
                or not all(isinstance(c, numbers.Integral) for c in cutoffs)
                or cutoffs[0] <= 0 or cutoffs[-1] > n_classes - 1):
            raise ValueError("AdaptiveLogSoftmaxWithLoss: cutoffs must be a sequence of unique, "
                             "positive integers sorted in increasing order, each between 1 and "
                             f"n_classes - 1 = {n_classes - 1}; got {cutoffs}")
        self.in_features, self.n_classes = in_features, n_classes
        self.cutoffs = cutoffs + [n_classes]
        self.div_value, self.head_bias = div_value, head_bias
        self.shortlist_size = self.cutoffs[0]
        self.n_clusters = len(self.cutoffs) - 1
        self.head_size = self.shortlist_size + self.n_clusters
        options = dict(device=device, dtype=dtype)
        self.head = Linear(in_features, self.head_size, bias=head_bias, **options)
        self.tail = ModuleList()
        for i in range(self.n_clusters):
            hidden = int(in_features // div_value ** (i + 1))
            size = self.cutoffs[i + 1] - self.cutoffs[i]
            self.tail.append(Sequential(Linear(in_features, hidden, bias=False, **options),
                                        Linear(hidden, size, bias=False, **options)))

    def reset_parameters(self):
        self.head.reset_parameters()
        for projection in self.tail:
            for linear in projection:
                linear.reset_parameters()

    def _batched(self, input, op):
        input = fn.as_tensor(input, op)
        if input.ndim not in (1, 2) or input.shape[-1] != self.in_features:
            raise ValueError(f"AdaptiveLogSoftmaxWithLoss.{op}: input must have shape (N, "
                             f"{self.in_features}) or ({self.in_features},); got {input.shape}")
        return input.reshape(1, -1) if input.ndim == 1 else input

    def forward(self, input, target):
        input = fn.as_tensor(input, "AdaptiveLogSoftmaxWithLoss")
        x = self._batched(input, "forward")
        y = fn.as_tensor(target, "AdaptiveLogSoftmaxWithLoss").data
        expected = x.shape[:1] if input.ndim == 2 else ()
        if y.shape != expected:
            raise ValueError(f"AdaptiveLogSoftmaxWithLoss: input of shape {input.shape} needs "
                             f"targets of shape {expected}; got {y.shape}")
        y = y.reshape(-1)
        if y.size and (y.min() < 0 or y.max() >= self.n_classes):
            raise IndexError(f"AdaptiveLogSoftmaxWithLoss: target values must be in [0, "
                             f"{self.n_classes - 1}], found values from {y.min()} to {y.max()}")
        # each target's entry in the head: itself if frequent, else its cluster's
        cluster = xp.searchsorted(xp.asarray(self.cutoffs), y, side="right")   # 0: the head's shortlist
        head_entry = xp.where(cluster == 0, y, self.shortlist_size + cluster - 1)
        head_logprob = fn.log_softmax(self.head(x), 1)
        output = fn.gather(head_logprob, 1, fn.as_tensor(head_entry[:, None])).reshape(-1)
        for i, projection in enumerate(self.tail, start=1):
            rows = xp.nonzero(cluster == i)[0]
            if rows.size == 0:
                continue
            local = fn.log_softmax(projection(fn.index_select(x, 0, fn.as_tensor(rows))), 1)
            relative = fn.as_tensor((y[rows] - self.cutoffs[i - 1])[:, None])
            output = fn.index_add(output, 0, fn.as_tensor(rows), fn.gather(local, 1, relative).reshape(-1))
        loss = (-output).mean()
        return ASMoutput(output if input.ndim == 2 else output.reshape(()), loss)

    def _full_log_prob(self, x):
        head_logprob = fn.log_softmax(self.head(x), 1)
        parts = [head_logprob[:, :self.shortlist_size]]
        for i, projection in enumerate(self.tail):
            cluster = head_logprob[:, self.shortlist_size + i:self.shortlist_size + i + 1]
            parts.append(fn.log_softmax(projection(x), 1) + cluster)
        return fn.cat(parts, 1)

    def log_prob(self, input):
        """log p(c | input) for every class c: (N, n_classes), or (n_classes,)."""
        out = self._full_log_prob(self._batched(input, "log_prob"))
        return out if fn.as_tensor(input).ndim == 2 else out.reshape(-1)

    def predict(self, input):
        """The most likely class of each input: (N,), or ()."""
        out = fn.argmax(self._full_log_prob(self._batched(input, "predict")), dim=1)
        return out if fn.as_tensor(input).ndim == 2 else out.reshape(())
