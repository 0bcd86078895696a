"""nn.utils without PyTorch: sequence packing round trips and its errors, parameters as one
vector.  The comparisons with PyTorch are in test_nn_utils_torch.py; the gradients of every
function are checked through the op registry."""
import numpy as np
import pytest

import chainrule as cr
import chainrule.nn as nn
from chainrule.nn.utils import parameters_to_vector, vector_to_parameters
from chainrule.nn.utils.rnn import (
    PackedSequence, pack_padded_sequence, pack_sequence, pad_packed_sequence, pad_sequence,
    unpack_sequence, unpad_sequence,
)


def _sequences(lengths, features=2, dtype=np.float32):
    rng = np.random.default_rng(0)
    return [cr.tensor(rng.standard_normal((n, features)).astype(dtype)) for n in lengths]


def test_pad_sequence_places_each_sequence_and_the_padding():
    a, b = cr.tensor([1.0, 2.0, 3.0]), cr.tensor([4.0])
    assert pad_sequence([a, b]).tolist() == [[1.0, 4.0], [2.0, 0.0], [3.0, 0.0]]
    assert pad_sequence([a, b], batch_first=True, padding_value=-1.0,
                        padding_side="left").tolist() == [[1.0, 2.0, 3.0], [-1.0, -1.0, 4.0]]
    assert pad_sequence(_sequences([3, 1])).dtype == np.float32


def test_packing_round_trip_keeps_order_lengths_and_values():
    sequences = _sequences([2, 5, 1, 3])
    packed = pack_sequence(sequences, enforce_sorted=False)
    assert isinstance(packed, PackedSequence) and packed.data.shape == (11, 2)
    assert packed.batch_sizes.tolist() == [4, 3, 2, 1, 1]
    assert packed.sorted_indices.tolist() == [1, 3, 0, 2]
    assert packed.unsorted_indices.tolist() == [2, 0, 3, 1]
    padded, lengths = pad_packed_sequence(packed, batch_first=True, total_length=6)
    assert padded.shape == (4, 6, 2) and lengths.tolist() == [2, 5, 1, 3]
    assert lengths.dtype == np.int64
    for got, want in zip(unpad_sequence(padded, lengths, batch_first=True), sequences):
        np.testing.assert_array_equal(got.numpy(), want.numpy())
    for got, want in zip(unpack_sequence(packed), sequences):
        np.testing.assert_array_equal(got.numpy(), want.numpy())


def test_sorted_packing_has_no_indices():
    packed = pack_padded_sequence(pad_sequence(_sequences([3, 3, 1])), [3, 3, 1])
    assert packed.sorted_indices is None and packed.unsorted_indices is None
    assert packed.batch_sizes.tolist() == [3, 2, 2]


@pytest.mark.parametrize("lengths, error, words", [
    ([1, 3], RuntimeError, "enforce_sorted=False"),
    ([3, 0], RuntimeError, "> 0"),
    ([4, 1], RuntimeError, "longer than the 3 steps"),
    ([3], ValueError, "expected 2 lengths"),
])
def test_pack_padded_sequence_errors_name_the_lengths(lengths, error, words):
    with pytest.raises(error, match="pack_padded_sequence") as info:
        pack_padded_sequence(cr.zeros(3, 2, 1), lengths)
    assert words in str(info.value)


def test_sequence_errors():
    with pytest.raises(ValueError, match="pad_sequence: every sequence must be"):
        pad_sequence([cr.zeros(2, 3), cr.zeros(2, 4)])
    with pytest.raises(ValueError, match="padding_side"):
        pad_sequence([cr.zeros(2)], padding_side="middle")
    packed = pack_sequence(_sequences([3, 2]))
    with pytest.raises(ValueError, match="total_length to be at least .*3.*got 2"):
        pad_packed_sequence(packed, total_length=2)


def test_rnn_over_a_packed_batch_ignores_the_padding():
    """Changing the padded steps changes neither the packed output nor the final states."""
    lstm = nn.LSTM(2, 3, bidirectional=True)
    x = pad_sequence(_sequences([4, 2, 3]))
    noisy = x.numpy().copy()
    noisy[2:, 1] = 100.0
    noisy[3:, 2] = -100.0
    results = [lstm(pack_padded_sequence(cr.tensor(v), [4, 2, 3], enforce_sorted=False))
               for v in (x.numpy(), noisy)]
    (out_a, (h_a, c_a)), (out_b, (h_b, c_b)) = results
    assert isinstance(out_a, PackedSequence) and out_a.data.shape == (9, 6)
    assert out_a.data.dtype == np.float32 and h_a.shape == (2, 3, 3)
    for a, b in ((out_a.data, out_b.data), (h_a, h_b), (c_a, c_b)):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    # each sequence's h_n is its own last output step (forward direction)
    padded, _ = pad_packed_sequence(out_a)
    for i, n in enumerate([4, 2, 3]):
        np.testing.assert_allclose(h_a.numpy()[0, i], padded.numpy()[n - 1, i, :3], rtol=1e-6)


def test_packed_output_of_equal_lengths_equals_the_unpacked_run():
    lstm = nn.LSTM(3, 4, bidirectional=True)
    x = cr.randn(5, 2, 3)
    out, (h, c) = lstm(x)
    packed_out, (hp, cp) = lstm(pack_padded_sequence(x, [5, 5]))
    padded, _ = pad_packed_sequence(packed_out)
    for a, b in ((out, padded), (h, hp), (c, cp)):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-6, atol=1e-6)


def test_rnn_rejects_packed_data_of_the_wrong_width():
    packed = pack_sequence(_sequences([2, 1], features=5))
    with pytest.raises(ValueError, match=r"GRU\(2, 3\): a PackedSequence's data must be"):
        nn.GRU(2, 3)(packed)


def test_parameters_to_vector_and_back():
    model = nn.Linear(3, 2)
    vec = parameters_to_vector(model.parameters())
    assert vec.shape == (8,) and vec.dtype == np.float32
    np.testing.assert_array_equal(vec.numpy()[:6], model.weight.numpy().reshape(-1))
    weight = model.weight
    vector_to_parameters(cr.arange(8.0), model.parameters())
    assert model.weight is weight
    assert model.weight.tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
    assert model.bias.tolist() == [6.0, 7.0]
    (parameters_to_vector(model.parameters()) * cr.arange(8.0)).sum().backward()
    assert model.bias.grad.tolist() == [6.0, 7.0]
    with pytest.raises(ValueError, match="vec has 7 elements, but the parameters hold 8"):
        vector_to_parameters(cr.zeros(7), model.parameters())


# ----------------------------------------------------------------- parametrizations
class _Symmetric(nn.Module):
    """W -> triu(W) + triu(W, 1)ᵀ: a symmetric matrix from its upper triangle."""

    def forward(self, weight):
        return weight.triu() + weight.triu(1).transpose(0, 1)


def test_register_parametrization_makes_a_property_and_keeps_training_the_original():
    from chainrule.nn.utils import parametrize
    layer = nn.Linear(3, 3)
    original = layer.weight
    parametrize.register_parametrization(layer, "weight", _Symmetric())
    assert type(layer).__name__ == "ParametrizedLinear" and isinstance(layer, nn.Linear)
    assert parametrize.is_parametrized(layer) and parametrize.is_parametrized(layer, "weight")
    assert not parametrize.is_parametrized(layer, "bias")
    assert layer.parametrizations.weight.original is original
    assert list(layer.state_dict()) == ["bias", "parametrizations.weight.original"]
    np.testing.assert_array_equal(layer.weight.numpy(), layer.weight.numpy().T)
    layer(cr.ones(2, 3)).sum().backward()
    assert original.grad is not None and np.allclose(np.tril(original.grad.numpy(), -1), 0)
    assert "(0): _Symmetric()" in repr(layer)
    parametrize.remove_parametrizations(layer, "weight")
    assert type(layer) is nn.Linear and isinstance(layer.weight, nn.Parameter)
    assert list(layer.state_dict()) == ["bias", "weight"]     # re-registered last, as PyTorch
    np.testing.assert_array_equal(layer.weight.numpy(), layer.weight.numpy().T)


def test_parametrization_errors():
    from chainrule.nn.utils import parametrize
    with pytest.raises(ValueError, match="has no parameter or buffer 'kernel'"):
        parametrize.register_parametrization(nn.Linear(2, 2), "kernel", _Symmetric())
    with pytest.raises(ValueError, match=r"must keep the tensor's shape \(3, 3\) .* got \(9,\)"):
        parametrize.register_parametrization(nn.Linear(3, 3), "weight", nn.Flatten(0))
    with pytest.raises(ValueError, match="has no parametrization on 'weight'"):
        parametrize.remove_parametrizations(nn.Linear(2, 2), "weight")


def test_weight_norm_splits_length_and_direction():
    from chainrule.nn.utils.parametrizations import weight_norm
    layer = nn.Linear(4, 3)
    before = layer.weight.numpy().copy()
    weight_norm(layer)
    g = layer.parametrizations.weight.original0
    v = layer.parametrizations.weight.original1
    assert g.shape == (3, 1) and v.shape == (3, 4)
    np.testing.assert_allclose(g.numpy()[:, 0], np.linalg.norm(before, axis=1), rtol=1e-6)
    np.testing.assert_allclose(layer.weight.numpy(), before, rtol=1e-6)
    with cr.no_grad():
        g.data[...] = 2.0
    np.testing.assert_allclose(np.linalg.norm(layer.weight.numpy(), axis=1), 2.0, rtol=1e-6)
    layer.weight = cr.ones(3, 4)                    # assignment goes through right_inverse
    np.testing.assert_allclose(g.numpy()[:, 0], 2.0, rtol=1e-6)
    assert layer.weight.dtype == np.float32


def test_spectral_norm_brings_the_largest_singular_value_to_one():
    from chainrule.nn.utils.parametrizations import spectral_norm
    layer = spectral_norm(nn.Linear(6, 5), n_power_iterations=30)
    layer(cr.ones(1, 6))
    assert np.linalg.svd(layer.weight.numpy(), compute_uv=False)[0] == pytest.approx(1, rel=1e-4)
    assert layer.weight.dtype == np.float32
    state = layer.state_dict()
    layer.eval()
    before = layer.parametrizations.weight[0]._u.numpy().copy()
    layer(cr.ones(1, 6))
    np.testing.assert_array_equal(layer.parametrizations.weight[0]._u.numpy(), before)  # eval: fixed
    assert list(state) == ["bias", "parametrizations.weight.original", "parametrizations.weight.0._u",
                           "parametrizations.weight.0._v"]
    with pytest.raises(ValueError, match="n_power_iterations must be positive"):
        spectral_norm(nn.Linear(2, 2), n_power_iterations=0)
