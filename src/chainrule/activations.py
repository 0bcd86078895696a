"""Activation functions by Keras's names: ``Dense(64, activation='relu')`` looks them up here.

Each is a plain function of a tensor, written with chainrule's differentiable functions,
with Keras's default arguments (``leaky_relu``'s slope is 0.2, ``gelu`` is exact, softmax
runs over the last axis).  ``get(identifier)`` turns a name, None or a callable into a
function; ``serialize(fn)`` gives back the name a model file stores.

>>> chainrule.activations.get("relu")(chainrule.tensor([-1.0, 2.0])).tolist()
[0.0, 2.0]
"""
from chainrule import functions as F


def linear(x):
    """The identity: x (the activation of a layer given ``activation=None``)."""
    return F.as_tensor(x)


def relu(x):
    """max(x, 0)."""
    return F.relu(x)


def sigmoid(x):
    """1 / (1 + e^-x)."""
    return F.sigmoid(x)


def tanh(x):
    """tanh x."""
    return F.tanh(x)


def softmax(x, axis=-1):
    """e^x / Σ e^x along ``axis`` (the last by default): probabilities that sum to 1."""
    return F.softmax(x, axis)


def log_softmax(x, axis=-1):
    """x - log Σ e^x along ``axis``."""
    return F.log_softmax(x, axis)


def gelu(x, approximate=False):
    """x Φ(x) with Φ the standard normal CDF (``approximate=True``: the tanh formula)."""
    return F.gelu(x, approximate="tanh" if approximate else "none")


def elu(x, alpha=1.0):
    """x where x > 0, else alpha (e^x - 1)."""
    return F.elu(x, alpha)


def selu(x):
    """scale · elu(x, alpha) with SELU's fixed constants (self-normalizing networks)."""
    return F.selu(x)


def leaky_relu(x, negative_slope=0.2):
    """x where x > 0, else negative_slope · x (Keras's default slope: 0.2)."""
    return F.leaky_relu(x, negative_slope)


def softplus(x):
    """log(1 + e^x), a smooth ReLU."""
    return F.softplus(x)


def softsign(x):
    """x / (1 + |x|)."""
    return F.softsign(x)


def silu(x):
    """x · sigmoid(x) (also called swish)."""
    return F.silu(x)


def relu6(x):
    """min(max(x, 0), 6)."""
    return F.relu6(x)


def hard_sigmoid(x):
    """relu6(x + 3) / 6: 0 below -3, 1 above 3, linear between (Keras 3's definition)."""
    return F.hardsigmoid(x)


def hard_silu(x):
    """x · hard_sigmoid(x) (also called hard swish)."""
    return F.hardswish(x)


def mish(x):
    """x · tanh(softplus(x))."""
    return F.mish(x)


def log_sigmoid(x):
    """log(sigmoid(x)), finite for any x."""
    return F.logsigmoid(x)


def exponential(x):
    """e^x."""
    return F.exp(x)


swish = silu
hard_swish = hard_silu

_BY_NAME = {
    "linear": linear, "relu": relu, "sigmoid": sigmoid, "tanh": tanh, "softmax": softmax,
    "log_softmax": log_softmax, "gelu": gelu, "elu": elu, "selu": selu,
    "leaky_relu": leaky_relu, "softplus": softplus, "softsign": softsign, "silu": silu,
    "swish": silu, "exponential": exponential, "relu6": relu6, "hard_sigmoid": hard_sigmoid,
    "hard_silu": hard_silu, "hard_swish": hard_silu, "mish": mish, "log_sigmoid": log_sigmoid,
}


def get(identifier):
    """The activation function for a name ('relu', ...), None (the identity) or a callable."""
    if identifier is None:
        return linear
    if isinstance(identifier, str):
        function = _BY_NAME.get(identifier.lower())
        if function is None:
            raise ValueError(f"Unknown activation {identifier!r}; valid names: "
                             f"{', '.join(sorted(_BY_NAME))} (or None, or a function)")
        return function
    if callable(identifier):
        return identifier
    raise TypeError(f"activation must be a name, None or a callable, not "
                    f"{type(identifier).__name__}")


def name_of(function):
    """The name of one of the functions above, or None for any other callable."""
    for name, known in _BY_NAME.items():  # a name comes before its alias ("silu", "swish")
        if known is function:
            return name
    return None


def serialize(function):
    """The name a model file stores for ``function``: its name above, else its ``__name__``
    (a custom function, found again through ``custom_objects`` when the model is loaded)."""
    return name_of(function) or getattr(function, "__name__", type(function).__name__)


