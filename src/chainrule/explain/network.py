"""The small networks that ``explain`` derives: from a JSON description, a Sequential, or the textbook.

A network here is plain data: per layer a weight matrix, a bias vector and an activation,
plus the input batch, the target, the loss and the learning rate.  Weights are kept in
the engine's layout, (out, in) as in ``nn.Linear``; in the notation of the derivation,
``weight[j, i]`` is wᵢⱼ, the weight from unit i of the previous layer to unit j.
"""
import json
import os

from chainrule.backend import xp

ACTIVATIONS = ("sigmoid", "tanh", "relu", "softmax", "identity")
LOSSES = ("mse", "cross_entropy")
MAX_PARAMETERS = 500  # a derivation prints every number: beyond this it is no longer readable

_ALIASES = {"linear": "identity", "none": "identity", None: "identity", "logistic": "sigmoid",
            "ce": "cross_entropy", "crossentropy": "cross_entropy",
            "categorical_crossentropy": "cross_entropy", "mean_squared_error": "mse"}


class Layer:
    """One fully connected layer: z = W a + b, then a = f(z).  W has shape (out, in)."""

    def __init__(self, weight, bias, activation):
        self.weight, self.bias, self.activation = weight, bias, activation

    @property
    def sizes(self):
        return self.weight.shape[1], self.weight.shape[0]


class Network:
    """A small fully connected network with one batch to learn from, in float64.

    ``x``: (N, in) inputs; ``target``: (N, out) targets (one-hot rows for cross-entropy);
    ``loss``: 'mse' (L = mean over samples of Σₖ (yₖ - ŷₖ)²) or 'cross_entropy'
    (L = mean over samples of -Σₖ yₖ log ŷₖ, the last layer a softmax); ``lr``: η.
    """

    def __init__(self, layers, x, target, loss="mse", lr=0.1):
        if not layers:
            raise ValueError("explain: the network needs at least one layer")
        loss = _ALIASES.get(loss, loss)
        if loss not in LOSSES:
            raise ValueError(f"explain: unknown loss {loss!r}; choose 'mse' or 'cross_entropy'")
        for number, layer in enumerate(layers, 1):
            if layer.activation not in ACTIVATIONS:
                raise ValueError(f"explain: layer {number} has unknown activation "
                                 f"{layer.activation!r}; choose one of {', '.join(ACTIVATIONS)}")
            if layer.bias.shape != (layer.weight.shape[0],):
                raise ValueError(f"explain: layer {number} has {layer.weight.shape[0]} units but "
                                 f"{layer.bias.size} biases")
            if number > 1 and layer.weight.shape[1] != layers[number - 2].weight.shape[0]:
                raise ValueError(f"explain: layer {number} takes {layer.weight.shape[1]} inputs but "
                                 f"layer {number - 1} has {layers[number - 2].weight.shape[0]} units")
            if layer.activation == "softmax" and number != len(layers):
                raise ValueError(f"explain: softmax is supported on the last layer only (layer {number})")
        if loss == "cross_entropy" and layers[-1].activation != "softmax":
            raise ValueError("explain: loss 'cross_entropy' needs a softmax on the last layer "
                             f"(it has {layers[-1].activation})")
        count = sum(layer.weight.size + layer.bias.size for layer in layers)
        if count > MAX_PARAMETERS:
            raise ValueError(f"explain: the network has {count} parameters; a step-by-step derivation "
                             f"is readable for small networks only (at most {MAX_PARAMETERS})")
        if not (isinstance(lr, (int, float)) and lr > 0):
            raise ValueError(f"explain: the learning rate must be a positive number, got {lr!r}")
        self.layers, self.loss, self.lr = list(layers), loss, float(lr)
        self.x = _input_batch(x, layers[0].weight.shape[1])
        self.target = _target_batch(target, len(self.x), layers[-1].weight.shape[0], loss)

    @property
    def sizes(self):
        return [self.layers[0].weight.shape[1]] + [layer.weight.shape[0] for layer in self.layers]

    def describe(self):
        """'2 -> 3 (sigmoid) -> 1 (sigmoid)'."""
        parts = [str(self.sizes[0])]
        for layer in self.layers:
            parts.append(f"{layer.weight.shape[0]} ({layer.activation})")
        return " -> ".join(parts)


def _matrix(value, what):
    try:
        array = xp.array(value, dtype=xp.float64)
    except (TypeError, ValueError):
        raise ValueError(f"explain: {what} must be numbers (a list, or a list of lists of equal "
                         f"length), got {value!r}") from None
    if not xp.isfinite(array).all():
        raise ValueError(f"explain: {what} contains a non-finite number")
    return array


def _input_batch(x, width):
    x = _matrix(x, "the input")
    if x.ndim == 0:
        x = x.reshape(1, 1)
    if x.ndim == 1:
        x = x.reshape(1, -1)
    if x.ndim != 2 or x.shape[1] != width:
        raise ValueError(f"explain: the input has shape {x.shape}; the first layer takes {width} "
                         f"values per sample (give one list, or a list of lists for a batch)")
    return x


def _target_batch(target, count, width, loss):
    y = _matrix(target, "the target")
    is_labels = y.ndim == 0 or (y.ndim == 1 and y.size == count and (count > 1 or y.size != width))
    if loss == "cross_entropy" and is_labels:
        labels = y.reshape(-1)  # class indices
        if (labels != labels.round()).any() or labels.min() < 0 or labels.max() >= width:
            raise ValueError(f"explain: class labels must be integers in [0, {width - 1}], got "
                             f"{labels.tolist()}")
        return xp.eye(width, dtype=xp.float64)[labels.astype(xp.int64)]
    if y.ndim == 0:
        y = y.reshape(1, 1)
    if y.ndim == 1:
        y = y.reshape(count, -1) if width == 1 and y.size == count else y.reshape(1, -1)
    if y.shape != (count, width):
        raise ValueError(f"explain: the target has shape {y.shape}; expected ({count}, {width}): "
                         f"one row of {width} values per input sample")
    return y


# ---------------------------------------------------------------------------- sources
def textbook_example():
    """The classic worked example: x = (0.1, 0.2), three sigmoid hidden units, one sigmoid output.

    Hidden weights w₁₁=0.1, w₁₂=0.2, w₁₃=0.3 (from x₁), w₂₁=0.4, w₂₂=0.5, w₂₃=0.6 (from x₂),
    biases 0.1, 0.2, 0.3; output weights 0.1, 0.2, 0.3 and bias 0.2; target 1;
    loss (y - ŷ)²; learning rate 0.1.
    """
    return from_dict(_textbook_spec())


def batch_example():
    """The textbook network on a batch of two samples (the loss is their mean)."""
    spec = _textbook_spec()
    spec.update(input=[[0.1, 0.2], [0.5, 0.9]], target=[[1.0], [0.0]])
    return from_dict(spec)


def softmax_example():
    """The textbook hidden layer with a two-class softmax output and cross-entropy loss."""
    spec = _textbook_spec()
    spec.update(activations=["sigmoid", "softmax"], weights=[spec["weights"][0],
                                                            [[0.1, 0.4], [0.2, 0.5], [0.3, 0.6]]],
                biases=[spec["biases"][0], [0.2, 0.1]], target=0, loss="cross_entropy")
    return from_dict(spec)


def _textbook_spec():
    return {"activations": ["sigmoid", "sigmoid"],
            "weights": [[[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]], [[0.1], [0.2], [0.3]]],
            "biases": [[0.1, 0.2, 0.3], [0.2]],
            "input": [0.1, 0.2], "target": [1.0], "loss": "mse", "learning_rate": 0.1}


EXAMPLES = {"textbook": textbook_example, "batch": batch_example, "softmax": softmax_example}


def from_dict(spec):
    """A Network from a JSON-style description::

        {"sizes": [2, 3, 1],                       # optional; checked against the weights
         "activations": ["sigmoid", "sigmoid"],    # one per layer
         "weights": [[[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]], [[0.1], [0.2], [0.3]]],
         "biases": [[0.1, 0.2, 0.3], [0.2]],
         "input": [0.1, 0.2],                      # or a list of samples
         "target": [1],                            # or one row per sample; class indices for cross_entropy
         "loss": "mse",                            # or "cross_entropy" (softmax output)
         "learning_rate": 0.1}

    ``weights[l][i][j]`` is wᵢⱼ, the weight from unit i of the previous layer to unit j, as
    written in the textbook (the transpose of ``nn.Linear.weight``).
    """
    if not isinstance(spec, dict):
        raise ValueError(f"explain: the description must be a JSON object, got {type(spec).__name__}")
    known = {"sizes", "activations", "weights", "biases", "input", "target", "loss", "learning_rate", "lr"}
    unknown = sorted(set(spec) - known)
    if unknown:
        raise ValueError(f"explain: unknown key(s) {', '.join(unknown)}; the description takes "
                         f"{', '.join(sorted(known))}")
    for key in ("weights", "input", "target"):
        if key not in spec:
            raise ValueError(f"explain: the description needs the key {key}")
    weights = spec["weights"]
    if not isinstance(weights, list) or not weights:
        raise ValueError("explain: 'weights' must be a list with one matrix per layer")
    count = len(weights)
    activations = spec.get("activations", ["sigmoid"] * count)
    biases = spec.get("biases", [[0.0] * len(_matrix(w, "weights")[0]) for w in weights])
    if len(activations) != count or len(biases) != count:
        raise ValueError(f"explain: {count} weight matrices but {len(activations)} activations and "
                         f"{len(biases)} bias vectors; give one of each per layer")
    layers = []
    for number, (w, b, activation) in enumerate(zip(weights, biases, activations), 1):
        w = _matrix(w, f"the weights of layer {number}")
        if w.ndim != 2:
            raise ValueError(f"explain: the weights of layer {number} must be a matrix (one row per "
                             f"input unit, one column per unit of the layer), got shape {w.shape}")
        b = _matrix(b, f"the biases of layer {number}").reshape(-1)
        activation = _ALIASES.get(activation, activation)
        layers.append(Layer(w.T.copy(), b, activation))
    sizes = spec.get("sizes")
    if sizes is not None:
        actual = [layers[0].weight.shape[1]] + [layer.weight.shape[0] for layer in layers]
        if list(sizes) != actual:
            raise ValueError(f"explain: 'sizes' says {list(sizes)} but the weights have sizes {actual}")
    lr = spec.get("learning_rate", spec.get("lr", 0.1))
    return Network(layers, spec["input"], spec["target"], spec.get("loss", "mse"), lr)


def from_json(source):
    """A Network from a JSON file path or a JSON string (see ``from_dict`` for the keys)."""
    text = source
    if not source.lstrip().startswith("{"):
        if not os.path.exists(source):
            raise OSError(f"no JSON file at {source}")
        with open(source) as file:
            text = file.read()
    try:
        spec = json.loads(text)
    except json.JSONDecodeError as error:
        where = "the JSON text" if text is source else source
        raise ValueError(f"{where} is not valid JSON: {error}") from None
    return from_dict(spec)


def from_model(model, x, target, loss="mse", lr=0.1):
    """A Network from an ``nn.Sequential`` of Linear layers, each optionally followed by one of
    Sigmoid, Tanh, ReLU or (last) Softmax; its weights are copied, in float64."""
    from chainrule import nn

    names = {nn.Sigmoid: "sigmoid", nn.Tanh: "tanh", nn.ReLU: "relu", nn.Softmax: "softmax",
             nn.Identity: "identity"}
    modules = list(model) if isinstance(model, nn.Sequential) else [model]
    layers, pending = [], None
    for position, module in enumerate(modules):
        if isinstance(module, nn.Linear):
            if pending is not None:
                layers.append(Layer(*pending, "identity"))
            bias = module.bias.data if module.bias is not None else xp.zeros(module.out_features)
            pending = (module.weight.data.astype(xp.float64), bias.astype(xp.float64))
        elif type(module) in names and pending is not None:
            layers.append(Layer(*pending, names[type(module)]))
            pending = None
        else:
            raise ValueError(f"explain: cannot derive layer {position} ({type(module).__name__}); "
                             "the model must be Linear layers, each optionally followed by Sigmoid, "
                             "Tanh, ReLU or Softmax")
    if pending is not None:
        layers.append(Layer(*pending, "identity"))
    return Network(layers, x, target, loss, lr)
