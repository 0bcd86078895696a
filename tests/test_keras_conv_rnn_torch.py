"""Keras-style Conv2D, pooling, SimpleRNN, LSTM and GRU against PyTorch, after mapping the
weights between the two layouts: outputs, final states and every gradient, in float64.

Keras's 'same' padding is emulated on the PyTorch side the TensorFlow way (F.pad with the odd
element at the bottom/right, then a 'valid' op); Keras's GRU gate blocks (z, r, h) are PyTorch's
(r, z, n) reordered, and Keras's single LSTM/SimpleRNN bias is PyTorch's b_ih + b_hh.
"""
import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="PyTorch is the oracle for these comparisons; "
                                            "pip install torch==2.13.0")
import torch.nn.functional as TF  # noqa: E402

import chainrule as cr  # noqa: E402
from chainrule import layers  # noqa: E402

TOL = 1e-10


def _close(ours, theirs):
    np.testing.assert_allclose(np.asarray(ours), theirs.detach().numpy(), rtol=TOL, atol=TOL)


def _tf_pads(size, span, stride):
    out = -(-size // stride)
    total = max((out - 1) * stride + span - size, 0)
    return total // 2, total - total // 2


def _torch_same_pad(x, window, strides, dilation, value):
    """TensorFlow's 'same' padding of an NCHW torch tensor."""
    (top, bottom), (left, right) = (_tf_pads(x.shape[2 + a], dilation[a] * (window[a] - 1) + 1,
                                             strides[a]) for a in range(2))
    return TF.pad(x, (left, right, top, bottom), value=value)


# --------------------------------------------------------------------------- Conv2D
@pytest.mark.parametrize("kernel, strides, padding, dilation, groups, hw", [
    ((3, 3), (1, 1), "valid", (1, 1), 1, (6, 7)),
    ((3, 3), (2, 2), "same", (1, 1), 1, (7, 7)),
    ((3, 3), (2, 2), "same", (1, 1), 1, (9, 6)),
    ((4, 2), (3, 2), "same", (1, 1), 2, (8, 9)),
    ((3, 3), (1, 1), "same", (2, 2), 1, (7, 8)),
    ((2, 3), (2, 1), "valid", (1, 2), 2, (7, 9)),
])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_conv2d_against_torch(kernel, strides, padding, dilation, groups, hw, data_format):
    rng = np.random.default_rng(0)
    layer = layers.Conv2D(4, kernel, strides=strides, padding=padding, dilation_rate=dilation,
                          groups=groups, bias_initializer="random_normal", activation="tanh",
                          data_format=data_format, dtype="float64")
    nchw = rng.standard_normal((2, 2) + hw)
    x = nchw.transpose(0, 2, 3, 1) if data_format == "channels_last" else nchw
    x_ours = cr.tensor(x, requires_grad=True)
    y = layer(x_ours)
    weight = torch.tensor(layer.kernel.numpy().transpose(3, 2, 0, 1), requires_grad=True)
    bias = torch.tensor(layer.bias.numpy(), requires_grad=True)
    x_theirs = torch.tensor(nchw, requires_grad=True)
    padded = x_theirs if padding == "valid" else \
        _torch_same_pad(x_theirs, kernel, strides, dilation, 0.0)
    expected = torch.tanh(TF.conv2d(padded, weight, bias, strides, 0, dilation, groups))
    if data_format == "channels_last":
        expected = expected.permute(0, 2, 3, 1)
    _close(y.numpy(), expected)
    g = rng.standard_normal(y.shape)
    (y * cr.tensor(g)).sum().backward()
    (expected * torch.tensor(g)).sum().backward()
    grad_x = x_theirs.grad.permute(0, 2, 3, 1) if data_format == "channels_last" else x_theirs.grad
    _close(x_ours.grad.numpy(), grad_x)
    _close(layer.kernel.grad.numpy(), weight.grad.permute(2, 3, 1, 0))
    _close(layer.bias.grad.numpy(), bias.grad)


# --------------------------------------------------------------------------- pooling
@pytest.mark.parametrize("pool, strides, padding, hw", [
    ((2, 2), None, "valid", (6, 7)),
    ((3, 3), (2, 2), "valid", (7, 8)),
    ((2, 2), None, "same", (5, 7)),
    ((3, 3), (2, 2), "same", (7, 6)),
    ((3, 2), (2, 3), "same", (9, 8)),
])
@pytest.mark.parametrize("kind", ["max", "average"])
def test_pooling_against_torch(pool, strides, padding, hw, kind):
    rng = np.random.default_rng(1)
    cls = layers.MaxPooling2D if kind == "max" else layers.AveragePooling2D
    nchw = rng.standard_normal((2, 3) + hw)
    x_ours = cr.tensor(nchw.transpose(0, 2, 3, 1), requires_grad=True)
    y = cls(pool, strides, padding)(x_ours)
    step = strides or pool
    x_theirs = torch.tensor(nchw, requires_grad=True)
    if kind == "max":
        padded = x_theirs if padding == "valid" else \
            _torch_same_pad(x_theirs, pool, step, (1, 1), -float("inf"))
        expected = TF.max_pool2d(padded, pool, step)
    elif padding == "valid":
        expected = TF.avg_pool2d(x_theirs, pool, step)
    else:   # Keras averages over the covered input elements only
        sums = TF.avg_pool2d(_torch_same_pad(x_theirs, pool, step, (1, 1), 0.0), pool, step,
                             divisor_override=1)
        ones = torch.ones_like(x_theirs[:1, :1])
        counts = TF.avg_pool2d(_torch_same_pad(ones, pool, step, (1, 1), 0.0), pool, step,
                               divisor_override=1)
        expected = sums / counts
    expected = expected.permute(0, 2, 3, 1)
    _close(y.numpy(), expected)
    g = rng.standard_normal(y.shape)
    (y * cr.tensor(g)).sum().backward()
    (expected * torch.tensor(g)).sum().backward()
    _close(x_ours.grad.numpy(), x_theirs.grad.permute(0, 2, 3, 1))


# --------------------------------------------------------------------------- recurrent
def _keras_weights_from_torch(kind, module, units):
    """Keras's kernel, recurrent_kernel and bias for the weights of a torch RNN/LSTM/GRU."""
    w_ih, w_hh = module.weight_ih_l0.detach().numpy(), module.weight_hh_l0.detach().numpy()
    b_ih, b_hh = module.bias_ih_l0.detach().numpy(), module.bias_hh_l0.detach().numpy()
    if kind != "GRU":
        return {"kernel": w_ih.T, "recurrent_kernel": w_hh.T, "bias": b_ih + b_hh}
    order = np.r_[units:2 * units, 0:units, 2 * units:3 * units]   # (r, z, n) -> (z, r, h)
    return {"kernel": w_ih[order].T, "recurrent_kernel": w_hh[order].T,
            "bias": np.stack([b_ih[order], b_hh[order]])}


def _torch_module(kind, features, units):
    if kind == "SimpleRNN":
        return torch.nn.RNN(features, units, batch_first=True)
    return getattr(torch.nn, kind)(features, units, batch_first=True)


@pytest.mark.parametrize("kind", ["SimpleRNN", "LSTM", "GRU"])
@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("with_state", [False, True])
def test_recurrent_layers_against_torch(kind, go_backwards, with_state):
    torch.manual_seed(0)
    rng = np.random.default_rng(2)
    batch, steps, features, units = 3, 6, 4, 5
    theirs = _torch_module(kind, features, units).double()
    ours = getattr(layers, kind)(units, return_sequences=True, return_state=True,
                                 go_backwards=go_backwards, dtype="float64")
    x = rng.standard_normal((batch, steps, features))
    ours(x)
    ours.load_state_dict(_keras_weights_from_torch(kind, theirs, units))
    n_states = 2 if kind == "LSTM" else 1
    states = [rng.standard_normal((batch, units)) for _ in range(n_states)] if with_state else []

    x_ours = cr.tensor(x, requires_grad=True)
    states_ours = [cr.tensor(s, requires_grad=True) for s in states]
    outputs = ours(x_ours, initial_state=states_ours or None)

    x_theirs = torch.tensor(x, requires_grad=True)
    states_theirs = [torch.tensor(s[None], requires_grad=True) for s in states]
    sequence = x_theirs.flip(1) if go_backwards else x_theirs
    if not states_theirs:
        hx = None
    else:
        hx = tuple(states_theirs) if kind == "LSTM" else states_theirs[0]
    out, final = theirs(sequence, hx)
    finals = list(final) if kind == "LSTM" else [final]
    expected = [out] + [f[0] for f in finals]

    assert isinstance(outputs, list) and len(outputs) == len(expected) == 1 + n_states
    loss_ours = loss_theirs = 0
    for a, b in zip(outputs, expected):
        _close(a.numpy(), b)
        g = rng.standard_normal(a.shape)
        loss_ours = loss_ours + (a * cr.tensor(g)).sum()
        loss_theirs = loss_theirs + (b * torch.tensor(g)).sum()
    loss_ours.backward()
    loss_theirs.backward()
    _close(x_ours.grad.numpy(), x_theirs.grad)
    for s_ours, s_theirs in zip(states_ours, states_theirs):
        _close(s_ours.grad.numpy(), s_theirs.grad[0])
    torch_grads = _keras_weights_from_torch(kind, _GradView(theirs), units)
    if kind != "GRU":   # Keras's one bias is both of torch's: its gradient is either one's
        torch_grads["bias"] = theirs.bias_ih_l0.grad.numpy()
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), torch_grads[name], rtol=TOL, atol=TOL)


class _GradView:
    """A torch module's gradients under its parameters' names (to map them like weights)."""

    def __init__(self, module):
        self._module = module

    def __getattr__(self, name):
        return getattr(self._module, name).grad


@pytest.mark.parametrize("kind", ["SimpleRNN", "LSTM", "GRU"])
def test_last_output_against_torch(kind):
    torch.manual_seed(1)
    theirs = _torch_module(kind, 3, 4).double()
    ours = getattr(layers, kind)(4, dtype="float64")
    x = np.random.default_rng(3).standard_normal((2, 5, 3))
    ours(x)
    ours.load_state_dict(_keras_weights_from_torch(kind, theirs, 4))
    out, _ = theirs(torch.tensor(x))
    _close(ours(x).numpy(), out[:, -1])
