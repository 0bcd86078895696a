"""The core Keras layers: Dense, Activation, Dropout, Flatten, and Input (a symbolic tensor)."""
import numbers

from chainrule import activations, functions as F, initializers, regularizers
from chainrule.layers.base import Layer, _shape_argument, known_shape, unique_name
from chainrule.layers.symbolic import KerasTensor
from chainrule.nn.dropout import dropout
from chainrule.tensor import DEFAULT_FLOAT, to_dtype


class Dense(Layer):
    """Fully connected layer, Keras's way: y = activation(x @ kernel + bias).

    ``kernel`` has shape (in, units) (Keras's layout, the transpose of nn.Linear's weight)
    and ``bias`` (units,); ``in`` is learned from the first input (or from ``input_shape``).
    Inputs of shape (*, in) give (*, units).  Defaults as Keras: Glorot-uniform kernel,
    zero bias, no activation.

    >>> layer = chainrule.layers.Dense(512, activation="relu")
    >>> layer(chainrule.randn(32, 784)).shape, layer.kernel.shape
    ((32, 512), (784, 512))
    """

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 input_shape=None, **kwargs):
        super().__init__(input_shape=input_shape, **kwargs)
        if isinstance(units, bool) or not isinstance(units, numbers.Integral) or units <= 0:
            raise ValueError(f"Dense: units must be a positive integer, got {units!r}")
        self.units = int(units)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self._set_weight_options(
            kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer)

    def build(self, input_shape):
        if len(input_shape) == 0:
            raise ValueError(f"Dense({self.units}) needs inputs with at least one axis, got a "
                             "0-d input")
        self.in_features = int(input_shape[-1])
        self.kernel = self.add_weight("kernel", (self.in_features, self.units),
                                      self.kernel_initializer, self.kernel_regularizer)
        if self.use_bias:
            self.bias = self.add_weight("bias", (self.units,), self.bias_initializer,
                                        self.bias_regularizer)
        else:
            self.register_parameter("bias", None)

    def _affine(self, x):
        """x @ kernel + bias, the pre-activation (logits for a softmax layer)."""
        if x.ndim == 0 or x.shape[-1] != self.in_features:
            width = "a 0-d input" if x.ndim == 0 else f"{x.shape[-1]}"
            raise ValueError(f"Dense({self.units}) expects inputs of width {self.in_features}, "
                             f"got {width} (input shape {x.shape}, layer {self.name!r})")
        if x.ndim > 2:  # (*, in): fold the leading axes into rows for one matrix product
            h = F.matmul(x.reshape(-1, self.in_features), self.kernel)
            h = h.reshape(*x.shape[:-1], self.units)
        else:
            h = F.matmul(x, self.kernel)
        bias = self._parameters["bias"]
        return h if bias is None else h + bias

    def forward(self, x):
        h = self._affine(x)
        return h if self.activation is activations.linear else self.activation(h)

    def split_activation(self):
        """(head, name): ``head(x)`` is this layer's pre-activation and ``name`` its activation's
        name (None for a custom one).  ``fit`` uses it to hand a cross-entropy loss the logits
        of a final softmax or sigmoid, computed fused and stable, as Keras does."""
        return (lambda x: self._affine(self._prepare(x))), activations.name_of(self.activation)

    def get_config(self):
        config = super().get_config()
        config.update(
            units=self.units, activation=activations.serialize(self.activation),
            use_bias=self.use_bias,
            kernel_initializer=initializers.serialize(self.kernel_initializer),
            bias_initializer=initializers.serialize(self.bias_initializer),
            kernel_regularizer=regularizers.serialize(self.kernel_regularizer),
            bias_regularizer=regularizers.serialize(self.bias_regularizer))
        return config

    def extra_repr(self):
        inputs = f"{self.in_features} -> " if self.built else ""
        activation = activations.serialize(self.activation)
        return f"{inputs}{self.units}, activation={activation!r}, " + super().extra_repr()


class Activation(Layer):
    """Apply an activation function, given by name ('relu', 'softmax', ...) or as a callable.

    >>> chainrule.layers.Activation("relu")(chainrule.tensor([[-1.0, 2.0]])).tolist()
    [[0.0, 2.0]]
    """

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)
        self.built = True

    def forward(self, x):
        return self.activation(x)

    def split_activation(self):
        """(identity, name): see ``Dense.split_activation``."""
        return (lambda x: x), activations.name_of(self.activation)

    def get_config(self):
        config = super().get_config()
        config["activation"] = activations.serialize(self.activation)
        return config


class Rescaling(Layer):
    """y = x · scale + offset: inputs brought to the range a model trains best in, inside the
    model, so that whoever calls ``predict`` feeds raw values (Keras's preprocessing layer).

    >>> chainrule.layers.Rescaling(1 / 255)(chainrule.tensor([0.0, 255.0])).tolist()
    [0.0, 1.0]
    """

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        for name, value in (("scale", scale), ("offset", offset)):
            if isinstance(value, bool) or not isinstance(value, numbers.Real):
                raise TypeError(f"Rescaling: {name} must be a number, got {value!r}")
        self.scale, self.offset = float(scale), float(offset)
        self.built = True

    def forward(self, x):
        return x * self.scale + self.offset if self.offset else x * self.scale

    def get_config(self):
        config = super().get_config()
        config.update(scale=self.scale, offset=self.offset)
        return config


class Dropout(Layer):
    """While training, zero each input element with probability ``rate`` and scale the rest by
    1 / (1 - rate); in evaluation (``predict``, ``evaluate``) pass inputs through unchanged."""

    def __init__(self, rate, noise_shape=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not 0 <= rate < 1:
            raise ValueError(f"Dropout: rate must be a number in [0, 1), got {rate!r}")
        if noise_shape is not None:
            raise NotImplementedError("Dropout: noise_shape is not supported; each element is "
                                      "dropped independently")
        self.rate = float(rate)
        self.built = True

    def forward(self, x):
        return dropout(x, self.rate, self.training)

    def get_config(self):
        config = super().get_config()
        config["rate"] = self.rate
        return config

    def extra_repr(self):
        return f"rate={self.rate}, " + super().extra_repr()


class Flatten(Layer):
    """Flatten every axis but the batch axis: (N, d1, d2, ...) -> (N, d1·d2·...); (N,) -> (N, 1)."""

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.built = True

    def forward(self, x):
        return F.reshape(x, (x.shape[0], -1)) if x.ndim != 2 else x


class Input(KerasTensor):
    """A model input: ``Input(shape=(784,))`` is a symbolic tensor of shape ``(None, 784)``.

    In the functional API, layers called on it build a graph that ``models.Model(inputs,
    outputs)`` runs; first in a Sequential (``Sequential([Input((784,)), Dense(10)])``) it
    gives the model its input shape, so that the model is built at once.  ``shape`` is one
    sample's shape (None for a size known only from the data, as a sequence length);
    ``dtype`` is that of the data (e.g. "int32" for token ids), float32 by default.
    """

    def __init__(self, shape=None, batch_size=None, dtype=None, name=None, batch_shape=None):
        if batch_shape is not None:
            shape, batch_size = tuple(batch_shape)[1:], tuple(batch_shape)[0]
        if shape is None:
            raise ValueError("Input: give shape=(...), the shape of one sample (without the "
                             "batch axis)")
        self.input_shape = _shape_argument(shape, "shape", "Input")
        self.batch_size = batch_size
        super().__init__((batch_size,) + self.input_shape,
                         DEFAULT_FLOAT if dtype is None else to_dtype(dtype, "Input"),
                         name if name is not None else unique_name("input_layer"))

    @property
    def _input_marker_shape(self):
        """What nn.Sequential reads: the sample shape, or None when a size is unknown."""
        return known_shape(self.input_shape)

    def get_weights(self):
        """An input has no weights (Keras's InputLayer in ``model.layers``)."""
        return []

    def count_params(self):
        return 0

    def __repr__(self):
        return f"Input(shape={self.input_shape}, name={self.name!r})"


class InputLayer(Input):
    """``InputLayer(input_shape=(784,))`` (Keras 2) or ``InputLayer(shape=(784,))``: as Input."""

    def __init__(self, input_shape=None, batch_size=None, dtype=None, name=None, shape=None,
                 batch_shape=None):
        super().__init__(shape if shape is not None else input_shape, batch_size, dtype, name,
                         batch_shape)
