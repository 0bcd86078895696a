"""Keras's layer wrappers: Bidirectional (a recurrent layer run both ways) and
TimeDistributed (one layer applied to every time step).

A wrapper holds its layers as submodules, so their weights are its weights (state-dict keys
``forward_layer.kernel``, ``layer.kernel``...), in Keras's order: the forward layer's, then
the backward layer's.  Its config holds the wrapped layer's, as {'class_name', 'config'}.
"""
from chainrule import functions as F
from chainrule.layers.base import Layer
from chainrule.layers.recurrent import _Recurrent

MERGE_MODES = ("concat", "sum", "mul", "ave", None)


def _describe(layer):
    return {"class_name": type(layer).__name__, "config": layer.get_config()}


def _rebuild(entry, where):
    """A layer from ``_describe``'s data: a class of ``chainrule.layers``."""
    from chainrule import layers

    if isinstance(entry, Layer):
        return entry
    cls = getattr(layers, str(entry.get("class_name")), None) if isinstance(entry, dict) else None
    if not (isinstance(cls, type) and issubclass(cls, Layer)):
        raise ValueError(f"{where}: cannot rebuild the wrapped layer from {entry!r} (a "
                         f"chainrule.layers class name and its config are needed)")
    return cls.from_config(entry.get("config", {}))


class _Wrapper(Layer):
    """The wrapped layer's dtype and declared input shape count as the wrapper's (Keras
    allows ``Bidirectional(LSTM(8, input_shape=(10, 4)))`` first in a model)."""

    def __init__(self, layer, **kwargs):
        where = type(self).__name__
        if not isinstance(layer, Layer):
            raise TypeError(f"{where}: layer must be a chainrule.layers Layer, got "
                            f"{type(layer).__name__}")
        if kwargs.get("dtype") is None:   # inputs are cast to the wrapped layer's dtype
            kwargs["dtype"] = layer.dtype
        super().__init__(**kwargs)
        if self.declared_input_shape is None:
            self.declared_input_shape = layer.declared_input_shape

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["layer"] = _rebuild(config["layer"], cls.__name__)
        return super().from_config(config)


class Bidirectional(_Wrapper):
    """Run a SimpleRNN, LSTM or GRU forwards and a copy of it backwards over the sequence and
    merge their outputs: ``merge_mode`` 'concat' (default; 2·units features), 'sum', 'mul',
    'ave', or None (the two outputs as a list).  With ``return_sequences`` the backward
    outputs are put back in time order first; with ``return_state`` the states follow,
    forward ones first.  ``backward_layer`` replaces the copy (it must run backwards).

    >>> bi = chainrule.layers.Bidirectional(chainrule.layers.LSTM(8))
    >>> bi(chainrule.randn(4, 10, 3)).shape
    (4, 16)
    """

    def __init__(self, layer, merge_mode="concat", weights=None, backward_layer=None, **kwargs):
        super().__init__(layer, **kwargs)
        if not isinstance(layer, _Recurrent):
            raise TypeError(f"Bidirectional: layer must be a SimpleRNN, LSTM or GRU, got "
                            f"{type(layer).__name__}")
        if merge_mode not in MERGE_MODES:
            raise ValueError(f"Bidirectional: merge_mode must be one of {MERGE_MODES}, got "
                             f"{merge_mode!r}")
        self.merge_mode = merge_mode
        config = layer.get_config()
        config.pop("input_shape", None)
        self.forward_layer = type(layer).from_config(
            dict(config, name="forward_" + layer.name))
        self._custom_backward = backward_layer is not None
        if backward_layer is None:
            backward_layer = type(layer).from_config(
                dict(config, name="backward_" + layer.name, go_backwards=not layer.go_backwards))
        elif not isinstance(backward_layer, _Recurrent) or \
                backward_layer.go_backwards == layer.go_backwards or \
                (backward_layer.return_sequences, backward_layer.return_state) != \
                (layer.return_sequences, layer.return_state):
            raise ValueError("Bidirectional: backward_layer must be a recurrent layer with "
                             "go_backwards opposite to layer's and the same return_sequences "
                             "and return_state")
        self.backward_layer = backward_layer
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self._initial_weights = weights

    def build(self, input_shape):
        self.forward_layer.ensure_built(input_shape)
        self.backward_layer.ensure_built(input_shape)
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)
            self._initial_weights = None

    def forward(self, inputs, initial_state=None, training=None):
        forward_state = backward_state = None
        if initial_state is not None:
            half = len(initial_state) // 2
            forward_state, backward_state = initial_state[:half], initial_state[half:]
        y = self.forward_layer(inputs, initial_state=forward_state, training=training)
        y_back = self.backward_layer(inputs, initial_state=backward_state, training=training)
        states = []
        if self.return_state:
            y, *states = y
            y_back, *back_states = y_back
            states += back_states
        if self.return_sequences:
            y_back = F.flip(y_back, 1)
        if self.merge_mode == "concat":
            merged = F.cat([y, y_back], dim=-1)
        elif self.merge_mode == "sum":
            merged = y + y_back
        elif self.merge_mode == "mul":
            merged = y * y_back
        elif self.merge_mode == "ave":
            merged = (y + y_back) * 0.5
        else:
            merged = [y, y_back]
        if not self.return_state:
            return merged
        return (merged if isinstance(merged, list) else [merged]) + states

    def get_config(self):
        config = super().get_config()
        layer = _describe(self.forward_layer)
        layer["config"]["name"] = self.forward_layer.name[len("forward_"):]
        config.update(layer=layer, merge_mode=self.merge_mode)
        if self._custom_backward:
            config["backward_layer"] = _describe(self.backward_layer)
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if config.get("backward_layer") is not None:
            config["backward_layer"] = _rebuild(config["backward_layer"], cls.__name__)
        return super().from_config(config)


class TimeDistributed(_Wrapper):
    """Apply ``layer`` to every time step: (batch, steps, *rest) is folded to
    (batch·steps, *rest), passed through the layer once, and unfolded, so the steps share
    the layer's weights.

    >>> td = chainrule.layers.TimeDistributed(chainrule.layers.Dense(5))
    >>> td(chainrule.randn(4, 10, 3)).shape
    (4, 10, 5)
    """

    def __init__(self, layer, **kwargs):
        super().__init__(layer, **kwargs)
        self.layer = layer

    def _check(self, shape):
        if len(shape) < 3:
            raise ValueError(f"TimeDistributed {self.name!r} expects inputs of at least 3 axes "
                             f"(batch, steps, ...), got input of shape {tuple(shape)}")

    def build(self, input_shape):
        self._check(input_shape)
        batch, steps = input_shape[:2]
        folded = None if batch is None or steps is None else batch * steps
        self.layer.ensure_built((folded,) + tuple(input_shape[2:]))

    def forward(self, x):
        self._check(x.shape)
        batch, steps = x.shape[:2]
        y = self.layer(F.reshape(x, (batch * steps,) + x.shape[2:]))
        return F.reshape(y, (batch, steps) + y.shape[1:])

    def get_config(self):
        return dict(super().get_config(), layer=_describe(self.layer))
