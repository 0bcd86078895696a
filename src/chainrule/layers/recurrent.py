"""Keras's recurrent layers: SimpleRNN, LSTM and GRU, on the fused recurrences of ``nn``.

Inputs are (batch, timesteps, features), as in Keras.  The weights keep Keras's names and
layout: ``kernel`` (features, gates·units), ``recurrent_kernel`` (units, gates·units) and
``bias`` (gates·units,), or (2, 3·units) for GRU (input and recurrent biases).  Each call
views them in PyTorch's layout (weight_ih = kernelᵀ, weight_hh = recurrent_kernelᵀ; GRU's
gate blocks reordered from Keras's z, r, h to PyTorch's r, z, n), as graph ops, and runs
the whole sequence as ONE op of ``chainrule.ops.recurrent``, the one ``nn.LSTM`` uses.

LSTM's gate order (i, f, c, o) is PyTorch's (i, f, g, o), and Keras's GRU with
``reset_after=True`` (its default) is PyTorch's GRU: n = tanh(x W_n + b_n + r·(h U_n + b'_n)).
"""
import numbers

from chainrule import activations, functions as F, initializers, random as _random
from chainrule import regularizers
from chainrule.backend import xp
from chainrule.layers.base import Layer
from chainrule.ops import recurrent as _recurrent
from chainrule.tensor import Tensor, apply, as_array


def _rate(value, name, where):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 <= value < 1:
        raise ValueError(f"{where}: {name} must be a number in [0, 1), got {value!r}")
    return float(value)


class _Recurrent(Layer):
    """What SimpleRNN, LSTM and GRU share: arguments, weights, checks, the call of the op,
    and what it returns (the last output or the sequence, and the final states)."""

    _gates = 1       # weight blocks per unit
    _states = 1      # h, or (h, c) for LSTM

    def __init__(self, units, use_bias, kernel_initializer, recurrent_initializer,
                 bias_initializer, kernel_regularizer, recurrent_regularizer, bias_regularizer,
                 dropout, recurrent_dropout, seed, return_sequences, return_state, go_backwards,
                 stateful, unroll, **kwargs):
        super().__init__(**kwargs)
        where = type(self).__name__
        if isinstance(units, bool) or not isinstance(units, numbers.Integral) or units <= 0:
            raise ValueError(f"{where}: units must be a positive integer, got {units!r}")
        self.units = int(units)
        self.use_bias = bool(use_bias)
        self._set_weight_options(
            kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer)
        self.dropout = _rate(dropout, "dropout", where)
        if recurrent_dropout:
            raise NotImplementedError(
                f"{where}: recurrent_dropout={recurrent_dropout!r} is not supported (the fused "
                f"recurrence draws no per-step mask on the state); use dropout=, which drops "
                f"input features")
        if stateful:
            raise NotImplementedError(f"{where}: stateful=True is not supported; pass the "
                                      f"final states back as initial_state= instead")
        self.seed = seed
        self._generator = None if seed is None else xp.random.default_rng(seed)
        self.return_sequences, self.return_state = bool(return_sequences), bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.unroll = bool(unroll)   # accepted: the fused loop computes the same thing

    # ----------------------------------------------------------------- weights
    def _bias_shape(self):
        return (self._gates * self.units,)

    def _bias_initializer(self):
        return self.bias_initializer

    def build(self, input_shape):
        if len(input_shape) != 3:
            raise ValueError(f"{type(self).__name__} {self.name!r} expects 3-d inputs (batch, "
                             f"timesteps, features), got input of shape {tuple(input_shape)}")
        self.input_features = int(input_shape[-1])
        width = self._gates * self.units
        self.add_weight("kernel", (self.input_features, width), self.kernel_initializer,
                        self.kernel_regularizer)
        self.add_weight("recurrent_kernel", (self.units, width), self.recurrent_initializer,
                        self.recurrent_regularizer)
        if self.use_bias:
            self.add_weight("bias", self._bias_shape(), self._bias_initializer(),
                            self.bias_regularizer)
        else:
            self.register_parameter("bias", None)

    def _op_weights(self):
        """weight_ih (G·H, in), weight_hh (G·H, H) and, with a bias, bias_ih and bias_hh, as
        the op takes them (the PyTorch layout)."""
        weights = [F.transpose(self.kernel, 0, 1), F.transpose(self.recurrent_kernel, 0, 1)]
        bias = self._parameters["bias"]
        if bias is not None:   # Keras has one bias; the op adds two
            weights += [bias, Tensor(xp.zeros(bias.shape, dtype=bias.data.dtype))]
        return weights

    def _op(self):
        raise NotImplementedError

    # ----------------------------------------------------------------- forward
    def _check_input(self, x):
        where = f"{type(self).__name__} {self.name!r}"
        if x.ndim != 3:
            raise ValueError(f"{where} expects 3-d inputs (batch, timesteps, features), got "
                             f"input of shape {x.shape}")
        if x.shape[-1] != self.input_features:
            raise ValueError(f"{where} expects {self.input_features} features, got input of "
                             f"shape {x.shape}")
        if x.shape[1] == 0:
            raise ValueError(f"{where}: the input sequence is empty (input shape {x.shape})")
        dtype = self.kernel.dtype
        return x if x.dtype == dtype else F.astype(x, dtype)   # Keras casts to the layer dtype

    def _initial_states(self, initial_state, batch, dtype):
        """The op's initial states, each (batch, units): zeros, or ``initial_state``."""
        if initial_state is None:
            zeros = Tensor(xp.zeros((batch, self.units), dtype=dtype))
            return [zeros] * self._states
        states = list(initial_state) if isinstance(initial_state, (list, tuple)) \
            else [initial_state]
        where = f"{type(self).__name__} {self.name!r}"
        if len(states) != self._states:
            names = "[h, c]" if self._states == 2 else "[h]"
            raise ValueError(f"{where}: initial_state must be {names}, {self._states} tensor(s) "
                             f"of shape ({batch}, {self.units}), got {len(states)}")
        checked = []
        for state in states:
            if not isinstance(state, Tensor):
                state = Tensor(as_array(state, copy=False, op=where).astype(dtype, copy=False))
            elif state.dtype != dtype:
                state = F.astype(state, dtype)
            if state.shape != (batch, self.units):
                raise ValueError(f"{where}: each initial state must have shape ({batch}, "
                                 f"{self.units}), got {state.shape}")
            checked.append(state)
        return checked

    def _input_dropout(self, x):
        """x times one keep-mask per (sample, feature), shared by every time step (Keras)."""
        rate = self.dropout
        generator = self._generator or _random.generator()
        draw = x.dtype if x.dtype in (xp.float32, xp.float64) else xp.float32
        keep = generator.random((x.shape[0], 1, x.shape[2]), dtype=draw) >= rate
        mask = keep.astype(x.dtype)
        mask *= 1.0 / (1.0 - rate)
        return x * Tensor(mask)

    def forward(self, inputs, initial_state=None, mask=None, training=None):
        """The last output (batch, units), or with ``return_sequences`` every output
        (batch, timesteps, units); with ``return_state``, the list [output, *final states]."""
        if mask is not None:
            raise NotImplementedError(f"{type(self).__name__} {self.name!r}: masks are not "
                                      "supported")
        x = self._check_input(inputs)
        batch, steps = x.shape[:2]
        training = self.training if training is None else bool(training)
        if self.dropout and training:
            x = self._input_dropout(x)
        if self.go_backwards:
            x = F.flip(x, 1)
        states = self._initial_states(initial_state, batch, x.dtype)
        y = apply(self._op(), F.transpose(x, 0, 1), *states, *self._op_weights())
        if self._states == 2:   # the LSTM op's rows: h_0 .. h_{T-1}, then c_T
            sequence, finals = y[:steps], [y[steps - 1], y[steps]]
        else:
            sequence, finals = y, [y[steps - 1]]
        output = F.transpose(sequence, 0, 1) if self.return_sequences else finals[0]
        return [output, *finals] if self.return_state else output

    # ----------------------------------------------------------------- description
    def get_config(self):
        config = super().get_config()
        config.update(
            units=self.units, use_bias=self.use_bias,
            kernel_initializer=initializers.serialize(self.kernel_initializer),
            recurrent_initializer=initializers.serialize(self.recurrent_initializer),
            bias_initializer=initializers.serialize(self.bias_initializer),
            kernel_regularizer=regularizers.serialize(self.kernel_regularizer),
            recurrent_regularizer=regularizers.serialize(self.recurrent_regularizer),
            bias_regularizer=regularizers.serialize(self.bias_regularizer),
            dropout=self.dropout, recurrent_dropout=0.0, seed=self.seed,
            return_sequences=self.return_sequences, return_state=self.return_state,
            go_backwards=self.go_backwards, stateful=False, unroll=self.unroll)
        return config

    def extra_repr(self):
        text = f"{self.units}"
        if self.return_sequences:
            text += ", return_sequences=True"
        if self.return_state:
            text += ", return_state=True"
        if self.go_backwards:
            text += ", go_backwards=True"
        return text + ", " + super().extra_repr()


def _is_activation(identifier, name):
    """True when ``identifier`` (a name or a function) is the activation called ``name``."""
    return identifier is getattr(activations, name) or \
        isinstance(identifier, str) and identifier.lower() == name


def _fixed_activations(where, activation, recurrent_activation):
    """LSTM and GRU run with tanh and sigmoid only: the fused op computes exactly those."""
    if not _is_activation(activation, "tanh") or \
            not _is_activation(recurrent_activation, "sigmoid"):
        raise NotImplementedError(
            f"{where}: only activation='tanh' with recurrent_activation='sigmoid' is supported, "
            f"got activation={activation!r}, recurrent_activation={recurrent_activation!r}")


class SimpleRNN(_Recurrent):
    """Fully connected recurrence: h_t = activation(x_t · kernel + h_{t-1} · recurrent_kernel
    + bias), with activation 'tanh' (the default) or 'relu'.

    >>> rnn = chainrule.layers.SimpleRNN(4, return_sequences=True)
    >>> rnn(chainrule.randn(32, 10, 8)).shape, rnn.kernel.shape
    ((32, 10, 4), (8, 4))
    """

    def __init__(self, units, activation="tanh", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, dropout=0.0, recurrent_dropout=0.0,
                 return_sequences=False, return_state=False, go_backwards=False, stateful=False,
                 unroll=False, seed=None, **kwargs):
        if not (_is_activation(activation, "tanh") or _is_activation(activation, "relu")):
            raise NotImplementedError(f"SimpleRNN: only activation='tanh' or 'relu' is "
                                      f"supported, got {activation!r}")
        super().__init__(units, use_bias, kernel_initializer, recurrent_initializer,
                         bias_initializer, kernel_regularizer, recurrent_regularizer,
                         bias_regularizer, dropout, recurrent_dropout, seed, return_sequences,
                         return_state, go_backwards, stateful, unroll, **kwargs)
        self._relu = _is_activation(activation, "relu")

    def _op(self):
        return _recurrent.RNNReLU() if self._relu else _recurrent.RNNTanh()

    def get_config(self):
        config = super().get_config()
        config["activation"] = "relu" if self._relu else "tanh"
        return config


class LSTM(_Recurrent):
    """Long short-term memory (Hochreiter 1997), Keras's gates i, f, c, o:
    i, f, o = σ(x_t W + h_{t-1} U + b) (their blocks), c̃ = tanh(…);
    c_t = f·c_{t-1} + i·c̃,  h_t = o·tanh(c_t).

    With ``unit_forget_bias`` (the default) the forget gate's bias starts at 1.
    ``return_state`` gives [output, h, c].

    >>> lstm = chainrule.layers.LSTM(4, return_sequences=True, return_state=True)
    >>> sequence, h, c = lstm(chainrule.randn(32, 10, 8))
    >>> sequence.shape, h.shape, c.shape
    ((32, 10, 4), (32, 4), (32, 4))
    """

    _gates, _states = 4, 2

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, use_cudnn="auto", **kwargs):
        _fixed_activations("LSTM", activation, recurrent_activation)
        super().__init__(units, use_bias, kernel_initializer, recurrent_initializer,
                         bias_initializer, kernel_regularizer, recurrent_regularizer,
                         bias_regularizer, dropout, recurrent_dropout, seed, return_sequences,
                         return_state, go_backwards, stateful, unroll, **kwargs)
        self.unit_forget_bias = bool(unit_forget_bias)

    def _bias_initializer(self):
        if not self.unit_forget_bias:
            return self.bias_initializer
        units, initializer = self.units, self.bias_initializer

        def forget_bias_one(shape, dtype=None):
            """bias_initializer's values for the i, c and o blocks; ones for f."""
            values = xp.concatenate([
                initializers.initialize(initializer, (units,), dtype, "LSTM bias"),
                xp.ones(units, dtype=dtype),
                initializers.initialize(initializer, (2 * units,), dtype, "LSTM bias")])
            return values.reshape(shape)

        return forget_bias_one

    def _op(self):
        return _recurrent.LSTM()

    def get_config(self):
        config = super().get_config()
        config.update(activation="tanh", recurrent_activation="sigmoid",
                      unit_forget_bias=self.unit_forget_bias)
        return config


class GRU(_Recurrent):
    """Gated recurrent unit (Cho et al. 2014), Keras's gates z, r, h with ``reset_after``:
    z, r = σ(x_t W + b + h_{t-1} U + b') (their blocks),
    h̃ = tanh(x_t W_h + b_h + r·(h_{t-1} U_h + b'_h)),  h_t = z·h_{t-1} + (1 - z)·h̃.

    ``bias`` is (2, 3·units): the input bias b, then the recurrent bias b'.

    >>> gru = chainrule.layers.GRU(4)
    >>> gru(chainrule.randn(32, 10, 8)).shape, gru.bias.shape
    ((32, 4), (2, 12))
    """

    _gates = 3

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, dropout=0.0, recurrent_dropout=0.0, seed=None,
                 return_sequences=False, return_state=False, go_backwards=False, stateful=False,
                 unroll=False, reset_after=True, use_cudnn="auto", **kwargs):
        _fixed_activations("GRU", activation, recurrent_activation)
        if not reset_after:
            raise NotImplementedError(
                "GRU: reset_after=False (the reset gate applied before the recurrent product) "
                "is not supported; use reset_after=True, Keras 3's default and PyTorch's GRU")
        super().__init__(units, use_bias, kernel_initializer, recurrent_initializer,
                         bias_initializer, kernel_regularizer, recurrent_regularizer,
                         bias_regularizer, dropout, recurrent_dropout, seed, return_sequences,
                         return_state, go_backwards, stateful, unroll, **kwargs)

    def _bias_shape(self):
        return (2, 3 * self.units)

    def _to_torch_order(self, weight):
        """The gate blocks on the last axis from Keras's (z, r, h) to PyTorch's (r, z, n)."""
        u = self.units
        return F.cat([weight[..., u:2 * u], weight[..., :u], weight[..., 2 * u:]], dim=-1)

    def _op_weights(self):
        weights = [F.transpose(self._to_torch_order(self.kernel), 0, 1),
                   F.transpose(self._to_torch_order(self.recurrent_kernel), 0, 1)]
        bias = self._parameters["bias"]
        if bias is not None:
            bias = self._to_torch_order(bias)
            weights += [bias[0], bias[1]]
        return weights

    def _op(self):
        return _recurrent.GRU()

    def get_config(self):
        config = super().get_config()
        config.update(activation="tanh", recurrent_activation="sigmoid", reset_after=True)
        return config
