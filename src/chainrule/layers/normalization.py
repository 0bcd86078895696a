"""BatchNormalization and LayerNormalization with Keras's defaults, names and weight order.

Differences from ``nn.BatchNorm1d`` (PyTorch's): the features are on ``axis`` (the last by
default, channels-last), ``epsilon`` is 1e-3, and the moving statistics follow

    moving = moving · momentum + batch · (1 - momentum),     momentum = 0.99

with the batch's biased variance.  Training normalizes with the batch's statistics,
evaluation with the moving ones: y = (x - μ) / √(σ² + ε) · γ + β.  The arithmetic is the
fused batch-norm op that ``nn.BatchNorm1d`` uses.
"""
import numbers

from chainrule import functions as F, initializers, regularizers
from chainrule.layers.base import Layer
from chainrule.nn.normalization import layer_norm
from chainrule.ops import normalization as _norm
from chainrule.tensor import apply


def _add_gamma_and_beta(layer, shape):
    """The scale ``gamma`` (if ``layer.scale``) and offset ``beta`` (if ``layer.center``), in
    Keras's order; an absent one is registered as None."""
    if layer.scale:
        layer.add_weight("gamma", shape, layer.gamma_initializer, layer.gamma_regularizer)
    else:
        layer.register_parameter("gamma", None)
    if layer.center:
        layer.add_weight("beta", shape, layer.beta_initializer, layer.beta_regularizer)
    else:
        layer.register_parameter("beta", None)


class BatchNormalization(Layer):
    """Normalize each feature on ``axis`` over the batch (and every other axis).

    Weights: ``gamma`` (scale, if ``scale``), ``beta`` (offset, if ``center``), and the
    non-trainable ``moving_mean`` and ``moving_variance``, each of shape (features,).

    >>> bn = chainrule.layers.BatchNormalization()
    >>> bn(chainrule.randn(32, 64)).shape
    (32, 64)
    """

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones",
                 moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
            raise TypeError(f"BatchNormalization: axis must be an int, got {axis!r}")
        if not 0 <= momentum <= 1:
            raise ValueError(f"BatchNormalization: momentum must be in [0, 1], got {momentum!r}")
        if not epsilon > 0:
            raise ValueError(f"BatchNormalization: epsilon must be positive, got {epsilon!r}")
        self.axis, self.momentum, self.epsilon = int(axis), float(momentum), float(epsilon)
        self.center, self.scale = bool(center), bool(scale)
        self._set_weight_options(
            beta_initializer=beta_initializer, gamma_initializer=gamma_initializer,
            moving_mean_initializer=moving_mean_initializer,
            moving_variance_initializer=moving_variance_initializer,
            beta_regularizer=beta_regularizer, gamma_regularizer=gamma_regularizer)

    def build(self, input_shape):
        ndim = len(input_shape)
        if not -ndim <= self.axis < ndim or ndim < 2:
            raise ValueError(f"BatchNormalization: axis {self.axis} is out of range for inputs "
                             f"of shape {tuple(input_shape)}")
        self._ndim, self._channel_axis = ndim, self.axis % ndim
        self.features = int(input_shape[self._channel_axis])
        shape = (self.features,)
        _add_gamma_and_beta(self, shape)
        self.add_weight("moving_mean", shape, self.moving_mean_initializer, trainable=False)
        self.add_weight("moving_variance", shape, self.moving_variance_initializer,
                        trainable=False)

    def forward(self, x):
        axis = self._channel_axis
        if x.ndim != self._ndim or x.shape[axis] != self.features:
            raise ValueError(f"BatchNormalization {self.name!r} expects {self._ndim}-d inputs with "
                             f"{self.features} features on axis {self.axis}, got input of shape "
                             f"{x.shape}")
        gamma, beta = self._parameters["gamma"], self._parameters["beta"]
        params = [p for p in (gamma, beta) if p is not None]
        moving_mean = self._buffers["moving_mean"]
        moving_variance = self._buffers["moving_variance"]
        # the op normalizes axis 1 of (N, C, *): bring the features there
        if axis == x.ndim - 1 and x.ndim > 2:
            inner = x.reshape(-1, self.features)      # channels last: (N, ..., C) -> (M, C), a view
        elif axis != 1:
            order = [0, axis] + [i for i in range(1, x.ndim) if i != axis]
            inner = F.permute(x, *order)
        else:
            inner = x
        if self.training and self.trainable:
            op = _norm.BatchNorm(self.epsilon, gamma is not None, beta is not None)
            y = apply(op, inner, *params)
            for buffer, batch_value in ((moving_mean, op.batch_mean),
                                        (moving_variance, op.batch_var)):
                buffer.data *= self.momentum          # moving <- moving·m + batch·(1 - m)
                buffer.data += (1.0 - self.momentum) * batch_value.astype(buffer.data.dtype)
                buffer._mark_modified()
        else:
            op = _norm.BatchNorm(self.epsilon, gamma is not None, beta is not None,
                                 mean=moving_mean.data, var=moving_variance.data)
            y = apply(op, inner, *params)
        if inner is x:
            return y
        if axis == x.ndim - 1:
            return y.reshape(*x.shape)
        inverse = [0] * x.ndim
        for position, source in enumerate(order):
            inverse[source] = position
        return F.permute(y, *inverse)

    def get_config(self):
        config = super().get_config()
        config.update(
            axis=self.axis, momentum=self.momentum, epsilon=self.epsilon, center=self.center,
            scale=self.scale,
            beta_initializer=initializers.serialize(self.beta_initializer),
            gamma_initializer=initializers.serialize(self.gamma_initializer),
            moving_mean_initializer=initializers.serialize(self.moving_mean_initializer),
            moving_variance_initializer=initializers.serialize(self.moving_variance_initializer),
            beta_regularizer=regularizers.serialize(self.beta_regularizer),
            gamma_regularizer=regularizers.serialize(self.gamma_regularizer))
        return config

    def extra_repr(self):
        features = f"{self.features}, " if self.built else ""
        return (f"{features}axis={self.axis}, momentum={self.momentum}, "
                f"epsilon={self.epsilon}, " + super().extra_repr())


class LayerNormalization(Layer):
    """Normalize each sample over ``axis`` (the last by default, or a list of axes):
    y = (x - μ) / √(σ² + ε) · γ + β, μ and the biased σ² per sample, ε = 1e-3 (Keras's).

    Weights, in Keras's order: ``gamma`` (if ``scale``) and ``beta`` (if ``center``), shaped
    like the normalized axes.  The arithmetic is ``nn.LayerNorm``'s fused op, the
    normalized axes moved last first when they are not.

    >>> ln = chainrule.layers.LayerNormalization()
    >>> ln(chainrule.randn(4, 10, 64)).shape, ln.gamma.shape
    ((4, 10, 64), (64,))
    """

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True, rms_scaling=False,
                 beta_initializer="zeros", gamma_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, **kwargs):
        super().__init__(**kwargs)
        axes = (axis,) if isinstance(axis, numbers.Integral) else tuple(axis)
        if not axes or any(isinstance(a, bool) or not isinstance(a, numbers.Integral)
                           for a in axes):
            raise TypeError(f"LayerNormalization: axis must be an int or a list of ints, got "
                            f"{axis!r}")
        if not epsilon > 0:
            raise ValueError(f"LayerNormalization: epsilon must be positive, got {epsilon!r}")
        if rms_scaling:
            raise NotImplementedError("LayerNormalization: rms_scaling=True is not supported; "
                                      "use chainrule.nn.RMSNorm")
        self.axis = int(axis) if isinstance(axis, numbers.Integral) else [int(a) for a in axes]
        self._axes = tuple(int(a) for a in axes)
        self.epsilon, self.center, self.scale = float(epsilon), bool(center), bool(scale)
        self._set_weight_options(
            beta_initializer=beta_initializer, gamma_initializer=gamma_initializer,
            beta_regularizer=beta_regularizer, gamma_regularizer=gamma_regularizer)

    def _resolve_axes(self, ndim):
        axes = sorted(a % ndim for a in self._axes if -ndim <= a < ndim)
        if len(axes) != len(self._axes) or len(set(axes)) != len(axes) or 0 in axes:
            return None
        return axes

    def build(self, input_shape):
        ndim = len(input_shape)
        axes = self._resolve_axes(ndim)
        if axes is None:
            raise ValueError(f"LayerNormalization: axis {self.axis} is out of range, repeated or "
                             f"the batch axis for inputs of shape {tuple(input_shape)}")
        self._ndim, self._sorted_axes = ndim, axes
        shape = tuple(int(input_shape[a]) for a in axes)
        _add_gamma_and_beta(self, shape)
        self._shape = shape

    def forward(self, x):
        axes = self._sorted_axes
        if x.ndim != self._ndim or tuple(x.shape[a] for a in axes) != self._shape:
            raise ValueError(f"LayerNormalization {self.name!r} expects {self._ndim}-d inputs "
                             f"with sizes {self._shape} on axes {axes}, got input of shape "
                             f"{x.shape}")
        rest = [a for a in range(x.ndim) if a not in axes]
        order = rest + axes
        inner = x if order == list(range(x.ndim)) else F.permute(x, *order)
        y = layer_norm(inner, self._shape, self._parameters["gamma"], self._parameters["beta"],
                       self.epsilon)
        if inner is x:
            return y
        inverse = [order.index(a) for a in range(x.ndim)]
        return F.permute(y, *inverse)

    def get_config(self):
        config = super().get_config()
        config.update(
            axis=self.axis, epsilon=self.epsilon, center=self.center, scale=self.scale,
            rms_scaling=False,
            beta_initializer=initializers.serialize(self.beta_initializer),
            gamma_initializer=initializers.serialize(self.gamma_initializer),
            beta_regularizer=regularizers.serialize(self.beta_regularizer),
            gamma_regularizer=regularizers.serialize(self.gamma_regularizer))
        return config
