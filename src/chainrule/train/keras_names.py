"""What ``compile`` accepts by name: optimizers with Keras's defaults, losses, and metrics.

Losses are functions ``loss(output, target, from_logits) -> per-sample losses`` so that
``fit`` can weight samples (``class_weight``) before averaging.  When the model ends in
softmax or sigmoid, ``fit`` hands the loss the logits instead of the probabilities, so
cross-entropy is computed fused and stable, as Keras does.
"""
from chainrule import functions as F
from chainrule.backend import xp
from chainrule.nn import functional as NF

# Keras's default hyperparameters for each optimizer name (its epsilon is 1e-7, not 1e-8)
_OPTIMIZERS = {
    "sgd": ("SGD", {"lr": 0.01}),
    "rmsprop": ("RMSprop", {"lr": 0.001, "alpha": 0.9, "eps": 1e-7}),
    "adam": ("Adam", {"lr": 0.001, "betas": (0.9, 0.999), "eps": 1e-7}),
    "adamw": ("AdamW", {"lr": 0.001, "betas": (0.9, 0.999), "eps": 1e-7, "weight_decay": 0.004}),
    "adagrad": ("Adagrad", {"lr": 0.001, "initial_accumulator_value": 0.1, "eps": 1e-7}),
}

# Keras clips probabilities to [eps, 1 - eps] before taking logs
_EPSILON = 1e-7


def make_optimizer(spec, parameters, learning_rate=None):
    """An optimizer from a name ('adam', ...), a Keras optimizer (``chainrule.optimizers``,
    built now for ``parameters``), or an already-built optimizer."""
    from chainrule import optim, optimizers

    if isinstance(spec, optimizers.KerasOptimizer):
        return spec.build(parameters)
    if not isinstance(spec, str):
        return spec
    key = spec.lower()
    if key not in _OPTIMIZERS:
        raise ValueError(f"compile: unknown optimizer {spec!r}; use one of "
                         f"{', '.join(sorted(_OPTIMIZERS))} or an optimizer object")
    class_name, defaults = _OPTIMIZERS[key]
    options = dict(defaults)
    if learning_rate is not None:
        options["lr"] = learning_rate
    return getattr(optim, class_name)(parameters, **options)


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
