"""Symbolic tensors: the placeholders of Keras's functional API.

``Input(shape=(20,))`` is a KerasTensor with a shape ``(None, 20)`` and a dtype but no data.
Calling a layer on KerasTensors builds the layer, runs it once on a small batch of zeros to
learn its output shape, and returns new KerasTensors that remember the call (a Node: the
layer and its inbound tensors).  ``models.Model(inputs, outputs)`` walks those Nodes back
from the outputs and replays them on real data.  No real data is touched while the graph
is being written.
"""
import itertools

from chainrule.autograd import no_grad
from chainrule.backend import xp
from chainrule.tensor import Tensor

_NODE_ORDER = itertools.count()   # Nodes are numbered as made: a node's inputs come before it
_FIRST_SIZE, _SECOND_SIZE = 8, 9  # stand-ins for unknown axes (None); they tell those axes apart


class KerasTensor:
    """A symbolic tensor: a shape (batch axis None) and a dtype, and the layer call that made it.

    ``node`` is None for a model input (an ``Input``); ``index`` is this tensor's place among
    the node's outputs (an LSTM with ``return_state`` has several).
    """

    def __init__(self, shape, dtype, name=None, node=None, index=0):
        self.shape = tuple(shape)
        self.dtype = xp.dtype(dtype)
        self.name = name
        self.node = node
        self.index = index

    @property
    def ndim(self):
        return len(self.shape)

    def __repr__(self):
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype.name}, name={self.name!r}>"

    # x + y on symbolic tensors adds an Add layer to the graph, as in Keras
    def __add__(self, other):
        return _merge("Add", self, other)

    def __sub__(self, other):
        return _merge("Subtract", self, other)

    def __mul__(self, other):
        return _merge("Multiply", self, other)


def _merge(kind, a, b):
    from chainrule.layers import merging

    if not isinstance(b, KerasTensor):
        raise TypeError(f"KerasTensor: {kind} needs two symbolic tensors, got a "
                        f"{type(b).__name__}; wrap constants in a layer")
    return getattr(merging, kind)()([a, b])


class Node:
    """One call of a layer on symbolic tensors: ``inputs`` as given (a KerasTensor or a
    list of them), the keyword arguments, and the KerasTensors it made."""

    def __init__(self, layer, inputs, kwargs):
        self.layer = layer
        self.inputs = inputs
        self.kwargs = dict(kwargs)
        self.order = next(_NODE_ORDER)
        self.outputs = []
        self.several_outputs = False

    @property
    def inbound(self):
        """The inbound KerasTensors, as a flat list."""
        return flatten(self.inputs, "Node")


def is_symbolic(inputs):
    """True when ``inputs`` is a KerasTensor, or a list/tuple/dict holding one."""
    if isinstance(inputs, KerasTensor):
        return True
    if isinstance(inputs, dict):
        inputs = list(inputs.values())
    return isinstance(inputs, (list, tuple)) and any(isinstance(t, KerasTensor) for t in inputs)


def flatten(structure, where):
    """The KerasTensors of a KerasTensor, a list/tuple of them, or a dict of them."""
    if isinstance(structure, KerasTensor):
        return [structure]
    items = list(structure.values()) if isinstance(structure, dict) else list(structure)
    wrong = [type(t).__name__ for t in items if not isinstance(t, KerasTensor)]
    if wrong:
        raise TypeError(f"{where}: symbolic inputs must all be KerasTensors (from Input or a "
                        f"layer call), got a {wrong[0]} among them")
    return items


def _zeros_like(structure, unknown_size):
    """Zeros shaped like each KerasTensor, batch 2 and ``unknown_size`` for the other Nones."""
    def zeros(t):
        shape = (2,) + tuple(unknown_size if s is None else s for s in t.shape[1:])
        return Tensor(xp.zeros(shape, dtype=t.dtype))
    if isinstance(structure, KerasTensor):
        return zeros(structure)
    if isinstance(structure, dict):
        return {key: zeros(t) for key, t in structure.items()}
    return [zeros(t) for t in structure]


def _shapes(output, where):
    if isinstance(output, Tensor):
        return [output.shape], [output.dtype], False
    if isinstance(output, (list, tuple)) and all(isinstance(o, Tensor) for o in output):
        return [o.shape for o in output], [o.dtype for o in output], True
    raise TypeError(f"{where}: a layer called on symbolic inputs must return a tensor or a "
                    f"list of tensors, got {type(output).__name__}")


def _run_on_zeros(layer, inputs, kwargs, unknown_size):
    """The layer's outputs on a batch of zeros, in eval mode (no dropout, no statistics
    update) and without a graph; each module's mode is restored afterwards."""
    modes = [(module, module.training) for module in layer.modules()]
    layer.eval()
    try:
        with no_grad():
            return layer(_zeros_like(inputs, unknown_size), **kwargs)
    finally:
        for module, training in modes:
            object.__setattr__(module, "training", training)


def call_symbolic(layer, inputs, args, kwargs):
    """``layer(inputs)`` on KerasTensors: the layer is built, and the output KerasTensors
    (shapes with None for the batch axis and for axes that follow an unknown input size)
    record the call."""
    where = f"{type(layer).__name__} {layer.name!r}"
    if args or any(is_symbolic(value) for value in kwargs.values()):
        raise TypeError(f"{where}: on symbolic inputs, give the tensors as the first argument "
                        f"(a list for several) and only plain values as keyword arguments")
    tensors = flatten(inputs, where)
    shapes, dtypes, several = _shapes(_run_on_zeros(layer, inputs, kwargs, _FIRST_SIZE), where)
    if any(s is None for t in tensors for s in t.shape[1:]):
        second, _, _ = _shapes(_run_on_zeros(layer, inputs, kwargs, _SECOND_SIZE), where)
        shapes = [tuple(a if a == b else None for a, b in zip(s1, s2))
                  for s1, s2 in zip(shapes, second)]
    node = Node(layer, inputs, kwargs)
    node.several_outputs = several
    node.outputs = [KerasTensor((None,) + tuple(shape[1:]), dtype, name=layer.name, node=node,
                                index=i)
                    for i, (shape, dtype) in enumerate(zip(shapes, dtypes))]
    return list(node.outputs) if several else node.outputs[0]
