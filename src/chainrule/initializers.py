"""Weight initializers with Keras's names, defaults and fan rules (``keras.initializers``).

An initializer is called with a shape (and a dtype) and returns a new array::

    chainrule.initializers.get("glorot_uniform")((784, 512)).std()   # ≈ √(2 / (784 + 512))

Keras lays a Dense kernel out as (in, out) and a convolution kernel as (*kernel, in, out),
so here fan_in = shape[-2] · receptive field and fan_out = shape[-1] · receptive field (a
vector has fan_in = fan_out = its length).  This differs from ``chainrule.nn.init``, which
follows PyTorch's (out, in, *kernel) layout.

Random values come from ``chainrule.random.generator()``, so ``manual_seed`` repeats them;
an initializer given ``seed=`` draws from a generator of its own made from that seed on
every call, so it returns the same values each time (as a seeded Keras initializer does).
"""
import math

from chainrule import _keras_objects
from chainrule import random as _random
from chainrule.backend import xp
from chainrule.nn import init as _init
from chainrule.tensor import Tensor, to_dtype

# The standard deviation of a standard normal truncated to [-2, 2]: dividing by it makes
# a truncated draw's spread the one asked for.
_TRUNCATED_STD = 0.87962566103423978


def compute_fans(shape):
    """(fan_in, fan_out) of a weight in Keras's layout (see the module docstring)."""
    shape = tuple(shape)
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive_field = math.prod(shape[:-2])
    return shape[-2] * receptive_field, shape[-1] * receptive_field


class Initializer(_keras_objects.Configurable):
    """Base class: ``initializer(shape, dtype='float32')`` returns a new array of that shape."""

    def __call__(self, shape, dtype=None):
        shape = tuple(int(size) for size in shape)
        dtype = xp.float32 if dtype is None else to_dtype(dtype, type(self).__name__)
        array = xp.empty(shape, dtype=dtype)
        self.fill(array)
        return array

    def fill(self, array):
        raise NotImplementedError(f"{type(self).__name__} must define fill(array)")

    def _generator(self):
        seed = getattr(self, "seed", None)
        return _random.generator() if seed is None else xp.random.default_rng(seed)


class Zeros(Initializer):
    """All zeros."""

    def fill(self, array):
        array[...] = 0


class Ones(Initializer):
    """All ones."""

    def fill(self, array):
        array[...] = 1


class Constant(Initializer):
    """Every element equal to ``value``."""

    def __init__(self, value=0.0):
        self.value = value

    def fill(self, array):
        array[...] = self.value

    def get_config(self):
        return {"value": self.value}


class RandomNormal(Initializer):
    """N(mean, stddev²); Keras's defaults mean 0, stddev 0.05."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean, self.stddev, self.seed = mean, stddev, seed

    def fill(self, array):
        _init.normal_(array, self.mean, self.stddev, self._generator())

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class RandomUniform(Initializer):
    """U(minval, maxval); Keras's defaults ±0.05."""

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        self.minval, self.maxval, self.seed = minval, maxval, seed

    def fill(self, array):
        _init.uniform_(array, self.minval, self.maxval, self._generator())

    def get_config(self):
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}


class TruncatedNormal(Initializer):
    """N(mean, stddev²) with values beyond two standard deviations redrawn; stddev 0.05."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean, self.stddev, self.seed = mean, stddev, seed

    def fill(self, array):
        _init.trunc_normal_(array, self.mean, self.stddev, self.mean - 2 * self.stddev,
                            self.mean + 2 * self.stddev, self._generator())

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class VarianceScaling(Initializer):
    """Values whose variance is ``scale / n``, n the fan picked by ``mode``
    (fan_in, fan_out, or fan_avg = (fan_in + fan_out) / 2).

    ``distribution``: 'truncated_normal' (std √(scale/n) after truncation at 2 std),
    'untruncated_normal' (N(0, scale/n)) or 'uniform' (U(±√(3 scale / n))).
    """

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None):
        if not scale > 0:
            raise ValueError(f"VarianceScaling: scale must be positive, got {scale!r}")
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ValueError(f"VarianceScaling: mode must be 'fan_in', 'fan_out' or 'fan_avg', "
                             f"got {mode!r}")
        distribution = distribution.lower()
        if distribution == "normal":
            distribution = "truncated_normal"
        if distribution not in ("truncated_normal", "untruncated_normal", "uniform"):
            raise ValueError(f"VarianceScaling: distribution must be 'truncated_normal', "
                             f"'untruncated_normal' or 'uniform', got {distribution!r}")
        self.scale, self.mode, self.distribution, self.seed = scale, mode, distribution, seed

    def fill(self, array):
        fan_in, fan_out = compute_fans(array.shape)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[self.mode]
        variance = self.scale / max(1.0, n)
        rng = self._generator()
        if self.distribution == "uniform":
            limit = math.sqrt(3.0 * variance)
            _init.uniform_(array, -limit, limit, rng)
        elif self.distribution == "untruncated_normal":
            _init.normal_(array, 0.0, math.sqrt(variance), rng)
        else:
            std = math.sqrt(variance) / _TRUNCATED_STD
            _init.trunc_normal_(array, 0.0, std, -2 * std, 2 * std, rng)

    def get_config(self):
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution,
                "seed": self.seed}


class Orthogonal(Initializer):
    """A random orthogonal matrix times ``gain`` (Keras's default for recurrent kernels).

    Q of the QR decomposition of a standard normal matrix, its columns' signs fixed by R's
    diagonal so that Q is uniformly distributed; a wide shape gets orthogonal rows, a tall
    one orthogonal columns.  Shapes with more axes are filled as the matrix
    (shape[0]·…·shape[-2], shape[-1]).  Keeping every singular value at ``gain`` lets a
    signal pass through many recurrent steps without exploding or vanishing.
    """

    def __init__(self, gain=1.0, seed=None):
        self.gain, self.seed = gain, seed

    def fill(self, array):
        if array.ndim < 2:
            raise ValueError(f"Orthogonal: needs a shape with at least 2 axes, got {array.shape}")
        rows, cols = math.prod(array.shape[:-1]), array.shape[-1]
        normal = self._generator().standard_normal((max(rows, cols), min(rows, cols)))
        q, r = xp.linalg.qr(normal)
        q *= xp.sign(xp.diag(r))
        if rows < cols:
            q = q.T
        array[...] = (self.gain * q).reshape(array.shape)

    def get_config(self):
        return {"gain": self.gain, "seed": self.seed}


def _preset(name, scale, mode, distribution, doc):
    class Preset(VarianceScaling):
        __doc__ = doc

        def __init__(self, seed=None):
            super().__init__(scale, mode, distribution, seed)

        def get_config(self):
            return {"seed": self.seed}

    Preset.__name__ = Preset.__qualname__ = name
    return Preset


GlorotUniform = _preset("GlorotUniform", 1.0, "fan_avg", "uniform",
                        "Glorot (Xavier) uniform: U(±√(6 / (fan_in + fan_out))).")
GlorotNormal = _preset("GlorotNormal", 1.0, "fan_avg", "truncated_normal",
                       "Glorot (Xavier) normal: truncated normal, std √(2 / (fan_in + fan_out)).")
HeUniform = _preset("HeUniform", 2.0, "fan_in", "uniform", "He uniform: U(±√(6 / fan_in)).")
HeNormal = _preset("HeNormal", 2.0, "fan_in", "truncated_normal",
                   "He normal: truncated normal, std √(2 / fan_in).")
LecunUniform = _preset("LecunUniform", 1.0, "fan_in", "uniform",
                       "LeCun uniform: U(±√(3 / fan_in)).")
LecunNormal = _preset("LecunNormal", 1.0, "fan_in", "truncated_normal",
                      "LeCun normal: truncated normal, std √(1 / fan_in).")

_BY_NAME = {
    "zeros": Zeros, "ones": Ones, "constant": Constant,
    "random_normal": RandomNormal, "random_uniform": RandomUniform,
    "truncated_normal": TruncatedNormal, "variance_scaling": VarianceScaling,
    "glorot_uniform": GlorotUniform, "glorot_normal": GlorotNormal,
    "he_uniform": HeUniform, "he_normal": HeNormal,
    "lecun_uniform": LecunUniform, "lecun_normal": LecunNormal,
    "orthogonal": Orthogonal,
    "uniform": RandomUniform, "normal": RandomNormal,   # Keras's short aliases
}
_CLASSES = {cls.__name__: cls for cls in _BY_NAME.values()}

# Keras's lower-case function spellings: ``initializers.he_normal()`` makes a HeNormal
zeros, ones, constant = Zeros, Ones, Constant
random_normal, random_uniform, truncated_normal = RandomNormal, RandomUniform, TruncatedNormal
variance_scaling = VarianceScaling
glorot_uniform, glorot_normal = GlorotUniform, GlorotNormal
he_uniform, he_normal, lecun_uniform, lecun_normal = HeUniform, HeNormal, LecunUniform, LecunNormal
orthogonal = Orthogonal


def get(identifier):
    """An initializer from a name ('glorot_uniform', ...), a config dict, an Initializer,
    or any callable ``fn(shape, dtype)`` returning an array or tensor."""
    if isinstance(identifier, str):
        cls = _BY_NAME.get(identifier.lower()) or _CLASSES.get(identifier)
        if cls is None:
            raise ValueError(f"Unknown initializer {identifier!r}; valid names: "
                             f"{', '.join(sorted(_BY_NAME))} (or an initializer object, or a "
                             f"function of (shape, dtype))")
        return cls()
    if isinstance(identifier, dict) and "class_name" in identifier:
        return _keras_objects.from_class_config(identifier, _CLASSES, "initializer")
    if isinstance(identifier, type) and issubclass(identifier, Initializer):
        return identifier()
    if callable(identifier):
        return identifier
    raise TypeError(f"initializer must be a name, an Initializer or a callable, not "
                    f"{type(identifier).__name__}")


def serialize(initializer):
    """A config dict (``{'class_name': ..., 'config': ...}``) that ``get`` turns back into
    the initializer; a custom function is stored by its ``__name__``."""
    return _keras_objects.serialize(initializer, Initializer, _CLASSES)


def initialize(initializer, shape, dtype, where):
    """``initializer(shape, dtype)`` as an array of exactly that shape and dtype."""
    values = initializer(shape, dtype)
    array = values.data if isinstance(values, Tensor) else xp.asarray(values)
    if array.shape != tuple(shape):
        raise ValueError(f"{where}: the initializer {initializer!r} returned shape {array.shape} "
                         f"for a weight of shape {tuple(shape)}")
    return array.astype(dtype, copy=False)
