"""Keras's ``Model``: a graph of layer calls (the functional API), or a subclass with ``call``.

Functional: layers called on ``Input`` tensors record a graph; ``Model(inputs, outputs)``
keeps the calls that lead from the inputs to the outputs, in the order they were made, and
replays them on real data.  A layer called twice is one module (its weights are shared, its
gradients summed); branches may split and merge.

    inputs = layers.Input(shape=(16,))
    x = layers.Dense(32, activation="relu")(inputs)
    outputs = layers.Dense(1, activation="sigmoid")(layers.add([x, layers.Dense(32)(inputs)]))
    model = models.Model(inputs, outputs)

Subclassing: ``class MyModel(Model)`` assigns layers in ``__init__`` (they are tracked as
child modules) and computes in ``call(inputs, training=None)``; the layers are built on
the first call.
"""
import inspect

from chainrule.backend import xp
from chainrule.layers.base import Layer, snake_case, unique_name
from chainrule.layers.symbolic import KerasTensor, _run_on_zeros, flatten
from chainrule.tensor import Tensor, as_array


def _structure_kind(structure):
    return "dict" if isinstance(structure, dict) else \
        "list" if isinstance(structure, (list, tuple)) else "single"


class Model(Layer):
    """Keras's Model: ``Model(inputs, outputs, name=None)`` from symbolic tensors, or a base
    class whose subclasses define ``call(inputs, training=None)``.

    ``inputs``/``outputs``: a KerasTensor, a list of them, or (inputs) a dict keyed by name.
    With ``compile``, ``fit``, ``evaluate``, ``predict``, ``summary``, ``save`` and
    ``get_layer`` as Keras has them; several inputs are given as a list or a dict keyed by
    the Inputs' names.
    """

    def __init__(self, *args, **kwargs):
        if args or "inputs" in kwargs or "outputs" in kwargs:
            self._init_graph(*args, **kwargs)
        else:
            name = kwargs.pop("name", None)
            super().__init__(name=name if name is not None else
                             unique_name(snake_case(type(self).__name__)), **kwargs)
            self._nodes = None

    # ----------------------------------------------------------------- functional
    def _init_graph(self, inputs, outputs, name=None, trainable=True):
        super().__init__(name=name if name is not None else unique_name("functional"),
                         trainable=trainable)
        where = f"Model {self.name!r}"
        self._input_kind = _structure_kind(inputs)
        self._output_kind = _structure_kind(outputs)
        self.inputs = flatten(inputs, where)
        self._input_keys = list(inputs) if self._input_kind == "dict" else None
        self.outputs = flatten(outputs, where)
        if self._output_kind == "dict":
            raise NotImplementedError(f"{where}: outputs as a dict are not supported; give "
                                      "a list")
        not_inputs = [t for t in self.inputs if t.node is not None]
        if not_inputs:
            raise ValueError(f"{where}: inputs must be Input tensors, got the output of layer "
                             f"{not_inputs[0].name!r}")
        if len({id(t) for t in self.inputs}) != len(self.inputs):
            raise ValueError(f"{where}: the same Input is given twice in inputs")
        self._nodes = _nodes_between(self.inputs, self.outputs, where)
        for node in self._nodes:
            layer = node.layer
            known = self._modules.get(layer.name)
            if known is None:
                self.add_module(layer.name, layer)
            elif known is not layer:
                raise ValueError(f"{where}: two different layers are named {layer.name!r}; "
                                 f"layer names must be unique within a model")
        self.built = True
        self.build_input_shape = self.inputs[0].shape if len(self.inputs) == 1 else \
            [t.shape for t in self.inputs]

    @property
    def is_graph(self):
        """True for a functional model (built from inputs and outputs)."""
        return self._nodes is not None

    @property
    def _takes_several_inputs(self):
        """Read by ``fit``: a list of arrays is several inputs, not one array."""
        return not self.is_graph or len(self.inputs) > 1

    @property
    def layers(self):
        """The model's layers: its Inputs first (for a functional model), then each layer once,
        in the order they were first called."""
        modules = [m for m in self._modules.values() if m is not None]
        return (list(self.inputs) + modules) if self.is_graph else modules

    def get_layer(self, name=None, index=None):
        """The layer called ``name``, or at position ``index`` of ``layers``."""
        if index is not None:
            return self.layers[index]
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError(f"Model {self.name!r}: no layer named {name!r}; layers: "
                         f"{', '.join(repr(layer.name) for layer in self.layers)}")

    def _feed(self, inputs):
        """The model's inputs as a list of Tensors aligned with ``self.inputs``."""
        names = [t.name for t in self.inputs]
        where = f"Model {self.name!r}"
        if isinstance(inputs, dict):
            keys = self._input_keys or names
            missing = [k for k in keys if k not in inputs]
            if missing:
                raise ValueError(f"{where}: missing input(s) {missing}; the inputs are {keys}")
            inputs = [inputs[k] for k in keys]
        elif not isinstance(inputs, (list, tuple)) or len(self.inputs) == 1 and \
                not (len(inputs) == 1 and isinstance(inputs[0], (Tensor, xp.ndarray))):
            inputs = [inputs]
        if len(inputs) != len(self.inputs):
            raise ValueError(f"{where} expects {len(self.inputs)} input(s) ({', '.join(names)}), "
                             f"got {len(inputs)}")
        tensors = []
        for value, spec in zip(inputs, self.inputs):
            if not isinstance(value, Tensor):
                array = as_array(value, copy=False, op=where)
                if array.dtype.kind == "f" or spec.dtype.kind == "f":
                    array = array.astype(spec.dtype, copy=False)
                value = Tensor(array)
            if value.ndim != len(spec.shape) or any(
                    s is not None and s != v for s, v in zip(spec.shape[1:], value.shape[1:])):
                raise ValueError(f"{where}: input {spec.name!r} expects shape {spec.shape}, "
                                 f"got {value.shape}")
            tensors.append(value)
        return tensors

    def _run_graph(self, tensors):
        values = {id(spec): value for spec, value in zip(self.inputs, tensors)}
        for node in self._nodes:
            inbound = node.inputs
            args = values[id(inbound)] if isinstance(inbound, KerasTensor) else \
                {k: values[id(t)] for k, t in inbound.items()} if isinstance(inbound, dict) \
                else [values[id(t)] for t in inbound]
            result = node.layer(args, **node.kwargs)
            results = list(result) if node.several_outputs else [result]
            for symbol, value in zip(node.outputs, results):
                values[id(symbol)] = value
        outputs = [values[id(t)] for t in self.outputs]
        return outputs if self._output_kind == "list" else outputs[0]

    # ----------------------------------------------------------------- calling
    def _prepare(self, inputs):
        if self.is_graph:
            return self._feed(inputs)
        inputs = _to_tensors(inputs, self.dtype)
        if not self.built:   # subclassed: a build() of its own runs once, then layers build lazily
            self.built = True
            self.build_input_shape = _shape_of(inputs)
            if type(self).build is not Model.build:
                self.build(self.build_input_shape)
        return inputs

    def build(self, input_shape):
        """Build a subclassed model's layers by calling it on zeros of ``input_shape`` (Keras's
        ``model.build((None, 784))``); None sizes count as 1."""
        if self.built and self.build_input_shape is not None:
            return
        shape = tuple(1 if size is None else size for size in input_shape)
        _run_on_zeros(self, KerasTensor((None,) + shape[1:], self.dtype), {}, 1)

    def forward(self, inputs, training=None, mask=None):
        if self.is_graph:
            return self._run_graph(inputs)
        call = type(self).call
        if call is Model.call:
            raise NotImplementedError(f"{type(self).__name__}: a subclass of Model defines "
                                      "call(self, inputs, training=None)")
        training = self.training if training is None else bool(training)
        if "training" in inspect.signature(call).parameters:
            return self.call(inputs, training=training)
        return self.call(inputs)

    def call(self, inputs, training=None):
        """Subclasses compute the model's outputs here."""
        raise NotImplementedError

    # ----------------------------------------------------------------- description
    def summary(self, line_length=None, print_fn=None, input_shape=None, return_string=False):
        """Keras's table: layer (type), output shape, parameters and, for a functional model,
        the tensors each layer was called on."""
        if not self.is_graph:
            return super().summary(line_length, print_fn, input_shape, return_string)
        text = "\n".join(_graph_summary(self, line_length))
        if return_string:
            return text
        for line in text.split("\n"):
            (print_fn or print)(line)
        return None

    def get_config(self):
        from chainrule.models.config import model_to_config

        return model_to_config(self)["config"]

    def extra_repr(self):
        return f"name={self.name!r}"


def _to_tensors(value, dtype):
    """Arrays (also in lists, tuples and dicts) as Tensors; floats in ``dtype``."""
    if isinstance(value, Tensor):
        return value
    if isinstance(value, dict):
        return {k: _to_tensors(v, dtype) for k, v in value.items()}
    if isinstance(value, (list, tuple)) and value and \
            all(isinstance(v, (Tensor, xp.ndarray, dict)) for v in value):
        return [_to_tensors(v, dtype) for v in value]
    array = as_array(value, copy=False, op="Model")
    return Tensor(array.astype(dtype, copy=False) if array.dtype.kind == "f" else array)


def _shape_of(inputs):
    if isinstance(inputs, Tensor):
        return (None,) + inputs.shape[1:]
    if isinstance(inputs, dict):
        return {k: _shape_of(v) for k, v in inputs.items()}
    return [_shape_of(v) for v in inputs]


def _nodes_between(inputs, outputs, where):
    """The Nodes that lead from ``inputs`` to ``outputs``, in the order they were made; an
    output that needs an Input not among ``inputs`` is an error."""
    allowed = {id(t) for t in inputs}
    nodes, seen, stack = [], set(), list(outputs)
    while stack:
        tensor = stack.pop()
        if id(tensor) in allowed:
            continue
        node = tensor.node
        if node is None:
            raise ValueError(f"{where}: the outputs are not connected to the inputs: they need "
                             f"Input {tensor.name!r} {tensor.shape}, which is not among the "
                             f"model's inputs ({', '.join(repr(t.name) for t in inputs)})")
        if id(node) in seen:
            continue
        seen.add(id(node))
        nodes.append(node)
        stack.extend(node.inbound)
    return sorted(nodes, key=lambda node: node.order)


def tensor_refs(model):
    """id(KerasTensor) -> (layer or input name, node index, tensor index), node index counting
    the calls of that layer within ``model`` (Keras's ``dense[1][0]``)."""
    refs = {id(t): (t.name, 0, 0) for t in model.inputs}
    calls = {}
    for node in model._nodes:
        index = calls.get(id(node.layer), 0)
        calls[id(node.layer)] = index + 1
        for symbol in node.outputs:
            refs[id(symbol)] = (node.layer.name, index, symbol.index)
    return refs


def _graph_summary(model, line_length):
    from chainrule.models.summary import _shape_text, count_params, footer_lines

    refs = tensor_refs(model)
    rows = [(f"{t.name} (InputLayer)", _shape_text(t.shape), "0", "-") for t in model.inputs]
    listed = {}
    for node in model._nodes:
        connected = ", ".join(f"{name}[{i}][{j}]" for name, i, j in
                              (refs[id(t)] for t in node.inbound))
        if id(node.layer) in listed:   # a shared layer: one row, its calls' inputs appended
            row = rows[listed[id(node.layer)]]
            rows[listed[id(node.layer)]] = row[:3] + (row[3] + ", " + connected,)
            continue
        shapes = [o.shape for o in node.outputs]
        shape = _shape_text(shapes if node.several_outputs else shapes[0])
        listed[id(node.layer)] = len(rows)
        rows.append((f"{node.layer.name} ({type(node.layer).__name__})", shape,
                     f"{count_params(node.layer):,}", connected))
    widths = [max([w] + [len(row[i]) + 2 for row in rows])
              for i, w in enumerate((29, 26, 10, 20))]
    if line_length is not None and line_length > sum(widths):
        widths[-1] += line_length - sum(widths)
    total = sum(widths)

    def line(cells):
        return (" " + "".join(c.ljust(w) for c, w in zip(cells, widths))).rstrip()

    return ([f'Model: "{model.name}"', "_" * total,
             line(("Layer (type)", "Output Shape", "Param #", "Connected to")), "=" * total]
            + [line(row) for row in rows] + footer_lines(model, total))
