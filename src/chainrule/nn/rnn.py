"""Recurrent layers with PyTorch's names, gate orders, parameter layouts and results.

``RNN``, ``LSTM`` and ``GRU`` run a whole sequence through ``num_layers`` stacked layers
(each optionally bidirectional); ``RNNCell``, ``LSTMCell`` and ``GRUCell`` take one time
step.  Every layer and direction is ONE op of ``chainrule.ops.recurrent``: the input term
of all time steps is one matrix product, only the recurrence loops over time, and its
backward (backpropagation through time) loops back and ends with one product per weight.

Shapes (L: sequence length, N: batch, D: 2 if bidirectional else 1, H: hidden_size):
input (L, N, input_size), or (N, L, input_size) with batch_first, or unbatched (L, input_size);
h_0 and h_n (num_layers·D, N, H), or (num_layers·D, H) unbatched; output (L, N, D·H).
"""
import math
import numbers
import warnings

from chainrule.backend import xp
from chainrule.functions import cat, transpose
from chainrule.nn import init
from chainrule.nn._inputs import factory_dtype, layer_input
from chainrule.nn.dropout import dropout as _dropout
from chainrule.nn.module import Module
from chainrule.nn.parameter import Parameter
from chainrule.nn.utils.rnn import PackedSequence
from chainrule.ops import indexing as _index
from chainrule.ops import recurrent as _recurrent
from chainrule.ops import shape as _shape
from chainrule.tensor import Tensor, apply

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}
_OPS = {"RNN_TANH": _recurrent.RNNTanh, "RNN_RELU": _recurrent.RNNReLU,
        "LSTM": _recurrent.LSTM, "GRU": _recurrent.GRU}


def _size(value, what, where, minimum=1):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{where}: {what} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def _nonlinearity_mode(nonlinearity, where):
    if nonlinearity == "tanh":
        return "RNN_TANH"
    if nonlinearity == "relu":
        return "RNN_RELU"
    raise ValueError(f"{where}: unknown nonlinearity {nonlinearity!r}; select 'tanh' or 'relu'")


def _take(tensor, index):
    """tensor[index] as a graph op when it needs a gradient, else a plain tensor (no node)."""
    if tensor.requires_grad:
        return apply(_index.GetItem(index), tensor)
    return Tensor(tensor.data[index])


def _reset_uniform(module, hidden_size):
    """PyTorch's default: every weight and bias ~ U(-1/√hidden_size, 1/√hidden_size)."""
    bound = 1 / math.sqrt(hidden_size) if hidden_size > 0 else 0
    for param in module.parameters():
        init.uniform_(param, -bound, bound)


class RNNBase(Module):
    """The machinery shared by RNN, LSTM and GRU: parameters, checks, and the layer loop.

    ``mode`` is 'RNN_TANH', 'RNN_RELU', 'LSTM' or 'GRU'.  Parameters are registered in
    PyTorch's order and names: for each layer k and direction, weight_ih_l{k}
    (gates·H, input), weight_hh_l{k} (gates·H, H), bias_ih_l{k}, bias_hh_l{k} (gates·H,),
    with the suffix _reverse for the backward direction; gates is 1, 4 (i, f, g, o) or
    3 (r, z, n).  Layer k > 0 takes D·H inputs.
    """

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__()
        where = type(self).__name__
        dtype = factory_dtype(dtype, device, where)
        self.mode = mode
        self.input_size = _size(input_size, "input_size", where, 0)
        self.hidden_size = _size(hidden_size, "hidden_size", where)
        self.num_layers = _size(num_layers, "num_layers", where)
        if proj_size:
            raise NotImplementedError(f"{where}: proj_size is not supported (got {proj_size})")
        self.proj_size = 0
        if (isinstance(dropout, bool) or not isinstance(dropout, numbers.Real)
                or not 0 <= dropout <= 1):
            raise ValueError(f"{where}: dropout should be a number in range [0, 1] representing "
                             f"the probability of an element being zeroed, got {dropout!r}")
        if dropout > 0 and self.num_layers == 1:
            warnings.warn(f"{where}: dropout option adds dropout after all but last recurrent "
                          f"layer, so non-zero dropout expects num_layers greater than 1, but got "
                          f"dropout={dropout} and num_layers={self.num_layers}", stacklevel=3)
        self.bias, self.batch_first = bool(bias), bool(batch_first)
        self.dropout, self.bidirectional = float(dropout), bool(bidirectional)
        directions = 2 if self.bidirectional else 1
        rows = _GATES[mode] * self.hidden_size
        self._weight_names = []
        for layer in range(self.num_layers):
            width = self.input_size if layer == 0 else self.hidden_size * directions
            for direction in range(directions):
                suffix = f"_l{layer}" + ("_reverse" if direction else "")
                shapes = [("weight_ih", (rows, width)), ("weight_hh", (rows, self.hidden_size))]
                if self.bias:
                    shapes += [("bias_ih", (rows,)), ("bias_hh", (rows,))]
                names = []
                for stem, shape in shapes:
                    setattr(self, stem + suffix, Parameter(xp.zeros(shape, dtype)))
                    names.append(stem + suffix)
                self._weight_names.append(names)
        self.reset_parameters()

    def reset_parameters(self):
        """Every weight and bias ~ U(-1/√hidden_size, 1/√hidden_size), as PyTorch."""
        _reset_uniform(self, self.hidden_size)

    def flatten_parameters(self):
        """Does nothing: accepted for PyTorch compatibility (weights are never fragmented here)."""

    @property
    def all_weights(self):
        """The parameters of each layer and direction, as lists in PyTorch's order."""
        return [[self._parameters[name] for name in names] for names in self._weight_names]

    def _name(self):
        return f"{type(self).__name__}({self.extra_repr()})"

    # ----------------------------------------------------------------- checks
    def _check_input(self, input):
        name = self._name()
        input = layer_input(input, self.weight_ih_l0.dtype, name)
        layout = "(N, L, H_in)" if self.batch_first else "(L, N, H_in)"
        if input.ndim not in (2, 3):
            raise ValueError(f"{name}: expected a 3-D input {layout} (batch_first="
                             f"{self.batch_first}) or an unbatched 2-D input (L, H_in), got shape "
                             f"{input.shape}")
        if input.shape[-1] != self.input_size:
            raise ValueError(f"{name}: input of shape {input.shape} has {input.shape[-1]} features "
                             f"in its last dim, but input_size is {self.input_size}")
        return input

    def _check_state(self, state, what, batch, batched, input_shape):
        """One initial state (h_0 or c_0) as a (num_layers·D, N, H) tensor, or a clear error."""
        name = self._name()
        rows = self.num_layers * (2 if self.bidirectional else 1)
        if not isinstance(state, Tensor):
            state = Tensor(xp.asarray(state, dtype=self.weight_ih_l0.dtype))
        state = layer_input(state, self.weight_ih_l0.dtype, f"{name} ({what})")
        if not batched:
            if state.shape != (rows, self.hidden_size):
                raise ValueError(f"{name}: for the unbatched 2-D input of shape {input_shape}, "
                                 f"{what} must have shape (num_layers * num_directions, "
                                 f"hidden_size) = {(rows, self.hidden_size)}, got {state.shape}")
            return _take(state, (slice(None), None))  # (rows, 1, H)
        expected = (rows, batch, self.hidden_size)
        if state.shape != expected:
            batch_dim = 0 if self.batch_first else 1
            hint = ""
            if state.ndim == 3 and state.shape[1] != batch:
                hint = (f"; its batch size {state.shape[1]} differs from the input's {batch} "
                        f"(dim {batch_dim} of the input, as batch_first={self.batch_first}); "
                        f"{what} is always (num_layers * num_directions, N, hidden_size), "
                        "whatever batch_first")
            raise ValueError(f"{name}: {what} must have shape (num_layers * num_directions, N, "
                             f"hidden_size) = {expected} for input of shape {input_shape}, got "
                             f"{state.shape}{hint}")
        return state

    def _initial_states(self, hx, batch, batched, input_shape):
        is_lstm = self.mode == "LSTM"
        if hx is None:
            return None
        if is_lstm:
            if not isinstance(hx, (tuple, list)) or len(hx) != 2:
                raise TypeError(f"{self._name()}: hx must be a tuple (h_0, c_0) of two tensors, "
                                f"got {type(hx).__name__}")
            return [self._check_state(s, what, batch, batched, input_shape)
                    for s, what in zip(hx, ("h_0", "c_0"))]
        if isinstance(hx, (tuple, list)):
            raise TypeError(f"{self._name()}: hx must be one tensor h_0, got a "
                            f"{type(hx).__name__} (only LSTM takes (h_0, c_0))")
        return [self._check_state(hx, "h_0", batch, batched, input_shape)]

    # ----------------------------------------------------------------- forward
    def _run(self, x, start, k):
        """Direction k's op over x (T, N, in) from the states ``start``: the hidden states
        (T, N, H) and the final state(s) [h_T] or [h_T, c_T] in the direction's running order."""
        reverse = k % 2 == 1 and self.bidirectional
        weights = [self._parameters[name] for name in self._weight_names[k]]
        y = apply(_OPS[self.mode](reverse=reverse), x, *start, *weights)
        T = x.shape[0]
        finals = []
        if self.mode == "LSTM":  # y: forward [h_0..h_{T-1}, c_T], reverse [c_T, h_0..h_{T-1}]
            c_row, h_rows = (0, slice(1, T + 1)) if reverse else (T, slice(0, T))
            finals.append(apply(_index.GetItem(c_row), y))
            y = apply(_index.GetItem(h_rows), y)
        finals.insert(0, apply(_index.GetItem(0 if reverse else T - 1), y))
        return y, finals

    def forward(self, input, hx=None):
        """output, h_n (LSTM: output, (h_n, c_n)) for the whole sequence; see the module doc.

        A PackedSequence input gives a PackedSequence output, and each sequence's final
        state is the one after its own last step."""
        if isinstance(input, PackedSequence):
            return self._forward_packed(input, hx)
        input = self._check_input(input)
        input_shape = input.shape
        batched = input.ndim == 3
        if not batched:
            x = _take(input, (slice(None), None))           # (L, 1, H_in)
        elif self.batch_first:
            x = transpose(input, 0, 1)
        else:
            x = input
        T, N = x.shape[0], x.shape[1]
        if T == 0:
            raise ValueError(f"{self._name()}: the input sequence (shape {input_shape}) is empty")
        states = self._initial_states(hx, N, batched, input_shape)
        if states is None:
            states = self._zero_states(N, x.dtype)
        x, finals = self._layers(x, states, lambda x, start, k: self._run(x, start, k))
        if not batched:
            x = apply(_index.GetItem((slice(None), 0)), x)
            finals = [apply(_index.GetItem((slice(None), 0)), f) for f in finals]
        elif self.batch_first:
            x = transpose(x, 0, 1)
        return (x, tuple(finals)) if self.mode == "LSTM" else (x, finals[0])

    def _zero_states(self, N, dtype):
        rows = self.num_layers * (2 if self.bidirectional else 1)
        zeros = Tensor(xp.zeros((rows, N, self.hidden_size), dtype=dtype))
        return [zeros] * (2 if self.mode == "LSTM" else 1)

    def _layers(self, x, states, run):
        """Run every layer and direction k as ``run(x, start, k)`` -> (output, final states);
        the directions' outputs join along the last dim.  Returns the last layer's output and
        the stacked final states [h_n] or [h_n, c_n]."""
        directions = 2 if self.bidirectional else 1
        finals = [[] for _ in states]   # h_n (and c_n) pieces, layer by layer
        for layer in range(self.num_layers):
            outputs = []
            for direction in range(directions):
                k = layer * directions + direction
                y, last = run(x, [_take(s, k) for s in states], k)
                for pieces, state in zip(finals, last):
                    pieces.append(state)
                outputs.append(y)
            x = outputs[0] if directions == 1 else apply(_shape.Concatenate(y.ndim - 1), *outputs)
            if self.dropout and self.training and layer < self.num_layers - 1:
                x = _dropout(x, self.dropout, True)
        return x, [apply(_shape.Stack(0), *pieces) for pieces in finals]

    def _forward_packed(self, packed, hx):
        """The packed input's steps run in segments of constant batch size (at most one per
        distinct length): each segment is one op call on the sequences still running, which
        start from where the previous segment left them; finished sequences drop out."""
        name = self._name()
        data = layer_input(packed.data, self.weight_ih_l0.dtype, name)
        if data.ndim != 2 or data.shape[1] != self.input_size:
            raise ValueError(f"{name}: a PackedSequence's data must be (sum of lengths, "
                             f"input_size={self.input_size}), got shape {data.shape}")
        sizes = xp.asarray(packed.batch_sizes.data if isinstance(packed.batch_sizes, Tensor)
                           else packed.batch_sizes).astype(xp.int64)
        N = int(sizes[0])
        changes = xp.flatnonzero(xp.diff(sizes)) + 1
        bounds = [0, *changes.tolist(), sizes.size]
        offsets = xp.concatenate([[0], xp.cumsum(sizes)]).tolist()
        segments = [(offsets[t0], t1 - t0, int(sizes[t0])) for t0, t1 in zip(bounds, bounds[1:])]
        states = self._initial_states(hx, N, True, f"PackedSequence of batch size {N}")
        if states is None:
            states = self._zero_states(N, data.dtype)
        elif packed.sorted_indices is not None:
            order = packed.sorted_indices.data
            states = [_take(s, (slice(None), order)) for s in states]

        def run(x, start, k):
            reverse = k % 2 == 1 and self.bidirectional
            return (self._packed_reverse if reverse else self._packed_forward)(x, segments, start, k)
        x, finals = self._layers(data, states, run)
        if packed.unsorted_indices is not None:
            order = packed.unsorted_indices.data
            finals = [_take(f, (slice(None), order)) for f in finals]
        output = PackedSequence(x, packed.batch_sizes, packed.sorted_indices,
                                packed.unsorted_indices)
        return (output, tuple(finals)) if self.mode == "LSTM" else (output, finals[0])

    def _segment(self, x, offset, steps, batch):
        return x[offset:offset + steps * batch].reshape(steps, batch, x.shape[1])

    def _packed_forward(self, x, segments, start, k):
        """Segments in time order; the sequences that end with a segment leave their final
        state there (rows batch_next..batch of the segment's last state)."""
        pieces, ends, state = [], [], start
        for j, (offset, steps, batch) in enumerate(segments):
            y, state = self._run(self._segment(x, offset, steps, batch),
                                 [s[:batch] for s in state], k)
            pieces.append(y.reshape(steps * batch, self.hidden_size))
            after = segments[j + 1][2] if j + 1 < len(segments) else 0
            ends.append([s[after:batch] for s in state])
        finals = [cat([end[i] for end in reversed(ends)]) for i in range(len(start))]
        return cat(pieces), finals

    def _packed_reverse(self, x, segments, start, k):
        """Segments from the last back: the sequences running in a segment but not in the one
        after it begin their reverse pass there, from their initial state."""
        pieces, state, after = [None] * len(segments), None, 0
        for j in range(len(segments) - 1, -1, -1):
            offset, steps, batch = segments[j]
            begin = [s[:batch] if state is None else cat([c, s[after:batch]])
                     for s, c in zip(start, state or start)]
            y, state = self._run(self._segment(x, offset, steps, batch), begin, k)
            pieces[j] = y.reshape(steps * batch, self.hidden_size)
            after = batch
        return cat(pieces), state

    def extra_repr(self):
        text = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            text += f", num_layers={self.num_layers}"
        if self.bias is not True:
            text += f", bias={self.bias}"
        if self.batch_first is not False:
            text += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            text += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            text += f", bidirectional={self.bidirectional}"
        return text


class RNN(RNNBase):
    """Elman RNN: h_t = act(x_t W_ihᵀ + b_ih + h_{t-1} W_hhᵀ + b_hh), act = tanh or relu.

    forward(input, h_0=None) -> output (L, N, D·H), h_n (num_layers·D, N, H).

    >>> rnn = chainrule.nn.RNN(10, 20, num_layers=2)
    >>> output, h_n = rnn(chainrule.randn(5, 3, 10))
    >>> output.shape, h_n.shape
    ((5, 3, 20), (2, 3, 20))
    """

    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False, device=None, dtype=None):
        super().__init__(_nonlinearity_mode(nonlinearity, "RNN"), input_size, hidden_size,
                         num_layers, bias, batch_first, dropout, bidirectional,
                         device=device, dtype=dtype)
        self.nonlinearity = nonlinearity   # not in the repr: PyTorch's RNN leaves it out too


class LSTM(RNNBase):
    """Long short-term memory, PyTorch's gate order (i, f, g, o):
    i, f, o = σ(·), g = tanh(·) of x_t W_ihᵀ + b_ih + h_{t-1} W_hhᵀ + b_hh;
    c_t = f c_{t-1} + i g;  h_t = o tanh(c_t).

    forward(input, (h_0, c_0)=None) -> output (L, N, D·H), (h_n, c_n) each (num_layers·D, N, H).

    >>> lstm = chainrule.nn.LSTM(10, 20, batch_first=True)
    >>> output, (h_n, c_n) = lstm(chainrule.randn(3, 5, 10))
    >>> output.shape, c_n.shape
    ((3, 5, 20), (1, 3, 20))
    """

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, proj_size, device=device, dtype=dtype)


class GRU(RNNBase):
    """Gated recurrent unit, PyTorch's gate order (r, z, n):
    r, z = σ(x_t W_ihᵀ + b_ih + h_{t-1} W_hhᵀ + b_hh) (their rows);
    n = tanh(x_t W_inᵀ + b_in + r (h_{t-1} W_hnᵀ + b_hn));  h_t = (1 - z) n + z h_{t-1}.

    forward(input, h_0=None) -> output (L, N, D·H), h_n (num_layers·D, N, H).

    >>> gru = chainrule.nn.GRU(10, 20, bidirectional=True)
    >>> output, h_n = gru(chainrule.randn(5, 3, 10))
    >>> output.shape, h_n.shape
    ((5, 3, 40), (2, 3, 20))
    """

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, device=None, dtype=None):
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, device=device, dtype=dtype)


# --------------------------------------------------------------------------- cells
class RNNCellBase(Module):
    """One time step of a recurrence: the sequence op run with L = 1.

    Parameters weight_ih (gates·H, input), weight_hh (gates·H, H), bias_ih, bias_hh
    (gates·H,), initialized U(-1/√H, 1/√H).  Input (N, input_size) or unbatched (input_size,).
    """

    def __init__(self, mode, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__()
        where = type(self).__name__
        dtype = factory_dtype(dtype, device, where)
        self.mode = mode
        self.input_size = _size(input_size, "input_size", where, 0)
        self.hidden_size = _size(hidden_size, "hidden_size", where)
        self.bias = bool(bias)
        rows = _GATES[mode] * self.hidden_size
        self.weight_ih = Parameter(xp.zeros((rows, self.input_size), dtype))
        self.weight_hh = Parameter(xp.zeros((rows, self.hidden_size), dtype))
        if self.bias:
            self.bias_ih = Parameter(xp.zeros(rows, dtype))
            self.bias_hh = Parameter(xp.zeros(rows, dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self):
        """Every weight and bias ~ U(-1/√hidden_size, 1/√hidden_size), as PyTorch."""
        _reset_uniform(self, self.hidden_size)

    def _name(self):
        return f"{type(self).__name__}({self.extra_repr()})"

    def _check_state(self, state, what, input):
        name = self._name()
        if not isinstance(state, Tensor):
            state = Tensor(xp.asarray(state, dtype=self.weight_ih.dtype))
        state = layer_input(state, self.weight_ih.dtype, f"{name} ({what})")
        expected = input.shape[:-1] + (self.hidden_size,)
        if state.shape != expected:
            raise ValueError(f"{name}: {what} must have shape {expected} for input of shape "
                             f"{input.shape}, got {state.shape}")
        return state

    def _step(self, input, hx):
        """One step: h' (LSTM: (h', c')) for input (N, in) or (in,) and hx of the matching shape."""
        name = self._name()
        input = layer_input(input, self.weight_ih.dtype, name)
        if input.ndim not in (1, 2):
            raise ValueError(f"{name}: expected input of shape (N, {self.input_size}) or "
                             f"({self.input_size},), got {input.shape}")
        if input.shape[-1] != self.input_size:
            raise ValueError(f"{name}: input of shape {input.shape} has {input.shape[-1]} "
                             f"features, but input_size is {self.input_size}")
        n_states = 2 if self.mode == "LSTM" else 1
        if hx is None:
            zeros = Tensor(xp.zeros(input.shape[:-1] + (self.hidden_size,), input.dtype))
            states = [zeros] * n_states
        elif n_states == 2:
            if not isinstance(hx, (tuple, list)) or len(hx) != 2:
                raise TypeError(f"{name}: hx must be a tuple (h, c) of two tensors, got "
                                f"{type(hx).__name__}")
            states = [self._check_state(s, w, input) for s, w in zip(hx, ("h", "c"))]
        else:
            if isinstance(hx, (tuple, list)):
                raise TypeError(f"{name}: hx must be one tensor, got a {type(hx).__name__}")
            states = [self._check_state(hx, "hx", input)]
        unbatched = input.ndim == 1
        x = _take(input, (None, None) if unbatched else None)   # (1, N, in): a sequence of one
        if unbatched:
            states = [_take(s, None) for s in states]           # (H,) -> (1, H)
        weights = [self.weight_ih, self.weight_hh]
        if self.bias:
            weights += [self.bias_ih, self.bias_hh]
        y = apply(_OPS[self.mode](), x, *states, *weights)     # (1, N, H); LSTM: (2, N, H)
        tail = (0,) if unbatched else ()
        if n_states == 2:                                        # y: [h, c]
            return apply(_index.GetItem((0,) + tail), y), apply(_index.GetItem((1,) + tail), y)
        return apply(_index.GetItem((0,) + tail), y)

    def extra_repr(self):
        text = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            text += f", bias={self.bias}"
        return text


class RNNCell(RNNCellBase):
    """h' = act(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh), act = tanh or relu.

    forward(input, hx=None) -> h'.

    >>> cell = chainrule.nn.RNNCell(10, 20)
    >>> cell(chainrule.randn(3, 10)).shape
    (3, 20)
    """

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None,
                 dtype=None):
        super().__init__(_nonlinearity_mode(nonlinearity, "RNNCell"), input_size, hidden_size,
                         bias, device=device, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        return self._step(input, hx)

    def extra_repr(self):
        text = super().extra_repr()
        if self.nonlinearity != "tanh":
            text += f", nonlinearity={self.nonlinearity}"
        return text


class LSTMCell(RNNCellBase):
    """One LSTM step (gates i, f, g, o): forward(input, (h, c)=None) -> (h', c').

    >>> cell = chainrule.nn.LSTMCell(10, 20)
    >>> h, c = cell(chainrule.randn(3, 10))
    >>> h.shape, c.shape
    ((3, 20), (3, 20))
    """

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__("LSTM", input_size, hidden_size, bias, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        return self._step(input, hx)


class GRUCell(RNNCellBase):
    """One GRU step (gates r, z, n): forward(input, hx=None) -> h'.

    >>> cell = chainrule.nn.GRUCell(10, 20)
    >>> cell(chainrule.randn(10)).shape
    (20,)
    """

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__("GRU", input_size, hidden_size, bias, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        return self._step(input, hx)
