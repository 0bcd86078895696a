"""Containers: Sequential (a pipeline), ModuleList and ModuleDict (registered collections of
modules), ParameterList and ParameterDict (registered collections of parameters).

Modules or parameters kept in a plain Python list or dict are invisible to ``parameters()``,
``state_dict()`` and ``train()``; these containers register every element, under the names
PyTorch uses ("0", "1", ... or the dict's keys), so state-dict keys match.
"""
import collections
import collections.abc
import itertools
import numbers

from chainrule.autograd import no_grad
from chainrule.backend import xp
from chainrule.nn.module import Module
from chainrule.nn.parameter import Parameter
from chainrule.tensor import DEFAULT_FLOAT, Tensor


def _position(index, length, where, what="modules"):
    """A position in [0, length) from a possibly negative int index, or a clear IndexError."""
    if not isinstance(index, numbers.Integral) or isinstance(index, bool):
        raise TypeError(f"{where} indices must be integers or slices, not {type(index).__name__}")
    if not -length <= index < length:
        raise IndexError(f"{where}: index {index} is out of range for {length} {what}")
    return int(index) % length


class _Indexed(Module):
    """What Sequential and ModuleList share: modules numbered 0..n-1, indexed like a list."""

    def _values(self):
        return list(self._modules.values())

    def _key(self, index):
        return list(self._modules)[_position(index, len(self._modules), type(self).__name__)]

    def _renumber(self, modules):
        """Keep ``modules`` in order under the keys "0", "1", ... (as after a deletion in PyTorch)."""
        self._modules.clear()
        for i, module in enumerate(modules):
            self._modules[str(i)] = module

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._values())

    def __setitem__(self, index, module):
        if not isinstance(module, Module):
            raise TypeError(f"{type(self).__name__}: cannot assign a {type(module).__name__}; "
                            "elements must be Modules")
        self._modules[self._key(index)] = module   # in place: the position stays the same

    def __delitem__(self, index):
        if isinstance(index, slice):
            for key in list(self._modules)[index]:
                del self._modules[key]
        else:
            del self._modules[self._key(index)]
        self._renumber(self._values())

    def append(self, module):
        """Add ``module`` at the end; returns self."""
        self.add_module(str(len(self)), module)
        return self

    def extend(self, modules):
        """Add each of ``modules`` at the end, in order; returns self."""
        for module in modules:
            self.append(module)
        return self

    def insert(self, index, module):
        """Put ``module`` before position ``index`` (as ``list.insert``)."""
        if not isinstance(module, Module):
            raise TypeError(f"{type(self).__name__}.insert: expected a Module, got "
                            f"{type(module).__name__}")
        modules = self._values()
        length = len(modules)
        if not -length <= index <= length:
            raise IndexError(f"{type(self).__name__}.insert: index {index} is out of range for "
                             f"{length} modules")
        modules.insert(index, module)
        self._renumber(modules)
        return self

    def pop(self, index=-1):
        """Remove and return the module at ``index``."""
        module = self[index]
        del self[index]
        return module

    def __iadd__(self, modules):
        return self.extend(modules)

    def __add__(self, other):
        if not isinstance(other, type(self)):
            return NotImplemented
        return type(self)().extend(self).extend(other)


class Sequential(_Indexed):
    """Modules applied one after another: ``Sequential(a, b, c)(x)`` is ``c(b(a(x)))``.

    Built from modules (named "0", "1", ...) or from an OrderedDict of named modules;
    indexing takes ints (negative too) and slices (a slice is a new Sequential that keeps
    the names).  It is also Keras's ``Sequential``: built from a list of layers (an
    ``Input(shape=...)`` marker may come first), with ``name=``, ``add(layer)`` and
    ``layers``; when the input shape is known, layers that size themselves on first use
    are built at once.

    >>> model = chainrule.nn.Sequential(chainrule.nn.Linear(4, 8), chainrule.nn.ReLU(),
    ...                                 chainrule.nn.Linear(8, 1))
    >>> model(chainrule.randn(2, 4)).shape
    (2, 1)
    """

    def __init__(self, *args, layers=None, name=None):
        super().__init__()
        self.name = "sequential" if name is None else name
        self._input_shape = None   # from an Input marker, if one came first
        if len(args) == 1 and isinstance(args[0], (list, tuple)) and layers is None:
            args, layers = (), args[0]          # Keras: Sequential([layer, layer, ...])
        if layers is not None and args:
            raise TypeError("Sequential: give the layers either as a list or as arguments, "
                            "not both")
        if len(args) == 1 and isinstance(args[0], collections.abc.Mapping):
            for name, module in args[0].items():
                self._add(name, module)
        else:
            for module in list(args) + list(layers or []):
                self._add_layer(module)
        self._build_if_shape_known()

    def add(self, layer):
        """Keras's ``model.add(layer)``: append ``layer`` (or, first, an ``Input`` marker), and
        build the model at once if its input shape is known."""
        self._add_layer(layer)
        self._build_if_shape_known()

    @property
    def layers(self):
        """The layers, in order (Keras's ``model.layers``)."""
        return list(self._modules.values())

    @property
    def declared_input_shape(self):
        """The shape of one input sample (no batch axis) given by an ``Input`` first or by the
        first layer's ``input_shape=``; None when it is only learned from the data."""
        if self._input_shape is not None:
            return self._input_shape
        first = next(iter(self._modules.values()), None)
        return getattr(first, "declared_input_shape", None)

    def _add_layer(self, layer):
        if not isinstance(layer, Module) and hasattr(layer, "_input_marker_shape"):
            if len(self) or self._input_shape is not None:
                raise ValueError(f"Sequential: {layer!r} must come first, before any layer")
            self._input_shape = layer._input_marker_shape
            return
        self._add(str(len(self)), layer)

    def _build_if_shape_known(self):
        """Layers that size themselves on first use (Keras's Dense(512)) get their weights now,
        by one forward pass of zeros, shaped (1, *input_shape), in eval mode and without a
        graph, when the model's input shape is known."""
        shape = self.declared_input_shape
        if shape is None or all(getattr(m, "built", True) for m in self.modules()):
            return
        modes = [(module, module.training) for module in self.modules()]
        self.eval()
        try:
            with no_grad():
                self(Tensor(xp.zeros((1,) + tuple(shape), dtype=DEFAULT_FLOAT)))
        finally:
            for module, training in modes:
                object.__setattr__(module, "training", training)

    def _add(self, name, module):
        if not isinstance(module, Module):
            raise TypeError(f"Sequential: element {name!r} is a {type(module).__name__}, not a "
                            "Module (wrap functions in a Module, or give layers such as "
                            "chainrule.nn.ReLU())")
        self.add_module(str(name), module)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return type(self)(collections.OrderedDict(list(self._modules.items())[index]))
        return self._modules[self._key(index)]

    def forward(self, input):
        for module in self._modules.values():
            input = module(input)
        return input


class ModuleList(_Indexed):
    """A list of modules, each registered as a child; indexing as a Python list.

    Use it for layers that ``forward`` calls in a loop of its own design (a stack of
    blocks, one head per task).  It has no ``forward`` of its own.
    """

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def append(self, module):
        if not isinstance(module, Module):
            raise TypeError(f"ModuleList.append: expected a Module, got {type(module).__name__}")
        return super().append(module)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return type(self)(self._values()[index])
        return self._modules[self._key(index)]

    def __repr__(self):
        # runs of identical modules print once, as "(0-2): 3 x Linear(...)", like PyTorch
        if not self._modules:
            return f"{type(self).__name__}()"
        lines, start = [], 0
        for text, run in itertools.groupby(repr(module) for module in self._modules.values()):
            count = len(list(run))
            text = text.replace("\n", "\n  ")
            if count == 1:
                lines.append(f"  ({start}): {text}")
            else:
                lines.append(f"  ({start}-{start + count - 1}): {count} x {text}")
            start += count
        return f"{type(self).__name__}(\n" + "\n".join(lines) + "\n)"


class _Dict:
    """What ModuleDict and ParameterDict share: a dict's reading and removing methods over
    one of the module's registries (``_kind``: 'module' or 'parameter')."""

    _kind = "module"

    def _table(self):
        return self.__dict__[f"_{self._kind}s"]

    def __getitem__(self, key):
        table = self._table()
        try:
            return table[key]
        except KeyError:
            raise KeyError(f"{type(self).__name__} has no {self._kind} {key!r} (keys: "
                           f"{list(table)})") from None

    def __delitem__(self, key):
        self[key]                       # a KeyError that names the keys
        del self._table()[key]

    def __len__(self):
        return len(self._table())

    def __iter__(self):
        return iter(list(self._table()))

    def __contains__(self, key):
        return key in self._table()

    def keys(self):
        return self._table().keys()

    def items(self):
        return self._table().items()

    def values(self):
        return self._table().values()

    def pop(self, key):
        value = self[key]
        del self[key]
        return value

    def clear(self):
        self._table().clear()

    def _update(self, pairs):
        for pair in pairs:
            if not isinstance(pair, (tuple, list)) or len(pair) != 2:
                raise TypeError(f"{type(self).__name__}.update: expected (key, {self._kind}) pairs, "
                                f"got {pair!r}")
            self[pair[0]] = pair[1]


class ModuleDict(_Dict, Module):
    """A dict of modules by name, each registered as a child (its key is its name).

    >>> heads = chainrule.nn.ModuleDict({"digit": chainrule.nn.Linear(8, 10),
    ...                                  "parity": chainrule.nn.Linear(8, 2)})
    >>> sorted(heads.keys())
    ['digit', 'parity']
    """

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __setitem__(self, key, module):
        if not isinstance(key, str):
            raise TypeError(f"ModuleDict keys must be strings, got {type(key).__name__}")
        if not isinstance(module, Module):
            raise TypeError(f"ModuleDict: the value for {key!r} must be a Module, got "
                            f"{type(module).__name__}")
        self.add_module(key, module)

    def update(self, modules):
        """Add (or replace) modules from a mapping or from an iterable of (key, module) pairs."""
        self._update(modules.items() if isinstance(modules, collections.abc.Mapping) else modules)


def _as_parameter(value, where):
    """A Parameter as given, a Tensor wrapped as one (as PyTorch), anything else an error."""
    if isinstance(value, Parameter):
        return value
    if isinstance(value, Tensor):
        return Parameter(value.detach(), requires_grad=value.requires_grad)
    raise TypeError(f"{where}: expected a Parameter or a Tensor, got {type(value).__name__}")


class _Parameters(Module):
    """What ParameterList and ParameterDict share: PyTorch's repr, one line per parameter."""

    def __call__(self, *args, **kwargs):
        raise RuntimeError(f"{type(self).__name__} should not be called; index it instead")

    def __len__(self):
        return len(self._parameters)

    def __repr__(self):
        lines = [f"  ({key}): Parameter containing: [{p.dtype} of size {'x'.join(map(str, p.shape))}]"
                 for key, p in self._parameters.items()]
        if len(lines) <= 1:       # one line or none: inline, as PyTorch prints a one-line extra_repr
            return f"{type(self).__name__}({''.join(lines)})"
        return f"{type(self).__name__}(\n" + "\n".join("  " + line for line in lines) + "\n)"


class ParameterList(_Parameters):
    """A list of parameters, each registered under its position ("0", "1", ...) as in PyTorch;
    tensors are wrapped as Parameters.  Indexing (ints, negative ints, slices), ``len``,
    iteration, ``append``, ``extend`` and ``+=`` work as on a list.

    >>> weights = chainrule.nn.ParameterList([chainrule.nn.Parameter(chainrule.ones(3))])
    >>> list(weights.append(chainrule.zeros(2)).state_dict())
    ['0', '1']
    """

    def __init__(self, values=None):
        super().__init__()
        if values is not None:
            self.extend(values)

    def __getitem__(self, index):
        values = list(self._parameters.values())
        if isinstance(index, slice):
            return type(self)(values[index])
        return values[_position(index, len(values), "ParameterList", "parameters")]

    def __setitem__(self, index, value):
        position = _position(index, len(self), "ParameterList", "parameters")
        self._parameters[str(position)] = _as_parameter(value, "ParameterList")

    def __iter__(self):
        return iter(list(self._parameters.values()))

    def append(self, value):
        """Add ``value`` (a Parameter, or a Tensor made one) at the end; returns self."""
        self._parameters[str(len(self))] = _as_parameter(value, "ParameterList.append")
        return self

    def extend(self, values):
        """Append each of ``values`` in order; returns self."""
        if isinstance(values, Tensor) or not isinstance(values, collections.abc.Iterable):
            raise TypeError(f"ParameterList.extend: expected an iterable of parameters, got "
                            f"{type(values).__name__}")
        for value in values:
            self.append(value)
        return self

    def __iadd__(self, values):
        return self.extend(values)


class ParameterDict(_Dict, _Parameters):
    """A dict of parameters by name, each registered under its key as in PyTorch; tensors are
    wrapped as Parameters.  Built or updated from an OrderedDict, a ParameterDict or pairs
    (kept in order) or from a plain mapping (in sorted key order, as PyTorch does).

    >>> scales = chainrule.nn.ParameterDict({"b": chainrule.ones(2), "a": chainrule.ones(3)})
    >>> list(scales.state_dict())
    ['a', 'b']
    """

    _kind = "parameter"

    def __init__(self, parameters=None):
        super().__init__()
        if parameters is not None:
            self.update(parameters)

    def __setitem__(self, key, value):
        if not isinstance(key, str):
            raise TypeError(f"ParameterDict keys must be strings, got {type(key).__name__}")
        # straight into the registry: a key such as "training" must not replace an attribute
        self._parameters[key] = _as_parameter(value, f"ParameterDict[{key!r}]")

    def get(self, key, default=None):
        return self._parameters.get(key, default)

    def update(self, parameters):
        """Add (or replace) parameters from a mapping or from (key, parameter) pairs."""
        if isinstance(parameters, (collections.OrderedDict, ParameterDict)):
            self._update(parameters.items())
        elif isinstance(parameters, collections.abc.Mapping):
            self._update(sorted(parameters.items()))
        else:
            self._update(parameters)
