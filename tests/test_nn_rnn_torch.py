"""Recurrent layers against PyTorch: the same state_dict gives the same outputs, final states
and gradients (of the input, the initial states and every parameter), in float64 and float32;
state-dict keys and shapes and reprs are identical.
"""
import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="PyTorch is the oracle for these comparisons; pip install torch==2.13.0")

import chainrule as cr  # noqa: E402
import chainrule.nn as nn  # noqa: E402

TOL = {np.float64: 1e-10, np.float32: 1e-5}
TORCH_DTYPE = {np.float64: torch.float64, np.float32: torch.float32}


def _flat(result):
    if isinstance(result, (tuple, list)) and not hasattr(result, "batch_sizes"):  # not packed
        return [t for item in result for t in _flat(item)]
    return [result]


def build(kind, lib, input_size, hidden_size, **options):
    if kind == "RNN_RELU":
        return lib.RNN(input_size, hidden_size, nonlinearity="relu", **options)
    if kind.endswith("Cell_relu"):
        return lib.RNNCell(input_size, hidden_size, nonlinearity="relu", **options)
    return getattr(lib, kind.replace("_TANH", ""))(input_size, hidden_size, **options)


def compare(kind, options, x_shape, state_shape=None, dtype=np.float64, seed=0, lengths=None):
    """Load torch's weights into ours, run both, backpropagate the same random weights of every
    output, and compare outputs, final states and all gradients.  With ``lengths``, the input
    goes in as a PackedSequence of those (unsorted) lengths."""
    torch.manual_seed(seed)
    theirs = build(kind, torch.nn, 3, 4, **options).to(TORCH_DTYPE[dtype])
    ours = build(kind, nn, 3, 4, **options).to(dtype)
    ours.load_state_dict({k: v.detach().numpy().copy() for k, v in theirs.state_dict().items()})
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(x_shape).astype(dtype)
    x_ours, x_theirs = cr.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    lstm = kind in ("LSTM", "LSTMCell")
    args_ours, args_theirs, states_ours, states_theirs = [x_ours], [x_theirs], [], []
    if state_shape is not None:
        for _ in range(2 if lstm else 1):
            s = rng.standard_normal(state_shape).astype(dtype)
            states_ours.append(cr.tensor(s, requires_grad=True))
            states_theirs.append(torch.tensor(s, requires_grad=True))
        args_ours.append(tuple(states_ours) if lstm else states_ours[0])
        args_theirs.append(tuple(states_theirs) if lstm else states_theirs[0])
    if lengths is not None:
        batch_first = options.get("batch_first", False)
        args_ours[0] = nn.utils.rnn.pack_padded_sequence(x_ours, lengths, batch_first, False)
        args_theirs[0] = torch.nn.utils.rnn.pack_padded_sequence(x_theirs, lengths, batch_first,
                                                                 False)
    outs_ours, outs_theirs = _flat(ours(*args_ours)), _flat(theirs(*args_theirs))
    if lengths is not None:  # the packed output's data
        outs_ours[0], outs_theirs[0] = outs_ours[0].data, outs_theirs[0].data
    assert len(outs_ours) == len(outs_theirs)
    tol = TOL[dtype]
    loss_ours = loss_theirs = 0
    for a, b in zip(outs_ours, outs_theirs):
        assert a.shape == tuple(b.shape) and a.dtype == dtype
        np.testing.assert_allclose(a.numpy(), b.detach().numpy(), rtol=tol, atol=tol)
        w = rng.standard_normal(a.shape).astype(dtype)
        loss_ours = loss_ours + (a * cr.tensor(w)).sum()
        loss_theirs = loss_theirs + (b * torch.tensor(w)).sum()
    loss_ours.backward()
    loss_theirs.backward()
    pairs = [(x_ours, x_theirs), *zip(states_ours, states_theirs)]
    theirs_params = dict(theirs.named_parameters())
    pairs += [(p, theirs_params[name]) for name, p in ours.named_parameters()]
    assert len(pairs) == 1 + len(states_ours) + len(theirs_params)
    for a, b in pairs:
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=tol, atol=tol * 10)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("kind", ["RNN_TANH", "RNN_RELU", "LSTM", "GRU"])
@pytest.mark.parametrize("options, x_shape, state_shape", [
    (dict(), (5, 2, 3), None),
    (dict(), (5, 2, 3), (1, 2, 4)),
    (dict(num_layers=2, bidirectional=True), (4, 3, 3), (4, 3, 4)),
    (dict(num_layers=3, batch_first=True, bias=False), (2, 6, 3), (3, 2, 4)),
    (dict(bidirectional=True, batch_first=True), (2, 1, 3), None),
    (dict(num_layers=2, bidirectional=True), (5, 3), (4, 4)),           # unbatched
    (dict(num_layers=2), (5, 3), None),                                 # unbatched, no hx
])
def test_layers_match_torch(dtype, kind, options, x_shape, state_shape):
    compare(kind, options, x_shape, state_shape, dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("kind", ["RNNCell", "RNNCell_relu", "LSTMCell", "GRUCell"])
@pytest.mark.parametrize("options, x_shape, state_shape", [
    (dict(), (2, 3), None),
    (dict(), (2, 3), (2, 4)),
    (dict(bias=False), (3,), (4,)),                                     # unbatched
    (dict(), (3,), None),
])
def test_cells_match_torch(dtype, kind, options, x_shape, state_shape):
    compare(kind, options, x_shape, state_shape, dtype)


def test_a_longer_float32_sequence_matches_torch():
    compare("LSTM", dict(num_layers=2), (40, 4, 3), (2, 4, 4), np.float32, seed=3)
    compare("GRU", dict(bidirectional=True), (40, 4, 3), (2, 4, 4), np.float32, seed=3)


@pytest.mark.parametrize("kind", ["RNN_TANH", "RNN_RELU", "LSTM", "GRU"])
@pytest.mark.parametrize("options", [dict(), dict(num_layers=3, bidirectional=True),
                                     dict(bias=False, num_layers=2)])
def test_state_dict_keys_and_shapes_are_torchs(kind, options):
    theirs, ours = build(kind, torch.nn, 3, 5, **options), build(kind, nn, 3, 5, **options)
    assert [(k, tuple(v.shape)) for k, v in ours.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in theirs.state_dict().items()]
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})


@pytest.mark.filterwarnings("ignore:.*dropout option adds dropout")
@pytest.mark.parametrize("make", [
    lambda lib: lib.RNN(3, 4),
    lambda lib: lib.RNN(3, 4, 2, nonlinearity="relu", bias=False, batch_first=True, dropout=0.5,
                        bidirectional=True),
    lambda lib: lib.RNN(3, 4, dropout=0.2),
    lambda lib: lib.LSTM(3, 4, num_layers=2, batch_first=True),
    lambda lib: lib.GRU(3, 4, bias=False, bidirectional=True),
    lambda lib: lib.RNNCell(3, 4, nonlinearity="relu", bias=False),
    lambda lib: lib.LSTMCell(3, 4),
    lambda lib: lib.GRUCell(3, 4, False),
    lambda lib: lib.Sequential(lib.LSTM(3, 4), lib.Linear(4, 2)),
])
def test_repr_is_torchs(make):
    assert repr(make(nn)) == repr(make(torch.nn))


def test_default_initialization_has_torchs_bound():
    torch.manual_seed(0)
    cr.manual_seed(0)
    theirs = torch.nn.LSTM(8, 16, num_layers=2)
    ours = nn.LSTM(8, 16, num_layers=2)
    for (name, a), (_, b) in zip(ours.named_parameters(), theirs.named_parameters()):
        bound = 0.25                                           # 1/√16
        assert np.abs(a.numpy()).max() <= bound and b.abs().max().item() <= bound
        assert a.numpy().std() == pytest.approx(b.std().item(), rel=0.3), name


@pytest.mark.parametrize("kind", ["RNN_TANH", "LSTM", "GRU"])
@pytest.mark.parametrize("options, state_shape", [
    (dict(num_layers=2), None),
    (dict(num_layers=2, bidirectional=True), (4, 5, 4)),
])
def test_packed_sequences_match_torch(kind, options, state_shape):
    """Variable lengths, unsorted: packed output, h_n (c_n) and every gradient as torch's."""
    compare(kind, options, (5, 5, 3), state_shape, lengths=[2, 5, 1, 3, 5])


@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
def test_packed_float32_batch_first_matches_torch(kind):
    compare(kind, dict(bidirectional=True, batch_first=True), (4, 7, 3), (2, 4, 4), np.float32,
            seed=3, lengths=[7, 7, 4, 1])
