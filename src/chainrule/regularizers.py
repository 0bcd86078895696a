"""Weight penalties with Keras's names and defaults: ``Dense(64, kernel_regularizer=l2(0.01))``.

A regularizer is called on a weight tensor and returns a scalar tensor, differentiable, that
``fit`` adds to the loss (through each layer's ``regularization_loss()``):

    L1(l1):        l1 · Σ|w|          (pushes weights to exactly zero)
    L2(l2):        l2 · Σ w²          (keeps weights small; its gradient is 2 · l2 · w)
    L1L2(l1, l2):  both

Keras's defaults: ``l1()`` and ``l2()`` use 0.01, ``l1_l2()`` uses 0.01 for both, while the
classes ``L1L2()`` default to 0.
"""
import numbers

from chainrule import _keras_objects
from chainrule import functions as F


def _factor(value, name, who):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not value >= 0:
        raise ValueError(f"{who}: {name} must be a non-negative number, got {value!r}")
    return float(value)


class Regularizer(_keras_objects.Configurable):
    """Base class: ``regularizer(weight) -> scalar penalty tensor``."""

    def __call__(self, weight):
        raise NotImplementedError(f"{type(self).__name__} must define __call__(weight)")


class L1(Regularizer):
    """l1 · Σ|w|."""

    def __init__(self, l1=0.01):
        self.l1 = _factor(l1, "l1", "L1")

    def __call__(self, weight):
        return F.abs(weight).sum() * self.l1

    def get_config(self):
        return {"l1": self.l1}


class L2(Regularizer):
    """l2 · Σ w²."""

    def __init__(self, l2=0.01):
        self.l2 = _factor(l2, "l2", "L2")

    def __call__(self, weight):
        weight = F.as_tensor(weight)
        return (weight * weight).sum() * self.l2

    def get_config(self):
        return {"l2": self.l2}


class L1L2(Regularizer):
    """l1 · Σ|w| + l2 · Σ w²."""

    def __init__(self, l1=0.0, l2=0.0):
        self.l1, self.l2 = _factor(l1, "l1", "L1L2"), _factor(l2, "l2", "L1L2")

    def __call__(self, weight):
        weight = F.as_tensor(weight)
        penalty = None
        if self.l1:
            penalty = F.abs(weight).sum() * self.l1
        if self.l2:
            square = (weight * weight).sum() * self.l2
            penalty = square if penalty is None else penalty + square
        return penalty if penalty is not None else (weight * 0).sum()

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


def l1(l1=0.01):
    """An L1 penalty, l1 · Σ|w|."""
    return L1(l1)


def l2(l2=0.01):
    """An L2 penalty, l2 · Σ w²."""
    return L2(l2)


def l1_l2(l1=0.01, l2=0.01):
    """An L1 plus L2 penalty (0.01 each by default, as Keras)."""
    return L1L2(l1, l2)


_CLASSES = {"L1": L1, "L2": L2, "L1L2": L1L2}
_BY_NAME = {"l1": L1, "l2": L2, "l1_l2": lambda: L1L2(0.01, 0.01)}


def get(identifier):
    """A regularizer from None, a name ('l1', 'l2', 'l1_l2'), a config dict or a callable."""
    if identifier is None:
        return None
    if isinstance(identifier, str):
        make = _BY_NAME.get(identifier.lower())
        if make is None:
            raise ValueError(f"Unknown regularizer {identifier!r}; valid names: "
                             f"{', '.join(sorted(_BY_NAME))} (or a Regularizer, or a function)")
        return make()
    if isinstance(identifier, dict) and "class_name" in identifier:
        return _keras_objects.from_class_config(identifier, _CLASSES, "regularizer")
    if callable(identifier):
        return identifier
    raise TypeError(f"regularizer must be None, a name or a callable, not "
                    f"{type(identifier).__name__}")


def serialize(regularizer):
    """A config dict that ``get`` turns back into ``regularizer`` (a function: its name)."""
    if regularizer is None:
        return None
    return _keras_objects.serialize(regularizer, Regularizer, _CLASSES)
