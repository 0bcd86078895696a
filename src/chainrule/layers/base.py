"""Layer, the base of Keras-style layers: a name, an input shape, weights made on first use.

A Keras layer is written without its input size: ``Dense(512)`` learns its input width from
the first batch it sees.  So a Layer starts unbuilt, and its first call runs ``build(shape)``,
which creates the weights (``add_weight``) from that shape; from then on it is an ordinary
Module with parameters, state-dict keys and PyTorch semantics.  When the first layer of a
Sequential declares ``input_shape=`` (or an ``Input`` comes first), the Sequential builds
every layer at once, so ``summary()`` and ``compile()`` work before ``fit``.
"""
import collections
import inspect
import re

from chainrule import initializers, regularizers
from chainrule.layers import symbolic
from chainrule.nn.module import Module
from chainrule.nn.parameter import Parameter
from chainrule.tensor import DEFAULT_FLOAT, Tensor, as_array, to_dtype

_NAME_COUNTS = collections.Counter()


def unique_name(prefix):
    """``prefix``, then ``prefix_1``, ``prefix_2``...: Keras's automatic layer names."""
    count = _NAME_COUNTS[prefix]
    _NAME_COUNTS[prefix] += 1
    return prefix if count == 0 else f"{prefix}_{count}"


def snake_case(name):
    """'BatchNormalization' -> 'batch_normalization', 'Conv2D' -> 'conv2d', 'SimpleRNN' ->
    'simple_rnn': Keras's names (a digit does not start a new word)."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])", "_", name).lower()


def _shape_argument(value, what, where):
    """A shape given as an int or a sequence of positive ints (or None for unknown sizes)."""
    if value is None:
        return None
    if isinstance(value, int):
        value = (value,)
    try:
        shape = tuple(None if size is None else int(size) for size in value)
    except (TypeError, ValueError):
        raise TypeError(f"{where}: {what} must be a tuple of ints, got {value!r}") from None
    if any(size is not None and size <= 0 for size in shape):
        raise ValueError(f"{where}: {what} must hold positive sizes, got {value!r}")
    return shape


def known_shape(shape):
    """``shape`` if every size is known, else None (a model cannot be built from it up front)."""
    return shape if shape is not None and all(size is not None for size in shape) else None


def _takes_training(cls):
    """True when ``cls.forward`` has a ``training`` argument of its own (recurrent layers)."""
    return "training" in inspect.signature(cls.forward).parameters


class Layer(Module):
    """Base class of the Keras-style layers.

    Subclasses override ``build(input_shape)`` to make their weights with ``add_weight`` and
    ``forward(x)`` to compute; the first call builds.  Keyword arguments of every layer:
    ``name`` (default: the class name in snake_case, numbered), ``trainable``, ``dtype``
    (of the weights, float32 by default), and for the first layer of a model ``input_shape``
    (without the batch axis), ``input_dim`` or ``batch_input_shape``.
    """

    def __init__(self, *, name=None, trainable=True, dtype=None, input_shape=None,
                 input_dim=None, batch_input_shape=None):
        super().__init__()
        where = type(self).__name__
        self.name = name if name is not None else unique_name(snake_case(where))
        self.trainable = bool(trainable)
        self.dtype = DEFAULT_FLOAT if dtype is None else to_dtype(dtype, where)
        if self.dtype.kind != "f":
            raise TypeError(f"{where}: dtype must be a floating type, got {self.dtype}")
        if batch_input_shape is not None:
            input_shape = tuple(batch_input_shape)[1:]
        elif input_dim is not None:
            input_shape = (input_dim,)
        self.declared_input_shape = _shape_argument(input_shape, "input_shape", where)
        self.built = False
        self.build_input_shape = None   # the first input's shape, batch axis None
        self._regularized = []          # (regularizer, weight name) pairs

    def _set_weight_options(self, **options):
        """Store each ``*_initializer`` and ``*_regularizer`` argument as an attribute of the
        same name, resolved from a name, a config or an object."""
        for key, value in options.items():
            resolve = initializers.get if key.endswith("_initializer") else regularizers.get
            setattr(self, key, resolve(value))

    # ----------------------------------------------------------------- building
    def build(self, input_shape):
        """Create the weights for inputs of ``input_shape`` (batch axis first); override it."""

    def add_weight(self, name, shape, initializer="zeros", regularizer=None, trainable=True,
                   dtype=None):
        """Make a weight of ``shape`` from ``initializer`` and register it under ``name``.

        Trainable weights are Parameters; non-trainable ones (BatchNormalization's moving
        statistics) are buffers: saved in the state dict, never seen by the optimizer.
        """
        dtype = self.dtype if dtype is None else to_dtype(dtype, self.name)
        where = f"{type(self).__name__} {self.name!r}"
        values = initializers.initialize(initializers.get(initializer), tuple(shape), dtype, where)
        if trainable:
            weight = Parameter(values, requires_grad=self.trainable)
            self.register_parameter(name, weight)
        else:
            weight = Tensor(values)
            self.register_buffer(name, weight)
        regularizer = regularizers.get(regularizer)
        if regularizer is not None:
            self._regularized.append((regularizer, name))
        return weight

    def ensure_built(self, input_shape):
        """Build for ``input_shape`` (batch axis first) unless already built, and remember
        the first input shape (batch axis None)."""
        input_shape = tuple(input_shape)
        if not self.built:
            self.build(input_shape)
            self.built = True
        if self.build_input_shape is None:  # layers without weights remember it too (summary)
            self.build_input_shape = (None,) + input_shape[1:]

    def _prepare(self, x):
        """The input as a tensor of this layer's dtype when it is raw data or integers, and the
        layer built for its shape."""
        if not isinstance(x, Tensor):
            x = Tensor(as_array(x, copy=False, op=self.name).astype(self.dtype, copy=False))
        elif x.data.dtype.kind in "biu":  # labels-like integer inputs: Keras casts them
            x = Tensor(x.data.astype(self.dtype))
        if self.build_input_shape is None:
            self.ensure_built(x.shape)
        return x

    def __call__(self, x, *args, **kwargs):
        if symbolic.is_symbolic(x):   # functional API: record the call, touch no data
            return symbolic.call_symbolic(self, x, args, kwargs)
        training = kwargs.get("training")
        if "training" in kwargs and not _takes_training(type(self)):
            del kwargs["training"]
        if training is None or bool(training) == self.training:
            return super().__call__(self._prepare(x), *args, **kwargs)
        # Keras's layer(x, training=True/False): this call only, in that mode
        modes = [(module, module.training) for module in self.modules()]
        self.train(bool(training))
        try:
            return super().__call__(self._prepare(x), *args, **kwargs)
        finally:
            for module, mode in modes:
                object.__setattr__(module, "training", mode)

    # ----------------------------------------------------------------- training support
    def regularization_loss(self):
        """The sum of this layer's weight penalties (a scalar tensor), or None if it has none."""
        total = None
        for regularizer, name in self._regularized:
            weight = getattr(self, name)
            if weight is None:
                continue
            penalty = regularizer(weight)
            total = penalty if total is None else total + penalty
        return total

    # ----------------------------------------------------------------- description
    def get_config(self):
        """The constructor's arguments as plain values: ``type(layer).from_config(config)``
        makes an equal (unbuilt) layer."""
        config = {"name": self.name, "trainable": self.trainable, "dtype": self.dtype.name}
        if self.declared_input_shape is not None:
            config["input_shape"] = list(self.declared_input_shape)
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if config.get("input_shape") is not None:
            config["input_shape"] = tuple(config["input_shape"])
        return cls(**config)

    def extra_repr(self):
        return f"name={self.name!r}" + ("" if self.built else ", unbuilt")

