"""Keras's activation layers with arguments: ReLU, LeakyReLU, ELU and Softmax."""
import numbers

from chainrule import functions as F
from chainrule.layers.base import Layer


def _number(value, name, where, minimum=None):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or \
            (minimum is not None and value < minimum):
        bound = "" if minimum is None else f" >= {minimum}"
        raise ValueError(f"{where}: {name} must be a number{bound}, got {value!r}")
    return float(value)


class ReLU(Layer):
    """Keras's rectifier with options: max_value if x ≥ max_value, x if threshold ≤ x <
    max_value, else negative_slope·(x - threshold).  Defaults: the plain ReLU.

    >>> chainrule.layers.ReLU(max_value=6.0)(chainrule.tensor([-1.0, 3.0, 9.0])).tolist()
    [0.0, 3.0, 6.0]
    """

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        self.max_value = None if max_value is None else \
            _number(max_value, "max_value", "ReLU", 0.0)
        self.negative_slope = _number(negative_slope, "negative_slope", "ReLU", 0.0)
        self.threshold = _number(threshold, "threshold", "ReLU")
        self.built = True

    def forward(self, x):
        if self.negative_slope == 0 and self.threshold == 0:
            y = F.relu(x)
        else:
            y = F.where(x >= self.threshold, x, (x - self.threshold) * self.negative_slope)
        return y if self.max_value is None else F.clamp(y, max=self.max_value)

    def get_config(self):
        return dict(super().get_config(), max_value=self.max_value,
                    negative_slope=self.negative_slope, threshold=self.threshold)


class LeakyReLU(Layer):
    """x for x ≥ 0, negative_slope·x otherwise; Keras's default slope is 0.3 (``alpha`` is
    its older name).

    >>> chainrule.layers.LeakyReLU()(chainrule.tensor([-1.0, 2.0])).tolist()
    [-0.30000001192092896, 2.0]
    """

    def __init__(self, negative_slope=0.3, **kwargs):
        if "alpha" in kwargs:
            negative_slope = kwargs.pop("alpha")
        super().__init__(**kwargs)
        self.negative_slope = _number(negative_slope, "negative_slope", "LeakyReLU", 0.0)
        self.built = True

    def forward(self, x):
        return F.leaky_relu(x, self.negative_slope)

    def get_config(self):
        return dict(super().get_config(), negative_slope=self.negative_slope)


class ELU(Layer):
    """x for x > 0, alpha·(exp(x) - 1) otherwise.

    >>> chainrule.layers.ELU()(chainrule.tensor([0.0, 1.0])).tolist()
    [0.0, 1.0]
    """

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        self.alpha = _number(alpha, "alpha", "ELU")
        self.built = True

    def forward(self, x):
        return F.elu(x, self.alpha)

    def get_config(self):
        return dict(super().get_config(), alpha=self.alpha)


class Softmax(Layer):
    """exp(x) / Σ exp(x) along ``axis`` (the last by default).

    >>> chainrule.layers.Softmax()(chainrule.zeros(1, 4)).tolist()
    [[0.25, 0.25, 0.25, 0.25]]
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
            raise TypeError(f"Softmax: axis must be an int, got {axis!r}")
        self.axis = int(axis)
        self.built = True

    def forward(self, x):
        if not -x.ndim <= self.axis < x.ndim:
            raise ValueError(f"Softmax {self.name!r}: axis {self.axis} is out of range for an "
                             f"input of shape {x.shape}")
        return F.softmax(x, self.axis)

    def split_activation(self):
        """(identity, 'softmax') over the last axis, so ``fit`` fuses it with cross-entropy."""
        return (lambda x: x), ("softmax" if self.axis == -1 else None)

    def get_config(self):
        return dict(super().get_config(), axis=self.axis)
