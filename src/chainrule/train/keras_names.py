"""What ``compile`` accepts by name: optimizers (``chainrule.optimizers.get``), losses, metrics.

Losses are functions ``loss(output, target, from_logits) -> per-sample losses`` so that
``fit`` can weight samples (``class_weight``) before averaging.  When the model ends in
softmax or sigmoid, ``fit`` hands the loss the logits instead of the probabilities, so
cross-entropy is computed fused and stable, as Keras does.
"""
import math

from chainrule import functions as F
from chainrule.backend import xp
from chainrule.nn import functional as NF

# Keras clips probabilities to [eps, 1 - eps] before taking logs
_EPSILON = 1e-7


def make_optimizer(spec, parameters, learning_rate=None):
    """An optimizer from a name ('adam', ...), a Keras optimizer (``chainrule.optimizers``,
    built now for ``parameters``), or an already-built optimizer."""
    from chainrule import optimizers

    if isinstance(spec, str):
        spec = optimizers.get(spec, learning_rate)
    if isinstance(spec, optimizers.KerasOptimizer):
        return spec.build(parameters)
    return spec


def _categorical_crossentropy(output, target, from_logits):
    if from_logits:
        return NF.cross_entropy(output, target, reduction="none")
    probabilities = output / output.sum(dim=-1, keepdim=True)
    return -(target * F.log(probabilities.clamp(_EPSILON, 1 - _EPSILON))).sum(dim=-1)


def _sparse_categorical_crossentropy(output, target, from_logits):
    target = target.reshape(-1) if target.ndim > 1 and target.shape[-1] == 1 else target
    if from_logits:
        return NF.cross_entropy(output, target, reduction="none")
    picked = F.index(output, (xp.arange(output.shape[0]), target.data.astype("int64")))
    return -F.log(picked.clamp(_EPSILON, 1 - _EPSILON))


def _binary_crossentropy(output, target, from_logits):
    if from_logits:
        losses = NF.binary_cross_entropy_with_logits(output, target, reduction="none")
    else:
        p = output.clamp(_EPSILON, 1 - _EPSILON)
        losses = -(target * F.log(p) + (1 - target) * F.log(1 - p))
    return losses.mean(dim=-1)


def _mean_squared_error(output, target, from_logits):
    return ((output - target) ** 2).mean(dim=-1)


def _mean_absolute_error(output, target, from_logits):
    return (output - target).abs().mean(dim=-1)


def _huber(output, target, from_logits):
    return NF.huber_loss(output, target, reduction="none", delta=1.0).mean(dim=-1)


def _hinge_labels(target):
    """Keras's hinge losses read labels that are all 0 or 1 as -1 and +1."""
    values = target.data
    return target * 2.0 - 1.0 if xp.all((values == 0) | (values == 1)) else target


def _hinge(output, target, from_logits):
    """mean(max(1 - y·ŷ, 0)) over the last axis, labels -1/+1 (or 0/1)."""
    return F.relu(1.0 - _hinge_labels(target) * output).mean(dim=-1)


def _squared_hinge(output, target, from_logits):
    """mean(max(1 - y·ŷ, 0)²) over the last axis, labels -1/+1 (or 0/1)."""
    return (F.relu(1.0 - _hinge_labels(target) * output) ** 2).mean(dim=-1)


def _categorical_hinge(output, target, from_logits):
    """max(neg - pos + 1, 0), pos = Σ y·ŷ (the true class's score), neg = max (1 - y)·ŷ."""
    positive = (target * output).sum(dim=-1)
    negative = F.amax((1.0 - target) * output, dim=-1)
    return F.relu(negative - positive + 1.0)


def _kl_divergence(output, target, from_logits):
    """Σ y·log(y / ŷ) over the last axis, both clipped to [1e-7, 1]."""
    target = target.clamp(_EPSILON, 1.0)
    return (target * F.log(target / output.clamp(_EPSILON, 1.0))).sum(dim=-1)


def _poisson(output, target, from_logits):
    """mean(ŷ - y·log(ŷ + 1e-7)) over the last axis."""
    return (output - target * F.log(output + _EPSILON)).mean(dim=-1)


def _log_cosh(output, target, from_logits):
    """mean(log(cosh(ŷ - y))) over the last axis, as x + softplus(-2x) - log 2 (no overflow)."""
    x = output - target
    return (x + F.softplus(x * -2.0) - math.log(2.0)).mean(dim=-1)


def _mean_absolute_percentage_error(output, target, from_logits):
    """100 · mean(|y - ŷ| / max(|y|, 1e-7)) over the last axis."""
    return ((target - output) / target.abs().clamp(min=_EPSILON)).abs().mean(dim=-1) * 100.0


def _mean_squared_logarithmic_error(output, target, from_logits):
    """mean((log(max(ŷ, 1e-7) + 1) - log(max(y, 1e-7) + 1))²) over the last axis."""
    difference = F.log(output.clamp(min=_EPSILON) + 1.0) - F.log(target.clamp(min=_EPSILON) + 1.0)
    return (difference ** 2).mean(dim=-1)


def _cosine_similarity(output, target, from_logits):
    """-Σ ŷ/‖ŷ‖ · y/‖y‖ over the last axis, each norm at least 1e-7 (so a zero vector gives 0)."""
    def normalized(x):
        return x / F.sqrt((x * x).sum(dim=-1, keepdim=True)).clamp(min=_EPSILON)
    return -(normalized(output) * normalized(target)).sum(dim=-1)


LOSSES = {
    "categorical_crossentropy": _categorical_crossentropy,
    "sparse_categorical_crossentropy": _sparse_categorical_crossentropy,
    "binary_crossentropy": _binary_crossentropy,
    "mse": _mean_squared_error,
    "mean_squared_error": _mean_squared_error,
    "mae": _mean_absolute_error,
    "mean_absolute_error": _mean_absolute_error,
    "huber": _huber,
    "huber_loss": _huber,
    "hinge": _hinge,
    "squared_hinge": _squared_hinge,
    "categorical_hinge": _categorical_hinge,
    "kl_divergence": _kl_divergence,
    "kld": _kl_divergence,
    "kullback_leibler_divergence": _kl_divergence,
    "poisson": _poisson,
    "log_cosh": _log_cosh,
    "logcosh": _log_cosh,
    "mean_absolute_percentage_error": _mean_absolute_percentage_error,
    "mape": _mean_absolute_percentage_error,
    "mean_squared_logarithmic_error": _mean_squared_logarithmic_error,
    "msle": _mean_squared_logarithmic_error,
    "cosine_similarity": _cosine_similarity,
}

FUSABLE = {  # loss name -> the final activation whose logits it can take instead
    _categorical_crossentropy: "softmax",
    _sparse_categorical_crossentropy: "softmax",
    _binary_crossentropy: "sigmoid",
}


def resolve_loss(spec):
    """A per-sample loss function from a name, a chainrule loss module, or a callable.

    Callables follow Keras's argument order, ``loss(y_true, y_pred)``; nn loss modules
    (``nn.CrossEntropyLoss()``) follow PyTorch's, ``loss(input, target)``.
    """
    from chainrule.nn import Module

    if isinstance(spec, str):
        key = spec.lower()
        if key not in LOSSES:
            raise ValueError(f"compile: unknown loss {spec!r}; use one of {', '.join(sorted(LOSSES))}, "
                             "a loss module or a function loss(y_true, y_pred)")
        return LOSSES[key]
    if isinstance(spec, Module):
        return lambda output, target, from_logits: spec(output, target)
    if callable(spec):
        return lambda output, target, from_logits: spec(target, output)
    raise TypeError(f"compile: loss must be a name, a loss module or a callable, not {type(spec).__name__}")


def loss_name(spec):
    return spec if isinstance(spec, str) else getattr(spec, "__name__", type(spec).__name__)


def loss_metric(name):
    """The metric ``compile(metrics=[name])`` makes from a Keras loss name ('mae', 'mse',
    'kld', ...): the sample mean of that loss, named as given."""
    from chainrule import metrics
    from chainrule.tensor import Tensor

    loss = LOSSES[name.lower()]

    def per_sample(y_true, y_pred):
        y_pred = xp.asarray(y_pred)
        y_true = xp.asarray(y_true).astype(y_pred.dtype, copy=False)
        if y_true.ndim == y_pred.ndim - 1 and y_pred.shape[-1] == 1:
            y_true = y_true[..., None]
        return loss(Tensor(y_pred), Tensor(y_true), False).data

    return metrics.MeanMetricWrapper(per_sample, name=name)
