"""Loss modules with PyTorch's names and constructor arguments: ``loss_fn(input, target)``.

Each class holds its options (and its weights as buffers, so they appear in ``state_dict``
as in PyTorch) and calls the function of the same name in ``chainrule.nn.functional``.

>>> criterion = chainrule.nn.CrossEntropyLoss(label_smoothing=0.1)
>>> loss = criterion(logits, labels)      # logits (N, C), labels (N,) class indices
"""
from chainrule.nn import loss_functions as F
from chainrule.nn.module import Module


class _Loss(Module):
    """Base of the losses: keeps ``reduction`` ('mean', 'sum' or 'none'), checked at once."""

    _reductions = F.REDUCTIONS

    def __init__(self, size_average=None, reduce=None, reduction="mean"):
        super().__init__()
        name = type(self).__name__
        reduction = F.legacy_reduction(size_average, reduce, reduction, name)
        self.reduction = F.check_reduction(reduction, name, self._reductions)


class _WeightedLoss(_Loss):
    """A loss with an optional ``weight`` tensor, registered as a buffer."""

    def __init__(self, weight=None, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)


class MSELoss(_Loss):
    """Mean squared error: reduce((input - target)²).  Shapes: input and target alike, any shape."""

    def forward(self, input, target):
        return F.mse_loss(input, target, reduction=self.reduction)


class L1Loss(_Loss):
    """Mean absolute error: reduce(|input - target|).  Shapes: input and target alike, any shape."""

    def forward(self, input, target):
        return F.l1_loss(input, target, reduction=self.reduction)


class HuberLoss(_Loss):
    """Huber loss: quadratic for |input - target| < delta, linear (slope delta) beyond."""

    def __init__(self, reduction="mean", delta=1.0):
        super().__init__(reduction=reduction)
        self.delta = delta

    def forward(self, input, target):
        return F.huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class SmoothL1Loss(_Loss):
    """Smooth L1: quadratic (½ d² / beta) for |d| < beta, |d| - ½ beta beyond; HuberLoss / beta."""

    def __init__(self, size_average=None, reduce=None, reduction="mean", beta=1.0):
        super().__init__(size_average, reduce, reduction)
        self.beta = beta

    def forward(self, input, target):
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class BCELoss(_WeightedLoss):
    """Binary cross-entropy of probabilities in [0, 1] (e.g. after a sigmoid); logs clamped at -100.

    Prefer ``BCEWithLogitsLoss`` on the logits: it is stable for logits of any size.
    """

    def forward(self, input, target):
        return F.binary_cross_entropy(input, target, weight=self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Sigmoid and binary cross-entropy in one stable op; ``pos_weight`` weighs the positives per class."""

    def __init__(self, weight=None, size_average=None, reduce=None, reduction="mean",
                 pos_weight=None):
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)
        self.register_buffer("pos_weight", pos_weight)

    def forward(self, input, target):
        return F.binary_cross_entropy_with_logits(input, target, weight=self.weight,
                                                  reduction=self.reduction,
                                                  pos_weight=self.pos_weight)


class CrossEntropyLoss(_WeightedLoss):
    """Cross-entropy of logits (N, C) or (N, C, d1, ...) with class indices (N,) / (N, d1, ...)
    or class probabilities of the input's shape; log-softmax is fused in.

    ``weight`` (C,) rescales classes, targets equal to ``ignore_index`` count zero, and
    ``label_smoothing`` ε mixes the targets with the uniform distribution.
    """

    def __init__(self, weight=None, size_average=None, ignore_index=-100, reduce=None,
                 reduction="mean", label_smoothing=0.0):
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input, target):
        return F.cross_entropy(input, target, weight=self.weight, ignore_index=self.ignore_index,
                               reduction=self.reduction, label_smoothing=self.label_smoothing)


class NLLLoss(_WeightedLoss):
    """Negative log-likelihood of log-probabilities (N, C) or (N, C, d1, ...) at class indices."""

    def __init__(self, weight=None, size_average=None, ignore_index=-100, reduce=None,
                 reduction="mean"):
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index

    def forward(self, input, target):
        return F.nll_loss(input, target, weight=self.weight, ignore_index=self.ignore_index,
                          reduction=self.reduction)


class KLDivLoss(_Loss):
    """Kullback-Leibler divergence of ``target`` from ``input`` (log-probabilities).

    Use reduction='batchmean' for the mathematical KL divergence averaged over the batch.
    """

    _reductions = ("mean", "batchmean", "sum", "none")

    def __init__(self, size_average=None, reduce=None, reduction="mean", log_target=False):
        super().__init__(size_average, reduce, reduction)
        self.log_target = log_target

    def forward(self, input, target):
        return F.kl_div(input, target, reduction=self.reduction, log_target=self.log_target)
