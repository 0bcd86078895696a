"""nn.utils against PyTorch: packing and padding give torch's tensors (RNN/LSTM/GRU over a
PackedSequence are compared in test_nn_rnn_torch.py)."""
import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="PyTorch is the oracle for these comparisons; pip install torch==2.13.0")

import chainrule as cr  # noqa: E402
import chainrule.nn as nn  # noqa: E402
from chainrule.nn.utils import rnn as ours_rnn  # noqa: E402

theirs_rnn = torch.nn.utils.rnn


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("enforce_sorted, lengths", [(True, [5, 3, 3, 1]), (False, [2, 5, 1, 3, 5])])
def test_pack_and_pad_match_torch(batch_first, enforce_sorted, lengths):
    rng = np.random.default_rng(0)
    shape = (len(lengths), 6, 2) if batch_first else (6, len(lengths), 2)
    x = rng.standard_normal(shape)
    a = ours_rnn.pack_padded_sequence(cr.tensor(x), lengths, batch_first, enforce_sorted)
    b = theirs_rnn.pack_padded_sequence(torch.tensor(x), lengths, batch_first, enforce_sorted)
    np.testing.assert_array_equal(a.data.numpy(), b.data.numpy())
    np.testing.assert_array_equal(a.batch_sizes.numpy(), b.batch_sizes.numpy())
    for mine, its in ((a.sorted_indices, b.sorted_indices), (a.unsorted_indices, b.unsorted_indices)):
        assert (mine is None) == (its is None)
        if mine is not None:
            np.testing.assert_array_equal(mine.numpy(), its.numpy())
    pa, la = ours_rnn.pad_packed_sequence(a, batch_first, padding_value=-3.0, total_length=7)
    pb, lb = theirs_rnn.pad_packed_sequence(b, batch_first, padding_value=-3.0, total_length=7)
    np.testing.assert_array_equal(pa.numpy(), pb.numpy())
    np.testing.assert_array_equal(la.numpy(), lb.numpy())


def test_parameters_to_vector_matches_torch():
    torch.manual_seed(0)
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.Conv1d(2, 2, 3))
    ours = nn.Sequential(nn.Linear(3, 2), nn.Conv1d(2, 2, 3))
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    np.testing.assert_array_equal(nn.utils.parameters_to_vector(ours.parameters()).numpy(),
                                  torch.nn.utils.parameters_to_vector(theirs.parameters()).detach().numpy())


@pytest.mark.parametrize("dim", [0, 1, None])
def test_weight_norm_matches_torch(dim):
    from chainrule.nn.utils.parametrizations import weight_norm
    torch.manual_seed(0)
    theirs = torch.nn.utils.parametrizations.weight_norm(torch.nn.Conv1d(3, 4, 2).double(), dim=dim)
    ours = weight_norm(nn.Conv1d(3, 4, 2).double(), dim=dim)
    state = theirs.state_dict()
    assert list(ours.state_dict()) == list(state)
    assert [v.shape for v in ours.state_dict().values()] == [tuple(v.shape) for v in state.values()]
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert repr(ours) == repr(theirs)
    ours.load_state_dict({k: v.detach().numpy() for k, v in state.items()})
    x = np.random.default_rng(0).standard_normal((2, 3, 5))
    a, b = ours(cr.tensor(x)), theirs(torch.tensor(x))
    np.testing.assert_allclose(a.numpy(), b.detach().numpy(), rtol=1e-12)
    (a * a).sum().backward()
    (b * b).sum().backward()
    for (name, p), q in zip(ours.named_parameters(), theirs.parameters()):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-10, err_msg=name)


@pytest.mark.parametrize("make", [lambda lib: lib.Linear(4, 3), lambda lib: lib.Conv2d(2, 3, 3),
                                  lambda lib: lib.ConvTranspose2d(2, 3, 3)])
def test_spectral_norm_matches_torch_in_training_and_eval(make):
    from chainrule.nn.utils.parametrizations import spectral_norm
    torch.manual_seed(0)
    theirs = torch.nn.utils.parametrizations.spectral_norm(make(torch.nn).double(), n_power_iterations=2)
    ours = spectral_norm(make(nn).double(), n_power_iterations=2)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert repr(ours) == repr(theirs)
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((2, 4) if isinstance(ours, nn.Linear) else (1, 2, 5, 5))
    for training in (True, True, False):     # training refines u and v on every call
        a, b = ours.train(training)(cr.tensor(x)), theirs.train(training)(torch.tensor(x))
        np.testing.assert_allclose(a.numpy(), b.detach().numpy(), rtol=1e-10)
    for key, value in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[key].numpy(), value.numpy(), rtol=1e-10, err_msg=key)
    (a * a).sum().backward()
    (b * b).sum().backward()
    for (name, p), q in zip(ours.named_parameters(), theirs.parameters()):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-8, err_msg=name)
