"""EmbeddingBag (module behaviour; its values and gradients are in the op registry) and alpha
dropout (statistics, gradient, eval identity, channel masks), with PyTorch's reprs and values
where it is installed."""
import math

import numpy as np
import pytest

import chainrule as cr
import chainrule.nn as nn
import chainrule.nn.functional as F


def _torch():
    return pytest.importorskip("torch", reason="PyTorch is the oracle for this comparison; "
                               "pip install torch==2.13.0")


# ----------------------------------------------------------------- EmbeddingBag
@pytest.mark.parametrize("options", [{}, {"mode": "sum", "padding_idx": 2},
                                     {"mode": "max", "include_last_offset": True}])
def test_embedding_bag_module_matches_torch(options):
    torch = _torch()
    theirs = torch.nn.EmbeddingBag(7, 3, **options)
    ours = nn.EmbeddingBag(7, 3, **options)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    indices, offsets = np.array([1, 2, 6, 5, 2, 0]), np.array([0, 2, 2, 6])
    a = ours(cr.tensor(indices), cr.tensor(offsets))
    b = theirs(torch.from_numpy(indices), torch.from_numpy(offsets))
    assert a.dtype == np.float32 and a.shape == tuple(b.shape)
    np.testing.assert_allclose(a.numpy(), b.detach().numpy(), rtol=1e-6)


def test_embedding_bag_default_init_and_padding_row():
    cr.manual_seed(0)
    bag = nn.EmbeddingBag(2000, 4, padding_idx=3)
    assert bag.weight.shape == (2000, 4) and bag.mode == "mean"
    assert (bag.weight.numpy()[3] == 0).all()
    assert abs(bag.weight.numpy().std() - 1) < 0.05          # N(0, 1), as PyTorch's


def test_embedding_bag_from_pretrained_is_frozen_by_default():
    table = np.arange(6.0, dtype=np.float32).reshape(3, 2)
    bag = nn.EmbeddingBag.from_pretrained(cr.tensor(table), mode="sum")
    assert not bag.weight.requires_grad
    assert bag(cr.tensor([[0, 2]])).tolist() == [[4.0, 6.0]]
    assert nn.EmbeddingBag.from_pretrained(table, freeze=False).weight.requires_grad


@pytest.mark.parametrize("call, error, message", [
    (lambda b: b(cr.tensor([[1, 2]]), cr.tensor([0])), ValueError, "offsets has to be None"),
    (lambda b: b(cr.tensor([1, 2])), ValueError, "offsets has to be a 1-d tensor of bag starts"),
    (lambda b: b(cr.tensor([1, 2]), cr.tensor([1])), ValueError, "offsets must start at 0"),
    (lambda b: b(cr.tensor([1, 9]), cr.tensor([0])), IndexError, "index 9 is out of range"),
    (lambda b: b(cr.tensor([1, 2]), cr.tensor([0]), cr.ones(2)), NotImplementedError,
     "only supported with mode='sum'"),
])
def test_embedding_bag_errors(call, error, message):
    with pytest.raises(error, match=message):
        call(nn.EmbeddingBag(5, 2))
    with pytest.raises(ValueError, match="mode has to be one of"):
        nn.EmbeddingBag(5, 2, mode="median")


def test_embedding_bag_checks_per_sample_weights():
    bag = nn.EmbeddingBag(5, 2, mode="sum")
    with pytest.raises(ValueError, match=r"per_sample_weights must have the input's shape \(3,\)"):
        bag(cr.tensor([1, 2, 3]), cr.tensor([0]), cr.ones(2))
    with pytest.raises(TypeError, match="must have the weight's dtype float32"):
        bag(cr.tensor([1, 2, 3]), cr.tensor([0]), cr.ones(3, dtype=cr.float64))


# ----------------------------------------------------------------- alpha dropout
SATURATION = 1.7580993408473766


@pytest.mark.parametrize("p", [0.1, 0.5])
def test_alpha_dropout_keeps_zero_mean_and_unit_variance(p):
    cr.manual_seed(0)
    x = cr.randn(200_000)
    y = F.alpha_dropout(x, p, training=True).numpy()
    assert abs(y.mean()) < 0.01 and abs(y.std() - 1) < 0.01
    a = 1 / math.sqrt((SATURATION ** 2 * p + 1) * (1 - p))
    dropped = np.isclose(y, a * SATURATION * (p - 1))
    assert abs(dropped.mean() - p) < 0.01


def test_alpha_dropout_values_and_gradient():
    p = 0.3
    a = 1 / math.sqrt((SATURATION ** 2 * p + 1) * (1 - p))
    x = cr.randn(1000, dtype=cr.float64, requires_grad=True)
    y = F.alpha_dropout(x, p, training=True)
    kept = ~np.isclose(y.numpy(), a * SATURATION * (p - 1))
    np.testing.assert_allclose(y.numpy()[kept], a * x.numpy()[kept] + a * SATURATION * p)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.where(kept, a, 0.0))
    assert y.dtype == np.float64


def test_alpha_dropout_constants_match_torch():
    torch = _torch()
    for p in (0.2, 0.7):
        ours = np.unique(np.round(F.alpha_dropout(cr.zeros(5000), p, True).numpy(), 6))
        theirs = np.unique(np.round(torch.nn.functional.alpha_dropout(torch.zeros(5000), p, True).numpy(), 6))
        np.testing.assert_array_equal(ours, theirs)
        assert repr(nn.AlphaDropout(p)) == repr(torch.nn.AlphaDropout(p))
        assert repr(nn.FeatureAlphaDropout(p)) == repr(torch.nn.FeatureAlphaDropout(p))


def test_feature_alpha_dropout_drops_whole_channels():
    cr.manual_seed(1)
    y = nn.FeatureAlphaDropout(0.5)(cr.zeros(8, 16, 3, 3)).numpy()
    per_channel = y.reshape(8, 16, 9)
    assert (per_channel == per_channel[..., :1]).all()
    assert len(np.unique(np.round(per_channel, 6))) == 2


def test_alpha_dropout_identity_in_eval_and_edge_probabilities():
    x = cr.randn(4, 3)
    for layer in (nn.AlphaDropout(0.4), nn.FeatureAlphaDropout(0.4)):
        assert layer.eval()(x) is x
    assert F.alpha_dropout(x, 0.5) is x                          # training=False by default
    assert F.alpha_dropout(x, 0.0, True) is x
    assert (F.alpha_dropout(x, 1.0, True).numpy() == 0).all()
    with pytest.raises(ValueError, match="AlphaDropout: dropout probability has to be between 0 and 1"):
        nn.AlphaDropout(1.5)
    with pytest.raises(ValueError, match="feature_alpha_dropout expects an input with at least 2 dims"):
        F.feature_alpha_dropout(cr.ones(3), 0.5, True)
