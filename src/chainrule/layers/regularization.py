"""Keras's noise layers: SpatialDropout1D/2D (drop whole channels) and GaussianNoise.
Both act only while training; in evaluation they pass inputs through unchanged."""
import numbers

from chainrule import random as _random
from chainrule.backend import xp
from chainrule.layers.base import Layer
from chainrule.layers.convolutional import _data_format_argument
from chainrule.tensor import Tensor


class _Noise(Layer):
    """The random generator: the layer's own when ``seed`` is given, else chainrule's."""

    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        self._generator = None if seed is None else xp.random.default_rng(seed)
        self.built = True

    def _draw(self):
        return self._generator or _random.generator()

    def get_config(self):
        return dict(super().get_config(), seed=self.seed)


class _SpatialDropout(_Noise):
    """While training, zero whole channels (one draw per sample and channel, shared by every
    step or pixel) with probability ``rate`` and scale the rest by 1 / (1 - rate)."""

    rank = 1

    def __init__(self, rate, data_format=None, seed=None, **kwargs):
        super().__init__(seed, **kwargs)
        where = type(self).__name__
        if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not 0 <= rate < 1:
            raise ValueError(f"{where}: rate must be a number in [0, 1), got {rate!r}")
        self.rate = float(rate)
        self.data_format = _data_format_argument(data_format, where)

    def forward(self, x):
        if x.ndim != self.rank + 2:
            raise ValueError(f"{type(self).__name__} {self.name!r} expects {self.rank + 2}-d "
                             f"inputs, got input of shape {x.shape}")
        if not self.training or self.rate == 0:
            return x
        channel = x.ndim - 1 if self.data_format == "channels_last" else 1
        shape = [1] * x.ndim
        shape[0], shape[channel] = x.shape[0], x.shape[channel]
        mask = (self._draw().random(tuple(shape)) >= self.rate).astype(x.data.dtype)
        mask *= 1.0 / (1.0 - self.rate)
        return x * Tensor(mask)

    def get_config(self):
        return dict(super().get_config(), rate=self.rate)


class SpatialDropout1D(_SpatialDropout):
    """Dropout of whole channels of (batch, steps, channels) sequences.

    >>> chainrule.layers.SpatialDropout1D(0.5)(chainrule.ones(2, 3, 4)).shape
    (2, 3, 4)
    """

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(rate, None, seed, **kwargs)


class SpatialDropout2D(_SpatialDropout):
    """Dropout of whole channels (feature maps) of images.

    >>> chainrule.layers.SpatialDropout2D(0.5)(chainrule.ones(2, 5, 5, 4)).shape
    (2, 5, 5, 4)
    """

    rank = 2

    def get_config(self):
        return dict(super().get_config(), data_format=self.data_format)


class GaussianNoise(_Noise):
    """While training, add zero-mean Gaussian noise of standard deviation ``stddev``.

    >>> chainrule.layers.GaussianNoise(0.1).eval()(chainrule.ones(2)).tolist()
    [1.0, 1.0]
    """

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(seed, **kwargs)
        if isinstance(stddev, bool) or not isinstance(stddev, numbers.Real) or stddev < 0:
            raise ValueError(f"GaussianNoise: stddev must be a non-negative number, got "
                             f"{stddev!r}")
        self.stddev = float(stddev)

    def forward(self, x):
        if not self.training or self.stddev == 0:
            return x
        noise = self._draw().standard_normal(x.shape) * self.stddev
        return x + Tensor(noise.astype(x.data.dtype))

    def get_config(self):
        return dict(super().get_config(), stddev=self.stddev)
