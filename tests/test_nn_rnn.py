"""Recurrent layers (RNN, LSTM, GRU and their cells), checked without PyTorch.

Gradients of the input, the initial states and every parameter pass the float64
finite-difference gradcheck over many configurations (layers, directions, batch_first,
relu/tanh, no bias, unbatched); then shapes, state-dict layout, initialization, dropout
between layers, reprs and error messages.
"""
import math
import warnings

import numpy as np
import pytest

import chainrule as cr
import chainrule.nn as nn


# --------------------------------------------------------------------------- helpers
def _as_list(result):
    """Flatten (output, h_n) / (output, (h_n, c_n)) / (h, c) into a list of tensors."""
    if isinstance(result, (tuple, list)):
        return [t for item in result for t in _as_list(item)]
    return [result]


def gradcheck_recurrent(module, x, states=(), seed=None):
    """Gradcheck ``module(x, hx)`` in float64 w.r.t. x, the initial states and every parameter.

    ``states`` holds the arrays of hx (none: hx=None; one: a tensor; two: an LSTM tuple).
    ``seed`` reseeds chainrule before every call, fixing dropout masks.
    """
    module.double()
    names = [name for name, _ in module.named_parameters()]
    params = [p.detach().requires_grad_() for p in module.parameters()]
    lstm_like = isinstance(module, (nn.LSTM, nn.LSTMCell))

    def fn(x, *rest):
        hx = list(rest[:len(states)])
        for name, p in zip(names, rest[len(states):]):
            module._parameters[name] = p
        if seed is not None:
            cr.manual_seed(seed)
        if not hx:
            return tuple(_as_list(module(x)))
        return tuple(_as_list(module(x, tuple(hx) if lstm_like else hx[0])))

    tensors = [cr.Tensor(np.asarray(a, dtype=np.float64), requires_grad=True)
               for a in (x, *states)]
    assert cr.gradcheck(fn, (*tensors, *params)) is True


def randn(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def make(kind, input_size, hidden_size, **options):
    if kind == "RNN_RELU":
        return nn.RNN(input_size, hidden_size, nonlinearity="relu", **options)
    return getattr(nn, kind.replace("_TANH", ""))(input_size, hidden_size, **options)


def random_configs(count, seed):
    """Configurations drawn at random, but the same on every run."""
    rng = np.random.default_rng(seed)
    configs = []
    for _ in range(count):
        configs.append(dict(
            kind=str(rng.choice(["RNN_TANH", "RNN_RELU", "LSTM", "GRU"])),
            num_layers=int(rng.integers(1, 3)), bidirectional=bool(rng.integers(2)),
            batch_first=bool(rng.integers(2)), bias=bool(rng.integers(2)),
            unbatched=bool(rng.random() < 0.25), with_hx=bool(rng.integers(2)),
            seq=int(rng.integers(1, 4)), batch=int(rng.integers(1, 3))))
    return configs


def _run_config(config):
    cr.manual_seed(1)
    kind = config["kind"]
    module = make(kind, 3, 2, num_layers=config["num_layers"], bias=config["bias"],
                  batch_first=config["batch_first"], bidirectional=config["bidirectional"])
    seq, batch = config["seq"], config["batch"]
    if config["unbatched"]:
        x = randn(seq, 3)
    elif config["batch_first"]:
        x = randn(batch, seq, 3)
    else:
        x = randn(seq, batch, 3)
    states = ()
    if config["with_hx"]:
        rows = config["num_layers"] * (2 if config["bidirectional"] else 1)
        shape = (rows, 2) if config["unbatched"] else (rows, batch, 2)
        states = (randn(*shape, seed=2),) + ((randn(*shape, seed=3),) if kind == "LSTM" else ())
    gradcheck_recurrent(module, x, states)


# --------------------------------------------------------------------------- gradcheck
@pytest.mark.parametrize("kind", ["RNN_TANH", "RNN_RELU", "LSTM", "GRU"])
@pytest.mark.parametrize("options", [
    dict(),
    dict(num_layers=2, bidirectional=True),
    dict(batch_first=True, bias=False),
])
def test_layer_gradcheck_with_initial_states(kind, options):
    config = dict(kind=kind, num_layers=1, bidirectional=False, batch_first=False, bias=True,
                  unbatched=False, with_hx=True, seq=3, batch=2)
    config.update(options)
    _run_config(config)


@pytest.mark.parametrize("config", random_configs(12, seed=5),
                         ids=lambda c: "-".join(f"{k}={v}" for k, v in c.items()))
def test_layer_gradcheck_random_configs(config):
    _run_config(config)


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "RNN_TANH"])
def test_layer_gradcheck_unbatched(kind):
    _run_config(dict(kind=kind, num_layers=2, bidirectional=True, batch_first=False, bias=True,
                     unbatched=True, with_hx=True, seq=3, batch=1))


@pytest.mark.parametrize("cell", ["RNNCell", "RNNCell_relu", "LSTMCell", "GRUCell"])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("unbatched", [False, True])
def test_cell_gradcheck(cell, bias, unbatched):
    cr.manual_seed(2)
    if cell == "RNNCell_relu":
        module = nn.RNNCell(3, 4, bias=bias, nonlinearity="relu")
    else:
        module = getattr(nn, cell)(3, 4, bias=bias)
    x = randn(3) if unbatched else randn(2, 3)
    shape = (4,) if unbatched else (2, 4)
    states = (randn(*shape, seed=1),)
    if cell == "LSTMCell":
        states += (randn(*shape, seed=2),)
    gradcheck_recurrent(module, x, states)


def test_gradcheck_without_initial_states_and_through_dropout():
    cr.manual_seed(0)
    module = nn.GRU(3, 2, num_layers=2, dropout=0.5)
    gradcheck_recurrent(module, randn(3, 2, 3), seed=7)


# --------------------------------------------------------------------------- semantics
@pytest.mark.parametrize("kind", ["RNN_TANH", "LSTM", "GRU"])
def test_shapes_batch_first_and_unbatched(kind):
    cr.manual_seed(0)
    module = make(kind, 5, 4, num_layers=3, bidirectional=True, batch_first=True)
    output, state = module(cr.randn(2, 7, 5))
    assert output.shape == (2, 7, 8)
    for s in _as_list(state):
        assert s.shape == (6, 2, 4)
    output, state = module(cr.randn(7, 5))          # unbatched input ignores batch_first
    assert output.shape == (7, 8)
    for s in _as_list(state):
        assert s.shape == (6, 4)
    assert output.dtype == np.float32


@pytest.mark.parametrize("kind", ["RNN_TANH", "RNN_RELU", "LSTM", "GRU"])
def test_batch_first_is_a_transpose(kind):
    cr.manual_seed(0)
    seq_first = make(kind, 3, 4, num_layers=2, bidirectional=True)
    batch_first = make(kind, 3, 4, num_layers=2, bidirectional=True, batch_first=True)
    batch_first.load_state_dict(seq_first.state_dict())
    x = randn(5, 2, 3).astype(np.float32)
    out_a, state_a = seq_first(cr.tensor(x))
    out_b, state_b = batch_first(cr.tensor(x.transpose(1, 0, 2)))
    np.testing.assert_allclose(out_b.numpy(), out_a.numpy().transpose(1, 0, 2), rtol=1e-6)
    for a, b in zip(_as_list(state_a), _as_list(state_b)):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-6)


@pytest.mark.parametrize("kind", ["RNN_TANH", "LSTM", "GRU"])
def test_the_reverse_direction_reads_the_sequence_backwards(kind):
    """The reverse half of a bidirectional layer is a forward layer run on the flipped input."""
    cr.manual_seed(0)
    both = make(kind, 3, 4, bidirectional=True).double()
    forward_only = make(kind, 3, 4).double()
    forward_only.load_state_dict({k.replace("_reverse", ""): v for k, v in both.state_dict().items()
                                  if k.endswith("_reverse")})
    x = randn(6, 2, 3)
    out, state = both(cr.tensor(x))
    out_rev, state_rev = forward_only(cr.tensor(x[::-1].copy()))
    np.testing.assert_allclose(out.numpy()[:, :, 4:], out_rev.numpy()[::-1], atol=1e-12)
    for a, b in zip(_as_list(state), _as_list(state_rev)):
        np.testing.assert_allclose(a.numpy()[1], b.numpy()[0], atol=1e-12)


def test_lstm_matches_the_equations_by_hand():
    """One layer, gate order i, f, g, o, computed step by step in NumPy."""
    cr.manual_seed(3)
    lstm = nn.LSTM(3, 2).double()
    p = {k: v.numpy() for k, v in lstm.state_dict().items()}
    x, h, c = randn(4, 2, 3), randn(2, 2, seed=1), randn(2, 2, seed=2)
    out, (h_n, c_n) = lstm(cr.tensor(x), (cr.tensor(h[None]), cr.tensor(c[None])))
    sigmoid = lambda a: 1 / (1 + np.exp(-a))  # noqa: E731
    for t in range(4):
        a = x[t] @ p["weight_ih_l0"].T + p["bias_ih_l0"] + h @ p["weight_hh_l0"].T + p["bias_hh_l0"]
        i, f, g, o = sigmoid(a[:, :2]), sigmoid(a[:, 2:4]), np.tanh(a[:, 4:6]), sigmoid(a[:, 6:])
        c = f * c + i * g
        h = o * np.tanh(c)
        np.testing.assert_allclose(out.numpy()[t], h, atol=1e-12)
    np.testing.assert_allclose(h_n.numpy()[0], h, atol=1e-12)
    np.testing.assert_allclose(c_n.numpy()[0], c, atol=1e-12)


def test_gru_matches_the_equations_by_hand():
    """Gate order r, z, n, with r applied to (W_hn h + b_hn)."""
    cr.manual_seed(4)
    gru = nn.GRU(3, 2).double()
    p = {k: v.numpy() for k, v in gru.state_dict().items()}
    x, h = randn(4, 2, 3), randn(2, 2, seed=1)
    out, h_n = gru(cr.tensor(x), cr.tensor(h[None]))
    sigmoid = lambda a: 1 / (1 + np.exp(-a))  # noqa: E731
    for t in range(4):
        gi = x[t] @ p["weight_ih_l0"].T + p["bias_ih_l0"]
        gh = h @ p["weight_hh_l0"].T + p["bias_hh_l0"]
        r, z = sigmoid(gi[:, :2] + gh[:, :2]), sigmoid(gi[:, 2:4] + gh[:, 2:4])
        n = np.tanh(gi[:, 4:] + r * gh[:, 4:])
        h = (1 - z) * n + z * h
        np.testing.assert_allclose(out.numpy()[t], h, atol=1e-12)
    np.testing.assert_allclose(h_n.numpy()[0], h, atol=1e-12)


@pytest.mark.parametrize("kind", ["RNN_TANH", "RNN_RELU", "LSTM", "GRU"])
def test_a_cell_is_one_step_of_the_layer(kind):
    cr.manual_seed(0)
    layer = make(kind, 3, 4)
    cell = {"RNN_TANH": lambda: nn.RNNCell(3, 4),
            "RNN_RELU": lambda: nn.RNNCell(3, 4, nonlinearity="relu"),
            "LSTM": lambda: nn.LSTMCell(3, 4), "GRU": lambda: nn.GRUCell(3, 4)}[kind]()
    cell.load_state_dict({k[:-3]: v for k, v in layer.state_dict().items()})
    x = cr.randn(1, 2, 3)
    _, state = layer(x)
    step = _as_list(cell(x[0]))
    for a, b in zip(_as_list(state), step):
        np.testing.assert_allclose(a.numpy()[0], b.numpy(), rtol=1e-6)


def test_state_dict_layout_and_initialization():
    cr.manual_seed(0)
    lstm = nn.LSTM(3, 5, num_layers=2, bidirectional=True)
    keys = list(lstm.state_dict())
    expected = []
    for layer, width in ((0, 3), (1, 10)):
        for suffix in ("", "_reverse"):
            expected += [(f"weight_ih_l{layer}{suffix}", (20, width)),
                         (f"weight_hh_l{layer}{suffix}", (20, 5)),
                         (f"bias_ih_l{layer}{suffix}", (20,)), (f"bias_hh_l{layer}{suffix}", (20,))]
    assert [(k, tuple(v.shape)) for k, v in lstm.state_dict().items()] == expected
    assert keys == [name for name, _ in lstm.named_parameters()]
    shapes = [[tuple(p.shape) for p in ws] for ws in lstm.all_weights]
    assert shapes[1] == [(20, 3), (20, 5), (20,), (20,)]
    gru = nn.GRU(3, 5, bias=False)
    assert [(k, tuple(v.shape)) for k, v in gru.state_dict().items()] == [
        ("weight_ih_l0", (15, 3)), ("weight_hh_l0", (15, 5))]
    bound = 1 / math.sqrt(5)
    values = np.concatenate([p.numpy().ravel() for p in lstm.parameters()])
    assert values.dtype == np.float32
    assert np.abs(values).max() <= bound
    assert values.std() == pytest.approx(bound / math.sqrt(3), rel=0.05)   # U(-b, b): b/√3
    cell = nn.GRUCell(4, 16)
    assert [k for k in cell.state_dict()] == ["weight_ih", "weight_hh", "bias_ih", "bias_hh"]
    assert np.abs(cell.weight_hh.numpy()).max() <= 0.25


def test_initialization_follows_manual_seed():
    cr.manual_seed(11)
    a = nn.LSTM(3, 4).state_dict()
    cr.manual_seed(11)
    b = nn.LSTM(3, 4).state_dict()
    assert all(np.array_equal(a[k].numpy(), b[k].numpy()) for k in a)


def test_repr_matches_pytorchs_format():
    assert repr(nn.RNN(3, 4)) == "RNN(3, 4)"
    assert repr(nn.RNN(3, 4, 2, nonlinearity="relu", bias=False, batch_first=True, dropout=0.5,
                       bidirectional=True)) == (
        "RNN(3, 4, num_layers=2, bias=False, batch_first=True, dropout=0.5, bidirectional=True)")
    assert repr(nn.LSTM(3, 4, num_layers=2)) == "LSTM(3, 4, num_layers=2)"
    assert repr(nn.GRU(3, 4)) == "GRU(3, 4)"
    assert repr(nn.RNNCell(3, 4, nonlinearity="relu", bias=False)) == \
        "RNNCell(3, 4, bias=False, nonlinearity=relu)"
    assert repr(nn.LSTMCell(3, 4)) == "LSTMCell(3, 4)"
    assert repr(nn.GRUCell(3, 4, False)) == "GRUCell(3, 4, bias=False)"


def test_no_grad_builds_no_graph_and_float64_stays_float64():
    lstm = nn.LSTM(3, 4).double()
    with cr.no_grad():
        out, (h, c) = lstm(cr.tensor(randn(2, 1, 3)))
    assert out.grad_fn is None and not out.requires_grad and out.dtype == np.float64


# --------------------------------------------------------------------------- dropout
def test_dropout_acts_between_layers_only_in_training():
    cr.manual_seed(0)
    model = nn.LSTM(3, 4, num_layers=2, dropout=0.5)
    plain = nn.LSTM(3, 4, num_layers=2)
    plain.load_state_dict(model.state_dict())
    x = cr.randn(5, 2, 3)
    model.eval()
    np.testing.assert_array_equal(model(x)[0].numpy(), plain(x)[0].numpy())
    model.train()
    cr.manual_seed(1)
    first = model(x)[0].numpy()
    cr.manual_seed(1)
    again = model(x)[0].numpy()
    np.testing.assert_array_equal(first, again)                    # the mask follows the seed
    assert not np.allclose(first, plain(x)[0].numpy())


def test_dropout_one_cuts_the_first_layer_off_but_not_the_output():
    cr.manual_seed(0)
    model = nn.GRU(3, 4, num_layers=2, dropout=1.0)
    out_a, h_a = model(cr.randn(5, 2, 3))
    out_b, h_b = model(cr.randn(5, 2, 3) * 10)
    # layer 1 sees zeros whatever the input, and the last layer's output is not dropped
    np.testing.assert_array_equal(out_a.numpy(), out_b.numpy())
    np.testing.assert_array_equal(h_a.numpy()[1], h_b.numpy()[1])
    assert not np.array_equal(h_a.numpy()[0], h_b.numpy()[0])
    assert np.abs(out_a.numpy()).min() > 0


def test_dropout_with_one_layer_warns_and_bad_dropout_raises():
    with pytest.warns(UserWarning, match="num_layers greater than 1"):
        nn.RNN(3, 4, dropout=0.2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nn.RNN(3, 4, num_layers=2, dropout=0.2)
    for bad in (-0.1, 1.5, "0.5", True):
        with pytest.raises(ValueError, match=r"dropout should be a number in range \[0, 1\]"):
            nn.LSTM(3, 4, num_layers=2, dropout=bad)


# --------------------------------------------------------------------------- errors
def test_input_errors_name_the_layer_and_the_shapes():
    lstm = nn.LSTM(3, 4, num_layers=2)
    with pytest.raises(ValueError, match=r"LSTM\(3, 4, num_layers=2\).*3-D input \(L, N, H_in\).*"
                                         r"\(5, 2, 3, 1\)"):
        lstm(cr.randn(5, 2, 3, 1))
    with pytest.raises(ValueError, match=r"LSTM\(3, 4, num_layers=2\): input of shape \(5, 2, 6\) "
                                         r"has 6 features .* input_size is 3"):
        lstm(cr.randn(5, 2, 6))
    with pytest.raises(ValueError, match=r"GRU\(3, 4, batch_first=True\).*\(N, L, H_in\).*\(3,\)"):
        nn.GRU(3, 4, batch_first=True)(cr.randn(3))
    with pytest.raises(TypeError, match=r"LSTM\(3, 4\) has float32 parameters but got an input of "
                                        r"dtype float64"):
        nn.LSTM(3, 4)(cr.tensor(randn(5, 2, 3)))
    with pytest.raises(ValueError, match="empty"):
        nn.RNN(3, 4)(cr.zeros(0, 2, 3))


def test_hidden_state_errors():
    rnn = nn.RNN(3, 4, num_layers=2, bidirectional=True)
    with pytest.raises(ValueError, match=r"RNN\(3, 4, num_layers=2, bidirectional=True\): h_0 "
                                         r"must have shape .* \(4, 2, 4\) for input of shape "
                                         r"\(5, 2, 3\), got \(2, 2, 4\)"):
        rnn(cr.randn(5, 2, 3), cr.zeros(2, 2, 4))
    with pytest.raises(ValueError, match=r"unbatched 2-D input of shape \(5, 3\).*\(4, 4\), got "
                                         r"\(4, 1, 4\)"):
        rnn(cr.randn(5, 3), cr.zeros(4, 1, 4))
    lstm = nn.LSTM(3, 4)
    with pytest.raises(TypeError, match=r"LSTM\(3, 4\): hx must be a tuple \(h_0, c_0\)"):
        lstm(cr.randn(5, 2, 3), cr.zeros(1, 2, 4))
    with pytest.raises(ValueError, match=r"c_0 must have shape .* \(1, 2, 4\).*got \(1, 2, 5\)"):
        lstm(cr.randn(5, 2, 3), (cr.zeros(1, 2, 4), cr.zeros(1, 2, 5)))
    with pytest.raises(TypeError, match=r"GRU\(3, 4\): hx must be one tensor h_0"):
        nn.GRU(3, 4)(cr.randn(5, 2, 3), (cr.zeros(1, 2, 4), cr.zeros(1, 2, 4)))


def test_batch_first_layout_mistake_is_explained():
    """With batch_first the input is (N, L, H_in) but h_0 stays (layers, N, H)."""
    gru = nn.GRU(3, 4, batch_first=True)
    x = cr.randn(2, 5, 3)                    # batch 2, length 5
    with pytest.raises(ValueError, match=r"h_0 must have shape .* \(1, 2, 4\) for input of shape "
                                         r"\(2, 5, 3\), got \(1, 5, 4\); its batch size 5 differs "
                                         r"from the input's 2 \(dim 0 of the input, as "
                                         r"batch_first=True\)"):
        gru(x, cr.zeros(1, 5, 4))
    assert gru(x, cr.zeros(1, 2, 4))[0].shape == (2, 5, 4)


def test_cell_and_constructor_errors():
    with pytest.raises(ValueError,
                       match=r"LSTMCell\(3, 4\): input of shape \(2, 5\) has 5 features"):
        nn.LSTMCell(3, 4)(cr.randn(2, 5))
    with pytest.raises(ValueError, match=r"GRUCell\(3, 4\): expected input of shape \(N, 3\) or "
                                         r"\(3,\), got \(1, 2, 3\)"):
        nn.GRUCell(3, 4)(cr.randn(1, 2, 3))
    with pytest.raises(ValueError, match=r"RNNCell\(3, 4\): hx must have shape \(2, 4\) for "
                                         r"input of shape \(2, 3\), got \(3, 4\)"):
        nn.RNNCell(3, 4)(cr.randn(2, 3), cr.zeros(3, 4))
    with pytest.raises(TypeError, match=r"LSTMCell\(3, 4\): hx must be a tuple \(h, c\)"):
        nn.LSTMCell(3, 4)(cr.randn(2, 3), cr.zeros(2, 4))
    with pytest.raises(ValueError, match="unknown nonlinearity 'sigmoid'"):
        nn.RNN(3, 4, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match="unknown nonlinearity"):
        nn.RNNCell(3, 4, nonlinearity="gelu")
    with pytest.raises(ValueError, match="hidden_size must be an integer >= 1, got 0"):
        nn.GRU(3, 0)
    with pytest.raises(ValueError, match="num_layers must be an integer >= 1, got 0"):
        nn.LSTM(3, 4, num_layers=0)
    with pytest.raises(NotImplementedError, match="proj_size"):
        nn.LSTM(3, 4, proj_size=2)


@pytest.mark.parametrize("kind", ["RNN_TANH", "LSTM", "GRU"])
def test_backward_twice_with_retain_graph_gives_the_same_gradients(kind):
    """Backward must not spend what forward saved: a retained graph backpropagates again."""
    cr.manual_seed(0)
    module = make(kind, 3, 4, num_layers=2, bidirectional=True)
    x = cr.randn(5, 2, 3, requires_grad=True)
    loss = sum((t * t).sum() for t in _as_list(module(x)))
    loss.backward(retain_graph=True)
    first = [x.grad.numpy().copy()] + [p.grad.numpy().copy() for p in module.parameters()]
    x.grad = None
    module.zero_grad()
    loss.backward()
    second = [x.grad.numpy()] + [p.grad.numpy() for p in module.parameters()]
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
