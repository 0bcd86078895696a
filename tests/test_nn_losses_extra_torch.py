"""The remaining losses and functional ops against PyTorch, beyond the op registry's samples:
longer random problems, PyTorch's own conventions, and the modules."""
import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="PyTorch is the oracle for these comparisons; pip install torch==2.13.0")
import torch.nn.functional as TF  # noqa: E402

import chainrule as cr  # noqa: E402
import chainrule.nn as nn  # noqa: E402
import chainrule.nn.functional as F  # noqa: E402

rng = np.random.default_rng
TOLERANCE = {np.float64: dict(rtol=1e-10, atol=1e-12), np.float32: dict(rtol=1e-4, atol=1e-5)}


# --------------------------------------------------------------------------- ctc_loss
def _random_ctc_problem(seed, frames=30, batch=5, classes=6, blank=0):
    r = rng(seed)
    target_lengths = r.integers(0, 9, batch)
    input_lengths = r.integers(frames // 2, frames + 1, batch)
    labels = np.array([c for c in range(classes) if c != blank])
    targets = r.choice(labels, (batch, 8))
    targets[:, 1::3] = targets[:, 0::3][:, :targets[:, 1::3].shape[1]]   # many repeats
    return r.standard_normal((frames, batch, classes)), targets, input_lengths, target_lengths


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("blank", [0, 5])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_ctc_loss_matches_torch_on_random_problems(reduction, blank, dtype):
    x, targets, input_lengths, target_lengths = _random_ctc_problem(blank + 7, blank=blank)
    options = dict(blank=blank, reduction=reduction, zero_infinity=True)
    ours = cr.tensor(x.astype(dtype), requires_grad=True)
    theirs = torch.tensor(x.astype(dtype), requires_grad=True)
    got = F.ctc_loss(F.log_softmax(ours, 2), cr.tensor(targets), input_lengths, target_lengths, **options)
    expected = TF.ctc_loss(theirs.log_softmax(2), torch.tensor(targets), torch.tensor(input_lengths),
                           torch.tensor(target_lengths), **options)
    assert got.dtype == dtype and got.shape == tuple(expected.shape)
    np.testing.assert_allclose(got.data, expected.detach().numpy(), **TOLERANCE[dtype])
    g = rng(1).standard_normal(got.shape).astype(dtype)
    got.backward(cr.tensor(g))
    expected.backward(torch.tensor(g))
    np.testing.assert_allclose(ours.grad.data, theirs.grad.numpy(), **TOLERANCE[dtype])


def test_ctc_loss_gradient_of_log_probs_is_exact_where_torchs_assumes_a_softmax():
    """PyTorch's rule for log_probs is exp(log_probs) - posterior (the gradient of the logits
    behind a log_softmax); chainrule's is the derivative itself, -posterior."""
    x, targets, input_lengths, target_lengths = _random_ctc_problem(3, frames=34, batch=3)
    lp = torch.tensor(x).log_softmax(2)
    ours = cr.tensor(lp.numpy(), requires_grad=True)
    theirs = lp.clone().requires_grad_()
    F.ctc_loss(ours, cr.tensor(targets), input_lengths, target_lengths, reduction="sum").backward()
    TF.ctc_loss(theirs, torch.tensor(targets), tuple(input_lengths), tuple(target_lengths),
                reduction="sum").backward()
    counted = (np.arange(34)[:, None] < input_lengths)[..., None]
    np.testing.assert_allclose(ours.grad.data, theirs.grad.numpy() - counted * lp.exp().numpy(),
                               rtol=1e-9, atol=1e-12)


def test_ctc_loss_infinite_losses_as_torch():
    x, targets = rng(4).standard_normal((4, 2, 5)), np.array([[1, 1, 1], [3, 4, 0]])
    args = ([4, 4], [3, 2])                         # 1 1 1 needs five frames
    got = F.ctc_loss(F.log_softmax(cr.tensor(x), 2), cr.tensor(targets), *args, reduction="none")
    expected = TF.ctc_loss(torch.tensor(x).log_softmax(2), torch.tensor(targets), *args, reduction="none")
    np.testing.assert_array_equal(np.isinf(got.data), [True, False])
    np.testing.assert_allclose(got.data, expected.numpy(), rtol=1e-10)
    ours, theirs = cr.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    F.ctc_loss(F.log_softmax(ours, 2), cr.tensor(targets), *args, reduction="sum").backward()
    TF.ctc_loss(theirs.log_softmax(2), torch.tensor(targets), *args, reduction="sum").backward()
    np.testing.assert_allclose(ours.grad.data, theirs.grad.numpy(), rtol=1e-10)   # NaN where torch has NaN


def test_ctc_loss_module_matches_torch():
    x, targets, input_lengths, target_lengths = _random_ctc_problem(5, blank=2)
    lp = np.log(np.exp(x) / np.exp(x).sum(2, keepdims=True))
    got = nn.CTCLoss(blank=2, zero_infinity=True)(cr.tensor(lp), cr.tensor(targets), cr.tensor(input_lengths),
                                                 cr.tensor(target_lengths))
    expected = torch.nn.CTCLoss(blank=2, zero_infinity=True)(
        torch.tensor(lp), torch.tensor(targets), torch.tensor(input_lengths), torch.tensor(target_lengths))
    np.testing.assert_allclose(got.item(), expected.item(), rtol=1e-10)
    assert repr(nn.CTCLoss(blank=2)) == repr(torch.nn.CTCLoss(blank=2))


# --------------------------------------------------------------------------- margin losses
def test_multilabel_margin_loss_matches_torch_on_random_targets():
    r = rng(8)
    x = r.standard_normal((6, 5))
    targets = np.stack([r.permutation(5) for _ in range(6)])
    targets[np.arange(6), r.integers(0, 5, 6)] = -1                 # each list ends somewhere
    ours, theirs = cr.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    got = nn.MultiLabelMarginLoss()(ours, cr.tensor(targets))
    expected = torch.nn.MultiLabelMarginLoss()(theirs, torch.tensor(targets))
    np.testing.assert_allclose(got.item(), expected.item(), rtol=1e-10)
    got.backward()
    expected.backward()
    np.testing.assert_allclose(ours.grad.data, theirs.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_triplet_margin_with_distance_loss_module_matches_torch():
    r = rng(9)
    a, p, n = (r.standard_normal((5, 4)) for _ in range(3))
    got = nn.TripletMarginWithDistanceLoss(distance_function=nn.PairwiseDistance(p=1.0), swap=True,
                                           reduction="none")(*map(cr.tensor, (a, p, n)))
    expected = torch.nn.TripletMarginWithDistanceLoss(distance_function=torch.nn.PairwiseDistance(p=1.0),
                                                      swap=True, reduction="none")(*map(torch.tensor, (a, p, n)))
    np.testing.assert_allclose(got.data, expected.numpy(), rtol=1e-10)
    assert repr(nn.TripletMarginWithDistanceLoss()) == repr(torch.nn.TripletMarginWithDistanceLoss())
    assert repr(nn.MultiLabelMarginLoss()) == repr(torch.nn.MultiLabelMarginLoss())


# --------------------------------------------------------------------------- spatial transformers
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("align_corners", [False, True])
def test_spatial_transformer_gradients_match_torch(align_corners, padding_mode, dtype):
    """affine_grid then grid_sample: gradients to the image and to theta, as PyTorch's."""
    r = rng(11)
    images, theta = r.standard_normal((2, 3, 9, 8)).astype(dtype), r.standard_normal((2, 2, 3)).astype(dtype)
    results = []
    for lib, functional in ((cr, F), (torch, TF)):
        x, t = lib.tensor(images, requires_grad=True), lib.tensor(theta, requires_grad=True)
        grid = functional.affine_grid(t, (2, 3, 7, 6), align_corners=align_corners)
        out = functional.grid_sample(x, grid, padding_mode=padding_mode, align_corners=align_corners)
        results.append((out, x, t))
    weights = rng(12).standard_normal((2, 3, 7, 6)).astype(dtype)
    (results[0][0] * cr.tensor(weights)).sum().backward()
    (results[1][0] * torch.tensor(weights)).sum().backward()
    (ours, x, t), (theirs, xt, tt) = results
    tolerance = TOLERANCE[dtype]
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), **tolerance)
    np.testing.assert_allclose(x.grad.data, xt.grad.numpy(), **tolerance)
    np.testing.assert_allclose(t.grad.data, tt.grad.numpy(), **tolerance)
    assert t.grad.dtype == dtype


def test_affine_grid_of_a_unit_size_dim_warns_and_matches_torch():
    theta = rng(13).standard_normal((1, 2, 3))
    with pytest.warns(UserWarning, match="unit-size grids"):
        expected = TF.affine_grid(torch.tensor(theta), (1, 1, 1, 3), align_corners=True)
    with pytest.warns(UserWarning, match="affine_grid: with align_corners=True a size-1 dim"):
        got = F.affine_grid(cr.tensor(theta), (1, 1, 1, 3), align_corners=True)
    np.testing.assert_allclose(got.data, expected.numpy(), rtol=1e-12)


# --------------------------------------------------------------------------- AdaptiveLogSoftmaxWithLoss
def test_adaptive_softmax_matches_torch_with_its_weights():
    torch.manual_seed(0)
    theirs = torch.nn.AdaptiveLogSoftmaxWithLoss(16, 20, [4, 10, 15], div_value=2.0, head_bias=True).double()
    ours = nn.AdaptiveLogSoftmaxWithLoss(16, 20, [4, 10, 15], div_value=2.0, head_bias=True, dtype=cr.float64)
    assert repr(ours) == repr(theirs)
    assert [(k, v.shape) for k, v in ours.state_dict().items()] == [
        (k, tuple(v.shape)) for k, v in theirs.state_dict().items()]
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    x, y = rng(14).standard_normal((9, 16)), np.array([0, 3, 4, 9, 10, 14, 15, 19, 2])
    xa, xt = cr.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    got, expected = ours(xa, cr.tensor(y)), theirs(xt, torch.tensor(y))
    np.testing.assert_allclose(got.output.data, expected.output.detach().numpy(), rtol=1e-10)
    got.loss.backward()
    expected.loss.backward()
    np.testing.assert_allclose(xa.grad.data, xt.grad.numpy(), rtol=1e-10, atol=1e-14)
    for (key, mine), (_, reference) in zip(ours.named_parameters(), theirs.named_parameters()):
        np.testing.assert_allclose(mine.grad.data, reference.grad.numpy(), rtol=1e-10, atol=1e-14, err_msg=key)
    np.testing.assert_array_equal(ours.predict(cr.tensor(x)).data, theirs.predict(torch.tensor(x)).numpy())
